"""The recap a manager gets on finishing: each question with the start of their answer,
and how to change one while the round is open."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.results import AnswerLine
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.slack import blocks

#: How much of each answer the recap shows.
RECAP_ANSWER_CHARS = 200


def _line(item: AnswerLine, lang: str) -> str:
    head = f"*{item.number}. {mrkdwn(blocks.clip(item.question, 300))}*"
    if item.answer is None:
        key = "recap.skipped" if item.status == "skipped" else "recap.unanswered"
        return f"{head}\n{t(lang, key)}"
    short = blocks.clip(" ".join(item.answer.split()), RECAP_ANSWER_CHARS)
    return f"{head}\n>{mrkdwn(short)}"


def recap_message(sheet: Sequence[AnswerLine], lang: str, participation_id: int) -> blocks.Message:
    """The recap: a line per question (answers cut at :data:`RECAP_ANSWER_CHARS`
    characters, escaped), how to change an answer, and a button that opens the form."""
    thanks, title = t(lang, "finished"), t(lang, "recap.title")
    body = "\n".join(_line(item, lang) for item in sheet)
    chunks = blocks.split_mrkdwn(body)[: blocks.MAX_MESSAGE_BLOCKS - 3]
    out: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{thanks}\n\n{title}"}}
    ]
    out += [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk, "verbatim": True}}
        for chunk in chunks
    ]
    out.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": t(lang, "recap.howto")}]}
    )
    out.append(
        {
            "type": "actions",
            "block_id": "dialog_recap",
            "elements": [
                {
                    "type": "button",
                    "action_id": blocks.ACTION_FORM,
                    "text": {"type": "plain_text", "text": t(lang, "recap.button")},
                    "value": str(participation_id),
                }
            ],
        }
    )
    text = blocks.clip(f"{thanks}\n\n{title}\n{body}", 3000)
    return blocks.Message(text, out)
