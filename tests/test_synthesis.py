"""A branch's own synthesis ("vad säger helheten"): a template question with ``level``
is asked only of the managers at that level, everyone else gets the questions without
a level, and numbers, totals, forms and edits count only a manager's own questions."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from fakes.signing import DEFAULT_TEAM_ID
from support.sample import load_sample_org
from support.slack import ANNA, CHANNEL, SlackHarness, texts

from bot.chain.report import export_unit_report
from bot.clock import FixedClock
from bot.console.session import ConsoleSession
from bot.domain.commands import StartRound
from bot.domain.errors import InvalidInput
from bot.domain.templates import TemplateCatalog, parse_template
from bot.services.container import Services, build_services
from bot.slack.blocks import ACTION_FORM, VIEW_FORM
from bot.summary import render_summary
from storage.db import make_session_factory

WS = "local"
EVA = "U0AVDAEL"  # Äldreomsorg (avdelning)
BJORN = "U0ENHHTS"  # Hemtjänst Syd
HELHET = {
    "key": "helhet",
    "version": 1,
    "phase": "avstamning",
    "name": {"sv": "Avstämning med helhet"},
    "questions": [
        {"key": "hur_gar_det", "text": {"sv": "Hur går det?"}},
        {"key": "varfor", "text": {"sv": "Varför?"}},
        {
            "key": "helheten",
            "text": {"sv": "Vad säger helheten?"},
            "level": "avdelning",
            "synthesis": True,
        },
    ],
}
_keys = itertools.count()


def _key() -> str:
    return f"syn-{next(_keys)}"


@pytest.fixture
def catalog() -> TemplateCatalog:
    """The shipped templates plus one with an avdelning synthesis."""
    shipped = TemplateCatalog.load()
    return TemplateCatalog({**shipped.templates, "helhet": parse_template(HELHET, "helhet.yaml")})


@pytest.fixture
def helhet_engine(catalog: TemplateCatalog, clock: FixedClock, db: Any) -> Services:
    services = build_services(make_session_factory(db), catalog, clock)
    load_sample_org(services)
    return services


def _start(services: Services) -> tuple[int, dict[str, int], dict[str, Any]]:
    started = services.rounds.start_round(
        WS, StartRound("helhet", ["Äldreomsorg"], "#aldreomsorg", started_by="U0PROC01")
    )
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    prompts = {p.chat_id: prompt for p, prompt in started.participants}
    return started.round.round_id, pids, prompts


def test_enheter_get_the_normal_questions_and_the_avdelning_only_its_synthesis(
    helhet_engine: Services,
) -> None:
    services = helhet_engine
    round_id, pids, prompts = _start(services)
    assert set(pids) == {EVA, ANNA, BJORN, "U0ENHSOL"}
    first = prompts[ANNA]
    assert (first.text, first.number, first.total) == ("Hur går det?", 1, 2)
    assert (prompts[EVA].text, prompts[EVA].number, prompts[EVA].total) == (
        "Vad säger helheten?",
        1,
        1,
    )

    second = services.answering.reply(WS, pids[ANNA], "Kontinuiteten ökar.", _key())
    assert second.prompt is not None
    assert (second.prompt.text, second.prompt.number, second.prompt.total) == ("Varför?", 2, 2)
    back = services.answering.back(WS, pids[ANNA], _key())
    assert back.prompt is not None and back.prompt.number == 1
    services.answering.skip(WS, pids[ANNA], _key())
    done = services.answering.reply(WS, pids[ANNA], "Fler undersköterskor.", _key())
    assert done.finished and done.prompt is None
    assert [(line.number, line.question) for line in done.sheet] == [
        (1, "Hur går det?"),
        (2, "Varför?"),
    ]

    # The synthesis prompt shows what the enheter below have answered so far.
    eva_prompt = services.queries.current_prompt(WS, pids[EVA])
    assert eva_prompt is not None
    shown = {(c.template_name, c.question_text, c.answer_text) for c in eva_prompt.context}
    assert shown == {
        ("Hemtjänst Norr", "Hur går det?", "Kontinuiteten ökar."),
        ("Hemtjänst Norr", "Varför?", "Fler undersköterskor."),
    }
    finished = services.answering.reply(
        WS, pids[EVA], "Helheten: bemanningen är vår fråga.", _key()
    )
    assert finished.finished

    # /ändra numbers follow each manager's own questions.
    edited = services.answering.edit_question(
        WS, pids[EVA], 1, "Helheten: bemanning och kontinuitet.", _key()
    )
    assert (edited.question_key, edited.question_number) == ("helheten", 1)
    with pytest.raises(InvalidInput):
        services.answering.edit_question(WS, pids[EVA], 2, "Finns inte", _key())
    with pytest.raises(InvalidInput):
        services.answering.edit_question(WS, pids[ANNA], 3, "Finns inte", _key())
    assert services.answering.edit_question(
        WS, pids[ANNA], 2, "Två vakanser.", _key()
    ).question_key == ("varfor")
    assert [line.question_key for line in services.queries.answer_sheet(WS, pids[EVA])] == [
        "helheten"
    ]

    # A form answers only the manager's own questions and finishes them.
    saved = services.answering.submit_form(
        WS, pids[BJORN], {"hur_gar_det": "Tre vakanser.", "varfor": "-"}, _key()
    )
    assert saved.finished

    totals = {
        p.chat_id: (p.answered, p.total)
        for u in services.queries.status(WS, round_id).units
        for p in u.participants
    }
    assert totals == {EVA: (1, 1), ANNA: (2, 2), BJORN: (2, 2), "U0ENHSOL": (0, 2)}

    md = render_summary(services.queries.summary(WS, round_id), "md")
    assert md.index("## Vad säger helheten?") < md.index("Helheten: bemanning och kontinuitet.")
    assert md.index("Helheten: bemanning och kontinuitet.") < md.index("## 1. Hur går det?")
    assert md.index("## 1. Hur går det?") < md.index("Kontinuiteten ökar.")


def test_a_round_only_for_enheter_asks_no_synthesis(helhet_engine: Services) -> None:
    started = helhet_engine.rounds.start_round(
        WS, StartRound("helhet", ["Äldreomsorg"], "#aldreomsorg", level="enhet")
    )
    assert {p.chat_id for p, _ in started.participants} == {ANNA, BJORN, "U0ENHSOL"}
    assert {(prompt.text, prompt.total) for _, prompt in started.participants} == {
        ("Hur går det?", 2)
    }


def test_avdelning_manager_answers_the_synthesis_in_their_slack_thread(
    slack: SlackHarness,
) -> None:
    slack.command('start helhet units:"Äldreomsorg" kanal:<#C0LEDNING|ledning>')
    anna_thread = slack.thread_of(ANNA)
    assert "Fråga 1 av 2" in texts(slack.posts(CHANNEL, anna_thread))[0]
    slack.say(ANNA, "Kontinuiteten ökar.", anna_thread)
    assert "Fråga 2 av 2" in texts(slack.posts(CHANNEL, anna_thread))[-1]

    eva_thread = slack.thread_of(EVA)
    first = texts(slack.posts(CHANNEL, eva_thread))[0]
    assert "Fråga 1 av 1" in first and "Vad säger helheten?" in first
    assert "Hur går det?" not in first

    # Her form has only the synthesis; its button is on her question message.
    question = slack.posts(CHANNEL, eva_thread)[0]
    pid = next(
        p.participation_id
        for u in slack.services.queries.status(DEFAULT_TEAM_ID, 1).units
        for p in u.participants
        if p.chat_id == EVA
    )
    slack.click(
        ACTION_FORM, str(pid), EVA, message_ts=str(question.response["ts"]), thread_ts=eva_thread
    )
    view = slack.fake.delivered("views.open")[-1].arg_json("view")
    assert view["callback_id"] == VIEW_FORM
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["q:helheten"]

    slack.say(EVA, "Helheten: bemanningen är vår gemensamma fråga.", eva_thread)
    assert "Tack! Dina svar är sparade" in texts(slack.posts(CHANNEL, eva_thread))[-1]
    answers = slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid)
    assert answers == {"helheten": "Helheten: bemanningen är vår gemensamma fråga."}

    slack.command("stäng")
    summary = "\n".join(
        texts([c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")][-1:])
    )
    assert summary.index("Vad säger helheten?") < summary.index("Helheten: bemanningen")
    assert summary.index("Helheten: bemanningen") < summary.index("Kontinuiteten ökar.")


def test_avdelning_manager_in_the_terminal_sees_the_branch_and_her_own_numbers(
    helhet_engine: Services,
) -> None:
    _, pids, _ = _start(helhet_engine)
    helhet_engine.answering.reply(WS, pids[ANNA], "Kontinuiteten ökar.", _key())
    chat = ConsoleSession(helhet_engine, WS, pids[EVA], "sv")
    opening = "\n".join(chat.opening())
    assert "[Fråga 1 av 1] Vad säger helheten?" in opening
    assert "Från Hemtjänst Norr: «Hur går det?»" in opening
    assert "Kontinuiteten ökar." in opening
    assert chat.handle("Bemanningen.").lines[-1].startswith("Tack! Dina svar är sparade")
    assert "(1–1)" in chat.handle("/ändra 2 Ny text").lines[0]
    assert chat.handle("/ändra 1 Bemanning och kontinuitet.").lines == [
        "Svaret på fråga 1 är uppdaterat."
    ]


def test_the_yearly_report_counts_only_the_units_own_questions(
    helhet_engine: Services,
) -> None:
    _, pids, _ = _start(helhet_engine)
    helhet_engine.answering.reply(WS, pids[ANNA], "Kontinuiteten ökar.", _key())
    helhet_engine.answering.reply(WS, pids[EVA], "Bemanningen.", _key())
    year = helhet_engine.kernel.clock.now().year

    enhet = _report_html(helhet_engine, "hemtjanst-norr", year)
    assert "1/2" in enhet and "Vad säger helheten?" not in enhet
    avdelning = _report_html(helhet_engine, "aldreomsorg", year)
    assert "1/1" in avdelning and "1. Vad säger helheten?" in avdelning


def _report_html(services: Services, unit: str, year: int) -> str:
    return export_unit_report(services, WS, unit, year, "html")[0].decode()
