"""Nothing lost after an ack: posts are written to the outbox before the ack and a resender
sends what a dead process left; the form is stored before its ack; a DM that could be for
several rounds and a late reply to a closed anonymous round get an answer, not silence."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

import pytest
from fakes import FakeSlack
from fakes.signing import DEFAULT_BOT_USER_ID as BOT
from fakes.signing import DEFAULT_TEAM_ID, message_changed_event, message_event, next_ts
from sqlalchemy import Engine, text
from support.slack import (
    ANNA,
    CHANNEL,
    PROCESS_SUPPORT,
    TOKEN,
    SlackHarness,
    start_form_values,
    texts,
)

from bot.clock import FixedClock
from bot.domain.templates import TemplateCatalog
from bot.services.container import build_services
from bot.slack.app import build_app, start_resender, wsgi_app
from bot.slack.blocks import VIEW_FORM, VIEW_START
from bot.slack.executor import TrackingExecutor
from bot.slack.poster import Poster, make_client, message_payload
from bot.wiring import Runtime
from storage.db import make_engine, make_session_factory
from storage.outbox import Landed, NewPost, OutboxStore

P = ParamSpec("P")
T = TypeVar("T")
QUESTION = re.compile(r"^(Fråga|Question) \d (av|of) \d")
START = 'start avstamning enheter:"Hemtjänst Norr" kanal:<#C0LEDNING|ledning>'


class KilledAfterAck(TrackingExecutor):
    """A process killed right after acknowledging: the work after the ack never runs."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return Future()


def _started(slack: SlackHarness, start: str = START) -> tuple[str, int]:
    slack.command(start)
    thread = slack.thread_of(ANNA)
    round_id = slack.services.queries.rounds(DEFAULT_TEAM_ID)[0].round_id
    participant = slack.services.queries.status(DEFAULT_TEAM_ID, round_id).units[0].participants[0]
    return thread, participant.participation_id


def _questions(slack: SlackHarness, thread: str, channel: str = CHANNEL) -> list[str]:
    return [m.group(0) for t in texts(slack.posts(channel, thread)) if (m := QUESTION.match(t))]


def _kill_after_ack(slack: SlackHarness) -> None:
    dead = KilledAfterAck()
    app = build_app(
        slack.config, Runtime(slack.db, slack.services), executor=dead, token_verification=False
    )
    slack.executor, slack.app, slack.wsgi = dead, app, wsgi_app(app, slack.config.signing_secret)


# The outbox --------------------------------------------------------------------------------


def test_reply_acknowledged_by_a_process_killed_before_posting_gets_its_question_once(
    slack: SlackHarness, clock: FixedClock
) -> None:
    thread, pid = _started(slack)
    _kill_after_ack(slack)
    ts = next_ts()
    event = message_event(text="Det går bra", user=ANNA, channel=CHANNEL, thread_ts=thread, ts=ts)
    assert slack.event(event).status == 200
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {"hur_gar_det": "Det går bra"}
    assert _questions(slack, thread) == ["Fråga 1 av 3"]

    slack.restart()  # Slack got its 200 and never delivers the event again
    stop = start_resender(slack.config, Runtime(slack.db, slack.services), interval_s=0.02)
    try:
        time.sleep(0.2)
        assert _questions(slack, thread) == ["Fråga 1 av 3"]  # the dead process's lease holds
        clock.advance(timedelta(seconds=45))
        slack.fake.wait_for("reactions.add", timeout=5)
        deadline = time.monotonic() + 5
        while len(_questions(slack, thread)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # further passes of the resender post nothing more
    finally:
        stop.set()
    assert _questions(slack, thread) == ["Fråga 1 av 3", "Fråga 2 av 3"]
    reactions = slack.fake.delivered("reactions.add")
    assert [(c.args["timestamp"], c.args["name"]) for c in reactions] == [(ts, "white_check_mark")]


def test_a_later_answer_acknowledged_by_a_killed_process_still_marks_its_question_answered(
    slack: SlackHarness, clock: FixedClock
) -> None:
    """The update of the answered question's message is claimed with the answer, before
    the ack. When the process dies right after the ack, the resender posts the next
    question and, since an update's claim keeps no content, gives the update up and
    refreshes the message from the database: it shows the answer, without buttons."""
    thread, _pid = _started(slack)
    slack.say(ANNA, "Det går bra", thread)
    first = next(c for c in slack.posts(CHANNEL, thread) if QUESTION.match(c.args["text"]))
    _kill_after_ack(slack)
    event = message_event(text="Mycket bra", user=ANNA, channel=CHANNEL, thread_ts=thread)
    assert slack.event(event).status == 200
    slack.restart()
    second = [c for c in slack.posts(CHANNEL, thread) if QUESTION.match(c.args["text"])][1]
    assert slack.fake.delivered("chat.update")[-1].args["ts"] == first.response["ts"]
    stop = start_resender(slack.config, Runtime(slack.db, slack.services), interval_s=0.02)
    try:
        clock.advance(timedelta(seconds=45))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            u.args["ts"] == second.response["ts"] for u in slack.fake.delivered("chat.update")
        ):
            time.sleep(0.02)
        time.sleep(0.2)  # further passes of the resender update nothing more
    finally:
        stop.set()
    [made] = [
        u for u in slack.fake.delivered("chat.update") if u.args["ts"] == second.response["ts"]
    ]
    shown = json.dumps(made.arg_json("blocks"), ensure_ascii=False)
    assert "Mycket bra" in shown and '"actions"' not in shown
    assert _questions(slack, thread) == ["Fråga 1 av 3", "Fråga 2 av 3", "Fråga 3 av 3"]


