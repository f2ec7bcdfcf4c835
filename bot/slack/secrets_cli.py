"""``dialogbot secrets rotate|new-key``: the keys that encrypt the stored Slack tokens
(registered by :mod:`bot.cli` through its ``EXTENSIONS`` list)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.i18n import t

if TYPE_CHECKING:
    from rich.console import Console


def cmd_secrets_rotate(args: argparse.Namespace, out: Console) -> int:
    """Re-encrypt every stored Slack token with the first key of DIALOGBOT_TOKEN_KEYS."""
    from bot.slack.config import SlackConfigError, token_keys_from_env
    from bot.slack.token_cipher import TokenCipher, TokenDecryptionError
    from bot.slack.token_store import rotate_stored_tokens
    from bot.wiring import build_runtime

    try:
        cipher = TokenCipher(token_keys_from_env())
        runtime = build_runtime(args.db)
        changed = rotate_stored_tokens(runtime.db, cipher)
    except (SlackConfigError, TokenDecryptionError) as err:
        out.print(str(err), markup=False, highlight=False)
        return 1
    out.print(t(args.lang, "cli.secrets.rotated", count=changed), markup=False)
    return 0


def cmd_secrets_new_key(args: argparse.Namespace, out: Console) -> int:
    """Print a fresh key for DIALOGBOT_TOKEN_KEYS."""
    from bot.slack.token_cipher import TokenCipher

    sys.stdout.write(TokenCipher.new_key() + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``secrets`` to the ``dialogbot`` command line."""
    secrets = subparsers.add_parser(
        "secrets", help="encrypted Slack tokens (DIALOGBOT_TOKEN_KEYS)"
    ).add_subparsers(dest="secrets_command", metavar="ACTION")
    secrets.add_parser(
        "rotate", help="re-encrypt every stored token with the first key"
    ).set_defaults(handler=cmd_secrets_rotate)
    secrets.add_parser("new-key", help="print a fresh key").set_defaults(
        handler=cmd_secrets_new_key
    )
