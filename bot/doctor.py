"""``dialogbot doctor``: check an installation and say what to do about each problem.

Every check is a small function returning :class:`Check` lines. The database is read
through :class:`bot.ops_queries.OpsQueries` and the schedule store; Slack through a
``WebClient`` (the real Web API or the test fake). Nothing is changed anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock, SystemClock
from bot.engine import DialogEngine
from bot.ops_queries import OpsQueries, UnitInfo
from bot.schedule.errors import ScheduleError
from bot.schedule.plan import plan_year
from bot.schedule.store import StoredSchedule, check_against, load_stored
from bot.slack.config import BOT_SCOPES, SlackConfig, SlackConfigError
from bot.templates import TemplateCatalog, normalize_key
from storage.db import current_revision, head_revision, make_session_factory

OK = "✓"
FAIL = "✗"
SKIP = "–"
MAX_CLOCK_SKEW = timedelta(seconds=60)
TOKEN_KEYS_VAR = "DIALOGBOT_TOKEN_KEYS"
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")

ClientFor = Callable[[str], WebClient]
"""A Slack Web API client for a workspace (team id)."""


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, the outcome, and what to do."""

    name: str
    status: str
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        """Whether this check found a problem."""
        return self.status == FAIL

    def line(self) -> str:
        """The report line, e.g. ``✗ Bot token: invalid_auth → copy the token again``."""
        text = f"{self.status} {self.name}: {self.detail}"
        return f"{text} → {self.fix}" if self.fix else text


def ok(name: str, detail: str) -> Check:
    """A passed check."""
    return Check(name, OK, detail)


def fail(name: str, detail: str, fix: str) -> Check:
    """A failed check with what to do."""
    return Check(name, FAIL, detail, fix)


def skipped(name: str, why: str) -> Check:
    """A check that could not run because an earlier one failed."""
    return Check(name, SKIP, f"skipped ({why})")


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


# Database ---------------------------------------------------------------------------


def check_database(db: Engine) -> Check:
    """The database answers and its schema is at the newest migration."""
    name = "Database"
    where = db.url.render_as_string(hide_password=True)
    try:
        current = current_revision(db)
    except SQLAlchemyError as err:
        return fail(
            name,
            f"{where} is not reachable ({type(err).__name__}: {str(err).splitlines()[0]})",
            "check DIALOGBOT_DATABASE_URL, that the server runs and accepts this user",
        )
    head = head_revision()
    if current != head:
        return fail(
            name,
            f"{where} is at schema {current or 'empty'}, this version needs {head}",
            "run: dialogbot db upgrade (back up first: dialogbot db backup FILE)",
        )
    return ok(name, f"{where} reachable, schema {head} (latest)")


# Configuration ----------------------------------------------------------------------


def mode_of(env: Mapping[str, str], mode: str | None) -> str:
    """The serving mode: explicit, else Socket Mode when an app token is set, else HTTP."""
    if mode:
        return mode
    return "socket" if env.get("SLACK_APP_TOKEN") else "http"


def check_config(env: Mapping[str, str], mode: str) -> tuple[Check, SlackConfig | None]:
    """The Slack settings are complete for ``mode`` (``http`` or ``socket``)."""
    name = "Configuration"
    has_id, has_secret = bool(env.get("SLACK_CLIENT_ID")), bool(env.get("SLACK_CLIENT_SECRET"))
    if has_id != has_secret:
        missing = "SLACK_CLIENT_SECRET" if has_id else "SLACK_CLIENT_ID"
        return fail(name, f"OAuth is half configured: {missing} is not set", f"set {missing}"), None
    try:
        config = SlackConfig.from_env(env)
    except SlackConfigError as err:
        return fail(name, str(err), "see docs/deploy.md, Environment variables"), None
    problems: list[str] = []
    if not config.oauth and config.bot_token and not config.bot_token.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN is not a bot token (xoxb-…)")
    if mode == "socket":
        if not config.app_token:
            problems.append("Socket Mode needs SLACK_APP_TOKEN")
        elif not config.app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN is not an app-level token (xapp-…)")
    if problems:
        return fail(name, "; ".join(problems), "see docs/deploy.md, Environment variables"), None
    how = "OAuth, several workspaces" if config.oauth else "one workspace (SLACK_BOT_TOKEN)"
    label = "Socket Mode" if mode == "socket" else "HTTP mode"
    return ok(name, f"{label}, {how}, API {config.api_url}"), config


