"""The question-state message is built from plain dicts (bot/slack/blocks.py): the same
bytes as slack_sdk's model objects give, which it was built with before."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.domain.results import QuestionMessageChange, QuestionState
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.slack import blocks
from bot.slack.blocks import MAX_SECTION_TEXT, MAX_SHORT_ANSWER, Message, clip


def _reference(change: QuestionMessageChange) -> Message:
    """:func:`blocks.question_state_message` as it was built with slack_sdk's objects."""
    lang = change.lang
    state = t(lang, f"buttons.state.{change.state}")
    if change.number:
        progress = t(lang, "progress", n=change.number, total=change.total)
        head = f"*{progress}*\n{mrkdwn(change.question_text)}"
    else:
        progress = t(lang, "buttons.followup")
        head = f"*{progress}*"
    built: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(head, MAX_SECTION_TEXT))),
        ContextBlock(elements=[MarkdownTextObject(text=state)]),
    ]
    if change.answer:
        short = clip(change.answer.strip(), MAX_SHORT_ANSWER)
        quoted = "\n".join(">" + line for line in mrkdwn(short).splitlines())
        built.append(SectionBlock(text=MarkdownTextObject(text=clip(quoted, MAX_SECTION_TEXT))))
    return Message(clip(f"{progress}: {state}", 3000), [b.to_dict() for b in built])


def _change(
    state: QuestionState,
    answer: str | None = None,
    *,
    number: int = 2,
    lang: str = "sv",
    question: str = "Hur går det <för> er & andra?",
) -> QuestionMessageChange:
    return QuestionMessageChange(
        message_id=7,
        question_ref="q2",
        conversation="D1",
        message_ts="1.2",
        token=f"{state}:1",
        state=state,
        number=number,
        total=5,
        question_text=question if number else "",
        answer=answer,
        lang=lang,
    )


@pytest.mark.parametrize(
    "change",
    [
        _change("answered", "Bra, *tack*\n> citat & <länk|x>\n\nslut"),
        _change("answered", "Good", lang="en"),
        _change("answered", "ord " * 200),
        _change("answered", "   \n  "),
        _change("answered", "x" * 5000, question="y" * 4000),
        _change("skipped"),
        _change("withdrawn", lang="en"),
        _change("unanswered"),
        _change("followed_up", number=0),
        _change("followed_up", "svar på uppföljningen", number=0, lang="en"),
    ],
)
def test_question_state_message_is_what_slack_sdk_built(change: QuestionMessageChange) -> None:
    got = blocks.question_state_message(change)
    want = _reference(change)
    assert got.text == want.text
    # Byte for byte as sent (json.dumps keeps the keys' order).
    assert json.dumps(got.blocks) == json.dumps(want.blocks)
