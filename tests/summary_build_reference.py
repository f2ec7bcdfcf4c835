"""The summary's roll-up as it was built before it read plain rows (commit 48ab677), kept
verbatim as the reference the plain-row build must match value for value: from the ORM's
participations (with their unit, person and answers) and the workspace's units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.absence import ABSENT
from bot.domain.anonymity import (
    DEFAULT_ANONYMITY_K,
    Respondent,
    plan_pools,
    pools_for_question,
)
from bot.domain.answer_status import GIVEN
from bot.domain.collation import sort_key
from bot.domain.org_tree import OrgTree
from bot.domain.results import RoundInfo
from bot.domain.shapes import UnitShape
from bot.domain.states import is_finished
from bot.domain.templates import DialogTemplate
from bot.summary import (
    AnswerEntry,
    Missing,
    NodeAnswers,
    QuestionSummary,
    RoundSummary,
    Synthesis,
    Thread,
    UnitRate,
)


class ParticipationShape(Protocol):
    """What the reference reads of a participation (an ORM ``Participation``)."""

    id: int
    person_id: int | None
    unit_id: int
    status: str
    thread_ref: str | None
    unit: Any
    person: Any
    answers: Any


@dataclass(frozen=True)
class _Row:
    """One participation as plain values (ORM attribute access is slow in bulk)."""

    participation_id: int
    person_id: int | None
    unit_id: int
    unit_name: str
    person_name: str
    chat_id: str
    finished: bool
    answers: dict[str, tuple[str, str]]
    absent: bool = False
    thread_ref: str | None = None

    @property
    def responded(self) -> bool:
        return any(status in GIVEN for status, _ in self.answers.values())


def _row(p: ParticipationShape) -> _Row:
    return _Row(
        p.id,
        p.person_id,
        p.unit_id,
        p.unit.name,
        p.person.name if p.person else "",
        p.person.chat_id if p.person else "",
        is_finished(p.status),
        {a.question_key: (a.status, a.text) for a in p.answers},
        p.status == ABSENT,
        p.thread_ref,
    )


@dataclass
class _Node:
    unit: UnitShape
    depth: int
    children: list[_Node] = field(default_factory=list)
    own: list[_Row] = field(default_factory=list)
    units: set[int] = field(default_factory=set)
    responded_units: set[int] = field(default_factory=set)
    count: int = 0
    responded_people: int = 0
    answered: dict[str, int] = field(default_factory=dict)

    def walk(self) -> list[_Node]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def _build_tree(
    tree: OrgTree[Any], rows: Sequence[_Row], units: dict[int, UnitShape]
) -> list[_Node]:
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
    for row in rows:
        nodes[row.unit_id].own.append(row)
    for node in nodes.values():
        node.children.sort(key=lambda n: sort_key(n.unit.name))
        node.own.sort(key=lambda r: sort_key(r.person_name))
    roots.sort(key=lambda n: sort_key(n.unit.name))
    return roots


def _aggregate(order: list[_Node], question_keys: list[str]) -> None:
    """Fill each node's roll-up (units, responders, answers per question) bottom-up."""
    for node in reversed(order):
        node.count = len(node.own)
        node.responded_people = sum(1 for row in node.own if row.responded)
        node.answered = dict.fromkeys(question_keys, 0)
        for row in node.own:
            node.units.add(row.unit_id)
            if row.responded:
                node.responded_units.add(row.unit_id)
            for key, (status, _text) in row.answers.items():
                if status == "answered" and key in node.answered:
                    node.answered[key] += 1
        for child in node.children:
            node.units |= child.units
            node.responded_units |= child.responded_units
            node.count += child.count
            node.responded_people += child.responded_people
            for key, n in child.answered.items():
                node.answered[key] += n


