"""Argument types for the command line that check typed numbers in the domain's one place
(:mod:`bot.domain.text_input`) and turn a refusal into argparse's usual one-line error."""

from __future__ import annotations

import argparse

from bot.cli_parser import argument_error
from bot.domain.errors import DialogError
from bot.domain.text_input import parse_id


def _argument_error(exc: DialogError) -> argparse.ArgumentTypeError:
    return argument_error(exc.key, **exc.params)


def round_id_arg(text: str) -> int:
    """A round number for an option (``--round 7``)."""
    try:
        return parse_id(text)
    except DialogError as exc:
        raise _argument_error(exc) from None
