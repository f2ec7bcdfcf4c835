"""The whole dialog round in the real Bolt app: start, threads, answers, edits, buttons,
status, close with the Block Kit summary. Signed requests in, the fake Web API out."""

from __future__ import annotations

from fakes.signing import (
    DEFAULT_TEAM_ID,
    message_changed_event,
    message_deleted_event,
    message_event,
    next_ts,
)
from support.slack import (
    ANNA,
    BJORN,
    CECILIA,
    CHANNEL,
    CHEF_OUTSIDE,
    SlackHarness,
    button_value,
    texts,
)

from bot.slack.blocks import ACTION_FINISH, ACTION_SKIP

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'


def _participation(slack: SlackHarness, user: str) -> int:
    for p in slack.services.queries.status(DEFAULT_TEAM_ID, 1).units:
        for participant in p.participants:
            if participant.chat_id == user:
                return participant.participation_id
    raise AssertionError(user)


def test_whole_round_from_text_command_to_summary(slack: SlackHarness) -> None:
    reply = slack.command(START)
    assert reply.status == 200
    assert "Runda 1" in slack.responses()[-1]
    assert "3 deltagare" in slack.responses()[-1]

    channel_posts = slack.posts(CHANNEL)
    top_level = [c for c in channel_posts if not c.args.get("thread_ts")]
    assert "Avstämningsdialog — Äldreomsorg* har startat" in texts(top_level)[0]
    assert "Sista dag: 2027-05-15 17:00" in texts(top_level)[0]
    assert len(top_level) == 4  # announcement + one parent message per manager

    anna_thread = slack.thread_of(ANNA)
    first = slack.posts(CHANNEL, anna_thread)
    assert len(first) == 1
    assert "Fråga 1 av 3" in texts(first)[0]
    assert "Hur går det?" in texts(first)[0]
    assert "Metodstöd" in texts(first)[0]
    buttons = [e["text"]["text"] for e in first[0].arg_json("blocks")[-1]["elements"]]
    assert buttons == ["Hoppa över", "Svara i formulär", "Klar"]

    # Anna answers in her thread: a reaction and the next question.
    # (as Slack delivers it: her "@channel & @Sofia Holm" with Slack's markup, & escaped)
    answer_ts = slack.say(ANNA, "Budgeten håller <!channel> &amp; <@U0SOCDIR>", anna_thread)
    reactions = slack.fake.delivered("reactions.add")
    assert [(r.args["timestamp"], r.args["name"]) for r in reactions] == [
        (answer_ts, "white_check_mark")
    ]
    assert "Fråga 2 av 3" in texts(slack.posts(CHANNEL, anna_thread))[-1]

    # Björn writes in Anna's thread: politely ignored.
    slack.say(BJORN, "Jag svarar här", anna_thread)
    ephemeral = slack.fake.delivered("chat.postEphemeral")
    assert ephemeral[-1].args["user"] == BJORN
    assert "Anna Andersson" in ephemeral[-1].args["text"]
    assert "Fråga 3" not in "".join(texts(slack.posts(CHANNEL, anna_thread)))

    # Skip question 2 with the button, answer 3 and she is done.
    question_2 = slack.posts(CHANNEL, anna_thread)[-1]
    slack.click(
        ACTION_SKIP,
        button_value(question_2, ACTION_SKIP),
        ANNA,
        message_ts=str(question_2.response["ts"]),
        thread_ts=anna_thread,
    )
    assert "Fråga 3 av 3" in texts(slack.posts(CHANNEL, anna_thread))[-1]
    slack.say(ANNA, "Fler hemtjänstgrupper", anna_thread)
    assert "Tack! Dina svar är sparade" in texts(slack.posts(CHANNEL, anna_thread))[-1]

    # Björn is done without answering; Cecilia never answers.
    bjorn_thread = slack.thread_of(BJORN)
    bjorn_question = slack.posts(CHANNEL, bjorn_thread)[0]
    slack.click(
        ACTION_FINISH,
        button_value(bjorn_question, ACTION_FINISH),
        BJORN,
        message_ts=str(bjorn_question.response["ts"]),
        thread_ts=bjorn_thread,
    )
    assert "Tack!" in texts(slack.posts(CHANNEL, bjorn_thread))[-1]

    slack.command("status")
    assert "1 av 3 enheter har svarat" in slack.responses()[-1]
    assert "Cecilia Öberg" in slack.responses()[-1]

    before_close = len(slack.posts(CHANNEL))
    slack.command("stäng")
    assert "Runda 1 är stängd" in slack.responses()[-1]
    summary = [c for c in slack.posts(CHANNEL)[before_close:] if not c.args.get("thread_ts")]
    assert len(summary) == 1
    body = "\n".join(texts(summary))
    assert "Budgeten håller @\u2060channel &amp; @Sofia Holm" in body
    assert "<!channel>" not in body and "<@U0SOCDIR>" not in body
    assert "Hemtjänst Norr" in body
    assert "Solgården (Cecilia Öberg)" in body  # not answered

    # A late answer is refused in the thread.
    cecilia_thread = slack.thread_of(CECILIA)
    slack.say(CECILIA, "Sent svar", cecilia_thread)
    assert "stängd och tar inte emot fler svar" in texts(slack.posts(CHANNEL, cecilia_thread))[-1]
    answers = slack.services.queries.answers_of(DEFAULT_TEAM_ID, _participation(slack, CECILIA))
    assert answers == {}


