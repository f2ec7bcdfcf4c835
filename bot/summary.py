"""Round summaries: pure data built from a round, rendered with Jinja2 per output format.

The roll-up follows the organisation: answers are grouped under the units they came
from, and every unit above them (enhet → avdelning → förvaltning) shows how many of
the units below it have answered. A branch appears under a question only where someone
in it answered (or skipped) that question; who did not answer at all is listed once, at
the end. A question marked ``synthesis`` (the branch's own "vad säger helheten") is
taken out of the question list and shown per branch before the questions.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.domain.absence import ABSENT
from bot.domain.anonymity import (
    DEFAULT_ANONYMITY_K,
    Pool,
    Respondent,
    plan_pools,
    pools_for_question,
)
from bot.domain.answer_status import GIVEN
from bot.domain.collation import sort_key
from bot.domain.formats import FORMATS
from bot.domain.formats import Format as Format
from bot.domain.org_tree import OrgTree
from bot.domain.results import RoundInfo
from bot.domain.shapes import SummaryRows, UnitShape
from bot.domain.states import is_finished
from bot.domain.templates import DialogTemplate
from bot.escaping import ESCAPERS
from bot.i18n import format_local, t

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.compiler import CodeGenerator


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
    #: Anonymous rounds: the answers per pool, without names or units (``nodes`` is empty).
    pools: list[Pool] = field(default_factory=list)


@dataclass(frozen=True)
class UnitRate:
    """Response rate of one unit in the tree, counting the units below it.

    ``responded``/``total`` count units, ``people_responded``/``people`` managers; a
    branch (``has_children``) totals everything below it.
    """

    depth: int
    unit_name: str
    level_name: str
    responded: int
    total: int
    people_responded: int = 0
    people: int = 0
    has_children: bool = False


@dataclass(frozen=True)
class Synthesis:
    """A branch manager's answer to a synthesis question ("vad säger helheten")."""

    depth: int
    unit_name: str
    level_name: str
    person_name: str
    question: str
    text: str


@dataclass(frozen=True)
class Thread:
    """Where a manager answered (``ref`` as the adapter stored it: for Slack, channel:ts)."""

    unit_name: str
    person_name: str
    ref: str


@dataclass(frozen=True)
class Missing:
    """A participant who has not answered anything."""

    unit_name: str
    person_name: str
    chat_id: str
    #: Away (frånvarande) when the round started and not back: not shamed as "ej svarat".
    absent: bool = False


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
    #: How many have not answered anything (anonymous rounds list no one in ``missing``).
    not_responded: int = 0
    #: Anonymous rounds: texts are shown only for pools of at least this many respondents.
    anonymity_k: int | None = None
    #: How many of ``not_responded`` were absent (the only absence shown in anonymous rounds).
    absent: int = 0
    #: The branches' own syntheses, in organisation order (named rounds only).
    syntheses: list[Synthesis] = field(default_factory=list)
    #: The managers' threads, in organisation order (named rounds only).
    threads: list[Thread] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        """Whether names are hidden."""
        return self.round.anonymous

    @property
    def rate_percent(self) -> int:
        """Share of participants who answered at least one question, in whole percent."""
        return round(100 * self.responded / self.participants) if self.participants else 0


@dataclass(slots=True)
class _Row:
    """One participation as plain values, with its answers by question key."""

    participation_id: int
    person_id: int | None
    unit_id: int
    unit_name: str
    person_name: str
    chat_id: str
    finished: bool
    answers: dict[str, tuple[str, str]]
    responded: bool
    absent: bool
    thread_ref: str | None


def _rows(rows: SummaryRows, units: dict[int, UnitShape]) -> list[_Row]:
    """The participations of ``rows`` in their order, each with its answers (one pass
    over the answers, grouped by participation)."""
    answers_of: dict[int, dict[str, tuple[str, str]]] = {}
    for participation_id, key, status, text in rows.answers:
        answers = answers_of.get(participation_id)
        if answers is None:
            answers = answers_of[participation_id] = {}
        answers[key] = (status, text)
    out: list[_Row] = []
    for pid, person_id, unit_id, status, thread_ref, person_name, chat_id in rows.participations:
        answers = answers_of.get(pid) or {}
        out.append(
            _Row(
                pid,
                person_id,
                unit_id,
                units[unit_id].name,
                person_name or "",
                chat_id or "",
                is_finished(status),
                answers,
                any(given in GIVEN for given, _ in answers.values()),
                status == ABSENT,
                thread_ref,
            )
        )
    return out


