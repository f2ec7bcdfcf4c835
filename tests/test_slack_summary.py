"""Summaries in Block Kit: split over several messages when long, a Markdown file when
longer still, and never a ping from what people typed."""

from __future__ import annotations

from fakes.signing import DEFAULT_TEAM_ID
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, SlackHarness

from bot.domain.commands import StartRound
from bot.slack.blocks import (
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    split_mrkdwn,
    summary_messages,
)


def _round_with_answers(slack: SlackHarness, unit: str, size: int) -> int:
    started = slack.services.rounds.start_round(
        DEFAULT_TEAM_ID,
        StartRound(
            template="avstamning", units=[unit], group_ref=CHANNEL, started_by=PROCESS_SUPPORT
        ),
    )
    for participant, _prompt in started.participants:
        for n in range(3):
            text = f"{participant.unit_name} svar {n} <!here> " + "ord & mening " * (size // 13)
            slack.services.answering.reply(
                DEFAULT_TEAM_ID,
                participant.participation_id,
                text,
                f"k:{participant.participation_id}:{n}",
            )
    return started.round.round_id


def test_long_summary_is_split_within_block_kit_limits(slack: SlackHarness) -> None:
    round_id = _round_with_answers(slack, "aldreomsorg", 15_000)
    slack.command(f"stäng {round_id}")
    posts = [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")]
    assert 2 <= len(posts) <= 3
    for n, post in enumerate(posts, start=1):
        blocks = post.arg_json("blocks")
        assert len(blocks) <= MAX_MESSAGE_BLOCKS
        sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
        assert all(len(s) <= MAX_SECTION_TEXT for s in sections)
        assert f"Del {n} av {len(posts)}" in blocks[-1]["elements"][0]["text"]
    everything = "".join(
        b["text"]["text"] for p in posts for b in p.arg_json("blocks") if b["type"] == "section"
    )
    assert "<!here>" not in everything
    assert everything.count("&lt;!here&gt;") == 12  # 4 managers x 3 answers, all present
    assert slack.fake.uploaded_files() == []


def test_very_long_summary_goes_out_as_a_markdown_file(slack: SlackHarness) -> None:
    round_id = _round_with_answers(slack, "socialforvaltningen", 30_000)
    slack.command(f"stäng {round_id}")
    slack.command(f"stäng {round_id}")  # closing again posts nothing new
    posts = [c for c in slack.posts(CHANNEL) if not c.args.get("thread_ts")]
    assert len(posts) == 1
    assert "bifogas därför som Markdown-fil" in posts[0].args["text"] + str(
        posts[0].args.get("blocks")
    )
    files = slack.fake.uploaded_files()
    assert len(files) == 1 and files[0].completed
    assert files[0].channel_id == CHANNEL
    assert files[0].filename == f"sammanfattning-runda-{round_id}.md"
    assert "Försörjningsstöd svar 2" in files[0].text
    assert "\\<\\!here\\>" in files[0].text  # escaped for Markdown


def test_split_never_breaks_an_escape_sequence() -> None:
    text = ("a" * 2998) + "&amp;" + ("b" * 10)
    chunks = split_mrkdwn(text, 3000)
    assert chunks == ["a" * 2998, "&amp;" + "b" * 10]
    lines = "\n".join(["x" * 1000] * 7)
    assert [len(c) for c in split_mrkdwn(lines, 3000)] == [2001, 2001, 2001, 1000]


def test_short_summary_is_one_message(slack: SlackHarness) -> None:
    round_id = _round_with_answers(slack, "hemtjanst-norr", 100)
    summary, _ = slack.services.rounds.close_round(DEFAULT_TEAM_ID, round_id)
    messages = summary_messages(summary)
    assert messages is not None and len(messages) == 1
    assert "Hemtjänst Norr svar 0 &lt;!here&gt;" in str(messages[0].blocks)


def test_summary_links_each_managers_thread(slack: SlackHarness) -> None:
    slack.command(
        'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'
    )
    thread = slack.thread_of(ANNA)
    slack.say(ANNA, "Budget i balans.", thread)
    round_id = slack.services.queries.rounds(DEFAULT_TEAM_ID)[0].round_id
    slack.command(f"stäng {round_id}")
    summary = next(c for c in slack.posts(CHANNEL) if "Sammanfattning" in str(c.args["text"]))
    blocks = summary.arg_json("blocks")
    links = next(b for b in blocks if "Trådar" in str(b))
    assert links["type"] == "context"
    text = links["elements"][0]["text"]
    anna = f"/archives/{CHANNEL}/p{thread.replace('.', '')}|Hemtjänst Norr (Anna Andersson)>"
    assert text.startswith("*Trådar:* <https://") and anna in text
    assert text.count("<https://") == 3  # every manager of the three enheter
    asked = slack.fake.calls("chat.getPermalink")
    assert len(asked) == 3 and {c.args["channel"] for c in asked} == {CHANNEL}
    assert blocks[-1]["elements"][0]["text"].startswith("*Ej svarat:*")

    # a thread in a manager's DM is theirs alone: no link to it
    slack.command(
        'start avstamning enheter:"Hemtjänst Norr" kanal:<#C0LEDNING|ledning> leverans:dm'
    )
    dm_round = slack.services.queries.rounds(DEFAULT_TEAM_ID, "open")[0].round_id
    slack.command(f"stäng {dm_round}")
    assert len(slack.fake.calls("chat.getPermalink")) == 3
