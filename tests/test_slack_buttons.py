"""Buttons under a question act on their own question, and a question's message says what
became of it once it is answered, skipped or edited (chat.update, buttons dropped).
Signed requests in, the fake Web API (checked against Slack's spec) out."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fakes import FakeSlack, RecordedCall
from fakes.signing import (
    DEFAULT_TEAM_ID,
    app_home_opened_event,
    message_changed_event,
    message_deleted_event,
    message_event,
)
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import event, func, select, update
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, TOKEN, SlackHarness, button_value, texts

from bot.clock import FixedClock
from bot.slack.app import build_context
from bot.slack.blocks import (
    ACTION_CONFIRM_ACTIVITIES,
    ACTION_FINISH,
    ACTION_FORM,
    ACTION_SKIP,
    HOME_CLOSE,
)
from bot.slack.poster import make_client
from bot.wiring import Runtime
from storage.models_outbox import ChatPost
from storage.models_question_messages import QuestionMessage

START = 'start avstamning enheter:"Hemtjänst Norr" kanal:<#C0LEDNING|ledning>'


def _pid(slack: SlackHarness) -> int:
    return (
        slack.services.queries.status(DEFAULT_TEAM_ID, 1).units[0].participants[0].participation_id
    )


def _questions(slack: SlackHarness, thread: str) -> list[RecordedCall]:
    """The question messages posted in a thread (those with buttons), oldest first."""
    return [
        c
        for c in slack.posts(CHANNEL, thread)
        if any(b.get("type") == "actions" for b in c.arg_json("blocks") or [])
    ]


def _updates_of(slack: SlackHarness, call: RecordedCall) -> list[RecordedCall]:
    """The chat.update calls that changed the message ``call`` posted."""
    return [
        u
        for u in slack.fake.delivered("chat.update")
        if u.args["ts"] == call.response["ts"] and u.args["channel"] == call.response["channel"]
    ]


def _click(slack: SlackHarness, action_id: str, call: RecordedCall, user: str = ANNA) -> int:
    reply = slack.click(
        action_id,
        button_value(call, action_id),
        user,
        channel=str(call.response["channel"]),
        message_ts=str(call.response["ts"]),
        thread_ts=str(call.args["thread_ts"]),
    )
    return reply.status


def _notes(slack: SlackHarness, user: str = ANNA) -> list[str]:
    return [
        str(c.args["text"])
        for c in slack.fake.delivered("chat.postEphemeral")
        if c.args["user"] == user
    ]


def _answer_status(slack: SlackHarness, question_key: str) -> str | None:
    with slack.services.kernel.unit_of_work(DEFAULT_TEAM_ID) as uow:
        answer = uow.repo.answer(_pid(slack), question_key)
        return None if answer is None else answer.status


def test_skip_under_an_answered_question_does_not_skip_the_current_one(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    slack.say(ANNA, "Det går bra", thread)
    slack.say(ANNA, "För att vi planerade", thread)
    first, _second, third = _questions(slack, thread)
    assert "Fråga 3 av 3" in texts([third])[0]
    posts_before = len(slack.posts(CHANNEL, thread))

    assert _click(slack, ACTION_SKIP, first) == 200

    assert _answer_status(slack, "vidare_aktiviteter") is None  # question 3 is not skipped
    assert _answer_status(slack, "hur_gar_det") == "answered"  # question 1 keeps its answer
    assert slack.services.queries.participant(DEFAULT_TEAM_ID, _pid(slack)).status != "finished"
    assert len(slack.posts(CHANNEL, thread)) == posts_before  # no "Tack!", no new question
    note = _notes(slack)[-1]
    assert "fråga 1" in note and "redan är besvarad" in note and "Aktuell fråga är fråga 3" in note

    # Done under question 1 is refused the same way; question 3 can still be answered.
    assert _click(slack, ACTION_FINISH, first) == 200
    assert slack.services.queries.participant(DEFAULT_TEAM_ID, _pid(slack)).status != "finished"
    assert "Aktuell fråga är fråga 3" in _notes(slack)[-1]
    slack.say(ANNA, "Fler grupper", thread)
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, _pid(slack))[
        "vidare_aktiviteter"
    ] == ("Fler grupper")


def test_question_messages_show_answered_skipped_and_edited_without_buttons(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    first = _questions(slack, thread)[0]
    assert _updates_of(slack, first) == []

    answer_ts = slack.say(ANNA, "Budgeten håller <!channel> & mer", thread)
    [answered] = _updates_of(slack, first)
    blocks = answered.arg_json("blocks")
    assert [b["type"] for b in blocks if b["type"] == "actions"] == []  # buttons dropped
    shown = "\n".join(texts([answered]))
    assert "Fråga 1 av 3" in shown and "✓ Besvarad" in shown
    # Slack's markup reads back as typed, escaped once, and pings no one.
    assert "Budgeten håller @\u2060channel &amp; mer" in shown
    assert "<!channel>" not in shown

    second = _questions(slack, thread)[1]
    _click(slack, ACTION_SKIP, second)
    assert _answer_status(slack, "analys") == "skipped"
    [skipped] = _updates_of(slack, second)
    assert "Hoppades över" in "\n".join(texts([skipped]))
    assert not any(b["type"] == "actions" for b in skipped.arg_json("blocks"))

    slack.event(
        message_changed_event(
            channel=CHANNEL,
            ts=answer_ts,
            text="Budgeten håller nästan",
            previous_text="Budgeten håller",
            user=ANNA,
            thread_ts=thread,
        )
    )
    updates = _updates_of(slack, first)
    assert len(updates) == 2
    assert "Budgeten håller nästan" in "\n".join(texts([updates[-1]]))

    # The current question keeps its buttons; a replayed answer updates nothing twice.
    third = _questions(slack, thread)[2]
    assert _updates_of(slack, third) == []
    count = len(slack.fake.delivered("chat.update"))
    slack.say(ANNA, "Fler grupper", thread)
    [last] = _updates_of(slack, third)
    assert "✓ Besvarad" in "\n".join(texts([last]))
    assert len(slack.fake.delivered("chat.update")) == count + 1
    assert [c for c in slack.fake.calls("chat.update") if not c.ok] == []


def test_done_and_closing_a_round_ask_for_confirmation(slack: SlackHarness) -> None:
    slack.command(START)
    question = _questions(slack, slack.thread_of(ANNA))[0]
    elements = {e["action_id"]: e for e in question.arg_json("blocks")[-1]["elements"]}
    confirm = elements[ACTION_FINISH]["confirm"]
    assert confirm["title"]["text"] == "Är du klar?"
    assert "obesvarade" in confirm["text"]["text"]
    assert confirm["confirm"]["text"] == "Ja, jag är klar"
    assert confirm["deny"]["text"] == "Fortsätt svara"
    assert "confirm" not in elements[ACTION_SKIP]

    slack.command('start avstamning enheter:"Solgården" kanal:<#C0LEDNING|ledning> lang:en')
    english = _questions(slack, slack.thread_of("U0ENHSOL"))[0]
    finish = next(
        e for e in english.arg_json("blocks")[-1]["elements"] if e["action_id"] == ACTION_FINISH
    )
    assert finish["confirm"]["title"]["text"] == "Are you done?"

    slack.event(app_home_opened_event(user=PROCESS_SUPPORT))
    home = slack.fake.delivered("views.publish")[-1].arg_json("view")
    close = [
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == HOME_CLOSE
    ]
    assert close and all(e["confirm"]["title"]["text"] == "Stänga rundan?" for e in close)
    assert all(e["confirm"]["confirm"]["text"] == "Stäng och sammanfatta" for e in close)


@pytest.mark.parametrize(
    "value", ["abc", "99999999999999999999", "-1", "1:<script>", "", "1:" + "x" * 300]
)
def test_unreadable_button_values_get_a_private_note(slack: SlackHarness, value: str) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    question = _questions(slack, thread)[0]
    for action in (ACTION_SKIP, ACTION_FINISH, ACTION_FORM, ACTION_CONFIRM_ACTIVITIES):
        reply = slack.click(
            action,
            value,
            ANNA,
            message_ts=str(question.response["ts"]),
            thread_ts=thread,
        )
        assert reply.status == 200
        assert "Knappen gick inte att läsa" in _notes(slack)[-1]
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, _pid(slack)) == {}
    assert _answer_status(slack, "hur_gar_det") is None
    assert slack.fake.delivered("views.open") == []

    reply = slack.click(HOME_CLOSE, value, PROCESS_SUPPORT, view={"id": "V0HOME", "type": "home"})
    assert reply.status == 200
    dm = slack.posts(slack.fake.dm_channel_id(PROCESS_SUPPORT))
    assert "Knappen gick inte att läsa" in dm[-1].args["text"]
    assert slack.services.queries.round_info(DEFAULT_TEAM_ID, 1).status == "open"


def test_a_button_that_does_not_name_its_question_changes_nothing(slack: SlackHarness) -> None:
    """Buttons posted before buttons carried their question hold only the participation."""
    slack.command(START)
    thread = slack.thread_of(ANNA)
    slack.say(ANNA, "Det går bra", thread)
    first = _questions(slack, thread)[0]
    slack.click(
        ACTION_SKIP,
        str(_pid(slack)),
        ANNA,
        message_ts=str(first.response["ts"]),
        thread_ts=thread,
    )
    assert _answer_status(slack, "analys") is None
    assert "Aktuell fråga är fråga 2" in _notes(slack)[-1]
    again = _questions(slack, thread)[-1]  # the current question, with buttons that say so
    assert "Fråga 2 av 3" in texts([again])[0]
    assert button_value(again, ACTION_SKIP) == f"{_pid(slack)}:analys"
    _click(slack, ACTION_SKIP, again)
    assert _answer_status(slack, "analys") == "skipped"


def test_dm_question_messages_are_updated_and_anonymous_rounds_forget_them(
    slack: SlackHarness,
) -> None:
    slack.command('start avstamning enheter:"Hemtjänst Norr" leverans:dm anonym:ja')
    dm = slack.fake.dm_channel_id(ANNA)
    parent = next(c for c in slack.posts(dm) if not c.args.get("thread_ts"))
    thread = str(parent.response["ts"])
    slack.say(ANNA, "Svar ett", thread, channel=dm)
    first = slack.posts(dm, thread)[0]
    [update] = _updates_of(slack, first)
    assert "✓ Besvarad" in "\n".join(texts([update]))

    def recorded() -> int:
        with slack.services.kernel.unit_of_work(DEFAULT_TEAM_ID) as uow:
            return int(uow.session.scalar(select(func.count()).select_from(QuestionMessage)) or 0)

    assert recorded() == 2
    slack.command("stäng 1")
    assert recorded() == 0  # nothing ties the DM to the participation after close
    assert json.dumps(slack.fake.spec_violations) == "[]"


def test_form_answers_update_their_question_messages(slack: SlackHarness) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    first = _questions(slack, thread)[0]
    meta = json.dumps({"p": _pid(slack)})
    values = {
        "q:hur_gar_det": {"answer": {"type": "plain_text_input", "value": "Från formuläret"}},
    }
    slack.submit("dialog_form", ANNA, values, private_metadata=meta, view_id="V0FORM1")
    [update] = _updates_of(slack, first)
    assert "Från formuläret" in "\n".join(texts([update]))
    assert not any(b["type"] == "actions" for b in update.arg_json("blocks"))
    assert "Fråga 2 av 3" in texts(slack.posts(CHANNEL, thread))[-1]


def test_the_fake_checks_chat_update_and_confirm_dialogs(fake: FakeSlack) -> None:
    """The fake refuses what Slack refuses, so the tests above would notice."""
    client = WebClient(base_url=fake.base_url, token=TOKEN)
    posted = client.chat_postMessage(channel=CHANNEL, text="v1")
    with pytest.raises(SlackApiError):
        client.api_call(
            "chat.update",
            params={"channel": CHANNEL, "ts": posted["ts"], "text": "v2", "not_a_param": "x"},
        )
    assert any("not_a_param" in v for v in fake.spec_violations)
    button = {
        "type": "button",
        "action_id": "a",
        "text": {"type": "plain_text", "text": "Klar"},
        "confirm": {
            "title": {"type": "plain_text", "text": "x" * 101},
            "text": {"type": "mrkdwn", "text": "ok"},
            "confirm": {"type": "plain_text", "text": "Ja"},
        },
    }
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(
            channel=CHANNEL, text="q", blocks=[{"type": "actions", "elements": [button]}]
        )
    assert refused.value.response["error"] == "invalid_blocks"
    assert any("confirm/title" in e for e in fake.block_kit_errors)
    assert any("confirm/deny" in e for e in fake.block_kit_errors)


def test_a_failed_update_is_made_by_the_next_change_and_replays_update_nothing(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    first = _questions(slack, thread)[0]
    slack.fake.fail_next("chat.update", 503, times=20)
    ts = slack.say(ANNA, "Svar ett", thread)
    assert _updates_of(slack, first) == []  # Slack was down for updates
    slack.fake.clear_faults()

    slack.event(message_event(text="Svar ett", user=ANNA, channel=CHANNEL, ts=ts, thread_ts=thread))
    [healed] = _updates_of(slack, first)  # the replayed event completes the update
    assert "Svar ett" in "\n".join(texts([healed]))
    second = _questions(slack, thread)[1]
    slack.say(ANNA, "Svar två", thread)
    assert len(_updates_of(slack, second)) == 1
    slack.event(message_event(text="Svar ett", user=ANNA, channel=CHANNEL, ts=ts, thread_ts=thread))
    assert len(_updates_of(slack, first)) == 1 and len(_updates_of(slack, second)) == 1


def test_reminders_with_the_question_and_withdrawn_answers_are_updated_too(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    slack.command("påminn")
    reminder = _questions(slack, thread)[-1]
    assert "Påminnelse" in texts([reminder])[0]
    ts = slack.say(ANNA, "Svar ett", thread)
    [update] = _updates_of(slack, reminder)
    assert "✓ Besvarad" in "\n".join(texts([update]))

    first = _questions(slack, thread)[0]
    slack.event(
        message_deleted_event(
            channel=CHANNEL, ts=ts, previous_text="Svar ett", user=ANNA, thread_ts=thread
        )
    )
    withdrawn = _updates_of(slack, first)[-1]
    shown = "\n".join(texts([withdrawn]))
    assert "Svaret är borttaget" in shown and "Svar ett" not in shown


def test_a_later_answer_updates_the_answered_question_once_in_one_transaction_after_the_ack(
    slack: SlackHarness,
) -> None:
    """The update of the answered question's message is claimed with the answer, before
    the ack, and recorded with the next question's landing: a later answer commits once
    before the ack and once after it, and the message is updated once, also when the
    event comes again."""
    slack.command(START)
    thread = slack.thread_of(ANNA)
    slack.say(ANNA, "Svar ett", thread)
    second = _questions(slack, thread)[1]
    commits: list[object] = []

    def count(conn: object) -> None:
        commits.append(conn)

    event.listen(slack.db, "commit", count)
    try:
        ts = slack.say(ANNA, "Svar två", thread)
        slack.executor.wait_idle()
        after_answer = len(commits)
        replay = message_event(text="Svar två", user=ANNA, channel=CHANNEL, ts=ts, thread_ts=thread)
        slack.event(replay)
        slack.executor.wait_idle()
    finally:
        event.remove(slack.db, "commit", count)
    [update] = _updates_of(slack, second)
    assert "Svar två" in "\n".join(texts([update]))
    assert [c for c in slack.fake.calls("chat.update") if not c.ok] == []
    assert after_answer == 2
    with slack.db.connect() as conn:
        shown = conn.scalars(select(QuestionMessage.shown).order_by(QuestionMessage.id)).all()
    assert shown == ["answered:1", "answered:1", "open"]


def test_an_update_cut_off_by_a_crash_is_made_again_by_the_resender(
    slack: SlackHarness, clock: FixedClock
) -> None:
    """An update's claim keeps no content (the message may show an answer), so the
    resender cannot send it again as it was: it refreshes the participant's question
    messages from the database instead, so the message says the question was answered
    even when nothing else refreshes it (after a round's last answer)."""
    slack.command(START)
    thread = slack.thread_of(ANNA)
    first = _questions(slack, thread)[0]
    slack.fake.fail_next("chat.update", 503, times=20)
    slack.say(ANNA, "Svar ett", thread)
    assert _updates_of(slack, first) == []
    slack.fake.clear_faults()
    # As if the process had died between the update's claim and its call: the claim is
    # left pending under a lease that then runs out.
    with slack.db.begin() as conn:
        conn.execute(
            update(ChatPost)
            .where(ChatPost.post_key.startswith("question:"))
            .values(status="pending", claimed_until=clock.now())
        )
    clock.advance(timedelta(seconds=1))
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    resender = build_context(slack.config, Runtime(slack.db, slack.services), client)
    resender.poster.resend_due(resender.clients)
    [made] = _updates_of(slack, first)
    assert "Svar ett" in "\n".join(texts([made]))
    assert not any(b["type"] == "actions" for b in made.arg_json("blocks"))
    resender.poster.resend_due(resender.clients)
    assert len(_updates_of(slack, first)) == 1
    with slack.db.connect() as conn:
        statuses = conn.scalars(
            select(ChatPost.status).where(ChatPost.post_key.startswith("question:"))
        ).all()
    assert statuses == ["sent"]  # claimed again by the refresh, not left given up
