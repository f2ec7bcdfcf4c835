"""Workspace settings: their names, limits and parsing (pure). Reading and changing them
are use cases of :class:`bot.services.settings.Settings` (``services.settings``).

Today there is one: ``anonymity_k``, the fewest respondents an anonymous round's
group (pool) must have before its answer texts are shown (default 3). A round keeps
the value it started with.
"""

from __future__ import annotations

from bot.domain.errors import DialogError

ANONYMITY_K = "anonymity_k"
SETTINGS = (ANONYMITY_K,)
#: Pools of one would name their respondent: the smallest k that hides anyone is 2.
MIN_K = 2
MAX_K = 100


class UnknownSetting(DialogError):
    """No setting by that name."""

    key = "anonymity.bad_setting"

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown setting {name!r}", name=name, low=MIN_K, high=MAX_K)


class BadSettingValue(DialogError):
    """A setting's value is out of range or not a number."""

    key = "anonymity.bad_k"

    def __init__(self, value: str) -> None:
        super().__init__(f"bad anonymity_k {value!r}", value=value, low=MIN_K, high=MAX_K)


def check_name(name: str) -> None:
    """Raise :class:`UnknownSetting` unless ``name`` is a setting."""
    if name not in SETTINGS:
        raise UnknownSetting(name[:40])


def parse_k(value: str) -> int:
    """A valid ``anonymity_k`` from user text, or :class:`BadSettingValue`."""
    text = value.strip()
    if not text.isdecimal() or len(text) > 3 or not MIN_K <= int(text) <= MAX_K:
        raise BadSettingValue(value[:40])
    return int(text)
