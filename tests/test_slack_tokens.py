"""Slack tokens are encrypted at rest (Fernet, keys from DIALOGBOT_TOKEN_KEYS, rotation),
and a workspace that uninstalls the app or revokes its tokens is forgotten: installation
deleted, scheduled jobs stopped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import FakeSlack
from fakes.signing import next_ts
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, select, text
from support.slack import CLIENT_ID, TOKEN_KEY, SlackHarness

from bot.cli import main
from bot.schedule.console_notifier import ConsoleNotifier
from bot.schedule.jobs import KIND_START_ROUND_NOW, NewJob
from bot.schedule.scheduler import Scheduler
from bot.services.jobs import JobStore
from bot.slack.config import SlackConfig, SlackConfigError
from bot.slack.token_cipher import TokenCipher, TokenDecryptionError
from bot.slack.token_store import installation_store, rotate_stored_tokens
from storage.db import make_engine, upgrade
from storage.models_schedule import ScheduledJob

NEW_KEY = "H8mKqz6J0cYzv4m2oX3wQp2lS1xB9tN5rU7eV0aGdFk="
BOT_TOKEN = "xoxe.xoxb-1-" + "A1b2C3d4" * 16  # a long rotating bot token (140 characters)
USER_TOKEN = "xoxp-2222-3333-4444-" + "f" * 32
REFRESH = "xoxe-1-" + "R" * 120


def _config(*keys: str) -> SlackConfig:
    return SlackConfig(
        signing_secret="s", client_id=CLIENT_ID, client_secret="c", token_keys=tuple(keys)
    )


@pytest.fixture
def clean_store(db: Engine) -> Iterator[Engine]:
    def clean() -> None:
        with db.begin() as conn:
            for table in ("slack_installations", "slack_bots"):
                conn.execute(text(f"DELETE FROM {table}"))

    clean()
    yield db
    clean()


def _install(db: Engine, *keys: str, team: str = "T0ENC") -> None:
    installation_store(_config(*keys), db).save(
        Installation(
            app_id="A0DIALOGBOT",
            team_id=team,
            bot_token=BOT_TOKEN,
            bot_refresh_token=REFRESH,
            bot_id="B0ENC",
            bot_user_id="U0BOTENC",
            user_id="U0PROC01",
            user_token=USER_TOKEN,
            user_refresh_token=REFRESH,
            installed_at=datetime.now(UTC).timestamp(),
        )
    )


def _raw_rows(db: Engine) -> list[str]:
    with db.connect() as conn:
        return [
            " ".join(str(v) for v in row)
            for table in ("slack_bots", "slack_installations")
            for row in conn.execute(text(f"SELECT * FROM {table}")).all()
        ]


def test_no_token_is_stored_in_plain_text_and_find_decrypts(clean_store: Engine) -> None:
    _install(clean_store, TOKEN_KEY)
    rows = _raw_rows(clean_store)
    assert len(rows) == 2
    for row in rows:
        for secret in (BOT_TOKEN, USER_TOKEN, REFRESH, "xoxe.xoxb-1-", "xoxp-2222", "xoxe-1-"):
            assert secret not in row

    store = installation_store(_config(TOKEN_KEY), clean_store)
    bot = store.find_bot(enterprise_id=None, team_id="T0ENC")
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH)
    found = store.find_installation(enterprise_id=None, team_id="T0ENC", user_id="U0PROC01")
    assert found is not None
    assert (found.bot_token, found.user_token, found.user_refresh_token) == (
        BOT_TOKEN,
        USER_TOKEN,
        REFRESH,
    )


def test_rotation_re_encrypts_every_token_with_the_first_key(clean_store: Engine) -> None:
    _install(clean_store, TOKEN_KEY)
    with clean_store.begin() as conn:  # a row written before encryption was switched on
        conn.execute(text("UPDATE slack_installations SET user_token = :t"), {"t": USER_TOKEN})
    before = _raw_rows(clean_store)

    changed = rotate_stored_tokens(clean_store, TokenCipher([NEW_KEY, TOKEN_KEY]))
    assert changed == 2
    after = _raw_rows(clean_store)
    assert after != before and all(USER_TOKEN not in row for row in after)

    only_new = installation_store(_config(NEW_KEY), clean_store)
    found = only_new.find_installation(enterprise_id=None, team_id="T0ENC", user_id="U0PROC01")
    assert found is not None and (found.bot_token, found.user_token) == (BOT_TOKEN, USER_TOKEN)
    with pytest.raises(TokenDecryptionError):
        installation_store(_config(TOKEN_KEY), clean_store).find_bot(
            enterprise_id=None, team_id="T0ENC"
        )


def test_secrets_rotate_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    db = make_engine(url)
    upgrade(db)
    _install(db, TOKEN_KEY)
    monkeypatch.setenv("DIALOGBOT_TOKEN_KEYS", f"{NEW_KEY},{TOKEN_KEY}")
    assert main(["--db", url, "secrets", "rotate"]) == 0
    assert "2" in capsys.readouterr().out
    bot = installation_store(_config(NEW_KEY), db).find_bot(enterprise_id=None, team_id="T0ENC")
    assert bot is not None and bot.bot_token == BOT_TOKEN

    monkeypatch.setenv("DIALOGBOT_TOKEN_KEYS", NEW_KEY)
    assert main(["secrets", "new-key"]) == 0
    TokenCipher([capsys.readouterr().out.strip()])  # a usable key
    db.dispose()


def test_oauth_mode_without_a_key_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "c"}
    with pytest.raises(SlackConfigError, match="DIALOGBOT_TOKEN_KEYS is not set"):
        SlackConfig.from_env(env)
    with pytest.raises(SlackConfigError, match="key 2 is not a Fernet key") as bad:
        SlackConfig.from_env({**env, "DIALOGBOT_TOKEN_KEYS": f"{TOKEN_KEY},not-a-key-secret"})
    assert "not-a-key-secret" not in str(bad.value)
    assert SlackConfig.from_env({**env, "DIALOGBOT_TOKEN_KEYS": TOKEN_KEY}).oauth

    for name in ("SLACK_BOT_TOKEN", "DIALOGBOT_TOKEN_KEYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 1
    assert "DIALOGBOT_TOKEN_KEYS is not set" in capsys.readouterr().out


def _jobs(multi: SlackHarness, team: str) -> dict[str, str]:
    with multi.services.kernel.session_factory() as session:
        rows = session.scalars(select(ScheduledJob).where(ScheduledJob.workspace_id == team))
        jobs = {r.job_key: (r.kind, r.status) for r in rows}
    # The round start itself ran right after the ack (a job carried out, nothing left to
    # act); the other jobs are the ones an uninstall must stop.
    started = [status for kind, status in jobs.values() if kind == KIND_START_ROUND_NOW]
    assert all(status == "done" for status in started)
    return {key: status for key, (kind, status) in jobs.items() if kind != KIND_START_ROUND_NOW}


def _enqueue(multi: SlackHarness, team: str) -> None:
    due = multi.services.kernel.clock.now() + timedelta(days=3)
    JobStore(multi.services.kernel.session_factory, multi.services.kernel.clock).enqueue(
        [NewJob(team, "reminder", f"remind:{team}", due, {"reminder_key": "r"})]
    )


def test_uninstall_removes_the_installation_and_stops_every_job(
    multi: SlackHarness, fake: FakeSlack
) -> None:
    for team in ("T0AAA", "T0BBB"):
        multi.command('start avstamning enheter:"Hemtjänst Norr" deadline:2027-05-05', team=team)
        _enqueue(multi, team)
    store = installation_store(multi.config, multi.db)

    uninstalled = {"type": "app_uninstalled", "event_ts": next_ts()}
    assert multi.event(uninstalled, team="T0AAA").status == 200
    assert multi.event(uninstalled, team="T0AAA").status == 200  # a redelivery changes nothing

    assert store.find_bot(enterprise_id=None, team_id="T0AAA") is None
    assert store.find_installation(enterprise_id=None, team_id="T0AAA") is None
    assert store.find_bot(enterprise_id=None, team_id="T0BBB") is not None
    assert _jobs(multi, "T0AAA") == {"remind:T0AAA": "cancelled", "close:1": "cancelled"}

    # Planning past the deadline creates nothing for the uninstalled workspace.
    Scheduler(multi.services, ConsoleNotifier(), lookahead=timedelta(days=5)).plan()
    assert _jobs(multi, "T0AAA") == {"remind:T0AAA": "cancelled", "close:1": "cancelled"}
    assert _jobs(multi, "T0BBB") == {"remind:T0BBB": "pending", "close:2": "pending"}
    assert multi.services.queries.round_info("T0AAA", 1).status == "open"  # the documentation stays


def test_revoked_tokens_delete_what_was_revoked(multi: SlackHarness) -> None:
    _enqueue(multi, "T0BBB")
    store = installation_store(multi.config, multi.db)
    users_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U0PROC01"]}}
    multi.event(users_only, team="T0BBB")
    assert store.find_installation(enterprise_id=None, team_id="T0BBB", user_id="U0PROC01") is None
    assert store.find_bot(enterprise_id=None, team_id="T0BBB") is not None
    assert _jobs(multi, "T0BBB") == {"remind:T0BBB": "pending"}

    multi.event({"type": "tokens_revoked", "tokens": {"bot": ["U0BOTBBB"]}}, team="T0BBB")
    assert store.find_bot(enterprise_id=None, team_id="T0BBB") is None
    assert _jobs(multi, "T0BBB") == {"remind:T0BBB": "cancelled"}
    assert store.find_bot(enterprise_id=None, team_id="T0AAA") is not None


def test_uninstall_in_single_workspace_mode_stops_the_jobs(slack: SlackHarness) -> None:
    team = "T0DEFAULT"
    slack.command('start avstamning enheter:"Hemtjänst Norr" deadline:2027-05-05')
    _enqueue(slack, team)
    slack.event({"type": "app_uninstalled", "event_ts": next_ts()})
    assert _jobs(slack, team) == {f"remind:{team}": "cancelled", "close:1": "cancelled"}
