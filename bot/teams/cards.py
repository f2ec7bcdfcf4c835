"""Adaptive Cards 1.5 and message activities for Teams: question cards with *Hoppa över /
Svara i formulär / Klar*, the card an answered question turns into, the form, the
announcement, reminders, the question which round a message is for, and the summary split
to fit Teams' message size.

Everything a person typed is escaped for Teams' Markdown (:func:`bot.escaping.markdown`)
before it lands in a card. Buttons are ``Action.Submit``: a click arrives as a message
activity whose ``value`` carries :data:`ACTION_KEY` and the participation and question.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.domain import round_choice
from bot.domain.labels import unit_and_person
from bot.domain.results import AnswerLine, Participant, QuestionPrompt, RoundInfo, RoundStatus
from bot.escaping import markdown
from bot.i18n import format_local, t

ADAPTIVE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
#: The key in a submit's ``value`` naming the action.
ACTION_KEY = "dialogbot"
SKIP, FORM, FINISH, FORM_SUBMIT = "skip", "form", "finish", "form_submit"
CONFIRM_ACTIVITIES = "confirm_activities"
#: The buttons asking which open round a message in the personal chat was for.
CHOOSE_ROUND = "choose_round"
#: Buttons in the round question (a person with more open rounds has bigger problems).
MAX_CHOICES = 25
#: Teams refuses messages over about 100 KB; cards stay well below it.
MAX_CARD_BYTES = 28_000
#: Characters of an answer shown on its answered card.
PREVIEW_CHARS = 300
#: What an ``Input.Text`` in the form may hold (longer answers stay out of the form).
FORM_MAX_CHARS = 10_000
INPUT_PREFIX = "a_"


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An Adaptive Card 1.5."""
    out: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
    }
    if actions:
        out["actions"] = actions
    return out


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    """A wrapping TextBlock."""
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def message(text: str = "", cards: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A message activity with optional card attachments (what the outbox stores)."""
    activity: dict[str, Any] = {"type": "message"}
    if text:
        activity["text"] = text
        activity["textFormat"] = "markdown"
    if cards:
        activity["attachments"] = [{"contentType": ADAPTIVE, "content": c} for c in cards]
    return activity


def _submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + " …"


def question_card(prompt: QuestionPrompt, intro: str = "") -> dict[str, Any]:
    """A question with its progress, hint, earlier answer, context and the three buttons."""
    lang = prompt.lang
    body: list[dict[str, Any]] = []
    if intro:
        body.append(text_block(intro))
    if prompt.followup is None:
        progress = t(lang, "progress", n=prompt.number, total=prompt.total)
        body.append(text_block(progress, isSubtle=True, size="Small"))
    body.append(text_block(markdown(prompt.text), weight="Bolder"))
    for item in prompt.context:
        quoted = _clip(markdown(item.answer_text), 600)
        body.append(
            text_block(
                f"{markdown(item.template_name)} — {markdown(item.question_text)}: «{quoted}»",
                isSubtle=True,
                size="Small",
            )
        )
    if prompt.hint:
        body.append(text_block(f"{t(lang, 'hint')}: {markdown(prompt.hint)}", isSubtle=True))
    if prompt.previous_answer:
        earlier = _clip(markdown(prompt.previous_answer), PREVIEW_CHARS)
        body.append(text_block(f"{t(lang, 'previous_answer')}: {earlier}", isSubtle=True))
    data = {ACTION_KEY: "", "pid": prompt.participation_id, "q": prompt.ref}
    actions = [
        _submit(t(lang, "button.skip"), {**data, ACTION_KEY: SKIP}),
        _submit(t(lang, "button.form"), {**data, ACTION_KEY: FORM}),
        _submit(t(lang, "button.finish"), {**data, ACTION_KEY: FINISH}),
    ]
    return card(body, actions)


def question_activity(prompt: QuestionPrompt, intro: str = "") -> dict[str, Any]:
    """The message that shows a question card."""
    return message(cards=[question_card(prompt, intro)])


def settled_card(
    lang: str, number: int, total: int, question: str, state: str, answer: str | None
) -> dict[str, Any]:
    """What a question card turns into once answered, skipped or withdrawn (no buttons)."""
    label = t(lang, f"buttons.state.{state}") if state in ("answered", "skipped") else ""
    if state == "withdrawn":
        label = t(lang, "withdrawn", n=number)
    body = [
        text_block(t(lang, "progress", n=number, total=total), isSubtle=True, size="Small"),
        text_block(markdown(question), weight="Bolder"),
        text_block(label, color="Good" if state == "answered" else "Default"),
    ]
    if answer:
        body.append(text_block(_clip(markdown(answer), PREVIEW_CHARS), isSubtle=True))
    return card(body)


def form_card(
    info_title: str, lang: str, participation_id: int, lines: Sequence[AnswerLine]
) -> dict[str, Any]:
    """All the participant's questions as inputs, prefilled with earlier answers."""
    body: list[dict[str, Any]] = [
        text_block(t(lang, "teams.form_title", title=markdown(info_title)), weight="Bolder"),
        text_block(t(lang, "teams.form_empty"), isSubtle=True, size="Small"),
    ]
    for line in lines:
        body.append(text_block(f"{line.number}. {markdown(line.question)}"))
        answer = line.answer or ""
        if len(answer) > FORM_MAX_CHARS:
            body.append(text_block(t(lang, "teams.form_too_long", n=line.number), isSubtle=True))
            continue
        body.append(
            {
                "type": "Input.Text",
                "id": f"{INPUT_PREFIX}{line.question_key}",
                "isMultiline": True,
                "maxLength": FORM_MAX_CHARS,
                "value": answer,
            }
        )
    data = {ACTION_KEY: FORM_SUBMIT, "pid": participation_id}
    return card(body, [_submit(t(lang, "teams.form_submit"), data)])


def announcement(info: RoundInfo, count: int, tz: str) -> dict[str, Any]:
    """The announcement of a round in the receiving channel."""
    deadline = ""
    if info.deadline_at is not None:
        deadline = t(
            info.lang, "round.deadline", when=format_local(info.deadline_at, info.lang, tz)
        )
    text = t(
        info.lang, "teams.announce", title=markdown(info.title), count=count, deadline=deadline
    )
    body = [text_block(text)]
    if info.overarching_question:
        body.append(text_block(f"_{markdown(info.overarching_question)}_", isSubtle=True))
    return message(cards=[card(body)])


def intro_text(info: RoundInfo, participant: Participant) -> str:
    """The line above a participant's first question."""
    return t(
        info.lang,
        "teams.intro",
        name=markdown(participant.name),
        unit=markdown(participant.unit_name),
        title=markdown(info.title),
    )


def reminder_card(text: str, prompt: QuestionPrompt | None) -> dict[str, Any]:
    """A reminder, with the current question under it when there is one."""
    if prompt is None:
        return message(text=text)
    return question_activity(prompt, intro=text)


def activities_card(text: str, participation_id: int, lang: str, confirm: bool) -> dict[str, Any]:
    """What an answer says about activities (the list read back); with *Stämmer* when the
    list awaits the manager's confirmation (a corrected list is sent as an edit)."""
    body = [text_block(line) for line in text.split("\n") if line.strip()]
    actions = None
    if confirm:
        data = {ACTION_KEY: CONFIRM_ACTIVITIES, "pid": participation_id, "q": ""}
        actions = [_submit(t(lang, "teams.confirm_activities"), data)]
    return message(cards=[card(body, actions)])


def choose_round(
    lang: str, titles: Sequence[tuple[Participant, str]], conversation: str, ts: str, text: str
) -> dict[str, Any]:
    """The question which round a message (``ts``) was for: one button per open round (its
    title), each carrying the participation, the message and its text. When the text would
    make the card too big, the buttons carry no text (the person is asked to write it
    again once they have chosen)."""

    def build(carried: str | None) -> dict[str, Any]:
        buttons = [
            _submit(
                _clip(title, 75),
                {
                    ACTION_KEY: CHOOSE_ROUND,
                    **round_choice.data(participant.participation_id, conversation, ts, carried),
                },
            )
            for participant, title in titles[:MAX_CHOICES]
        ]
        body = [text_block(t(lang, "outbox-and-races.which_round"))]
        body += [
            {"type": "ActionSet", "actions": buttons[start : start + 5]}
            for start in range(0, len(buttons), 5)
        ]
        return message(cards=[card(body)])

    activity = build(text)
    if len(json.dumps(activity).encode()) <= MAX_CARD_BYTES:
        return activity
    return build(None)


def recap(lang: str, sheet: Sequence[AnswerLine], participation_id: int) -> dict[str, Any]:
    """What a participant who finished gets: each question with the start of the answer."""
    body = [text_block(t(lang, "finished")), text_block(t(lang, "recap.title"), weight="Bolder")]
    for line in sheet:
        if line.answer:
            answer = _clip(markdown(line.answer), 200)
        elif line.status == "skipped":
            answer = t(lang, "recap.skipped")
        else:
            answer = t(lang, "recap.unanswered")
        body.append(text_block(f"{line.number}. {markdown(line.question)} — {answer}"))
    data = {ACTION_KEY: FORM, "pid": participation_id, "q": ""}
    return message(cards=[card(body, [_submit(t(lang, "recap.button"), data)])])


def status_text(status: RoundStatus, tz: str) -> str:
    """A round's progress: who has not finished (names hidden in anonymous rounds)."""
    info = status.round
    participants = [p for u in status.units for p in u.participants]
    missing = status.unfinished
    names = (
        ", ".join(unit_and_person(markdown(p.unit_name), markdown(p.name)) for p in missing)
        if not info.anonymous
        else str(len(missing))
    )
    return t(
        info.lang,
        "schedule.digest",
        recipients="",
        title=markdown(info.title),
        missing=len(missing),
        total=len(participants),
        names=names or "–",
    )


def summary_cards(markdown_text: str, title: str, lang: str) -> list[dict[str, Any]]:
    """A summary (Markdown) as one or more cards, each under :data:`MAX_CARD_BYTES`.

    Split between paragraphs; a paragraph longer than a card is cut at spaces."""
    paragraphs: list[str] = []
    for para in markdown_text.split("\n\n"):
        while len(para.encode()) > MAX_CARD_BYTES // 2:
            cut = _fit(para, MAX_CARD_BYTES // 2)
            paragraphs.append(para[:cut])
            para = para[cut:].lstrip()
        if para.strip():
            paragraphs.append(para)
    parts: list[list[str]] = [[]]
    size = 0
    for para in paragraphs:
        cost = len(json.dumps(text_block(para)).encode())
        if parts[-1] and size + cost > MAX_CARD_BYTES - 2_000:
            parts.append([])
            size = 0
        parts[-1].append(para)
        size += cost
    cards = []
    for n, part in enumerate(parts, 1):
        heading = f"{t(lang, 'summary.title')}: {markdown(title)}"
        if len(parts) > 1:
            heading += " " + t(lang, "teams.summary_part", n=n, total=len(parts))
        cards.append(
            card(
                [text_block(heading, weight="Bolder", size="Medium")]
                + [text_block(p) for p in part]
            )
        )
    return cards


def _fit(text: str, max_bytes: int) -> int:
    """Where to cut ``text`` so the first part has at most ``max_bytes`` bytes (at a space
    when one is near)."""
    cut = len(text.encode()[:max_bytes].decode(errors="ignore"))
    space = text.rfind(" ", 0, cut)
    return space if space > cut // 2 else cut
