"""Block Kit building: engine results in, Slack message and view payloads out.

Every user-provided string that goes into mrkdwn passes :func:`bot.escaping.mrkdwn`;
plain_text fields need no escaping. Slack's limits are respected here: at most 50
blocks per message and 100 per view, section text ≤ 3000 characters, button and
option text ≤ 75, option values ≤ 150, view titles ≤ 24, private_metadata ≤ 3000 and
plain_text_input ``max_length`` ≤ 3000.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    DividerBlock,
    ExternalDataMultiSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)

from bot.chain.context import render_context_mrkdwn
from bot.domain.absence import absent_line
from bot.domain.anonymity import DEFAULT_ANONYMITY_K, notice
from bot.domain.labels import unit_and_person
from bot.domain.results import (
    ActivityView,
    Outcome,
    Participant,
    QuestionMessageChange,
    QuestionPrompt,
    RoundInfo,
    RoundStatus,
    UnitChoice,
)
from bot.domain.states import is_finished
from bot.domain.templates import DialogTemplate, Question
from bot.escaping import mrkdwn
from bot.i18n import format_local, t
from bot.slack.activities_text import render_activity_outcome_mrkdwn
from bot.slack.button_values import question_value
from bot.summary import RoundSummary, summary_parts
from bot.when import spoken

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_VIEW_TITLE = 24
MAX_METADATA = 3000
MAX_INPUT = 3000
MAX_LABEL = 2000
MAX_HEADER = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
#: How much of an answer a question message shows once it is answered.
MAX_SHORT_ANSWER = 280
#: A summary needing more messages than this is attached as a Markdown file instead.
MAX_SUMMARY_MESSAGES = 3

ACTION_SKIP = "dialog_skip"
ACTION_FORM = "dialog_form"
ACTION_FINISH = "dialog_finish"
ACTION_CONFIRM_ACTIVITIES = "dialog_activities_confirm"
ACTION_CORRECT_ACTIVITIES = "dialog_activities_correct"
HOME_REMIND = "home_remind"
HOME_CLOSE = "home_close"
HOME_REPOST = "home_repost"
VIEW_START = "dialog_start"
VIEW_FORM = "dialog_form"
VIEW_ACTIVITIES = "dialog_activities"

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")
_PERMALINK = re.compile(r"^https://[^\s|<>]+$")
#: The mrkdwn quote prefix of a person's answer (a typed ``>`` is escaped as ``&gt;``).
_QUOTE = ">"

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Message:
    """A message: notification text (mrkdwn, escaped) and optional blocks."""

    text: str
    blocks: Blocks | None = None


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _button(
    lang: str,
    label: str,
    action_id: str,
    value: str,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    """A button with a translated label (clipped to Slack's limit), optionally asking
    for confirmation first."""
    return ButtonElement(
        text=clip(t(lang, label), MAX_BUTTON_TEXT),
        action_id=action_id,
        value=value,
        style=style,
        confirm=confirm,
    )


def _confirm(lang: str, what: str, style: str | None = None) -> ConfirmObject:
    """A Block Kit confirmation dialog from the messages ``{what}.title``, ``.text``,
    ``.yes`` and ``.no``, clipped to Slack's limits (title 100, text 300, buttons 30)."""
    return ConfirmObject(
        title=clip(t(lang, f"{what}.title"), MAX_CONFIRM_TITLE),
        text=MarkdownTextObject(text=clip(t(lang, f"{what}.text"), MAX_CONFIRM_TEXT)),
        confirm=clip(t(lang, f"{what}.yes"), MAX_CONFIRM_BUTTON),
        deny=clip(t(lang, f"{what}.no"), MAX_CONFIRM_BUTTON),
        style=style,
    )


def _dicts(blocks: Sequence[Block]) -> Blocks:
    return [b.to_dict() for b in blocks]


def mention(chat_id: str, name: str) -> str:
    """A user mention for a Slack user id from the organisation, else the escaped name."""
    return f"<@{chat_id}>" if _USER_ID.match(chat_id) else mrkdwn(name)


def _cut(line: str, limit: int) -> int:
    """Where to cut a line longer than ``limit``: after a space in the second half of the
    allowed length when there is one, and never inside an HTML entity."""
    space = line.rfind(" ", limit // 2, limit)
    cut = space + 1 if space > 0 else limit
    tail = _ENTITY_TAIL.search(line[:cut])
    return tail.start() if tail else cut


def split_mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split text into chunks of at most ``limit`` characters, at line breaks when possible,
    never inside an HTML entity such as ``&amp;`` (escaping happens before splitting).

    A quoted line (``>``: someone's answer) that is longer than a chunk is cut at a space
    and every piece keeps the ``>``, so the continuation still reads as that person's words.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        prefix = _QUOTE if line.startswith(_QUOTE) else ""
        while len(line) > limit:
            cut = _cut(line, limit)
            chunks.append(line[:cut])
            line = prefix + line[cut:]
        current = line
    if current.strip():
        chunks.append(current)
    return chunks or [""]


# Prompts and thread messages --------------------------------------------------------


def prompt_message(prompt: QuestionPrompt) -> Message:
    """A question with progress, method-support hint, earlier answer and the buttons.

    Built once per question and shared by every participation (a fan-out to 1,000
    managers builds it once): only the buttons' value differs."""
    try:
        shared = _shared_prompt_message(dataclasses.replace(prompt, participation_id=0))
    except TypeError:  # an unhashable part (never expected): built for this prompt alone
        return _prompt_message(prompt)
    value = question_value(prompt.participation_id, prompt.ref)
    out: Blocks = []
    for block in shared.blocks or []:
        if block.get("type") == "actions":
            elements = [{**e, "value": value} for e in block.get("elements") or []]
            block = {**block, "elements": elements}
        out.append(block)
    return Message(shared.text, out)


@functools.lru_cache(maxsize=256)
def _shared_prompt_message(prompt: QuestionPrompt) -> Message:
    return _prompt_message(prompt)


def _prompt_message(prompt: QuestionPrompt) -> Message:
    lang = prompt.lang
    if prompt.followup is not None:
        progress = t(lang, "followup.progress", n=prompt.followup_remaining)
    else:
        progress = t(lang, "progress", n=prompt.number, total=prompt.total)
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=clip(f"*{progress}*\n{mrkdwn(prompt.text)}", MAX_SECTION_TEXT)
            )
        )
    ]
    earlier = render_context_mrkdwn(prompt)
    if earlier:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=clip(earlier, MAX_SECTION_TEXT))])
        )
    if prompt.hint:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=clip(f"_{t(lang, 'hint')}:_ {mrkdwn(prompt.hint)}", MAX_SECTION_TEXT)
                    )
                ]
            )
        )
    if prompt.previous_answer:
        quoted = "\n".join(">" + line for line in mrkdwn(prompt.previous_answer).splitlines())
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip(f"*{t(lang, 'previous_answer')}:*\n{quoted}", MAX_SECTION_TEXT)
                )
            )
        )
    blocks.append(prompt_buttons(prompt))
    return Message(clip(f"{progress}: {mrkdwn(prompt.text)}", 3000), _dicts(blocks))


