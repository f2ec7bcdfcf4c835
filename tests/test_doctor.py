"""``dialogbot doctor`` against the Slack fake and a real database, one fault at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakes import FakeSlack
from fakes.signing import DEFAULT_TEAM_ID
from fakes.slack_api import DEFAULT_BOT_SCOPES
from sqlalchemy import Engine
from support.sample import load_sample_org

from bot.cli import main
from bot.doctor import FAIL, OK, Doctor, Report
from bot.domain.commands import StartRound
from bot.platforms import slack_doctor_kit
from bot.schedule.config import load_schedule_text
from bot.services.container import Services
from storage.db import make_engine

TOKEN = "xoxb-fake-token"
PEOPLE = {
    "U0PROC01": "Petra Lind",
    "U0KSORD1": "Karin Ek",
    "U0SOCDIR": "Sofia Holm",
    "U0UTBDIR": "Ulf Strand",
    "U0AVDAEL": "Eva Nyström",
    "U0AVDIFO": "Omar Haddad",
    "U0AVDGRS": "Greta Sand",
    "U0AVDFSK": "Fredrik Å",
    "U0ENHHTN": "Anna Andersson",
    "U0ENHHTS": "Björn Svensson",
    "U0ENHSOL": "Cecilia Öberg",
    "U0ENHFSS": "David Lund",
    "U0ENHBOU": "Elin Karlsson",
    "U0ENHBJO": "Hassan Ali",
    "U0ENHEKS": "Ingrid Persson",
    "U0ENHLAR": "Johan Mattsson",
}

SCHEDULE = """
timezone: Europe/Stockholm
rounds:
  - key: avstamning-enhet
    template: avstamning
    name: "Avstämningsdialog avdelning ↔ enhet"
    answering_level: {answering}
    receiving_level: {receiving}
    rrule: "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
    deadline: 14d
