"""Argument types for the command line that check typed numbers in the domain's one place
(:mod:`bot.domain.text_input`) and turn a refusal into argparse's usual one-line error."""

from __future__ import annotations

import argparse

from bot.config import current
from bot.domain.errors import DialogError
from bot.domain.text_input import parse_id
from bot.i18n import t


def _argument_error(exc: DialogError) -> argparse.ArgumentTypeError:
    lang = current().lang
    return argparse.ArgumentTypeError(t(lang, exc.key, **exc.params))


def round_id_arg(text: str) -> int:
    """A round number for an option (``--round 7``)."""
    try:
        return parse_id(text)
    except DialogError as exc:
        raise _argument_error(exc) from None
