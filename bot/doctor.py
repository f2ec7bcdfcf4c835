"""``dialogbot doctor``: check an installation and say what to do about each problem.

Every check is a small function returning :class:`Check` lines, worded in the
administrator's language (Swedish by default, English with ``--lang en``). The database
is read through :class:`bot.services.ops.Ops` and the schedule store; Slack through a
``WebClient`` (the real Web API or the test fake). Nothing is changed anywhere.

What the checks need of the Slack adapter (its settings, scopes, token keys and clients)
comes in as a :class:`SlackKit`, built by the composition root
(:func:`bot.platforms.slack_doctor_kit`), so this module imports no ``bot.slack``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock, SystemClock
from bot.config import load_catalog
from bot.domain.templates import normalize_key
from bot.i18n import DEFAULT_LANG, t
from bot.schedule.errors import ScheduleError
from bot.schedule.plan import plan_year
from bot.schedule.store import StoredSchedule
from bot.services.container import Services, build_services
from bot.services.ops import Ops, UnitInfo
from storage.db import current_revision, head_revision, make_session_factory

OK = "✓"
FAIL = "✗"
SKIP = "–"
MAX_CLOCK_SKEW = timedelta(seconds=60)
TOKEN_KEYS_VAR = "DIALOGBOT_TOKEN_KEYS"
USERS_SCOPE = "users:read"
OPTIONAL_SCOPES = frozenset({USERS_SCOPE})
"""Scopes beyond manifest.yml the bot may have: ``users:read`` lets the doctor look the
managers up with ``users.info``; the bot itself never needs it."""
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")

ClientFor = Callable[[str], WebClient]
"""A Slack Web API client for a workspace (team id)."""


class SlackSettings(Protocol):
    """The Slack settings the checks read (``bot.slack.config.SlackConfig``)."""

    @property
    def oauth(self) -> bool: ...

    @property
    def bot_token(self) -> str | None: ...

    @property
    def app_token(self) -> str | None: ...

    @property
    def api_url(self) -> str: ...


@dataclass(frozen=True)
class SlackKit:
    """What the doctor needs of the Slack adapter, handed in by the composition root.

    Attributes:
        scopes: The bot scopes of ``manifest.yml``.
        config_error: What ``read_config`` and ``read_token_keys`` raise on a bad setting.
        read_config: The Slack settings from an environment.
        read_token_keys: Builds the token cipher from an environment's keys.
        clients: Slack clients as ``serve`` builds them (settings, engine, services).
    """

    scopes: tuple[str, ...]
    config_error: type[Exception]
    read_config: Callable[[Mapping[str, str]], SlackSettings]
    read_token_keys: Callable[[Mapping[str, str]], object]
    clients: Callable[[SlackSettings, Engine, Services | None], ClientFor]


@dataclass(frozen=True)
class Check:
    """One line of the report.

    Attributes:
        key: Which check (``database``, ``channels`` …), independent of the language.
        name: The check's name in the report's language.
        status: :data:`OK`, :data:`FAIL` or :data:`SKIP`.
        detail: What was found.
        fix: What to do (failed checks).
        where: The workspace the check is about, if any.
    """

    key: str
    name: str
    status: str
    detail: str
    fix: str = ""
    where: str = ""

    @property
    def failed(self) -> bool:
        """Whether this check found a problem."""
        return self.status == FAIL

    def line(self) -> str:
        """The report line, e.g. ``✗ Bot token: Slack refused it (invalid_auth) → …``."""
        where = f" [{self.where}]" if self.where else ""
        text = f"{self.status} {self.name}{where}: {self.detail}"
        return f"{text} → {self.fix}" if self.fix else text


@dataclass(frozen=True)
class Say:
    """Builds the checks of one report in one language."""

    lang: str = DEFAULT_LANG
    where: str = ""

    def at(self, where: str) -> Say:
        """The same, for checks about workspace ``where``."""
        return Say(self.lang, where)

    def _name(self, key: str, **params: object) -> str:
        return t(self.lang, f"doctor.name.{key}", **params)

    def text(self, key: str, **params: object) -> str:
        """The message ``doctor.{key}``."""
        return t(self.lang, f"doctor.{key}", **params)

    def ok(self, key: str, detail: str, **params: object) -> Check:
        """A passed check."""
        return Check(
            key, self._name(key, **params), OK, self.text(detail, **params), where=self.where
        )

    def fail(self, key: str, detail: str, fix: str, **params: object) -> Check:
        """A failed check with what to do."""
        return Check(
            key,
            self._name(key, **params),
            FAIL,
            self.text(detail, **params),
            self.text(fix, **params),
            self.where,
        )

    def failed_text(self, key: str, detail: str, fix: str, **params: object) -> Check:
        """A failed check whose detail is already worded (lists, library messages)."""
        return Check(
            key, self._name(key, **params), FAIL, detail, self.text(fix, **params), self.where
        )

    def skipped(self, key: str, why: str) -> Check:
        """A check that could not run because an earlier one failed."""
        detail = self.text("skipped", why=self.text(f"why.{why}"))
        return Check(key, self._name(key, year=""), SKIP, detail, where=self.where)


@dataclass
class Report:
    """All checks in order; the exit code is 1 when any failed."""

    checks: list[Check] = field(default_factory=list)

    def add(self, *checks: Check) -> None:
        """Append checks."""
        self.checks.extend(checks)

    @property
    def exit_code(self) -> int:
        """0 when every check passed or was skipped, else 1."""
        return 1 if any(c.failed for c in self.checks) else 0

    def lines(self) -> list[str]:
        """One line per check."""
        return [c.line() for c in self.checks]


def _error_of(err: SlackApiError) -> str:
    return str(err.response.get("error") if err.response is not None else "error")


# Database ---------------------------------------------------------------------------


def check_database(say: Say, db: Engine) -> Check:
    """The database answers and its schema is at the newest migration."""
    where = db.url.render_as_string(hide_password=True)
    try:
        current = current_revision(db)
    except SQLAlchemyError as err:
        error = f"{type(err).__name__}: {str(err).splitlines()[0]}"
        return say.fail(
            "database", "db.unreachable", "db.unreachable.fix", where=where, error=error
        )
    head = head_revision()
    if current != head:
        return say.fail(
            "database", "db.old", "db.old.fix", where=where, current=current or "-", head=head
        )
    return say.ok("database", "db.ok", where=where, head=head)


# Configuration ----------------------------------------------------------------------


def mode_of(env: Mapping[str, str], mode: str | None) -> str:
    """The serving mode: explicit, else Socket Mode when an app token is set, else HTTP."""
    if mode:
        return mode
    return "socket" if env.get("SLACK_APP_TOKEN") else "http"


def check_config(
    say: Say, env: Mapping[str, str], mode: str, slack: SlackKit
) -> tuple[Check, SlackSettings | None]:
    """The Slack settings are complete for ``mode`` (``http`` or ``socket``)."""
    key = "configuration"
    has_id, has_secret = bool(env.get("SLACK_CLIENT_ID")), bool(env.get("SLACK_CLIENT_SECRET"))
    if has_id != has_secret:
        missing = "SLACK_CLIENT_SECRET" if has_id else "SLACK_CLIENT_ID"
        return say.fail(key, "config.half_oauth", "config.set", missing=missing), None
    try:
        config = slack.read_config(env)
    except slack.config_error:
        if has_id and has_secret and env.get("SLACK_SIGNING_SECRET"):
            # OAuth is configured; what is refused is the token encryption key.
            return say.fail(key, "config.keys", "keys.missing.fix", var=TOKEN_KEYS_VAR), None
        names = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
        missing = ", ".join(n for n in names if not env.get(n))
        return say.fail(key, "config.missing", "config.fix", missing=missing), None
    problem = None
    if not config.oauth and config.bot_token and not config.bot_token.startswith("xoxb-"):
        problem = "config.not_xoxb"
    elif mode == "socket" and not config.app_token:
        problem = "config.no_app_token"
    elif mode == "socket" and not str(config.app_token).startswith("xapp-"):
        problem = "config.not_xapp"
    if problem:
        return say.fail(key, problem, "config.fix"), None
    how = say.text("how.oauth" if config.oauth else "how.token")
    label = say.text(f"mode.{mode}")
    return say.ok(key, "config.ok", mode=label, how=how, api=config.api_url), config


def check_token_keys(
    say: Say, env: Mapping[str, str], config: SlackSettings | None, slack: SlackKit
) -> Check:
    """OAuth keeps bot tokens in the database; they must be encrypted with a key."""
    oauth = (
        config.oauth
        if config is not None
        else bool(env.get("SLACK_CLIENT_ID") and env.get("SLACK_CLIENT_SECRET"))
    )
    if not oauth:
        return say.ok("token_keys", "keys.not_needed")
    if not env.get(TOKEN_KEYS_VAR, "").strip():
        return say.fail("token_keys", "keys.missing", "keys.missing.fix", var=TOKEN_KEYS_VAR)
    try:
        slack.read_token_keys(env)
    except slack.config_error:
        return say.fail("token_keys", "keys.bad", "keys.missing.fix", var=TOKEN_KEYS_VAR)
    return say.ok("token_keys", "keys.ok", var=TOKEN_KEYS_VAR)


# Clock and time zone ----------------------------------------------------------------


def check_time_zone(say: Say, tz: str) -> Check:
    """The configured time zone is a real IANA zone."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return say.fail("time_zone", "tz.bad", "tz.bad.fix", tz=tz)
    return say.ok("time_zone", "tz.ok", tz=tz, now=f"{datetime.now(zone):%Y-%m-%d %H:%M %Z}")


