"""TEMPORARY (delete when the engine split lands): the four use-case groups of the split
(``rounds``, ``answering``, ``activities``, ``queries``) on the :class:`Services`
container, each forwarding to a :class:`~bot.engine.DialogEngine` whose methods have the
same names and signatures. Adapters written against the split's API (bot/teams) run on
this branch through it; nothing else uses it.
"""

from __future__ import annotations

from bot.engine import DialogEngine
from bot.services.container import Services as _Container


class InterimServices(_Container):
    """:class:`Services` with the split's groups, delegating to ``engine``.

    Typed as the engine itself: each group has exactly the engine's methods of that name.
    """

    rounds: DialogEngine
    answering: DialogEngine
    activities: DialogEngine
    queries: DialogEngine

    def __init__(self, engine: DialogEngine) -> None:
        super().__init__(engine.kernel)
        self.__dict__.update(engine.services.__dict__)
        self.rounds = engine
        self.answering = engine
        self.activities = engine
        self.queries = engine


def services_of(engine: DialogEngine) -> InterimServices:
    """The container with the split's groups for ``engine``."""
    return InterimServices(engine)
