"""Earlier answers a question refers to, shown to the same unit as context.

"Avstämningsdialogen sker med utgångspunkt från verksamhetsplanen": a template
declares per question which earlier answers it builds on (``refers_to:
[planering.utvecklingsmal]``). For a prompt of that question in a round for unit U,
:func:`context_for` finds U's latest round of the referenced template created before
this round and takes U's answer to the referenced question. With ``context_scope:
year`` every round of the referenced template in the same calendar year (local time)
as that latest one is shown, oldest first — e.g. a resultatdialog shows all the
year's avstämningar. One query per prompt, and only for questions with refers_to.

A branch's synthesis question ("vad säger helheten") shows, with :func:`branch_context`,
what the units below have answered in the same round so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.org_tree import OrgTree
from bot.domain.results import ContextItem, QuestionPrompt
from bot.domain.templates import DialogTemplate, Question
from bot.escaping import mrkdwn
from bot.i18n import DEFAULT_TZ, format_local, t
from storage.models import Participation, Round
from storage.repository import Repository

#: Longest answer text shown in chat before it is cut with a note.
MAX_CHARS = 700


def _refs(question: Question) -> list[tuple[str, str]]:
    return [(ref.split(".")[0], ref.split(".")[1]) for ref in question.refers_to]


_TEMPLATES: dict[str, DialogTemplate] = {}


def _template_of(round_: Round) -> DialogTemplate:
    """The template version ``round_`` started with, parsed once per content hash."""
    snapshot = round_.template
    parsed = _TEMPLATES.get(snapshot.content_hash)
    if parsed is None:
        parsed = _TEMPLATES[snapshot.content_hash] = DialogTemplate.model_validate(snapshot.body)
    return parsed


def context_for(
    repo: Repository,
    p: Participation,
    question: Question,
    tz: str = DEFAULT_TZ,
) -> tuple[ContextItem, ...]:
    """The unit's earlier answers that ``question`` refers to, oldest round first."""
    return context_of(repo, p.unit_id, p.round, question, tz)


def context_of(
    repo: Repository,
    unit_id: int,
    round_: Round,
    question: Question,
    tz: str = DEFAULT_TZ,
) -> tuple[ContextItem, ...]:
    """:func:`context_for` of unit ``unit_id`` answering in ``round_``."""
    refs = _refs(question)
    if not refs:
        return ()
    rows = repo.earlier_answers(unit_id, round_, {k for k, _ in refs}, {q for _, q in refs})
    zone = ZoneInfo(tz)
    chosen: dict[str, list[Round]] = {}
    for _answer, r in rows:
        key = r.template.key
        picked = chosen.setdefault(key, [])
        if r in picked:
            continue
        same_year = bool(picked) and (
            r.created_at.astimezone(zone).year == picked[0].created_at.astimezone(zone).year
        )
        if not picked or (question.context_scope == "year" and same_year):
            picked.append(r)
    items: list[ContextItem] = []
    for template_key, question_key in refs:
        for r in reversed(chosen.get(template_key, [])):
            template = _template_of(r)
            try:
                earlier_q = template.question(question_key)
            except KeyError:
                continue
            for answer, ar in rows:
                if ar.id == r.id and answer.question_key == question_key:
                    items.append(
                        ContextItem(
                            template_name=template.name.get(round_.lang),
                            question_text=earlier_q.text.get(round_.lang),
                            answer_text=answer.text,
                            round_title=r.title,
                            answered_at=answer.updated_at,
                        )
                    )
    return tuple(items)


def branch_context(
    p: Participation,
    participations: Sequence[Participation],
    tree: OrgTree[Any],
    template: DialogTemplate,
) -> tuple[ContextItem, ...]:
    """The answers given so far in ``p``'s round by the units below ``p``'s unit: per
    question in template order, then per unit in organisation order (pure: loaded
    objects only). Each item names the unit where a context item names its template,
    and the manager where it names a round."""
    below = {u.id: n for n, u in enumerate(tree.subtree(tree.by_id[p.unit_id])) if n}
    rows = sorted(
        (x for x in participations if x.unit_id in below and x.id != p.id),
        key=lambda x: below[x.unit_id],
    )
    lang = p.round.lang
    items: list[ContextItem] = []
    for q in template.questions:
        for other in rows:
            answer = other.answer_to(q.key)
            if answer is None or answer.status != "answered":
                continue
            items.append(
                ContextItem(
                    template_name=other.unit.name,
                    question_text=q.text.get(lang),
                    answer_text=answer.text,
                    round_title=other.person.name if other.person else "",
                    answered_at=answer.updated_at,
                )
            )
    return tuple(items)


def _cut(text: str, limit: int, lang: str) -> str:
    if len(text) <= limit:
        return mrkdwn(text)
    head = text[:limit].rsplit(" ", 1)[0]
    return mrkdwn(head) + " … _" + t(lang, "chain.context.truncated") + "_"


def _by_question(items: tuple[ContextItem, ...]) -> list[list[ContextItem]]:
    """Items grouped by the earlier question they answer (in order), so each question
    is named once above all its answers."""
    groups: dict[tuple[str, str], list[ContextItem]] = {}
    for item in items:
        groups.setdefault((item.template_name, item.question_text), []).append(item)
    return list(groups.values())


def render_context_mrkdwn(prompt: QuestionPrompt, limit: int = MAX_CHARS) -> str:
    """The prompt's context as a Slack mrkdwn quote block; empty without context.

    Each earlier question is named once ("Från Planeringsdialog: «…»"), followed by the
    round and date of each answer to it. User text is escaped; long answers are cut at
    ``limit`` characters with a note that the whole answer is in the documentation.
    """
    lang = prompt.lang
    blocks: list[str] = []
    for group in _by_question(prompt.context):
        first = group[0]
        lines = [
            "*"
            + t(
                lang,
                "chain.context.question",
                template=mrkdwn(first.template_name),
                question=mrkdwn(first.question_text),
            )
            + "*"
        ]
        for item in group:
            when = format_local(item.answered_at)[:10]
            lines.append(
                "_"
                + t(lang, "chain.context.round", title=mrkdwn(item.round_title), when=when)
                + "_"
            )
            lines.extend(_cut(item.answer_text, limit, lang).splitlines())
        blocks.append("\n".join(">" + line for line in lines))
    return "\n".join(blocks)


def render_context_text(prompt: QuestionPrompt, limit: int = MAX_CHARS) -> str:
    """The prompt's context as plain text (terminal), indented; empty without context."""
    out: list[str] = []
    for group in _by_question(prompt.context):
        first = group[0]
        out.append(
            "  "
            + t(
                prompt.lang,
                "chain.context.question",
                template=first.template_name,
                question=first.question_text,
            )
        )
        for item in group:
            when = format_local(item.answered_at)[:10]
            out.append(
                "    " + t(prompt.lang, "chain.context.round", title=item.round_title, when=when)
            )
            text = item.answer_text
            if len(text) > limit:
                text = (
                    text[:limit].rsplit(" ", 1)[0]
                    + " … ("
                    + t(prompt.lang, "chain.context.truncated")
                    + ")"
                )
            out.extend("      " + line for line in text.splitlines())
    return "\n".join(out)
