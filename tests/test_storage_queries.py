"""Queries moved into storage/ (issue 11): each stays scoped to its workspace, and the
cross-workspace ones (scheduler planning) see every workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from support.sample import WORKSPACE, load_sample_org

from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.schedule.jobs import KIND_REMINDER, KIND_START_ROUND, NewJob, job_rows
from bot.services.container import Services
from storage.all_workspaces import all_workspaces
from storage.job_status import JOB_RUNNING
from storage.models import Round
from storage.models_chain import Activity, ActivityEvent
from storage.models_schedule import ScheduledJob

OTHER = "T0OTHER"
DEADLINE = datetime(2027, 5, 20, 15, tzinfo=UTC)


def _start(services: Services, workspace: str, external_key: str | None = None) -> int:
    started = services.rounds.start_round(
        workspace,
        StartRound(
            "planering",
            ["Äldreomsorg"],
            "#x",
            level="enhet",
            deadline_at=DEADLINE,
            external_key=external_key,
        ),
    )
    return started.round.round_id


def _activity(services: Services, workspace: str, round_id: int, title: str, status: str) -> int:
    """An activity of the round's first unit, with one follow-up event in the round."""
    now = services.kernel.clock.now()
    with services.kernel.unit_of_work(workspace) as uow:
        round_ = uow.repo.round(round_id)
        assert round_ is not None
        unit_id = uow.repo.participations(round_id)[0].unit_id
        activity = Activity(
            workspace_id=workspace,
            unit_id=unit_id,
            round_id=round_id,
            answer_id=None,
            question_key="q",
            position=0,
            title=title,
            owner=None,
            status=status,
            status_note="",
            created_at=now,
            updated_at=now,
        )
        activity.events.append(
            ActivityEvent(
                workspace_id=workspace,
                round_id=round_id,
                participation_id=None,
                kind="followup",
                status=status,
                note=title,
                created_at=now,
            )
        )
        uow.session.add(activity)
        uow.commit()
        return activity.id


@pytest.fixture
def two(services: Services) -> Services:
    """The sample organisation in ``local`` and in a second workspace."""
    load_sample_org(services, OTHER)
    return services


def test_activity_queries_see_only_their_workspace(two: Services) -> None:
    mine = _start(two, WORKSPACE)
    theirs = _start(two, OTHER)
    _activity(two, WORKSPACE, mine, "Min", "open")
    _activity(two, OTHER, theirs, "Deras", "open")
    _activity(two, WORKSPACE, mine, "Klar", "done")
    with two.kernel.unit_of_work(WORKSPACE) as uow:
        activities = uow.repo.activities
        unit_id = uow.repo.participations(mine)[0].unit_id
        assert [a.title for a in activities.of_round(mine)] == ["Min", "Klar"]
        assert activities.of_round(theirs) == []
        assert [a.title for a in activities.of_unit(unit_id)] == ["Min", "Klar"]
        assert [a.title for a in activities.of_unit(unit_id, ["open"])] == ["Min"]
        assert [e.note for e in activities.events_in_round(mine, "followup")] == ["Min", "Klar"]
        assert list(activities.events_in_round(theirs, "followup")) == []


def test_open_rounds_of_an_occurrence_match_the_key_prefix_literally(two: Services) -> None:
    first = _start(two, WORKSPACE, "avst_2027%:aldre")
    _start(two, WORKSPACE, "avstX2027-:aldre")  # '_' and '%' are not wildcards
    _start(two, OTHER, "avst_2027%:aldre")
    services: Services = two
    assert services.schedule.open_rounds_of(WORKSPACE, "avst_2027%") == [first]
    two.rounds.close_round(WORKSPACE, first)
    assert services.schedule.open_rounds_of(WORKSPACE, "avst_2027%") == []


def test_dropping_future_jobs_keeps_due_claimed_other_kinds_and_other_workspaces(
    two: Services, clock: FixedClock
) -> None:
    now = clock.now()
    later = now + timedelta(days=3)
    jobs = [
        NewJob(WORKSPACE, KIND_START_ROUND, "future", later),
        NewJob(WORKSPACE, KIND_REMINDER, "future-reminder", later),
        NewJob(WORKSPACE, KIND_START_ROUND, "due", now),
        NewJob(WORKSPACE, "close_round", "close:1", later),
        NewJob(WORKSPACE, KIND_START_ROUND, "claimed", later),
        NewJob(OTHER, KIND_START_ROUND, "future", later),
    ]
    with all_workspaces(two.kernel.session_factory) as every:
        assert every.jobs.insert(job_rows(jobs, now)) == 6
        assert every.jobs.insert(job_rows(jobs, now)) == 0  # keys exist: no-op
        every.session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.job_key == "claimed")
            .values(status=JOB_RUNNING, attempts=1)
        )
    with two.kernel.unit_of_work(WORKSPACE) as uow:
        assert uow.repo.schedule.drop_future_jobs([KIND_START_ROUND, KIND_REMINDER], now) == 2
        uow.commit()
    left = {(j.workspace_id, j.job_key) for j in _all_jobs(two)}
    assert left == {
        (WORKSPACE, "due"),
        (WORKSPACE, "close:1"),
        (WORKSPACE, "claimed"),
        (OTHER, "future"),
    }


