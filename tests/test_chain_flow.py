"""The dialog chain for one unit: planering → two avstämningar → resultat.

Each step sees the earlier answers its questions refer to, and every activity named
in one dialog is asked about in the next until it is done or stopped.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.chain.context import render_context_mrkdwn
from bot.chain.errors import FollowupNotUnderstood, NoActivities
from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.results import Outcome, QuestionPrompt, RoundStarted
from bot.services.container import Services

WS = "local"
ANNA = "U0ENHHTN"  # Hemtjänst Norr
BJORN = "U0ENHHTS"  # Hemtjänst Syd
_keys = itertools.count()

PLAN_GOALS = (
    "Mål 1: Minskad sjukfrånvaro (mått: under 7 %)\n"
    "- Ny bemanningsplan för sommaren (ansvarig: Anna)\n"
    "- Hälsosamtal med alla medarbetare\n"
    "- Digital nyckelhantering – ansvarig Björn"
)


def start(services: Services, template: str, **kw: object) -> RoundStarted:
    cmd = StartRound(
        template=template,
        units=["hemtjanst-norr", "hemtjanst-syd"],
        group_ref="#aldreomsorg",
        subtrees=False,
        started_by="U0PROC01",
        **kw,  # type: ignore[arg-type]
    )
    return services.rounds.start_round(WS, cmd)


def first(started: RoundStarted, chat_id: str) -> tuple[int, QuestionPrompt | None]:
    return next((p.participation_id, q) for p, q in started.participants if p.chat_id == chat_id)


def say(services: Services, pid: int, text: str) -> Outcome:
    return services.answering.reply(WS, pid, text, f"msg-{next(_keys)}")


def answer_all(services: Services, pid: int, texts: list[str]) -> Outcome:
    outcome = None
    for text in texts:
        outcome = say(services, pid, text)
    assert outcome is not None
    return outcome


def test_a_unit_goes_through_plan_two_followups_and_results(
    services: Services, clock: FixedClock
) -> None:
    # Planering, March 2027 -------------------------------------------------------------
    clock.set(datetime(2027, 3, 1, 8, tzinfo=UTC))
    plan = start(services, "planering")
    pid, prompt = first(plan, ANNA)
    assert prompt is not None and prompt.followup is None and prompt.context == ()
    answer_all(
        services, pid, ["Hemtjänst i norra kommundelen.", "Sjukfrånvaron är 9 %.", "Ram 42 mnkr."]
    )
    outcome = say(services, pid, PLAN_GOALS)
    assert outcome.activities_to_confirm
    assert [(a.title, a.owner, a.status) for a in outcome.activities] == [
        ("Ny bemanningsplan för sommaren", "Anna", "proposed"),
        ("Hälsosamtal med alla medarbetare", None, "proposed"),
        ("Digital nyckelhantering", "Björn", "proposed"),
    ]
    say(
        services, pid, "Brukarnöjdhet (målgrupp): 85 %. Kontinuitet: högst 12 personal per brukare."
    )
    confirmed = services.activities.confirm_activities(WS, pid, "confirm-plan")
    assert confirmed.kind == "activities_confirmed"
    assert {a.status for a in confirmed.activities} == {"open"}
    services.rounds.close_round(WS, plan.round.round_id)

    # Avstämning after tertial 1, May 2027 ------------------------------------------------
    clock.set(datetime(2027, 5, 3, 7, tzinfo=UTC))
    t1 = start(services, "avstamning")
    pid, prompt = first(t1, ANNA)
    assert prompt is not None and prompt.followup is not None
    assert prompt.followup_remaining == 3
    assert prompt.followup.title == "Ny bemanningsplan för sommaren"
    assert "Ny bemanningsplan för sommaren" in prompt.text and "Anna" in prompt.text
    _, syd_prompt = first(t1, BJORN)
    assert syd_prompt is not None  # Syd planned nothing: no follow-up, no context
    assert syd_prompt.followup is None and syd_prompt.context == ()

    with pytest.raises(FollowupNotUnderstood):
        say(services, pid, "Hmm, vet inte riktigt")
    assert services.queries.current_prompt(WS, pid) == prompt  # nothing lost, nothing moved

    outcome = say(services, pid, "klar")
    assert outcome.kind == "followed_up" and outcome.activities[0].status == "done"
    outcome = say(services, pid, "Pågår – väntar på budget")
    assert outcome.activities[0].status_note == "väntar på budget"
    outcome = say(services, pid, "stoppad, prioriterades bort")
    assert outcome.activities[0].status == "stopped"

    prompt = outcome.prompt
    assert prompt is not None and prompt.followup is None and prompt.question_key == "hur_gar_det"
    assert [(c.template_name, c.answer_text) for c in prompt.context] == [
        ("Planeringsdialog", PLAN_GOALS),
        (
            "Planeringsdialog",
            "Brukarnöjdhet (målgrupp): 85 %. Kontinuitet: högst 12 personal per brukare.",
        ),
    ]
    assert "Ny bemanningsplan" in render_context_mrkdwn(prompt)

    answer_all(services, pid, ["Sjukfrånvaron är 8 %.", "Sommaren blev bättre bemannad."])
    outcome = say(services, pid, "1. Ansöka om extra budget\n2) Fortsätta hälsosamtalen")
    assert [a.title for a in outcome.activities] == [
        "Ansöka om extra budget",
        "Fortsätta hälsosamtalen",
    ]
    assert outcome.finished
    corrected = services.activities.correct_activities(
        WS,
        pid,
        "- Ansöka om extra budget (ansvarig: Anna)\n- Mentorprogram för nyanställda",
        "fix-1",
    )
    assert [(a.title, a.owner, a.status) for a in corrected.activities] == [
        ("Ansöka om extra budget", "Anna", "open"),
        ("Mentorprogram för nyanställda", None, "open"),
    ]
    services.rounds.close_round(WS, t1.round.round_id)

    # Avstämning after tertial 2, September 2027 ------------------------------------------
    clock.set(datetime(2027, 9, 6, 7, tzinfo=UTC))
    t2 = start(services, "avstamning")
    pid, prompt = first(t2, ANNA)
    asked = []
    while prompt is not None and prompt.followup is not None:
        asked.append(prompt.followup.title)
        if prompt.followup.title == "Mentorprogram för nyanställda":
            outcome = services.answering.skip(WS, pid, f"skip-{next(_keys)}")
        else:
            outcome = say(services, pid, "klar")
        prompt = outcome.prompt
    # Done and stopped activities are not asked again; ongoing ones are.
    assert asked == [
        "Hälsosamtal med alla medarbetare",
        "Ansöka om extra budget",
        "Mentorprogram för nyanställda",
    ]
    assert prompt is not None and prompt.question_key == "hur_gar_det"
    assert [c.round_title for c in prompt.context] == [plan.round.title, plan.round.title]
    answer_all(services, pid, ["Enligt plan.", "Bättre bemanning.", "- Utvärdera mentorprogrammet"])
    services.activities.confirm_activities(WS, pid, "confirm-t2")
    services.rounds.close_round(WS, t2.round.round_id)

    # Resultat, February 2028: the plan and the year's avstämningar -----------------------
    clock.set(datetime(2028, 2, 7, 8, tzinfo=UTC))
    result = start(services, "resultat")
    pid, prompt = first(result, ANNA)
    asked = []
    while prompt is not None and prompt.followup is not None:
        asked.append(prompt.followup.title)
        prompt = say(services, pid, "klar").prompt
    assert asked == ["Mentorprogram för nyanställda", "Utvärdera mentorprogrammet"]
    assert prompt is not None and prompt.question_key == "ekonomiskt_utfall"
    assert [c.answer_text for c in prompt.context] == ["Ram 42 mnkr."]
    prompt = say(services, pid, "Balans.").prompt
    assert prompt is not None and prompt.question_key == "utvecklingsmal_utfall"
    assert [(c.template_name, c.round_title) for c in prompt.context] == [
        ("Planeringsdialog", plan.round.title),
        ("Avstämningsdialog", t1.round.title),
        ("Avstämningsdialog", t2.round.title),
    ]
    assert prompt.context[1].answer_text.startswith("1. Ansöka om extra budget")

    statuses = {a.title: a.status for a in services.activities.activities(WS, "Hemtjänst Norr")}
    assert statuses == {
        "Ny bemanningsplan för sommaren": "done",
        "Hälsosamtal med alla medarbetare": "done",
        "Digital nyckelhantering": "stopped",
        "Ansöka om extra budget": "done",
        "Mentorprogram för nyanställda": "done",
        "Utvärdera mentorprogrammet": "done",
    }
    assert services.activities.activities(WS, "hemtjanst-syd") == []


def test_editing_an_activities_answer_proposes_the_list_again(services: Services) -> None:
    started = start(services, "avstamning")
    pid, _ = first(started, ANNA)
    answer_all(services, pid, ["Bra.", "För att."])
    say(services, pid, "- Första")
    edited = services.answering.edit_question(
        WS, pid, 3, "- Första\n- Andra (ansvarig: Eva)", "edit-3"
    )
    assert edited.activities_to_confirm
    assert [(a.title, a.owner) for a in edited.activities] == [("Första", None), ("Andra", "Eva")]
    assert [a.title for a in services.activities.activities(WS, "hemtjanst-norr")] == [
        "Första",
        "Andra",
    ]


def test_confirming_is_idempotent_and_needs_a_list(services: Services) -> None:
    started = start(services, "avstamning")
    pid, _ = first(started, ANNA)
    with pytest.raises(NoActivities):
        services.activities.confirm_activities(WS, pid, "c-0")
    answer_all(services, pid, ["Bra.", "För att.", "Göra saker"])
    assert services.activities.confirm_activities(WS, pid, "c-1").kind == "activities_confirmed"
    assert services.activities.confirm_activities(WS, pid, "c-1").kind == "duplicate"
    assert [a.status for a in services.activities.activities(WS, "hemtjanst-norr")] == ["open"]


def test_withdrawing_an_activities_answer_removes_its_activities(services: Services) -> None:
    started = start(services, "avstamning")
    pid, _ = first(started, ANNA)
    answer_all(services, pid, ["Bra.", "För att."])
    services.answering.reply(WS, pid, "- En sak\n- En annan sak", "slack:C1:171.3")
    assert len(services.activities.activities(WS, "hemtjanst-norr")) == 2
    services.answering.withdraw_by_source(WS, "slack:C1:171.3", "delete-1")
    assert services.activities.activities(WS, "hemtjanst-norr") == []


@pytest.mark.parametrize("anonymous", [False, True])
def test_answering_the_activities_question_again_replaces_the_list_with_one_event_each(
    services: Services, anonymous: bool
) -> None:
    started = start(services, "avstamning", anonymous=anonymous)
    pid, _ = first(started, ANNA)
    answer_all(services, pid, ["Bra.", "För att."])
    assert [a.title for a in say(services, pid, "- Första\n- Andra").activities] == [
        "Första",
        "Andra",
    ]
    services.answering.back(WS, pid, "back-1")
    again = say(services, pid, "- Tredje (ansvarig: Eva)")
    assert again.activities_to_confirm and again.question_number == 3
    assert [(a.title, a.owner, a.status) for a in again.activities] == [
        ("Tredje", "Eva", "proposed")
    ]
    with services.kernel.unit_of_work(WS) as uow:
        from sqlalchemy import select

        from storage.models_chain import Activity, ActivityEvent

        rows = uow.session.execute(
            select(Activity.id, Activity.title, Activity.position, Activity.round_id)
        ).all()
        assert [(r.title, r.position, r.round_id) for r in rows] == [
            ("Tredje", 0, started.round.round_id)
        ]
        assert [r.id for r in rows] == [a.activity_id for a in again.activities]
        events = uow.session.execute(
            select(
                ActivityEvent.activity_id,
                ActivityEvent.kind,
                ActivityEvent.status,
                ActivityEvent.round_id,
                ActivityEvent.participation_id,
            )
        ).all()
        assert [tuple(e) for e in events] == [
            (rows[0].id, "proposed", "proposed", started.round.round_id, None if anonymous else pid)
        ]
