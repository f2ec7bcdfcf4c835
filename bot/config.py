"""Configuration: every environment variable Dialogbot reads, in one object.

This is the only module that reads the environment. An entry point (``dialogbot …``)
builds :class:`Settings` once with :func:`load_settings`, installs it for the run with
:func:`installed` and passes it down; code that is not handed one asks :func:`current`,
which is the installed object (or, outside an entry point, the environment read once).
A bad value raises :class:`ConfigError`, whose message names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n import set_strict

if TYPE_CHECKING:
    from bot.domain.templates import TemplateCatalog

DEFAULT_TZ = "Europe/Stockholm"
LOG_LEVELS = ("debug", "info", "warning", "error")


def _var(name: str) -> AliasChoices:
    return AliasChoices(name)


class ConfigError(ValueError):
    """An environment variable with a value Dialogbot cannot use.

    Attributes:
        variable: the variable's name, e.g. ``DIALOGBOT_LANG``.
    """

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class Settings(BaseSettings):
    """Dialogbot's settings (each field names its variable; secrets are
    :class:`~pydantic.SecretStr`, so they never show in a repr or a log).

    Attributes:
        database_url: ``DIALOGBOT_DATABASE_URL`` (default: ``sqlite:///dialogbot.db``).
        workspace: ``DIALOGBOT_WORKSPACE``, the workspace CLI commands act in.
        lang: ``DIALOGBOT_LANG``, ``sv`` or ``en``, the CLI's language.
        tz: ``DIALOGBOT_TZ``, the IANA time zone of typed dates.
        log_format: ``DIALOGBOT_LOG_FORMAT``, ``json`` or ``text`` (default by terminal).
        log_level: ``DIALOGBOT_LOG_LEVEL``.
        environment: ``DIALOGBOT_ENV``; ``production`` shows a missing text's key
            instead of failing.
        template_dirs: ``DIALOGBOT_TEMPLATE_DIRS``, extra template directories
            (``os.pathsep``-separated).
        retention_days: ``DIALOGBOT_RETENTION_DAYS`` as typed (checked where it is used,
            :func:`bot.personal_data.retention_days_from_env`, so ``--days`` can override
            a bad value).
        token_keys: ``DIALOGBOT_TOKEN_KEYS``, Fernet keys for stored Slack tokens.
        slack_signing_secret, slack_bot_token, slack_app_token, slack_client_id,
        slack_client_secret, slack_api_url: the ``SLACK_…`` variables
            (:class:`bot.slack.config.SlackConfig`).
        prometheus_multiproc_dir: ``PROMETHEUS_MULTIPROC_DIR`` (several worker processes).
    """

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=True, frozen=True)

    database_url: str | None = Field(None, validation_alias=_var("DIALOGBOT_DATABASE_URL"))
    workspace: str = Field("local", validation_alias=_var("DIALOGBOT_WORKSPACE"))
    lang: Literal["sv", "en"] = Field("sv", validation_alias=_var("DIALOGBOT_LANG"))
    tz: str = Field(DEFAULT_TZ, validation_alias=_var("DIALOGBOT_TZ"))
    log_format: Literal["json", "text"] | None = Field(
        None, validation_alias=_var("DIALOGBOT_LOG_FORMAT")
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "warning", validation_alias=_var("DIALOGBOT_LOG_LEVEL")
    )
    environment: str = Field("development", validation_alias=_var("DIALOGBOT_ENV"))
    template_dirs: str = Field("", validation_alias=_var("DIALOGBOT_TEMPLATE_DIRS"))
    retention_days: str = Field("", validation_alias=_var("DIALOGBOT_RETENTION_DAYS"))
    token_keys: SecretStr = Field(SecretStr(""), validation_alias=_var("DIALOGBOT_TOKEN_KEYS"))
    slack_signing_secret: SecretStr = Field(
        SecretStr(""), validation_alias=_var("SLACK_SIGNING_SECRET")
    )
    slack_bot_token: SecretStr = Field(SecretStr(""), validation_alias=_var("SLACK_BOT_TOKEN"))
    slack_app_token: SecretStr = Field(SecretStr(""), validation_alias=_var("SLACK_APP_TOKEN"))
    slack_client_id: str = Field("", validation_alias=_var("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr = Field(
        SecretStr(""), validation_alias=_var("SLACK_CLIENT_SECRET")
    )
    slack_api_url: str = Field("", validation_alias=_var("SLACK_API_URL"))
    prometheus_multiproc_dir: str = Field("", validation_alias=_var("PROMETHEUS_MULTIPROC_DIR"))
    slack_pacing: bool = Field(True, validation_alias=_var("DIALOGBOT_SLACK_PACING"))
    slack_channel_rate: float = Field(
        1.0, gt=0, validation_alias=_var("DIALOGBOT_SLACK_CHANNEL_RATE")
    )
    slack_channel_burst: int = Field(
        3, ge=1, validation_alias=_var("DIALOGBOT_SLACK_CHANNEL_BURST")
    )
    slack_workspace_rate: float = Field(
        20.0, gt=0, validation_alias=_var("DIALOGBOT_SLACK_WORKSPACE_RATE")
    )
    slack_workspace_burst: int = Field(
        20, ge=1, validation_alias=_var("DIALOGBOT_SLACK_WORKSPACE_BURST")
    )
    slack_jitter_s: float = Field(0.25, ge=0, validation_alias=_var("DIALOGBOT_SLACK_JITTER"))
    teams_client_id: str = Field("", validation_alias=_var("TEAMS_CLIENT_ID"))
    teams_client_secret: SecretStr = Field(
        SecretStr(""), validation_alias=_var("TEAMS_CLIENT_SECRET")
    )
    teams_tenant_id: str = Field("", validation_alias=_var("TEAMS_TENANT_ID"))
    teams_service_url: str = Field("", validation_alias=_var("TEAMS_SERVICE_URL"))
    teams_openid_metadata_url: str = Field("", validation_alias=_var("TEAMS_OPENID_METADATA_URL"))
    teams_public_url: str = Field("", validation_alias=_var("TEAMS_PUBLIC_URL"))

    @field_validator("database_url", "log_format", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("lang", "log_level", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("tz", mode="before")
    @classmethod
    def _time_zone(cls, value: object) -> object:
        if isinstance(value, str):
            name = value.strip() or DEFAULT_TZ
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise ValueError(f"unknown time zone {name!r} (e.g. Europe/Stockholm)") from None
            return name
        return value

    @property
    def production(self) -> bool:
        """``DIALOGBOT_ENV=production``."""
        return self.environment.strip().lower() == "production"

    def extra_template_dirs(self) -> list[Path]:
        """The directories in ``DIALOGBOT_TEMPLATE_DIRS``."""
        return [Path(p) for p in self.template_dirs.split(os.pathsep) if p]

    def token_key_list(self) -> tuple[str, ...]:
        """``DIALOGBOT_TOKEN_KEYS`` split at commas (the first encrypts)."""
        raw = self.token_keys.get_secret_value()
        return tuple(k.strip() for k in raw.split(",") if k.strip())


def _variable_of(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    location = first.get("loc") or ("?",)
    name = str(location[0])
    field = Settings.model_fields.get(name)
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        name = str(field.validation_alias.choices[0])
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    value = first.get("input")
    if isinstance(value, str) and "SECRET" not in name and "TOKEN" not in name:
        message += f" (got {value!r})"
    return name, message


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``env`` (default: this process's environment).

    Raises:
        ConfigError: a variable has a value that cannot be used (the message names it).
    """
    try:
        if env is None:
            return Settings()  # type: ignore[call-arg]  # read from the environment
        return Settings.model_validate(dict(env))
    except ValidationError as err:
        raise ConfigError(*_variable_of(err)) from None


_installed: list[Settings] = []
_from_environment: list[Settings] = []


def current() -> Settings:
    """The settings of this run: the installed ones, else the environment's (read once)."""
    if _installed:
        return _installed[-1]
    if not _from_environment:
        _from_environment.append(load_settings())
    return _from_environment[0]


@contextmanager
def installed(settings: Settings) -> Iterator[Settings]:
    """Make ``settings`` what :func:`current` returns while the block runs."""
    _installed.append(settings)
    set_strict(not settings.production)
    try:
        yield settings
    finally:
        _installed.pop()
        set_strict(not current().production if _installed else True)


def environment() -> dict[str, str]:
    """A copy of this process's environment, for child processes (``pg_dump``) and the
    health check's configuration checks."""
    return dict(os.environ)


def template_dirs() -> list[Path]:
    """The built-in templates plus any directories in ``DIALOGBOT_TEMPLATE_DIRS``."""
    from bot.domain.templates import builtin_template_dir

    return [builtin_template_dir(), *current().extra_template_dirs()]


def load_catalog() -> TemplateCatalog:
    """Every template this run knows: the built-in ones and the configured directories."""
    from bot.domain.templates import TemplateCatalog

    return TemplateCatalog.load(template_dirs())
