"""History over many rounds: every answer of a period, and response rates per unit.

The use cases are :class:`bot.services.history.HistoryReports` (``services.history``): each
reads through :mod:`storage.history` in one unit of work and hands the rows to the pure
builders here, which return plain data for the exports and the command line.

Anonymity: in anonymous rounds no person and no answer time is named; the answers are
shown under their pool (the lowest unit with at least ``k`` respondents, as in the round's
summary: "Sammanslaget: Äldreomsorg") and sorted by text, and answers of fewer than ``k``
respondents are left out. Response rates give such a round's total only, and activities
named in it count under their pool once it has closed. Filtering by unit leaves anonymous
rounds out, since the filter itself would single the unit out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.anonymity import DEFAULT_ANONYMITY_K, Respondent, plan_pools
from bot.domain.collation import sort_key
from bot.domain.org_tree import OrgTree
from bot.domain.templates import DialogTemplate
from bot.i18n import DEFAULT_TZ, t
from bot.schedule.render import phase_name
from storage import history as queries
from storage.models import Unit


@dataclass(frozen=True)
class HistoryRound:
    """A round in the history.

    Attributes:
        round_id: The round's id.
        title: Its title.
        phase: The phase's display name (``avstämning``).
        template: The template key.
        started: When it started (local, aware).
        anonymous: Whether its answers are anonymous.
    """

    round_id: int
    title: str
    phase: str
    template: str
    started: datetime
    anonymous: bool


@dataclass(frozen=True)
class HistoryRow:
    """One answer in the history.

    Attributes:
        round: The round.
        unit: The unit's name ("Sammanslaget: <pool's unit>" in anonymous rounds).
        level: The unit's level (the pool's level in anonymous rounds).
        person: The manager who answered ("" in anonymous rounds or once erased).
        question_number: The question's number in the template (1-based).
        question: The question's text.
        answer: The answer as it was typed.
        answered_at: When it was last changed (local, aware); None in anonymous rounds.
    """

    round: HistoryRound
    unit: str
    level: str
    person: str
    question_number: int
    question: str
    answer: str
    answered_at: datetime | None


@dataclass(frozen=True)
class History:
    """The answers of a period.

    Attributes:
        rounds: The rounds in the period (after the filters), oldest first.
        rows: Their answers, by round, then unit and question.
        anonymous_left_out: Anonymous rounds left out because a unit filter was given.
    """

    rounds: list[HistoryRound]
    rows: list[HistoryRow]
    anonymous_left_out: int = 0


@dataclass(frozen=True)
class _UnitInfo:
    name: str
    level_key: str


def org_order(tree: OrgTree[Any]) -> list[Unit]:
    """Every unit, top down and depth first (the order of the organisation file)."""
    return [u for root in tree.children.get(None, []) for u in tree.subtree(root)]


def local_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """The aware moments from the start of local day ``start`` to the end of ``end``."""
    zone = ZoneInfo(tz)
    return (
        datetime.combine(start, time(), zone),
        datetime.combine(end + timedelta(days=1), time(), zone),
    )


def _round(
    row: queries.RoundRow, template: DialogTemplate, lang: str, zone: ZoneInfo
) -> HistoryRound:
    return HistoryRound(
        round_id=row.round_id,
        title=row.title,
        phase=phase_name(template.phase, lang),
        template=row.template_key,
        started=row.created_at.astimezone(zone),
        anonymous=row.anonymous,
    )


def shown_rounds(
    round_rows: list[queries.RoundRow], unit_ids: set[int] | None
) -> list[queries.RoundRow]:
    """The rounds a history shows: filtering by unit leaves anonymous rounds out, since
    the filter itself would single the unit out."""
    return round_rows if unit_ids is None else [r for r in round_rows if not r.anonymous]


def build_answer_history(
    tree: OrgTree[Any],
    level_names: dict[str, str],
    round_rows: list[queries.RoundRow],
    answers: list[queries.AnswerRow],
    participations: list[queries.ParticipationRow],
    unit_ids: set[int] | None,
    lang: str = "sv",
    tz: str = DEFAULT_TZ,
) -> History:
    """The history of a period from its rows (pure).

    Args:
        tree: The workspace's organisation.
        level_names: Level names by key.
        round_rows: The rounds started in the period (anonymous ones included).
        answers: The answers of the rounds shown (see :func:`shown_rounds`).
        participations: The participations of the anonymous rounds shown.
        unit_ids: The units the history is filtered to (None: all).
        lang: Language of question texts.
        tz: Time zone of the answer times.

    Returns:
        The rounds and their answers.
    """
    zone = ZoneInfo(tz)
    left_out = sum(r.anonymous for r in round_rows) if unit_ids is not None else 0
    round_rows = shown_rounds(round_rows, unit_ids)
    units = {u.id: _UnitInfo(u.name, u.level_key) for u in tree.by_id.values()}
    position = {u.id: n for n, u in enumerate(org_order(tree))}
    pools = {
        r.round_id: plan_pools(
            [
                Respondent(p.participation_id, p.unit_id, p.person_id, p.responded)
                for p in participations
                if p.round_id == r.round_id
            ],
            tree,
            r.anonymity_k or DEFAULT_ANONYMITY_K,
        )
        for r in round_rows
        if r.anonymous
    }

    by_round: dict[int, list[queries.AnswerRow]] = defaultdict(list)
    for answer in answers:
        by_round[answer.round_id].append(answer)
    rounds: list[HistoryRound] = []
    rows: list[HistoryRow] = []
    for round_row in round_rows:
        snapshot = DialogTemplate.model_validate(round_row.template_body)
        info = _round(round_row, snapshot, lang, zone)
        rounds.append(info)
        numbers = {q.key: (n, q.text.get(lang)) for n, q in enumerate(snapshot.questions, 1)}
        own = [a for a in by_round[round_row.round_id] if a.question_key in numbers]
        if round_row.anonymous:
            plan = pools[round_row.round_id]
            shown = [
                (plan.pool_of[a.participation_id], a)
                for a in own
                if a.participation_id in plan.pool_of and a.participation_id not in plan.withheld
            ]
            shown.sort(
                key=lambda pa: (
                    numbers[pa[1].question_key][0],
                    position.get(pa[0], 0),
                    sort_key(pa[1].text),
                    pa[1].text,
                )
            )
            for pool_id, a in shown:
                pool = units[pool_id]
                level = level_names.get(pool.level_key, pool.level_key)
                pooled = t(lang, "history.pooled", unit=pool.name)
                rows.append(
                    HistoryRow(info, pooled, level, "", *numbers[a.question_key], a.text, None)
                )
            continue
        own.sort(key=lambda a: (sort_key(units[a.unit_id].name), numbers[a.question_key][0]))
        for a in own:
            answered_unit = units[a.unit_id]
            rows.append(
                HistoryRow(
                    info,
                    answered_unit.name,
                    level_names.get(answered_unit.level_key, answered_unit.level_key),
                    a.person_name or "",
                    *numbers[a.question_key],
                    a.text,
                    a.answered_at.astimezone(zone),
                )
            )
    return History(rounds, rows, left_out)


@dataclass(frozen=True)
class RateCell:
    """One unit's response in one round.

    Attributes:
        finished: Participations (managers) of the unit that finished answering
            (always 0 when ``hidden``).
        participants: Participations of the unit in the round (always 0 when
            ``hidden``: no figure of a single unit is given for an anonymous round).
        hidden: The round is anonymous: the unit was asked, but whether it answered
            is not shown.
    """

    finished: int
    participants: int
    hidden: bool = False

    @property
    def rate(self) -> float:
        """The share that finished, 0.0 to 1.0."""
        return self.finished / self.participants if self.participants else 0.0


@dataclass(frozen=True)
class RateTable:
    """Response rates of a year: units (rows) × rounds (columns).

    Attributes:
        year: The year.
        rounds: The rounds started in the year, oldest first.
        units: Names of the units that took part in any of them, in organisation order.
        cells: ``cells[u][r]``: unit ``u`` in round ``r``; None when the unit was not
            asked; ``hidden`` when the round is anonymous (then only the total is shown).
        totals: The whole round's response, one per round.
    """

    year: int
    rounds: list[HistoryRound]
    units: list[str]
    cells: list[list[RateCell | None]]
    totals: list[RateCell]


def build_rate_table(
    year: int,
    order: list[tuple[int, str]],
    round_rows: list[queries.RoundRow],
    participations: list[queries.ParticipationRow],
    lang: str = "sv",
    tz: str = DEFAULT_TZ,
) -> RateTable:
    """The response rates of a year from its rows (pure).

    In anonymous rounds the per-unit cells stay empty and only the round's total is
    given, as in the round's own summary (a unit with one manager would otherwise
    show whether that person answered).

    Args:
        year: The calendar year.
        order: Every unit as ``(id, name)`` in organisation order.
        round_rows: The rounds started in the year.
        participations: Their participations.
        lang: Language of the phase names.
        tz: Time zone of the start times.

    Returns:
        The table.
    """
    zone = ZoneInfo(tz)
    rounds = [
        _round(r, DialogTemplate.model_validate(r.template_body), lang, zone) for r in round_rows
    ]
    column = {info.round_id: index for index, info in enumerate(rounds)}
    anonymous = {r.round_id for r in round_rows if r.anonymous}
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    invited: dict[int, set[int]] = {r.round_id: set(r.invited_unit_ids or ()) for r in round_rows}
    totals = [[0, 0] for _ in rounds]
    unlisted = {r.round_id for r in round_rows if r.anonymous and not r.invited_unit_ids}
    for p in participations:
        totals[column[p.round_id]][0] += p.finished
        totals[column[p.round_id]][1] += 1
        if p.round_id in anonymous:
            # A closed anonymous round's participations sit at their pools, not at units;
            # only rounds started before the invited units were kept fall back on them.
            if p.round_id in unlisted:
                invited[p.round_id].add(p.unit_id)
            continue
        tally = counts[(p.unit_id, p.round_id)]
        tally[0] += p.finished
        tally[1] += 1
        invited[p.round_id].add(p.unit_id)
    taking_part = {unit_id for ids in invited.values() for unit_id in ids}
    units = [(unit_id, name) for unit_id, name in order if unit_id in taking_part]

    def cell(unit_id: int, info: HistoryRound) -> RateCell | None:
        if unit_id not in invited[info.round_id]:
            return None
        if info.anonymous:
            return RateCell(0, 0, hidden=True)
        finished, participants = counts[(unit_id, info.round_id)]
        return RateCell(finished, participants)

    cells = [[cell(unit_id, info) for info in rounds] for unit_id, _ in units]
    return RateTable(
        year,
        rounds,
        [name for _, name in units],
        cells,
        [RateCell(total[0], total[1]) for total in totals],
    )


ACTIVITY_GROUPS: tuple[str, ...] = ("planned", "in_progress", "done", "stopped")
"""How activities are counted: planned (proposed or open, not started), ongoing, done, stopped."""

_GROUP_OF_STATUS = {
    "proposed": "planned",
    "open": "planned",
    "in_progress": "in_progress",
    "done": "done",
    "stopped": "stopped",
}
_CLOSED = ("done", "stopped")


@dataclass(frozen=True)
class ActivityCounts:
    """Activities of one unit (or of all) in a year, by status at the end of the year.

    Attributes:
        name: The unit's name (or "total").
        counts: Number of activities per group of :data:`ACTIVITY_GROUPS`.
    """

    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All activities counted."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class ActivityOverview:
    """Activities over a year, per unit and in total.

    Attributes:
        year: The year.
        units: One entry per unit that had activities, in organisation order, each
            followed by the pool of anonymous rounds at that unit, if any.
        total: All of them together.
    """

    year: int
    units: list[ActivityCounts]
    total: ActivityCounts


def build_activity_overview(
    year: int,
    order: list[tuple[int, str]],
    changes: list[queries.ActivityStatusRow],
    lower: datetime,
    lang: str = "sv",
) -> ActivityOverview:
    """The activity counts of a year from the status changes up to its end (pure).

    An activity counts in a year when it existed before the year ended and was not
    already done or stopped when the year began (``lower``); it is counted under its
    status at the end of the year (or now, for the current year), taken from its
    history. Activities named in an anonymous round belong to its pool: they are
    counted in a row of their own ("Sammanslaget: Äldreomsorg") once the round has
    closed, never under a unit.

    Args:
        year: The calendar year.
        order: The units counted as ``(id, name)``, in organisation order.
        changes: Every status change before the end of the year.
        lower: The start of the year.
        lang: Language of the "total" label.

    Returns:
        The counts per unit and in total.
    """
    at_start: dict[int, str] = {}
    at_end: dict[int, tuple[tuple[int, bool], str]] = {}
    for change in changes:
        if change.anonymous and change.round_open:
            continue  # not yet moved to its pool: it would point at the unit
        if change.at < lower:
            at_start[change.activity_id] = change.status
        at_end[change.activity_id] = ((change.unit_id, change.anonymous), change.status)
    counts: dict[tuple[int, bool], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(ACTIVITY_GROUPS, 0)
    )
    for activity_id, (owner, status) in at_end.items():
        if at_start.get(activity_id) in _CLOSED or status not in _GROUP_OF_STATUS:
            continue
        counts[owner][_GROUP_OF_STATUS[status]] += 1
    units = [
        ActivityCounts(t(lang, "history.pooled", unit=name) if pooled else name, counts[key])
        for uid, name in order
        for pooled in (False, True)
        if (key := (uid, pooled)) in counts
    ]
    total = {group: sum(u.counts[group] for u in units) for group in ACTIVITY_GROUPS}
    return ActivityOverview(year, units, ActivityCounts(t(lang, "history.rates.total"), total))