class DiesBeforeRecording(OutboxStore):
    """An outbox whose process is killed after Slack took a post, before it is recorded."""

    def sent(self, workspace: str, landed: Any) -> None:
        raise RuntimeError("killed")


def test_a_dead_sender_that_had_posted_is_not_posted_again(
    slack: SlackHarness, clock: FixedClock
) -> None:
    thread, _pid = _started(slack)
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)

    dying = Poster(DiesBeforeRecording(slack.services.kernel.session_factory, clock))
    post = NewPost("k:once", message_payload(CHANNEL, "Bara en gång", thread_ts=thread), CHANNEL)
    planned = dying.plan(DEFAULT_TEAM_ID, [post])
    with pytest.raises(RuntimeError):
        dying.send_planned(client, planned)  # posted, then killed before recording it
    clock.advance(timedelta(seconds=45))
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    assert Poster(store).resend_due(lambda _ws: client) == 0
    assert texts(slack.posts(CHANNEL, thread)).count("Bara en gång") == 1
    assert store.status(DEFAULT_TEAM_ID, "k:once") == "sent"


@pytest.mark.parametrize("to", ["channel", "dm"])
def test_a_dead_sender_that_had_opened_a_thread_leaves_one_opening_with_its_replies(
    slack: SlackHarness, clock: FixedClock, to: str
) -> None:
    """A thread opening (top-level) posted by a process killed before it recorded the
    landing is found by the resender in the conversation's history (a manager's DM, posted
    to their user id, by the DM's id from conversations.open): one opening, its reply in
    it, and the outbox knows where the thread is."""
    _started(slack)
    slack.fake.state.ts_base = int(clock.now().timestamp())  # Slack's clock agrees with ours
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)

    dying = Poster(DiesBeforeRecording(slack.services.kernel.session_factory, clock))
    target = CHANNEL if to == "channel" else ANNA
    opening = NewPost("k:open", message_payload(target, "En tråd"), target)
    reply = {**message_payload("", "Första frågan"), "channel": target, "thread_of": "k:open"}
    planned = dying.plan(DEFAULT_TEAM_ID, [opening, NewPost("k:reply", reply, target)])
    with pytest.raises(RuntimeError):
        dying.send_planned(client, planned)  # posted both, then killed before recording
    clock.advance(timedelta(seconds=45))
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    while Poster(store).resend_due(lambda _ws: client):
        pass
    where = CHANNEL if to == "channel" else slack.fake.dm_channel_id(ANNA)
    [opened] = [c for c in slack.posts(where) if texts([c]) == ["En tråd"]]
    thread = str(opened.response["ts"])
    assert texts(slack.posts(where)).count("Första frågan") == 1
    assert texts(slack.posts(where, thread)) == ["Första frågan"]
    assert store.recorded(DEFAULT_TEAM_ID, "k:open") == (where, thread)


