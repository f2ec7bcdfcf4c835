"""``dialogbot schedule ical``: the year's rounds as an iCalendar file (bot.schedule.ical)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar, Event

from bot.cli import main
from bot.schedule.config import load_preset
from bot.schedule.plan import plan_reminders, plan_year

# Rounds around the daylight-saving changes of 2027 (28 March and 31 October, 03:00).
DST_SCHEDULE = """\
timezone: Europe/Stockholm
send_hour: 9
deadline_hour: 17
reminders: [2d]
rounds:
  - key: vinter-till-sommar
    template: avstamning
    name: "Avstämning över vårens tidsomställning"
    answering_level: enhet
    receiving_level: avdelning
    rrule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=24"
    deadline: 6d
  - key: sommar-till-vinter
    template: planering
    name: "Planering över höstens tidsomställning"
    answering_level: avdelning
    receiving_level: forvaltning
    rrule: "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=29"
    deadline: 4d
"""


def _ical(tmp_path: Path, name: str, *source: str, workspace: str = "T0KOMMUN") -> Calendar:
    out = tmp_path / name
    args = ["--workspace", workspace, "schedule", "ical", "--year", "2027", "-o", str(out)]
    assert main([*args, *(source or ("--preset",))]) == 0
    return Calendar.from_ical(out.read_bytes())


def _events(calendar: Calendar) -> list[Event]:
    return [event for event in calendar.walk("VEVENT") if isinstance(event, Event)]


def test_every_start_reminder_and_deadline_round_trips(tmp_path: Path) -> None:
    calendar = _ical(tmp_path, "arshjul.ics")
    schedule = load_preset()
    rounds = plan_year(schedule, 2027)
    expected = sum(2 + len(plan_reminders(schedule, r)) for r in rounds)
    events = _events(calendar)
    assert len(events) == expected == 50
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"
    may = next(r for r in rounds if r.key == "avstamning-t1")
    starts = [e for e in events if e["SUMMARY"] == f"Start: {may.name}"]
    assert [e.decoded("DTSTART") for e in starts] == [may.starts_at]
    deadline = next(e for e in events if e["SUMMARY"] == f"Svar senast: {may.name}")
    assert deadline.decoded("DTEND") == may.deadline_at
    assert str(deadline["DTEND"].params["TZID"]) == "Europe/Stockholm"
    assert "Förvaltning → nämnd" in str(deadline["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_dst_weeks_have_the_right_utc_offsets(tmp_path: Path) -> None:
    schedule = tmp_path / "dst.yaml"
    schedule.write_text(DST_SCHEDULE, encoding="utf-8")
    events = _events(_ical(tmp_path, "dst.ics", "--file", str(schedule)))
    by_summary = {str(e["SUMMARY"]): e for e in events}

    spring = by_summary["Start: Avstämning över vårens tidsomställning"].decoded("DTSTART")
    assert spring.utcoffset() == timedelta(hours=1)  # Wed 24 March: winter time
    assert spring.astimezone(UTC) == datetime(2027, 3, 24, 8, tzinfo=UTC)
    spring_due = by_summary["Svar senast: Avstämning över vårens tidsomställning"].decoded("DTEND")
    assert spring_due.utcoffset() == timedelta(hours=2)  # Tue 30 March: summer time
    assert spring_due.astimezone(UTC) == datetime(2027, 3, 30, 15, tzinfo=UTC)

    autumn = by_summary["Start: Planering över höstens tidsomställning"].decoded("DTSTART")
    assert autumn.utcoffset() == timedelta(hours=2)  # Fri 29 October: summer time
    assert autumn.astimezone(UTC) == datetime(2027, 10, 29, 7, tzinfo=UTC)
    autumn_due = by_summary["Svar senast: Planering över höstens tidsomställning"].decoded("DTEND")
    assert autumn_due.utcoffset() == timedelta(hours=1)  # Tue 2 November: winter time
    assert autumn_due.astimezone(UTC) == datetime(2027, 11, 2, 16, tzinfo=UTC)

    # The VTIMEZONE carries both 2027 transitions, so a client without tz data gets them right.
    zone = _ical(tmp_path, "dst2.ics", "--file", str(schedule)).walk("VTIMEZONE")[0]
    text = zone.to_ical().decode()
    assert "20270328T030000" in text and "20271031T030000" in text


def test_uids_are_stable_across_runs_and_differ_per_workspace(tmp_path: Path) -> None:
    first = [str(e["UID"]) for e in _events(_ical(tmp_path, "a.ics"))]
    second = [str(e["UID"]) for e in _events(_ical(tmp_path, "b.ics"))]
    other = [str(e["UID"]) for e in _events(_ical(tmp_path, "c.ics", workspace="T0ANNAN"))]
    assert first == second
    assert not set(first) & set(other)


def test_a_missing_folder_is_a_friendly_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "saknas" / "arshjul.ics"
    assert main(["schedule", "ical", "--preset", "-o", str(out)]) == 2
    assert "Kan inte skriva till" in capsys.readouterr().err
