"""``dialog frånvaro`` in the Teams personal chat: the same command as Slack's ``/dialog
frånvaro``, a person named by an @mention (its ``mention`` entity carries the Entra object
id), over HTTP with signed tokens against the fake Bot Connector. The clock stands at
Monday 3 May 2027 (conftest)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakes.teams.connector import DEFAULT_TENANT
from fakes.teams.harness import TeamsHarness
from support.sample import load_sample_org

from bot.services.container import Services

SUPPORT = "U0PROC01"
ANNA = "U0ENHHTN"  # Anna Andersson, Hemtjänst Norr
BJORN = "U0ENHHTS"  # Björn Svensson, Hemtjänst Syd
CECILIA = "U0ENHSOL"  # Solgården


@pytest.fixture
def teams(make_services: Callable[[], Services]) -> Iterator[TeamsHarness]:
    services = make_services()
    load_sample_org(services, DEFAULT_TENANT)
    with TeamsHarness(services) as harness:
        yield harness


def _mention(user: str, name: str) -> dict[str, Any]:
    """A mention entity as Teams sends it with ``<at>name</at>`` in the text."""
    return {
        "type": "mention",
        "text": f"<at>{name}</at>",
        "mentioned": {"id": f"29:{user}", "name": name, "aadObjectId": user},
    }


def _said(h: TeamsHarness, user: str, text: str, *mentions: dict[str, Any]) -> str:
    """``user`` writes ``text``; the bot's reply in the personal chat."""
    before = len(h.chat(user))
    response = h.say(user, text, extra={"entities": list(mentions)} if mentions else None)
    assert response.status_code == 200, response.text
    replies = h.chat(user)[before:]
    assert len(replies) == 1, replies
    return h.texts(replies[0])


def test_a_manager_registers_lists_and_removes_an_own_absence(teams: TeamsHarness) -> None:
    h = teams
    said = _said(h, ANNA, "dialog frånvaro 2027-07-01 2027-08-09")
    assert said.startswith("Frånvaro registrerad för Anna Andersson: 2027-07-01 – 2027-08-09.")
    _said(h, ANNA, "dialog frånvaro 2027-10-01 2027-10-05")

    listing = _said(h, ANNA, "dialog frånvaro")
    assert "Registrerad frånvaro för Anna Andersson:" in listing
    assert "1. 2027-07-01 – 2027-08-09" in listing
    assert "2. 2027-10-01 – 2027-10-05" in listing

    removed = _said(h, ANNA, "dialog absence remove 1")
    assert "2027-07-01 – 2027-08-09 för Anna Andersson är borttagen" in removed
    listing = _said(h, ANNA, "dialog frånvaro")
    assert "1. 2027-10-01 – 2027-10-05" in listing and "2027-07-01" not in listing
    stored = h.services.absences.listed(DEFAULT_TENANT, ANNA)
    assert [p.starts_on.isoformat() for _, p in stored] == ["2027-10-01"]


def test_a_manager_cannot_register_someone_else(teams: TeamsHarness) -> None:
    h = teams
    said = _said(
        h,
        ANNA,
        "dialog frånvaro <at>Björn Svensson</at> 2027-07-01 2027-08-09",
        _mention(BJORN, "Björn Svensson"),
    )
    assert "bara processtöd och administratörer" in said
    assert _said(h, BJORN, "dialog frånvaro").startswith(
        "Ingen frånvaro registrerad för Björn Svensson."
    )


def test_a_process_support_registers_someone_with_a_deputy(teams: TeamsHarness) -> None:
    h = teams
    said = _said(
        h,
        SUPPORT,
        "dialog frånvaro <at>Anna Andersson</at> 2027-07-01 2027-08-09 ersättare "
        "<at>Björn Svensson</at>",
        _mention(ANNA, "Anna Andersson"),
        _mention(BJORN, "Björn Svensson"),
    )
    assert said == (
        "Frånvaro registrerad för Anna Andersson: 2027-07-01 – 2027-08-09. "
        "Ersättare: Björn Svensson. Inga påminnelser under tiden."
    )
    listing = _said(h, ANNA, "dialog frånvaro")
    assert "1. 2027-07-01 – 2027-08-09 (ersättare: Björn Svensson)" in listing
    [(_, stored)] = h.services.absences.listed(DEFAULT_TENANT, ANNA)
    assert (stored.person, stored.deputy) == (ANNA, BJORN)


def test_bad_dates_get_a_friendly_answer(teams: TeamsHarness) -> None:
    h = teams
    said = _said(h, ANNA, "dialog frånvaro 2027-08-09 2027-07-01")
    assert "slutar (2027-07-01) före den börjar (2027-08-09)" in said
    said = _said(h, ANNA, "dialog frånvaro 1 juli")
    assert "Ogiltigt värde" in said and "(ÅÅÅÅ-MM-DD)" in said
    assert "dialog frånvaro 2027-07-01 2027-08-09" in said
    said = _said(h, ANNA, "dialog frånvaro [klicka](https://evil.example) 2027-07-01")
    assert "[klicka](https" not in said and "klicka" in said  # shown, never a link
    assert _said(h, ANNA, "dialog frånvaro").startswith("Ingen frånvaro registrerad")


def test_a_mention_without_its_entity_never_means_the_sender(teams: TeamsHarness) -> None:
    h = teams
    said = _said(h, SUPPORT, "dialog frånvaro <at>Björn Svensson</at> 2027-07-01 2027-08-09")
    assert "Ogiltigt värde" in said
    assert h.services.absences.listed(DEFAULT_TENANT, SUPPORT) == []


def test_the_help_names_the_absence_command(teams: TeamsHarness) -> None:
    assert "dialog frånvaro" in _said(teams, ANNA, "dialog hjälp")