def test_editing_and_deleting_an_answer(slack: SlackHarness) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    ts = slack.say(ANNA, "Första versionen", thread)
    pid = _participation(slack, ANNA)

    slack.event(
        message_changed_event(
            channel=CHANNEL,
            ts=ts,
            text="Andra versionen",
            previous_text="Första versionen",
            user=ANNA,
            thread_ts=thread,
        )
    )
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {
        "hur_gar_det": "Andra versionen"
    }
    assert "Svaret på fråga 1 är uppdaterat" in texts(slack.posts(CHANNEL, thread))[-1]
    with slack.services.kernel.unit_of_work(DEFAULT_TEAM_ID) as uow:
        answer = uow.repo.answer(pid, "hur_gar_det")
        assert answer is not None
        assert [r.text for r in answer.revisions] == ["Första versionen", "Andra versionen"]

    slack.event(
        message_deleted_event(
            channel=CHANNEL, ts=ts, previous_text="Andra versionen", user=ANNA, thread_ts=thread
        )
    )
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {}
    assert "Svaret på fråga 1 är borttaget" in texts(slack.posts(CHANNEL, thread))[-1]


def test_unauthorized_start_gets_a_polite_refusal(slack: SlackHarness) -> None:
    reply = slack.command(START, user=ANNA)
    assert reply.status == 200
    assert "bara processtöd och administratörer" in reply.json()["text"]  # in the ack
    assert slack.posts() == []
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    slack.command("stäng 1", user=ANNA)
    assert "bara processtöd" in slack.responses(ANNA)[-1]


def test_bad_start_text_explains_what_is_wrong(slack: SlackHarness) -> None:
    # The refusals answer in the ack itself.
    reply = slack.command('start avstamning enheter:"Finns inte"')
    assert "Okänd enhet 'Finns inte'" in reply.json()["text"]
    reply = slack.command("start avstamning enheter:Äldreomsorg kanal:#ledning")
    assert "kan inte slås upp på namn" in reply.json()["text"]
    reply = slack.command("start avstamning enheter:Äldreomsorg deadline:snart")
    assert "Sista dag 'snart' går inte att läsa" in reply.json()["text"]
    reply = slack.command(
        "start avstamning enheter:Äldreomsorg kanal:C0LEDNING deadline:2027-05-01"
    )
    assert "Sista dag 2027-05-01 17:00 har redan passerat" in reply.json()["text"]
    assert slack.posts() == []


def test_help_and_unknown_text_answer_in_the_ack(slack: SlackHarness) -> None:
    for text in ("hjälp", "", "vad kan du"):
        reply = slack.command(text, user=ANNA)
        assert reply.status == 200
        assert "/dialog start" in reply.json()["text"]
    assert slack.posts() == []


def test_start_in_dm_delivery_and_answer_outside_the_thread(slack: SlackHarness) -> None:
    slack.command('start avstamning enheter:"Hemtjänst Norr" leverans:dm lang:en')
    dm = slack.fake.dm_channel_id(ANNA)
    intro = [c for c in slack.posts(dm) if not c.args.get("thread_ts")]
    assert len(intro) == 1
    thread = str(intro[0].response["ts"])
    assert "Question 1 of 3" in texts(slack.posts(dm, thread))[0]
    # Anna writes in the DM itself instead of the thread: it still counts.
    ts = next_ts()
    slack.event(message_event(text="Fine", user=ANNA, channel=dm, ts=ts))
    assert "Question 2 of 3" in texts(slack.posts(dm, thread))[-1]


def test_dm_delivery_gives_every_manager_one_thread_with_the_first_question(
    slack: SlackHarness,
) -> None:
    slack.command('start avstamning enheter:"Äldreomsorg" leverans:dm')
    for user in (ANNA, BJORN, CECILIA):
        dm = slack.fake.dm_channel_id(user)
        parents = [c for c in slack.posts(dm) if not c.args.get("thread_ts")]
        assert len(parents) == 1, user
        first = slack.posts(dm, str(parents[0].response["ts"]))
        assert len(first) == 1 and "Fråga 1 av 3" in texts(first)[0]
    top_level = [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")]
    assert len(top_level) == 1  # only the announcement goes to the channel


def test_remind_mina_and_outsider(slack: SlackHarness) -> None:
    slack.command(START)
    slack.say(ANNA, "Svar", slack.thread_of(ANNA))
    slack.command("påminn")
    assert "Påminnelse skickad till 3 chefer" in slack.responses()[-1]
    reminders = [t for t in texts(slack.posts(CHANNEL)) if "Påminnelse" in t]
    assert len(reminders) == 3
    slack.command("mina", user=ANNA)
    mine = slack.responses(ANNA)[-1]
    assert "2 av 3 frågor kvar" in mine and "slack.com/archives/C0LEDNING" in mine
    slack.command("mina", user=CHEF_OUTSIDE)
    assert "inga obesvarade frågor" in slack.responses(CHEF_OUTSIDE)[-1]