def check_clock(say: Say, clock: Clock, queries: Ops | None) -> Check:
    """This machine's clock agrees with the database server's."""
    now = clock.now()
    shown = f"{now:%Y-%m-%d %H:%M:%S}"
    if queries is None:
        return say.ok("clock", "clock.no_db", now=shown)
    server = queries.database_now()
    seconds = int(abs(now - server).total_seconds())
    if abs(now - server) > MAX_CLOCK_SKEW:
        return say.fail(
            "clock",
            "clock.skew",
            "clock.skew.fix",
            now=shown,
            server=f"{server:%H:%M:%S}",
            seconds=seconds,
        )
    return say.ok("clock", "clock.ok", now=shown, seconds=seconds)


# Slack ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """What ``auth.test`` told about a working token."""

    team: str
    scopes: frozenset[str]


def check_token(
    say: Say, client: WebClient, scopes: tuple[str, ...]
) -> tuple[list[Check], Token | None]:
    """``auth.test`` succeeds and the token has exactly the manifest's scopes (plus, if
    given, the optional :data:`OPTIONAL_SCOPES`).

    Returns the checks and, for a working token, its workspace (team id) and scopes.
    """
    try:
        response = client.auth_test()
    except SlackApiError as err:
        error = _error_of(err)
        return [say.fail("bot_token", "token.refused", "token.refused.fix", error=error)], None
    except SlackClientError as err:
        return [
            say.fail("bot_token", "token.unreachable", "token.unreachable.fix", error=str(err))
        ], None
    team = str(response.get("team_id") or "")
    checks = [
        say.ok(
            "bot_token",
            "token.ok",
            team=response.get("team"),
            team_id=team,
            user=response.get("user"),
        )
    ]
    header = {k.lower(): v for k, v in response.headers.items()}.get("x-oauth-scopes")
    if header is None:
        checks.append(say.fail("bot_scopes", "scopes.unknown", "token.unreachable.fix"))
        return checks, Token(team, frozenset())
    granted = frozenset(s.strip() for s in str(header).split(",") if s.strip())
    wanted = set(scopes)
    missing, extra = sorted(wanted - granted), sorted(granted - wanted - OPTIONAL_SCOPES)
    if missing or extra:
        parts = ([say.text("scopes.missing", scopes=", ".join(missing))] if missing else []) + (
            [say.text("scopes.extra", scopes=", ".join(extra))] if extra else []
        )
        checks.append(say.failed_text("bot_scopes", "; ".join(parts), "scopes.fix"))
    else:
        optional = ", ".join(sorted(granted & OPTIONAL_SCOPES))
        detail = "scopes.ok_optional" if optional else "scopes.ok"
        checks.append(say.ok("bot_scopes", detail, n=len(wanted), optional=optional))
    return checks, Token(team, granted)


