"""Personal data: ``dialogbot person export`` (right of access), ``person erase``
(identity removed, the units' documentation kept) and the retention purge of post
contents and message keys (``dialogbot db purge`` and the scheduler, once a day)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from rich.console import Console
from sqlalchemy import Engine, select, text
from support.sample import WORKSPACE, load_sample_org

from bot.chain.export import export_round
from bot.cli import main
from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.errors import UnknownPerson
from bot.domain.templates import TemplateCatalog
from bot.personal_data import RetentionSettingError, retention_days_from_env
from bot.schedule.console_notifier import ConsoleNotifier
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services, build_services
from bot.slack.blocks import status_text as slack_status_text
from bot.summary import render_summary
from bot.teams.cards import status_text as teams_status_text
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import Base, ProcessedMessage
from storage.models_chain import Activity
from storage.models_outbox import ChatPost
from storage.models_schedule import ScheduledJob
from storage.outbox import NewPost, OutboxStore

ANNA = "U0ENHHTN"
BJORN = "U0ENHHTS"
SUPPORT = "U0PROC01"


def _pid(services: Services, round_id: int, chat_id: str) -> int:
    for unit in services.queries.status(WORKSPACE, round_id).units:
        for p in unit.participants:
            if p.chat_id == chat_id:
                return p.participation_id
    raise AssertionError(chat_id)


def _populate(services: Services) -> None:
    """Two rounds (one anonymous), answers with revisions, an owned activity, posts."""
    named = services.rounds.start_round(
        WORKSPACE,
        StartRound("avstamning", ["Äldreomsorg"], "C0LEDNING", level="enhet", started_by=SUPPORT),
    ).round.round_id
    anna = _pid(services, named, ANNA)
    services.answering.reply(WORKSPACE, anna, "Budgeten håller", "slack:D0ANNA:1.1")
    services.answering.edit_question(
        WORKSPACE, anna, 1, "Budgeten håller nästan", "slack:D0ANNA:1.2"
    )
    services.answering.reply(
        WORKSPACE, _pid(services, named, BJORN), "Björns eget svar", "slack:C0:2.1"
    )
    services.rounds.set_thread(WORKSPACE, anna, "D0ANNA:1.0")
    secret = services.rounds.start_round(
        WORKSPACE,
        StartRound("avstamning", ["Äldreomsorg"], "C0LEDNING", level="enhet", anonymous=True),
    ).round.round_id
    services.answering.reply(
        WORKSPACE, _pid(services, secret, ANNA), "Anonym åsikt", "slack:D0ANNA:3.1"
    )
    now = services.kernel.clock.now()
    with services.kernel.unit_of_work(WORKSPACE) as uow:
        unit = uow.repo.unit("hemtjanst-norr")
        assert unit is not None
        for title, owner in (
            ("Ny bemanning", "anna andersson"),
            ("Annans sak", "Björn"),
            ("Nattvak", "CECILIA ÖBERG"),
        ):
            uow.repo.add(
                Activity(
                    unit_id=unit.id,
                    round_id=named,
                    question_key="x",
                    position=0,
                    title=title,
                    owner=owner,
                    status="open",
                    status_note="",
                    created_at=now,
                    updated_at=now,
                )
            )
        uow.commit()
    store = OutboxStore(services.kernel.session_factory, services.kernel.clock)
    thread = {"text": f"<@{ANNA}> — Hemtjänst Norr"}
    store.claim(WORKSPACE, NewPost("round:1:thread:1", thread, "C0LEDNING"))
    store.claim(WORKSPACE, NewPost("remind:1:1:x", {"text": "Påminnelse"}, ANNA))
    store.claim(WORKSPACE, NewPost("round:1:announce", {"text": "Rundan har startat"}, "C0LEDNING"))


def test_export_contains_everything_about_the_person_and_nothing_else(
    services: Services,
) -> None:
    _populate(services)
    data = services.personal_data.export_person(WORKSPACE, ANNA)
    dumped = json.dumps(data, ensure_ascii=False)

    assert data["person"] == {
        "chat_id": ANNA,
        "name": "Anna Andersson",
        "roles": ["chef"],
        "lang": "sv",
    }
    assert [u["key"] for u in data["units_managed"]] == ["hemtjanst-norr"]
    (part,) = data["participations"]
    assert part["unit"]["name"] == "Hemtjänst Norr" and part["thread"] == "D0ANNA:1.0"
    (answer,) = part["answers"]
    assert answer["text"] == "Budgeten håller nästan"
    assert [r["text"] for r in answer["revisions"]] == ["Budgeten håller", "Budgeten håller nästan"]
    assert "slack:D0ANNA:1.1" in part["message_keys"]
    assert [a["status"] for a in data["anonymous_participations"]] == ["answering"]
    assert [a["title"] for a in data["activities_owned"]] == ["Ny bemanning"]
    cecilia = services.personal_data.export_person(WORKSPACE, "U0ENHSOL")["activities_owned"]
    assert [a["title"] for a in cecilia] == ["Nattvak"]
    assert {p["key"] for p in data["posts_addressed"]} == {"round:1:thread:1", "remind:1:1:x"}
    for foreign in ("Anonym åsikt", "Björns eget svar", "Annans sak", "Nattvak", "Rundan"):
        assert foreign not in dumped
    with pytest.raises(UnknownPerson):
        services.personal_data.export_person(WORKSPACE, "U0NOBODY")


def test_export_lists_the_persons_absences_and_deputy(services: Services) -> None:
    _populate(services)
    today = services.kernel.clock.now().date()
    start, end = today + timedelta(days=30), today + timedelta(days=60)
    services.absences.register(WORKSPACE, ANNA, start, end, deputy=BJORN)
    (absence,) = services.personal_data.export_person(WORKSPACE, ANNA)["absences"]
    assert absence == {
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "deputy": BJORN,
        "created_by": ANNA,
    }
    assert services.personal_data.export_person(WORKSPACE, BJORN)["absences"] == []


def _database_text(db: Engine) -> str:
    with db.connect() as conn:
        return "\n".join(
            " ".join(str(v) for v in row)
            for table in Base.metadata.sorted_tables
            for row in conn.execute(table.select()).all()
        )


def test_erase_removes_the_identity_and_keeps_the_units_documentation(
    services: Services, db: Engine
) -> None:
    _populate(services)
    assert ANNA in _database_text(db) and "Anna Andersson" in _database_text(db)

    erased = services.personal_data.erase_person(WORKSPACE, ANNA)
    assert (erased.participations, erased.activities, erased.posts) == (2, 1, 2)

    everything = _database_text(db)
    for trace in (ANNA, "Anna Andersson", "anna andersson", "D0ANNA"):
        assert trace not in everything
    summary = render_summary(services.queries.summary(WORKSPACE, 1), "md")
    assert "Budgeten håller nästan" in summary and "Hemtjänst Norr" in summary
    assert "Björns eget svar" in summary
    assert services.personal_data.export_person(WORKSPACE, BJORN)["participations"][0]["answers"]
    with pytest.raises(UnknownPerson):
        services.personal_data.export_person(WORKSPACE, ANNA)
    assert services.personal_data.erase_person(WORKSPACE, BJORN).participations == 2


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_an_erased_managers_unit_is_named_alone_in_every_list(services: Services) -> None:
    """Anna's unit has not answered and Anna is erased: every list of who is missing
    names Hemtjänst Norr alone, never "Hemtjänst Norr ()" or "Hemtjänst Norr — "."""
    round_id = services.rounds.start_round(
        WORKSPACE,
        StartRound("avstamning", ["Äldreomsorg"], "C0LEDNING", level="enhet", started_by=SUPPORT),
    ).round.round_id
    services.answering.reply(
        WORKSPACE, _pid(services, round_id, BJORN), "Björns eget svar", "slack:C0:2.1"
    )
    services.personal_data.erase_person(WORKSPACE, ANNA)

    status = services.queries.status(WORKSPACE, round_id)
    out = Console(file=io.StringIO(), width=400)
    ConsoleNotifier(out).digest(status, ["Petra"])
    open_texts = {
        "slack status": slack_status_text(status, "Europe/Stockholm"),
        "teams status": teams_status_text(status, "Europe/Stockholm"),
        "console digest": out.file.getvalue(),  # type: ignore[attr-defined]
    }
    services.rounds.close_round(WORKSPACE, round_id)
    summary = services.queries.summary(WORKSPACE, round_id)
    closed_texts = {
        **{f"summary {fmt}": render_summary(summary, fmt) for fmt in ("md", "mrkdwn", "text")},
        **{
            f"export {fmt}": export_round(services, WORKSPACE, round_id, fmt)[0].decode()
            for fmt in ("md", "html")
        },
        "export docx": _docx_text(export_round(services, WORKSPACE, round_id, "docx")[0]),
    }
    for where, shown in {**open_texts, **closed_texts}.items():
        assert "Hemtjänst Norr" in shown, where
        for empty in ("()", "( ", "(,", "— \n", "—\n", "— <", " , "):
            assert empty not in shown, (where, empty, shown)
    assert (
        "Hemtjänst Norr, Särskilt boende Solgården (Cecilia Öberg)"
        in closed_texts["summary mrkdwn"]
    )
    assert (
        "- Hemtjänst Norr\n- Särskilt boende Solgården — Cecilia Öberg\n"
        in closed_texts["summary md"]
    )


def _post(session_db: Engine, key: str, status: str, sent_at: datetime | None) -> None:
    with make_session_factory(session_db)() as session, session.begin():
        session.add(
            ChatPost(
                workspace_id=WORKSPACE,
                post_key=key,
                status=status,
                channel="C0LEDNING",
                ts="1.1",
                payload={"text": f"summary {key}", "file": "UEsDBBQ="},
                attempts=1,
                created_at=sent_at or datetime(2027, 5, 1, tzinfo=UTC),
                sent_at=sent_at,
            )
        )


def _key(session_db: Engine, key: str, at: datetime) -> None:
    with make_session_factory(session_db)() as session, session.begin():
        session.add(
            ProcessedMessage(
                workspace_id=WORKSPACE, message_key=key, outcome="answered", created_at=at
            )
        )


def _left(db: Engine) -> tuple[dict[str, bool], set[str]]:
    with make_session_factory(db)() as session:
        posts = {p.post_key: p.payload is not None for p in session.scalars(select(ChatPost))}
        keys = set(session.scalars(select(ProcessedMessage.message_key)))
    return posts, keys


def _aged(db: Engine, now: datetime) -> None:
    _post(db, "old", "sent", now - timedelta(days=100))
    _post(db, "recent", "sent", now - timedelta(days=10))
    _post(db, "old-failed", "failed", None)
    _key(db, "slack:C1:old", now - timedelta(days=100))
    _key(db, "slack:C1:recent", now - timedelta(days=1))


def test_purge_forgets_old_post_contents_and_message_keys(services: Services, db: Engine) -> None:
    now = services.kernel.clock.now()
    _aged(db, now)
    purged = services.personal_data.purge_expired(90)
    assert (purged.post_payloads, purged.message_keys) == (1, 1)
    assert _left(db) == ({"old": False, "recent": True, "old-failed": True}, {"slack:C1:recent"})
    # The post row stays: a replayed event still finds it delivered and posts nothing.
    assert (
        OutboxStore(services.kernel.session_factory, services.kernel.clock)
        .claim(WORKSPACE, NewPost("old", {}, "C"))
        .state
        == "sent"
    )
    assert services.personal_data.purge_expired(90).post_payloads == 0


def test_the_scheduler_purges_once_a_day(services: Services, db: Engine, clock: FixedClock) -> None:
    _aged(db, clock.now())
    scheduler = Scheduler(services, ConsoleNotifier(), retention_days=90)
    scheduler.tick()
    scheduler.tick()
    assert _left(db)[0]["old"] is False and _left(db)[1] == {"slack:C1:recent"}
    clock.advance(timedelta(days=85))
    scheduler.tick()
    assert _left(db)[0]["recent"] is False
    with make_session_factory(db)() as session:
        purges = session.scalars(select(ScheduledJob).where(ScheduledJob.kind == "purge")).all()
    assert sorted((j.job_key, j.status) for j in purges) == [
        ("purge:2027-05-03", "done"),
        ("purge:2027-07-27", "done"),
    ]


def test_retention_setting() -> None:
    assert retention_days_from_env({}) == 90
    assert retention_days_from_env({"DIALOGBOT_RETENTION_DAYS": "30"}) == 30
    assert retention_days_from_env({"DIALOGBOT_RETENTION_DAYS": "off"}) is None
    for bad in ("0", "-3", "tre"):
        with pytest.raises(RetentionSettingError):
            retention_days_from_env({"DIALOGBOT_RETENTION_DAYS": bad})


def test_person_and_purge_commands(
    tmp_path: Path,
    catalog: TemplateCatalog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'people.db'}"
    db = make_engine(url)
    upgrade(db)
    now = datetime.now(UTC)
    services = build_services(make_session_factory(db), catalog, FixedClock(now))
    load_sample_org(services)
    _populate(services)
    capsys.readouterr()

    assert main(["--db", url, "person", "export", ANNA]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["person"]["name"] == "Anna Andersson"

    assert main(["--db", url, "person", "erase", ANNA]) == 1
    assert "--yes" in capsys.readouterr().out
    assert main(["--db", url, "person", "erase", ANNA, "--yes"]) == 0
    assert "U0ENHHTN är borttagen" in capsys.readouterr().out
    assert main(["--db", url, "person", "export", ANNA]) == 1
    assert "U0ENHHTN" in capsys.readouterr().err

    _aged(db, now)
    monkeypatch.setenv("DIALOGBOT_RETENTION_DAYS", "tre")
    assert main(["--db", url, "db", "purge"]) == 1
    assert "DIALOGBOT_RETENTION_DAYS" in capsys.readouterr().err
    assert main(["--db", url, "db", "purge", "--days", "30"]) == 0
    assert "Gallrade 1 postinnehåll och 1 meddelandenycklar" in capsys.readouterr().out
    with db.connect() as conn:
        assert (
            conn.execute(text("SELECT payload FROM chat_posts WHERE post_key='old'")).scalar()
            is None
        )
    db.dispose()
