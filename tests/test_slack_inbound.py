"""Slack's delivered text (entities and markup) read back as what the person typed."""

from __future__ import annotations

import pytest

from bot.slack.inbound import command_text, readable, typed_event

NAMES = {"U0ANNA": "Anna Andersson"}


@pytest.mark.parametrize(
    ("delivered", "typed"),
    [
        ("3 &lt; 5 &amp;&amp; 7 &gt; 2", "3 < 5 && 7 > 2"),
        ("&amp;lt; is how you write &lt;", "&lt; is how you write <"),
        ("hej <@U0ANNA>", "hej @Anna Andersson"),
        ("hej <@U0ANNA|anna>", "hej @Anna Andersson"),
        ("hej <@U0OKAND|kalle>", "hej @kalle"),
        ("hej <@U0OKAND>", "hej @U0OKAND"),
        ("i <#C0LEDNING|ledning>", "i #ledning"),
        ("i <#C0LEDNING>", "i #C0LEDNING"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!subteam^S0CHEF|@chefer> <!subteam^S0X>", "@chefer @S0X"),
        ("<https://a.example/x?a=1&amp;b=2|planen>", "planen (https://a.example/x?a=1&b=2)"),
        ("<https://a.example/x>", "https://a.example/x"),
        ("<http://kommun.example|kommun.example>", "kommun.example"),
        ("<mailto:a@kommun.example|a@kommun.example>", "a@kommun.example"),
        ("<mailto:a@kommun.example|skriv till mig>", "skriv till mig (a@kommun.example)"),
        ("<!date^1392734382^{date_num}|2014-02-18>", "2014-02-18"),
        ("R&amp;D &lt;klart&gt;", "R&D <klart>"),
    ],
)
def test_delivered_text_reads_as_typed(delivered: str, typed: str) -> None:
    assert readable(delivered, NAMES) == typed


def test_events_and_commands_are_converted_where_their_text_is() -> None:
    edit = {"type": "message", "subtype": "message_changed", "message": {"text": "a &amp; b"}}
    assert typed_event(edit, lambda ids: {})["message"]["text"] == "a & b"
    asked: list[set[str]] = []

    def lookup(ids: set[str]) -> dict[str, str]:
        asked.append(ids)
        return NAMES

    assert typed_event({"text": "<@U0ANNA> &gt; 2"}, lookup)["text"] == "@Anna Andersson > 2"
    assert typed_event({"text": "inga namn"}, lookup)["text"] == "inga namn"
    assert asked == [{"U0ANNA"}]  # the organisation is asked only when someone is mentioned
    assert (
        command_text('start x kanal:<#C1|ledning> titel:"R&amp;D"', lookup)
        == 'start x kanal:<#C1|ledning> titel:"R&D"'
    )
