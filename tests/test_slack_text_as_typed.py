"""Text is stored as the person typed it and escaped once per output format.

Slack delivers message text HTML-escaped, with its own markup for mentions and links
(``<@U…>``, ``<#C…|name>``, ``<!here>``, ``<https://…|label>``). These tests send that
wire format in signed requests and read the result back from the database, the Block Kit
summary, the Markdown/text summaries, the HTML export and the DOCX.
"""

from __future__ import annotations

import io
import json

from docx import Document
from fakes.signing import DEFAULT_TEAM_ID, message_changed_event, message_event
from support.slack import ANNA, BJORN, CECILIA, CHANNEL, SlackHarness, texts

from bot.chain.export import export_round
from bot.slack.blocks import VIEW_FORM
from bot.summary import render_summary

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'
TYPED = "3 < 5 && 7 > 2"


def slack_escaped(typed: str) -> str:
    """What Slack sends for text typed in the message composer (its three entities)."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: A reply full of Slack's markup, as delivered: what Anna made with @, # and links.
MARKUP = (
    "Fråga <@U0SOCDIR> och <@U0NOBODY|kalle> i <#C0LEDNING|ledning> <!here> <!channel> "
    "<!subteam^S0CHEF|@chefer>, se <https://intra.example/plan?a=1&amp;b=2|planen> och "
    "<mailto:anna@kommun.example|anna@kommun.example>"
)
#: ... and what she sees, so what is stored.
READABLE = (
    "Fråga @Sofia Holm och @kalle i #ledning @here @channel @chefer, se planen "
    "(https://intra.example/plan?a=1&b=2) och anna@kommun.example"
)


def _pid(slack: SlackHarness, user: str) -> int:
    for unit in slack.services.queries.status(DEFAULT_TEAM_ID, 1).units:
        for p in unit.participants:
            if p.chat_id == user:
                return p.participation_id
    raise AssertionError(user)


def test_replies_edits_and_forms_are_stored_as_typed_and_escaped_once_per_format(
    slack: SlackHarness,
) -> None:
    slack.command(START)
    anna = slack.thread_of(ANNA)
    slack.say(ANNA, slack_escaped(TYPED), anna)
    slack.say(ANNA, MARKUP, anna)

    # Björn answers, then edits his reply (message_changed carries escaped text too).
    bjorn = slack.thread_of(BJORN)
    ts = slack.say(BJORN, "Först", bjorn)
    slack.event(
        message_changed_event(
            channel=CHANNEL,
            ts=ts,
            text=slack_escaped("Före & efter <3"),
            previous_text="Först",
            user=BJORN,
            thread_ts=bjorn,
        )
    )

    # Cecilia uses the form: modal inputs are not escaped by Slack and stay as typed.
    metadata = json.dumps({"p": _pid(slack, CECILIA)})
    values = {"q:hur_gar_det": {"answer": {"type": "plain_text_input", "value": "a &amp; b < c"}}}
    slack.submit(VIEW_FORM, CECILIA, values, private_metadata=metadata, view_id="V0FORMC")

    services = slack.services
    assert services.queries.answers_of(DEFAULT_TEAM_ID, _pid(slack, ANNA)) == {
        "hur_gar_det": TYPED,
        "analys": READABLE,
    }
    assert services.queries.answers_of(DEFAULT_TEAM_ID, _pid(slack, BJORN)) == {
        "hur_gar_det": "Före & efter <3"
    }
    assert services.queries.answers_of(DEFAULT_TEAM_ID, _pid(slack, CECILIA)) == {
        "hur_gar_det": "a &amp; b < c"
    }

    before = len(slack.posts(CHANNEL))
    slack.command("stäng")
    sections = [
        b["text"]
        for c in slack.posts(CHANNEL)[before:]
        if not c.args.get("thread_ts")
        for b in c.arg_json("blocks")
        if b["type"] == "section"
    ]
    assert all(s["verbatim"] is True for s in sections)  # Slack auto-links nothing in them
    mrkdwn = "\n".join(s["text"] for s in sections)
    assert ">3 &lt; 5 &amp;&amp; 7 &gt; 2" in mrkdwn  # one escaping: Slack shows "3 < 5 && 7 > 2"
    assert ">Före &amp; efter &lt;3" in mrkdwn
    assert ">a &amp;amp; b &lt; c" in mrkdwn  # Cecilia typed "&amp;" herself
    assert "&amp;lt;" not in mrkdwn and "&amp;gt;" not in mrkdwn
    assert "@Sofia Holm" in mrkdwn and "@kalle" in mrkdwn and "#ledning" in mrkdwn
    assert "planen (https://intra.example/plan?a=1&amp;b=2)" in mrkdwn
    assert "@\u2060here" in mrkdwn and "@\u2060channel" in mrkdwn
    for live in ("<@", "<!", "<#", "<http", "<mailto"):
        assert live not in mrkdwn, live

    summary = services.queries.summary(DEFAULT_TEAM_ID, 1)
    md = render_summary(summary, "md")
    assert "> 3 \\< 5 \\&\\& 7 \\> 2" in md
    assert "&lt;" not in md and "&gt;" not in md
    text = render_summary(summary, "text")
    assert TYPED in text and "Före & efter <3" in text and READABLE in text
    assert "&lt;" not in text and "&gt;" not in text

    html = export_round(services, DEFAULT_TEAM_ID, 1, "html")[0].decode("utf-8")
    assert "3 &lt; 5 &amp;&amp; 7 &gt; 2" in html
    assert "Före &amp; efter &lt;3" in html
    assert "&amp;lt;" not in html and "&amp;gt;" not in html
    assert "planen (https://intra.example/plan?a=1&amp;b=2)" in html and "href" not in html

    docx = Document(io.BytesIO(export_round(services, DEFAULT_TEAM_ID, 1, "docx")[0]))
    quotes = [p.text for p in docx.paragraphs if p.style is not None and p.style.name == "Quote"]
    assert TYPED in quotes and READABLE in quotes and "Före & efter <3" in quotes
    assert not any("&lt;" in q or "&gt;" in q for q in quotes)


def test_a_dm_reply_and_the_slash_command_are_decoded_too(slack: SlackHarness) -> None:
    slack.command(
        'start avstamning enheter:"Hemtjänst Norr" leverans:dm '
        + slack_escaped('titel:"R&D <2027>"')
    )
    info = slack.services.queries.round_info(DEFAULT_TEAM_ID, 1)
    assert info.title == "R&D <2027>"

    dm = slack.fake.dm_channel_id(ANNA)
    slack.event(message_event(text=slack_escaped("Bra & <stabilt>"), user=ANNA, channel=dm))
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, _pid(slack, ANNA)) == {
        "hur_gar_det": "Bra & <stabilt>"
    }
    announcement = texts([c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")])[0]
    assert "R&amp;D &lt;2027&gt;" in announcement and "&amp;amp;" not in announcement


def test_every_piece_of_a_long_quoted_answer_keeps_its_quote(slack: SlackHarness) -> None:
    slack.command(START)
    anna = slack.thread_of(ANNA)
    one_line = " ".join(f"ord{n}" for n in range(1500))  # ~10,000 characters, no line break
    many_lines = "\n".join(f"rad {n} " + "text " * 120 for n in range(12))
    slack.say(ANNA, one_line, anna)
    slack.say(ANNA, many_lines, anna)
    before = len(slack.posts(CHANNEL))
    slack.command("stäng")
    sections = [
        b["text"]["text"]
        for c in slack.posts(CHANNEL)[before:]
        if not c.args.get("thread_ts")
        for b in c.arg_json("blocks")
        if b["type"] == "section"
    ]
    assert all(len(s) <= 3000 for s in sections)
    answer_lines = [
        line for s in sections for line in s.split("\n") if "ord" in line or "text text" in line
    ]
    assert len(answer_lines) > 5
    assert all(line.startswith(">") for line in answer_lines)
    # Nothing lost or cut inside a word: the pieces put together are her words.
    words = " ".join(line.removeprefix(">").strip() for line in answer_lines).split()
    assert [w for w in words if w.startswith("ord")] == one_line.split()