def test_a_direct_post_that_finds_its_post_made_records_the_landing(
    slack: SlackHarness, clock: FixedClock
) -> None:
    """A direct post that takes over a row whose sender died after posting finds the post
    and records its landing like any other (through the same bookkeeping that tells the
    engine about threads and question messages), not only the sent mark."""
    thread, _pid = _started(slack)
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)

    dying = Poster(DiesBeforeRecording(slack.services.kernel.session_factory, clock))
    with pytest.raises(RuntimeError):
        dying.post(client, DEFAULT_TEAM_ID, "k:again", channel=CHANNEL, text="En", thread_ts=thread)
    clock.advance(timedelta(seconds=45))
    landed: list[tuple[str, str, str]] = []
    store = OutboxStore(slack.services.kernel.session_factory, clock)

    def bookkeeping(workspace: str, posts: list[Any], _updates: Any) -> dict[int, Any]:
        landed.extend((k, p.channel, p.ts) for k, _payload, p in posts)
        store.sent(workspace, [Landed(k, p.channel, p.ts) for k, _payload, p in posts])
        return {}

    poster = Poster(store, on_landed_many=bookkeeping)
    found = poster.post(
        client, DEFAULT_TEAM_ID, "k:again", channel=CHANNEL, text="En", thread_ts=thread
    )
    assert texts(slack.posts(CHANNEL, thread)).count("En") == 1
    assert found is not None
    assert landed == [("k:again", CHANNEL, found.ts)]
    assert store.status(DEFAULT_TEAM_ID, "k:again") == "sent"


def test_resenders_racing_each_other_send_every_due_post_once(
    slack: SlackHarness, clock: FixedClock
) -> None:
    thread, _pid = _started(slack)
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    posts = [
        NewPost(f"k:{n}", message_payload(CHANNEL, f"Post {n}", thread_ts=thread), CHANNEL)
        for n in range(12)
    ]
    store.plan(DEFAULT_TEAM_ID, posts)  # written, then the writer died
    clock.advance(timedelta(seconds=45))
    workers = [
        threading.Thread(target=Poster(store).resend_due, args=(lambda _ws: client, 5))
        for _ in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    while Poster(store).resend_due(lambda _ws: client):
        pass
    sent = [t for t in texts(slack.posts(CHANNEL, thread)) if t.startswith("Post ")]
    assert sorted(sent) == sorted(f"Post {n}" for n in range(12))


# The form is stored before its ack ----------------------------------------------------------


def _form_values(text: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {"q:hur_gar_det": {"answer": {"type": "plain_text_input", "value": text}}}


def test_form_during_a_database_outage_is_refused_in_the_modal_and_stored_on_retry(
    slack: SlackHarness, catalog: TemplateCatalog, clock: FixedClock
) -> None:
    thread, pid = _started(slack)
    meta = json.dumps({"p": pid})
    working = slack.make_services
    unreachable = make_engine("postgresql://postgres@127.0.0.1:1/test", pool_pre_ping=False)
    slack.make_services = lambda: build_services(make_session_factory(unreachable), catalog, clock)
    slack.restart()
    reply = slack.submit(VIEW_FORM, ANNA, _form_values("Bra"), meta, view_id="V0DOWN")
    assert reply.status == 200
    assert reply.json()["response_action"] == "errors"
    assert "Försök igen" in reply.json()["errors"]["q:hur_gar_det"]

    slack.make_services = working
    slack.restart()
    reply = slack.submit(VIEW_FORM, ANNA, _form_values("Bra"), meta, view_id="V0DOWN")
    assert (reply.status, reply.body) == (200, "")
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {"hur_gar_det": "Bra"}
    assert _questions(slack, thread) == ["Fråga 1 av 3", "Fråga 2 av 3"]


def test_form_for_a_closed_round_is_refused_in_the_modal(slack: SlackHarness) -> None:
    _thread, pid = _started(slack)
    slack.command("stäng 1")
    reply = slack.submit(VIEW_FORM, ANNA, _form_values("Sent svar"), json.dumps({"p": pid}))
    assert reply.json()["response_action"] == "errors"
    assert "stängd" in reply.json()["errors"]["q:hur_gar_det"]
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {}


# No silent drops ---------------------------------------------------------------------------


def _buttons(call: Any) -> list[dict[str, Any]]:
    return [
        e
        for block in call.arg_json("blocks") or []
        if block.get("type") == "actions"
        for e in block["elements"]
    ]


def test_a_dm_outside_the_threads_with_two_rounds_open_asks_which_round(
    slack: SlackHarness,
) -> None:
    slack.command('start avstamning enheter:"Hemtjänst Norr" leverans:dm titel:"Våren"')
    slack.command('start planering enheter:"Hemtjänst Norr" leverans:dm titel:"Planen"')
    dm = slack.fake.dm_channel_id(ANNA)
    threads = {str(c.response["ts"]): c for c in slack.posts(dm) if not c.args.get("thread_ts")}
    assert len(threads) == 2
    ts = next_ts()
    slack.event(message_event(text="Det här svaret", user=ANNA, channel=dm, ts=ts))
    for rid in (1, 2):  # nothing stored yet
        pid = (
            slack.services.queries.status(DEFAULT_TEAM_ID, rid)
            .units[0]
            .participants[0]
            .participation_id
        )
        assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {}
    asked = slack.posts(dm, ts)
    assert len(asked) == 1 and "vilken ditt svar gäller" in texts(asked)[0]
    buttons = _buttons(asked[0])
    assert [b["text"]["text"] for b in buttons] == ["Våren", "Planen"]

    planen = buttons[1]
    for _ in range(2):  # a double click stores once
        slack.click(
            planen["action_id"],
            planen["value"],
            ANNA,
            channel=dm,
            message_ts=str(asked[0].response["ts"]),
            thread_ts=ts,
        )
    pid2 = (
        slack.services.queries.status(DEFAULT_TEAM_ID, 2).units[0].participants[0].participation_id
    )
    pid1 = (
        slack.services.queries.status(DEFAULT_TEAM_ID, 1).units[0].participants[0].participation_id
    )
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid2) == {
        "grunduppdrag": "Det här svaret"
    }
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid1) == {}
    assert texts(slack.posts(dm, ts))[1:] == ["Sparat i rundan ”Planen”."]
    planen_thread = next(ts_ for ts_, c in threads.items() if "Planen" in str(c.args["text"]))
    assert _questions(slack, planen_thread, dm) == ["Fråga 1 av 5", "Fråga 2 av 5"]


