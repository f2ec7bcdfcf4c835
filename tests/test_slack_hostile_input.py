"""Poison input through signed Slack requests: control characters and lone surrogates in
a reply are cleaned once in the engine and answered 200 (never a 500 that Slack keeps
redelivering); absurd round numbers get a friendly reply."""

from __future__ import annotations

from datetime import UTC, datetime

from fakes.signing import DEFAULT_TEAM_ID, message_event, next_ts
from support.scheduler import store_broken
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, SlackHarness, texts

from bot.clock import FixedClock
from bot.schedule.scheduler import Scheduler
from bot.slack.app import build_notifier
from bot.wiring import Runtime

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'


def _anna(slack: SlackHarness) -> int:
    for unit in slack.services.queries.status(DEFAULT_TEAM_ID, 1).units:
        for participant in unit.participants:
            if participant.chat_id == ANNA:
                return participant.participation_id
    raise AssertionError(ANNA)


def test_a_reply_with_nul_and_lone_surrogates_is_stored_cleaned_and_answered(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    event = message_event(
        text="Budget\x00en\x07 håller\ud800\r\nväl",
        user=ANNA,
        channel=CHANNEL,
        ts=next_ts(),
        thread_ts=thread,
    )
    first = slack.event(event)
    again = slack.event(event, retry=1)  # Slack's redelivery changes nothing

    assert (first.status, again.status) == (200, 200)
    answers = slack.services.queries.answers_of(DEFAULT_TEAM_ID, _anna(slack))
    assert list(answers.values()) == ["Budgeten håller\nväl"]
    assert "Fråga 2 av 3" in texts(slack.posts(CHANNEL, thread))[-1]


def test_a_reply_of_only_control_characters_is_refused_with_a_reply(slack: SlackHarness) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    reply = slack.event(
        message_event(text="\x00\x00\x1b", user=ANNA, channel=CHANNEL, thread_ts=thread)
    )

    assert reply.status == 200
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, _anna(slack)) == {}
    told = [c.args.get("text") for c in slack.fake.delivered("chat.postEphemeral")]
    told += texts(slack.posts(CHANNEL, thread))[1:]
    assert any("tomt" in str(text).lower() or "empty" in str(text).lower() for text in told)


def test_a_round_number_out_of_range_gets_a_friendly_reply(slack: SlackHarness) -> None:
    slack.command(START)
    for command in ("status 99999999999999999999", "stäng 99999999999999999999"):
        reply = slack.command(command)
        assert reply.status == 200
        assert "Ogiltigt rundnummer '99999999999999999999'" in slack.responses()[-1]
    assert slack.services.queries.round_info(DEFAULT_TEAM_ID, 1).status == "open"


def test_process_support_gets_a_direct_message_when_the_schedule_cannot_be_planned(
    slack: SlackHarness, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 5, 1, tzinfo=UTC))
    store_broken(slack.services, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", DEFAULT_TEAM_ID)
    notifier = build_notifier(slack.config, Runtime(slack.db, slack.services))
    scheduler = Scheduler(slack.services, notifier, clock=clock)

    scheduler.tick()
    scheduler.tick()

    dms = texts([c for c in slack.posts() if c.args.get("channel") == PROCESS_SUPPORT])
    assert len(dms) == 1
    assert "Årsschemat för den här arbetsytan kunde inte planeras" in dms[0]
    assert "regeln inträffar aldrig under något år" in dms[0]
    assert "never occurs" not in dms[0]
