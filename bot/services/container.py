"""All use-case groups behind one object, built once in :mod:`bot.wiring` and handed to adapters."""

from __future__ import annotations

from bot.services.history import HistoryReports
from bot.services.kernel import ServiceKernel
from bot.services.org import Organisation
from bot.services.personal_data import PersonalData
from bot.services.reports import Reports
from bot.services.schedule import Schedules
from bot.services.settings import Settings
from bot.services.workspaces import Workspaces


class Services:
    """The service layer as adapters see it: one attribute per use-case group.

    Args:
        kernel: the shared unit-of-work plumbing (session factory, catalog, clock).
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        # One line per use-case group, e.g. ``self.absences = Absences(kernel)``.
        self.history = HistoryReports(kernel)
        self.org = Organisation(kernel)
        self.personal_data = PersonalData(kernel)
        self.reports = Reports(kernel)
        self.schedule = Schedules(kernel)
        self.settings = Settings(kernel)
        self.workspaces = Workspaces(kernel)
