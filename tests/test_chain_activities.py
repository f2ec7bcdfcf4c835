"""Reading activities out of answers, follow-up replies, and context rendering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.chain.context import render_context_mrkdwn
from bot.domain.commands import StartRound
from bot.domain.results import ContextItem, QuestionPrompt
from bot.domain.splitting import ActivityDraft, FollowupReply, parse_followup, split_activities
from bot.services.container import Services
from bot.slack.activities_text import render_activities_mrkdwn, render_activity_outcome_mrkdwn


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- Ny bemanningsplan\n- Hälsosamtal", ["Ny bemanningsplan", "Hälsosamtal"]),
        ("* Ett\n• Två\n– Tre", ["Ett", "Två", "Tre"]),
        (
            "1. Samverkan med AME\n2. Snabbare handläggning",
            ["Samverkan med AME", "Snabbare handläggning"],
        ),
        ("1) Första\n2) Andra\n10) Tionde", ["Första", "Andra", "Tionde"]),
        ("a) Kartlägga\nb) Åtgärda", ["Kartlägga", "Åtgärda"]),
        ("- [ ] Att göra\n- [x] Gjort", ["Att göra", "Gjort"]),
    ],
)
def test_bullets_and_numbered_lists_give_one_activity_per_item(
    text: str, expected: list[str]
) -> None:
    assert [d.title for d in split_activities(text)] == expected


def test_headings_and_introductions_around_bullets_are_not_activities() -> None:
    text = (
        "Mål 1: Minskad sjukfrånvaro (mått: under 7 %)\n"
        "- Hälsosamtal med alla\n"
        "  som fortsätter hela året\n"
        "Mål 2: Nöjdare brukare\n"
        "- Brukarenkät i maj"
    )
    assert [d.title for d in split_activities(text)] == [
        "Hälsosamtal med alla som fortsätter hela året",
        "Brukarenkät i maj",
    ]


def test_free_text_is_one_activity_per_line_and_a_paragraph_is_one() -> None:
    paragraph = "Vi inför en ny bemanningsplan. Den ska vara klar till sommaren."
    assert split_activities(paragraph) == [ActivityDraft(paragraph)]
    lines = "Ny bemanningsplan\n\nVåra aktiviteter:\nHälsosamtal med alla\n"
    assert [d.title for d in split_activities(lines)] == [
        "Ny bemanningsplan",
        "Hälsosamtal med alla",
    ]
    assert split_activities("   \n ") == []


@pytest.mark.parametrize(
    ("text", "title", "owner"),
    [
        ("- Ny bemanningsplan (ansvarig: Anna)", "Ny bemanningsplan", "Anna"),
        ("- Ny bemanningsplan (Ansvarig Anna Andersson).", "Ny bemanningsplan", "Anna Andersson"),
        ("- Digital nyckelhantering – ansvarig Björn", "Digital nyckelhantering", "Björn"),
        ("- Digital nyckelhantering - ansv. Björn", "Digital nyckelhantering", "Björn"),
        ("1. Brukarenkät. Ansvarig: HR-enheten", "Brukarenkät", "HR-enheten"),
        ("Mentorprogram, ansvarig: Eva", "Mentorprogram", "Eva"),
        ("- Survey (owner: Hassan)", "Survey", "Hassan"),
        ("- Utse ansvarig för rutinen", "Utse ansvarig för rutinen", None),
    ],
)
def test_owners_are_read_from_the_usual_phrasings(text: str, title: str, owner: str | None) -> None:
    assert split_activities(text) == [ActivityDraft(title, owner)]


@pytest.mark.parametrize(
    ("reply", "status", "note"),
    [
        ("klar", "done", ""),
        ("Klart!", "done", ""),
        ("pågår – väntar på budget", "in_progress", "väntar på budget"),
        ("Pågår: halvvägs", "in_progress", "halvvägs"),
        ("stoppad, prioriterades bort", "stopped", "prioriterades bort"),
        ("ej påbörjad. Ingen tid", "open", "Ingen tid"),
        ("done - shipped in March", "done", "shipped in March"),
        ("Den blev klar i mars", "done", "Den blev klar i mars"),
        ("pågår – inte klar än", "in_progress", "inte klar än"),  # the first word decides
    ],
)
def test_followup_replies_give_a_status_and_a_note(reply: str, status: str, note: str) -> None:
    assert parse_followup(reply) == FollowupReply(status, note)


@pytest.mark.parametrize("reply", ["Vet inte", "Delvis klar, delvis stoppad", "klarade oss", ""])
def test_followup_replies_without_one_clear_status_are_not_guessed(reply: str) -> None:
    assert parse_followup(reply) is None


def _prompt(answer: str) -> QuestionPrompt:
    item = ContextItem(
        template_name="Planeringsdialog",
        question_text="Vilka är våra mål?",
        answer_text=answer,
        round_title="Planering 2027",
        answered_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
    )
    return QuestionPrompt(1, 1, 0, 3, "hur_gar_det", "Hur går det?", None, None, "sv", (item,))


def test_context_is_a_quoted_escaped_block_cut_with_a_note_when_long() -> None:
    rendered = render_context_mrkdwn(_prompt("Mål <!channel> & <@U123>\n- Hälsosamtal"))
    assert rendered.splitlines() == [
        ">*Från Planeringsdialog: «Vilka är våra mål?»*",
        ">_Planering 2027, 2027-03-01_",
        ">Mål &lt;!channel&gt; &amp; &lt;@U123&gt;",
        ">- Hälsosamtal",
    ]
    long = render_context_mrkdwn(_prompt("ord " * 1000), limit=100)
    assert len(long) < 400 and "hela svaret finns i dokumentationen" in long
    assert render_context_mrkdwn(QuestionPrompt(1, 1, 0, 3, "q", "Q?", None, None, "sv")) == ""


def test_activity_texts_for_chat_escape_user_text(services: Services) -> None:
    started = services.rounds.start_round(
        "local", StartRound("avstamning", ["hemtjanst-norr"], "#g", subtrees=False)
    )
    pid = started.participants[0][0].participation_id
    for n, text in enumerate(["Bra.", "För att.", "- Möte <!channel> & fika (ansvarig: <@U1>)"]):
        outcome = services.answering.reply("local", pid, text, f"k{n}")
    assert render_activity_outcome_mrkdwn(outcome).splitlines() == [
        "Jag uppfattade följande aktiviteter (1 st). Stämmer listan? Bekräfta den, eller rätta "
        "den (en aktivitet per rad).",
        "• Möte &lt;!channel&gt; &amp; fika (ansvarig: &lt;@U1&gt;)",
    ]
    listing = render_activities_mrkdwn(services.activities.activities("local", "hemtjanst-norr"))
    assert listing.splitlines()[0] == "*Aktiviteter för Hemtjänst Norr*"
    assert "— _föreslagen_" in listing and "<!channel>" not in listing
