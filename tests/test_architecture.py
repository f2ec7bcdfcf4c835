"""Layer rules of bot/ and storage/, checked on the source with a small AST walk.

The layers (see the coordination notes and README): domain (pure, no SQLAlchemy) →
storage (all SQL) → services (``bot/services/``, the only code that opens a unit of work)
→ adapters (Slack, console, the scheduler and the command lines). The rules:

* ``unit-of-work``: no module outside ``storage/`` and ``bot/services/`` imports
  ``storage.unit_of_work``.
* ``unit-of-work`` also covers calling ``.unit_of_work(...)`` (the kernel's raw one is for
  tests and tools).
* ``session``: no module outside ``storage/`` and ``bot/services/`` uses an attribute named
  ``session`` (on anything: ``uow.session``, ``repo.session``, ``self.session`` ...).
* ``domain``: a domain module (:data:`DOMAIN`) imports no sqlalchemy and, of bot/ and
  storage/, only other domain modules (so no storage, services or adapter).
* ``storage``: a storage module imports no services and no adapter, and of bot/ only domain
  modules. (Today storage imports nothing from bot at all.)
* ``services``: a module of ``bot/services/`` imports no adapter and no composition root
  (:data:`COMPOSITION`).
* ``adapter-isolation``: an adapter package (``bot.slack``, ``bot.teams``, ``bot.console``)
  is imported only from inside itself and from the composition roots (:data:`COMPOSITION`:
  the entry point ``bot.cli``, ``bot.wiring``, ``bot.platforms``); the rest of the code
  gets platform concerns as neutral values.
* ``cycle``: no import cycle among the modules of bot/ and storage/ (imports under
  ``if TYPE_CHECKING:`` are left out; imports inside functions count). Each import that
  lies on a cycle is one violation.

Violations that exist when this test was written are listed in :data:`KNOWN_VIOLATIONS`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOTS = ("bot", "storage")
SKIPPED_DIRS = ("storage/migrations",)

DOMAIN = frozenset(
    {
        "bot.domain.absence",
        "bot.domain.access",
        "bot.domain.anonymity",
        "bot.chain.chat",
        "bot.chain.documents",
        "bot.chain.errors",
        "bot.chain.followup",
        "bot.domain.splitting",
        "bot.clock",
        "bot.domain.collation",
        "bot.domain.errors",
        "bot.escaping",
        "bot.i18n",
        "bot.input_errors",
        "bot.domain.org_cycles",
        "bot.domain.org_problems",
        "bot.domain.org_tree",
        "bot.ports",
        "bot.progress_text",
        "bot.domain.results",
        "bot.domain.round_choice",
        "bot.domain.safe_yaml",
        "bot.schedule.calendar",
        "bot.schedule.config",
        "bot.schedule.errors",
        "bot.schedule.plan",
        "bot.schedule.preset",
        "bot.schedule.recurrence",
        "bot.summary",
        "bot.domain.template_problems",
        "bot.domain.templates",
        "bot.domain.text_input",
        "bot.domain.timeparse",
        "bot.unit_search",
        "bot.when",
    }
)
"""The pure modules (plus every module under ``bot/domain/``): decided by reading them."""

ADAPTER_PACKAGES = ("bot.slack", "bot.teams", "bot.console")
COMPOSITION = frozenset({"bot.cli", "bot.platforms", "bot.wiring"})
"""Where the parts are put together: these may import every adapter."""
SESSION_ALLOWED = ("storage", "bot.services")

# Violations on main when this test was written. This set must only shrink: fix the code,
# then delete its entry (the test fails on an entry that no longer occurs, so the list
# cannot go stale). The coordinator empties it as the service-boundary work is merged.
# An entry is (rule, file, what): ``what`` is the imported module, or ``session``.
KNOWN_VIOLATIONS: frozenset[tuple[str, str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    """One import statement's target as seen in a module."""

    module: str
    line: int
    type_checking: bool


