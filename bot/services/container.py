"""All use-case groups behind one object, built once in :mod:`bot.wiring` and handed to adapters.

A group's module is imported, and the group built, when it is first used: a CLI command
imports only the groups it calls (``round list`` needs :class:`~bot.services.queries.Queries`,
not the schedule, history, organisation-import or summary code behind the others)."""

from __future__ import annotations

import threading
from importlib import import_module
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from bot.services.kernel import ServiceKernel

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session, sessionmaker

    from bot.clock import Clock
    from bot.domain.templates import TemplateCatalog
    from bot.services.absences import Absences
    from bot.services.activities import Activities
    from bot.services.answering import Answering
    from bot.services.conversations import Conversations
    from bot.services.history import HistoryReports
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

G = TypeVar("G")


class _Group(Generic[G]):
    """A use-case group of :class:`Services`, built on first access and kept on the instance.

    Args:
        module: the module defining the group's class (imported on first access).
        name: the class, built with the kernel.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.attr = name

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    @overload
    def __get__(self, services: None, owner: type) -> _Group[G]: ...
    @overload
    def __get__(self, services: Services, owner: type) -> G: ...
    def __get__(self, services: Services | None, owner: type) -> _Group[G] | G:
        if services is None:
            return self
        with services._building:
            # A non-data descriptor: once built, the instance's attribute answers.
            built = services.__dict__.get(self.attr)
            if built is None:
                cls: Callable[[ServiceKernel], G] = getattr(import_module(self.module), self.name)
                built = services.__dict__[self.attr] = cls(services.kernel)
        return built


class Services:
    """The service layer as adapters see it: one attribute per use-case group.

    Every public method of a group takes the workspace first and runs as one unit of
    work; methods written as ``method(self, repo, ...)`` under ``@writes``/``@reads``
    (:mod:`bot.services.participation`) are called as ``method(workspace, ...)``.

    Args:
        kernel: the shared unit-of-work plumbing (session factory, catalog, clock).
    """

    rounds: _Group[Rounds] = _Group("bot.services.rounds", "Rounds")
    answering: _Group[Answering] = _Group("bot.services.answering", "Answering")
    activities: _Group[Activities] = _Group("bot.services.activities", "Activities")
    queries: _Group[Queries] = _Group("bot.services.queries", "Queries")
    absences: _Group[Absences] = _Group("bot.services.absences", "Absences")
    history: _Group[HistoryReports] = _Group("bot.services.history", "HistoryReports")
    ops: _Group[Ops] = _Group("bot.services.ops", "Ops")
    organisation: _Group[Organisation] = _Group("bot.services.organisation", "Organisation")
    people: _Group[People] = _Group("bot.services.people", "People")
    personal_data: _Group[PersonalData] = _Group("bot.services.personal_data", "PersonalData")
    question_messages: _Group[QuestionMessages] = _Group(
        "bot.services.question_messages", "QuestionMessages"
    )
    reports: _Group[Reports] = _Group("bot.services.reports", "Reports")
    schedule: _Group[Schedules] = _Group("bot.services.schedule", "Schedules")
    settings: _Group[Settings] = _Group("bot.services.settings", "Settings")
    starting: _Group[Starting] = _Group("bot.services.starting", "Starting")
    workspaces: _Group[Workspaces] = _Group("bot.services.workspaces", "Workspaces")
    landings: _Group[Landings] = _Group("bot.services.landings", "Landings")
    conversations: _Group[Conversations] = _Group("bot.services.conversations", "Conversations")
    round_starts: _Group[RoundStarts] = _Group("bot.services.round_starts", "RoundStarts")

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self._building = threading.RLock()

    def load_all(self) -> None:
        """Load the templates (a broken one raises here) and build every group now (a
        server does, so no request pays for an import)."""
        self.kernel.templates()
        for attr, group in vars(type(self)).items():
            if isinstance(group, _Group):
                getattr(self, attr)


def build_services(
    session_factory: sessionmaker[Session],
    catalog: TemplateCatalog | Callable[[], TemplateCatalog],
    clock: Clock | None = None,
    max_attempts: int = 5,
) -> Services:
    """The service layer on a session factory (see :class:`ServiceKernel` for the arguments)."""
    return Services(ServiceKernel(session_factory, catalog, clock, max_attempts))
