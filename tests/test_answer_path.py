"""The answer hot path (SQLAlchemy Core, :mod:`storage.answer_path`): the rows it writes
match what the ORM path writes, a concurrent change of the participation is retried, and
replays and refusals still take the full path."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text
from support.sample import load_sample_org

from bot.domain.commands import StartRound
from bot.domain.errors import RoundClosed
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from storage.db import make_session_factory

WS = "local"


class BumpingClock:
    """A fixed clock that, the first ``bumps`` times it is read, changes the participation
    from another connection (as a concurrent answer would): the answer read its version
    before, so its write must fail and be retried."""

    def __init__(self, db: Engine, bumps: int) -> None:
        self.db = db
        self.bumps = bumps
        self.pid: int | None = None
        self.at = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)

    def now(self) -> datetime:
        if self.pid is not None and self.bumps > 0:
            self.bumps -= 1
            with self.db.begin() as conn:
                conn.execute(
                    text("UPDATE participations SET version = version + 1 WHERE id = :pid"),
                    {"pid": self.pid},
                )
        return self.at


def _start(services: Services) -> int:
    started = services.rounds.start_round(
        WS, StartRound("avstamning", ["Hemtjänst Norr"], "C0LEDNING")
    )
    return started.participants[0][0].participation_id


def _started_with(
    db: Engine, catalog: TemplateCatalog, clock: BumpingClock
) -> tuple[Services, int]:
    """Services reading ``clock``, the sample organisation, and a started round's first
    participation."""
    services = build_services(make_session_factory(db), catalog, clock)
    load_sample_org(services)
    return services, _start(services)


def _rows(db: Engine, pid: int) -> dict[str, object]:
    with db.connect() as conn:
        p = conn.execute(
            text("SELECT status, position, version FROM participations WHERE id = :p"),
            {"p": pid},
        ).one()
        answers = conn.execute(
            text(
                "SELECT question_key, text, status, source_ref, revision FROM answers "
                "WHERE participation_id = :p ORDER BY id"
            ),
            {"p": pid},
        ).all()
        revisions = conn.execute(
            text(
                "SELECT a.question_key, r.revision, r.text, r.status, r.source_ref "
                "FROM answer_revisions r JOIN answers a ON a.id = r.answer_id "
                "WHERE a.participation_id = :p ORDER BY r.id"
            ),
            {"p": pid},
        ).all()
        keys = conn.execute(
            text(
                "SELECT message_key, outcome FROM processed_messages "
                "WHERE participation_id = :p ORDER BY id"
            ),
            {"p": pid},
        ).all()
    return {
        "participation": tuple(p),
        "answers": [tuple(a) for a in answers],
        "revisions": [tuple(r) for r in revisions],
        "keys": [tuple(k) for k in keys],
    }


def test_answers_back_and_a_new_revision_store_what_the_orm_path_stores(
    services: Services, db: Engine
) -> None:
    pid = _start(services)
    first = services.answering.reply(WS, pid, "  Ett  ", "m1")
    services.answering.back(WS, pid, "m2")
    again = services.answering.reply(WS, pid, "Två", "m3")
    assert (first.kind, first.question_number, first.lang) == ("answered", 1, "sv")
    assert first.prompt is not None and first.prompt.index == 1
    assert again.question_number == 1
    rows = _rows(db, pid)
    (qk, text_, status, source, revision) = rows["answers"][0]  # type: ignore[index]
    assert (text_, status, source, revision) == ("Två", "answered", "m3", 2)
    assert rows["revisions"] == [(qk, 1, "Ett", "answered", "m1"), (qk, 2, "Två", "answered", "m3")]
    assert rows["keys"] == [("m1", "answered"), ("m2", "back"), ("m3", "answered")]
    assert rows["participation"] == ("answering", 1, 4)


def test_the_last_answer_finishes_with_the_whole_sheet(services: Services, db: Engine) -> None:
    pid = _start(services)
    total = services.queries.current_prompt(WS, pid)
    assert total is not None
    outcome = None
    for n in range(total.total):
        outcome = services.answering.reply(WS, pid, f"Svar {n}", f"m{n}")
    assert outcome is not None and outcome.finished and outcome.prompt is None
    assert [line.answer for line in outcome.sheet] == [f"Svar {n}" for n in range(total.total)]
    assert _rows(db, pid)["participation"][:2] == ("finished", total.total)  # type: ignore[index]
    replay = services.answering.reply(WS, pid, "Svar 0", "m0")
    assert replay.kind == "duplicate"
    late = services.answering.reply(WS, pid, "Mer", "m-late")
    assert late.kind == "already_finished"


def test_a_concurrent_change_of_the_participation_is_retried(
    db: Engine, catalog: TemplateCatalog
) -> None:
    clock = BumpingClock(db, bumps=2)
    services, pid = _started_with(db, catalog, clock)
    clock.pid = pid
    outcome = services.answering.reply(WS, pid, "Svar", "m1")
    assert outcome.kind == "answered" and clock.bumps == 0
    rows = _rows(db, pid)
    assert len(rows["answers"]) == 1  # type: ignore[arg-type]
    assert len(rows["revisions"]) == 1  # type: ignore[arg-type]
    assert rows["keys"] == [("m1", "answered")]


def test_a_closed_round_refuses_through_the_full_path(services: Services) -> None:
    pid = _start(services)
    round_id = services.queries.participant(WS, pid).round_id
    services.rounds.close_round(WS, round_id)
    try:
        services.answering.reply(WS, pid, "För sent", "m1")
    except RoundClosed:
        pass
    else:  # pragma: no cover - the assertion
        raise AssertionError("a closed round took an answer")


class ReplayingClock(BumpingClock):
    """Records the message key from another connection the first time it is read, as a
    concurrent delivery of the same message would: the write conflicts on the key."""

    def now(self) -> datetime:
        if self.pid is not None and self.bumps > 0:
            self.bumps -= 1
            with self.db.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO processed_messages "
                        "(workspace_id, message_key, participation_id, outcome, created_at) "
                        "VALUES (:ws, 'm1', :pid, 'answered', :at)"
                    ),
                    {"ws": WS, "pid": self.pid, "at": self.at.replace(tzinfo=None)},
                )
        return self.at


def test_a_concurrent_delivery_of_the_same_message_becomes_a_duplicate(
    db: Engine, catalog: TemplateCatalog
) -> None:
    clock = ReplayingClock(db, bumps=1)
    services, pid = _started_with(db, catalog, clock)
    clock.pid = pid
    outcome = services.answering.reply(WS, pid, "Svar", "m1")
    assert outcome.kind == "duplicate"
    rows = _rows(db, pid)
    assert rows["answers"] == [] and rows["revisions"] == []
    assert rows["keys"] == [("m1", "answered")]


def test_an_activities_answer_retried_after_a_concurrent_change_stores_its_list_once(
    db: Engine, catalog: TemplateCatalog
) -> None:
    clock = BumpingClock(db, bumps=2)
    services, pid = _started_with(db, catalog, clock)
    services.answering.reply(WS, pid, "Bra", "m1")
    services.answering.reply(WS, pid, "För att", "m2")
    clock.pid = pid
    outcome = services.answering.reply(WS, pid, "- Ett\n- Två (ansvarig: Eva)", "m3")
    assert clock.bumps == 0
    assert outcome.kind == "answered" and outcome.activities_to_confirm
    assert [(a.title, a.owner) for a in outcome.activities] == [("Ett", None), ("Två", "Eva")]
    replay = services.answering.reply(WS, pid, "- Ett\n- Två (ansvarig: Eva)", "m3")
    assert replay.kind == "duplicate"
    with db.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT a.id, a.title, count(e.id) FROM activities a "
                "JOIN activity_events e ON e.activity_id = a.id GROUP BY a.id, a.title ORDER BY a.id"
            )
        ).all()
    assert [(title, events) for _, title, events in stored] == [("Ett", 1), ("Två", 1)]
    assert [row[0] for row in stored] == [a.activity_id for a in outcome.activities]
    assert _rows(db, pid)["keys"] == [("m1", "answered"), ("m2", "answered"), ("m3", "answered")]
