"""Absence across the summer holiday with the 2027 preset, driven by the scheduler with an
injected clock (see tests/test_scheduler_year.py).

The avstämning of tertial 2 starts Monday 6 September 2027 09:00 (07:00 UTC) and asks
the förvaltningschefer, Sofia Holm (Socialförvaltningen) and Ulf Strand
(Utbildningsförvaltningen); reminders go out 13, 17 and 20 September, the deadline is
20 September 17:00 and the round closes then with its summary.
"""

from __future__ import annotations

from datetime import date

from fakes.notifier import ClockedNotifier
from support.scheduler import WS, run_until, start, utc

from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.results import RoundStarted
from bot.org_import import parse_yaml
from bot.schedule.config import load_preset
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services
from bot.slack.blocks import status_text
from bot.summary import render_summary

SOFIA = "U0SOCDIR"
ULF = "U0UTBDIR"
EVA = "U0AVDAEL"
PETRA = "U0PROC01"
TERTIAL_2 = "Avstämningsdialog nämnd ↔ förvaltning (tertial 2) — Socialnämnden"


def _summer(services: Services, clock: FixedClock) -> tuple[Scheduler, ClockedNotifier]:
    """The preset stored in June 2027, before the summer."""
    return start(services, clock, load_preset(), utc(2027, 6, 14, 10))


def _reminded(notifier: ClockedNotifier, chat_id: str) -> list[str]:
    return [
        notifier.reminded_at[i].date().isoformat()
        for i, (_, p, _) in enumerate(notifier.reminders)
        if p.chat_id == chat_id
    ]


def _round(notifier: ClockedNotifier, title: str) -> RoundStarted:
    return next(s for s in notifier.started if s.round.title == title)


def test_summer_absence_with_deputy(services: Services, clock: FixedClock) -> None:
    scheduler, notifier = _summer(services, clock)
    services.absences.register(
        WS, PETRA, date(2027, 6, 21), date(2027, 9, 24), person=SOFIA, deputy=EVA
    )
    run_until(scheduler, clock, utc(2027, 9, 21, 12))

    started = _round(notifier, TERTIAL_2)
    assert [(p.chat_id, p.unit_key, p.on_behalf_of) for p, _ in started.participants] == [
        (EVA, "socialforvaltningen", "Sofia Holm")
    ]
    assert _reminded(notifier, SOFIA) == []
    assert _reminded(notifier, EVA) == ["2027-09-13", "2027-09-17", "2027-09-20"]
    assert _reminded(notifier, ULF) == ["2027-09-13", "2027-09-17", "2027-09-20"]


def test_summer_absence_without_deputy_is_frånvarande(
    services: Services, clock: FixedClock
) -> None:
    scheduler, notifier = _summer(services, clock)
    services.absences.register(WS, SOFIA, date(2027, 6, 21), date(2027, 9, 24))
    run_until(scheduler, clock, utc(2027, 9, 21, 12))

    assert _round(notifier, TERTIAL_2).participants == []
    assert _reminded(notifier, SOFIA) == []
    digests = [s for s, _ in notifier.digests if s.round.title == TERTIAL_2]
    assert len(digests) == 3
    text = status_text(digests[-1], "Europe/Stockholm")
    assert "Frånvarande: Socialförvaltningen (Sofia Holm)" in text
    assert "Ej svarat" not in text  # nobody is shamed: the only manager is away

    summary = next(s for s in notifier.summaries if s.round.title == TERTIAL_2)
    assert [(m.person_name, m.absent) for m in summary.missing] == [("Sofia Holm", True)]
    assert "Socialförvaltningen (Sofia Holm, frånvarande)" in render_summary(summary, "text")
    assert "Socialförvaltningen — Sofia Holm (frånvarande)" in render_summary(summary, "md")


def test_absence_ending_before_the_deadline_brings_the_questions(
    services: Services, clock: FixedClock
) -> None:
    scheduler, notifier = _summer(services, clock)
    services.absences.register(WS, SOFIA, date(2027, 6, 21), date(2027, 9, 14))
    run_until(scheduler, clock, utc(2027, 9, 21, 12))

    assert _round(notifier, TERTIAL_2).participants == []
    # Back on Wednesday 15 September: the first question at 08:00, then the reminders.
    assert _reminded(notifier, SOFIA) == ["2027-09-15", "2027-09-17", "2027-09-20"]
    first = next(
        (when, prompt)
        for when, (_, p, prompt) in zip(notifier.reminded_at, notifier.reminders, strict=True)
        if p.chat_id == SOFIA
    )
    assert first[0] == utc(2027, 9, 15, 6)
    assert first[1] is not None and first[1].number == 1
    summary = next(s for s in notifier.summaries if s.round.title == TERTIAL_2)
    assert [(m.person_name, m.absent) for m in summary.missing] == [("Sofia Holm", False)]


def test_the_units_standing_deputy_answers_when_none_was_named(
    services: Services, clock: FixedClock
) -> None:
    org = parse_yaml(
        "units:\n"
        "  - {key: socialforvaltningen, name: Socialförvaltningen, level: forvaltning,\n"
        "     parent: socialnamnden, managers: [U0SOCDIR], deputy: U0AVDIFO}\n",
        "deputy.yaml",
    )
    services.organisation.import_org(WS, org, "deputy.yaml")
    scheduler, notifier = _summer(services, clock)
    services.absences.register(WS, SOFIA, date(2027, 7, 1), date(2027, 9, 10))
    run_until(scheduler, clock, utc(2027, 9, 7, 12))

    started = _round(notifier, TERTIAL_2)
    assert [(p.chat_id, p.on_behalf_of) for p, _ in started.participants] == [
        ("U0AVDIFO", "Sofia Holm")
    ]


def test_anonymous_digest_counts_the_absent_without_naming_units(
    services: Services, clock: FixedClock
) -> None:
    services.absences.register(WS, PETRA, date(2027, 5, 3), date(2027, 5, 31), person="U0ENHHTN")
    started = services.rounds.start_round(
        WS,
        StartRound(
            template="avstamning",
            units=["Äldreomsorg"],
            level="enhet",
            group_ref="C0LEDNING",
            anonymous=True,
            deadline_at=utc(2027, 5, 14, 15),
        ),
    )
    text = status_text(services.queries.status(WS, started.round.round_id), "Europe/Stockholm")
    assert "Frånvarande: 1" in text
    assert "Hemtjänst Norr" not in text and "Anna" not in text
    summary, _ = services.rounds.close_round(WS, started.round.round_id)
    rendered = render_summary(summary, "text")
    assert "Varav 1 frånvarande." in rendered
    assert "Anna" not in rendered
