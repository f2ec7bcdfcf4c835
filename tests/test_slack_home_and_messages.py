"""App Home and messages for the two roles: the process support's Home (start button,
upcoming scheduled rounds, response rate and deadline), the start modal (explained fields,
a suggested deadline, past deadlines refused, units found by typing), the manager's Home,
reminders that say what is left and link to the thread, and the recap on finishing."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any

from fakes.signing import DEFAULT_TEAM_ID, FORM, app_home_opened_event, block_suggestion_body
from sqlalchemy import text
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, SlackHarness, texts

from bot.domain.collation import sort_key
from bot.org_import import parse_yaml
from bot.schedule.config import load_preset
from bot.services.container import Services
from bot.slack.blocks import ACTION_FORM, VIEW_FORM, VIEW_START

HOME_START = "home_start"


def fold(text: str) -> str:
    """``text`` without case or accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'


def _home(slack: SlackHarness, user: str) -> list[dict[str, Any]]:
    slack.event(app_home_opened_event(user=user))
    publish = slack.fake.delivered("views.publish")[-1]
    assert publish.args["user_id"] == user
    blocks: list[dict[str, Any]] = publish.arg_json("view")["blocks"]
    return blocks


def _start_values(deadline: str | None) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "template": {
            "value": {"type": "static_select", "selected_option": {"value": "avstamning"}}
        },
        "units": {
            "value": {
                "type": "multi_external_select",
                "selected_options": [{"value": "aldreomsorg"}],
            }
        },
        "channel": {"value": {"type": "conversations_select", "selected_conversation": CHANNEL}},
        "deadline": {"value": {"type": "datepicker", "selected_date": deadline}},
        "lang": {"value": {"type": "static_select", "selected_option": {"value": "sv"}}},
        "delivery": {"value": {"type": "radio_buttons", "selected_option": {"value": "channel"}}},
        "level": {"value": {"type": "static_select", "selected_option": {"value": "enhet"}}},
    }


def _suggest(slack: SlackHarness, typed: str, user: str = PROCESS_SUPPORT) -> list[dict[str, Any]]:
    body = block_suggestion_body(
        action_id="value",
        block_id="units",
        value=typed,
        user_id=user,
        team_id=DEFAULT_TEAM_ID,
        view={"callback_id": VIEW_START},
    )
    reply = slack.signed(body, FORM)
    assert reply.status == 200
    options: list[dict[str, Any]] = reply.json()["options"]
    return options


def _add_units(services: Services, count: int) -> None:
    """The sample municipality grown to ``count`` more enheter under Äldreomsorg."""
    stems = ["Hemtjänst", "Ängshemmet", "Åhem", "Solhemmet", "Skolan", "hemsjukvård", "Öhem"]
    units = "\n".join(
        f"  - {{key: extra-{i}, name: {stems[i % len(stems)]} {i:03d}, level: enhet,"
        " parent: aldreomsorg}"
        for i in range(count)
    )
    text = (
        "levels:\n  - {key: avdelning, name: Avdelning}\n  - {key: enhet, name: Enhet}\n"
        f"units:\n  - {{key: aldreomsorg, name: Äldreomsorg, level: avdelning}}\n{units}\n"
    )
    services.organisation.import_org(DEFAULT_TEAM_ID, parse_yaml(text, "extra.yaml"), "extra.yaml")


# Process support's Home ---------------------------------------------------------------


