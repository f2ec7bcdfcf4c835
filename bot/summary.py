"""Round summaries: pure data built from a round, rendered with Jinja2 per output format.

The roll-up follows the organisation: answers are grouped under the units they came
from, and every unit above them (enhet → avdelning → förvaltning) shows how many of
the units below it have answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.escaping import ESCAPERS, Trusted
from bot.i18n import format_local, t
from bot.org_tree import OrgTree
from bot.results import RoundInfo
from bot.templates import DialogTemplate
from storage.models import Participation, Unit

Format = Literal["md", "mrkdwn", "text"]
FORMATS: tuple[Format, ...] = ("md", "mrkdwn", "text")


@dataclass(frozen=True)
class AnswerEntry:
    """One participant's answer to one question (names are None in anonymous rounds)."""

    unit_name: str | None
    person_name: str | None
    status: str
    text: str


@dataclass(frozen=True)
class NodeAnswers:
    """The answers to one question from one unit, with the roll-up below it."""

    depth: int
    unit_name: str
    level_name: str
    answered: int
    total: int
    entries: list[AnswerEntry]
    has_children: bool = False


@dataclass(frozen=True)
class QuestionSummary:
    """Everything said about one question."""

    number: int
    key: str
    text: str
    answered: int
    nodes: list[NodeAnswers]


@dataclass(frozen=True)
class UnitRate:
    """Response rate of one unit in the tree, counting the units below it."""

    depth: int
    unit_name: str
    level_name: str
    responded: int
    total: int


@dataclass(frozen=True)
class Missing:
    """A participant who has not answered anything."""

    unit_name: str
    person_name: str
    chat_id: str


@dataclass(frozen=True)
class RoundSummary:
    """A round's answers per question and per level, with response rates."""

    round: RoundInfo
    root_name: str | None
    participants: int
    responded: int
    finished: int
    questions: list[QuestionSummary]
    rates: list[UnitRate]
    missing: list[Missing] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        """Whether names are hidden."""
        return self.round.anonymous

    @property
    def rate_percent(self) -> int:
        """Share of participants who answered at least one question, in whole percent."""
        return round(100 * self.responded / self.participants) if self.participants else 0


@dataclass
class _Node:
    unit: Unit
    depth: int
    children: list[_Node] = field(default_factory=list)
    own: list[Participation] = field(default_factory=list)

    def walk(self) -> list[_Node]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out

    def all_participations(self) -> list[Participation]:
        return [p for n in self.walk() for p in n.own]


def _has_answer(p: Participation) -> bool:
    return any(a.status == "answered" for a in p.answers)


def _build_tree(tree: OrgTree, participations: Sequence[Participation]) -> list[_Node]:
    units = {p.unit_id: p.unit for p in participations}
    root_path = tree.common_root(units.values())
    nodes: dict[int, _Node] = {}
    roots: list[_Node] = []
    base_depth = len(root_path) - 1 if root_path else 0
    for unit in units.values():
        path = tree.path(unit)[base_depth:] if root_path else tree.path(unit)
        parent: _Node | None = None
        for depth, u in enumerate(path):
            node = nodes.get(u.id)
            if node is None:
                node = _Node(u, depth)
                nodes[u.id] = node
                (parent.children if parent else roots).append(node)
            parent = node
    for p in participations:
        nodes[p.unit_id].own.append(p)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.unit.name)
    roots.sort(key=lambda n: n.unit.name)
    return roots


def build_summary(
    info: RoundInfo,
    template: DialogTemplate,
    participations: Sequence[Participation],
    tree: OrgTree,
    level_names: dict[str, str],
) -> RoundSummary:
    """Build a :class:`RoundSummary` (pure: no database access beyond loaded objects)."""
    roots = _build_tree(tree, participations)
    order = [n for r in roots for n in r.walk()]
    anonymous = info.anonymous

    def level(u: Unit) -> str:
        return level_names.get(u.level_key, u.level_key)

    rates: list[UnitRate] = []
    for node in order:
        below = node.all_participations()
        unit_ids = {p.unit_id for p in below}
        responded_units = {p.unit_id for p in below if _has_answer(p)}
        rates.append(
            UnitRate(
                node.depth, node.unit.name, level(node.unit), len(responded_units), len(unit_ids)
            )
        )

    questions: list[QuestionSummary] = []
    for number, q in enumerate(template.questions, start=1):
        nodes: list[NodeAnswers] = []
        total_answered = 0
        for node in order:
            entries: list[AnswerEntry] = []
            for p in node.own:
                answer = next((a for a in p.answers if a.question_key == q.key), None)
                if answer is None or answer.status not in ("answered", "skipped"):
                    continue
                entries.append(
                    AnswerEntry(
                        unit_name=None if anonymous else p.unit.name,
                        person_name=None if anonymous else p.person.name,
                        status=answer.status,
                        text=answer.text,
                    )
                )
            below = node.all_participations()
            answered_below = sum(
                1
                for p in below
                if any(a.question_key == q.key and a.status == "answered" for a in p.answers)
            )
            if node.own:
                total_answered += sum(1 for e in entries if e.status == "answered")
            nodes.append(
                NodeAnswers(
                    node.depth,
                    node.unit.name,
                    level(node.unit),
                    answered_below,
                    len(below),
                    entries,
                    bool(node.children),
                )
            )
        if anonymous:
            flat = sorted(
                (e for n in nodes for e in n.entries if e.status == "answered"),
                key=lambda e: e.text,
            )
            root = nodes[0] if nodes else None
            nodes = (
                [
                    NodeAnswers(
                        0, root.unit_name, root.level_name, len(flat), len(participations), flat
                    )
                ]
                if root
                else []
            )
        questions.append(
            QuestionSummary(number, q.key, q.text.get(info.lang), total_answered, nodes)
        )

    missing = [
        Missing(p.unit.name, p.person.name, p.person.chat_id)
        for node in order
        for p in node.own
        if not _has_answer(p)
    ]
    return RoundSummary(
        round=info,
        root_name=roots[0].unit.name if len(roots) == 1 else None,
        participants=len(participations),
        responded=sum(1 for p in participations if _has_answer(p)),
        finished=sum(1 for p in participations if p.status == "finished"),
        questions=questions,
        rates=rates,
        missing=missing,
    )


def _quote_filter(escape: Callable[[object], str], prefix: str) -> Callable[[object], Trusted]:
    def quote(text: object) -> Trusted:
        lines = escape(text).splitlines() or [""]
        return Trusted("\n".join(prefix + line for line in lines))

    return quote


@cache
def _environment(fmt: Format) -> Environment:
    escape = ESCAPERS[fmt]
    env = Environment(
        loader=PackageLoader("dialog_templates", "summaries"),
        finalize=escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,
    )
    quote_prefix = {"md": "> ", "mrkdwn": ">", "text": "    "}[fmt]
    env.filters["quote"] = _quote_filter(escape, quote_prefix)
    env.filters["local"] = format_local
    env.globals["t"] = lambda key, lang, **kw: Trusted(
        t(lang, key, **{k: escape(v) for k, v in kw.items()})
    )
    env.globals["indent"] = lambda depth: Trusted("  " * depth)
    env.globals["heading"] = lambda level: Trusted("#" * level)
    return env


def render_summary(summary: RoundSummary, fmt: Format = "md") -> str:
    """Render a summary as Markdown (``md``), Slack mrkdwn (``mrkdwn``) or plain ``text``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown summary format {fmt!r}; choose one of {', '.join(FORMATS)}")
    template = _environment(fmt).get_template(f"summary.{fmt}.j2")
    return template.render(s=summary, r=summary.round, lang=summary.round.lang)
