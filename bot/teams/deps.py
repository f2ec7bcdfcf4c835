"""What the Teams adapter takes from the layers below, in one place."""

from __future__ import annotations

from bot.chain.export import export_round
from bot.domain.commands import StartRound
from bot.services.container import Services
from bot.services.round_starts import StartAccepted
from bot.wiring import Runtime

__all__ = ["Services", "StartAccepted", "StartRound", "round_docx", "services_for"]


def services_for(runtime: Runtime) -> Services:
    """The service layer of a runtime."""
    return runtime.services


def round_docx(services: Services, workspace: str, round_id: int) -> tuple[bytes, str]:
    """A round's documentation as DOCX bytes and a file name."""
    return export_round(services, workspace, round_id, "docx")