def prompt_buttons(prompt: QuestionPrompt) -> ActionsBlock:
    """Skip, form and done under a question. Each carries the participation and the
    question, and "done" asks first: the current question has no answer yet."""
    lang = prompt.lang
    value = question_value(prompt.participation_id, prompt.ref)
    return ActionsBlock(
        block_id="dialog_prompt",
        elements=[
            _button(lang, "button.skip", ACTION_SKIP, value),
            _button(lang, "button.form", ACTION_FORM, value),
            _button(
                lang,
                "button.finish",
                ACTION_FINISH,
                value,
                "primary",
                _confirm(lang, "buttons.confirm_finish"),
            ),
        ],
    )


def question_state_message(change: QuestionMessageChange) -> Message:
    """A question message once its question is no longer current: the question and what
    became of it (answered with the start of the answer, skipped, ...), no buttons."""
    if change.state == "open" and change.prompt is not None:
        return prompt_message(change.prompt)
    lang = change.lang
    state = t(lang, f"buttons.state.{change.state}")
    if change.number:
        progress = t(lang, "progress", n=change.number, total=change.total)
        head = f"*{progress}*\n{mrkdwn(change.question_text)}"
    else:
        progress = t(lang, "buttons.followup")
        head = f"*{progress}*"
    # Plain dicts, as slack_sdk's SectionBlock/ContextBlock(MarkdownTextObject) give them
    # (one per answer after the ack: the model objects' validation and to_dict cost more
    # than the rest of the message; tests/test_slack_blocks_plain.py compares the two).
    blocks: Blocks = [_section_dict(clip(head, MAX_SECTION_TEXT)), _context_dict(state)]
    if change.answer:
        short = clip(change.answer.strip(), MAX_SHORT_ANSWER)
        quoted = "\n".join(">" + line for line in mrkdwn(short).splitlines())
        blocks.append(_section_dict(clip(quoted, MAX_SECTION_TEXT)))
    return Message(clip(f"{progress}: {state}", 3000), blocks)


