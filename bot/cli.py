"""The ``dialogbot`` command line. Parses arguments, calls the engine, and translates
domain errors into friendly messages in one place (:func:`main`)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot import __version__
from bot.cli_args import round_id_arg
from bot.cli_parser import LocalisedParser, language_of, speaking
from bot.config import ConfigError, Settings, current, installed, load_settings
from bot.domain.formats import FORMATS
from bot.i18n import DEFAULT_LANG, t
from bot.logs import FORMATS as LOG_FORMATS
from bot.logs import configure as configure_logs
from bot.ops_cli import add_db_commands

if TYPE_CHECKING:
    from rich.console import Console

    from bot.wiring import Runtime

# The parser is built from light modules only (argparse, the configuration, the message
# catalogue): each command imports the models, services, templates and Rich it needs when
# it runs, so ``dialogbot --help`` and a mistyped command start fast
# (tests/test_startup.py).

log = logging.getLogger("dialogbot")
Handler = Callable[[argparse.Namespace, "Console"], int]

#: Modules that add their own sub-commands with ``register(subparsers)``.
EXTENSIONS = (
    "bot.schedule.cli",
    "bot.slack.cli",
    "bot.teams.cli",
    "bot.chain.cli",
    "bot.privacy_cli",
    "bot.slack.secrets_cli",
    "bot.settings_cli",
    "bot.history_cli",
    "bot.absence_cli",
    "bot.ops_cli",
)


def _runtime(args: argparse.Namespace) -> Runtime:
    from bot.wiring import build_runtime

    return build_runtime(args.db)


def cmd_db_upgrade(args: argparse.Namespace, out: Console) -> int:
    from bot.cli_errors import masked_url
    from storage.db import current_revision, database_url, make_engine, upgrade

    engine = make_engine(args.db)
    upgrade(engine)
    url = masked_url(database_url(args.db))
    revision = current_revision(engine)
    out.print(t(args.lang, "cli.db.upgraded", url=url, revision=revision), markup=False)
    return 0


def cmd_db_current(args: argparse.Namespace, out: Console) -> int:
    from storage.db import current_revision, head_revision, make_engine

    engine = make_engine(args.db)
    current = current_revision(engine) or t(args.lang, "cli.empty")
    out.print(t(args.lang, "cli.db.current", current=current, head=head_revision()))
    return 0


def cmd_org_import(args: argparse.Namespace, out: Console) -> int:
    from pathlib import Path

    from bot.org_import import load_org_file

    runtime = _runtime(args)
    path = Path(args.file)
    data = load_org_file(path)
    report = runtime.services.organisation.import_org(args.workspace, data, str(path))
    counts = "; ".join(
        t(
            args.lang,
            "cli.org.count",
            what=t(args.lang, f"cli.org.{kind}"),
            new=report.created[kind],
            updated=report.updated[kind],
        )
        for kind in ("levels", "units", "people")
    )
    out.print(t(args.lang, "cli.org.imported", path=path, counts=counts), markup=False)
    return 0


def cmd_org_show(args: argparse.Namespace, out: Console) -> int:
    from bot import cli_views

    nodes = _runtime(args).services.organisation.organisation(args.workspace)
    if not nodes:
        out.print(t(args.lang, "cli.org.empty"), markup=False)
        return 0
    out.print(cli_views.org_tree(nodes, args.workspace, args.lang), soft_wrap=False)
    return 0


def cmd_templates_list(args: argparse.Namespace, out: Console) -> int:
    from bot import cli_views
    from bot.config import load_catalog
    from bot.escaping import terminal

    table = cli_views.table(args.lang, "key", "version", "phase", "name", "questions")
    for tpl in load_catalog():
        table.add_row(
            tpl.key,
            str(tpl.version),
            tpl.phase,
            terminal(tpl.name.get(args.lang)),
            str(len(tpl.questions)),
        )
    out.print(table)
    return 0


def cmd_templates_show(args: argparse.Namespace, out: Console) -> int:
    from bot import cli_views
    from bot.config import load_catalog

    cli_views.template_details(load_catalog().get(args.key), args.lang, out)
    return 0


def cmd_templates_validate(args: argparse.Namespace, out: Console) -> int:
    from pathlib import Path

    from bot.config import load_catalog
    from bot.domain.templates import TemplateError, load_template_file, reference_problems
    from bot.escaping import terminal

    failures = 0
    known = load_catalog().templates
    for raw in args.paths:
        path = Path(raw)
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            try:
                tpl = load_template_file(file)
                problems = reference_problems(tpl, {**known, tpl.key: tpl})
                if problems:
                    raise TemplateError(str(file), problems)
            except TemplateError as err:
                failures += 1
                out.print(f"[red]✗ {terminal(err.path)}[/red]", highlight=False)
                for problem in err.messages(args.lang):
                    out.print(f"    {problem}", markup=False, highlight=False)
            else:
                line = t(
                    args.lang,
                    "cli.templates.valid",
                    file=file,
                    template=tpl.key,
                    version=tpl.version,
                    count=len(tpl.questions),
                )
                out.print(f"[green]✓[/green] {terminal(line)}", highlight=False)
    return 1 if failures else 0


def cmd_round_start(args: argparse.Namespace, out: Console) -> int:
    from datetime import UTC, datetime

    from bot.domain.commands import StartRound
    from bot.domain.timeparse import parse_deadline

    deadline = parse_deadline(args.deadline, args.tz) if args.deadline else None
    command = StartRound(
        template=args.template,
        units=args.units,
        level=args.level,
        group_ref=args.group,
        deadline_at=deadline,
        anonymous=args.anonymous,
        lang=args.lang,
        started_by=args.by,
        title=args.title or "",
    ).checked(datetime.now(UTC), args.tz)
    runtime = _runtime(args)
    started = runtime.services.rounds.start_round(args.workspace, command)
    info = started.round
    count = len(started.participants)
    message = t(
        args.lang, "cli.round.started", round_id=info.round_id, title=info.title, count=count
    )
    out.print(message, markup=False, highlight=False)
    for unit in started.units_without_manager:
        note = t(args.lang, "cli.round.no_manager", unit=unit)
        out.print(note, style="yellow", markup=False, highlight=False)
    return 0


def cmd_round_list(args: argparse.Namespace, out: Console) -> int:
    from bot import cli_views
    from bot.escaping import terminal
    from bot.i18n import format_local

    runtime = _runtime(args)
    table = cli_views.table(args.lang, "round", "status", "template", "title", "deadline", "group")
    for info in runtime.services.queries.rounds(args.workspace, args.status):
        table.add_row(
            str(info.round_id),
            t(args.lang, f"summary.status.{info.status}"),
            f"{info.template_key} v{info.template_version}",
            terminal(info.title),
            format_local(info.deadline_at, args.lang, args.tz),
            terminal(info.group_ref),
        )
    out.print(table)
    return 0


def cmd_round_show(args: argparse.Namespace, out: Console) -> int:
    from bot import cli_views
    from bot.domain.text_input import parse_id
    from bot.escaping import terminal
    from bot.i18n import format_local

    runtime = _runtime(args)
    status = runtime.services.queries.status(args.workspace, parse_id(args.round))
    info = status.round
    lang = args.lang
    state = t(lang, f"summary.status.{info.status}")
    header = t(lang, "cli.round.header", title=info.title, round_id=info.round_id, status=state)
    out.print(header, style="bold", markup=False, highlight=False)
    deadline = format_local(info.deadline_at, lang, args.tz)
    out.print(f"{t(lang, 'summary.deadline')}: {deadline}", markup=False, highlight=False)
    if info.closed_at is not None:
        closed = format_local(info.closed_at, lang, args.tz)
        who = info.closed_by or "–"
        out.print(t(lang, "cli.round.closed_by", when=closed, who=who), markup=False)
    rate = f"{status.responded_units}/{len(status.units)}"
    out.print(f"{t(lang, 'summary.response_rate')}: {rate}", highlight=False)
    table = cli_views.table(lang, "unit", "manager", "chat_id", "status", "answered")
    for unit in status.units:
        for p in unit.participants:
            # An erased person (dialogbot person erase) has neither: a dash, like anonymous.
            name, chat_id = ("—", "—") if info.anonymous else (p.name or "—", p.chat_id or "—")
            table.add_row(
                terminal(unit.unit_name),
                terminal(name),
                terminal(chat_id),
                cli_views.status_label(p.status, lang),
                f"{p.answered}/{p.total}",
            )
    out.print(table)
    return 0


def cmd_round_close(args: argparse.Namespace, out: Console) -> int:
    from bot import cli_views
    from bot.cli_errors import CloseNeedsConfirmation
    from bot.domain.text_input import parse_id
    from bot.summary import render_summary

    runtime = _runtime(args)
    round_id = parse_id(args.round)
    info = runtime.services.queries.round_info(args.workspace, round_id)
    if info.status != "closed" and not args.yes:
        if not cli_views.stdin_is_terminal():
            raise CloseNeedsConfirmation(round_id)
        question = t(args.lang, "cli.round.confirm_close", round_id=round_id, title=info.title)
        if not cli_views.confirm(question, out):
            out.print(t(args.lang, "cli.round.close_cancelled", round_id=round_id))
            return 1
    summary, newly = runtime.services.rounds.close_round(args.workspace, round_id, args.by)
    key = "cli.round.closed" if newly else "cli.round.already_closed"
    out.print(t(args.lang, key, round_id=round_id))
    out.print(render_summary(summary, "text"), markup=False, highlight=False)
    return 0


def cmd_summary(args: argparse.Namespace, out: Console) -> int:
    from bot.domain.text_input import parse_id
    from bot.summary import render_summary

    runtime = _runtime(args)
    summary = runtime.services.queries.summary(args.workspace, parse_id(args.round))
    sys.stdout.write(render_summary(summary, args.format))
    return 0


def cmd_demo(args: argparse.Namespace, out: Console) -> int:
    from bot.console.demo import run_demo

    run_demo(args.demo_db, args.lang, out)
    return 0


def cmd_chat(args: argparse.Namespace, out: Console) -> int:
    from bot.console.chat import run_chat

    return run_chat(args, out)


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The full argument parser, including extension modules' sub-commands; option
    defaults come from ``settings`` (default: the run's, :func:`bot.config.current`)."""
    settings = settings or current()
    # Typed as the base class: the sub-command modules take argparse's own sub-parser type.
    parser: argparse.ArgumentParser = LocalisedParser(
        prog="dialogbot",
        description="Dialogbot: structured governance dialogs (planering, avstämning, resultat) in chat.",
    )
    parser.add_argument(
        "--db",
        default=settings.database_url,
        help="database URL (default: $DIALOGBOT_DATABASE_URL or sqlite:///dialogbot.db)",
    )
    parser.add_argument(
        "--workspace",
        default=settings.workspace,
        help="workspace (Slack team id) the command acts in; default 'local'",
    )
    parser.add_argument("--lang", choices=("sv", "en"), default=settings.lang)
    parser.add_argument("--tz", default=settings.tz)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=settings.log_format,
        help="log lines as json or text (default: text on a terminal, json otherwise)",
    )
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default=settings.log_level,
        help="least important level logged (default warning; -v means debug)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run a whole avstämning round in the terminal")
    demo.add_argument("--demo-db", help="keep the demo's data in this database URL")
    demo.set_defaults(handler=cmd_demo)

    chat = sub.add_parser("chat", help="answer a round's questions as a manager, interactively")
    chat.add_argument("--as", dest="as_user", help="your chat id (see `round show`)")
    chat.add_argument(
        "--round", type=round_id_arg, help="round id (default: your first open round)"
    )
    chat.add_argument("--demo", action="store_true", help="play in a fresh sample organisation")
    chat.set_defaults(handler=cmd_chat)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", metavar="ACTION"
    )
    add_db_commands(db)
    db.add_parser("upgrade", help="apply migrations").set_defaults(handler=cmd_db_upgrade)
    db.add_parser("current", help="show the schema revision").set_defaults(handler=cmd_db_current)
    from bot.privacy_cli import add_purge

    add_purge(db)

    org = sub.add_parser("org", help="organisation").add_subparsers(
        dest="org_command", metavar="ACTION"
    )
    imp = org.add_parser("import", help="import levels, units and people from YAML or CSV")
    imp.add_argument("file")
    imp.set_defaults(handler=cmd_org_import)
    org.add_parser(
        "show", help="print the organisation tree with levels, managers and chat ids"
    ).set_defaults(handler=cmd_org_show)

    tpl = sub.add_parser("templates", help="dialog templates").add_subparsers(
        dest="tpl_command", metavar="ACTION"
    )
    tpl.add_parser("list", help="list the templates").set_defaults(handler=cmd_templates_list)
    val = tpl.add_parser("validate", help="check template files (for authors)")
    val.add_argument("paths", nargs="+")
    val.set_defaults(handler=cmd_templates_validate)
    tshow = tpl.add_parser("show", help="print a template's questions and hints")
    tshow.add_argument("key")
    tshow.set_defaults(handler=cmd_templates_show)

    rnd = sub.add_parser("round", help="dialog rounds").add_subparsers(
        dest="round_command", metavar="ACTION"
    )
    start = rnd.add_parser("start", help="start a round")
    start.add_argument("template")
    start.add_argument(
        "--units", nargs="+", required=True, help="unit keys or names (with everything below)"
    )
    start.add_argument("--level", help="only units on this level answer, e.g. enhet")
    start.add_argument("--group", required=True, help="receiving group / channel")
    start.add_argument("--deadline", help="YYYY-MM-DD (17:00 local) or 'YYYY-MM-DD HH:MM'")
    start.add_argument("--anonymous", action="store_true")
    start.add_argument("--title")
    start.add_argument("--by", help="chat id of the process support starting it (role checked)")
    start.set_defaults(handler=cmd_round_start)
    lst = rnd.add_parser("list", help="list rounds")
    lst.add_argument("--status", choices=("open", "closed"))
    lst.set_defaults(handler=cmd_round_list)
    show = rnd.add_parser("show", help="progress of a round per unit")
    show.add_argument("round")
    show.set_defaults(handler=cmd_round_show)
    close = rnd.add_parser("close", help="close a round and print its summary")
    close.add_argument("round")
    close.add_argument(
        "--by", help="chat id of the person closing it (role checked; stored on the round)"
    )
    close.add_argument("--yes", "-y", action="store_true", help="close without asking")
    close.set_defaults(handler=cmd_round_close)

    summ = sub.add_parser("summary", help="print a round's summary")
    summ.add_argument("round")
    summ.add_argument("--format", choices=FORMATS, default="md")
    summ.set_defaults(handler=cmd_summary)

    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def _print_problems(err: Console, source: str, problems: list[str]) -> int:
    err.print(f"{source}:", markup=False, highlight=False)
    for problem in problems:
        err.print(f"  {problem}", markup=False, highlight=False)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dialogbot`` console command: reads the configuration once
    (:mod:`bot.config`) and runs the command with it."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        from rich.console import Console

        message = t(DEFAULT_LANG, "config.invalid", variable=exc.variable, problem=exc.problem)
        Console(stderr=True, soft_wrap=True).print(message, markup=False, highlight=False)
        return 2
    with installed(settings):
        return _main(settings, argv)


