"""Anonymous rounds: always private, pooled at k respondents, and no trace after close.

The pooling tests run a round over Socialförvaltningen's five enheter (each with one
manager) with 1, 2 and 5 respondents and read every output: the summary as Markdown,
mrkdwn and text, the HTML export and the DOCX read back with python-docx. The trace test
runs a whole anonymous round through signed Slack requests, closes it and then reads
every table of the database (as the migrations made it, so slack_sdk's and the
scheduler's too, and any table added later) looking for anything that ties an answer to
a person.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fakes import RecordedCall
from fakes.signing import DEFAULT_TEAM_ID, message_changed_event, message_event, next_ts
from sqlalchemy import MetaData, select
from support.slack import ANNA, BJORN, CECILIA, CHANNEL, SlackHarness, texts

from bot.chain.evaluation import send_evaluation
from bot.chain.export import export_round
from bot.cli import main
from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.formats import FORMATS
from bot.domain.results import RoundStarted
from bot.services.container import Services
from bot.slack.blocks import ACTION_CONFIRM_ACTIVITIES, ACTION_SKIP, summary_messages
from bot.summary import render_summary

WS = "local"
#: The five enheter of Socialförvaltningen, their only manager, and what each one says.
PEOPLE = {
    "U0ENHHTN": ("Anna Andersson", "Hemtjänst Norr", "Ökad kontinuitet hos brukarna"),
    "U0ENHHTS": ("Björn Svensson", "Hemtjänst Syd", "Budgeten är pressad i år"),
    "U0ENHSOL": ("Cecilia Öberg", "Särskilt boende Solgården", "Carina-modellen fungerar"),
    "U0ENHFSS": ("David Ek", "Försörjningsstöd", "Allt fler hushåll söker stöd"),
    "U0ENHBOU": ("Elin Karlsson", "Barn och unga", "Dubbelt så många orosanmälningar"),
}
ORDER = list(PEOPLE)


def _anonymous_round(services: Services, respondents: int) -> RoundStarted:
    started = services.rounds.start_round(
        WS,
        StartRound(
            "avstamning",
            ["Socialförvaltningen"],
            "#ledning",
            level="enhet",
            anonymous=True,
            started_by="U0PROC01",
        ),
    )
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    for chat_id in ORDER[:respondents]:
        services.answering.reply(WS, pids[chat_id], PEOPLE[chat_id][2], f"m:{chat_id}")
    return started


def _outputs(services: Services, round_id: int) -> dict[str, str]:
    summary = services.queries.summary(WS, round_id)
    out: dict[str, str] = {fmt: render_summary(summary, fmt) for fmt in FORMATS}
    out["html"] = export_round(services, WS, round_id, "html")[0].decode()
    doc = Document(io.BytesIO(export_round(services, WS, round_id, "docx")[0]))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    out["docx"] = "\n".join([p.text for p in doc.paragraphs] + cells)
    return out


def _assert_nobody_named(text: str, where: str) -> None:
    for chat_id, (name, unit, _said) in PEOPLE.items():
        for secret in (chat_id, name, unit):
            assert secret not in text, (where, secret)


@pytest.mark.parametrize("respondents", [1, 2])
def test_below_k_respondents_the_group_sees_a_count_not_the_texts(
    services: Services, respondents: int
) -> None:
    started = _anonymous_round(services, respondents)
    round_id = started.round.round_id
    before = _outputs(services, round_id)  # while the round is open
    services.rounds.close_round(WS, round_id)
    after = _outputs(services, round_id)
    for when, outputs in (("open", before), ("closed", after)):
        for fmt, text in outputs.items():
            where = f"{when}/{fmt}"
            _assert_nobody_named(text, where)
            for chat_id in ORDER[:respondents]:
                assert PEOPLE[chat_id][2] not in text, where
            assert f"{respondents} svar visas inte: färre än 3 svarande" in text, where
            assert "minst 3 har svarat" in text, where  # the document says how it works
            assert f"{5 - respondents} har inte svarat (anonym runda)" in text, where
    # A count, and the text no longer exists anywhere.
    with services.kernel.unit_of_work(WS) as uow:
        from storage.models import Answer, AnswerRevision

        stored = uow.session.scalars(select(Answer.text)).all()
        assert stored == [""] * respondents
        history = uow.session.scalars(select(AnswerRevision.text)).all()
        assert not any(PEOPLE[c][2] in t for c in ORDER for t in history)


def test_five_respondents_are_pooled_where_there_are_k_and_sorted_by_text(
    services: Services,
) -> None:
    started = _anonymous_round(services, 5)
    round_id = started.round.round_id
    services.rounds.close_round(WS, round_id)
    said = sorted(PEOPLE[c][2] for c in ORDER)
    for fmt, text in _outputs(services, round_id).items():
        _assert_nobody_named(text, fmt)
        positions = [text.index(s) for s in said]
        assert positions == sorted(positions), fmt  # by text, not by who or when
        # Äldreomsorg has 3 respondents, IFO 2: IFO's two join Äldreomsorg's pool at the
        # förvaltning, so no pool can be subtracted from another to isolate them.
        assert "Socialförvaltningen (Förvaltning) — 5 svarande" in text, fmt
        assert "Äldreomsorg (Avdelning) —" not in text, fmt
        assert "visas inte" not in text, fmt


def test_k_is_a_workspace_setting_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'settings.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "settings", "show"]) == 0
    assert "anonymity_k = 3" in capsys.readouterr().out  # the default
    assert main(["--db", url, "settings", "set", "anonymity_k", "tre"]) == 1
    assert "anonymity_k måste vara ett heltal från 2 till 100" in capsys.readouterr().err
    assert main(["--db", url, "settings", "set", "färg", "blå"]) == 1
    assert "Okänd inställning färg" in capsys.readouterr().err
    assert main(["--db", url, "--workspace", "T1", "settings", "set", "anonymity_k", "5"]) == 0
    assert "anonymity_k är nu 5" in capsys.readouterr().out
    assert main(["--db", url, "--workspace", "T1", "settings", "show"]) == 0
    assert "anonymity_k = 5" in capsys.readouterr().out
    assert main(["--db", url, "settings", "show"]) == 0  # per workspace
    assert "anonymity_k = 3" in capsys.readouterr().out


def test_with_k_2_two_respondents_are_pooled_at_their_avdelning(services: Services) -> None:

    services.settings.set_setting(WS, "anonymity_k", "2")
    started = _anonymous_round(services, 2)
    services.settings.set_setting(WS, "anonymity_k", "5")  # a round keeps the k it started with
    services.rounds.close_round(WS, started.round.round_id)
    for fmt, text in _outputs(services, started.round.round_id).items():
        _assert_nobody_named(text, fmt)
        assert "Äldreomsorg (Avdelning) — 2 svarande" in text, fmt
        assert text.index("Budgeten är pressad") < text.index("Ökad kontinuitet"), fmt


def test_anonymous_rounds_and_evaluations_go_by_dm_whatever_was_asked(
    services: Services,
) -> None:
    anonymous = services.rounds.start_round(
        WS,
        StartRound("avstamning", ["Äldreomsorg"], "#g", level="enhet", anonymous=True),
    )
    assert anonymous.round.delivery == "dm"
    named = services.rounds.start_round(
        WS, StartRound("avstamning", ["Äldreomsorg"], "#g", level="enhet", delivery="channel")
    )
    assert named.round.delivery == "channel"
    evaluation = send_evaluation(services, WS, named.round.round_id)
    assert evaluation.round.anonymous and evaluation.round.delivery == "dm"
    # After an anonymous round closed, its evaluation still reaches the people it asked.
    services.rounds.close_round(WS, anonymous.round.round_id)
    late = send_evaluation(services, WS, anonymous.round.round_id)
    assert sorted(p.chat_id for p, _ in late.participants) == ["U0ENHHTN", "U0ENHHTS", "U0ENHSOL"]


# The whole round through Slack, and every table afterwards -----------------------------

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> anonym:ja'
ORG_TABLES = {"people", "units", "unit_managers", "levels", "alembic_version"}


def _dm_thread(slack: SlackHarness, user: str) -> tuple[str, str]:
    dm = slack.fake.dm_channel_id(user)
    parents = [c for c in slack.posts(dm) if not c.args.get("thread_ts")]
    assert len(parents) == 1, user
    return dm, str(parents[0].response["ts"])


def _button(calls: list[RecordedCall], action_id: str) -> tuple[str, str]:
    """(value, message ts) of the newest post with a button ``action_id``."""
    for call in reversed(calls):
        for block in call.arg_json("blocks") or []:
            for element in block.get("elements") or []:
                if element.get("action_id") == action_id:
                    return str(element["value"]), str(call.response["ts"])
    raise AssertionError(f"no {action_id} button")


def _rows(slack: SlackHarness) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database, as the migrations created them."""
    meta = MetaData()
    meta.reflect(slack.db)
    with slack.db.connect() as conn:
        return {
            table.name: [dict(r._mapping) for r in conn.execute(select(table))]
            for table in meta.sorted_tables
        }


