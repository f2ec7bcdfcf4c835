"""All use-case groups behind one object, built once in :mod:`bot.wiring` and handed to adapters."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.domain.templates import TemplateCatalog
from bot.services.absences import Absences
from bot.services.activities import Activities
from bot.services.answering import Answering
from bot.services.conversations import Conversations
from bot.services.history import HistoryReports
from bot.services.kernel import ServiceKernel
from bot.services.landings import Landings
from bot.services.ops import Ops
from bot.services.organisation import Organisation
from bot.services.people import People
from bot.services.personal_data import PersonalData
from bot.services.queries import Queries
from bot.services.question_messages import QuestionMessages
from bot.services.reports import Reports
from bot.services.round_starts import RoundStarts
from bot.services.rounds import Rounds
from bot.services.schedule import Schedules
from bot.services.settings import Settings
from bot.services.starting import Starting
from bot.services.workspaces import Workspaces


class Services:
    """The service layer as adapters see it: one attribute per use-case group.

    Every public method of a group takes the workspace first and runs as one unit of
    work; methods written as ``method(self, repo, ...)`` under ``@writes``/``@reads``
    (:mod:`bot.services.participation`) are called as ``method(workspace, ...)``.

    Args:
        kernel: the shared unit-of-work plumbing (session factory, catalog, clock).
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self.rounds = Rounds(kernel)
        self.answering = Answering(kernel)
        self.activities = Activities(kernel)
        self.queries = Queries(kernel)
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
        self.landings = Landings(kernel)
        self.conversations = Conversations(kernel)
        self.round_starts = RoundStarts(kernel)


def build_services(
    session_factory: sessionmaker[Session],
    catalog: TemplateCatalog,
    clock: Clock | None = None,
    max_attempts: int = 5,
) -> Services:
    """The service layer on a session factory (see :class:`ServiceKernel` for the arguments)."""
    return Services(ServiceKernel(session_factory, catalog, clock, max_attempts))
