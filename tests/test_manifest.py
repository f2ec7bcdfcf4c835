"""Validate manifest.yml against Slack's official app manifest schema and our invariants."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from fakes.slack_api import MANIFEST_SCHEMA_PATH
from jsonschema.validators import validator_for

REPO = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO / "manifest.yml"
SCHEMA_PATH = MANIFEST_SCHEMA_PATH
SCOPE_DOCS = (REPO / "README.md",)

PUBLIC_HOST = "https://dialogbot.example.org"

# The minimal bot scope set. Adding a scope means updating this set AND the scope
# documentation (the scope table in README.md), otherwise these tests fail.
EXPECTED_BOT_SCOPES = {
    "chat:write",  # post and update dialog messages
    "commands",  # the /dialog slash command
    "channels:history",  # thread replies in public channels (message.channels)
    "groups:history",  # thread replies in private channels (message.groups)
    "im:history",  # answers in DM thread mode (message.im)
    "im:write",  # the id of a manager's DM (conversations.open), to look for a DM post there
    "reactions:write",  # the light confirmation reaction on an answer
    "files:write",  # the summary as a Markdown file (files_upload_v2)
}

# Events the bot listens to, and the scope each one requires.
REQUIRED_BOT_EVENTS = {
    "app_home_opened": None,
    "app_uninstalled": None,  # delete the installation, stop the workspace's jobs
    "tokens_revoked": None,
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    if not SCHEMA_PATH.is_file():
        pytest.fail(f"manifest schema not found at {SCHEMA_PATH} (see tests/fakes/specs/README.md)")
    data = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_validates_against_official_schema(
    manifest: dict[str, Any], schema: dict[str, Any]
) -> None:
    validator_cls = validator_for(schema)  # draft-07 per the schema's $schema
    validator_cls.check_schema(schema)
    validator = validator_cls(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_background_color_is_hex(manifest: dict[str, Any]) -> None:
    # The schema states this with a non-standard "regex" keyword that validators ignore.
    color = manifest["display_information"].get("background_color")
    if color is not None:
        assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color)


def test_display_information(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert info["name"] == "Dialogbot"
    bot_user = manifest["features"]["bot_user"]
    assert bot_user == {"display_name": "dialogbot", "always_online": True}
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }


def test_dialog_slash_command(manifest: dict[str, Any]) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/dialog"}
    dialog = commands["/dialog"]
    assert dialog["url"] == f"{PUBLIC_HOST}/slack/events"
    assert dialog["should_escape"] is False
    for sub in ("start", "status", "påminn", "stäng", "mina", "hjälp"):
        assert sub in dialog["usage_hint"]


def test_events_and_interactivity(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    events = settings["event_subscriptions"]
    assert events["request_url"] == f"{PUBLIC_HOST}/slack/events"
    assert set(REQUIRED_BOT_EVENTS) <= set(events["bot_events"])
    assert "user_events" not in events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for event in events["bot_events"]:
        assert event in REQUIRED_BOT_EVENTS, f"undocumented bot event {event}"
        needed = REQUIRED_BOT_EVENTS[event]
        assert needed is None or needed in scopes, f"{event} needs scope {needed}"
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": f"{PUBLIC_HOST}/slack/events",
        # the start modal's unit type-ahead (block_suggestion) is answered at the same URL
        "message_menu_options_url": f"{PUBLIC_HOST}/slack/events",
    }
    assert settings["org_deploy_enabled"] is False
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_oauth_config(manifest: dict[str, Any]) -> None:
    oauth = manifest["oauth_config"]
    assert oauth["redirect_urls"] == [f"{PUBLIC_HOST}/slack/oauth_redirect"]
    assert set(oauth["scopes"]) == {"bot"}, "the bot needs no user token scopes"


def test_bot_scopes_are_the_documented_minimal_set(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes)), "duplicate scope"
    assert set(scopes) == EXPECTED_BOT_SCOPES


def test_every_scope_is_documented() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in SCOPE_DOCS if p.is_file())
    assert docs, "no scope documentation found"
    for scope in sorted(EXPECTED_BOT_SCOPES):
        assert f"`{scope}`" in docs, f"scope {scope} is not documented"


def test_oauth_install_asks_for_the_manifest_scopes() -> None:
    from bot.slack.config import BOT_SCOPES

    assert set(BOT_SCOPES) == EXPECTED_BOT_SCOPES
