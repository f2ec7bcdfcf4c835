"""Structured logs: a whole Slack round logged at DEBUG can be followed by event id from
the incoming event to the stored answer to the posted reply, and contains no answer text
and no secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fakes.signing import DEFAULT_TEAM_ID, message_changed_event, message_event, next_ts
from support.slack import ANNA, CHANNEL, SECRET, TOKEN, SlackHarness

from bot import logs
from bot.cli import main
from bot.clock import FixedClock
from bot.slack.poster import Poster, make_client, message_payload
from storage.outbox import NewPost, OutboxStore

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'
ANSWERS = [
    "Budgeten för hemtjänsten håller kvartalet ut",
    "Personalomsättningen i nattpatrullen oroar mig",
    "Vi vill prova digital tillsyn i Norrby",
]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every log record, as the JSON lines `dialogbot --log-format json -v` writes."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure("json", logging.DEBUG, stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    logs.clear()


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_round_can_be_followed_by_event_id_and_leaks_nothing(
    slack: SlackHarness, captured: io.StringIO
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    first_ts = next_ts()
    slack.event(
        message_event(text=ANSWERS[0], user=ANNA, channel=CHANNEL, ts=first_ts, thread_ts=thread),
        event_id="EvTRACE0001",
    )
    slack.event(
        message_changed_event(
            channel=CHANNEL,
            ts=first_ts,
            text=ANSWERS[1],
            previous_text=ANSWERS[0],
            user=ANNA,
            thread_ts=thread,
        )
    )
    slack.say(ANNA, ANSWERS[2], thread)
    slack.command("stäng")
    # the answers really went out to Slack (the summary quotes them)
    posted = json.dumps([c.args for c in slack.fake.calls()], ensure_ascii=False)
    assert ANSWERS[1] in posted and ANSWERS[2] in posted

    lines = records(captured)
    assert len(lines) > 10
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    raw = captured.getvalue()
    for secret in (*ANSWERS, TOKEN, SECRET, "Budgeten", "nattpatrullen"):
        assert secret not in raw, f"{secret!r} is in the logs"

    trace = [line for line in lines if line.get("event_id") == "EvTRACE0001"]
    loggers = [line["logger"] for line in trace]
    assert loggers.index("bot.slack.observe") < loggers.index("bot.services.kernel")
    assert loggers.index("bot.services.kernel") < loggers.index("bot.slack.poster")
    stored = next(line for line in trace if line["logger"] == "bot.services.kernel")
    assert stored["message"].startswith("answered stored")
    assert stored["workspace"] == DEFAULT_TEAM_ID
    assert stored["round"] == "1"
    reply = next(line for line in trace if line["logger"] == "bot.slack.poster")
    assert reply["participation"] == stored["participation"]
    assert reply["message"].startswith("posted ")


def test_a_post_the_resender_takes_over_is_logged_with_its_round_and_participation(
    slack: SlackHarness, clock: FixedClock, captured: io.StringIO
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    round_id = slack.services.queries.rounds(DEFAULT_TEAM_ID)[0].round_id
    pid = (
        slack.services.queries.status(DEFAULT_TEAM_ID, round_id)
        .units[0]
        .participants[0]
        .participation_id
    )
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    payload = message_payload(CHANNEL, "Glöm inte att svara", thread_ts=thread)
    # Planned (and acknowledged) by a process that died before sending it.
    Poster(store).plan(DEFAULT_TEAM_ID, [NewPost("k:resent", payload, CHANNEL, round_id, pid)])
    clock.advance(timedelta(seconds=45))
    logs.clear()
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    assert Poster(store).resend_due(lambda _ws: client) == 1

    sent = next(
        line
        for line in records(captured)
        if line["logger"] == "bot.slack.poster" and line["message"].startswith("posted k:resent")
    )
    assert sent["workspace"] == DEFAULT_TEAM_ID
    assert sent["round"] == str(round_id)
    assert sent["participation"] == str(pid)
    assert "Glöm inte" not in captured.getvalue()


def test_text_format_carries_the_context_and_blanks_tokens() -> None:
    stream = io.StringIO()
    logs.clear()  # this thread may have handled a request in an earlier test
    handler = logs.configure("text", logging.INFO, stream)
    try:
        with logs.scope(workspace="T1", round=7, participation=42, event_id="Ev1"):
            logging.getLogger("bot.test").info("using xoxb-1234-secret")
        logging.getLogger("slack_sdk.web.base_client").debug("body: %s", "svaret")
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue().strip()
    assert "INFO bot.test: using xoxb-(redacted)" in line
    assert line.endswith("[workspace=T1 round=7 participation=42 event_id=Ev1]")
    assert "svaret" not in stream.getvalue()


def test_the_command_line_chooses_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    level = root.level
    try:
        assert main(["--log-format", "json", "--log-level", "info", "templates", "list"]) == 0
        logging.getLogger("bot.test").info("hej")
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert json.loads(err)["message"] == "hej"
        assert logs.default_format(io.StringIO()) == "json"
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "dialogbot"]:
            root.removeHandler(handler)
        root.setLevel(level)
