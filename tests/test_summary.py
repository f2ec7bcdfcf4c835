"""Summaries: roll-up per level, response rates, escaping per format, anonymity."""

from __future__ import annotations

from bot.domain.commands import StartRound
from bot.domain.formats import FORMATS
from bot.escaping import markdown, mrkdwn
from bot.services.container import Services
from bot.summary import render_summary

WS = "local"


def run_round(services: Services, anonymous: bool = False, lang: str = "sv") -> int:
    started = services.rounds.start_round(
        WS,
        StartRound(
            "avstamning",
            ["Socialförvaltningen"],
            "#ledning",
            level="enhet",
            started_by="U0PROC01",
            anonymous=anonymous,
            lang=lang,
        ),
    )
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    services.answering.reply(
        WS, pids["U0ENHHTN"], "Budget i balans & <!channel> läs detta <@U0ENHHTS>", "a1"
    )
    services.answering.skip(WS, pids["U0ENHHTN"], "a2")
    services.answering.reply(WS, pids["U0ENHHTS"], "Personalbrist *stor*\nandra raden", "b1")
    services.answering.reply(WS, pids["U0ENHFSS"], "Fler hushåll söker stöd", "c1")
    return started.round.round_id


def test_rollup_counts_units_per_level(services: Services) -> None:
    summary = services.queries.summary(WS, run_round(services))
    rates = {(r.unit_name, r.level_name): (r.responded, r.total, r.depth) for r in summary.rates}
    assert rates[("Socialförvaltningen", "Förvaltning")] == (3, 5, 0)
    assert rates[("Äldreomsorg", "Avdelning")] == (2, 3, 1)
    assert rates[("Individ- och familjeomsorg", "Avdelning")] == (1, 2, 1)
    assert rates[("Hemtjänst Norr", "Enhet")] == (1, 1, 2)
    assert (summary.responded, summary.participants, summary.rate_percent) == (3, 5, 60)
    assert sorted(m.person_name for m in summary.missing) == ["Cecilia Öberg", "Elin Karlsson"]
    first = summary.questions[0]
    assert first.answered == 3
    second = summary.questions[1]
    skipped = [e for n in second.nodes for e in n.entries if e.status == "skipped"]
    assert [e.unit_name for e in skipped] == ["Hemtjänst Norr"]


def test_mrkdwn_summary_pings_nobody(services: Services) -> None:
    text = render_summary(services.queries.summary(WS, run_round(services)), "mrkdwn")
    assert "<!channel>" not in text and "<@U0ENHHTS>" not in text
    assert "&lt;!channel&gt;" in text and "&lt;@U0ENHHTS&gt;" in text
    assert "Budget i balans &amp;" in text
    assert "*Äldreomsorg* _(Avdelning, 2/3 svarat)_" in text
    assert ">Personalbrist *stor*\n>andra raden" in text
    assert "*Ej svarat:*" in text and "Elin Karlsson" in text
    assert "<" not in text.replace("&lt;", "")


def test_markdown_summary_escapes_and_rolls_up(services: Services) -> None:
    text = render_summary(services.queries.summary(WS, run_round(services)), "md")
    assert "# Avstämningsdialog — Socialförvaltningen" in text
    assert "### Socialförvaltningen (Förvaltning) — 3/5 svarat" in text
    assert "#### Äldreomsorg (Avdelning) — 2/3 svarat" in text
    assert r"\<\!channel\>" in text
    assert r"Personalbrist \*stor\*" in text
    assert "**Svarsfrekvens:** 3 av 5 (60 %)" in text
    assert "- Barn och unga — Elin Karlsson" in text


def test_english_round_renders_in_english(services: Services) -> None:
    text = render_summary(services.queries.summary(WS, run_round(services, lang="en")), "md")
    assert "## 1. How is it going?" in text
    assert "**Response rate:** 3 of 5 (60 %)" in text
    assert "Not answered" in text


def test_anonymous_rounds_render_no_names(services: Services) -> None:
    summary = services.queries.summary(WS, run_round(services, anonymous=True))
    for fmt in FORMATS:
        text = render_summary(summary, fmt)
        for name in (
            "Anna Andersson",
            "Björn Svensson",
            "Elin Karlsson",
            "Hemtjänst Norr",
            "U0ENHHTN",
        ):
            assert name not in text, (fmt, name)
        assert "Fler hushåll söker stöd" in text
    assert "2 har inte svarat (anonym runda)." in render_summary(summary, "md")


def test_escapers_neutralise_markup() -> None:
    assert (
        mrkdwn("<!here> & <https://evil|klicka>")
        == "&lt;!here&gt; &amp; &lt;https://evil|klicka&gt;"
    )
    assert "@channel" not in mrkdwn("hej @channel")
    assert markdown("[länk](http://x) <b>") == r"\[länk\](http://x) \<b\>"