def _markdown_dict(text: str) -> dict[str, Any]:
    """``MarkdownTextObject(text=text).to_dict()``: keys in order, an empty text left out."""
    return {"text": text, "type": "mrkdwn"} if text else {"type": "mrkdwn"}


def _section_dict(text: str) -> dict[str, Any]:
    """``SectionBlock(text=MarkdownTextObject(text=text)).to_dict()`` (``text`` clipped to
    :data:`MAX_SECTION_TEXT` by the caller)."""
    return {"text": _markdown_dict(text), "type": "section"}


def _context_dict(text: str) -> dict[str, Any]:
    """``ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()``."""
    return {"elements": [_markdown_dict(text)], "type": "context"}


def announcement(info: RoundInfo, count: int, tz: str) -> Message:
    """The round's announcement in the receiving channel."""
    deadline = (
        t(info.lang, "round.deadline", when=format_local(info.deadline_at, info.lang, tz))
        if info.deadline_at
        else ""
    )
    text = t(info.lang, "round.announce", title=mrkdwn(info.title), count=count, deadline=deadline)
    if info.anonymous:
        text += "\n\n" + anonymity_notice(info)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT)))]
    if info.overarching_question:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"_{mrkdwn(info.overarching_question)}_")]
            )
        )
    return Message(text, _dicts(blocks))


def thread_intro(info: RoundInfo, participant: Participant) -> Message:
    """The parent message of a participant's thread."""
    text = t(
        info.lang,
        "round.thread_intro",
        name=mention(participant.chat_id, participant.name),
        unit=mrkdwn(participant.unit_name),
        title=mrkdwn(info.title),
    )
    if participant.on_behalf_of:
        text += "\n\n" + t(
            info.lang,
            "absence.on_behalf",
            unit=mrkdwn(participant.unit_name),
            manager=mrkdwn(participant.on_behalf_of),
        )
    if info.anonymous:
        text += "\n\n" + anonymity_notice(info)
    return Message(clip(text, MAX_SECTION_TEXT))


def anonymity_notice(info: RoundInfo) -> str:
    """What an anonymous round means for the people in it (announcement, invitations)."""
    return mrkdwn(notice(info.lang, info.anonymity_k or DEFAULT_ANONYMITY_K))


# Summaries --------------------------------------------------------------------------


