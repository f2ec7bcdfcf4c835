"""Answering and closing a round serialise on the round's row: an answer never lands in a
round that is already closed, and a reply that loses the race is refused."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from support.sample import load_sample_org

from bot.domain.commands import StartRound
from bot.domain.errors import RoundClosed
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from bot.summary import render_summary
from storage.db import make_session_factory

WS = "local"


class PausingClock:
    """A fixed clock that, read in one chosen thread, stops there until released: the
    engine reads the time inside its transaction, after loading what it changes."""

    def __init__(self) -> None:
        self.at = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)
        self.pause_in: threading.Thread | None = None
        self.reached = threading.Event()
        self.go = threading.Event()

    def now(self) -> datetime:
        if threading.current_thread() is self.pause_in and not self.go.is_set():
            self.reached.set()
            self.go.wait(20)
        return self.at


@pytest.fixture
def racing(db: Engine, catalog: TemplateCatalog) -> tuple[Services, PausingClock, int, int]:
    if db.dialect.name != "postgresql":
        pytest.skip(
            "needs two concurrent write transactions: SQLite lets one writer at a time, so "
            "a reply and a close cannot interleave there (run with DIALOGBOT_TEST_DATABASE_URL)"
        )
    clock = PausingClock()
    services = build_services(make_session_factory(db), catalog, clock)
    load_sample_org(services)
    started = services.rounds.start_round(
        WS, StartRound("avstamning", ["Hemtjänst Norr"], "C0LEDNING")
    )
    return services, clock, started.round.round_id, started.participants[0][0].participation_id


def _run(target: object, out: dict[str, object], name: str) -> threading.Thread:
    def body() -> None:
        try:
            out[name] = target()  # type: ignore[operator]
        except Exception as err:  # recorded for the assertions
            out[name] = err

    return threading.Thread(target=body, name=name)


def test_a_close_waits_for_a_reply_in_flight_and_its_summary_has_the_answer(
    racing: tuple[Services, PausingClock, int, int],
) -> None:
    services, clock, round_id, pid = racing
    out: dict[str, object] = {}
    reply = _run(
        lambda: services.answering.reply(WS, pid, "Svaret i sista stund", "k:late"), out, "reply"
    )
    close = _run(lambda: services.rounds.close_round(WS, round_id), out, "close")
    clock.pause_in = reply
    reply.start()
    assert clock.reached.wait(10)  # the reply has read the open round, not yet committed
    close.start()
    time.sleep(0.5)
    assert close.is_alive()  # the close waits for the reply
    clock.go.set()
    reply.join(10)
    close.join(10)
    closed = out["close"]
    assert isinstance(closed, tuple)
    summary, newly = closed
    assert newly is True
    assert "Svaret i sista stund" in render_summary(summary, "md")


def test_a_reply_after_the_close_took_the_round_is_refused(
    racing: tuple[Services, PausingClock, int, int],
) -> None:
    services, clock, round_id, pid = racing
    out: dict[str, object] = {}
    close = _run(lambda: services.rounds.close_round(WS, round_id), out, "close")
    reply = _run(lambda: services.answering.reply(WS, pid, "För sent", "k:late"), out, "reply")
    clock.pause_in = close
    close.start()
    assert clock.reached.wait(10)  # the close holds the round, not yet committed
    reply.start()
    time.sleep(0.5)
    assert reply.is_alive()  # the reply waits for the close
    clock.go.set()
    close.join(10)
    reply.join(10)
    assert isinstance(out["reply"], RoundClosed)
    assert services.queries.answers_of(WS, pid) == {}