def test_a_late_reply_to_a_closed_anonymous_round_is_told_the_round_is_closed(
    slack: SlackHarness,
) -> None:
    slack.command(START + " anonym:ja")  # anonymous rounds always go by DM
    dm = slack.fake.dm_channel_id(ANNA)
    [parent] = [c for c in slack.posts(dm) if not c.args.get("thread_ts")]
    thread = str(parent.response["ts"])
    slack.command("stäng 1")
    late = message_event(
        text="För sent", user=ANNA, channel=dm, thread_ts=thread, parent_user_id=BOT
    )
    slack.event(late)
    # Every trace of the thread is erased at close; the reply is still answered.
    assert "rundan är stängd" in texts(slack.posts(dm, thread))[-1]
    # Other threads in the channel stay none of the bot's business, also the summary's.
    slack.say(ANNA, "Prat i en annan tråd", "1700000000.000123")
    assert slack.posts(CHANNEL, "1700000000.000123") == []
    summary = [c for c in slack.posts(CHANNEL) if "Sammanfattning" in texts([c])[0]][-1]
    summary_ts = str(summary.response["ts"])
    slack.say(ANNA, "Bra sammanfattning!", summary_ts)
    assert slack.posts(CHANNEL, summary_ts) == []


def test_a_late_retry_of_an_answer_whose_posts_were_lost_does_not_repeat_a_later_question(
    slack: SlackHarness,
) -> None:
    thread, pid = _started(slack)
    first = next_ts()
    # Stored, then the process died before planning its posts (no ack: Slack retries later).
    slack.services.answering.reply(DEFAULT_TEAM_ID, pid, "Första", f"slack:{CHANNEL}:{first}")
    slack.say(ANNA, "Andra", thread)  # meanwhile the manager answers the next question
    slack.event(
        message_event(text="Första", user=ANNA, channel=CHANNEL, thread_ts=thread, ts=first),
        retry=1,
    )
    assert _questions(slack, thread) == ["Fråga 1 av 3", "Fråga 3 av 3"]


