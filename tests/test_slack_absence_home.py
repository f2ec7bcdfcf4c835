"""Absence from the App Home tab: the "Frånvaro" section, the "Registrera frånvaro"
modal and the "Ta bort" buttons, through signed requests against the fake Slack Web API.
The clock stands at Monday 3 May 2027 (conftest)."""

from __future__ import annotations

from typing import Any

from fakes.signing import DEFAULT_TEAM_ID, app_home_opened_event
from support.slack import ANNA, BJORN, CECILIA, PROCESS_SUPPORT, SlackHarness

from bot.slack.absence_home import OPEN, REMOVE, VIEW

HOME = {"id": "V0HOME", "type": "home"}


def _home(slack: SlackHarness, user: str) -> dict[str, Any]:
    published = [c for c in slack.fake.delivered("views.publish") if c.args.get("user_id") == user]
    return dict(published[-1].arg_json("view"))


def _absence_section(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks from the "Frånvaro" header to the register button."""
    out: list[dict[str, Any]] = []
    inside = False
    for block in view["blocks"]:
        if block["type"] == "header" and block["text"]["text"] == "Frånvaro":
            inside = True
        if inside:
            out.append(block)
            if block.get("block_id") == "absence_actions":
                return out
    return out


def _text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(str((b.get("text") or {}).get("text", "")) for b in blocks)


def _remove_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b["accessory"] for b in blocks if (b.get("accessory") or {}).get("action_id") == REMOVE]


def _values(
    starts_on: str | None,
    ends_on: str | None,
    deputy: str | None = None,
    person: str | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    values: dict[str, dict[str, dict[str, Any]]] = {
        "starts_on": {"value": {"type": "datepicker", "selected_date": starts_on}},
        "ends_on": {"value": {"type": "datepicker", "selected_date": ends_on}},
        "deputy": {"value": {"type": "users_select", "selected_user": deputy}},
    }
    if person is not None:
        values["person"] = {"value": {"type": "users_select", "selected_user": person}}
    return values


def _stored(slack: SlackHarness, user: str) -> list[tuple[str, str, str | None]]:
    listed = slack.services.absences.listed(DEFAULT_TEAM_ID, None, user)
    return [(a.starts_on.isoformat(), a.ends_on.isoformat(), a.deputy) for _, a in listed]


def test_a_manager_registers_an_absence_with_a_deputy_from_home(slack: SlackHarness) -> None:
    slack.event(app_home_opened_event(user=ANNA))
    section = _absence_section(_home(slack, ANNA))
    assert "Ingen frånvaro registrerad." in _text(section)
    button = section[-1]["elements"][0]
    assert button["action_id"] == OPEN

    slack.click(OPEN, button["value"], ANNA, view=HOME)
    modal = slack.fake.delivered("views.open")[-1].arg_json("view")
    assert modal["callback_id"] == VIEW
    fields = {b["block_id"]: b["element"]["type"] for b in modal["blocks"]}
    assert fields == {"starts_on": "datepicker", "ends_on": "datepicker", "deputy": "users_select"}

    reply = slack.submit(VIEW, ANNA, _values("2027-07-01", "2027-08-09", deputy=BJORN))
    assert reply.status == 200 and "errors" not in reply.body
    assert _stored(slack, ANNA) == [("2027-07-01", "2027-08-09", BJORN)]
    # A redelivered submission is the same absence.
    slack.submit(VIEW, ANNA, _values("2027-07-01", "2027-08-09", deputy=BJORN))
    assert len(_stored(slack, ANNA)) == 1

    section = _absence_section(_home(slack, ANNA))
    assert "*Anna Andersson*: 2027-07-01 – 2027-08-09 (ersättare: Björn Svensson)" in _text(section)
    assert len(_remove_buttons(section)) == 1


def test_a_refused_period_shows_on_its_field_and_stores_nothing(slack: SlackHarness) -> None:
    reply = slack.submit(VIEW, ANNA, _values("2027-08-09", "2027-07-01"))
    assert reply.status == 200
    assert "slutar (2027-07-01) före den börjar (2027-08-09)" in reply.json()["errors"]["ends_on"]

    reply = slack.submit(VIEW, ANNA, _values("2027-04-01", "2027-04-05"))
    assert "ends_on" in reply.json()["errors"]

    reply = slack.submit(VIEW, ANNA, _values("2027-07-01", "2027-07-10", deputy=ANNA))
    assert set(reply.json()["errors"]) == {"deputy"}

    reply = slack.submit(VIEW, ANNA, _values(None, "not a date"))
    assert set(reply.json()["errors"]) == {"starts_on", "ends_on"}

    slack.submit(VIEW, ANNA, _values("2027-07-01", "2027-07-10"))
    reply = slack.submit(VIEW, ANNA, _values("2027-07-05", "2027-07-20"))
    assert "2027-07-01" in reply.json()["errors"]["starts_on"]
    assert _stored(slack, ANNA) == [("2027-07-01", "2027-07-10", None)]


def test_a_process_support_registers_for_a_manager_and_sees_every_absence(
    slack: SlackHarness,
) -> None:
    slack.click(OPEN, "open", PROCESS_SUPPORT, view=HOME)
    modal = slack.fake.delivered("views.open")[-1].arg_json("view")
    assert "person" in {b["block_id"] for b in modal["blocks"]}

    reply = slack.submit(
        VIEW, PROCESS_SUPPORT, _values("2027-06-01", "2027-06-10", deputy=CECILIA, person=ANNA)
    )
    assert reply.status == 200 and "errors" not in reply.body
    assert _stored(slack, ANNA) == [("2027-06-01", "2027-06-10", CECILIA)]
    assert _stored(slack, PROCESS_SUPPORT) == []
    slack.submit(VIEW, BJORN, _values("2027-09-01", "2027-09-03"))
    slack.event(app_home_opened_event(user=PROCESS_SUPPORT))

    section = _absence_section(_home(slack, PROCESS_SUPPORT))
    text = _text(section)
    assert "*Anna Andersson*: 2027-06-01 – 2027-06-10" in text
    assert "*Björn Svensson*: 2027-09-01 – 2027-09-03" in text
    # Anna's own Home was refreshed too and shows only hers.
    anna = _text(_absence_section(_home(slack, ANNA)))
    assert "2027-06-01 – 2027-06-10" in anna and "Björn" not in anna


def test_an_absence_is_removed_with_its_home_button(slack: SlackHarness) -> None:
    slack.submit(VIEW, ANNA, _values("2027-07-01", "2027-07-10"))
    slack.submit(VIEW, ANNA, _values("2027-10-01", "2027-10-05"))
    slack.event(app_home_opened_event(user=ANNA))
    buttons = _remove_buttons(_absence_section(_home(slack, ANNA)))
    assert len(buttons) == 2
    assert buttons[0]["confirm"]["title"]["text"] == "Ta bort frånvaron?"

    # Bjorn (a manager) cannot remove Anna's absence with a forged click.
    slack.click(REMOVE, buttons[0]["value"], BJORN, view=HOME)
    assert len(_stored(slack, ANNA)) == 2
    refusal = slack.posts(slack.fake.dm_channel_id(BJORN))[-1].args["text"]
    assert "bara processtöd och administratörer" in refusal

    slack.click(REMOVE, buttons[0]["value"], ANNA, view=HOME)
    slack.click(REMOVE, buttons[0]["value"], ANNA, view=HOME)  # clicked twice
    assert _stored(slack, ANNA) == [("2027-10-01", "2027-10-05", None)]
    text = _text(_absence_section(_home(slack, ANNA)))
    assert "2027-07-01" not in text and "2027-10-01 – 2027-10-05" in text

    for value in ("abc", "-1", "99999999999999999999", ""):
        assert slack.click(REMOVE, value, ANNA, view=HOME).status == 200
    assert len(_stored(slack, ANNA)) == 1

    # A process support removes anyone's.
    buttons = _remove_buttons(_absence_section(_home(slack, ANNA)))
    slack.click(REMOVE, buttons[0]["value"], PROCESS_SUPPORT, view=HOME)
    assert _stored(slack, ANNA) == []


def test_a_manager_cannot_register_for_someone_else(slack: SlackHarness) -> None:
    reply = slack.submit(VIEW, ANNA, _values("2027-07-01", "2027-07-10", person=BJORN))
    assert "bara processtöd och administratörer" in reply.json()["errors"]["person"]
    assert _stored(slack, BJORN) == []
