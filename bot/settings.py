"""Workspace settings, read and changed as services (one unit of work each).

Today there is one: ``anonymity_k``, the fewest respondents an anonymous round's
group (pool) must have before its answer texts are shown (default 3). A round keeps
the value it started with.
"""

from __future__ import annotations

from bot.errors import DialogError
from bot.services.container import Services

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


def parse_k(value: str) -> int:
    """A valid ``anonymity_k`` from user text, or :class:`BadSettingValue`."""
    text = value.strip()
    if not text.isdecimal() or len(text) > 3 or not MIN_K <= int(text) <= MAX_K:
        raise BadSettingValue(value[:40])
    return int(text)


def get_setting(services: Services, workspace: str, name: str) -> int:
    """The current value of setting ``name`` in ``workspace``."""
    if name != ANONYMITY_K:
        raise UnknownSetting(name[:40])
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        return uow.repo.anonymity_k()


def set_setting(services: Services, workspace: str, name: str, value: str) -> int:
    """Change setting ``name`` in ``workspace``; returns the stored value."""
    if name != ANONYMITY_K:
        raise UnknownSetting(name[:40])
    k = parse_k(value)
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        uow.repo.set_anonymity_k(k)
        uow.commit()
    return k
