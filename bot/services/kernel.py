"""The shared plumbing of every use case: one unit of work per call, retried on conflicts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock, SystemClock
from bot.domain.results import Outcome
from bot.domain.templates import DialogTemplate, TemplateCatalog
from bot.metrics import answer_stored
from bot.ports import PostPlanner
from storage.models import Round
from storage.outbox import NewPost
from storage.repository import Repository
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")


def _stored(outcome: Outcome) -> None:
    """Log and count a committed change of a participation (ids only, never the text)."""
    log.info(
        "%s stored (participation %s, question %s)",
        outcome.kind,
        outcome.participation_id,
        outcome.question_key,
    )
    if outcome.kind != "duplicate":
        answer_stored(outcome.kind)


class ServiceKernel:
    """Opens units of work for the use cases, and holds what they share.

    Args:
        session_factory: where sessions come from (one per unit of work).
        catalog: the dialog templates on disk, for starting rounds; or how to load them
            (then loaded on first use: a command that starts no round reads no template).
        clock: the injected clock (tests move it; production reads the system time).
        max_attempts: how often a unit of work is retried after a write conflict.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        catalog: TemplateCatalog | Callable[[], TemplateCatalog],
        clock: Clock | None = None,
        max_attempts: int = 5,
    ) -> None:
        self.session_factory = session_factory
        self._catalog = catalog
        self.clock: Clock = clock or SystemClock()
        self.max_attempts = max_attempts
        self._templates: dict[int, DialogTemplate] = {}
        self._templates_lock = threading.Lock()

    @property
    def catalog(self) -> TemplateCatalog:
        """The dialog templates (loaded now if they were handed over as a loader)."""
        return self.templates()

    def templates(self) -> TemplateCatalog:
        """:attr:`catalog`, loaded now if it was handed over as a loader."""
        catalog = self._catalog
        if not isinstance(catalog, TemplateCatalog):
            with self._templates_lock:
                if not isinstance(self._catalog, TemplateCatalog):
                    self._catalog = self._catalog()
                catalog = self._catalog
        return catalog

    def now(self) -> datetime:
        """The current time from the injected clock (aware, UTC)."""
        return self.clock.now()

    def transaction(
        self,
        workspace: str,
        work: Callable[[Repository], T],
        planner: PostPlanner | None = None,
    ) -> T:
        """Run ``work`` in one unit of work and commit; retry on write conflicts.

        A conflict is another transaction updating the same participation (version
        counter) or inserting the same message key (unique constraint). On retry the
        work sees the other transaction's result, so duplicates become no-ops. With a
        ``planner`` the posts the result calls for are written to the outbox in the same
        transaction (a replay plans the same keys, which are then skipped).
        """
        for attempt in range(1, self.max_attempts + 1):
            with UnitOfWork(self.session_factory, workspace) as uow:
                try:
                    result = work(uow.repo)
                    now = self.now()
                    until = now
                    posts: Sequence[NewPost] = ()
                    if planner is not None and isinstance(result, Outcome):
                        until = now + planner.lease
                        posts = planner.posts_for(result)
                    # A deferred answer and its posts go in one round trip (PostgreSQL).
                    platform = planner.platform if planner is not None else "slack"
                    mine = uow.repo.write_pending(posts, now, until, platform)
                    uow.commit()
                    if isinstance(result, Outcome):
                        _stored(result)
                    if planner is not None:
                        planner.planned(mine, until)
                    return result
                except (StaleDataError, IntegrityError) as exc:
                    uow.rollback()
                    if attempt == self.max_attempts:
                        raise
                    log.info("write conflict in %s, retrying (%s)", workspace, type(exc).__name__)
        raise AssertionError("unreachable")

    def read(self, workspace: str, work: Callable[[Repository], T]) -> T:
        """Run read-only ``work`` in its own unit of work (nothing is committed)."""
        with UnitOfWork(self.session_factory, workspace) as uow:
            return work(uow.repo)

    def unit_of_work(self, workspace: str) -> UnitOfWork:
        """A raw unit of work for ``workspace``: for tests and maintenance tools that look
        at stored rows directly. Code under ``bot/`` outside the services never calls it
        (``tests/test_architecture.py`` enforces this)."""
        return UnitOfWork(self.session_factory, workspace)

    def template_of(self, round_: Round) -> DialogTemplate:
        """The exact template version the round started with (parsed once per snapshot)."""
        cached = self._templates.get(round_.template_snapshot_id)
        if cached is None:
            snapshot = round_.template
            cached = DialogTemplate.model_validate(snapshot.body)
            with self._templates_lock:
                self._templates[snapshot.id] = cached
        return cached

    def template_by_snapshot(self, repo: Repository, snapshot_id: int) -> DialogTemplate:
        """The template of snapshot ``snapshot_id`` (parsed once; read through ``repo``
        only the first time)."""
        cached = self._templates.get(snapshot_id)
        if cached is None:
            body = repo.template_body(snapshot_id)
            if body is None:
                raise LookupError(f"template snapshot {snapshot_id}")
            cached = DialogTemplate.model_validate(body)
            with self._templates_lock:
                self._templates[snapshot_id] = cached
        return cached