def _all_jobs(services: Services) -> list[ScheduledJob]:
    """Every job of every workspace (detached)."""
    with services.kernel.unit_of_work(WORKSPACE) as uow:
        found = list(uow.session.query(ScheduledJob).all())
        uow.session.expunge_all()
        return found


def test_a_workspace_enqueues_only_its_own_jobs(two: Services, clock: FixedClock) -> None:
    now = clock.now()
    with two.kernel.unit_of_work(WORKSPACE) as uow:
        with pytest.raises(ValueError, match="another workspace"):
            uow.repo.schedule.enqueue(job_rows([NewJob(OTHER, KIND_START_ROUND, "k", now)], now))
        assert uow.repo.schedule.enqueue(job_rows([NewJob(WORKSPACE, "x", "k", now)], now)) == 1


def test_deadlines_to_close_are_planned_for_every_workspace(two: Services) -> None:
    mine = _start(two, WORKSPACE)
    theirs = _start(two, OTHER)
    closed = _start(two, OTHER)
    two.rounds.close_round(OTHER, closed)
    with two.kernel.unit_of_work(WORKSPACE) as uow:
        uow.session.execute(update(Round).where(Round.id == mine).values(deadline_at=None))
        uow.commit()
    with all_workspaces(two.kernel.session_factory) as every:
        assert every.open_deadlines_before(DEADLINE - timedelta(seconds=1)) == []
        due = every.open_deadlines_before(DEADLINE)
    assert [(ws, rid) for ws, rid, _ in due] == [(OTHER, theirs)]


def test_stored_schedules_are_read_per_workspace(two: Services, clock: FixedClock) -> None:
    from bot.schedule.config import load_preset

    report = two.schedule.save(OTHER, load_preset(), "preset")
    assert not report.replaced and report.stored.planned_until == clock.now()
    assert two.schedule.load(WORKSPACE) is None
    loaded = two.schedule.load(OTHER)
    assert loaded is not None and loaded.source == "preset"
    with all_workspaces(two.kernel.session_factory) as every:
        assert [r.workspace_id for r in every.lock_schedules()] == [OTHER]
    assert two.schedule.save(OTHER, load_preset(), "again").replaced


def test_every_use_case_group_is_registered(services: Services) -> None:
    for group in (
        "rounds",
        "answering",
        "activities",
        "queries",
        "absences",
        "history",
        "ops",
        "organisation",
        "people",
        "personal_data",
        "question_messages",
        "reports",
        "schedule",
        "settings",
        "starting",
        "workspaces",
    ):
        assert getattr(services, group).kernel is services.kernel


def test_stopping_a_workspace_leaves_the_others_jobs(two: Services, clock: FixedClock) -> None:
    now = clock.now()
    later = now + timedelta(days=1)
    jobs = [NewJob(ws, KIND_START_ROUND, "k", later) for ws in (WORKSPACE, OTHER)]
    with all_workspaces(two.kernel.session_factory) as every:
        every.jobs.insert(job_rows(jobs, now))
    assert two.workspaces.stop(WORKSPACE) == 1
    assert {(j.workspace_id, j.status) for j in _all_jobs(two)} == {
        (WORKSPACE, "cancelled"),
        (OTHER, "pending"),
    }


def test_a_units_yearly_rounds_are_read_in_its_own_workspace(two: Services) -> None:
    from bot.chain.errors import NoRoundsForReport

    round_id = _start(two, WORKSPACE)
    _activity(two, WORKSPACE, round_id, "Min", "open")
    year = two.reports.unit_year(WORKSPACE, "hemtjanst-norr", 2027)
    assert [r.round_id for r in year.rounds] == [round_id]
    assert year.unit_key == "hemtjanst-norr" and year.rounds[0].answers == ()
    with pytest.raises(NoRoundsForReport):
        two.reports.unit_year(OTHER, "hemtjanst-norr", 2027)
    with pytest.raises(NoRoundsForReport):
        two.reports.unit_year(WORKSPACE, "hemtjanst-norr", 2028)
    record = two.reports.round_activities(WORKSPACE, round_id, f"evaluation:{round_id}")
    assert [a.title for a in record.activities] == ["Min"]
    assert [(a.title, status) for a, status, _ in record.followups] == [("Min", "open")]
    assert record.evaluation_round_id is None