def test_process_support_home_has_start_button_upcoming_rounds_rate_and_deadline(
    slack: SlackHarness,
) -> None:
    slack.services.schedule.save(DEFAULT_TEAM_ID, load_preset(), "preset")
    slack.command(START)
    slack.say(ANNA, "Svar", slack.thread_of(ANNA))

    blocks = _home(slack, PROCESS_SUPPORT)
    body = json.dumps(blocks, ensure_ascii=False)
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    start = [b for b in buttons if b["action_id"] == HOME_START]
    assert len(start) == 1 and start[0]["text"]["text"] == "Starta runda"
    # the next rounds of the årsschema after "now" (Monday 3 May 2027, 09:00)
    assert "Kommande rundor enligt årsschemat" in body
    assert (
        "*Avstämningsdialog kommunstyrelsen ↔ nämnder (tertial 1)* startar "
        "måndag 7 juni 2027 09:00, sista dag måndag 21 juni 2027 17:00"
    ) in body
    # the open round: response rate and deadline (Anna of three managers has answered)
    assert "Svarsfrekvens 33 % (1 av 3 chefer har svarat), sista dag lördag 15 maj 17:00" in body
    # closing still asks first
    close = [b for b in buttons if b["action_id"] == "home_close"]
    assert close and close[0]["confirm"]["title"]["text"]

    slack.click(HOME_START, "start", PROCESS_SUPPORT, view={"id": "V0HOME", "type": "home"})
    opened = slack.fake.delivered("views.open")
    assert len(opened) == 1 and opened[0].arg_json("view")["callback_id"] == VIEW_START


def test_home_says_when_there_is_no_schedule_and_managers_get_no_start_button(
    slack: SlackHarness,
) -> None:
    body = json.dumps(_home(slack, PROCESS_SUPPORT), ensure_ascii=False)
    assert "Inga schemalagda rundor" in body and HOME_START in body

    assert HOME_START not in json.dumps(_home(slack, ANNA))
    slack.click(HOME_START, "start", ANNA, view={"id": "V0HOME", "type": "home"})
    assert slack.fake.delivered("views.open") == []
    assert "bara processtöd" in slack.posts(slack.fake.dm_channel_id(ANNA))[-1].args["text"]


def test_home_says_in_swedish_why_a_stored_schedule_cannot_be_planned(
    slack: SlackHarness,
) -> None:
    slack.services.schedule.save(DEFAULT_TEAM_ID, load_preset(), "preset")
    # A stored body that no longer validates (as after an upgrade that checks more).
    with slack.db.begin() as conn:
        conn.execute(
            text("UPDATE workspace_schedules SET body = :body"), {"body": '{"namn": "Gammalt"}'}
        )
    body = json.dumps(_home(slack, PROCESS_SUPPORT), ensure_ascii=False)
    assert "Årsschemat kan inte planeras:" in body
    assert "namn: okänt fält (tillåtna: timezone" in body
    assert "unknown field" not in body


# Manager's Home -----------------------------------------------------------------------


def test_manager_home_shows_what_is_left_and_the_deadline(slack: SlackHarness) -> None:
    slack.command(START)
    slack.say(ANNA, "Svar", slack.thread_of(ANNA))

    body = json.dumps(_home(slack, ANNA), ensure_ascii=False)
    assert "2 av 3 frågor kvar, sista dag lördag 15 maj 17:00" in body


# The start modal ----------------------------------------------------------------------


def test_start_modal_explains_its_fields_and_suggests_a_deadline(slack: SlackHarness) -> None:
    slack.command("start")
    view = slack.fake.delivered("views.open")[-1].arg_json("view")
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    level = inputs["level"]
    assert level["label"]["text"] != "Bara nivå"
    assert "nivå" in level["label"]["text"] and "under de valda enheterna" in level["hint"]["text"]
    # two weeks from Monday 3 May 2027; the hint says the time of day
    assert inputs["deadline"]["element"]["initial_date"] == "2027-05-17"
    assert "17.00" in inputs["deadline"]["hint"]["text"]
    units = inputs["units"]["element"]
    assert units["type"] == "multi_external_select" and "options" not in units


