"""The summary built from plain rows is the summary the ORM build gave, value for value
(tests/summary_build_reference.py), on a seeded round: several levels, a unit with two
managers, names that collate alike, a branch synthesis, skips, unanswered questions, an
absent manager, threads; named and anonymous, open and closed."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import summary_build_reference as reference

from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.errors import DialogError
from bot.domain.formats import FORMATS
from bot.domain.org_tree import OrgTree
from bot.domain.templates import TemplateCatalog, parse_template
from bot.org_import import load_org_file
from bot.services.container import Services, build_services
from bot.services.participation import info
from bot.summary import RoundSummary, render_summary
from storage.db import make_session_factory
from storage.repository import Repository

WS = "local"
HELHET = {
    "key": "helhet",
    "version": 1,
    "phase": "avstamning",
    "name": {"sv": "Avstämning med helhet"},
    "questions": [
        {"key": "hur_gar_det", "text": {"sv": "Hur går det?"}},
        {"key": "varfor", "text": {"sv": "Varför?"}},
        {"key": "framat", "text": {"sv": "Vad händer framåt?"}},
        {
            "key": "helheten",
            "text": {"sv": "Vad säger helheten?"},
            "level": "avdelning",
            "synthesis": True,
        },
    ],
}
#: Unit names that collate alike or in Swedish order only (ties keep their order).
UNIT_NAMES = ["Öst", "Åsen", "Ängen", "ängen", "Zeta", "Éclair", "eclair", "Alfa", "alfa"]
#: The manager away when the rounds start (no deputy), who answers nothing.
ABSENT = "M4"
PERSON_NAMES = ["Åsa Ek", "Asa Ek", "Örjan Lund", "Anna Berg", "anna berg", "Ärla Ro"]


def _org(path: Path) -> Path:
    """A förvaltning with three avdelningar (managers of their own), 27 enheter under
    them; one enhet has two managers and one has none."""
    people = ["  - {id: P0, name: Petra Lind, roles: [processtod]}"]
    units = ["  - {key: forv, name: Förvaltningen, level: forvaltning}"]
    n = 0
    for a in range(3):
        people.append(f"  - {{id: A{a}, name: {PERSON_NAMES[a]}, roles: [chef]}}")
        units.append(
            f"  - {{key: avd{a}, name: Avdelning {UNIT_NAMES[a]}, level: avdelning, "
            f"parent: forv, managers: [A{a}]}}"
        )
        for e in range(9):
            managers: list[str] = []
            if (a, e) != (2, 8):
                managers.append(f"M{n}")
                people.append(f"  - {{id: M{n}, name: {PERSON_NAMES[n % 6]}, roles: [chef]}}")
            if (a, e) == (1, 3):
                managers.append("X1")
                people.append("  - {id: X1, name: Åsa Ek, roles: [chef]}")
            units.append(
                f"  - {{key: e{a}{e}, name: {UNIT_NAMES[e]}, level: enhet, parent: avd{a}, "
                f"managers: [{', '.join(managers)}]}}"
            )
            n += 1
    path.write_text("\n".join(["people:", *people, "units:", *units]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def seeded(db: Any, clock: FixedClock, tmp_path: Path) -> Services:
    shipped = TemplateCatalog.load()
    catalog = TemplateCatalog({**shipped.templates, "helhet": parse_template(HELHET, "h.yaml")})
    services = build_services(make_session_factory(db), catalog, clock)
    org = _org(tmp_path / "org.yaml")
    services.organisation.import_org(WS, load_org_file(org), str(org))
    today = services.absences.today()
    services.absences.register(WS, ABSENT, today, today + timedelta(days=10))
    return services


def _answer(services: Services, round_id: int, seed: int) -> None:
    """Every participant answers, skips or leaves the questions, at random."""
    rng = random.Random(seed)

    def pids(repo: Repository) -> list[tuple[int, str]]:
        return [(p.id, p.person.chat_id if p.person else "") for p in repo.participations(round_id)]

    for n, (pid, chat_id) in enumerate(services.kernel.read(WS, pids)):
        if chat_id == ABSENT:
            continue
        if rng.random() < 0.3:
            services.rounds.set_thread(WS, pid, f"C{n}:{1000 + n}.0001")
        for step in range(rng.choice([0, 0, 1, 2, 3, 3, 3])):
            key = f"s{seed}-{pid}-{step}"
            try:
                if rng.random() < 0.25:
                    services.answering.skip(WS, pid, key)
                else:
                    text = rng.choice(["Bra", "", "Svårt\nmen *går*", "<!here> & co", "Åter"])
                    services.answering.reply(WS, pid, text or "Ok", key)
            except DialogError:  # finished early (fewer questions for this level)
                break


def _reference(services: Services, round_id: int) -> RoundSummary:
    def work(repo: Repository) -> RoundSummary:
        round_ = repo.round(round_id)
        assert round_ is not None
        template = services.kernel.template_of(round_)
        levels = {lv.key: lv.name for lv in repo.levels()}
        return reference.build_summary(
            info(round_, template),
            template,
            repo.participations(round_id),
            OrgTree(repo.units()),
            levels,
        )

    return services.kernel.read(WS, work)


@pytest.mark.parametrize(
    ("template", "anonymous", "seed"),
    [("helhet", False, 1), ("helhet", False, 2), ("avstamning", True, 3), ("avstamning", True, 4)],
)
def test_plain_row_summary_equals_the_orm_build(
    seeded: Services, template: str, anonymous: bool, seed: int
) -> None:
    services = seeded
    started = services.rounds.start_round(
        WS,
        StartRound(
            template,
            ["forv"],
            "#ledning",
            started_by="P0",
            anonymous=anonymous,
        ),
    )
    round_id = started.round.round_id
    _answer(services, round_id, seed)
    open_summary = services.queries.summary(WS, round_id)
    assert open_summary == _reference(services, round_id)
    closed, newly = services.rounds.close_round(WS, round_id)
    assert newly
    assert closed == _reference(services, round_id)
    assert closed == services.queries.summary(WS, round_id)
    for fmt in FORMATS:
        render_summary(closed, fmt)
    # The seed gives every kind of row the summary distinguishes.
    assert open_summary.participants > 27 and open_summary.responded > 0
    assert open_summary.not_responded > 0 and open_summary.absent == 1
    if not anonymous:
        assert open_summary.syntheses and open_summary.threads
        statuses = {e.status for q in open_summary.questions for n in q.nodes for e in n.entries}
        assert statuses == {"answered", "skipped"}
