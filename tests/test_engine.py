"""The dialog engine: a round from start to close, on real databases."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.errors import (
    EmptyAnswer,
    NoParticipants,
    NotAllowed,
    RoundClosed,
    UnknownTemplate,
    UnknownUnit,
)
from bot.domain.results import RoundStarted
from bot.domain.templates import DialogTemplate, TemplateCatalog
from bot.services.container import Services, build_services
from storage.models import Answer, AnswerRevision, ProcessedMessage

WS = "local"


def start(services: Services, **overrides: object) -> RoundStarted:
    params: dict[str, object] = {
        "template": "avstamning",
        "units": ["Socialförvaltningen"],
        "level": "enhet",
        "group_ref": "#ledning",
        "started_by": "U0PROC01",
    }
    params.update(overrides)
    return services.rounds.start_round(WS, StartRound(**params))  # type: ignore[arg-type]


def pid_of(started: RoundStarted, chat_id: str) -> int:
    return next(p.participation_id for p, _ in started.participants if p.chat_id == chat_id)


def count(services: Services, model: type, **filters: object) -> int:
    with services.kernel.unit_of_work(WS) as uow:
        stmt = select(func.count()).select_from(model)
        for name, value in filters.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(uow.session.scalar(stmt) or 0)


def test_start_gives_each_enhet_manager_the_first_question(services: Services) -> None:
    started = start(services)
    units = sorted(p.unit_name for p, _ in started.participants)
    assert units == [
        "Barn och unga",
        "Försörjningsstöd",
        "Hemtjänst Norr",
        "Hemtjänst Syd",
        "Särskilt boende Solgården",
    ]
    _, prompt = started.participants[0]
    assert (prompt.number, prompt.total) == (1, 3)
    assert prompt.text == "Hur går det?"
    assert prompt.hint and "verksamhetsplanen" in prompt.hint
    assert started.round.title == "Avstämningsdialog — Socialförvaltningen"


def test_answers_move_through_the_questions_until_finished(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    first = services.answering.reply(WS, pid, "Det går bra.", "m1")
    assert first.kind == "answered" and first.prompt is not None
    assert first.prompt.text == "Varför är vi där vi är? (analys)"
    skipped = services.answering.skip(WS, pid, "m2")
    assert skipped.prompt is not None and skipped.prompt.number == 3
    back = services.answering.back(WS, pid, "m3")
    assert back.prompt is not None and back.prompt.number == 2
    again = services.answering.back(WS, pid, "m4")
    assert again.prompt is not None and again.prompt.previous_answer == "Det går bra."
    services.answering.reply(WS, pid, "Det går ännu bättre.", "m5")
    services.answering.reply(WS, pid, "Bemanningen.", "m6")
    last = services.answering.reply(WS, pid, "- Ny plan", "m7")
    assert last.finished and last.prompt is None
    assert services.queries.answers_of(WS, pid) == {
        "hur_gar_det": "Det går ännu bättre.",
        "analys": "Bemanningen.",
        "vidare_aktiviteter": "- Ny plan",
    }
    assert services.answering.reply(WS, pid, "Något mer", "m8").kind == "already_finished"


def test_replaying_a_message_changes_nothing(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    services.answering.reply(WS, pid, "Svar ett", "slack:C1:100.1")
    for _ in range(3):
        replay = services.answering.reply(WS, pid, "Svar ett", "slack:C1:100.1")
        assert replay.kind == "duplicate"
        assert replay.prompt is not None and replay.prompt.number == 2
    assert count(services, Answer) == 1
    assert count(services, AnswerRevision) == 1
    skip_replay = [services.answering.skip(WS, pid, "btn-1").kind for _ in range(2)]
    assert skip_replay == ["skipped", "duplicate"]
    assert services.queries.current_prompt(WS, pid).number == 3  # type: ignore[union-attr]


def test_edit_keeps_history_and_the_original_message(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    services.answering.reply(WS, pid, "4 % över budget", "slack:C1:100.1")
    edited = services.answering.edit_by_source(
        WS, "slack:C1:100.1", "3 % över budget", "edit:100.1:200.0"
    )
    assert edited.kind == "edited" and edited.question_number == 1
    assert (
        services.answering.edit_by_source(
            WS, "slack:C1:100.1", "3 % över budget", "edit:100.1:200.0"
        ).kind
        == "duplicate"
    )
    assert services.queries.current_prompt(WS, pid).number == 2  # type: ignore[union-attr]
    with services.kernel.unit_of_work(WS) as uow:
        answer = uow.session.scalars(select(Answer)).one()
        assert (answer.text, answer.revision, answer.source_ref) == (
            "3 % över budget",
            2,
            "slack:C1:100.1",
        )
        history = [(r.revision, r.text, r.source_ref) for r in answer.revisions]
    assert history == [
        (1, "4 % över budget", "slack:C1:100.1"),
        (2, "3 % över budget", "edit:100.1:200.0"),
    ]


def test_deleting_a_message_withdraws_the_answer(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    services.answering.reply(WS, pid, "Fel tråd, förlåt", "slack:C1:100.1")
    out = services.answering.withdraw_by_source(WS, "slack:C1:100.1", "delete:100.1")
    assert out.kind == "withdrawn" and out.question_number == 1
    assert services.queries.answers_of(WS, pid) == {}
    summary = services.queries.summary(WS, started.round.round_id)
    assert summary.responded == 0


def test_restart_resumes_every_participant_where_they_were(
    services: Services, make_services: Callable[[], Services]
) -> None:
    started = start(services)
    anna, bjorn = pid_of(started, "U0ENHHTN"), pid_of(started, "U0ENHHTS")
    services.answering.reply(WS, anna, "Ett", "a1")
    services.answering.reply(WS, anna, "Två", "a2")
    services.answering.reply(WS, bjorn, "Ett", "b1")
    restarted = make_services()
    assert restarted.queries.current_prompt(WS, anna).number == 3  # type: ignore[union-attr]
    assert restarted.queries.current_prompt(WS, bjorn).number == 2  # type: ignore[union-attr]
    assert restarted.answering.reply(WS, anna, "Två", "a2").kind == "duplicate"


def test_empty_answers_are_refused_and_nothing_moves(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    with pytest.raises(EmptyAnswer):
        services.answering.reply(WS, pid, "   \n ", "m1")
    assert services.queries.current_prompt(WS, pid).number == 1  # type: ignore[union-attr]
    assert count(services, Answer) == 0
    assert services.answering.reply(WS, pid, "Nu så", "m1").kind == "answered"


def test_a_very_long_answer_is_stored_whole(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    text = ("Åtgärd & analys <b> " * 2500)[:50_000].strip()
    assert len(text) > 40_000
    services.answering.reply(WS, pid, text, "m1")
    assert services.queries.answers_of(WS, pid)["hur_gar_det"] == text


def test_closed_rounds_refuse_late_answers(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    summary, newly = services.rounds.close_round(WS, started.round.round_id, "U0PROC01")
    assert newly and summary.round.status == "closed"
    with pytest.raises(RoundClosed):
        services.answering.reply(WS, pid, "Sent svar", "late")
    _again, newly_again = services.rounds.close_round(WS, started.round.round_id)
    assert not newly_again


def test_only_process_supports_and_admins_start_and_close(services: Services) -> None:
    with pytest.raises(NotAllowed):
        start(services, started_by="U0ENHHTN")
    started = start(services, started_by="U0ADMIN1")
    with pytest.raises(NotAllowed):
        services.rounds.close_round(WS, started.round.round_id, closed_by="U0ENHHTN")
    assert services.queries.round_info(WS, started.round.round_id).status == "open"


def test_unknown_names_list_the_known_choices(services: Services) -> None:
    with pytest.raises(UnknownTemplate) as tpl:
        start(services, template="avstämningen")
    assert "avstamning" in str(tpl.value.params["known"])
    assert "planering" in str(tpl.value.params["known"])
    with pytest.raises(UnknownUnit) as unit:
        start(services, units=["Socialförvaltning"])
    assert "Socialförvaltningen" in str(unit.value.params["known"])
    with pytest.raises(NoParticipants):
        start(services, units=["Socialnämnden"], level="namnd")


def test_template_names_and_units_match_without_diacritics(services: Services) -> None:
    started = start(services, template="Avstämning", units=["socialforvaltningen"])
    assert started.round.template_key == "avstamning"


def test_starting_twice_with_the_same_key_returns_the_first_round(services: Services) -> None:
    one = start(services, external_key="view:V1")
    two = start(services, external_key="view:V1")
    assert two.already_existed and two.round.round_id == one.round.round_id
    assert len(services.queries.rounds(WS)) == 1


def test_a_round_keeps_the_template_version_it_started_with(
    services: Services, catalog: TemplateCatalog, db: object, clock: FixedClock
) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    original = catalog.get("avstamning")
    data = original.model_dump(mode="json")
    data["version"] = original.version + 1
    data["questions"][1]["text"]["sv"] = "Helt ny fråga två?"
    newer = TemplateCatalog(
        {**catalog.templates, "avstamning": DialogTemplate.model_validate(data)}
    )
    upgraded = build_services(services.kernel.session_factory, newer, clock)
    out = upgraded.answering.reply(WS, pid, "Svar", "m1")
    assert out.prompt is not None and out.prompt.text == "Varför är vi där vi är? (analys)"
    fresh = upgraded.rounds.start_round(
        WS, StartRound("avstamning", ["Äldreomsorg"], "#x", level="enhet", started_by="U0PROC01")
    )
    assert fresh.round.template_version == original.version + 1
    second_prompt = upgraded.answering.reply(
        WS, fresh.participants[0][1].participation_id, "Svar", "m2"
    ).prompt
    assert second_prompt is not None and second_prompt.text == "Helt ny fråga två?"
    assert (
        upgraded.queries.round_info(WS, started.round.round_id).template_version == original.version
    )


def test_concurrent_answers_from_participants_never_mix(services: Services) -> None:
    started = start(services)
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    barrier = threading.Barrier(len(pids))

    def answer_all(chat_id: str) -> None:
        barrier.wait()
        for n in range(3):
            services.answering.reply(WS, pids[chat_id], f"{chat_id} svar {n}", f"{chat_id}:{n}")

    with ThreadPoolExecutor(len(pids)) as pool:
        list(pool.map(answer_all, pids))
    for chat_id, pid in pids.items():
        assert sorted(services.queries.answers_of(WS, pid).values()) == [
            f"{chat_id} svar {n}" for n in range(3)
        ]
        assert services.queries.current_prompt(WS, pid) is None


def test_the_same_message_delivered_in_parallel_is_applied_once(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    barrier = threading.Barrier(4)

    def deliver(_: int) -> str:
        barrier.wait()
        return services.answering.reply(WS, pid, "Samma svar", "slack:C1:1.1").kind

    with ThreadPoolExecutor(4) as pool:
        kinds = sorted(pool.map(deliver, range(4)))
    assert kinds == ["answered", "duplicate", "duplicate", "duplicate"]
    assert count(services, Answer) == 1
    assert count(services, ProcessedMessage, message_key="slack:C1:1.1") == 1
    assert services.queries.current_prompt(WS, pid).number == 2  # type: ignore[union-attr]


def test_workspaces_do_not_see_each_other(services: Services) -> None:
    from support.sample import load_sample_org

    load_sample_org(services, "T_OTHER")
    mine = start(services)
    theirs = services.rounds.start_round(
        "T_OTHER",
        StartRound("planering", ["Utbildningsförvaltningen"], "#x", started_by="U0PROC01"),
    )
    assert [r.round_id for r in services.queries.rounds(WS)] == [mine.round.round_id]
    assert [r.round_id for r in services.queries.rounds("T_OTHER")] == [theirs.round.round_id]
    other_pid = theirs.participants[0][0].participation_id
    from bot.domain.errors import NoParticipation

    with pytest.raises(NoParticipation):
        services.answering.reply(WS, other_pid, "Intrång", "x1")


def test_form_submission_fills_the_rest_and_finishes(services: Services) -> None:
    started = start(services)
    pid = pid_of(started, "U0ENHHTN")
    services.answering.reply(WS, pid, "Ett", "m1")
    out = services.answering.submit_form(
        WS,
        pid,
        {"hur_gar_det": "Ett (ändrat)", "analys": "Två", "vidare_aktiviteter": "Tre"},
        "view:1",
    )
    assert out.kind == "form_saved" and out.finished
    assert services.queries.answers_of(WS, pid)["hur_gar_det"] == "Ett (ändrat)"
    partial = services.answering.submit_form(
        WS, pid_of(started, "U0ENHHTS"), {"analys": "Bara två"}, "view:2"
    )
    assert partial.prompt is not None and partial.prompt.number == 1


def test_my_pending_questions(services: Services) -> None:
    started = start(services)
    pending = services.queries.pending_for(WS, "U0ENHHTN")
    assert [(p.unit_name, q.number) for p, q in pending] == [("Hemtjänst Norr", 1)]
    services.answering.finish(WS, pid_of(started, "U0ENHHTN"), "done")
    assert services.queries.pending_for(WS, "U0ENHHTN") == []


def test_closing_an_anonymous_round_erases_who_answered(services: Services) -> None:
    from storage.models import Participation

    started = start(services, anonymous=True)
    pid = pid_of(started, "U0ENHHTN")
    services.answering.reply(WS, pid, "Ärligt svar", "slack:C1:9.1")
    services.answering.edit_by_source(WS, "slack:C1:9.1", "Ännu ärligare", "slack:C1:9.1:edit")
    summary, _ = services.rounds.close_round(WS, started.round.round_id)
    assert (summary.responded, summary.not_responded, summary.missing) == (1, 4, [])
    with services.kernel.unit_of_work(WS) as uow:
        session = uow.session
        assert session.scalars(select(Participation.person_id)).all() == [None] * 5
        assert session.scalars(select(Participation.thread_ref)).all() == [None] * 5
        assert session.scalars(select(Answer.source_ref)).all() == [None]
        assert set(session.scalars(select(AnswerRevision.source_ref)).all()) <= {None}
        assert session.scalars(select(ProcessedMessage.message_key)).all() == []
    # One respondent is below k = 3: the group sees a count, and the text is gone.
    pools = services.queries.summary(WS, started.round.round_id).questions[0].pools
    assert [(p.texts, p.withheld) for p in pools] == [([], 1)]
    with pytest.raises(RoundClosed):
        services.answering.reply(WS, pid, "Ärligt svar", "slack:C1:9.1")