def check_channels(say: Say, client: WebClient, channels: Iterable[str]) -> Check:
    """The bot is a member of every channel it will post to.

    ``conversations.history`` with ``limit=1`` needs only the ``channels:history`` /
    ``groups:history`` scopes the bot already has, and answers ``not_in_channel``
    (public) or ``channel_not_found`` (private, or gone) when the bot is not in it.
    """
    wanted = sorted(set(channels))
    if not wanted:
        return say.ok("channels", "channels.none")
    problems = [say.text("channels.not_id", channel=c) for c in wanted if not _CHANNEL_ID.match(c)]
    for channel in (c for c in wanted if _CHANNEL_ID.match(c)):
        try:
            client.conversations_history(channel=channel, limit=1)
        except SlackApiError as err:
            problems.append(say.text("channels.not_member", channel=channel, error=_error_of(err)))
    if problems:
        return say.failed_text("channels", "; ".join(problems), "channels.fix")
    return say.ok("channels", "channels.ok", n=len(wanted), channels=", ".join(wanted))


def check_people(
    say: Say, client: WebClient, people: Iterable[str], scopes: frozenset[str]
) -> Check:
    """Every manager who will get questions exists (and is active) in the workspace.

    ``users.info`` needs the ``users:read`` scope, which the bot itself does not need;
    without it the check is skipped with a note.
    """
    wanted = sorted(set(people))
    if USERS_SCOPE not in scopes:
        detail = say.text("people.no_scope", scope=USERS_SCOPE, n=len(wanted))
        return Check(
            "managers_in_slack", say._name("managers_in_slack"), SKIP, detail, where=say.where
        )
    if not wanted:
        return say.ok("managers_in_slack", "people.none")
    problems: list[str] = []
    for user in wanted:
        try:
            response = client.users_info(user=user)
        except SlackApiError as err:
            problems.append(f"{user} ({_error_of(err)})")
            continue
        if (response.get("user") or {}).get("deleted"):
            problems.append(f"{user} ({say.text('people.deactivated')})")
    if problems:
        detail = say.text("people.unknown", people=", ".join(problems))
        return say.failed_text("managers_in_slack", detail, "people.fix")
    return say.ok("managers_in_slack", "people.ok", n=len(wanted))


