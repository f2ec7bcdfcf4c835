"""Use cases on a workspace's organisation as it is stored (read-only)."""

from __future__ import annotations

from bot.org_view import OrgNode, org_nodes
from bot.services.kernel import ServiceKernel


class Organisation:
    """The organisation of a workspace.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def organisation(self, workspace: str) -> list[OrgNode]:
        """The top units of ``workspace`` with everything below them, in Swedish order."""
        return self.kernel.read(workspace, lambda repo: org_nodes(repo.levels(), repo.units()))
