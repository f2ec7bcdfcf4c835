"""The Teams edge: inbound tokens checked by the SDK against the fake's keys, the tenant
as the workspace, and the adapter's service boundary."""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.teams.connector import DEFAULT_TENANT
from fakes.teams.harness import TeamsHarness
from support.sample import load_sample_org

from bot.services.container import Services

SUPPORT = "U0PROC01"
MANAGER = "U0ENHHTN"
START = 'dialog start avstamning enheter:"Hemtjänst Norr" kanal:19:ledning@thread.tacv2'


@pytest.fixture
def teams(make_services: Callable[[], Services]) -> Iterator[TeamsHarness]:
    """The Teams bot with an open round for one manager."""
    services = make_services()
    load_sample_org(services, DEFAULT_TENANT)
    with TeamsHarness(services) as harness:
        harness.fake.add_channel("19:ledning@thread.tacv2")
        harness.install(SUPPORT)
        harness.install(MANAGER)
        harness.say(SUPPORT, START)
        yield harness


def _answer(h: TeamsHarness, text: str = "Mitt svar") -> dict[str, Any]:
    conversation = h.fake.personal_chat_of(f"29:{MANAGER}")
    assert conversation is not None
    return h.activity(MANAGER, conversation, text=text)


def _stored(h: TeamsHarness) -> dict[str, str]:
    found = h.services.queries.open_participations_for(DEFAULT_TENANT, MANAGER)
    return h.services.queries.answers_of(DEFAULT_TENANT, found[0].participation_id)


def test_a_valid_token_is_accepted(teams: TeamsHarness) -> None:
    assert teams.post(_answer(teams)).status_code == 200
    teams.settle()
    assert _stored(teams) == {"hur_gar_det": "Mitt svar"}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda f: f.inbound_token(aud="someone-else"), id="wrong-audience"),
        pytest.param(lambda f: f.inbound_token(iss="https://evil.example.org"), id="wrong-issuer"),
        pytest.param(
            lambda f: f.inbound_token(
                exp=int(time.time()) - 3600,
                iat=int(time.time()) - 7200,
                nbf=int(time.time()) - 7200,
            ),
            id="expired",
        ),
        pytest.param(lambda f: f.inbound_token(unknown_key=True), id="unknown-key"),
        pytest.param(
            lambda f: f.inbound_token(serviceurl="https://other.example.org"),
            id="serviceurl-not-the-activity's",
        ),
        pytest.param(lambda f: None, id="no-header"),
        pytest.param(lambda f: "not-a-jwt", id="garbage"),
    ],
)
def test_a_bad_token_is_refused_and_changes_nothing(
    teams: TeamsHarness, token: Callable[[Any], str | None]
) -> None:
    teams.settle()
    calls = len(teams.fake.calls)
    response = teams.post(_answer(teams), token=token(teams.fake))
    teams.settle()
    assert response.status_code == 401
    assert _stored(teams) == {}
    assert len(teams.fake.calls) == calls, "nothing was posted"


def test_an_activity_from_another_tenant_is_refused(teams: TeamsHarness) -> None:
    teams.settle()
    calls = len(teams.fake.calls)
    activity = _answer(teams)
    activity["conversation"]["tenantId"] = "another-tenant"
    activity["channelData"]["tenant"]["id"] = "another-tenant"
    response = teams.post(activity)
    teams.settle()
    assert response.status_code == 403
    assert _stored(teams) == {}
    assert len(teams.fake.calls) == calls


def test_healthz(teams: TeamsHarness) -> None:
    assert teams.http.get("/healthz").json() == {"status": "ok"}


FORBIDDEN = ("storage", "sqlalchemy", "bot.slack", "slack_sdk", "slack_bolt")


def test_the_teams_adapter_uses_the_service_layer_only() -> None:
    """No session, repository, storage or Slack import in bot/teams/, and no unit-of-work
    plumbing: the adapter calls use cases (``Services``, via bot/teams/deps.py)."""
    root = Path(__file__).resolve().parents[1] / "bot" / "teams"
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
                assert name != "bot.services.kernel", f"{path.name} imports {name}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("session", "unit_of_work"), f"{path.name}: .{node.attr}"