@dataclass
class _Node:
    unit: UnitShape
    depth: int
    children: list[_Node] = field(default_factory=list)
    own: list[_Row] = field(default_factory=list)
    #: Units in the subtree with a participant, and with one who responded: each unit is
    #: one node, so counting nodes counts distinct units.
    units: int = 0
    responded_units: int = 0
    count: int = 0
    responded_people: int = 0
    answered: dict[str, int] = field(default_factory=dict)

    def walk(self) -> list[_Node]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def _paths(tree: OrgTree[Any], units: Iterable[UnitShape]) -> list[list[UnitShape]]:
    """``tree.path(unit)`` of each unit, the path above a unit computed once per parent
    (many units share one). A cycle raises as in :meth:`OrgTree.path`: the walk from the
    parent comes back to it."""
    above: dict[int | None, list[UnitShape]] = {}
    out: list[list[UnitShape]] = []
    for unit in units:
        parent_id = unit.parent_id
        prefix = above.get(parent_id)
        if prefix is None:
            parent = tree.by_id.get(parent_id) if parent_id else None
            prefix = above[parent_id] = tree.path(parent) if parent is not None else []
        out.append([*prefix, unit])
    return out


def _common_prefix(paths: Sequence[list[UnitShape]]) -> list[UnitShape]:
    """The path to the lowest common ancestor (as :meth:`OrgTree.common_root`)."""
    if not paths:
        return []
    prefix = paths[0]
    for p in paths[1:]:
        n = 0
        limit = min(len(prefix), len(p))
        while n < limit and prefix[n].id == p[n].id:
            n += 1
        if n < len(prefix):
            prefix = prefix[:n]
            if not prefix:
                break
    return prefix


def _build_tree(tree: OrgTree[Any], rows: Sequence[_Row], units: list[UnitShape]) -> list[_Node]:
    paths = _paths(tree, units)
    root_path = _common_prefix(paths)
    nodes: dict[int, _Node] = {}
    roots: list[_Node] = []
    base_depth = len(root_path) - 1 if root_path else 0
    for full in paths:
        path = full[base_depth:] if root_path else full
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
        own = node.own
        node.count = len(own)
        node.responded_people = sum(1 for row in own if row.responded)
        node.units = 1 if own else 0
        node.responded_units = 1 if node.responded_people else 0
        answered = node.answered = dict.fromkeys(question_keys, 0)
        for row in own:
            for key, (status, _text) in row.answers.items():
                if status == "answered" and key in answered:
                    answered[key] += 1
        for child in node.children:
            node.units += child.units
            node.responded_units += child.responded_units
            node.count += child.count
            node.responded_people += child.responded_people
            for key, n in child.answered.items():
                answered[key] += n


def build_summary(
    info: RoundInfo,
    template: DialogTemplate,
    rows: SummaryRows,
    level_names: dict[str, str],
) -> RoundSummary:
    """Build a :class:`RoundSummary` from a round's plain rows (pure: no database access).

    Linear in the participants: every lookup is a dict, every name's collation key is
    computed once, and the path of a unit is its parent's (computed once) plus itself."""
    tree: OrgTree[UnitShape] = OrgTree(rows.units)
    by_id = tree.by_id
    participants = _rows(rows, by_id)
    # The units participated in, in the order of their first participation.
    units = [by_id[unit_id] for unit_id in dict.fromkeys(r.unit_id for r in participants)]
    roots = _build_tree(tree, participants, units)
    order = [n for r in roots for n in r.walk()]
    _aggregate(order, [q.key for q in template.questions])

    def level(u: UnitShape) -> str:
        return level_names.get(u.level_key, u.level_key)

    if info.anonymous:
        return _anonymous_summary(info, template, participants, roots, order, tree, level_names)
    levels = [level(n.unit) for n in order]
    rates = [
        UnitRate(
            n.depth,
            n.unit.name,
            level_name,
            n.responded_units,
            n.units,
            n.responded_people,
            n.count,
            bool(n.children),
        )
        for n, level_name in zip(order, levels, strict=True)
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
                level_name,
                node.answered[q.key],
                node.count,
                entries_of[node.unit.id],
                bool(node.children),
            )
            for node, level_name in zip(order, levels, strict=True)
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
        participants=len(participants),
        responded=sum(1 for row in participants if row.responded),
        finished=sum(1 for row in participants if row.finished),
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


