"""Use cases on workspace settings (today only ``anonymity_k``; see :mod:`bot.settings`)."""

from __future__ import annotations

from bot.services.kernel import ServiceKernel
from bot.settings import check_name, parse_k
from storage.repository import Repository


class Settings:
    """Read and change a workspace's settings, one unit of work each.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def get_setting(self, workspace: str, name: str) -> int:
        """The current value of setting ``name`` in ``workspace``.

        Raises:
            UnknownSetting: If there is no setting by that name.
        """
        check_name(name)
        return self.kernel.read(workspace, lambda repo: repo.anonymity_k())

    def set_setting(self, workspace: str, name: str, value: str) -> int:
        """Change setting ``name`` in ``workspace``; returns the stored value.

        Raises:
            UnknownSetting: If there is no setting by that name.
            BadSettingValue: If ``value`` is out of range or not a number.
        """
        check_name(name)
        k = parse_k(value)

        def work(repo: Repository) -> int:
            repo.set_anonymity_k(k)
            return k

        return self.kernel.transaction(workspace, work)
