"""The dialog chain in Slack: activities confirmed in the thread, followed up in the next
round with the plan as context, listed with /dialog aktiviteter, exported to the channel."""

from __future__ import annotations

import io
import json

from docx import Document
from fakes.signing import DEFAULT_TEAM_ID, message_changed_event, message_event
from support.slack import ANNA, BJORN, CHANNEL, SlackHarness, texts

from bot.slack.blocks import (
    ACTION_CONFIRM_ACTIVITIES,
    ACTION_CORRECT_ACTIVITIES,
    VIEW_ACTIVITIES,
)

PLAN = 'start planering enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning>'
FOLLOW = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning>'
PLAN_ANSWERS = [
    "Vi finns till för äldre i norra stan.",
    "Budget i balans, nöjdheten 85 %.",
    "Ramen räcker om vi minskar övertiden.",
    "- Ny bemanningsplan (ansvarig: Anna)\n- Följa upp sjukfrånvaron månadsvis",
    "Kontinuitet, brukarnöjdhet, sjukfrånvaro.",
]


def latest_thread(slack: SlackHarness, user: str) -> str:
    parents = [
        c
        for c in slack.posts(CHANNEL)
        if f"<@{user}>" in str(c.args.get("text")) and not c.args.get("thread_ts")
    ]
    return str(parents[-1].response["ts"])


def answer_plan(slack: SlackHarness) -> str:
    slack.command(PLAN, trigger_id="T-plan")
    thread = latest_thread(slack, ANNA)
    for text in PLAN_ANSWERS:
        slack.say(ANNA, text, thread)
    return thread