def check_token_keys(env: Mapping[str, str], config: SlackConfig | None) -> Check:
    """OAuth keeps bot tokens in the database; they must be encrypted with a key."""
    name = "Token encryption key"
    if config is None or not config.oauth:
        return ok(name, "not needed (tokens come from the environment, not the database)")
    if not env.get(TOKEN_KEYS_VAR, "").strip():
        return fail(
            name,
            f"OAuth stores bot tokens in the database but {TOKEN_KEYS_VAR} is not set",
            f"set {TOKEN_KEYS_VAR} (see docs/deploy.md, Secrets)",
        )
    return ok(name, f"{TOKEN_KEYS_VAR} is set")


# Clock and time zone ----------------------------------------------------------------


def check_time_zone(tz: str) -> Check:
    """The configured time zone is a real IANA zone."""
    name = "Time zone"
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return fail(
            name,
            f"unknown time zone {tz!r}",
            "set DIALOGBOT_TZ (or --tz) to an IANA zone such as Europe/Stockholm",
        )
    return ok(name, f"{tz} (now {datetime.now(zone):%Y-%m-%d %H:%M %Z})")


def check_clock(clock: Clock, queries: OpsQueries | None) -> Check:
    """This machine's clock agrees with the database server's."""
    name = "Clock"
    now = clock.now()
    if queries is None:
        return ok(name, f"{now:%Y-%m-%d %H:%M:%S} UTC (not compared: no database)")
    server = queries.database_now()
    skew = abs(now - server)
    if skew > MAX_CLOCK_SKEW:
        return fail(
            name,
            f"this machine says {now:%Y-%m-%d %H:%M:%S} UTC, the database {server:%H:%M:%S} UTC "
            f"({int(skew.total_seconds())} s apart)",
            "enable time synchronisation (NTP, e.g. systemd-timesyncd or chrony) on both",
        )
    return ok(
        name, f"{now:%Y-%m-%d %H:%M:%S} UTC, within {int(skew.total_seconds())} s of the database"
    )


# Slack ------------------------------------------------------------------------------


def check_token(client: WebClient, label: str) -> tuple[list[Check], str | None]:
    """``auth.test`` succeeds and the token has exactly the manifest's scopes.

    Returns the checks and the workspace (team id) the token belongs to.
    """
    name = f"Bot token{label}"
    try:
        response = client.auth_test()
    except SlackApiError as err:
        error = err.response.get("error") if err.response is not None else "error"
        return [
            fail(
                name,
                f"Slack refused it ({error})",
                "copy the Bot User OAuth Token (xoxb-…) from the app's Install App page again",
            )
        ], None
    except SlackClientError as err:
        return [
            fail(name, f"Slack is not reachable ({err})", "check SLACK_API_URL and the proxy")
        ], None
    team = str(response.get("team_id") or "")
    checks = [ok(name, f"works for {response.get('team')} ({team}) as {response.get('user')}")]
    header = {k.lower(): v for k, v in response.headers.items()}.get("x-oauth-scopes")
    scopes_name = f"Bot scopes{label}"
    if header is None:
        checks.append(
            fail(scopes_name, "Slack did not report the token's scopes", "check SLACK_API_URL")
        )
        return checks, team
    granted = {s.strip() for s in str(header).split(",") if s.strip()}
    wanted = set(BOT_SCOPES)
    missing, extra = sorted(wanted - granted), sorted(granted - wanted)
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"not in manifest.yml: {', '.join(extra)}"] if extra else []
        )
        checks.append(
            fail(
                scopes_name,
                "; ".join(parts),
                "update the app from manifest.yml (OAuth & Permissions) and reinstall it",
            )
        )
    else:
        checks.append(ok(scopes_name, f"exactly the {len(wanted)} scopes of manifest.yml"))
    return checks, team


