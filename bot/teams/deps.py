"""What the Teams adapter takes from the layers below, in one place.

Until the engine split lands, the container with the split's groups is the interim one;
at the merge this module imports ``Services`` from :mod:`bot.services.container` and
``StartRound`` from ``bot.domain.commands`` instead.
"""

from __future__ import annotations

from bot.chain.export import export_round
from bot.engine import StartRound
from bot.services.interim import InterimServices as Services
from bot.services.interim import services_of
from bot.wiring import Runtime

__all__ = ["Services", "StartRound", "round_docx", "services_for"]


def services_for(runtime: Runtime) -> Services:
    """The service container of a runtime (after the split: ``runtime.services``)."""
    return services_of(runtime.engine)


def round_docx(services: Services, workspace: str, round_id: int) -> tuple[bytes, str]:
    """A round's documentation as DOCX bytes and a file name (after the split: the
    export service's call)."""
    return export_round(services.rounds, workspace, round_id, "docx")
