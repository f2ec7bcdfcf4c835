"""A whole dialog round on Microsoft Teams, over HTTP against the fake Bot Connector: the
SDK's real token check, the handler, the outbox and the Connector calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fakes.teams.connector import DEFAULT_TENANT
from fakes.teams.harness import TeamsHarness
from support.sample import load_sample_org

from bot.clock import FixedClock
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services
from bot.services.round_starts import START_GRACE, START_LEASE
from bot.teams.handler import TeamsHandler

CHANNEL = "19:ledning@thread.tacv2"
SUPPORT = "U0PROC01"
MANAGERS = ["U0ENHHTN", "U0ENHHTS", "U0ENHSOL", "U0ENHFSS", "U0ENHBOU"]
START = f'dialog start avstamning enheter:"Socialförvaltningen" kanal:{CHANNEL} deadline:2027-05-20'


@pytest.fixture
def teams(make_services: Callable[[], Services]) -> Iterator[TeamsHarness]:
    """The Teams bot on the sample organisation (workspace = the tenant)."""
    services = make_services()
    load_sample_org(services, DEFAULT_TENANT)
    with TeamsHarness(services) as harness:
        harness.fake.add_channel(CHANNEL)
        yield harness


def _cards(h: TeamsHarness, user: str) -> list[dict[str, Any]]:
    return [m for m in h.chat(user) if h.card_of(m) is not None]


def _last_question(h: TeamsHarness, user: str) -> dict[str, Any]:
    return [m for m in _cards(h, user) if "Hoppa över" in h.buttons(m)][-1]


def _answers(h: TeamsHarness, user: str) -> dict[str, str]:
    pid = _pid(h, user)
    return h.services.queries.answers_of(DEFAULT_TENANT, pid)


def _pid(h: TeamsHarness, user: str) -> int:
    found = h.services.queries.open_participations_for(DEFAULT_TENANT, user)
    return found[0].participation_id


def test_a_full_round_on_teams(teams: TeamsHarness) -> None:
    h = teams
    for user in [SUPPORT, *MANAGERS]:
        h.install(user)

    # A process support starts the round from the personal chat.
    response = h.say(SUPPORT, START)
    assert response.status_code == 200
    assert "har startat med 5 chefer" in h.texts(h.chat(SUPPORT)[-1])
    announcement = h.fake.messages(CHANNEL)
    assert len(announcement) == 1 and "har startat" in h.texts(announcement[0])
    for user in MANAGERS:
        first = _last_question(h, user)
        assert "Fråga 1 av 3" in h.texts(first)
        assert set(h.buttons(first)) == {"Hoppa över", "Svara i formulär", "Klar"}

    # Four managers answer in their personal chats, one activity twice (same id).
    anna = MANAGERS[0]
    conv = h.fake.personal_chat_of(f"29:{anna}")
    assert conv is not None
    first_answer = h.activity(anna, conv, text="Budgeten håller, 3 < 5.", activity_id="111")
    assert h.post(first_answer).status_code == 200
    assert h.post(first_answer).status_code == 200  # Teams delivers it again
    h.settle()
    assert _answers(h, anna) == {"hur_gar_det": "Budgeten håller, 3 < 5."}
    questions = [m for m in _cards(h, anna) if "Fråga 2 av 3" in h.texts(m)]
    assert len(questions) == 1, "a redelivery plans nothing new"
    answered = _cards(h, anna)[0]
    assert answered.get("updated") and "✓ Besvarad" in h.texts(answered)
    assert not h.buttons(answered), "the answered card loses its buttons (PUT)"

    for user in MANAGERS[:4]:
        if user != anna:
            h.say(user, f"Läget hos {user} är stabilt.")
        h.say(user, "Analysen: bemanningen räcker.")
        h.say(user, "- Ny bemanningsplan (ansvarig: Anna)\n- Hälsosamtal")
        assert "Stämmer" in h.buttons(h.chat(user)[-1]) or "Klar" not in h.buttons(h.chat(user)[-1])

    # One manager edits an answer, another deletes one.
    edit = h.activity(
        anna,
        conv,
        kind="messageUpdate",
        text="Budgeten håller nästan.",
        activity_id="111",
        extra={"channelData": {"eventType": "editMessage", "tenant": {"id": DEFAULT_TENANT}}},
    )
    assert h.post(edit).status_code == 200
    h.settle()
    assert _answers(h, anna)["hur_gar_det"] == "Budgeten håller nästan."
    assert any("är uppdaterat" in h.texts(m) for m in h.chat(anna))
    assert "Budgeten håller nästan." in h.texts(_cards(h, anna)[0])

    # The fifth manager answers through the form.
    form_user = MANAGERS[4]
    buttons = h.buttons(_last_question(h, form_user))
    h.click(form_user, buttons["Svara i formulär"])
    form = h.card_of(h.chat(form_user)[-1])
    assert form is not None
    inputs = [b["id"] for b in form["body"] if b["type"] == "Input.Text"]
    assert inputs == ["a_hur_gar_det", "a_analys", "a_vidare_aktiviteter"]
    submit = form["actions"][0]["data"]
    h.click(form_user, submit, a_hur_gar_det="Bra.", a_analys="Stabilt.", a_vidare_aktiviteter="")
    assert _answers(h, form_user) == {"hur_gar_det": "Bra.", "analys": "Stabilt."}
    assert any("Formulärets svar är sparade" in h.texts(m) for m in h.chat(form_user))

    # Reminders go to those who have not finished.
    h.say(SUPPORT, "dialog påminn")
    assert "Påminnelser skickade till" in h.texts(h.chat(SUPPORT)[-1])
    assert any("Påminnelse om" in h.texts(m) for m in h.chat(form_user))

    # Close: the summary with the roll-up in the channel.
    h.say(SUPPORT, "dialog stäng")
    summary = h.fake.messages(CHANNEL)[1:]
    text = "\n".join(h.texts(m) for m in summary)
    assert "Sammanfattning" in text
    assert "Äldreomsorg" in text and "Budgeten håller nästan." in text
    assert "Analysen: bemanningen räcker." in text

    assert h.fake.spec_violations == []
    assert h.fake.card_violations == []
    assert h.fake.limit_hits == []
    # Answers never reach the log as text (the handler logs keys and ids only).


def test_an_answer_after_close_is_refused(teams: TeamsHarness) -> None:
    h = teams
    for user in [SUPPORT, MANAGERS[0]]:
        h.install(user)
    h.say(SUPPORT, START)
    h.say(SUPPORT, "dialog stäng")
    h.say(MANAGERS[0], "Sent svar")
    assert "inga obesvarade" in h.texts(h.chat(MANAGERS[0])[-1])


def test_someone_without_the_role_cannot_start(teams: TeamsHarness) -> None:
    h = teams
    h.say(MANAGERS[0], START)
    assert h.services.queries.rounds(DEFAULT_TENANT) == []
    assert "processtöd" in h.texts(h.chat(MANAGERS[0])[-1]).lower()


def test_a_command_in_a_channel_and_a_deleted_answer(teams: TeamsHarness) -> None:
    h = teams
    manager = MANAGERS[0]
    h.install(manager)
    thread = f"{CHANNEL};messageid=1700000000555"
    command = h.activity(
        SUPPORT,
        thread,
        text='<at>Dialogbot</at> dialog start avstamning enheter:"Hemtjänst Norr"',
        conversation_type="channel",
        extra={"channelData": {"tenant": {"id": DEFAULT_TENANT}, "channel": {"id": CHANNEL}}},
    )
    assert h.post(command).status_code == 200
    h.settle()
    assert "har startat med 1 chefer" in h.texts(h.fake.messages(thread)[-1])
    info = h.services.queries.rounds(DEFAULT_TENANT)[0]
    assert info.group_ref == CHANNEL

    conv = h.fake.personal_chat_of(f"29:{manager}")
    assert conv is not None
    assert (
        h.post(h.activity(manager, conv, text="Ett svar som ångras", activity_id="222")).status_code
        == 200
    )
    h.settle()
    assert _answers(h, manager) == {"hur_gar_det": "Ett svar som ångras"}
    deleted = h.activity(
        manager,
        conv,
        kind="messageDelete",
        activity_id="222",
        extra={"channelData": {"eventType": "softDeleteMessage", "tenant": {"id": DEFAULT_TENANT}}},
    )
    assert h.post(deleted).status_code == 200
    h.settle()
    assert _answers(h, manager) == {}
    assert any("är borttaget" in h.texts(m) for m in h.chat(manager))


def test_the_documentation_through_a_signed_link(teams: TeamsHarness) -> None:
    import re

    from bot.teams.links import make_link

    h = teams
    for user in [SUPPORT, MANAGERS[0]]:
        h.install(user)
    h.say(SUPPORT, START)
    h.say(MANAGERS[0], "Budgeten håller.")
    h.say(SUPPORT, "dialog export")
    text = h.texts(h.chat(SUPPORT)[-1])
    found = re.search(r"\((http://[^)]+)\)", text)
    assert found is not None, text
    url = found.group(1)
    response = h.http.get(url)
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert "attachment" in response.headers["content-disposition"]

    assert h.http.get(url.replace("sig=", "sig=0")).status_code == 403
    assert h.http.get(url.replace("/exports/1.docx", "/exports/2.docx")).status_code == 403
    old = make_link(h.url, "not-used", DEFAULT_TENANT, 1, 1, now=0)
    assert h.http.get(old).status_code == 403, "expired"

    h.say(MANAGERS[0], "dialog export")
    assert "processtöd" in h.texts(h.chat(MANAGERS[0])[-1]).lower()


def test_a_start_redelivered_by_teams_starts_one_round(teams: TeamsHarness) -> None:
    h = teams
    for user in [SUPPORT, *MANAGERS]:
        h.install(user)
    conversation = h.fake.personal_chat_of(f"29:{SUPPORT}")
    assert conversation is not None
    command = h.activity(SUPPORT, conversation, text=START)
    # Teams delivers the same activity again (no answer in time, say), once while the
    # first is under way and once after.
    assert h.post(command).status_code == 200
    assert h.post(command).status_code == 200
    h.settle()
    assert h.post(command).status_code == 200
    h.settle()
    assert len(h.services.queries.rounds(DEFAULT_TENANT)) == 1
    started = [m for m in h.chat(SUPPORT) if "har startat" in h.texts(m)]
    assert len(started) == 1
    assert len(h.fake.messages(CHANNEL)) == 1
    assert all(len(_cards(h, user)) == 1 for user in MANAGERS)


def test_a_crash_between_the_response_and_the_start_is_started_once_by_the_scheduler(
    teams: TeamsHarness, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    h = teams
    for user in [SUPPORT, *MANAGERS]:
        h.install(user)
    # The process dies right after answering: the work after the response never runs.
    monkeypatch.setattr(TeamsHandler, "_carry_out", lambda *args: None)
    h.say(SUPPORT, START)
    assert h.services.queries.rounds(DEFAULT_TENANT) == []
    scheduler = Scheduler(h.services, h.bot.notifier)
    assert scheduler.run_due() == (0, 0)  # within the grace the answering process has it
    clock.advance(START_GRACE + timedelta(seconds=1))
    assert scheduler.run_due() == (1, 0)
    [info] = h.services.queries.rounds(DEFAULT_TENANT)
    assert all(len(_cards(h, user)) == 1 for user in MANAGERS)
    assert len(h.fake.messages(CHANNEL)) == 1
    # The starter hears it in the personal chat, once.
    told = [h.texts(m) for m in h.chat(SUPPORT) if "har startat" in h.texts(m)]
    assert told == [f"Runda {info.round_id} ({info.title}) har startat med 5 chefer."]
    clock.advance(START_LEASE * 2)
    assert scheduler.run_due() == (0, 0)
    assert len([m for m in h.chat(SUPPORT) if "har startat" in h.texts(m)]) == 1


def test_a_start_creates_each_missing_personal_chat_once(teams: TeamsHarness) -> None:
    h = teams
    h.install(SUPPORT)  # the managers have not written to the bot: no chat yet
    h.say(SUPPORT, START)
    assert all(len(_cards(h, user)) == 1 for user in MANAGERS)
    created = [
        c
        for c in h.fake.calls
        if c.method == "POST" and c.path == "/v3/conversations" and not c.body.get("isGroup")
    ]
    # Created while the round was being stored, and not again by the posts.
    assert sorted(c.body["members"][0]["id"] for c in created) == sorted(
        f"8:orgid:{user}" for user in MANAGERS
    )
    assert h.fake.limit_hits == []
