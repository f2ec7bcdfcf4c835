"""Use cases behind the documentation of the dialog chain: what a round's export and a
unit's yearly report read (rendering stays in :mod:`bot.chain.export` and
:mod:`bot.chain.report`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chain import activities as chain_activities
from bot.chain.errors import NoRoundsForReport
from bot.domain.org_tree import OrgTree
from bot.domain.results import ActivityView
from bot.domain.templates import DialogTemplate
from bot.i18n import DEFAULT_TZ
from bot.services.kernel import ServiceKernel
from storage.models import Participation
from storage.repository import Repository


@dataclass(frozen=True)
class RoundActivities:
    """What a round's documentation adds to its summary.

    Attributes:
        activities: The activities named in the round.
        followups: Activities followed up in it: (activity, status given, note).
        evaluation_round_id: The round evaluating it, if one was started.
    """

    activities: list[ActivityView]
    followups: list[tuple[ActivityView, str, str]]
    evaluation_round_id: int | None


@dataclass(frozen=True)
class ReportRound:
    """One round a unit took part in, with the unit's answers.

    Attributes:
        round_id: The round.
        title: Its title.
        status: ``open`` or ``closed``.
        anonymous: Whether its answers are anonymous.
        created_at: When it started (UTC).
        external_key: Its idempotency key (``evaluation:…`` for an evaluation).
        template: The template version it started with.
        answers: The unit's answered answers as ``(question key, text)``, by
            participation and answer.
    """

    round_id: int
    title: str
    status: str
    anonymous: bool
    created_at: datetime
    external_key: str | None
    template: DialogTemplate
    answers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class UnitYear:
    """What a unit's yearly report is made of.

    Attributes:
        unit_key: The unit's key.
        unit_name: Its name.
        level_key: Its level.
        rounds: The rounds it took part in that started in the year, oldest first.
        activities: All its activities, oldest first.
    """

    unit_key: str
    unit_name: str
    level_key: str
    rounds: list[ReportRound]
    activities: list[ActivityView]


class Reports:
    """Reads for the documentation of rounds and units.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def round_activities(
        self, workspace: str, round_id: int, evaluation_key: str
    ) -> RoundActivities:
        """A round's activities, follow-ups and the id of the round with
        ``evaluation_key`` (its evaluation), in one read."""

        def work(repo: Repository) -> RoundActivities:
            evaluation = repo.round_by_external_key(evaluation_key)
            return RoundActivities(
                chain_activities.round_activities(repo, round_id),
                chain_activities.followups_in_round(repo, round_id),
                evaluation.id if evaluation is not None else None,
            )

        return self.kernel.read(workspace, work)

    def unit_year(self, workspace: str, unit: str, year: int, tz: str = DEFAULT_TZ) -> UnitYear:
        """The rounds ``unit`` (key or name) took part in during calendar ``year`` (local
        time), with its answers, and all its activities.

        Raises:
            UnknownUnit: If ``unit`` matches no unit.
            NoRoundsForReport: If the unit took part in no round that year.
        """
        zone = ZoneInfo(tz)
        start = datetime(year, 1, 1, tzinfo=zone)
        end = datetime(year + 1, 1, 1, tzinfo=zone)

        def work(repo: Repository) -> UnitYear:
            found = OrgTree(repo.units()).find(unit)
            participations = repo.unit_participations_between(found.id, start, end)
            if not participations:
                raise NoRoundsForReport(found.name, year)
            by_round: dict[int, list[Participation]] = {}
            for p in participations:
                by_round.setdefault(p.round_id, []).append(p)
            rounds = []
            for ps in by_round.values():
                round_ = ps[0].round
                rounds.append(
                    ReportRound(
                        round_id=round_.id,
                        title=round_.title,
                        status=round_.status,
                        anonymous=round_.anonymous,
                        created_at=round_.created_at,
                        external_key=round_.external_key,
                        template=self.kernel.template_of(round_),
                        answers=tuple(
                            (a.question_key, a.text)
                            for p in ps
                            for a in p.answers
                            if a.status == "answered"
                        ),
                    )
                )
            activities = chain_activities.unit_activities(repo, found.id)
            return UnitYear(found.key, found.name, found.level_key, rounds, activities)

        return self.kernel.read(workspace, work)
