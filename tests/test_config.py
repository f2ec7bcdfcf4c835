"""One configuration object: the environment is read in bot/config.py only, a bad value
names its variable, and secrets stay out of reprs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_and_values() -> None:
    settings = load_settings({})
    assert (settings.workspace, settings.lang, settings.tz) == ("local", "sv", "Europe/Stockholm")
    assert settings.database_url is None and not settings.production
    custom = load_settings(
        {
            "DIALOGBOT_LANG": "EN",
            "DIALOGBOT_TZ": "Europe/Helsinki",
            "DIALOGBOT_ENV": "production",
            "DIALOGBOT_TOKEN_KEYS": "a, b",
            "SLACK_BOT_TOKEN": "xoxb-secret",
        }
    )
    assert (custom.lang, custom.tz, custom.production) == ("en", "Europe/Helsinki", True)
    assert custom.token_key_list() == ("a", "b")
    assert "xoxb-secret" not in repr(custom)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIALOGBOT_LANG", "fr"),
        ("DIALOGBOT_TZ", "Mars/Olympus"),
        ("DIALOGBOT_LOG_LEVEL", "loud"),
        ("DIALOGBOT_LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")


def test_the_command_line_explains_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIALOGBOT_TZ", "Mars/Olympus")
    assert main(["round", "list"]) == 2
    err = capsys.readouterr().err
    assert "Inställningen DIALOGBOT_TZ går inte att använda" in err and "Mars/Olympus" in err


def test_only_the_config_module_reads_the_environment() -> None:
    reads = re.compile(r"os\.environ|getenv\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "storage")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "config.py" or path.parent.name != "bot"
        if reads.search(path.read_text(encoding="utf-8").replace("``os.environ``", ""))
    ]
    assert offenders == []
