"""People of the organisation as adapters need them: a person's language and names."""

from __future__ import annotations

from collections.abc import Collection

from bot.i18n import DEFAULT_LANG
from bot.services.kernel import ServiceKernel
from storage.repository import Repository

LANGS = ("sv", "en")


class People:
    """Read use cases about the people of a workspace."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def lang_of(self, workspace: str, chat_id: str) -> str:
        """The language of a person in the organisation, Swedish when unknown."""

        def work(repo: Repository) -> str:
            person = repo.person(chat_id)
            return person.lang if person is not None and person.lang in LANGS else DEFAULT_LANG

        return self.kernel.read(workspace, work)

    def names(self, workspace: str, chat_ids: Collection[str]) -> dict[str, str]:
        """The organisation's names for these chat ids (unknown ids are left out)."""

        def work(repo: Repository) -> dict[str, str]:
            people = (repo.person(chat_id) for chat_id in sorted(chat_ids))
            return {p.chat_id: p.name for p in people if p is not None}

        return self.kernel.read(workspace, work)

    def participation_by_source(self, workspace: str, source_ref: str) -> int | None:
        """The participation whose answer came from chat message ``source_ref``, if any
        (read models of the participation come from the query use cases)."""

        def work(repo: Repository) -> int | None:
            answer = repo.answer_by_source(source_ref)
            return answer.participation_id if answer is not None else None

        return self.kernel.read(workspace, work)