def _main(settings: Settings, argv: Sequence[str] | None) -> int:
    parser = build_parser(settings)
    words = list(sys.argv[1:] if argv is None else argv)
    with speaking(language_of(words, settings.lang)):
        args = parser.parse_args(words)
    args.settings = settings
    configure_logs(args.log_format, logging.DEBUG if args.verbose else args.log_level.upper())
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        with speaking(args.lang):
            parser.print_help()
        return 0 if args.command is None else 2
    from rich.console import Console

    from bot.domain.timeparse import time_zone

    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    try:
        time_zone(args.tz)
        return handler(args, out)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return _failed(exc, args, err)


def _failed(exc: Exception, args: argparse.Namespace, err: Console) -> int:
    """The exit code of a command that raised ``exc``, after telling the user why. The
    error classes are imported here, one kind after the other, so that a command that did
    not need the database does not load SQLAlchemy to start (the module of an error that
    was raised is already loaded)."""
    from bot.domain.errors import DialogError

    if isinstance(exc, DialogError):
        err.print(t(args.lang, exc.key, **exc.params), markup=False, highlight=False)
        return 1
    from bot.domain.templates import TemplateError

    if isinstance(exc, TemplateError):
        return _print_problems(err, exc.path, exc.messages(args.lang))
    from bot.org_import import OrgImportError

    if isinstance(exc, OrgImportError):
        return _print_problems(err, exc.source, exc.messages(args.lang))
    from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

    from bot.cli_errors import database_problem, unsupported_backend
    from storage.db import NotMigrated

    if isinstance(exc, NotMigrated):
        current = exc.current or t(args.lang, "cli.empty")
        message = t(args.lang, "error.not_migrated", current=current, head=exc.head)
        err.print(message, markup=False, highlight=False)
        return 1
    if isinstance(exc, (OperationalError, InterfaceError, ArgumentError, NoSuchModuleError)):
        err.print(database_problem(args.db, exc, args.lang), markup=False, highlight=False)
        return 1
    if isinstance(exc, ModuleNotFoundError):
        problem = unsupported_backend(args.db, args.lang)
        if problem is None:
            raise exc
        err.print(problem, markup=False, highlight=False)
        return 1
    log.exception("dialogbot %s failed", args.command, exc_info=exc)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
