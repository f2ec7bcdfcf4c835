"""The "activities over the year" part of the yearly unit report: counts by status."""

from __future__ import annotations

from bot.chain.documents import Block, Paragraph, Table
from bot.history import ACTIVITY_GROUPS
from bot.i18n import DEFAULT_TZ, t
from bot.services.container import Services


def activity_count_blocks(
    services: Services,
    workspace: str,
    unit: str,
    year: int,
    lang: str = "sv",
    tz: str = DEFAULT_TZ,
) -> list[Block]:
    """A table of the unit's (and its sub-units') activities: planned, ongoing, done, stopped.

    Args:
        services: The service layer.
        workspace: The workspace.
        unit: The unit's key.
        year: The calendar year.
        lang: ``"sv"`` or ``"en"``.
        tz: Time zone of the year.

    Returns:
        A short introduction and the table (one row per unit, the total last when
        there are several), or a note that there were none.
    """
    overview = services.history.activity_overview(workspace, year, unit=unit, lang=lang, tz=tz)
    if not overview.units:
        return [Paragraph(t(lang, "history.activities.none", year=year), emphasis=True)]
    rows = [*overview.units, overview.total] if len(overview.units) > 1 else overview.units
    return [
        Paragraph(t(lang, "history.activities.intro")),
        Table(
            (
                t(lang, "history.rates.unit"),
                *(t(lang, f"history.activities.{group}") for group in ACTIVITY_GROUPS),
                t(lang, "history.activities.total"),
            ),
            tuple(
                (row.name, *(str(row.counts[g]) for g in ACTIVITY_GROUPS), str(row.total))
                for row in rows
            ),
        ),
    ]
