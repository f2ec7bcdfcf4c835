"""``dialogbot serve``: arguments and friendly refusals when settings are missing."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.slack.config import SlackConfig, SlackConfigError


def test_serve_is_a_dialogbot_command() -> None:
    args = build_parser().parse_args(
        ["serve", "--mode", "http", "--port", "8080", "--host", "127.0.0.1"]
    )
    assert (args.mode, args.port, args.host, args.threads) == ("http", 8080, "127.0.0.1", 8)
    assert build_parser().parse_args(["serve", "--mode", "socket"]).mode == "socket"


def test_serve_without_settings_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve"]) == 1
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().out


def test_config_modes_from_environment() -> None:
    single = SlackConfig.from_env(
        {
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_API_URL": "http://gov/api",
        }
    )
    assert (single.oauth, single.api_url) == (False, "http://gov/api/")
    multi = SlackConfig.from_env(
        {
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "c",
            "DIALOGBOT_TOKEN_KEYS": "0pTnGqKYVDn1xnLg4ZbW2hVq9z3Jcq8Cw6xH2vEw1Ys=",
        }
    )
    assert multi.oauth and multi.api_url == "https://slack.com/api/"
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        SlackConfig.from_env({"SLACK_SIGNING_SECRET": "s"})


def test_a_serve_that_cannot_start_leaves_the_garbage_collector_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The collector is off while ``serve`` starts (everything it loads lives as long as
    the process) and on again when it runs, or, as here, when the start fails."""
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert gc.isenabled()
    assert main(["--db", f"sqlite:///{tmp_path / 'empty.db'}", "serve"]) == 1  # not migrated
    assert gc.isenabled()
