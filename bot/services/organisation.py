"""Importing an organisation (levels, units, people) as one use case."""

from __future__ import annotations

from bot.org_import import ImportReport, OrgData, import_org
from bot.services.kernel import ServiceKernel


class Organisation:
    """Write use cases on the organisation of a workspace."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def import_org(self, workspace: str, data: OrgData, source: str) -> ImportReport:
        """Validate ``data`` and upsert it in one transaction (nothing is written when a
        row is wrong: :class:`bot.org_import.OrgImportError` names every problem)."""
        return self.kernel.transaction(workspace, lambda repo: import_org(repo, data, source))