@dataclass(frozen=True)
class Violation:
    """A broken rule at a place in a file."""

    rule: str
    path: str
    line: int
    what: str
    detail: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What :data:`KNOWN_VIOLATIONS` holds (no line: lines move with every edit)."""
        return (self.rule, self.path, self.what)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.detail}"


def _module_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if any(rel.startswith(skip + "/") for skip in SKIPPED_DIRS):
                continue
            parts = rel[: -len(".py")].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _module_files()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module if _is_package(module) else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, tree: ast.Module) -> Iterator[Import]:
    """Every import in ``tree`` (also inside functions); ``from a import b`` gives ``a.b``
    when that is a module of bot/ or storage/, else ``a``."""

    def walk(node: ast.AST, type_checking: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(alias.name, child.lineno, type_checking)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, child)
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    yield Import(sub if sub in MODULES else base, child.lineno, type_checking)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                yield from walk(ast.Module(body=child.body, type_ignores=[]), True)
                yield from walk(ast.Module(body=child.orelse, type_ignores=[]), type_checking)
            else:
                yield from walk(child, type_checking)

    yield from walk(tree, False)


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _is_domain(module: str) -> bool:
    return module in DOMAIN or _within(module, "bot.domain")


def _is_adapter(module: str) -> bool:
    last = module.rpartition(".")[2]
    return (
        _within(module, *ADAPTER_PACKAGES)
        or module == "bot.schedule.scheduler"
        or module == "bot.cli"
        or last == "cli"
        or last.endswith("_cli")
        or last.startswith("cli_")
    )


def _internal(imported: str) -> str | None:
    """The bot/storage module an import refers to (its closest known package), if any."""
    name = imported
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


@dataclass
class Codebase:
    """The parsed modules of bot/ and storage/."""

    trees: dict[str, ast.Module]

    @classmethod
    def load(cls) -> Codebase:
        """Parse every module."""
        return cls(
            {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in MODULES.items()}
        )

    def path(self, module: str) -> str:
        """The module's file, relative to the repository."""
        return MODULES[module].relative_to(REPO).as_posix()

    def imports(self, module: str) -> list[Import]:
        """The module's imports."""
        return list(_imports(module, self.trees[module]))


CODE = Codebase.load()


def layer_violations(code: Codebase) -> Iterator[Violation]:
    """Violations of the unit-of-work, session, domain, storage, services and
    adapter-isolation rules."""
    for module in sorted(code.trees):
        path = code.path(module)
        may_open_work = _within(module, *SESSION_ALLOWED)
        for imp in code.imports(module):
            target = _internal(imp.module)
            if not may_open_work and _within(imp.module, "storage.unit_of_work"):
                yield Violation(
                    "unit-of-work",
                    path,
                    imp.line,
                    "storage.unit_of_work",
                    "imports storage.unit_of_work: only storage/ and bot/services/ open units "
                    "of work (use a service of bot/services/)",
                )
            if _is_domain(module):
                if _within(imp.module, "sqlalchemy"):
                    yield Violation(
                        "domain", path, imp.line, "sqlalchemy", "domain module imports sqlalchemy"
                    )
                elif target is not None and not _is_domain(target):
                    yield Violation(
                        "domain",
                        path,
                        imp.line,
                        target,
                        f"domain module imports {target}, which is not domain",
                    )
            if (
                _within(module, "storage")
                and target is not None
                and _within(target, "bot")
                and not _is_domain(target)
            ):
                yield Violation(
                    "storage",
                    path,
                    imp.line,
                    target,
                    f"storage imports {target}: storage may use only domain modules of bot/",
                )
            if (
                _within(module, "bot.services")
                and target is not None
                and (_is_adapter(target) or target in COMPOSITION)
            ):
                yield Violation(
                    "services",
                    path,
                    imp.line,
                    target,
                    f"service imports the adapter {target}",
                )
            if target is not None and _within(target, *ADAPTER_PACKAGES):
                package = next(p for p in ADAPTER_PACKAGES if _within(target, p))
                if not _within(module, package) and module not in COMPOSITION:
                    yield Violation(
                        "adapter-isolation",
                        path,
                        imp.line,
                        target,
                        f"imports the {package} adapter ({target}) from outside it",
                    )
        if not may_open_work:
            for node in ast.walk(code.trees[module]):
                if isinstance(node, ast.Attribute) and node.attr == "session":
                    yield Violation(
                        "session",
                        path,
                        node.lineno,
                        "session",
                        "uses an attribute named 'session': only storage/ and bot/services/ "
                        "touch a Session (add a Repository method)",
                    )
                if isinstance(node, ast.Attribute) and node.attr == "unit_of_work":
                    yield Violation(
                        "unit-of-work",
                        path,
                        node.lineno,
                        "unit_of_work",
                        "opens a unit of work: only bot/services/ do (add a use case)",
                    )


def import_graph(code: Codebase) -> dict[str, dict[str, int]]:
    """module -> {imported bot/storage module: first line}, without TYPE_CHECKING imports.

    Importing ``a.b.c`` also runs ``a`` and ``a.b``, but a package's ``__init__`` is only
    an edge when named itself (else every submodule would close a cycle through it).
    """
    graph: dict[str, dict[str, int]] = {}
    for module in code.trees:
        edges: dict[str, int] = {}
        for imp in code.imports(module):
            target = _internal(imp.module)
            if imp.type_checking or target is None or target == module:
                continue
            edges.setdefault(target, imp.line)
        graph[module] = edges
    return graph


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def _path_back(
    graph: dict[str, dict[str, int]], start: str, goal: str, within: set[str]
) -> list[str]:
    """A shortest import path start -> ... -> goal inside one cycle."""
    previous: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child in within and child not in seen:
                    seen.add(child)
                    previous[child] = node
                    following.append(child)
        frontier = following
    path = [goal]
    while path[-1] != start:
        path.append(previous[path[-1]])
    return path[::-1]


