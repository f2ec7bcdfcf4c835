"""The unit of work: one session and one transaction per incoming event or command."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage.repository import Repository


class UnitOfWork:
    """Opens a session scoped to one workspace; nothing is stored until :meth:`commit`.

    Usage::

        with UnitOfWork(factory, "T123") as uow:
            round_ = uow.repo.round(7)
            ...
            uow.commit()
    """

    def __init__(self, session_factory: sessionmaker[Session], workspace_id: str) -> None:
        self._factory = session_factory
        self.workspace_id = workspace_id
        self._session: Session | None = None
        self._repo: Repository | None = None

    def __enter__(self) -> Self:
        self._session = self._factory()
        self._repo = Repository(self._session, self.workspace_id)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None
            self._repo = None

    @property
    def session(self) -> Session:
        """The open session (only inside ``with``)."""
        assert self._session is not None, "UnitOfWork used outside 'with'"
        return self._session

    @property
    def repo(self) -> Repository:
        """The workspace-scoped repository (only inside ``with``)."""
        assert self._repo is not None, "UnitOfWork used outside 'with'"
        return self._repo

    def commit(self) -> None:
        """Commit everything done in this unit of work."""
        self.session.commit()

    def rollback(self) -> None:
        """Throw away everything done since the last commit."""
        self.session.rollback()