def test_an_anonymous_round_in_slack_leaves_no_trace_after_close(
    slack: SlackHarness, clock: FixedClock
) -> None:
    moments: list[datetime] = []

    def later() -> None:
        clock.advance(timedelta(minutes=47, seconds=13))
        moments.append(clock.now())

    slack.command(START)  # asks for threads in the channel; anonymous goes by DM anyway
    channel_top = [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")]
    assert len(channel_top) == 1  # the announcement only: nobody answers in front of the group
    announcement = texts(channel_top)[0]
    assert "Rundan är anonym" in announcement and "minst 3" in announcement
    assert "raderas också kopplingen mellan person och svar" in announcement

    threads = {user: _dm_thread(slack, user) for user in (ANNA, BJORN, CECILIA)}
    secrets: set[str] = set()
    for user, (dm, ts) in threads.items():
        invitation = texts([c for c in slack.posts(dm) if not c.args.get("thread_ts")])[0]
        assert "Rundan är anonym" in invitation, user
        secrets |= {dm, ts}

    def say(user: str, text: str, in_thread: bool = True) -> str:
        dm, thread = threads[user]
        later()
        ts = next_ts()
        slack.event(
            message_event(
                text=text, user=user, channel=dm, ts=ts, thread_ts=thread if in_thread else None
            )
        )
        secrets.add(ts)
        return ts

    # Anna answers all three (the third names activities, which she confirms).
    say(ANNA, "Kontinuiteten har blivit bättre")
    say(ANNA, "Färre vikarier")
    say(ANNA, "- Ny schemamodell\n- Introduktion för nyanställda")
    dm, thread = threads[ANNA]
    value, message_ts = _button(slack.posts(dm, thread), ACTION_CONFIRM_ACTIVITIES)
    later()
    slack.click(
        ACTION_CONFIRM_ACTIVITIES, value, ANNA, channel=dm, message_ts=message_ts, thread_ts=thread
    )
    assert any("bekräftade" in t for t in texts(slack.posts(dm, thread)))
    secrets.add(message_ts)
    # Björn answers, edits his answer, and skips question 2 with the button.
    first = say(BJORN, "Budget i balans")
    dm, thread = threads[BJORN]
    later()
    slack.event(
        message_changed_event(
            channel=dm,
            ts=first,
            text="Budget nästan i balans",
            previous_text="Budget i balans",
            user=BJORN,
            thread_ts=thread,
        )
    )
    value, message_ts = _button(slack.posts(dm, thread), ACTION_SKIP)
    later()
    slack.click(ACTION_SKIP, value, BJORN, channel=dm, message_ts=message_ts, thread_ts=thread)
    assert "Fråga 3 av 3" in texts(slack.posts(dm, thread))[-1]
    secrets.add(message_ts)
    # Cecilia writes in the DM itself rather than the thread.
    say(CECILIA, "Bra samarbete med hemsjukvården", in_thread=False)
    slack.command("påminn")
    clock.advance(timedelta(hours=2))  # closing time is no answer's time
    slack.command("stäng")

    summary = "\n".join(texts([c for c in slack.posts(CHANNEL) if "Sammanfattning" in str(c.args)]))
    assert "Budget nästan i balans" in summary and "Kontinuiteten har blivit bättre" in summary
    assert "Äldreomsorg (Avdelning) — 3 svarande" in summary

    units = {"Hemtjänst Norr", "hemtjanst-norr", "Hemtjänst Syd", "hemtjanst-syd"}
    units |= {"Särskilt boende Solgården", "solgarden"}
    people = {ANNA, BJORN, CECILIA, "Anna Andersson", "Björn Svensson", "Cecilia Öberg"}
    rows = _rows(slack)
    with slack.services.kernel.unit_of_work(DEFAULT_TEAM_ID) as uow:
        single_manager_units = {
            u.id
            for u in uow.repo.units()
            if u.key in {"hemtjanst-norr", "hemtjanst-syd", "solgarden"}
        }
    meta = MetaData()
    meta.reflect(slack.db)
    unit_columns = {
        (fk.parent.table.name, fk.parent.name)
        for table in meta.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "units"
    }
    assert ("participations", "unit_id") in unit_columns  # the check below is not empty
    assert {"chat_posts", "processed_messages", "slack_installations", "scheduled_jobs"} <= set(
        rows
    )
    checked = 0
    for table, table_rows in rows.items():
        if table in ORG_TABLES:
            continue
        for row in table_rows:
            flat = json.dumps(row, ensure_ascii=False, default=str)
            for secret in people | units | secrets:
                assert secret not in flat, (table, secret, row)
            for column, value in row.items():
                if (table, column) in unit_columns:
                    assert value not in single_manager_units, (table, column, row)
                if isinstance(value, datetime):
                    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
                    assert utc not in moments, (table, column, row)
            checked += 1
    assert checked > 20
    # The answers themselves are still there, under the pool.
    assert any("Budget nästan i balans" in str(r["text"]) for r in rows["answers"])


def test_the_slack_summary_of_an_anonymous_round_shows_counts_below_k(
    services: Services,
) -> None:
    started = _anonymous_round(services, 2)
    summary, _ = services.rounds.close_round(WS, started.round.round_id)
    messages = summary_messages(summary)
    assert messages is not None
    body = json.dumps([m.blocks for m in messages], ensure_ascii=False)
    _assert_nobody_named(body, "blocks")
    assert "Budgeten är pressad" not in body and "Ökad kontinuitet" not in body
    assert "2 svar visas inte: färre än 3 svarande i gruppen." in body


def test_upgrading_erases_what_earlier_closes_of_anonymous_rounds_left(tmp_path: Path) -> None:
    from sqlalchemy import text

    from storage.db import make_engine, upgrade

    db = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0005")
    now = "2027-05-03 07:00:00"
    post = (
        "INSERT INTO slack_posts (workspace_id, post_key, status, channel, ts, payload,"
        " attempts, claimed_at) VALUES ('T1', :key, 'sent', :channel, :ts, :payload, 1, :now)"
    )
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO template_snapshots (id, workspace_id, key, version, content_hash,"
                " body, created_at) VALUES (1, 'T1', 'avstamning', 1, 'x', '{}', :now)"
            ),
            {"now": now},
        )
        for round_id, anonymous in ((1, True), (2, False)):
            conn.execute(
                text(
                    "INSERT INTO rounds (id, workspace_id, template_snapshot_id, title, status,"
                    " group_ref, delivery, anonymous, lang, created_at) VALUES"
                    " (:id, 'T1', 1, 'R', 'closed', 'C1', 'dm', :anonymous, 'sv', :now)"
                ),
                {"id": round_id, "anonymous": anonymous, "now": now},
            )
            channel = f"D{round_id}"
            for key, ts, payload in (
                (f"round:{round_id}:thread:7", "100.1", {"text": "<@U0ENHHTN> — Hemtjänst Norr"}),
                (f"slack:{channel}:100.5:next", "100.6", {"thread_ts": "100.1"}),
            ):
                conn.execute(
                    text(post),
                    {
                        "key": key,
                        "channel": channel,
                        "ts": ts,
                        "payload": json.dumps(payload),
                        "now": now,
                    },
                )
        conn.execute(
            text(
                "INSERT INTO processed_messages (workspace_id, message_key, participation_id,"
                " outcome, created_at) VALUES ('T1', 'slack:D1:100.5', NULL, 'answered', :now)"
            ),
            {"now": now},
        )
    upgrade(db)
    with db.connect() as conn:
        # The outbox (migration 0011) took the posts over from slack_posts.
        keys = conn.execute(text("SELECT post_key FROM chat_posts ORDER BY id")).scalars().all()
        left = conn.execute(text("SELECT count(*) FROM processed_messages")).scalar()
    assert keys == ["round:2:thread:7", "slack:D2:100.5:next"]  # the named round keeps its
    assert left == 0
    db.dispose()