def test_activities_are_confirmed_then_followed_up_with_the_plan_as_context(
    slack: SlackHarness,
) -> None:
    thread = answer_plan(slack)
    posted = slack.posts(CHANNEL, thread)
    confirm = next(
        c for c in posted if "Jag uppfattade följande aktiviteter (2 st)" in texts([c])[0]
    )
    assert "• Ny bemanningsplan (ansvarig: Anna)" in texts([confirm])[0]
    buttons = confirm.arg_json("blocks")[-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Stämmer", "Rätta listan"]

    slack.click(
        ACTION_CONFIRM_ACTIVITIES,
        buttons[0]["value"],
        BJORN,
        message_ts=str(confirm.response["ts"]),
        thread_ts=thread,
    )
    assert not any("bekräftade" in t for t in texts(slack.posts(CHANNEL, thread)))
    slack.click(
        ACTION_CONFIRM_ACTIVITIES,
        buttons[0]["value"],
        ANNA,
        message_ts=str(confirm.response["ts"]),
        thread_ts=thread,
    )
    slack.click(
        ACTION_CONFIRM_ACTIVITIES,
        buttons[0]["value"],
        ANNA,
        message_ts=str(confirm.response["ts"]),
        thread_ts=thread,
    )
    confirmed = [t for t in texts(slack.posts(CHANNEL, thread)) if "bekräftade" in t]
    assert len(confirmed) == 1  # the second click is the same action: nothing new

    slack.command("stäng 1")
    slack.command(FOLLOW, trigger_id="T-follow")
    second = latest_thread(slack, ANNA)
    assert second != thread
    first_prompt = texts(slack.posts(CHANNEL, second))[-1]
    assert "Uppföljning av aktiviteter (2 kvar)" in first_prompt
    assert "Ny bemanningsplan" in first_prompt
    slack.say(ANNA, "klar", second)
    slack.say(ANNA, "pågår – väntar på budget", second)
    after = texts(slack.posts(CHANNEL, second))
    assert any("Ny bemanningsplan" in t and "klar" in t for t in after[1:])
    question = after[-1]
    assert "Fråga 1 av 3" in question and "Hur går det?" in question
    assert "Planeringsdialog" in question and "Ny bemanningsplan" in question  # the plan as context

    slack.command("aktiviteter hemtjanst-norr", user=ANNA)
    listing = slack.responses(ANNA)[-1]
    assert "*Aktiviteter för Hemtjänst Norr*" in listing
    assert "• Ny bemanningsplan (ansvarig: Anna) — _klar_" in listing
    assert "Följa upp sjukfrånvaron månadsvis — _pågår_: väntar på budget" in listing
    slack.command("aktiviteter", user=ANNA)
    assert slack.responses(ANNA)[-1] == listing


def test_an_activities_answer_redelivered_or_edited_keeps_one_list_and_one_confirmation(
    slack: SlackHarness,
) -> None:
    slack.command(PLAN, trigger_id="T-plan")
    thread = latest_thread(slack, ANNA)
    for text in PLAN_ANSWERS[:3]:
        slack.say(ANNA, text, thread)
    ts = slack.say(ANNA, PLAN_ANSWERS[3], thread)
    # Slack retries the activities answer (a new envelope): nothing is stored or posted twice.
    again = message_event(text=PLAN_ANSWERS[3], user=ANNA, channel=CHANNEL, thread_ts=thread, ts=ts)
    assert slack.event(again, retry=1).status == 200
    posted = texts(slack.posts(CHANNEL, thread))
    confirmations = [t for t in posted if "Jag uppfattade följande aktiviteter" in t]
    assert len(confirmations) == 1
    assert "(2 st)" in confirmations[0]
    assert "• Ny bemanningsplan (ansvarig: Anna)" in confirmations[0]
    assert "• Följa upp sjukfrånvaron månadsvis" in confirmations[0]
    assert sum("Fråga 5 av 5" in t for t in posted) == 1
    activities = slack.services.activities.activities(DEFAULT_TEAM_ID, "hemtjanst-norr")
    assert [(a.title, a.owner, a.status) for a in activities] == [
        ("Ny bemanningsplan", "Anna", "proposed"),
        ("Följa upp sjukfrånvaron månadsvis", None, "proposed"),
    ]

    # Editing the answer reads the list again: the old activities go, the new ones are
    # proposed (the thread gets the edit's acknowledgement, no second list).
    edited = "- Ny bemanningsplan (ansvarig: Eva)"
    slack.event(
        message_changed_event(
            channel=CHANNEL,
            ts=ts,
            text=edited,
            previous_text=PLAN_ANSWERS[3],
            user=ANNA,
            thread_ts=thread,
        )
    )
    activities = slack.services.activities.activities(DEFAULT_TEAM_ID, "hemtjanst-norr")
    assert [(a.title, a.owner, a.status) for a in activities] == [
        ("Ny bemanningsplan", "Eva", "proposed")
    ]
    confirmations = [
        t for t in texts(slack.posts(CHANNEL, thread)) if "Jag uppfattade följande" in t
    ]
    assert len(confirmations) == 1


def test_a_manager_corrects_the_proposed_list_in_a_modal(slack: SlackHarness) -> None:
    thread = answer_plan(slack)
    confirm = next(c for c in slack.posts(CHANNEL, thread) if "Jag uppfattade" in texts([c])[0])
    value = confirm.arg_json("blocks")[-1]["elements"][1]["value"]
    slack.click(
        ACTION_CORRECT_ACTIVITIES,
        value,
        ANNA,
        message_ts=str(confirm.response["ts"]),
        thread_ts=thread,
    )
    view = slack.fake.delivered("views.open")[-1].arg_json("view")
    assert view["callback_id"] == VIEW_ACTIVITIES
    field = view["blocks"][0]["element"]
    assert field["initial_value"].splitlines() == [
        "- Ny bemanningsplan (ansvarig: Anna)",
        "- Följa upp sjukfrånvaron månadsvis",
    ]
    values = {
        "activities": {
            "list": {
                "type": "plain_text_input",
                "value": "- Ny bemanningsplan <!here> (ansvarig: Eva)",
            }
        }
    }
    slack.submit(
        VIEW_ACTIVITIES, ANNA, values, private_metadata=view["private_metadata"], view_id="V0ACT"
    )
    corrected = texts(slack.posts(CHANNEL, thread))[-1]
    assert "Listan är rättad (1 st)" in corrected
    assert "&lt;!here&gt;" in corrected and "<!here>" not in corrected
    activities = slack.services.activities.activities(DEFAULT_TEAM_ID, "hemtjanst-norr")
    assert [(a.title, a.owner, a.status) for a in activities] == [
        ("Ny bemanningsplan <!here>", "Eva", "open")
    ]


def test_export_posts_the_documentation_to_the_channel(slack: SlackHarness) -> None:
    answer_plan(slack)
    slack.command("export 1 docx", user=ANNA)
    assert "bara processtöd" in slack.responses(ANNA)[-1]
    assert not slack.fake.uploaded_files()
    slack.command("export 1 docx")
    assert "Dokumentationen av runda 1 ligger nu i <#C0LEDNING>" in slack.responses()[-1]
    files = slack.fake.uploaded_files()
    assert len(files) == 1 and files[0].filename.endswith(".docx")
    assert files[0].channel_id == CHANNEL or CHANNEL in json.dumps(files[0].channels)
    assert files[0].data is not None
    document = Document(io.BytesIO(files[0].data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Vi finns till för äldre i norra stan." in text
    slack.command("export 1 md")
    markdown = slack.fake.uploaded_files()[-1]
    assert markdown.filename.endswith(".md") and "Ny bemanningsplan" in markdown.text
