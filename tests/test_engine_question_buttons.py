"""The engine acts on the question a button belongs to, and on no other."""

from __future__ import annotations

import pytest

from bot.domain.commands import StartRound
from bot.domain.errors import QuestionNotCurrent
from bot.i18n import t
from bot.services.container import Services

WS = "local"


def _anna(services: Services) -> int:
    started = services.rounds.start_round(
        WS, StartRound("avstamning", ["Hemtjänst Norr"], "#ledning", started_by="U0PROC01")
    )
    [(participant, prompt)] = started.participants
    assert prompt.ref == "hur_gar_det"
    return participant.participation_id


def test_skip_of_an_answered_question_is_refused_and_changes_nothing(
    services: Services,
) -> None:
    pid = _anna(services)
    services.answering.reply(WS, pid, "Bra", "m1")
    services.answering.reply(WS, pid, "Planering", "m2")
    with pytest.raises(QuestionNotCurrent) as refused:
        services.answering.skip(WS, pid, "b1", "hur_gar_det")
    assert (refused.value.number, refused.value.current, refused.value.answered) == (1, 3, True)
    assert "fråga 1" in t("sv", refused.value.key, **refused.value.params)
    prompt = services.queries.current_prompt(WS, pid)
    assert prompt is not None and prompt.ref == "vidare_aktiviteter"
    assert services.queries.answers_of(WS, pid) == {"hur_gar_det": "Bra", "analys": "Planering"}
    # The same click, replayed, is refused again (nothing was recorded as applied).
    with pytest.raises(QuestionNotCurrent):
        services.answering.skip(WS, pid, "b1", "hur_gar_det")
    assert services.answering.skip(WS, pid, "b2", "vidare_aktiviteter").finished


def test_finish_only_from_the_current_question_and_unnamed_buttons_do_nothing(
    services: Services,
) -> None:
    pid = _anna(services)
    services.answering.reply(WS, pid, "Bra", "m1")
    with pytest.raises(QuestionNotCurrent) as stale:
        services.answering.finish(WS, pid, "f1", "hur_gar_det")
    assert stale.value.key == "error.question_answered_not_current"
    with pytest.raises(QuestionNotCurrent) as unnamed:
        services.answering.skip(WS, pid, "s1", "")
    assert (unnamed.value.key, unnamed.value.current) == ("error.button_outdated", 2)
    with pytest.raises(QuestionNotCurrent):
        services.answering.skip(WS, pid, "s2", "no_such_question")
    assert services.queries.participant(WS, pid).status == "answering"
    assert services.answering.finish(WS, pid, "f2", "analys").finished
    # Once finished, a stale button only learns that.
    assert services.answering.skip(WS, pid, "s3", "analys").kind == "already_finished"


def test_follow_up_buttons_name_their_activity(services: Services) -> None:
    plan = services.rounds.start_round(
        WS, StartRound("planering", ["Hemtjänst Norr"], "#ledning", started_by="U0PROC01")
    )
    [(participant, _)] = plan.participants
    pid = participant.participation_id
    for n, text in enumerate(["Uppdrag", "Nuläge", "Ram", "- Ny bemanningsplan\n- Hälsosamtal"]):
        services.answering.reply(WS, pid, text, f"plan-{n}")
    services.activities.confirm_activities(WS, pid, "confirm")
    services.rounds.close_round(WS, plan.round.round_id)

    followup = services.rounds.start_round(
        WS, StartRound("avstamning", ["Hemtjänst Norr"], "#ledning", started_by="U0PROC01")
    )
    [(participant, prompt)] = followup.participants
    pid = participant.participation_id
    assert prompt.followup is not None
    first_ref = prompt.ref
    assert first_ref == f"activity-followup.{prompt.followup.activity_id}"
    skipped = services.answering.skip(WS, pid, "s1", first_ref)
    assert skipped.prompt is not None and skipped.prompt.followup is not None
    assert skipped.prompt.ref != first_ref
    # The first follow-up's button again: the second activity is not skipped by it.
    with pytest.raises(QuestionNotCurrent):
        services.answering.skip(WS, pid, "s2", first_ref)
    current = services.queries.current_prompt(WS, pid)
    assert current is not None and current.ref == skipped.prompt.ref