def test_later_rounds_neither_follow_up_nor_quote_an_anonymous_round(
    services: Services, clock: FixedClock
) -> None:
    plan = services.rounds.start_round(
        WS, StartRound("planering", ["Äldreomsorg"], "#g", level="enhet", anonymous=True)
    )
    for n, (participant, _) in enumerate(plan.participants):
        for text in ("Uppdrag", "Nuläge", "Ram", f"- Hemlig åtgärd {n}", f"Hemlig kvalitet {n}"):
            services.answering.reply(WS, participant.participation_id, text, f"p{n}:{text}")
    services.rounds.close_round(WS, plan.round.round_id)
    clock.advance(timedelta(days=60))
    started = services.rounds.start_round(
        WS, StartRound("avstamning", ["hemtjanst-norr"], "#g", subtrees=False)
    )
    prompt = started.participants[0][1]
    assert prompt.followup is None  # the anonymous plan's activities are not Anna's to follow up
    assert prompt.question_key == "hur_gar_det"
    assert prompt.context == ()  # nor is the anonymous plan shown as her unit's plan


def test_an_anonymous_round_follows_up_the_units_activities_privately(
    services: Services, clock: FixedClock
) -> None:
    """Anna's unit planned an activity in a named round. The next avstämning is anonymous:
    she is still asked how it went, privately, told that the follow-up is not anonymous, and
    her reply sets the activity's status; the round's summary and documentation (posted to
    the group) do not say whose activity was followed up or what she wrote."""
    plan = services.rounds.start_round(
        WS, StartRound("planering", ["hemtjanst-norr"], "#g", subtrees=False)
    )
    pid = plan.participants[0][0].participation_id
    for text in ("Uppdrag", "Nuläge", "Ram", "- Ny bemanningsplan (ansvarig: Anna)", "Kvalitet"):
        services.answering.reply(WS, pid, text, f"plan:{text}")
    services.activities.confirm_activities(WS, pid, "plan:confirm")
    services.rounds.close_round(WS, plan.round.round_id)
    clock.advance(timedelta(days=60))

    check = services.rounds.start_round(
        WS, StartRound("avstamning", ["Äldreomsorg"], "#g", level="enhet", anonymous=True)
    )
    assert check.round.delivery == "dm"  # every prompt of the round is a private message
    prompts = {p.chat_id: (p.participation_id, q) for p, q in check.participants}
    anna, prompt = prompts["U0ENHHTN"]
    assert prompt is not None and prompt.followup is not None
    assert prompt.followup.title == "Ny bemanningsplan"
    assert "inte anonym" in (prompt.hint or "")
    for chat_id, (_other, other_prompt) in prompts.items():
        if chat_id != "U0ENHHTN":
            assert other_prompt is not None and other_prompt.followup is None  # not theirs
    outcome = services.answering.reply(WS, anna, "klar – bemanningen är på plats", "a:f")
    assert outcome.kind == "followed_up" and outcome.activities[0].status == "done"
    assert outcome.prompt is not None and outcome.prompt.question_key == "hur_gar_det"
    for n, (pid, _) in enumerate(prompts.values()):
        services.answering.reply(WS, pid, f"Det går bra {n}", f"a:{n}")
    services.rounds.close_round(WS, check.round.round_id)

    (activity,) = services.activities.activities(WS, "hemtjanst-norr")
    assert (activity.status, activity.status_note) == ("done", "bemanningen är på plats")
    group_sees = [
        *(render_summary(services.queries.summary(WS, check.round.round_id), f) for f in FORMATS),
        export_round(services, WS, check.round.round_id, "md")[0].decode(),
        export_round(services, WS, check.round.round_id, "html")[0].decode(),
    ]
    for shown in group_sees:
        assert "Det går bra" in shown
        for trace in ("Ny bemanningsplan", "bemanningen är på plats", "Hemtjänst Norr", "Anna"):
            assert trace not in shown
    assert "1 aktiviteter från tidigare dialoger följdes upp" in group_sees[-2]
