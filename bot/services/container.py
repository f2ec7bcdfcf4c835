"""All use-case groups behind one object, built once in :mod:`bot.wiring` and handed to adapters."""

from __future__ import annotations

from bot.services.absences import Absences
from bot.services.history import HistoryReports
from bot.services.kernel import ServiceKernel
from bot.services.ops import Ops
from bot.services.organisation import Organisation
from bot.services.people import People
from bot.services.personal_data import PersonalData
from bot.services.question_messages import QuestionMessages
from bot.services.reports import Reports
from bot.services.schedule import Schedules
from bot.services.settings import Settings
from bot.services.starting import Starting
from bot.services.workspaces import Workspaces


class Services:
    """The service layer as adapters see it: one attribute per use-case group.

    Args:
        kernel: the shared unit-of-work plumbing (session factory, catalog, clock).
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        # One line per use-case group, e.g. ``self.absences = Absences(kernel)``.
        self.absences = Absences(kernel)
        self.history = HistoryReports(kernel)
        self.ops = Ops(kernel)
        self.organisation = Organisation(kernel)
        self.people = People(kernel)
        self.personal_data = PersonalData(kernel)
        self.question_messages = QuestionMessages(kernel)
        self.reports = Reports(kernel)
        self.schedule = Schedules(kernel)
        self.settings = Settings(kernel)
        self.starting = Starting(kernel)
        self.workspaces = Workspaces(kernel)
