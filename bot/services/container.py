"""All use-case groups behind one object, built once in :mod:`bot.wiring` and handed to adapters."""

from __future__ import annotations

from bot.services.absences import Absences
from bot.services.kernel import ServiceKernel
from bot.services.ops import Ops
from bot.services.organisation import Organisation
from bot.services.people import People
from bot.services.question_messages import QuestionMessages
from bot.services.starting import Starting


class Services:
    """The service layer as adapters see it: one attribute per use-case group.

    Args:
        kernel: the shared unit-of-work plumbing (session factory, catalog, clock).
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        # One line per use-case group, e.g. ``self.absences = Absences(kernel)``.
        self.absences = Absences(kernel)
        self.question_messages = QuestionMessages(kernel)
        self.people = People(kernel)
        self.starting = Starting(kernel)
        self.organisation = Organisation(kernel)
        self.ops = Ops(kernel)