# Organisation and schedule ----------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Who will answer and where it will go, for one workspace."""

    answering: list[UnitInfo]
    channels: list[str]


def scheduled_plan(units: list[UnitInfo], stored: StoredSchedule | None) -> Plan:
    """The answering units and receiving channels the stored schedule's rounds will use
    (the same choice the scheduler makes); without a schedule, every leaf unit."""
    children: dict[str | None, list[UnitInfo]] = {}
    for unit in units:
        children.setdefault(unit.parent_key, []).append(unit)

    def subtree(unit: UnitInfo) -> list[UnitInfo]:
        found, stack = [], [unit]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(children.get(current.key, []))
        return found

    if stored is None:
        return Plan([u for u in units if not children.get(u.key)], [])
    answering: dict[str, UnitInfo] = {}
    channels: set[str] = set()
    for item in stored.schedule.rounds:
        for unit in units:
            if normalize_key(unit.level_key) != normalize_key(item.receiving_level):
                continue
            below = [
                u
                for u in subtree(unit)
                if normalize_key(u.level_key) == normalize_key(item.answering_level)
            ]
            answering.update((u.key, u) for u in below)
            if any(u.managers for u in below):
                channels.add(unit.channel_ref or stored.default_group_ref or unit.key)
    return Plan(list(answering.values()), sorted(channels))


def check_managers(say: Say, plan: Plan) -> Check:
    """Every unit that will be asked has a manager."""
    without = sorted(u.name for u in plan.answering if not u.managers)
    total = len(plan.answering)
    if without:
        return say.fail(
            "units_have_managers",
            "managers.missing",
            "managers.fix",
            n=len(without),
            total=total,
            units=", ".join(without),
        )
    return say.ok("units_have_managers", "managers.ok", n=total)


def check_schedule(
    say: Say, services: Services, workspace: str, year: int
) -> tuple[Check, StoredSchedule | None]:
    """The stored schedule validates, fits the organisation and plans this year."""
    try:
        stored = services.schedule.load(workspace)
        if stored is None:
            return say.ok("schedule", "schedule.none", year=year), None
        warnings = services.schedule.check(workspace, stored.schedule, stored.source)
        planned = plan_year(stored.schedule, year)
    except ScheduleError as err:
        detail = "; ".join(line.strip() for line in err.messages(say.lang))
        return say.failed_text("schedule", detail, "schedule.fix", year=year), None
    if warnings:
        detail = "; ".join(warning.line(say.lang) for warning in warnings)
        return say.failed_text("schedule", detail, "schedule.fix", year=year), stored
    return say.ok(
        "schedule", "schedule.ok", year=year, n=len(planned), source=stored.source
    ), stored


# All together -----------------------------------------------------------------------