def check_channels(client: WebClient, channels: Iterable[str], label: str) -> Check:
    """The bot is a member of every channel it will post to.

    ``conversations.history`` with ``limit=1`` needs only the ``channels:history`` /
    ``groups:history`` scopes the bot already has, and answers ``not_in_channel``
    (public) or ``channel_not_found`` (private, or gone) when the bot is not in it.
    """
    name = f"Channels{label}"
    wanted = sorted(set(channels))
    if not wanted:
        return ok(name, "no open round or schedule posts to a channel yet")
    bad_refs = [c for c in wanted if not _CHANNEL_ID.match(c)]
    problems = [f"{c!r} is not a Slack channel id" for c in bad_refs]
    for channel in (c for c in wanted if c not in bad_refs):
        try:
            client.conversations_history(channel=channel, limit=1)
        except SlackApiError as err:
            error = err.response.get("error") if err.response is not None else "error"
            if error in ("not_in_channel", "channel_not_found"):
                problems.append(f"not a member of {channel} ({error})")
            else:
                problems.append(f"{channel}: {error}")
    if problems:
        return fail(
            name,
            "; ".join(problems),
            "type /invite @dialogbot in each channel; give units and schedules channel ids "
            "(C…), e.g. from the channel's details",
        )
    return ok(name, f"member of all {len(wanted)}: {', '.join(wanted)}")


def check_people(client: WebClient, people: Iterable[str], label: str) -> Check:
    """Every manager who will get questions exists (and is active) in the workspace."""
    name = f"Managers in Slack{label}"
    wanted = sorted(set(people))
    if not wanted:
        return ok(name, "no managers to check")
    problems: list[str] = []
    for user in wanted:
        try:
            response = client.users_info(user=user)
        except SlackApiError as err:
            error = err.response.get("error") if err.response is not None else "error"
            problems.append(f"{user} ({error})")
            continue
        info = response.get("user") or {}
        if info.get("deleted"):
            problems.append(f"{user} (deactivated)")
    if problems:
        return fail(
            name,
            f"unknown to Slack: {', '.join(problems)}",
            "fix the people's ids (Slack member ids, U…) in the organisation file and "
            "run dialogbot org import again",
        )
    return ok(name, f"all {len(wanted)} found")


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


def check_managers(plan: Plan, label: str) -> Check:
    """Every unit that will be asked has a manager."""
    name = f"Units have managers{label}"
    without = sorted(u.name for u in plan.answering if not u.managers)
    if without:
        return fail(
            name,
            f"{len(without)} of {len(plan.answering)} units without a manager: {', '.join(without)}",
            "add managers to these units in the organisation file and run dialogbot org import",
        )
    return ok(name, f"all {len(plan.answering)} units that will be asked have a manager")


