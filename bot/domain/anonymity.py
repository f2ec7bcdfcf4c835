"""Anonymous rounds: which answers may be shown together (pools), and what the group is told.

An anonymous round shows answers per question without names or units, pooled at the
lowest level of the organisation that has at least ``k`` respondents (distinct people who
answered anything). Walking the tree bottom-up, the respondents not yet pooled below a
unit are pooled at that unit as soon as they are ``k`` or more. When fewer are left over
and a pool was formed below, they join the smallest such pool, which moves up to the
unit: so every pool has at least ``k`` respondents, and subtracting one pool from another
never isolates fewer than ``k``. Whoever is left at the top (no pool anywhere) is
*withheld*: the group sees how many they are, not what they wrote.

Pure functions: the engine feeds them participations and units and stores the result
when the round closes (see :func:`storage.anonymise.anonymise_round`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.answer_status import GIVEN, AnswerStatus
from bot.domain.collation import sort_key
from bot.domain.org_tree import OrgTree
from bot.domain.pooling import DEFAULT_ANONYMITY_K
from bot.domain.shapes import UnitShape
from bot.i18n import DEFAULT_TZ, t

__all__ = [
    "DEFAULT_ANONYMITY_K",
    "Pool",
    "PoolPlan",
    "Respondent",
    "day_start",
    "notice",
    "plan_pools",
]


@dataclass(frozen=True)
class Respondent:
    """One participation as the pooling sees it."""

    participation_id: int
    unit_id: int
    person: Hashable | None
    responded: bool


@dataclass(frozen=True)
class PoolPlan:
    """Where each participation's answers are pooled.

    ``pool_of`` maps every participation to the unit its answers are shown under (non-
    respondents to the top of the round); ``withheld`` are the participations whose
    answers are only counted.
    """

    pool_of: dict[int, int]
    withheld: frozenset[int]
    top_unit_id: int | None


def plan_pools(rows: Sequence[Respondent], tree: OrgTree[Any], k: int) -> PoolPlan:
    """Pool respondents at the lowest unit with at least ``k`` distinct respondents."""
    units = [tree.by_id[r.unit_id] for r in rows if r.unit_id in tree.by_id]
    if not units:
        return PoolPlan({}, frozenset(), None)
    root_path = tree.common_root(units)
    paths = {u.id: tree.path(u) for u in units}
    top = root_path[-1] if root_path else tree.by_id[min(p[0].id for p in paths.values())]
    children: dict[int, set[int]] = {}
    for path in paths.values():
        start = len(root_path) - 1 if root_path else 0
        trimmed = path[max(start, 0) :]
        for parent, child in pairwise(trimmed):
            children.setdefault(parent.id, set()).add(child.id)
    own: dict[int, list[Respondent]] = {}
    for r in rows:
        if r.responded:
            own.setdefault(r.unit_id, []).append(r)
    pool_of: dict[int, int] = {r.participation_id: top.id for r in rows}
    pools: dict[int, list[Respondent]] = {}

    def people(group: list[Respondent]) -> int:
        return len({r.person if r.person is not None else ("p", r.participation_id) for r in group})

    def walk(unit_id: int) -> tuple[list[Respondent], list[int]]:
        left = list(own.get(unit_id, []))
        below: list[int] = []
        for child in sorted(children.get(unit_id, ())):
            child_left, child_pools = walk(child)
            left.extend(child_left)
            below.extend(child_pools)
        if left and people(left) < k and below:
            # Too few for a pool of their own: join the smallest pool below, moved up here.
            smallest = min(below, key=lambda u: (people(pools[u]), u))
            below.remove(smallest)
            left.extend(pools.pop(smallest))
        if left and people(left) >= k:
            pools[unit_id] = left
            return [], [*below, unit_id]
        return left, below

    roots = [top.id] if root_path else sorted({p[0].id for p in paths.values()})
    leftover: list[Respondent] = []
    for root in roots:
        leftover.extend(walk(root)[0])
    if leftover and not root_path and people(leftover) >= k:
        pools.setdefault(top.id, []).extend(leftover)  # several trees: pooled under ``top``
        leftover = []
    for unit_id, members in pools.items():
        for r in members:
            pool_of[r.participation_id] = unit_id
    return PoolPlan(pool_of, frozenset(r.participation_id for r in leftover), top.id)


@dataclass(frozen=True)
class Pool:
    """The answers to one question from one pool, ready to show."""

    unit_name: str
    level_name: str
    respondents: int
    texts: list[str]
    withheld: int


def sort_texts(texts: Sequence[str]) -> list[str]:
    """Answers in an order that tells nothing about who wrote them or when (by text)."""
    return sorted(texts, key=lambda s: (sort_key(s), s))


def pools_for_question(
    question_key: str,
    answers: dict[int, dict[str, tuple[str, str]]],
    pool_of: dict[int, int],
    withheld: frozenset[int],
    respondents: set[int],
    units: Mapping[int, UnitShape],
    level_names: dict[str, str],
    order: dict[int, tuple[str, ...]],
) -> list[Pool]:
    """The pools of one question: texts sorted by text, withheld answers only counted.

    ``answers`` maps participation id → question key → (status, text).
    """
    texts: dict[int, list[str]] = {}
    hidden: dict[int, int] = {}
    members: dict[int, int] = {}
    for pid in respondents:
        members[pool_of[pid]] = members.get(pool_of[pid], 0) + 1
    for pid, by_key in answers.items():
        status, text = by_key.get(question_key, ("", ""))
        if status not in GIVEN:
            continue
        pool = pool_of[pid]
        if pid in withheld or status == AnswerStatus.WITHHELD:
            hidden[pool] = hidden.get(pool, 0) + 1
        else:
            texts.setdefault(pool, []).append(text)
    out: list[Pool] = []
    for unit_id in sorted(set(texts) | set(hidden), key=lambda u: order.get(u, ())):
        unit = units[unit_id]
        out.append(
            Pool(
                unit.name,
                level_names.get(unit.level_key, unit.level_key),
                members.get(unit_id, 0),
                sort_texts(texts.get(unit_id, [])),
                hidden.get(unit_id, 0),
            )
        )
    return out


def notice(lang: str, k: int) -> str:
    """What an anonymous round means, in one paragraph (announcement and invitations)."""
    return t(lang, "anonymity.notice", k=k)


def day_start(moment: datetime | None, tz: str = DEFAULT_TZ) -> datetime | None:
    """``moment`` truncated to the start of its local day (in UTC): a time that cannot be
    matched against chat logs."""
    if moment is None:
        return None
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(0, 0), zone).astimezone(UTC)
