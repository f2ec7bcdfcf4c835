"""Errors raised while loading or validating an annual schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleIssue:
    """One problem found in a schedule file.

    Attributes:
        field: Dotted path of the offending field, e.g. ``rounds[2].rrule``;
            ``<document>`` when the file as a whole is at fault.
        message: What was wrong and what was expected instead.
    """

    field: str
    message: str


class ScheduleError(Exception):
    """A schedule file could not be read or is not a valid annual schedule.

    ``str(error)`` names the file, the field path and what was expected, one
    line per problem, e.g.::

        schedule.yaml: rounds[2].rrule: invalid rrule text 'FREQ=YEARLY;BYMNTH=5': ...

    Attributes:
        source: The file (or other source name) that was being loaded.
        issues: Every problem found, in document order.
    """

    def __init__(self, source: str, issues: Sequence[ScheduleIssue]) -> None:
        """Create the error.

        Args:
            source: The file (or other source name) that was being loaded.
            issues: The problems found; at least one.
        """
        self.source = source
        self.issues: tuple[ScheduleIssue, ...] = tuple(issues) or (
            ScheduleIssue("<document>", "invalid schedule"),
        )
        super().__init__(self._render())

    @classmethod
    def single(cls, source: str, field: str, message: str) -> ScheduleError:
        """Build an error with exactly one issue.

        Args:
            source: The file (or other source name) that was being loaded.
            field: Path of the offending field.
            message: What was wrong and what was expected.

        Returns:
            The error, ready to raise.
        """
        return cls(source, [ScheduleIssue(field, message)])

    @property
    def fields(self) -> tuple[str, ...]:
        """The field paths of all issues, in order."""
        return tuple(issue.field for issue in self.issues)

    def _render(self) -> str:
        lines = [f"{self.source}: {issue.field}: {issue.message}" for issue in self.issues]
        if len(lines) == 1:
            return lines[0]
        header = f"{self.source}: {len(lines)} problems in annual schedule"
        return "\n".join([header, *("  " + line for line in lines)])

    def __str__(self) -> str:
        return self._render()
