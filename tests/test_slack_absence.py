"""``/dialog frånvaro``: absence and deputies through signed slash commands, with the
fake Slack Web API. The clock stands at Monday 3 May 2027 (conftest)."""

from __future__ import annotations

from datetime import UTC, datetime

from fakes.signing import DEFAULT_TEAM_ID
from support.slack import ANNA, BJORN, CECILIA, CHANNEL, SlackHarness, texts

from bot.clock import FixedClock
from bot.schedule.scheduler import Scheduler
from bot.slack.app import build_notifier
from bot.wiring import Runtime

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'


def test_a_manager_registers_lists_and_removes_an_absence(slack: SlackHarness) -> None:
    slack.command("frånvaro 2027-07-01 2027-08-09 ersättare <@U0ENHHTS|björn>", user=ANNA)
    assert slack.responses(ANNA)[-1] == (
        "Frånvaro registrerad för Anna Andersson: 2027-07-01 – 2027-08-09. "
        "Ersättare: Björn Svensson. Inga påminnelser under tiden."
    )
    # Sent twice (a retried request): still one absence.
    slack.command("frånvaro 2027-07-01 2027-08-09 ersättare <@U0ENHHTS>", user=ANNA)
    slack.command("frånvaro", user=ANNA)
    listing = slack.responses(ANNA)[-1]
    assert "Registrerad frånvaro för Anna Andersson:" in listing
    assert "1. 2027-07-01 – 2027-08-09 (ersättare: Björn Svensson)" in listing
    assert "2." not in listing

    slack.command("frånvaro ta bort 1", user=ANNA)
    assert "2027-07-01 – 2027-08-09 för Anna Andersson är borttagen" in slack.responses(ANNA)[-1]
    slack.command("absence", user=ANNA)
    assert slack.responses(ANNA)[-1].startswith("Ingen frånvaro registrerad för Anna Andersson.")


def test_a_replayed_removal_removes_nothing_more(slack: SlackHarness) -> None:
    slack.command("frånvaro 2027-07-01 2027-08-09", user=ANNA)
    slack.command("frånvaro 2027-10-01 2027-10-05", user=ANNA)
    slack.command("frånvaro ta bort 1", user=ANNA, trigger_id="remove-once")
    slack.command("frånvaro ta bort 1", user=ANNA, trigger_id="remove-once")
    assert slack.responses(ANNA)[-1] == "Den frånvaron är redan borttagen."
    slack.command("frånvaro", user=ANNA)
    assert "1. 2027-10-01 – 2027-10-05" in slack.responses(ANNA)[-1]


def test_bad_absence_input_gets_a_friendly_answer(slack: SlackHarness) -> None:
    slack.command("frånvaro 2027-08-09 2027-07-01", user=ANNA)
    assert "slutar (2027-07-01) före den börjar (2027-08-09)" in slack.responses(ANNA)[-1]
    slack.command("frånvaro 1 juli", user=ANNA)
    assert "Ogiltigt värde" in slack.responses(ANNA)[-1]
    assert "/dialog frånvaro 2027-07-01 2027-08-09" in slack.responses(ANNA)[-1]
    slack.command("frånvaro ta bort 3", user=ANNA)
    assert "ingen frånvaro nummer 3" in slack.responses(ANNA)[-1]
    # A manager cannot register someone else's absence; a process support can.
    slack.command("frånvaro <@U0ENHHTS> 2027-07-01 2027-08-09", user=ANNA)
    assert "bara processtöd och administratörer" in slack.responses(ANNA)[-1]
    slack.command("frånvaro <@U0ENHHTS> 2027-07-01 2027-08-09")
    assert "Frånvaro registrerad för Björn Svensson" in slack.responses()[-1]


def test_a_round_started_during_absence_goes_to_the_deputy_with_a_note(
    slack: SlackHarness,
) -> None:
    slack.command("frånvaro <@U0ENHHTN> 2027-05-01 2027-05-31 ersättare <@U0ENHSOL>")
    slack.command(START)

    intros = [c for c in slack.posts(CHANNEL) if c.args.get("thread_ts") is None]
    assert not any(f"<@{ANNA}>" in text for text in texts(intros))
    cecilia = [text for text in texts(intros) if f"<@{CECILIA}>" in text]
    assert len(cecilia) == 2  # her own Solgården and Hemtjänst Norr for Anna
    note = next(text for text in cecilia if "Hemtjänst Norr" in text)
    assert "ersättare för Hemtjänst Norr i stället för Anna Andersson" in note
    assert "för enhetens och chefens räkning" in note


def test_absent_without_deputy_is_not_reminded_and_frånvarande_in_status_and_summary(
    slack: SlackHarness,
) -> None:
    slack.command("frånvaro <@U0ENHHTN> 2027-05-01 2027-05-31")
    slack.command(START)
    intros = [c for c in slack.posts(CHANNEL) if c.args.get("thread_ts") is None]
    assert not any(f"<@{ANNA}>" in text for text in texts(intros))

    slack.command("påminn 1", trigger_id="remind-1")
    assert "2" in slack.responses()[-1]
    reminded = [c for c in slack.posts(CHANNEL) if c.args.get("thread_ts")]
    assert not any(f"<@{ANNA}>" in text for text in texts(reminded))
    assert any(f"<@{BJORN}>" in text for text in texts(reminded))

    slack.command("status 1")
    status = slack.responses()[-1]
    assert "Frånvarande: Hemtjänst Norr (Anna Andersson)" in status
    missing = next(line for line in status.splitlines() if line.startswith("Ej svarat"))
    assert "Anna" not in missing

    slack.command("stäng 1")
    summary = "\n".join(texts(slack.posts(CHANNEL))[-3:])
    assert "Hemtjänst Norr (Anna Andersson, frånvarande)" in summary
    assert "Hemtjänst Syd (Björn Svensson)" in summary


def test_absence_registered_mid_round_stops_reminders(slack: SlackHarness) -> None:
    slack.command(START)
    slack.command("frånvaro 2027-05-03 2027-05-20", user=ANNA)
    slack.command("påminn 1", trigger_id="remind-2")
    assert slack.responses()[-1].startswith("Påminnelse skickad till 2")
    status = slack.services.queries.status(DEFAULT_TEAM_ID, 1)
    assert [p.status for u in status.units for p in u.participants if p.chat_id == ANNA] == [
        "absent"
    ]


def test_back_before_the_deadline_the_manager_gets_a_thread_with_the_questions(
    slack: SlackHarness, clock: FixedClock
) -> None:
    slack.command("frånvaro <@U0ENHHTN> 2027-05-01 2027-05-05")
    slack.command(START)
    assert not any(f"<@{ANNA}>" in text for text in texts(slack.posts(CHANNEL)))
    scheduler = Scheduler(
        slack.services, build_notifier(slack.config, Runtime(slack.db, slack.services)), clock=clock
    )
    clock.set(datetime(2027, 5, 5, 20, tzinfo=UTC))
    scheduler.tick()
    assert not any(f"<@{ANNA}>" in text for text in texts(slack.posts(CHANNEL)))

    clock.set(datetime(2027, 5, 6, 6, tzinfo=UTC))  # Thursday 08:00, the day after
    scheduler.tick()
    scheduler.tick()  # a second tick sends nothing twice
    anna = slack.thread_of(ANNA)
    in_thread = texts(slack.posts(CHANNEL, anna))
    assert len(in_thread) == 1
    assert "Fråga 1 av 3" in in_thread[0]

    slack.command("status 1")
    assert "Frånvarande" not in slack.responses()[-1]