def summary_messages(
    summary: RoundSummary, thread_links: Mapping[str, str] | None = None
) -> list[Message] | None:
    """The summary as Block Kit: a ``header`` with the round's title, the facts and the
    response rates, then a ``divider`` and a section per question (the branches'
    syntheses first), and who did not answer in a ``context`` block, after a context
    block linking each manager's thread (``thread_links``: permalink by the thread's
    stored reference, see :func:`bot.slack.links.thread_permalinks`). Long sections are
    split at 3,000 characters, and the blocks go over several messages of at most 50
    (each ending with "part n of m"); None when that takes more than
    :data:`MAX_SUMMARY_MESSAGES` messages (then the summary goes out as a Markdown file).
    """
    parts = summary_parts(summary)
    lang = summary.round.lang
    title = f"{t(lang, 'summary.title')}: {summary.round.title}"
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=clip(title, MAX_HEADER)))]
    blocks.extend(_sections(parts.head))
    if parts.rates:
        blocks.extend(_sections(parts.rates))
    for text in (parts.syntheses, *parts.questions):
        if text:
            blocks.append(DividerBlock())
            blocks.extend(_sections(text))
    blocks.append(DividerBlock())
    links = _thread_links(summary, thread_links or {})
    if links:
        blocks.append(_context(links))
    blocks.append(_context(parts.missing))
    per_message = MAX_MESSAGE_BLOCKS - 1  # room for the "part n of m" context
    groups: list[list[Block]] = [[]]
    for block in blocks:
        if len(groups[-1]) == per_message:
            groups.append([])
        if isinstance(block, DividerBlock) and not groups[-1]:
            continue  # a message starts with its section, not a rule
        groups[-1].append(block)
    if len(groups) > MAX_SUMMARY_MESSAGES:
        return None
    messages: list[Message] = []
    for n, group in enumerate(groups, start=1):
        if len(groups) > 1:
            part = t(lang, "slack.summary_part", n=n, total=len(groups))
            group.append(ContextBlock(elements=[MarkdownTextObject(text=part)]))
        messages.append(
            Message(
                clip(f"{t(lang, 'summary.title')}: {mrkdwn(summary.round.title)}", 3000),
                _dicts(group),
            )
        )
    return messages


def _context(text: str) -> ContextBlock:
    return ContextBlock(
        elements=[
            MarkdownTextObject(text=chunk, verbatim=True)
            for chunk in split_mrkdwn(text)[:MAX_CONTEXT_ELEMENTS]
        ]
    )


def _thread_links(summary: RoundSummary, permalinks: Mapping[str, str]) -> str:
    """ "Trådar: <link|Enhet (Namn)>, …" for the threads that have a permalink."""
    links = []
    for thread in summary.threads:
        url = permalinks.get(thread.ref, "")
        if _PERMALINK.match(url):
            label = unit_and_person(mrkdwn(thread.unit_name), mrkdwn(thread.person_name))
            links.append(f"<{url}|{label}>")
    if not links:
        return ""
    return f"*{t(summary.round.lang, 'summary.thread_links')}:* " + ", ".join(links)


def _sections(text: str) -> list[Block]:
    """Sections of at most 3,000 characters; verbatim, so Slack links no URL, channel
    name or mention in what people wrote."""
    return [
        SectionBlock(text=MarkdownTextObject(text=chunk, verbatim=True))
        for chunk in split_mrkdwn(text)
    ]


def summary_overview(summary: RoundSummary) -> Message:
    """A short message posted with a summary that is attached as a file."""
    info = summary.round
    lang = info.lang
    rate = t(lang, "summary.of", a=summary.responded, b=summary.participants)
    text = (
        f"*{t(lang, 'summary.title')}: {mrkdwn(info.title)}*\n"
        f"*{t(lang, 'summary.response_rate')}:* {rate} ({summary.rate_percent} %)\n"
        f"{t(lang, 'slack.summary_file')}"
    )
    return Message(
        clip(text, 3000),
        _dicts([SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT)))]),
    )


def summary_filename(info: RoundInfo) -> str:
    """File name of a summary attached as Markdown."""
    return f"sammanfattning-runda-{info.round_id}.md"


# Status -----------------------------------------------------------------------------


def status_text(status: RoundStatus, tz: str) -> str:
    """One round's progress as mrkdwn (names hidden in anonymous rounds)."""
    info = status.round
    lang = info.lang
    participants = [p for u in status.units for p in u.participants]
    finished = sum(1 for p in participants if is_finished(p.status))
    line = t(
        lang,
        "slack.status",
        title=mrkdwn(info.title),
        round_id=info.round_id,
        status=t(lang, f"summary.status.{info.status}"),
        responded=status.responded_units,
        units=len(status.units),
        finished=finished,
        participants=len(participants),
        deadline=format_local(info.deadline_at, lang, tz),
    )
    missing = status.non_responders
    if missing and not info.anonymous:
        names = ", ".join(unit_and_person(mrkdwn(p.unit_name), mrkdwn(p.name)) for p in missing)
        line += "\n" + t(lang, "slack.status_missing", names=names)
    line += absent_line(
        status, lang, lambda p: unit_and_person(mrkdwn(p.unit_name), mrkdwn(p.name))
    )
    return clip(line, MAX_SECTION_TEXT)


