"""The årshjul as an iCalendar file, for Outlook, Google Calendar and the like.

:func:`year_calendar` turns a planned year into a ``VCALENDAR`` with one event for each
round's start, each reminder and each deadline, in the schedule's time zone with a
``VTIMEZONE`` (so daylight saving is right in every client). Every event's ``UID`` is
derived from the workspace, the round's key in the schedule, the occurrence and the kind
of event, so importing next week's file again updates the events instead of duplicating
them. Written with the ``icalendar`` library.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, Timezone

from bot.schedule.config import AnnualSchedule
from bot.schedule.plan import PlannedReminder, PlannedRound, plan_reminders, plan_year
from bot.schedule.render import level_name

PRODID = "-//Dialogbot//Årshjul//SV"
"""The ``PRODID`` of files written here."""

_UID_NAMESPACE = uuid.UUID("5b0f1c52-6a57-4d8e-9a51-1f7c2a0d5e11")
_EVENT_LENGTH = timedelta(minutes=30)

_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "calendar": "Årshjul {year}",
        "start": "Start: {name}",
        "reminder": "Påminnelse ({days} dagar kvar): {name}",
        "deadline_morning": "Sista svarsdag idag: {name}",
        "deadline": "Svar senast: {name}",
        "description": "{levels}. Mall: {template}. Startar {start}, svar senast {deadline}.",
        "anonymous": " Anonyma svar.",
    },
    "en": {
        "calendar": "Annual wheel {year}",
        "start": "Starts: {name}",
        "reminder": "Reminder ({days} days left): {name}",
        "deadline_morning": "Answers due today: {name}",
        "deadline": "Answers due: {name}",
        "description": "{levels}. Template: {template}. Starts {start}, answers due {deadline}.",
        "anonymous": " Anonymous answers.",
    },
}


def event_uid(workspace: str, round_key: str, occurrence_key: str, kind: str) -> str:
    """The stable ``UID`` of one calendar event.

    Args:
        workspace: The workspace the schedule belongs to.
        round_key: The round's key in the schedule.
        occurrence_key: The planned occurrence (:attr:`PlannedRound.occurrence_key`).
        kind: ``"start"``, ``"deadline"`` or a reminder's kind and offset.

    Returns:
        A UUID derived from the four parts, with the ``@dialogbot`` suffix.
    """
    name = "\x1f".join((workspace, round_key, occurrence_key, kind))
    return f"{uuid.uuid5(_UID_NAMESPACE, name)}@dialogbot"


def _event(
    uid: str, summary: str, description: str, start: datetime, end: datetime, stamp: datetime
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def year_calendar(
    schedule: AnnualSchedule,
    year: int,
    workspace: str,
    stamp: datetime,
    lang: str = "sv",
) -> Calendar:
    """Every round of ``year`` as calendar events: start, reminders and deadline.

    Args:
        schedule: The annual schedule.
        year: The year whose rounds (by nominal start) are included.
        workspace: The workspace, part of every event's ``UID``.
        stamp: The ``DTSTAMP`` of the events (when the file was made; aware).
        lang: ``"sv"`` or ``"en"``.

    Returns:
        The calendar, with a ``VTIMEZONE`` for the schedule's time zone.
    """
    text = _TEXT["en" if lang == "en" else "sv"]
    tz = schedule.tz
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", text["calendar"].format(year=year))
    calendar.add("x-wr-timezone", schedule.timezone)
    calendar.add_component(
        Timezone.from_tzid(
            schedule.timezone, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1)
        )
    )
    stamp_utc = stamp.astimezone(UTC)
    for planned in plan_year(schedule, year):
        start = planned.starts_at.astimezone(tz)
        deadline = planned.deadline_at.astimezone(tz)
        description = _description(planned, start, deadline, text, lang)
        calendar.add_component(
            _event(
                event_uid(workspace, planned.key, planned.occurrence_key, "start"),
                text["start"].format(name=planned.name),
                description,
                start,
                start + _EVENT_LENGTH,
                stamp_utc,
            )
        )
        for reminder in plan_reminders(schedule, planned):
            due = reminder.due_at.astimezone(tz)
            calendar.add_component(
                _event(
                    event_uid(
                        workspace,
                        planned.key,
                        planned.occurrence_key,
                        f"{reminder.kind}-{reminder.days_before}d",
                    ),
                    _reminder_summary(planned, reminder, text),
                    description,
                    due,
                    due + _EVENT_LENGTH,
                    stamp_utc,
                )
            )
        calendar.add_component(
            _event(
                event_uid(workspace, planned.key, planned.occurrence_key, "deadline"),
                text["deadline"].format(name=planned.name),
                description,
                deadline - _EVENT_LENGTH,
                deadline,
                stamp_utc,
            )
        )
    return calendar


def _description(
    planned: PlannedRound, start: datetime, deadline: datetime, text: dict[str, str], lang: str
) -> str:
    levels = (
        f"{level_name(planned.answering_level, lang)} → {level_name(planned.receiving_level, lang)}"
    )
    description = text["description"].format(
        levels=levels[0].upper() + levels[1:],
        template=planned.template,
        start=f"{start:%Y-%m-%d %H:%M}",
        deadline=f"{deadline:%Y-%m-%d %H:%M}",
    )
    return description + (text["anonymous"] if planned.anonymous else "")


def _reminder_summary(
    planned: PlannedRound, reminder: PlannedReminder, text: dict[str, str]
) -> str:
    if reminder.kind == "deadline_morning":
        return text["deadline_morning"].format(name=planned.name)
    return text["reminder"].format(days=reminder.days_before, name=planned.name)