def test_start_modal_finds_units_by_typing_among_300(slack: SlackHarness) -> None:
    _add_units(slack.services, 300)

    options = _suggest(slack, "hem")
    names = [o["text"]["text"].rsplit(" (", 1)[0] for o in options]
    assert len(options) == 100  # Slack's limit; more than 100 units match
    assert all("hem" in fold(name) for name in names)
    assert names == sorted(names, key=sort_key)  # Swedish order: Å, Ä, Ö last
    # "hemsjukvård" before "Hemtjänst" (case does not decide), Å/Ä/Ö after Z
    assert names[0] == "hemsjukvård 005" and "Solhemmet 003" in names
    assert "Skolan 004" not in names and "Åhem 002" not in names
    assert {o["value"] for o in options} >= {"hemtjanst-norr", "hemtjanst-syd"}

    # case and accents do not matter; the rarer matches are all there
    assert [o["value"] for o in _suggest(slack, "ÖHEM 006")] == ["extra-6"]
    assert [o["value"] for o in _suggest(slack, "aldre")] == ["aldreomsorg"]
    schools = [o["value"] for o in _suggest(slack, "skolan")]
    assert len([v for v in schools if v.startswith("extra-")]) == 43  # every 7th of 300
    assert "ekskolan" in schools  # and the sample's own

    # someone who may not start rounds gets no list of units
    assert _suggest(slack, "hem", user=ANNA) == []


def test_start_modal_refuses_a_deadline_in_the_past(slack: SlackHarness) -> None:
    reply = slack.submit(VIEW_START, PROCESS_SUPPORT, _start_values("2027-05-02"))
    assert reply.json()["response_action"] == "errors"
    assert "redan passerat" in reply.json()["errors"]["deadline"]
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []

    reply = slack.submit(VIEW_START, PROCESS_SUPPORT, _start_values("2027-05-03"))
    assert reply.body == ""  # today at 17:00 still lies ahead
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1


# Reminders and the recap --------------------------------------------------------------


def test_reminder_says_how_many_questions_are_left_and_links_to_the_thread(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    slack.say(ANNA, "Svar", thread)
    slack.command("påminn")

    reminder = [t for t in texts(slack.posts(CHANNEL, thread)) if "Påminnelse" in t]
    assert len(reminder) == 1
    assert "2 av 3 frågor kvar, sista dag lördag 15 maj 17:00" in reminder[0]
    link = (
        f"https://{DEFAULT_TEAM_ID.lower()}.slack.com/archives/{CHANNEL}/p{thread.replace('.', '')}"
    )
    assert f"<{link}|Gå till din tråd>" in reminder[0]


def test_a_manager_who_finishes_gets_a_recap_with_a_way_to_change_an_answer(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    # as Slack delivers "Budgeten <håller> & mycket text …" (its markup escaped)
    slack.say(ANNA, "Budgeten &lt;håller&gt; &amp; " + "mycket text " * 40, thread)
    slack.say(ANNA, "Sjukfrånvaron sjunker", thread)
    slack.say(ANNA, "- Rekrytera", thread)

    recap = slack.posts(CHANNEL, thread)[-1]
    text = texts([recap])[0]
    assert "Så här svarade du:" in text
    assert "*1. Hur går det?*" in text
    shown = text.split("*1. Hur går det?*\n>", 1)[1].split("\n", 1)[0]
    assert shown.startswith("Budgeten &lt;håller&gt; &amp; mycket text")  # escaped once
    assert shown.endswith("…") and len(shown.replace("&lt;", "<").replace("&gt;", ">")) < 215
    assert "Sjukfrånvaron sjunker" in text
    assert "Redigera ditt meddelande i tråden" in text

    button = next(
        e for b in recap.arg_json("blocks") if b["type"] == "actions" for e in b["elements"]
    )
    assert button["action_id"] == ACTION_FORM
    slack.click(
        ACTION_FORM,
        button["value"],
        ANNA,
        message_ts=str(recap.response["ts"]),
        thread_ts=thread,
    )
    form = slack.fake.delivered("views.open")[-1].arg_json("view")
    assert form["callback_id"] == VIEW_FORM


def test_suggested_deadline_is_two_weeks_ahead_in_local_time() -> None:
    from datetime import UTC, datetime

    from bot.slack.start_form import suggested_deadline

    # 23:30 UTC on 2 May is already 3 May in Stockholm
    assert suggested_deadline(datetime(2027, 5, 2, 23, 30, tzinfo=UTC), "Europe/Stockholm") == (
        date(2027, 5, 17)
    )