_SEPARATOR = "\x00"
# Texts joined and scanned at a time by :func:`_escape_many`.
_ESCAPE_CHUNK = 4096
_QUOTE_PREFIX: dict[Format, str] = {"md": "> ", "mrkdwn": ">", "text": "    "}
_MARKDOWN_SPECIAL = "\\`*_[]<>#|~!&"
_MRKDWN_SPECIAL = "&<>"
_BROADCAST_AT = re.compile(r"@(?:channel|here|everyone)\b", re.IGNORECASE)


def _positions(joined: str, chars: str) -> list[int]:
    """Where any of ``chars`` occurs in ``joined`` (C-level scans with ``find``)."""
    found: list[int] = []
    for char in chars:
        at = joined.find(char)
        while at != -1:
            found.append(at)
            at = joined.find(char, at + 1)
    return found


def _to_escape(joined: str, fmt: Format) -> list[int]:
    """Positions in ``joined`` where ``fmt``'s escaper changes something: a special
    character, and in mrkdwn an ``@channel``/``@here``/``@everyone``."""
    if fmt == "md":
        return _positions(joined, _MARKDOWN_SPECIAL)
    if fmt == "mrkdwn":
        found = _positions(joined, _MRKDWN_SPECIAL)
        found.extend(at for at in _positions(joined, "@") if _BROADCAST_AT.match(joined, at))
        return found
    return []


def _escape_many(texts: list[str], fmt: Format) -> list[str]:
    """``[escape(t) for t in texts]``, where each text that escaping leaves alone is the
    very same object (and ``texts`` itself when none changes): scans of the joined texts
    find the few that need escaping.

    The escapers work per character (and mrkdwn's ``@here`` up to a word boundary, which a
    NUL separator keeps: it is no word character), so a change in the joined text is a
    change in the one text it falls in. The texts are joined and scanned a chunk at a
    time: a text beyond Latin-1 (an em dash, a typographic quote) widens only its own
    chunk's joined string to 2 or 4 bytes a character, not all of them."""
    if fmt == "text" or not texts:
        return texts
    changed: set[int] = set()
    for first in range(0, len(texts), _ESCAPE_CHUNK):
        chunk = texts[first : first + _ESCAPE_CHUNK]
        positions = _to_escape(_SEPARATOR.join(chunk), fmt)
        if positions:
            starts = list(accumulate((len(text) + 1 for text in chunk), initial=0))
            changed.update(first + bisect_right(starts, at) - 1 for at in positions)
    if not changed:
        return texts
    escape = ESCAPERS[fmt]
    out = list(texts)
    for index in changed:
        out[index] = escape(texts[index])
    return out


# Light stand-ins for the small dataclasses (same attribute names), only for rendering, and
# only where a text changed on escaping: a named tuple is built several times faster.


class _EntryView(NamedTuple):
    unit_name: str | None
    person_name: str | None
    status: str
    text: str


class _NodeView(NamedTuple):
    depth: int
    unit_name: str
    level_name: str
    answered: int
    total: int
    entries: list[Any]
    has_children: bool


class _RateView(NamedTuple):
    depth: int
    unit_name: str
    level_name: str
    responded: int
    total: int
    people_responded: int
    people: int
    has_children: bool


class _MissingView(NamedTuple):
    unit_name: str
    person_name: str
    chat_id: str
    absent: bool


def _texts_of(summary: RoundSummary) -> list[str]:
    """Every shown text of ``summary``, in the order :func:`_escaped_summary` reads them
    back (a missing name as an empty text)."""
    texts: list[str] = []
    add = texts.append
    r = summary.round
    add(r.title)
    add(r.template_name)
    add(r.template_key)
    add(r.overarching_question or "")
    for rate in summary.rates:
        add(rate.unit_name)
        add(rate.level_name)
    for syn in summary.syntheses:
        texts.extend((syn.unit_name, syn.level_name, syn.person_name, syn.question, syn.text))
    for m in summary.missing:
        add(m.unit_name)
        add(m.person_name)
    for q in summary.questions:
        add(q.text)
        for pool in q.pools:
            add(pool.unit_name)
            add(pool.level_name)
            texts.extend(pool.texts)
        for node in q.nodes:
            add(node.unit_name)
            add(node.level_name)
            for e in node.entries:
                add(e.unit_name or "")
                add(e.person_name or "")
                add(e.text)
    return texts