# Modals -----------------------------------------------------------------------------


def _option(text: str, value: str) -> Option:
    return Option(
        text=PlainTextObject(text=clip(text, MAX_OPTION_TEXT)), value=value[:MAX_OPTION_VALUE]
    )


def _modal(
    callback_id: str,
    title: str,
    submit: str,
    close: str,
    blocks: list[Block],
    metadata: dict[str, Any],
) -> dict[str, Any]:
    private = json.dumps(metadata, separators=(",", ":"))
    if len(private) > MAX_METADATA:  # pragma: no cover - we only store ids
        raise ValueError("private_metadata too long")
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": clip(title, MAX_VIEW_TITLE)},
        "submit": {"type": "plain_text", "text": clip(submit, MAX_VIEW_TITLE)},
        "close": {"type": "plain_text", "text": clip(close, MAX_VIEW_TITLE)},
        "private_metadata": private,
        "blocks": _dicts(blocks[:MAX_VIEW_BLOCKS]),
    }


def start_modal(
    templates: Sequence[DialogTemplate],
    levels: Sequence[tuple[str, str]],
    lang: str,
    channel: str | None,
    deadline: date | None = None,
) -> dict[str, Any]:
    """The modal ``/dialog start`` and the Home tab's button open (template, units, level,
    channel, deadline, ...).

    Units are found by typing: their options are loaded as the person types
    (:func:`unit_options`), so an organisation of any size fits. ``deadline`` is the
    suggested last day (answers are due at 17:00 local time that day).
    """
    template_options = [_option(tpl.name.get(lang), tpl.key) for tpl in templates][:MAX_OPTIONS]
    level_options = [_option(name, key) for key, name in levels][:MAX_OPTIONS]
    lang_options = [_option("Svenska", "sv"), _option("English", "en")]
    delivery_options = [
        _option(t(lang, "slack.delivery.channel"), "channel"),
        _option(t(lang, "slack.delivery.dm"), "dm"),
    ]
    anonymous_option = _option(t(lang, "slack.field.anonymous"), "anonymous")
    blocks: list[Block] = [
        InputBlock(
            block_id="template",
            label=t(lang, "slack.field.template"),
            element=StaticSelectElement(
                action_id="value",
                options=template_options,
                initial_option=template_options[0] if template_options else None,
            ),
        ),
        InputBlock(
            block_id="units",
            label=t(lang, "slack.field.units"),
            hint=t(lang, "start.units_hint"),
            element=ExternalDataMultiSelectElement(action_id="value", min_query_length=0),
        ),
        InputBlock(
            block_id="level",
            label=t(lang, "start.level_label"),
            hint=clip(t(lang, "start.level_hint"), MAX_LABEL),
            optional=True,
            element=StaticSelectElement(action_id="value", options=level_options),
        ),
        InputBlock(
            block_id="channel",
            label=t(lang, "slack.field.channel"),
            element=ConversationSelectElement(
                action_id="value",
                default_to_current_conversation=True,
                initial_conversation=channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id="deadline",
            label=t(lang, "slack.field.deadline"),
            hint=t(lang, "start.deadline_hint"),
            optional=True,
            element=DatePickerElement(
                action_id="value", initial_date=deadline.isoformat() if deadline else None
            ),
        ),
        InputBlock(
            block_id="anonymous",
            label=t(lang, "summary.anonymous"),
            optional=True,
            element=CheckboxesElement(action_id="value", options=[anonymous_option]),
        ),
        InputBlock(
            block_id="lang",
            label=t(lang, "slack.field.lang"),
            element=StaticSelectElement(
                action_id="value",
                options=lang_options,
                initial_option=lang_options[0 if lang == "sv" else 1],
            ),
        ),
        InputBlock(
            block_id="delivery",
            label=t(lang, "slack.field.delivery"),
            element=RadioButtonsElement(
                action_id="value", options=delivery_options, initial_option=delivery_options[0]
            ),
        ),
    ]
    return _modal(
        VIEW_START,
        t(lang, "slack.modal.start_title"),
        t(lang, "slack.modal.start"),
        t(lang, "slack.modal.cancel"),
        blocks,
        {"channel": channel},
    )


def unit_options(units: Sequence[UnitChoice]) -> list[dict[str, Any]]:
    """Units as the options of the start modal's type-ahead (at most 100, Slack's limit)."""
    return [_option(f"{u.name} ({u.level_name})", u.key).to_dict() for u in units[:MAX_OPTIONS]]


def form_modal(
    questions: Sequence[Question],
    answers: dict[str, str],
    lang: str,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """A participant's questions (see :meth:`Services.questions_of`) as one form,
    prefilled with the earlier answers.

    An answer longer than an input field may hold (3000 characters; chat answers can be
    40,000) is not put in the form: the question shows a note instead, and because empty
    and missing fields leave answers as they were, that answer is kept unchanged.
    """
    blocks: list[Block] = []
    for n, q in enumerate(questions, start=1):
        label = clip(f"{n}. {q.text.get(lang)}", MAX_LABEL)
        earlier = answers.get(q.key)
        if earlier is not None and len(earlier) > MAX_INPUT:
            note = t(lang, "slack.form_too_long", n=n, length=len(earlier), limit=MAX_INPUT)
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(
                        text=clip(f"*{mrkdwn(label)}*\n{note}", MAX_SECTION_TEXT)
                    )
                )
            )
            continue
        blocks.append(
            InputBlock(
                block_id=f"q:{q.key}",
                label=label,
                optional=True,
                hint=clip(q.hint.get(lang), MAX_LABEL) if q.hint else None,
                element=PlainTextInputElement(
                    action_id="answer",
                    multiline=True,
                    max_length=MAX_INPUT,
                    initial_value=earlier or None,
                ),
            )
        )
    return _modal(
        VIEW_FORM,
        t(lang, "slack.modal.form_title"),
        t(lang, "slack.modal.save"),
        t(lang, "slack.modal.cancel"),
        blocks,
        metadata,
    )


