"""The scheduler's reminders say how many questions are left and when the deadline is
(the console notifier of ``dialogbot worker``; the Slack notifier is tested through the
fake Web API in tests/test_slack_home_and_messages.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from bot.clock import FixedClock
from bot.schedule.config import load_schedule_text
from bot.schedule.console_notifier import ConsoleNotifier
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services

WS = "local"
SCHEDULE = """
reminders: [7d]
rounds:
  - key: avst
    template: avstamning
    name: "Avstämning"
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
    deadline: 14d
"""


def test_a_scheduled_reminder_says_what_is_left_and_the_deadline(
    services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 5, 1, tzinfo=UTC))
    services.schedule.save(WS, load_schedule_text(SCHEDULE, "s.yaml"), "s.yaml")
    screen = io.StringIO()
    scheduler = Scheduler(services, ConsoleNotifier(Console(file=screen, width=300)), clock=clock)
    clock.set(datetime(2027, 5, 3, 7, tzinfo=UTC))
    scheduler.tick()
    (sofia,) = [
        p
        for r in services.queries.rounds(WS)
        for u in services.queries.status(WS, r.round_id).units
        for p in u.participants
        if p.name == "Sofia Holm"
    ]
    services.answering.reply(WS, sofia.participation_id, "Det går bra", "test:1")

    moment = datetime(2027, 5, 3, 7, tzinfo=UTC)
    while moment < datetime(2027, 5, 11, tzinfo=UTC):
        moment += timedelta(hours=6)
        clock.set(moment)
        scheduler.tick()

    shown = screen.getvalue()
    assert "Påminnelse till Sofia Holm (Socialförvaltningen) om ”Avstämning" in shown
    assert "”: 2 av 3 frågor kvar, sista dag måndag 17 maj 17:00." in shown
    assert "Påminnelse till Ulf Strand (Utbildningsförvaltningen)" in shown
    assert "3 av 3 frågor kvar" in shown