@dataclass
class Doctor:
    """Runs every check against one installation.

    Attributes:
        db: The database engine (not yet known to be reachable or migrated).
        env: The environment (``os.environ`` in production).
        mode: ``http`` or ``socket`` (None: Socket Mode when ``SLACK_APP_TOKEN`` is set).
        tz: The configured time zone.
        workspace: Workspace for the organisation checks when Slack cannot tell.
        lang: Language of the report (``sv`` or ``en``).
        slack: What the checks need of the Slack adapter
            (:func:`bot.platforms.slack_doctor_kit`).
        clock: This machine's clock.
        client_for: Builds the Slack client of a workspace (default: ``slack.clients``).
    """

    db: Engine
    env: Mapping[str, str]
    slack: SlackKit
    mode: str | None = None
    tz: str = "Europe/Stockholm"
    workspace: str = "local"
    lang: str = DEFAULT_LANG
    clock: Clock = field(default_factory=SystemClock)
    client_for: Callable[[SlackSettings, Services | None], ClientFor] | None = None

    def run(self) -> Report:
        """Run the checks in order; later checks are skipped when what they need failed."""
        say = Say(self.lang)
        report = Report()
        database = check_database(say, self.db)
        report.add(database)
        mode = mode_of(self.env, self.mode)
        config_check, config = check_config(say, self.env, mode, self.slack)
        report.add(config_check, check_token_keys(say, self.env, config, self.slack))
        services = queries = None
        if not database.failed:
            factory = make_session_factory(self.db)
            services = build_services(factory, load_catalog(), self.clock)
            queries = services.ops
        report.add(check_time_zone(say, self.tz), check_clock(say, self.clock, queries))

        clients = self._clients(config, services)
        workspaces: list[tuple[str, WebClient | None, frozenset[str]]] = []
        if clients is None:
            report.add(say.skipped("bot_token", "config"))
        elif config is not None and config.oauth:
            installed = queries.workspaces() if queries is not None else []
            for team in installed:
                at = say.at(team)
                try:
                    client = clients(team)
                except LookupError:
                    report.add(
                        at.fail("bot_token", "token.not_installed", "token.not_installed.fix")
                    )
                    continue
                checks, found = check_token(at, client, self.slack.scopes)
                report.add(*checks)
                workspaces.append((team, client, found.scopes if found else frozenset()))
            if not installed:
                report.add(say.skipped("bot_token", "no_workspace"))
        else:
            checks, token = check_token(say, clients(""), self.slack.scopes)
            report.add(*checks)
            if token is not None:
                workspaces.append((token.team, clients(token.team), token.scopes))
        if not workspaces:
            workspaces.append((self.workspace, None, frozenset()))

        for workspace, slack, scopes in workspaces:
            at = say.at(workspace)
            if services is None or queries is None:
                report.add(at.skipped("organisation", "database"))
                continue
            report.add(*self._workspace_checks(at, services, queries, workspace, slack, scopes))
        return report

    def _clients(self, config: SlackSettings | None, services: Services | None) -> ClientFor | None:
        if config is None:
            return None
        if self.client_for is not None:
            return self.client_for(config, services)
        return self.slack.clients(config, self.db, services)

    def _workspace_checks(
        self,
        say: Say,
        services: Services,
        queries: Ops,
        team: str,
        client: WebClient | None,
        scopes: frozenset[str],
    ) -> list[Check]:
        units = queries.units(team)
        if not units:
            return [say.fail("organisation", "org.none", "org.none.fix", workspace=team)]
        year = self.clock.now().astimezone(_zone_or_utc(self.tz)).year
        schedule_check, stored = check_schedule(say, services, team, year)
        plan = scheduled_plan(units, stored)
        checks = [
            say.ok("organisation", "org.ok", n=len(units)),
            schedule_check,
            check_managers(say, plan),
        ]
        if client is None:
            checks.append(say.skipped("channels", "token"))
            checks.append(say.skipped("managers_in_slack", "token"))
            return checks
        channels = [
            c for c in [*queries.round_channels(team), *plan.channels] if not c.startswith("D")
        ]
        checks.append(check_channels(say, client, channels))
        managers = {m for u in plan.answering for m in u.managers}
        managers |= set(queries.round_people(team))
        checks.append(check_people(say, client, managers, scopes))
        return checks

    def summary(self, report: Report) -> str:
        """The last line of the report."""
        failed = sum(1 for c in report.checks if c.failed)
        say = Say(self.lang)
        return say.text("summary.problems", n=failed) if failed else say.text("summary.ok")


def _zone_or_utc(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