def check_schedule(
    engine: DialogEngine, workspace: str, year: int, label: str
) -> tuple[Check, StoredSchedule | None]:
    """The stored schedule validates, fits the organisation and plans this year."""
    name = f"Schedule {year}{label}"
    try:
        stored = load_stored(engine, workspace)
        if stored is None:
            return ok(name, "no schedule stored (rounds are started by hand)"), None
        warnings = check_against(engine, workspace, stored.schedule, stored.source)
        planned = plan_year(stored.schedule, year)
    except ScheduleError as err:
        return fail(
            name, str(err).replace("\n", "; "), "fix the file and run dialogbot schedule import"
        ), None
    if warnings:
        return fail(
            name, "; ".join(warnings), "fix the file and run dialogbot schedule import"
        ), stored
    return ok(name, f"{len(planned)} rounds planned from {stored.source}"), stored


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
        clock: This machine's clock.
        client_for: Builds the Slack client of a workspace (default: from ``config``).
    """

    db: Engine
    env: Mapping[str, str]
    mode: str | None = None
    tz: str = "Europe/Stockholm"
    workspace: str = "local"
    clock: Clock = field(default_factory=SystemClock)
    client_for: Callable[[SlackConfig, DialogEngine | None], ClientFor] | None = None

    def run(self) -> Report:
        """Run the checks in order; later checks are skipped when what they need failed."""
        report = Report()
        database = check_database(self.db)
        report.add(database)
        mode = mode_of(self.env, self.mode)
        config_check, config = check_config(self.env, mode)
        report.add(config_check, check_token_keys(self.env, config))
        engine = queries = None
        if not database.failed:
            factory = make_session_factory(self.db)
            queries = OpsQueries(factory)
            engine = DialogEngine(factory, TemplateCatalog.load(), self.clock)
        report.add(check_time_zone(self.tz), check_clock(self.clock, queries))

        clients = self._clients(config, engine)
        workspaces: list[tuple[str, WebClient | None]] = []
        if clients is None:
            report.add(skipped("Bot token", "configuration incomplete"))
        elif config is not None and config.oauth:
            installed = queries.workspaces() if queries is not None else []
            for team in installed:
                label = f" [{team}]"
                try:
                    client = clients(team)
                except LookupError as err:
                    report.add(
                        fail(f"Bot token{label}", str(err), "install the app via /slack/install")
                    )
                    continue
                checks, found = check_token(client, label)
                report.add(*checks)
                workspaces.append((team, client if found else None))
            if not installed:
                report.add(skipped("Bot token", "no workspace has an organisation yet"))
        else:
            checks, token_team = check_token(clients(""), "")
            report.add(*checks)
            if token_team:
                workspaces.append((token_team, clients(token_team)))
        if not workspaces:
            workspaces.append((self.workspace, None))

        for workspace, slack in workspaces:
            label = f" [{workspace}]" if len(workspaces) > 1 or workspace != self.workspace else ""
            if engine is None or queries is None:
                report.add(skipped(f"Organisation{label}", "the database check failed"))
                continue
            report.add(*self._workspace_checks(engine, queries, workspace, slack, label))
        return report

    def _clients(self, config: SlackConfig | None, engine: DialogEngine | None) -> ClientFor | None:
        if config is None:
            return None
        if self.client_for is not None:
            return self.client_for(config, engine)
        return default_clients(config, self.db, engine)

    def _workspace_checks(
        self,
        engine: DialogEngine,
        queries: OpsQueries,
        team: str,
        client: WebClient | None,
        label: str,
    ) -> list[Check]:
        units = queries.units(team)
        if not units:
            return [
                fail(
                    f"Organisation{label}",
                    f"no organisation imported for workspace {team}",
                    f"run: dialogbot --workspace {team} org import FILE",
                )
            ]
        year = self.clock.now().astimezone(_zone_or_utc(self.tz)).year
        schedule_check, stored = check_schedule(engine, team, year, label)
        plan = scheduled_plan(units, stored)
        checks = [
            ok(f"Organisation{label}", f"{len(units)} units"),
            schedule_check,
            check_managers(plan, label),
        ]
        if client is None:
            checks.append(skipped(f"Channels{label}", "no working bot token"))
            checks.append(skipped(f"Managers in Slack{label}", "no working bot token"))
            return checks
        channels = [
            c for c in [*queries.round_channels(team), *plan.channels] if not c.startswith("D")
        ]
        checks.append(check_channels(client, channels, label))
        managers = {m for u in plan.answering for m in u.managers}
        checks.append(check_people(client, managers, label))
        return checks


def _zone_or_utc(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def default_clients(config: SlackConfig, db: Engine, engine: DialogEngine | None) -> ClientFor:
    """Slack clients as ``serve`` builds them (the installation store in OAuth mode)."""
    from bot.slack.poster import make_client

    default = make_client(
        config.api_url, None if config.oauth else config.bot_token, config.retries, config.backoff
    )
    if not config.oauth or engine is None:
        return lambda _team: default
    from bot.slack.app import build_context
    from bot.wiring import Runtime

    return build_context(config, Runtime(db, engine), default).clients