def _escaped_summary(summary: RoundSummary, fmt: Format) -> RoundSummary:
    """``summary`` with every shown text escaped for ``fmt``, ready for templates that do
    no escaping of their own.

    Parts whose texts escaping leaves alone are the same objects (usually nearly all:
    without any text to escape it is ``summary`` itself); a changed answer, node, rate or
    missing person becomes a light named tuple with the same attribute names. The result
    is only for rendering."""
    texts = _texts_of(summary)
    escaped = _escape_many(texts, fmt)
    if escaped is texts:
        return summary
    position = 0

    def take(n: int) -> tuple[bool, list[str]]:
        """The next ``n`` escaped texts, and whether any of them changed."""
        nonlocal position
        start, position = position, position + n
        changed = any(escaped[i] is not texts[i] for i in range(start, position))
        return changed, escaped[start:position]

    r = summary.round
    changed, (title, name, key, overarching) = take(4)
    round_ = r
    if changed:
        round_ = replace(
            r,
            title=title,
            template_name=name,
            template_key=key,
            overarching_question=overarching if r.overarching_question is not None else None,
        )
    rates: list[Any] = []
    for rate in summary.rates:
        unit_name, level_name = escaped[position], escaped[position + 1]
        changed = unit_name is not texts[position] or level_name is not texts[position + 1]
        position += 2
        if changed:
            rate = _RateView(  # type: ignore[assignment]
                rate.depth,
                unit_name,
                level_name,
                rate.responded,
                rate.total,
                rate.people_responded,
                rate.people,
                rate.has_children,
            )
        rates.append(rate)
    syntheses = []
    for syn in summary.syntheses:
        changed, (unit_name, level_name, person_name, question, text) = take(5)
        if changed:
            syn = replace(
                syn,
                unit_name=unit_name,
                level_name=level_name,
                person_name=person_name,
                question=question,
                text=text,
            )
        syntheses.append(syn)
    missing: list[Any] = []
    for m in summary.missing:
        unit_name, person_name = escaped[position], escaped[position + 1]
        changed = unit_name is not texts[position] or person_name is not texts[position + 1]
        position += 2
        missing.append(_MissingView(unit_name, person_name, m.chat_id, m.absent) if changed else m)
    questions: list[QuestionSummary] = []
    for q in summary.questions:
        q_changed, (text,) = take(1)
        pools = []
        for pool in q.pools:
            changed, values = take(2 + len(pool.texts))
            if changed:
                pool = replace(pool, unit_name=values[0], level_name=values[1], texts=values[2:])
                q_changed = True
            pools.append(pool)
        nodes: list[Any] = []
        for node in q.nodes:
            unit_name, level_name = escaped[position], escaped[position + 1]
            node_changed = unit_name is not texts[position] or level_name is not texts[position + 1]
            position += 2
            entries: list[Any] = []
            start = position
            position += 3 * len(node.entries)
            for n, e in enumerate(node.entries):
                i = start + 3 * n
                if (
                    escaped[i] is texts[i]
                    and escaped[i + 1] is texts[i + 1]
                    and escaped[i + 2] is texts[i + 2]
                ):
                    entries.append(e)
                    continue
                entries.append(
                    _EntryView(
                        escaped[i] if e.unit_name is not None else None,
                        escaped[i + 1] if e.person_name is not None else None,
                        e.status,
                        escaped[i + 2],
                    )
                )
                node_changed = True
            if node_changed:
                q_changed = True
                node = _NodeView(  # type: ignore[assignment]
                    node.depth,
                    unit_name,
                    level_name,
                    node.answered,
                    node.total,
                    entries,
                    node.has_children,
                )
            nodes.append(node)
        questions.append(replace(q, text=text, pools=pools, nodes=nodes) if q_changed else q)
    assert position == len(texts)
    return replace(
        summary,
        round=round_,
        rates=rates,
        syntheses=syntheses,
        missing=missing,
        questions=questions,
    )


def _quote_filter(prefix: str) -> Callable[[str], str]:
    joiner = "\n" + prefix

    def quote(text: str) -> str:
        return prefix + joiner.join(text.splitlines())

    return quote