def activities_message(outcome: Outcome, lang: str) -> Message | None:
    """What an outcome says about activities; with buttons when the list awaits the
    manager's confirmation. None when the outcome carries no activities."""
    text = render_activity_outcome_mrkdwn(outcome, lang)
    if not text:
        return None
    sections = [SectionBlock(text=MarkdownTextObject(text=part)) for part in split_mrkdwn(text)]
    blocks: list[Block] = list(sections[: MAX_MESSAGE_BLOCKS - 1])
    if outcome.activities_to_confirm:
        value = str(outcome.participation_id)
        blocks.append(
            ActionsBlock(
                block_id="dialog_activities",
                elements=[
                    _button(
                        lang,
                        "slack.button.confirm_activities",
                        ACTION_CONFIRM_ACTIVITIES,
                        value,
                        "primary",
                    ),
                    _button(
                        lang, "slack.button.correct_activities", ACTION_CORRECT_ACTIVITIES, value
                    ),
                ],
            )
        )
    return Message(clip(text, 3000), _dicts(blocks))


def activities_modal(
    activities: Sequence[ActivityView], lang: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    """A modal to correct the proposed activities: one per line, prefilled."""
    lines = [f"- {a.title}" + (f" (ansvarig: {a.owner})" if a.owner else "") for a in activities]
    return _modal(
        VIEW_ACTIVITIES,
        t(lang, "slack.activities_modal_title"),
        t(lang, "slack.modal.save"),
        t(lang, "slack.modal.cancel"),
        [
            InputBlock(
                block_id="activities",
                label=clip(t(lang, "slack.activities_modal_label"), MAX_LABEL),
                element=PlainTextInputElement(
                    action_id="list",
                    multiline=True,
                    max_length=MAX_INPUT,
                    initial_value=clip("\n".join(lines), MAX_INPUT) or None,
                ),
            )
        ],
        metadata,
    )


# App Home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingItem:
    """A manager's unanswered round, with a link to its thread when known."""

    title: str
    unit_name: str
    progress: str
    link: str | None


def pending_lines(items: Sequence[PendingItem], lang: str) -> str:
    """The manager's pending questions as mrkdwn lines with thread links."""
    lines = []
    for item in items:
        link = f" <{item.link}|{t(lang, 'slack.go_to_thread')}>" if item.link else ""
        lines.append(f"• *{mrkdwn(item.title)}* — {mrkdwn(item.unit_name)}: {item.progress}{link}")
    return "\n".join(lines)


def home_rate_line(status: RoundStatus, lang: str, tz: str) -> str:
    """An open round's response rate and deadline, for the process support's Home."""
    participants = [p for u in status.units for p in u.participants]
    responded = sum(1 for p in participants if p.answered > 0)
    deadline = status.round.deadline_at
    return t(
        lang,
        "home.rate",
        percent=round(100 * responded / len(participants)) if participants else 0,
        responded=responded,
        participants=len(participants),
        deadline=spoken(deadline, lang, tz) if deadline else t(lang, "home.no_deadline"),
    )


def home_view(
    lang: str,
    tz: str,
    open_rounds: Sequence[RoundStatus] | None,
    closed_rounds: Sequence[RoundInfo],
    pending: Sequence[PendingItem],
) -> dict[str, Any]:
    """The App Home tab: rounds with actions for process supports (``open_rounds`` is
    None for others), pending questions with thread links for managers."""
    blocks: list[Block] = [
        HeaderBlock(text=clip("Dialogbot", MAX_HEADER)),
        ContextBlock(elements=[MarkdownTextObject(text=t(lang, "slack.home.intro"))]),
    ]
    if pending:
        blocks.append(HeaderBlock(text=clip(t(lang, "slack.home.pending"), MAX_HEADER)))
        for chunk in split_mrkdwn(pending_lines(pending, lang)):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    if open_rounds is not None:
        blocks.append(HeaderBlock(text=clip(t(lang, "slack.home.open_rounds"), MAX_HEADER)))
        if not open_rounds:
            blocks.append(
                SectionBlock(text=MarkdownTextObject(text=t(lang, "slack.home.no_rounds")))
            )
        for status in open_rounds[:10]:
            rid = str(status.round.round_id)
            units = "\n".join(
                "• "
                + t(
                    lang,
                    "slack.home.unit_line",
                    unit=mrkdwn(u.unit_name),
                    answered=sum(p.answered for p in u.participants),
                    total=sum(p.total for p in u.participants),
                )
                for u in status.units
            )
            blocks.append(DividerBlock())
            blocks.append(
                SectionBlock(text=MarkdownTextObject(text=status_text(status, tz).split("\n")[0]))
            )
            blocks.append(
                ContextBlock(elements=[MarkdownTextObject(text=home_rate_line(status, lang, tz))])
            )
            if units:
                blocks.append(SectionBlock(text=MarkdownTextObject(text=split_mrkdwn(units)[0])))
            blocks.append(
                ActionsBlock(
                    block_id=f"home_round_{rid}",
                    elements=[
                        _button(lang, "slack.button.remind", HOME_REMIND, rid),
                        _button(
                            lang,
                            "slack.button.close",
                            HOME_CLOSE,
                            rid,
                            "danger",
                            _confirm(lang, "buttons.confirm_close", "danger"),
                        ),
                        _button(lang, "slack.button.repost", HOME_REPOST, rid),
                    ],
                )
            )
        if closed_rounds:
            blocks.append(HeaderBlock(text=clip(t(lang, "slack.home.closed_rounds"), MAX_HEADER)))
            for info in closed_rounds[:5]:
                rid = str(info.round_id)
                blocks.append(
                    SectionBlock(
                        block_id=f"home_closed_{rid}",
                        text=MarkdownTextObject(
                            text=clip(
                                f"*{mrkdwn(info.title)}* ({t(lang, 'summary.round')} {rid}, {format_local(info.closed_at, lang, tz)})",
                                MAX_SECTION_TEXT,
                            )
                        ),
                        accessory=_button(lang, "slack.button.repost", HOME_REPOST, rid),
                    )
                )
    return {"type": "home", "blocks": _dicts(blocks[:MAX_VIEW_BLOCKS])}