def test_a_post_of_a_dead_sender_waits_while_its_thread_cannot_be_checked(
    slack: SlackHarness, clock: FixedClock
) -> None:
    thread, _pid = _started(slack)
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    post = NewPost("k:wait", message_payload(CHANNEL, "Vänta", thread_ts=thread), CHANNEL)
    store.plan(DEFAULT_TEAM_ID, [post])  # written, then the writer died
    clock.advance(timedelta(seconds=45))
    slack.fake.fail_next("conversations.replies", 429, retry_after=30, times=5)
    assert Poster(store).resend_due(lambda _ws: client) == 0
    assert "Vänta" not in texts(slack.posts(CHANNEL, thread))  # not posted blind
    slack.fake.clear_faults()
    clock.advance(timedelta(seconds=45))
    assert Poster(store).resend_due(lambda _ws: client) == 1
    assert texts(slack.posts(CHANNEL, thread)).count("Vänta") == 1


def test_an_edit_acknowledged_by_a_process_killed_before_posting_is_confirmed_once(
    slack: SlackHarness, clock: FixedClock
) -> None:
    thread, pid = _started(slack)
    ts = slack.say(ANNA, "Första versionen", thread)
    _kill_after_ack(slack)
    edit = message_changed_event(
        channel=CHANNEL,
        ts=ts,
        text="Andra versionen",
        previous_text="Första versionen",
        user=ANNA,
        thread_ts=thread,
    )
    assert slack.event(edit).status == 200
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {
        "hur_gar_det": "Andra versionen"
    }
    slack.restart()
    clock.advance(timedelta(seconds=45))
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    while Poster(store).resend_due(lambda _ws: client):
        pass
    confirmations = [t for t in texts(slack.posts(CHANNEL, thread)) if "uppdaterat" in t]
    assert confirmations == ["Svaret på fråga 1 är uppdaterat."]


