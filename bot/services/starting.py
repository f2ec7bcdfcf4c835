"""What a start form offers: the templates, the levels and the units a process support
may pick, each read in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import access
from bot.domain.collation import swedish_sorted
from bot.domain.results import UnitChoice
from bot.domain.templates import DialogTemplate
from bot.services.kernel import ServiceKernel
from storage.repository import Repository


@dataclass(frozen=True)
class StartChoices:
    """The choices of a start form.

    Attributes:
        templates: the dialog templates, in catalogue order.
        levels: (key, name) of the workspace's levels, top first.
        units: the units with their level's name, in Swedish order.
    """

    templates: tuple[DialogTemplate, ...]
    levels: tuple[tuple[str, str], ...]
    units: tuple[UnitChoice, ...]


def _units(repo: Repository, levels: dict[str, str]) -> tuple[UnitChoice, ...]:
    return tuple(
        UnitChoice(u.key, u.name, levels.get(u.level_key, u.level_key))
        for u in swedish_sorted(repo.units(), lambda u: u.name)
    )


class Starting:
    """Read use cases behind the start form."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def choices(self, workspace: str) -> StartChoices:
        """Templates, levels and units to start a round with."""

        def work(repo: Repository) -> StartChoices:
            levels = tuple((lv.key, lv.name) for lv in repo.levels())
            return StartChoices(tuple(self.kernel.catalog), levels, _units(repo, dict(levels)))

        return self.kernel.read(workspace, work)

    def units_for(self, workspace: str, chat_id: str) -> tuple[UnitChoice, ...]:
        """The units ``chat_id`` may pick when starting a round: every unit for a process
        support, none for anyone else."""

        def work(repo: Repository) -> tuple[UnitChoice, ...]:
            person = repo.person(chat_id)
            if person is None or not access.is_organiser(person.roles):
                return ()
            return _units(repo, {lv.key: lv.name for lv in repo.levels()})

        return self.kernel.read(workspace, work)