def build_summary(
    info: RoundInfo,
    template: DialogTemplate,
    participations: Sequence[ParticipationShape],
    tree: OrgTree[Any],
    level_names: dict[str, str],
) -> RoundSummary:
    """Build a :class:`RoundSummary` (pure: no database access beyond loaded objects)."""
    rows = [_row(p) for p in participations]
    roots = _build_tree(tree, rows, {p.unit_id: p.unit for p in participations})
    order = [n for r in roots for n in r.walk()]
    _aggregate(order, [q.key for q in template.questions])
    anonymous = info.anonymous

    def level(u: UnitShape) -> str:
        return level_names.get(u.level_key, u.level_key)

    if anonymous:
        return _anonymous_summary(info, template, rows, roots, order, tree, level_names)
    rates = [
        UnitRate(
            n.depth,
            n.unit.name,
            level(n.unit),
            len(n.responded_units),
            len(n.units),
            n.responded_people,
            n.count,
            bool(n.children),
        )
        for n in order
    ]
    questions: list[QuestionSummary] = []
    syntheses: list[Synthesis] = []
    for number, q in enumerate(template.questions, start=1):
        if q.synthesis:
            syntheses.extend(_syntheses(order, q.level, q.text.get(info.lang), q.key, level))
            continue
        entries_of: dict[int, list[AnswerEntry]] = {}
        total_answered = 0
        for node in order:
            entries: list[AnswerEntry] = []
            for row in node.own:
                status, text = row.answers.get(q.key, ("", ""))
                if status not in ("answered", "skipped"):
                    continue
                total_answered += status == "answered"
                entries.append(AnswerEntry(row.unit_name, row.person_name, status, text))
            entries_of[node.unit.id] = entries
        shown = _branches_with_entries(order, entries_of)
        nodes = [
            NodeAnswers(
                node.depth,
                node.unit.name,
                level(node.unit),
                node.answered[q.key],
                node.count,
                entries_of[node.unit.id],
                bool(node.children),
            )
            for node in order
            if node.unit.id in shown
        ]
        questions.append(
            QuestionSummary(number, q.key, q.text.get(info.lang), total_answered, nodes)
        )

    missing = [
        Missing(row.unit_name, row.person_name, row.chat_id, row.absent)
        for node in order
        for row in node.own
        if not row.responded
    ]
    return RoundSummary(
        round=info,
        root_name=roots[0].unit.name if len(roots) == 1 else None,
        participants=len(rows),
        responded=sum(1 for row in rows if row.responded),
        finished=sum(1 for row in rows if row.finished),
        questions=questions,
        rates=rates,
        missing=missing,
        not_responded=len(missing),
        absent=sum(1 for m in missing if m.absent),
        syntheses=syntheses,
        threads=[
            Thread(row.unit_name, row.person_name, row.thread_ref)
            for node in order
            for row in node.own
            if row.thread_ref
        ],
    )


def _branches_with_entries(
    order: list[_Node], entries_of: dict[int, list[AnswerEntry]]
) -> set[int]:
    """The units (ids) that have an answer or a skip to show, themselves or below them."""
    shown: set[int] = set()
    for node in reversed(order):
        if entries_of[node.unit.id] or any(c.unit.id in shown for c in node.children):
            shown.add(node.unit.id)
    return shown


def _syntheses(
    order: list[_Node],
    level_key: str | None,
    question: str,
    question_key: str,
    level: Callable[[UnitShape], str],
) -> list[Synthesis]:
    """The answers to a synthesis question from managers of units at its level."""
    out: list[Synthesis] = []
    for node in order:
        if node.unit.level_key != level_key:
            continue
        for row in node.own:
            status, text = row.answers.get(question_key, ("", ""))
            if status == "answered":
                out.append(
                    Synthesis(
                        node.depth, row.unit_name, level(node.unit), row.person_name, question, text
                    )
                )
    return out


def _anonymous_summary(
    info: RoundInfo,
    template: DialogTemplate,
    rows: Sequence[_Row],
    roots: list[_Node],
    order: list[_Node],
    tree: OrgTree[Any],
    level_names: dict[str, str],
) -> RoundSummary:
    """Answers per question and pool, without names or units; no per-unit rates, and
    non-respondents only counted. Pools are planned from who answered while the round is
    open and from the units the answers were moved to when it closed (idempotent)."""
    k = info.anonymity_k or DEFAULT_ANONYMITY_K
    plan = plan_pools(
        [Respondent(r.participation_id, r.unit_id, r.person_id, r.responded) for r in rows],
        tree,
        k,
    )
    answers = {r.participation_id: r.answers for r in rows}
    respondents = {r.participation_id for r in rows if r.responded}
    units = {n.unit.id: n.unit for n in order}
    units.update({uid: tree.by_id[uid] for uid in plan.pool_of.values() if uid in tree.by_id})
    position = {uid: tuple(u.name for u in tree.path(unit)) for uid, unit in units.items()}
    questions: list[QuestionSummary] = []
    for number, q in enumerate(template.questions, start=1):
        pools = pools_for_question(
            q.key,
            answers,
            plan.pool_of,
            plan.withheld,
            respondents,
            units,
            level_names,
            position,
        )
        answered = sum(len(p.texts) + p.withheld for p in pools)
        questions.append(QuestionSummary(number, q.key, q.text.get(info.lang), answered, [], pools))
    responded = len(respondents)
    return RoundSummary(
        round=info,
        root_name=roots[0].unit.name if len(roots) == 1 else None,
        participants=len(rows),
        responded=responded,
        finished=sum(1 for row in rows if row.finished),
        questions=questions,
        rates=[],
        missing=[],
        not_responded=len(rows) - responded,
        anonymity_k=k,
        absent=sum(1 for r in rows if r.absent and not r.responded),
    )
