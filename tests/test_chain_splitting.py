"""Activities are read the way managers write them: owners, semicolons, and the
punctuation that belongs to an activity (bot/domain/splitting.py)."""

from __future__ import annotations

import pytest

from bot.domain.splitting import ActivityDraft, split_activities

A = ActivityDraft


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The line from the issue: the owner in parentheses, a second activity after ";".
        (
            "Sänka sjukfrånvaron till 6 % (ansvarig: Anna); starta friskvårdsgrupp",
            [A("Sänka sjukfrånvaron till 6 %", "Anna"), A("starta friskvårdsgrupp")],
        ),
        (
            "Hälsosamtal med alla; friskvårdsbidrag; ny schemaläggning",
            [A("Hälsosamtal med alla"), A("friskvårdsbidrag"), A("ny schemaläggning")],
        ),
        # A semicolon that continues the sentence is not a list.
        (
            "Hälsosamtal med alla; de ska vara klara i maj",
            [A("Hälsosamtal med alla; de ska vara klara i maj")],
        ),
        ("Möten (mån; tis) med personalgruppen", [A("Möten (mån; tis) med personalgruppen")]),
        # Owner in parentheses in the middle of the line; dates and percent stay.
        (
            "Sänka sjukfrånvaron (ansvarig: Anna) till 6 % senast 2027-03-01",
            [A("Sänka sjukfrånvaron till 6 % senast 2027-03-01", "Anna")],
        ),
        (
            "• Öka frisknärvaron till 5–7 % över målet (mätt per månad) – Anna Andersson",
            [A("Öka frisknärvaron till 5–7 % över målet (mätt per månad)", "Anna Andersson")],
        ),
        (
            "- Ny bemanningsplan inför sommaren - Björn",
            [A("Ny bemanningsplan inför sommaren", "Björn")],
        ),
        # A dash followed by words that are not a name stays in the title.
        (
            "- Hälsosamtal – alla medarbetare före 2027-06-30",
            [A("Hälsosamtal – alla medarbetare före 2027-06-30")],
        ),
        (
            "- Sänka sjukfrånvaron - från 8 % till 6 %",
            [A("Sänka sjukfrånvaron - från 8 % till 6 %")],
        ),
        ("1. Brukarenkät i maj (ansvarig: HR-enheten)", [A("Brukarenkät i maj", "HR-enheten")]),
        (
            "1) Samverkan med AME – ansvarig Karin\n2) Snabbare handläggning, ansvarig: Omar",
            [A("Samverkan med AME", "Karin"), A("Snabbare handläggning", "Omar")],
        ),
        # Owner first.
        (
            "Ansvarig: Anna – Ny rutin för nyckelhantering",
            [A("Ny rutin för nyckelhantering", "Anna")],
        ),
        (
            "Ansvarig Eva: introduktionsprogram för nyanställda",
            [A("introduktionsprogram för nyanställda", "Eva")],
        ),
        ("* @Lisa: boka arbetsplatsträffar", [A("boka arbetsplatsträffar", "Lisa")]),
        # Mentions anywhere; an e-mail address is not a mention.
        (
            "Be @anna.andersson ta fram en kompetensplan",
            [A("Be @anna.andersson ta fram en kompetensplan", "anna.andersson")],
        ),
        (
            "Kompetensplan för undersköterskor @Björn",
            [A("Kompetensplan för undersköterskor", "Björn")],
        ),
        ("- Möte med facket <@U0ENHHTN>", [A("Möte med facket", "<@U0ENHHTN>")]),
        ("• Mejla schemat till anna@example.se", [A("Mejla schemat till anna@example.se")]),
        # The owner on its own line after the activity.
        ("Ny rutin för delegering\nAnsvarig: Eva Ek", [A("Ny rutin för delegering", "Eva Ek")]),
        # English.
        (
            "* Review the budget (owner: Hassan); hire two nurses",
            [A("Review the budget", "Hassan"), A("hire two nurses")],
        ),
        ("- Staff survey in May, owner: Eva", [A("Staff survey in May", "Eva")]),
        (
            "Owner: Sam – weekly check-ins with the team",
            [A("weekly check-ins with the team", "Sam")],
        ),
        (
            "- Plan the move; which needs a budget first",
            [A("Plan the move; which needs a budget first")],
        ),
        # Headings, bullets and a checklist.
        (
            "Mål 1: Minskad sjukfrånvaro\n- Hälsosamtal (ansvarig: Anna)\n- Friskvård; "
            "promenadgrupp - Omar\nMål 2: Nöjdare brukare\n- [x] Brukarenkät 2027-05-01",
            [
                A("Hälsosamtal", "Anna"),
                A("Friskvård"),
                A("promenadgrupp", "Omar"),
                A("Brukarenkät 2027-05-01"),
            ],
        ),
        ("Utse ansvarig för rutinen", [A("Utse ansvarig för rutinen")]),
    ],
)
def test_activity_lines_as_people_write_them(text: str, expected: list[ActivityDraft]) -> None:
    assert split_activities(text) == expected