def test_a_round_start_whose_fanout_never_reached_slack_is_completed_by_the_resender(
    slack: SlackHarness, clock: FixedClock
) -> None:
    # The process acknowledges the start and then cannot post at all (as good as dead for
    # the fan-out): every post of the fan-out is in the outbox all the same.
    impatient = dataclasses.replace(slack.config, retries=0)
    executor = TrackingExecutor()
    app = build_app(
        impatient, Runtime(slack.db, slack.services), executor=executor, token_verification=False
    )
    slack.executor, slack.app, slack.wsgi = executor, app, wsgi_app(app, impatient.signing_secret)
    slack.fake.fail_for(60, 503, methods={"chat.postMessage"})
    values = start_form_values(["aldreomsorg"], "enhet", "dm")
    reply = slack.submit(VIEW_START, PROCESS_SUPPORT, values, view_id="V0OFFLINE")
    assert (reply.status, reply.body) == (200, "")
    assert slack.posts() == []
    slack.fake.clear_faults()
    slack.restart()
    clock.advance(timedelta(seconds=60))
    stop = start_resender(slack.config, Runtime(slack.db, slack.services), interval_s=0.02)
    try:
        deadline = time.monotonic() + 10
        while len(slack.posts()) < 1 + 2 * 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # further passes of the resender post nothing more
    finally:
        stop.set()
    status = slack.services.queries.status(DEFAULT_TEAM_ID, 1)
    participants = [p for unit in status.units for p in unit.participants]
    assert len(participants) == 3
    assert [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")]  # announced
    for p in participants:
        assert p.thread_ref is not None  # the engine learned every thread
        channel, thread = p.thread_ref.split(":")
        assert _questions(slack, thread, channel) == ["Fråga 1 av 3"]
    assert len(slack.posts()) == 1 + 2 * 3  # nothing twice
    # And answering in a thread opened by the resender works.
    anna = next(p for p in participants if p.chat_id == ANNA)
    channel, thread = str(anna.thread_ref).split(":")
    slack.event(message_event(text="Det går bra", user=ANNA, channel=channel, thread_ts=thread))
    assert _questions(slack, thread, channel) == ["Fråga 1 av 3", "Fråga 2 av 3"]


def test_a_late_reply_in_a_thread_whose_traces_were_erased_is_told_the_round_is_closed(
    slack: SlackHarness,
) -> None:
    slack.command(START + " anonym:ja")  # anonymous rounds always go by DM
    dm = slack.fake.dm_channel_id(ANNA)
    [parent] = [c for c in slack.posts(dm) if not c.args.get("thread_ts")]
    thread = str(parent.response["ts"])
    slack.command("stäng 1")
    # At close an anonymous round may erase every post that tied a thread to a person.
    with slack.db.begin() as conn:
        conn.execute(
            text("DELETE FROM chat_posts WHERE post_key LIKE :k"), {"k": "round:1:thread:%"}
        )
    reply = message_event(
        text="För sent", user=ANNA, channel=dm, thread_ts=thread, parent_user_id=BOT
    )
    slack.event(reply)
    assert texts(slack.posts(dm, thread))[-1].startswith("Den här tråden har ingen öppen")
    # The summary's thread is the group's to talk in.
    summary = [c for c in slack.posts(CHANNEL) if "Sammanfattning" in texts([c])[0]][-1]
    summary_ts = str(summary.response["ts"])
    talk = message_event(
        text="Bra!", user=ANNA, channel=CHANNEL, thread_ts=summary_ts, parent_user_id=BOT
    )
    slack.event(talk)
    assert slack.posts(CHANNEL, summary_ts) == []


def test_posts_whose_landing_could_not_be_recorded_are_still_not_sent_again(db: Engine) -> None:
    """The bookkeeping after posts land (threads, question messages) and their sent mark
    share one transaction; when that transaction fails, the posts are still marked sent,
    so neither the sender nor the resender posts them a second time."""

    def failing_bookkeeping(_workspace: str, _posts: list[Any], _updates: Any) -> dict[int, Any]:
        raise RuntimeError("bookkeeping failed")

    store = OutboxStore(make_session_factory(db))
    poster = Poster(store, on_landed_many=failing_bookkeeping)
    posts = [
        NewPost("k:top", message_payload("C0TOP", "top level"), "C0TOP"),
        NewPost("k:thread", message_payload("C0TOP", "in a thread", thread_ts="1.0"), "C0TOP"),
    ]
    with FakeSlack(default_token=TOKEN) as fake:
        client = make_client(fake.base_url, TOKEN, retries=0)
        assert poster.send_planned(client, poster.plan(DEFAULT_TEAM_ID, posts)) == 2
        assert [store.status(DEFAULT_TEAM_ID, p.key) for p in posts] == ["sent", "sent"]
        store.clock = FixedClock(store.clock.now() + timedelta(hours=1))
        assert poster.resend_due(lambda _ws: client) == 0
        assert len(fake.calls("chat.postMessage")) == 2


def test_posts_written_to_the_outbox_reach_slack_exactly_as_written(db: Engine) -> None:
    """Text with quotes, backslashes, braces, line breaks and non-ASCII characters, blocks
    and posts with and without a round survive the outbox (written as one batch, sent by
    the resender after the writer died) character for character, and land once."""
    tricky = 'Fråga "1" av 5: C:\\väg\\fil {"a": [1]} \\" \' ñ 😀\nrad två\t\\n'
    store = OutboxStore(make_session_factory(db))
    poster = Poster(store)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": tricky}}]
    posts = [
        NewPost("k:plain", message_payload("C0TOP", tricky), "C0TOP"),
        NewPost("k:blocks", message_payload("C0TOP", "med block", blocks), "C0TOP", 7, 11),
    ]
    with FakeSlack(default_token=TOKEN) as fake:
        client = make_client(fake.base_url, TOKEN, retries=0)
        poster.plan(DEFAULT_TEAM_ID, posts)  # written, then the writer died
        store.clock = FixedClock(store.clock.now() + timedelta(minutes=5))
        assert poster.resend_due(lambda _ws: client) == 2
        calls = fake.calls("chat.postMessage")
        assert [c.args["text"] for c in calls] == [tricky, "med block"]
        assert calls[1].arg_json("blocks") == blocks
        assert [store.status(DEFAULT_TEAM_ID, p.key) for p in posts] == ["sent", "sent"]
        assert poster.resend_due(lambda _ws: client) == 0
        assert len(fake.calls("chat.postMessage")) == 2
