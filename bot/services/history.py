"""Use cases over many rounds: the answer history of a period, response rates and activity
counts of a year (pure building in :mod:`bot.history`, queries in :mod:`storage.history`)."""

from __future__ import annotations

from datetime import date

from bot.domain.org_tree import OrgTree
from bot.history import (
    ActivityOverview,
    History,
    RateTable,
    build_activity_overview,
    build_answer_history,
    build_rate_table,
    local_bounds,
    org_order,
    shown_rounds,
)
from bot.i18n import DEFAULT_TZ
from bot.services.kernel import ServiceKernel
from storage.repository import Repository


class HistoryReports:
    """Reads over many rounds of one workspace, each in one unit of work.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def answer_history(
        self,
        workspace: str,
        start: date,
        end: date,
        *,
        unit: str | None = None,
        template: str | None = None,
        lang: str = "sv",
        tz: str = DEFAULT_TZ,
    ) -> History:
        """Every answer of the rounds started between ``start`` and ``end`` (both included).

        Args:
            workspace: The workspace.
            start: First day (local).
            end: Last day (local).
            unit: Only this unit (key or name) and the units below it.
            template: Only rounds of this template (key, any case or accents).
            lang: Language of question texts and level names.
            tz: Time zone of the dates and the answer times.

        Returns:
            The rounds and their answers.

        Raises:
            UnknownUnit: If ``unit`` matches no unit.
            UnknownTemplate: If ``template`` matches no template.
        """
        lower, upper = local_bounds(start, end, tz)
        template_key = self.kernel.catalog.get(template).key if template else None

        def work(repo: Repository) -> History:
            tree = OrgTree(repo.units())
            level_names = {level.key: level.name for level in repo.levels()}
            unit_ids = {u.id for u in tree.subtree(tree.find(unit))} if unit else None
            round_rows = repo.history.rounds_between(lower, upper, template_key)
            shown = shown_rounds(round_rows, unit_ids)
            answers = repo.history.answers_of_rounds([r.round_id for r in shown], unit_ids)
            participations = repo.history.participations_of_rounds(
                [r.round_id for r in shown if r.anonymous]
            )
            return build_answer_history(
                tree, level_names, round_rows, answers, participations, unit_ids, lang, tz
            )

        return self.kernel.read(workspace, work)

    def response_rates(
        self, workspace: str, year: int, *, lang: str = "sv", tz: str = DEFAULT_TZ
    ) -> RateTable:
        """How many of each unit's managers answered, round by round, in ``year``
        (see :func:`bot.history.build_rate_table`).

        Args:
            workspace: The workspace.
            year: The calendar year (local) in which the rounds started.
            lang: Language of the phase names.
            tz: Time zone of the year.

        Returns:
            The table.
        """
        lower, upper = local_bounds(date(year, 1, 1), date(year, 12, 31), tz)

        def work(repo: Repository) -> RateTable:
            tree = OrgTree(repo.units())
            round_rows = repo.history.rounds_between(lower, upper)
            ids = [r.round_id for r in round_rows]
            participations = repo.history.participations_of_rounds(ids)
            order = [(u.id, u.name) for u in org_order(tree)]
            return build_rate_table(year, order, round_rows, participations, lang, tz)

        return self.kernel.read(workspace, work)

    def activity_overview(
        self,
        workspace: str,
        year: int,
        *,
        unit: str | None = None,
        lang: str = "sv",
        tz: str = DEFAULT_TZ,
    ) -> ActivityOverview:
        """How many activities were planned, ongoing, done and stopped in ``year``
        (see :func:`bot.history.build_activity_overview`).

        Args:
            workspace: The workspace.
            year: The calendar year (local).
            unit: Only this unit (key or name) and the units below it.
            lang: Language of the "total" label.
            tz: Time zone of the year.

        Returns:
            The counts per unit and in total.

        Raises:
            UnknownUnit: If ``unit`` matches no unit.
        """
        lower, upper = local_bounds(date(year, 1, 1), date(year, 12, 31), tz)

        def work(repo: Repository) -> ActivityOverview:
            tree = OrgTree(repo.units())
            roots = [tree.find(unit)] if unit else tree.children.get(None, [])
            order = [(u.id, u.name) for root in roots for u in tree.subtree(root)]
            changes = repo.history.activity_statuses_before(upper)
            return build_activity_overview(year, order, changes, lower, lang)

        return self.kernel.read(workspace, work)