@cache
def _environment(fmt: Format) -> Environment:
    """The summary templates for ``fmt``, rendering an :func:`_escaped_summary`.

    Every user text reaches the template escaped already, so there is no ``finalize``;
    what the template itself computes is escaped where it is made (``local``) or is our
    own markup (``t``, ``indent``, ``nest``, ``heading``); numbers need no escaping.
    ``heading`` is a filter, not a global: a global is looked up in the context for
    every node of the roll-up, a filter is bound once per template.
    Jinja is imported by the first summary rendered, not by every importer of this module
    (``serve`` may idle for days without rendering one)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    escape = ESCAPERS[fmt]
    env = Environment(
        loader=PackageLoader("dialog_templates", "summaries"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,
    )
    env.filters["quote"] = _quote_filter(_QUOTE_PREFIX[fmt])
    env.filters["local"] = lambda moment: escape(format_local(moment))
    env.globals["t"] = _translate(escape)
    env.globals["indent"] = lambda depth: "  " * depth
    # A filter is called directly (cheaper than a global); these two are C-level lookups.
    env.filters["pad"] = _Repeated("  ").__getitem__
    # The templates read attributes of our own objects only: straight to the builtin,
    # without Jinja's fallback to item access (a missing attribute raises either way),
    # and in the compiled templates as Python attribute reads (:func:`_direct_attributes`).
    env.getattr = getattr  # type: ignore[method-assign,assignment]
    env.code_generator_class = _direct_attributes()
    # Markdown collapses ordinary spaces: em spaces keep a table cell's nesting visible.
    env.globals["nest"] = lambda depth: "\u2003\u2003" * depth
    env.filters["em_nest"] = _Repeated("\u2003\u2003").__getitem__
    env.filters["trusted"] = str
    env.filters["heading"] = heading
    return env


class _Repeated(dict[int, str]):
    """``unit * n`` by ``n``, each made once: its ``__getitem__`` is a filter the
    templates call without a Python frame (an indent per answer)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def __missing__(self, n: int) -> str:
        value = self[n] = self.unit * n
        return value


@cache
def _direct_attributes() -> type[CodeGenerator]:
    """A Jinja code generator that compiles ``{{ e.text }}`` to the attribute read
    ``(e).text`` instead of a call of ``environment.getattr(e, "text")``: several times
    cheaper, and the same for our objects (a missing attribute raises, an undefined
    value raises as its own ``__getattr__`` does). Names Python cannot read as an
    attribute (a keyword) keep the call."""
    from keyword import iskeyword

    from jinja2 import nodes
    from jinja2.compiler import CodeGenerator, Frame

    class DirectAttributes(CodeGenerator):
        def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
            if self.environment.is_async or iskeyword(node.attr) or not node.attr.isidentifier():
                super().visit_Getattr(node, frame)
                return
            self.write("(")
            self.visit(node.node, frame)
            self.write(f").{node.attr}")

    return DirectAttributes


def heading(depth: int) -> str:
    """The Markdown heading marks of a unit at ``depth`` in the roll-up: ``###`` at the
    top, one more per level below it, at most ``######``."""
    return "#" * (3 + min(depth, 3))


def _translate(escape: Callable[[object], str]) -> Callable[..., str]:
    """The templates' ``t(key, lang, **params)``: texts passed in are escaped already;
    numbers are formatted as they are (escaping leaves their digits alone), anything else
    (None) escaped as its ``str``."""

    def translate(key: str, lang: str, **params: object) -> str:
        for value in params.values():
            if not isinstance(value, str | int):
                params = {k: v if isinstance(v, str) else escape(v) for k, v in params.items()}
                break
        return t(lang, key, **params)

    return translate


@dataclass(frozen=True)
class SummaryParts:
    """A summary in Slack mrkdwn, cut into the parts a Block Kit message shows apart."""

    head: str
    rates: str
    syntheses: str
    questions: list[str]
    missing: str


def summary_parts(summary: RoundSummary) -> SummaryParts:
    """The mrkdwn summary's parts (each escaped, stripped; empty when there is nothing)."""
    escaped = _escaped_summary(summary, "mrkdwn")
    module: Any = (
        _environment("mrkdwn")
        .get_template("summary.mrkdwn.j2")
        .make_module({"s": escaped, "r": escaped.round, "lang": escaped.round.lang})
    )
    return SummaryParts(
        head=str(module.head()).strip(),
        rates=str(module.rates()).strip(),
        syntheses=str(module.syntheses()).strip(),
        questions=[str(module.question(q)).strip() for q in escaped.questions],
        missing=str(module.missing()).strip(),
    )


def render_summary(summary: RoundSummary, fmt: Format = "md") -> str:
    """Render a summary as Markdown (``md``), Slack mrkdwn (``mrkdwn``) or plain ``text``.

    Every text a user typed (and every name) is escaped once for the format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown summary format {fmt!r}; choose one of {', '.join(FORMATS)}")
    escaped = _escaped_summary(summary, fmt)
    template = _environment(fmt).get_template(f"summary.{fmt}.j2")
    return template.render(s=escaped, r=escaped.round, lang=escaped.round.lang)
