"""What the ``dialogbot`` command line prints: tables that fit the terminal, the
organisation tree, a template's questions, and a yes/no question. Every text comes from
:func:`bot.i18n.t` in the run's language."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from bot.domain.templates import DialogTemplate
from bot.i18n import MESSAGES, t
from bot.org_view import OrgNode

YES = frozenset({"j", "ja", "y", "yes"})
#: Short columns kept on one line; the others (titles, names, dates) wrap to fit the terminal.
ONE_LINE = frozenset({"round", "version", "answered"})


def table(lang: str, *columns: str, title: str | None = None) -> Table:
    """A table with translated headers (``cli.col.*``) whose cells wrap to the terminal width.

    No column has a fixed width and long cells fold onto more lines rather than being cut,
    so a 60-column terminal shows whole titles and a wide one uses its width.
    """
    grid = Table(
        title=title, expand=False, box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True
    )
    for column in columns:
        grid.add_column(t(lang, f"cli.col.{column}"), overflow="fold", no_wrap=column in ONE_LINE)
    return grid


def status_label(status: str, lang: str) -> str:
    """A participation's status in words (invited, answering, finished)."""
    key = f"cli.status.{status}"
    return t(lang, key) if key in MESSAGES else status


def org_tree(nodes: Sequence[OrgNode], workspace: str, lang: str) -> Tree:
    """The organisation as a tree: unit, level, and managers with their chat ids."""
    root = Tree(Text(t(lang, "cli.org.title", workspace=workspace), style="bold"))

    def add(parent: Tree, node: OrgNode) -> None:
        label = Text()
        label.append(node.name, style="bold")
        label.append(f" ({node.level}, {node.key})")
        if node.managers:
            people = ", ".join(f"{name} {chat}" for chat, name in node.managers)
            label.append(f" — {people}")
        else:
            label.append(f" — {t(lang, 'cli.org.no_manager')}", style="dim")
        branch = parent.add(label)
        for child in node.children:
            add(branch, child)

    for node in nodes:
        add(root, node)
    return root


def template_details(template: DialogTemplate, lang: str, out: Console) -> None:
    """A template's name, overarching question, and every question with its hint."""
    out.print(
        Text(f"{template.name.get(lang)} ({template.key} v{template.version}, {template.phase})"),
        style="bold",
    )
    if template.overarching_question:
        overarching = template.overarching_question.get(lang)
        out.print(Text(f"{t(lang, 'cli.templates.overarching')}: {overarching}"))
    if template.description:
        out.print(Text(template.description.get(lang)))
    for n, question in enumerate(template.questions, start=1):
        out.print()
        heading = Text(f"{t(lang, 'cli.templates.question', n=n)} ({question.key})", style="bold")
        if question.kind != "text":
            heading.append(f" — {t(lang, f'cli.templates.kind.{question.kind}')}", style="")
        out.print(heading)
        out.print(Text(question.text.get(lang)))
        if question.hint:
            out.print(Text(f"{t(lang, 'hint')}: {question.hint.get(lang)}", style="italic"))
        if question.refers_to:
            refs = ", ".join(question.refers_to)
            out.print(Text(f"{t(lang, 'cli.templates.refers_to')}: {refs}", style="dim"))


def confirm(question: str, out: Console) -> bool:
    """Ask a yes/no question on the terminal; only j/ja/y/yes mean yes."""
    try:
        answer = out.input(escape(question) + " ")
    except EOFError:
        return False
    return answer.strip().lower() in YES


def stdin_is_terminal() -> bool:
    """True when a person can answer a question on standard input."""
    return sys.stdin is not None and sys.stdin.isatty()
