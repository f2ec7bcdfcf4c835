"""The single-pass summary renderer gives byte for byte what the per-value escaping
renderer gave (tests/summary_reference.py), on varied and hostile text, in every format."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import summary_reference as reference

from bot.domain.anonymity import Pool
from bot.domain.formats import FORMATS
from bot.domain.results import RoundInfo
from bot.escaping import markdown, mrkdwn
from bot.summary import (
    AnswerEntry,
    Format,
    Missing,
    NodeAnswers,
    QuestionSummary,
    RoundSummary,
    Synthesis,
    Thread,
    UnitRate,
    render_summary,
    summary_parts,
)

HOSTILE = [
    "",
    " ",
    "\n",
    "a\n",
    "\n\nb\n\n",
    "rad ett\r\nrad två\rrad tre\x0bfyra\x0cfem\x1cx\x1dy\x1ez\x85å\u2028ä\u2029ö",
    "<!channel> <@U123> <http://x|y> & &amp; &lt;",
    "@here @channel @everyone @Here @CHANNEL! @heres @channels @everyoneX",
    "@\u2060here redan",
    "*fet* _kursiv_ ~struken~ `kod` ```block``` > citat",
    "\\ \\\\ \\* [länk](http://x) ![bild](y) # rubrik | tabell | #",
    "\x00 noll \x00\x00",
    "😀 emoji \u200b nollbredd \ufeff bom",
    "{{ jinja }} {% if %} {# x #}",
    "Åsa Öberg-Ärlig",
    "None",
]


def _text(rng: random.Random) -> str:
    if PLAIN_ONLY:
        return rng.choice(["", "Svar ett", "Åsa Öberg", "rad\nrad", "100 %"])
    if rng.random() < 0.5:
        return rng.choice(HOSTILE)
    alphabet = "ab Å\n\r&<>@*_\\`[]#|~!\x00\u2028e"
    words = ["channel", "here", "everyone", "@", "svar", "&amp;"]
    parts = [rng.choice(alphabet) if rng.random() < 0.7 else rng.choice(words) for _ in range(30)]
    return "".join(parts[: rng.randint(0, 30)])


PLAIN_ONLY = False


def _summary(seed: int, anonymous: bool, lang: str) -> RoundSummary:
    rng = random.Random(seed)
    info = RoundInfo(
        round_id=7,
        workspace_id="T1",
        title=_text(rng),
        template_key="plan_*x*",
        template_version=3,
        template_name=_text(rng),
        overarching_question=rng.choice([None, _text(rng)]),
        status=rng.choice(["open", "closed"]),
        group_ref="C1",
        delivery="channel",
        anonymous=anonymous,
        lang=lang,
        deadline_at=rng.choice([None, datetime(2026, 5, 1, 12, tzinfo=UTC)]),
        created_at=datetime(2026, 4, 1, tzinfo=UTC),
        closed_at=rng.choice([None, datetime(2026, 5, 2, 8, tzinfo=UTC)]),
        created_by="U1",
        question_count=3,
        announcement_ref=None,
        anonymity_k=3 if anonymous else None,
    )
    questions = []
    for number in range(1, 4):
        nodes = []
        pools = []
        if anonymous:
            pools = [
                Pool(_text(rng), _text(rng), rng.randint(0, 9), [_text(rng) for _ in range(3)], n)
                for n in range(rng.randint(0, 3))
            ]
        else:
            for depth in range(rng.randint(0, 4)):
                entries = [
                    AnswerEntry(
                        rng.choice([None, _text(rng)]),
                        rng.choice([None, "", _text(rng)]),
                        rng.choice(["answered", "skipped"]),
                        _text(rng),
                    )
                    for _ in range(rng.randint(0, 4))
                ]
                nodes.append(
                    NodeAnswers(depth, _text(rng), _text(rng), 1, 2, entries, rng.random() < 0.5)
                )
        questions.append(
            QuestionSummary(number, f"q{number}", _text(rng), rng.randint(0, 2), nodes, pools)
        )
    rates = [
        UnitRate(d, _text(rng), _text(rng), 1, 2, 1, 3, rng.random() < 0.5)
        for d in range(rng.randint(0, 4))
    ]
    missing = [Missing(_text(rng), _text(rng), "U9", rng.random() < 0.3) for _ in range(3)]
    syntheses = [
        Synthesis(d, _text(rng), _text(rng), rng.choice(["", _text(rng)]), _text(rng), _text(rng))
        for d in range(rng.randint(0, 3))
    ]
    return RoundSummary(
        round=info,
        root_name=_text(rng),
        participants=10,
        responded=rng.randint(0, 10),
        finished=2,
        questions=questions,
        rates=[] if anonymous else rates,
        missing=[] if anonymous else rng.choice([[], missing]),
        not_responded=rng.randint(0, 3),
        anonymity_k=3 if anonymous else None,
        absent=rng.randint(0, 2),
        syntheses=[] if anonymous else syntheses,
        threads=[Thread(_text(rng), _text(rng), "C1:1.2")],
    )


CASES = [
    (seed, anonymous, lang)
    for seed in range(40)
    for anonymous in (False, True)
    for lang in ("sv", "en")
]


@pytest.mark.parametrize(("seed", "anonymous", "lang"), CASES)
def test_render_is_byte_identical_to_the_reference(seed: int, anonymous: bool, lang: str) -> None:
    summary = _summary(seed, anonymous, lang)
    fmt: Format
    for fmt in FORMATS:
        assert render_summary(summary, fmt) == reference.render_summary(summary, fmt)
    assert summary_parts(summary) == reference.summary_parts(summary)


def test_escapers_match_the_reference_translate() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        text = _text(rng)
        assert markdown(text) == reference.markdown(text)
        assert mrkdwn(text) == reference.mrkdwn(text)


@pytest.mark.parametrize("seed", range(10))
def test_text_with_nothing_to_escape_renders_the_same(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(__import__(__name__), "PLAIN_ONLY", True)
    summary = _summary(seed, False, "sv")
    fmt: Format
    for fmt in FORMATS:
        assert render_summary(summary, fmt) == reference.render_summary(summary, fmt)
    assert summary_parts(summary) == reference.summary_parts(summary)


def test_a_long_summary_escapes_the_texts_in_every_chunk_of_the_scan() -> None:
    # More texts than one chunk of the escaping scan (bot.summary._ESCAPE_CHUNK), some
    # beyond Latin-1, with hostile ones spread over every chunk and its edges.
    rng = random.Random(11)
    words = ["Svar", "Åsa", "en — tanke", "”citat”", "😀"]
    entries = []
    for n in range(3000):
        hostile = n % 97 == 0 or n in (1364, 1365, 2730, 2731)
        text = rng.choice(HOSTILE[1:]) if hostile else f"{rng.choice(words)} {n}"
        entries.append(AnswerEntry(f"Enhet {n}", f"Chef {n}", "answered", text))
    base = _summary(3, False, "sv")
    node = NodeAnswers(1, "Avdelning *1*", "Avdelning", 3000, 3000, entries, False)
    question = QuestionSummary(1, "q1", "Fråga & <svar>", 3000, [node])
    summary = RoundSummary(
        round=base.round,
        root_name=None,
        participants=3000,
        responded=3000,
        finished=3000,
        questions=[question],
        rates=[],
    )
    fmt: Format
    for fmt in FORMATS:
        assert render_summary(summary, fmt) == reference.render_summary(summary, fmt)
    assert summary_parts(summary) == reference.summary_parts(summary)