"""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(default_token=TOKEN) as server:
        for user, name in PEOPLE.items():
            server.add_user(user, name)
        yield server


@pytest.fixture
def env(fake: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": fake.base_url,
    }


@pytest.fixture
def installed(db: Engine, make_services: Callable[[], Services]) -> Callable[..., Services]:
    """The sample organisation in the fake's workspace, a stored schedule and an open
    round in C0LEDNING: a healthy installation."""

    def install(answering: str = "enhet", receiving: str = "avdelning") -> Services:
        services = make_services()
        load_sample_org(services, DEFAULT_TEAM_ID)
        schedule = load_schedule_text(
            SCHEDULE.format(answering=answering, receiving=receiving), "test.yaml"
        )
        services.schedule.save(DEFAULT_TEAM_ID, schedule, "test.yaml", default_group_ref="C0DIALOG")
        services.rounds.start_round(
            DEFAULT_TEAM_ID,
            StartRound(
                template="avstamning",
                units=["aldreomsorg"],
                level="enhet",
                group_ref="C0LEDNING",
                deadline_at=None,
                anonymous=False,
                lang="sv",
                started_by="U0PROC01",
            ),
        )
        return services

    return install


def run(
    db: Engine, env: dict[str, str], mode: str | None = None, tz: str = "Europe/Stockholm"
) -> Report:
    return Doctor(
        db=db,
        env=env,
        slack=slack_doctor_kit(),
        mode=mode,
        tz=tz,
        workspace=DEFAULT_TEAM_ID,
        lang="en",
    ).run()


def line(report: Report, key: str) -> str:
    found = [c.line() for c in report.checks if c.key == key]
    assert found, f"no check {key!r} in {report.lines()}"
    return found[0]


def failures(report: Report) -> list[str]:
    return [c.line() for c in report.checks if c.status == FAIL]


def test_a_healthy_installation_passes_every_check(
    db: Engine, env: dict[str, str], installed: Callable[..., Services], fake: FakeSlack
) -> None:
    installed()
    report = run(db, env)
    assert failures(report) == []
    assert report.exit_code == 0
    assert "exactly the 8 scopes" in line(report, "bot_scopes")
    assert "C0DIALOG" in line(report, "channels") and "C0LEDNING" in line(report, "channels")
    assert "all 8 units" in line(report, "units_have_managers")
    history = {c.args["channel"] for c in fake.calls("conversations.history")}
    assert history == {"C0DIALOG", "C0LEDNING"}
    # users.info needs users:read, which the manifest does not ask for: said, not called
    assert (
        "– Managers in Slack [T0DEFAULT]: skipped: users.info needs the users:read scope"
        in line(report, "managers_in_slack")
    )
    assert fake.calls("users.info") == []

    fake.set_scopes(TOKEN, (*DEFAULT_BOT_SCOPES, "users:read"))
    report = run(db, env)
    assert all(c.status == OK for c in report.checks), report.lines()
    assert "and users:read for doctor" in line(report, "bot_scopes")
    assert "all 8 found" in line(report, "managers_in_slack")


def test_a_bad_token_is_found(
    db: Engine, env: dict[str, str], installed: Callable[..., Services], fake: FakeSlack
) -> None:
    installed()
    fake.accept_unknown_tokens = False
    report = run(db, {**env, "SLACK_BOT_TOKEN": "xoxb-revoked"})
    assert report.exit_code == 1
    assert "✗ Bot token: Slack refused it (invalid_auth) → copy the Bot User OAuth Token" in (
        line(report, "bot_token")
    )
    assert "skipped" in line(report, "channels")


def test_a_missing_and_an_extra_scope_are_found(
    db: Engine, env: dict[str, str], installed: Callable[..., Services], fake: FakeSlack
) -> None:
    installed()
    scopes = (*tuple(s for s in DEFAULT_BOT_SCOPES if s != "reactions:write"), "chat:write.public")
    fake.set_scopes(TOKEN, scopes)
    report = run(db, env)
    assert report.exit_code == 1
    scopes_line = line(report, "bot_scopes")
    assert "missing reactions:write" in scopes_line
    assert "not in manifest.yml: chat:write.public" in scopes_line
    assert "reinstall" in scopes_line


def test_a_channel_the_bot_is_not_in_is_found(
    db: Engine, env: dict[str, str], installed: Callable[..., Services], fake: FakeSlack
) -> None:
    installed()
    fake.add_channel("C0LEDNING", "ledning", is_member=False)
    fake.add_channel("G0PRIVAT", "privat", is_private=True, is_member=False)
    report = run(db, env)
    assert report.exit_code == 1
    channels = line(report, "channels")
    assert "not a member of C0LEDNING (not_in_channel)" in channels
    assert "C0DIALOG" not in channels
    assert "/invite @dialogbot" in channels


def test_a_unit_without_manager_is_found(
    db: Engine, env: dict[str, str], installed: Callable[..., Services]
) -> None:
    installed(answering="namnd", receiving="kommunstyrelse")
    report = run(db, env)
    assert report.exit_code == 1
    managers = line(report, "units_have_managers")
    assert "2 of 2 units without a manager" in managers
    assert "Barn- och utbildningsnämnden" in managers and "Socialnämnden" in managers


def test_a_manager_unknown_to_slack_is_found(
    db: Engine, env: dict[str, str], installed: Callable[..., Services], fake: FakeSlack
) -> None:
    installed()
    fake.set_scopes(TOKEN, (*DEFAULT_BOT_SCOPES, "users:read"))
    fake.add_user("U0ENHHTS", "Björn Svensson", deleted=True)
    fake.remove_user("U0ENHSOL")
    report = run(db, env)
    assert report.exit_code == 1
    people = line(report, "managers_in_slack")
    assert "U0ENHSOL (user_not_found)" in people
    assert "U0ENHHTS (deactivated)" in people
    assert "U0ENHHTN" not in people


def test_an_unmigrated_database_is_found(tmp_path: Path, env: dict[str, str]) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    report = run(empty, env)
    assert report.exit_code == 1
    assert "is at schema -, this version needs" in line(report, "database")
    assert "dialogbot db upgrade" in line(report, "database")
    assert "skipped" in line(report, "organisation")


def test_a_bad_time_zone_is_found(
    db: Engine, env: dict[str, str], installed: Callable[..., Services]
) -> None:
    installed()
    report = run(db, env, tz="Europe/Stokholm")
    assert report.exit_code == 1
    assert "unknown time zone 'Europe/Stokholm'" in line(report, "time_zone")


def test_incomplete_configuration_is_found(db: Engine, env: dict[str, str]) -> None:
    socket = run(db, env, mode="socket")
    assert "Socket Mode needs SLACK_APP_TOKEN" in line(socket, "configuration")
    oauth = run(
        db,
        {**env, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"},
    )
    assert "DIALOGBOT_TOKEN_KEYS is not set" in line(oauth, "token_keys")
    half = run(db, {**env, "SLACK_CLIENT_ID": "1.2"})
    assert "SLACK_CLIENT_SECRET is not set" in line(half, "configuration")
    assert all(r.exit_code == 1 for r in (socket, oauth, half))


def test_a_token_key_that_is_not_a_fernet_key_is_named(db: Engine, env: dict[str, str]) -> None:
    oauth = {**env, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}
    report = run(db, {**oauth, "DIALOGBOT_TOKEN_KEYS": "not-a-fernet-key"})
    assert report.exit_code == 1
    assert "DIALOGBOT_TOKEN_KEYS holds a key that is not a Fernet key" in line(report, "token_keys")
    assert "DIALOGBOT_TOKEN_KEYS is missing or invalid" in line(report, "configuration")


def test_the_command_prints_one_line_per_check_and_fails(
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["--db", f"sqlite:///{tmp_path / 'new.db'}", "doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].startswith("✗ Databas:")
    assert "kör: dialogbot db upgrade" in out.splitlines()[0]
    assert "✓ Konfiguration: HTTP-läge, en arbetsyta" in out
    assert "✓ Bot-token: fungerar för" in out
    assert out.splitlines()[-1] == "1 problem hittades."
    assert main(["--lang", "en", "--db", f"sqlite:///{tmp_path / 'new.db'}", "doctor"]) == 1
    assert "✓ Bot token: works for" in capsys.readouterr().out