def cycle_violations(code: Codebase) -> Iterator[Violation]:
    """One violation for every import that lies on an import cycle."""
    graph = import_graph(code)
    for component in _strongly_connected(graph):
        for module in sorted(component):
            for target, line in sorted(graph[module].items()):
                if target not in component:
                    continue
                loop = _path_back(graph, target, module, component)
                yield Violation(
                    "cycle",
                    code.path(module),
                    line,
                    target,
                    f"import of {target} closes a cycle: " + " -> ".join([module, *loop]),
                )


def _report(title: str, violations: list[Violation]) -> str:
    return title + "\n" + "\n".join(f"  {v}" for v in violations)


def all_violations(code: Codebase) -> list[Violation]:
    """Every violation, once per rule, file, line and offending name."""
    unique: dict[tuple[str, str, str, int], Violation] = {}
    for violation in [*layer_violations(code), *cycle_violations(code)]:
        unique.setdefault((*violation.key, violation.line), violation)
    return list(unique.values())


def test_the_layer_rules_hold_apart_from_known_violations() -> None:
    found = all_violations(CODE)
    new = [v for v in found if v.key not in KNOWN_VIOLATIONS]
    assert not new, _report(
        "New layer violations (fix them; do not add them to KNOWN_VIOLATIONS):", new
    )


def test_known_violations_still_occur() -> None:
    """An entry that no longer occurs is deleted from KNOWN_VIOLATIONS, so it only shrinks."""
    found = {v.key for v in all_violations(CODE)}
    stale = sorted(KNOWN_VIOLATIONS - found)
    assert not stale, "Fixed, so delete from KNOWN_VIOLATIONS:\n" + "\n".join(
        f"  {entry!r}," for entry in stale
    )


def test_no_test_module_imports_another_test_module() -> None:
    """Shared fixtures live in conftest.py, shared helpers in tests/support and doubles in
    tests/fakes: a test module never imports from another test module or conftest."""
    pattern = re.compile(r"^\s*(?:from|import)\s+(?:tests\.)?(test_\w+|conftest)\b", re.M)
    offenders = [
        f"{path.relative_to(REPO).as_posix()}: imports {match.group(1)}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("bot.slack.app", True),
        ("bot.schedule.scheduler", True),
        ("bot.schedule.cli", True),
        ("bot.absence_cli", True),
        ("bot.cli_views", True),
        ("bot.services.answering", False),
        ("bot.schedule.plan", False),
    ],
)
def test_adapters_are_recognised(module: str, expected: bool) -> None:
    assert _is_adapter(module) is expected


def test_the_walk_sees_what_it_checks() -> None:
    """Guard against a walk that silently finds nothing (wrong root, renamed package)."""
    assert "bot.services.answering" in MODULES and "storage.repository" in MODULES
    assert set(DOMAIN) <= set(MODULES), sorted(set(DOMAIN) - set(MODULES))
    graph = import_graph(CODE)
    assert "storage.repository" in graph["storage.unit_of_work"]


def test_cycles_are_found() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3, "d": 4}, "d": {}, "e": {"a": 5}}
    assert _strongly_connected(graph) == [{"a", "b", "c"}]
    assert _path_back(graph, "b", "a", {"a", "b", "c"}) == ["b", "c", "a"]


def test_slack_texts_stay_in_the_slack_adapter() -> None:
    """Texts with Slack markup for links and mentions (``<#C1>``, ``<@U1>``, ``<!here>``)
    are ``slack.*`` keys, and only the Slack adapter uses ``slack.*`` keys."""
    from bot.i18n import MESSAGES

    marked = sorted(
        key
        for key, texts in MESSAGES.items()
        if any(mark in text for text in texts.values() for mark in ("<#", "<@", "<!"))
        and not key.startswith("slack.")
    )
    assert marked == [], "Slack link markup in a platform-neutral text"
    used_outside = sorted(
        f"{CODE.path(module)}:{node.lineno}: {node.value}"
        for module, tree in CODE.trees.items()
        if not _within(module, "bot.slack") and module != "bot.i18n"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("slack.")
        and node.value in MESSAGES
    )
    assert used_outside == [], "slack.* texts used outside bot/slack"
