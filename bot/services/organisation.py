"""Use cases on a workspace's organisation: import it, and read it as it is stored."""

from __future__ import annotations

from bot.org_import import ImportReport, OrgData, import_org
from bot.org_view import OrgNode, org_nodes
from bot.services.kernel import ServiceKernel


class Organisation:
    """The organisation of a workspace (levels, units, people).

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def import_org(self, workspace: str, data: OrgData, source: str) -> ImportReport:
        """Validate ``data`` and upsert it in one transaction (nothing is written when a
        row is wrong: :class:`bot.org_import.OrgImportError` names every problem)."""
        return self.kernel.transaction(workspace, lambda repo: import_org(repo, data, source))

    def organisation(self, workspace: str) -> list[OrgNode]:
        """The top units of ``workspace`` with everything below them, in Swedish order."""
        return self.kernel.read(workspace, lambda repo: org_nodes(repo.levels(), repo.units()))
