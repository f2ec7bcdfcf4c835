"""Starting a round from the modal, answering in the form modal, and the App Home tab."""

from __future__ import annotations

import json

from fakes.signing import DEFAULT_TEAM_ID, FORM, app_home_opened_event, block_suggestion_body
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, SlackHarness, start_form_values, texts

from bot.slack.blocks import ACTION_FORM, HOME_CLOSE, VIEW_FORM, VIEW_START


def test_start_modal_opens_and_submitting_it_starts_the_round_once(slack: SlackHarness) -> None:
    slack.command("start")
    opened = slack.fake.delivered("views.open")
    assert len(opened) == 1
    view = opened[0].arg_json("view")
    assert view["callback_id"] == VIEW_START
    assert view["blocks"][1]["element"]["type"] == "multi_external_select"
    typed = block_suggestion_body(
        action_id="value",
        block_id="units",
        value="äldre",
        user_id=PROCESS_SUPPORT,
        team_id=DEFAULT_TEAM_ID,
        view={"callback_id": VIEW_START},
    )
    unit_options = slack.signed(typed, FORM).json()["options"]
    assert [(o["text"]["text"], o["value"]) for o in unit_options] == [
        ("Äldreomsorg (Avdelning)", "aldreomsorg")
    ]

    for _ in range(2):  # the same submission delivered twice
        reply = slack.submit(
            VIEW_START,
            PROCESS_SUPPORT,
            start_form_values(["aldreomsorg"], "enhet", anonymous=True),
            view_id="V0START",
        )
        assert reply.status == 200
    rounds = slack.services.queries.rounds(DEFAULT_TEAM_ID)
    assert len(rounds) == 1
    info = rounds[0]
    assert info.anonymous and info.group_ref == CHANNEL
    assert (
        info.deadline_at is not None and info.deadline_at.isoformat() == "2027-11-01T16:00:00+00:00"
    )  # 17:00 CET
    # The form asked for threads in the channel, but an anonymous round goes by DM.
    assert info.delivery == "dm"
    top = [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")]
    assert len(top) == 1  # only the announcement


def test_start_modal_shows_a_refusal_in_the_form(slack: SlackHarness) -> None:
    reply = slack.submit(
        VIEW_START,
        PROCESS_SUPPORT,
        start_form_values(["hemtjanst-norr"], "forvaltning", anonymous=True),
    )
    assert reply.json()["response_action"] == "errors"
    assert "inga chefer" in reply.json()["errors"]["units"]
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    assert slack.posts() == []


def test_non_organiser_gets_no_start_modal(slack: SlackHarness) -> None:
    slack.command("start", user=ANNA)
    assert slack.fake.calls("views.open") == []
    assert "bara processtöd" in slack.responses(ANNA)[-1]


def test_form_modal_prefills_answers_and_keeps_too_long_ones(slack: SlackHarness) -> None:
    slack.command('start avstamning enheter:"Hemtjänst Norr"')
    thread = slack.thread_of(ANNA)
    long_answer = "Lång analys. " * 400  # over 3000 characters
    slack.say(ANNA, "Kort svar", thread)
    slack.say(ANNA, long_answer, thread)
    status = slack.services.queries.status(DEFAULT_TEAM_ID, 1)
    pid = status.units[0].participants[0].participation_id

    prompt_ts = str(slack.posts(CHANNEL, thread)[-1].response["ts"])
    slack.click(ACTION_FORM, str(pid), ANNA, message_ts=prompt_ts, thread_ts=thread)
    view = slack.fake.delivered("views.open")[-1].arg_json("view")
    assert view["callback_id"] == VIEW_FORM
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["q:hur_gar_det"]["element"]["initial_value"] == "Kort svar"
    assert "q:analys" not in inputs  # too long for an input: a note instead
    assert any(
        "längre än formuläret klarar" in b.get("text", {}).get("text", "") for b in view["blocks"]
    )
    assert all(b["element"]["max_length"] <= 3000 for b in inputs.values())

    values = {
        "q:hur_gar_det": {"answer": {"type": "plain_text_input", "value": "Bättre svar"}},
        "q:vidare_aktiviteter": {"answer": {"type": "plain_text_input", "value": "Rekrytera"}},
    }
    slack.submit(
        VIEW_FORM, ANNA, values, private_metadata=view["private_metadata"], view_id="V0FORM"
    )
    answers = slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid)
    assert answers == {
        "hur_gar_det": "Bättre svar",
        "analys": long_answer.strip(),
        "vidare_aktiviteter": "Rekrytera",
    }
    last = texts(slack.posts(CHANNEL, thread))[-3:]
    assert "Dina svar från formuläret är sparade" in last[0]
    assert "Jag uppfattade följande aktiviteter (1 st)" in last[1] and "• Rekrytera" in last[1]
    assert "Tack! Dina svar är sparade" in last[2]

    # Someone else cannot submit Anna's form.
    slack.submit(
        VIEW_FORM,
        PROCESS_SUPPORT,
        {"q:analys": {"answer": {"type": "plain_text_input", "value": "Kapat"}}},
        private_metadata=view["private_metadata"],
    )
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid)["analys"] == long_answer.strip()


def test_app_home_for_process_support_and_manager(slack: SlackHarness) -> None:
    slack.command('start avstamning enheter:"Äldreomsorg"')
    slack.say(ANNA, "Svar", slack.thread_of(ANNA))

    slack.event(app_home_opened_event(user=PROCESS_SUPPORT))
    home = slack.fake.delivered("views.publish")[-1]
    assert home.args["user_id"] == PROCESS_SUPPORT
    blocks = home.arg_json("view")["blocks"]
    body = json.dumps(blocks, ensure_ascii=False)
    assert "1 av 3 enheter har svarat" in body
    assert "Hemtjänst Norr: 1/3 frågor" in body
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["home_start", "home_remind", "home_close", "home_repost", "absence_open"]

    slack.event(app_home_opened_event(user=ANNA))
    anna_home = json.dumps(
        slack.fake.delivered("views.publish")[-1].arg_json("view"), ensure_ascii=False
    )
    assert "Dina obesvarade frågor" in anna_home and "2 av 3 frågor kvar" in anna_home
    assert "home_close" not in anna_home

    slack.click(HOME_CLOSE, "1", PROCESS_SUPPORT, view={"id": "V0HOME", "type": "home"})
    assert slack.services.queries.round_info(DEFAULT_TEAM_ID, 1).status == "closed"
    summary = [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")][-1]
    assert "Sammanfattning" in summary.args["text"]
    refreshed = json.dumps(
        slack.fake.delivered("views.publish")[-1].arg_json("view"), ensure_ascii=False
    )
    assert "Nyligen stängda rundor" in refreshed

    # A manager pressing a process-support button is refused in a DM.
    slack.click(HOME_CLOSE, "1", ANNA, view={"id": "V0HOME2", "type": "home"})
    assert "bara processtöd" in slack.posts(slack.fake.dm_channel_id(ANNA))[-1].args["text"]
