"""Domain errors of the dialog chain (translated at the edge like every DialogError)."""

from __future__ import annotations

from bot.domain.errors import DialogError


class FollowupNotUnderstood(DialogError):
    """A follow-up reply named no status (klar, pågår or stoppad)."""

    key = "error.followup_status"


class NoActivities(DialogError):
    """There is no list of activities to confirm or correct."""

    key = "error.no_activities"


class NoRoundsForReport(DialogError):
    """A unit had no rounds in the requested year."""

    key = "error.no_rounds_for_report"

    def __init__(self, unit: str, year: int) -> None:
        super().__init__(f"no rounds for {unit} in {year}", unit=unit, year=year)
