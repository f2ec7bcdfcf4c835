"""Errors raised while loading or validating an annual schedule.

Each problem is a message key, its parameters and the field it is about, so the
command line renders it in the run's language (:meth:`ScheduleError.messages`);
``str(error)`` is the English rendering, for logs and exceptions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.org_problems import Term
from bot.i18n import t

DOCUMENT = "<document>"
"""The field path of a problem with the file as a whole."""


class ScheduleProblem(ValueError):
    """A value of a schedule is wrong: ``key`` and ``params`` say why (``str()`` in English).

    Raised by the schedule's validators; the loader turns it into a :class:`ScheduleIssue`.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params: dict[str, object] = params
        super().__init__(render_message("en", key, params))


def render_message(lang: str, key: str, params: Mapping[str, object]) -> str:
    """The message ``key`` in ``lang``; parameters that are :class:`Term` are translated too."""
    values = {
        name: render_message(lang, value.key, value.params) if isinstance(value, Term) else value
        for name, value in params.items()
    }
    return t(lang, key, **values)


@dataclass(frozen=True)
class ScheduleIssue:
    """One problem found in a schedule file.

    Attributes:
        field: Dotted path of the offending field, e.g. ``rounds[2].rrule``;
            ``<document>`` when the file as a whole is at fault.
        key: The message key saying what was wrong and what was expected instead.
        params: The message's parameters.
    """

    field: str
    key: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def render(self, lang: str) -> str:
        """What was wrong, in ``lang`` (without the field)."""
        return render_message(lang, self.key, self.params)

    def line(self, lang: str) -> str:
        """The field and what was wrong, in ``lang``: "rounds[0].rrule: …"."""
        text = self.render(lang)
        return text if self.field == DOCUMENT else f"{self.field}: {text}"

    @property
    def message(self) -> str:
        """What was wrong, in English."""
        return self.render("en")


class ScheduleError(Exception):
    """A schedule file could not be read or is not a valid annual schedule.

    :meth:`messages` names the file, the field path and what was expected, one
    line per problem, e.g.::

        schedule.yaml: rounds[2].rrule: ogiltig rrule-text 'FREQ=YEARLY;BYMNTH=5': ...

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
            ScheduleIssue(DOCUMENT, "schedule.problem.invalid"),
        )
        super().__init__(self._render("en"))

    @classmethod
    def single(cls, source: str, field: str, key: str, /, **params: object) -> ScheduleError:
        """Build an error with exactly one issue.

        Args:
            source: The file (or other source name) that was being loaded.
            field: Path of the offending field.
            key: The message key of what was wrong and what was expected.
            **params: The message's parameters.

        Returns:
            The error, ready to raise.
        """
        return cls(source, [ScheduleIssue(field, key, params)])

    @property
    def fields(self) -> tuple[str, ...]:
        """The field paths of all issues, in order."""
        return tuple(issue.field for issue in self.issues)

    def messages(self, lang: str) -> list[str]:
        """The problems in ``lang``: one line each, after a header when there are several."""
        lines = [f"{self.source}: {issue.line(lang)}" for issue in self.issues]
        if len(lines) == 1:
            return lines
        header = t(lang, "schedule.problem.header", source=self.source, n=len(lines))
        return [header, *("  " + line for line in lines)]

    def _render(self, lang: str) -> str:
        return "\n".join(self.messages(lang))

    def __str__(self) -> str:
        return self._render("en")
