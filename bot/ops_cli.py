"""``dialogbot doctor`` (registered by :mod:`bot.cli` through its ``EXTENSIONS`` list) and
``dialogbot db downgrade|backup|restore`` (added to ``db`` by :func:`add_db_commands`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import environment
from bot.i18n import t

if TYPE_CHECKING:
    from rich.console import Console


def cmd_doctor(args: argparse.Namespace, out: Console) -> int:
    """Check the installation; one line per check, exit code 1 when something is wrong."""
    from bot.doctor import Doctor
    from bot.platforms import slack_doctor_kit
    from storage.db import make_engine

    db = make_engine(args.db)
    doctor = Doctor(
        db=db,
        env=environment(),
        slack=slack_doctor_kit(),
        mode=args.mode,
        tz=args.tz,
        workspace=args.workspace,
        lang=args.lang,
    )
    try:
        report = doctor.run()
    finally:
        db.dispose()
    for line in report.lines():
        out.print(line, markup=False, highlight=False)
    out.print(doctor.summary(report), markup=False, highlight=False)
    return report.exit_code


def cmd_db_downgrade(args: argparse.Namespace, out: Console) -> int:
    from storage.db import current_revision, downgrade, make_engine

    engine = make_engine(args.db)
    downgrade(engine, args.revision)
    url = engine.url.render_as_string(hide_password=True)
    revision = current_revision(engine) or t(args.lang, "cli.empty")
    out.print(t(args.lang, "cli.db.downgraded", url=url, revision=revision), markup=False)
    return 0


def cmd_db_backup(args: argparse.Namespace, out: Console) -> int:
    from rich.console import Console

    from storage.backup import BackupError, backup

    try:
        done = backup(args.db, Path(args.file), env=environment())
    except BackupError as exc:
        failed = t(args.lang, "cli.db.backup_failed", error=exc)
        Console(stderr=True).print(failed, markup=False, highlight=False)
        return 1
    revision = done.revision or t(args.lang, "cli.empty")
    out.print(
        t(
            args.lang,
            "cli.db.backed_up",
            backend=done.backend,
            revision=revision,
            path=done.path,
            size=done.size,
        ),
        markup=False,
        highlight=False,
    )
    return 0


def cmd_db_restore(args: argparse.Namespace, out: Console) -> int:
    from rich.console import Console

    from storage.backup import BackupError, restore
    from storage.db import head_revision

    try:
        done = restore(args.db, Path(args.file), force=args.force, env=environment())
    except BackupError as exc:
        failed = t(args.lang, "cli.db.restore_failed", error=exc)
        Console(stderr=True).print(failed, markup=False, highlight=False)
        return 1
    key = "cli.db.restored" if done.revision == head_revision() else "cli.db.restored_older"
    revision = done.revision or t(args.lang, "cli.empty")
    out.print(
        t(args.lang, key, path=done.path, backend=done.backend, revision=revision),
        markup=False,
        highlight=False,
    )
    return 0


def add_db_commands(db: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``downgrade``, ``backup`` and ``restore`` to ``dialogbot db``."""
    bak = db.add_parser("backup", help="write a backup (pg_dump -Fc, or SQLite's backup API)")
    bak.add_argument("file")
    bak.set_defaults(handler=cmd_db_backup)
    res = db.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    res.add_argument("file")
    res.add_argument("--force", action="store_true", help="overwrite a database that is not empty")
    res.set_defaults(handler=cmd_db_restore)
    down = db.add_parser("downgrade", help="revert migrations (rollback of an upgrade)")
    down.add_argument("revision", help="the schema revision to go back to, e.g. 0005")
    down.set_defaults(handler=cmd_db_downgrade)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``doctor`` to the ``dialogbot`` command line."""
    doctor = subparsers.add_parser(
        "doctor", help="check database, configuration, Slack token, channels and managers"
    )
    doctor.add_argument(
        "--mode",
        choices=("http", "socket"),
        help="the mode `serve` runs in (default: socket when SLACK_APP_TOKEN is set, else http)",
    )
    doctor.set_defaults(handler=cmd_doctor)
