"""Pure text parsing for activities: lists of åtgärder and follow-up replies.

Splitting rules (:func:`split_activities`):

* If any line starts with a bullet (``-``, ``*``, ``•``, ``–``, ``1.``, ``1)``, ``a)``,
  ``a.``), every bullet line is one activity. An indented line without a bullet
  continues the activity above it; other lines without a bullet are headings or
  introductions (e.g. "Mål 1: Minskad sjukfrånvaro") and are not activities.
* Without bullets, every non-empty line is one activity, except lines ending with
  ``:`` (headings). A single paragraph is therefore one activity; sentences are never
  split, because a sentence often explains the activity before it.
* A semicolon separates activities only where the line is clearly a list: outside
  parentheses and quotes, and not before a word that continues the sentence ("och",
  "men", "vilket", "som", "det", "and", "which", …). "A; B; C" is three activities,
  "Hälsosamtal; de ska vara klara i maj" is one.
* An owner (ansvarig) is read from, in this order: "(ansvarig: Anna)" or "(owner: Anna)"
  anywhere in the item; "Ansvarig: Anna – …" or "Ansvarig Anna: …" first; "– ansvarig
  Anna", "ansvarig: Anna" or "owner: Anna" last; an ``@mention`` (``@anna``, Slack's
  ``<@U123>``) anywhere; "– Anna" or "- Anna Andersson" last when that is a name
  (capitalised words without digits). The owner phrase is taken out of the title; a
  mention inside a sentence stays in it. An item that is only an owner phrase ("ansvarig:
  Anna" on the line after an activity) gives its owner to the activity before it.
* Parentheses, percent signs, dates, ranges ("5–7 %") and dashes inside an activity
  stay in its title.

The whole answer is always stored as written; activities are derived from it and the
manager confirms or corrects the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TITLE = 500
MAX_OWNER = 200

_BULLET = re.compile(
    r"^(?P<indent>\s*)(?:[-*•–—]|\d{1,3}[.)]|[a-zA-ZåäöÅÄÖ][.)])\s+(?:\[[ xX]?\]\s*)?(?P<text>.*\S)\s*$"
)
_OWNER_WORD = r"(?:ansvariga|ansvarig|ansv\.?|owners|owner|responsible)"
_DASH = r"[–—-]"
# "(ansvarig: Anna)" anywhere in the item.
_OWNER_PAREN = re.compile(rf"\(\s*{_OWNER_WORD}(?![\wåäö])\s*:?\s*(?P<owner>[^()]+?)\s*\)", re.I)
# "Ansvarig: Anna – Ny plan", "Ansvarig Anna: ny plan" at the start.
_OWNER_FIRST = re.compile(
    rf"^{_OWNER_WORD}(?![\wåäö])\s*:?\s*(?P<owner>[^:–—]+?)\s*(?::|\s{_DASH})\s+(?P<title>\S.*)$",
    re.I,
)
# "… – ansvarig Björn", "…. Ansvarig: HR-enheten", "…, owner: Eva" at the end.
_OWNER_LAST = (
    re.compile(rf"\s+{_DASH}+\s*{_OWNER_WORD}(?![\wåäö])\s*:?\s*(?P<owner>.+?)\s*[.;,]?\s*$", re.I),
    re.compile(rf"[\s.,;]*(?<![\wåäö]){_OWNER_WORD}\s*:\s*(?P<owner>.+?)\s*[.;,]?\s*$", re.I),
)
# "@anna", "@Anna.Andersson", Slack's "<@U123>" / "<@U123|anna>"; not an e-mail address.
_MENTION = re.compile(r"<@(?P<slack>[A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w.@])@(?P<name>\w[\w.-]*\w|\w)")
# "… – Anna", "… - Anna Andersson", "… – Anna och Björn" at the end.
_NAME_WORD = r"[A-ZÅÄÖÉÜ][^\s\d()\[\],;:]*"
_DASH_NAME = re.compile(
    rf"\s+{_DASH}\s+(?P<owner>{_NAME_WORD}(?:\s+(?:och|and|&)\s+{_NAME_WORD}|\s+{_NAME_WORD}){{0,2}})\s*\.?\s*$"
)
_CONTINUATIONS = frozenset(
    [
        "och",
        "men",
        "samt",
        "eller",
        "så",
        "för",
        "eftersom",
        "därför",
        "dvs",
        "vilket",
        "vilka",
        "som",
        "det",
        "den",
        "de",
        "detta",
        "dessa",
        "vi",
        "jag",
        "man",
        "där",
        "då",
        "t.ex.",
        "bl.a.",
        "inkl.",
        "exkl.",
        "ex.",
        "and",
        "but",
        "or",
        "so",
        "because",
        "which",
        "that",
        "this",
        "these",
        "it",
        "they",
        "we",
        "e.g.",
        "i.e.",
        "incl.",
    ]
)
_TRAILING = " \t,;:–—-"


@dataclass(frozen=True)
class ActivityDraft:
    """An activity as read from an answer, before the manager confirms it."""

    title: str
    owner: str | None = None


def _mention_owner(match: re.Match[str]) -> str:
    return match.group(0) if match.group("slack") else match.group("name")


def _owner_of(item: str) -> ActivityDraft:
    """An item's title and owner (see the module docstring for the phrasings)."""
    text = " ".join(item.split())
    owner: str | None = None
    title = text
    if (m := _OWNER_PAREN.search(text)) is not None:
        owner, after = m.group("owner"), text[m.end() :]
        title = text[: m.start()] + (" " + after if after.strip(" .,;") else "")
        title = re.sub(r"\s+([.,;:])", r"\1", title)
    elif (m := _OWNER_FIRST.match(text)) is not None:
        owner, title = m.group("owner"), m.group("title")
    else:
        for pattern in _OWNER_LAST:
            m = pattern.search(text)
            if m is not None:
                owner, title = m.group("owner"), text[: m.start()]
                break
        else:
            owner, title = _owner_by_mention_or_dash(text)
    owner = owner.strip(_TRAILING + ".") if owner else None
    title = " ".join(title.split()).strip(_TRAILING)
    return ActivityDraft(title[:MAX_TITLE], (owner or None) and owner[:MAX_OWNER])


def _owner_by_mention_or_dash(text: str) -> tuple[str | None, str]:
    mentions = list(_MENTION.finditer(text))
    if mentions:
        owner = ", ".join(dict.fromkeys(_mention_owner(m) for m in mentions))
        title = text
        first, last = mentions[0], mentions[-1]
        if not text[last.end() :].strip(" .,;:–—-"):
            title = text[: last.start()]
        elif not text[: first.start()].strip():
            title = re.sub(rf"^\s*[:,]?\s*(?:{_DASH}\s+)?", "", text[first.end() :])
        return owner, title
    if (m := _DASH_NAME.search(text)) is not None:
        return m.group("owner"), text[: m.start()]
    return None, text


def _split_semicolons(item: str) -> list[str]:
    """Split at semicolons that separate list items (see the module docstring)."""
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for i, ch in enumerate(item):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch in '"”“«»' and depth == 0:
            quote = "" if quote else ch
        elif ch == ";" and depth == 0 and not quote:
            rest = item[i + 1 :].split()
            if rest and rest[0].lower().rstrip(",:") not in _CONTINUATIONS:
                parts.append(item[start:i])
                start = i + 1
    parts.append(item[start:])
    return [p.strip() for p in parts if p.strip()]


def split_activities(text: str) -> list[ActivityDraft]:
    """Split an answer into activities (see the module docstring for the rules)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line.strip()]
    bullets = [_BULLET.match(line) for line in lines]
    items: list[str] = []
    if any(bullets):
        current: list[str] | None = None
        bullet_indent = 0
        for line, match in zip(lines, bullets, strict=True):
            if match is not None:
                current = [match.group("text")]
                bullet_indent = len(match.group("indent"))
                items.append("")
            elif current is not None and len(line) - len(line.lstrip()) > bullet_indent:
                current.append(line.strip())
            else:
                current = None
                continue
            items[-1] = " ".join(current)
    else:
        items = [line.strip() for line in lines if not line.strip().endswith(":")]
    drafts: list[ActivityDraft] = []
    for item in items:
        for part in _split_semicolons(item):
            draft = _owner_of(part)
            if draft.title:
                drafts.append(draft)
            elif draft.owner and drafts and drafts[-1].owner is None:
                drafts[-1] = ActivityDraft(drafts[-1].title, draft.owner)
    return drafts


# Follow-up replies ------------------------------------------------------------------

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "done": (
        "klar",
        "klart",
        "klara",
        "avklarad",
        "avklarat",
        "genomförd",
        "genomfört",
        "färdig",
        "färdigt",
        "done",
        "finished",
        "completed",
        "complete",
    ),
    "in_progress": (
        "pågår",
        "pågående",
        "påbörjad",
        "påbörjat",
        "fortsätter",
        "in progress",
        "ongoing",
        "started",
        "continuing",
    ),
    "stopped": (
        "stoppad",
        "stoppat",
        "stoppade",
        "avbruten",
        "avbrutet",
        "struken",
        "struket",
        "stopped",
        "cancelled",
        "canceled",
        "dropped",
    ),
    "open": ("ej påbörjad", "inte påbörjad", "inte startad", "ej startad", "not started"),
}
_BY_WORD = sorted(
    ((word, status) for status, words in STATUS_WORDS.items() for word in words),
    key=lambda pair: -len(pair[0]),
)
_LEADING = re.compile(
    r"^\s*(?P<word>" + "|".join(re.escape(w) for w, _ in _BY_WORD) + r")(?![\wåäö])(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATORS = " \t\n,;:.–—-!"


@dataclass(frozen=True)
class FollowupReply:
    """A parsed follow-up reply: the new status and why."""

    status: str
    note: str


def parse_followup(text: str) -> FollowupReply | None:
    """Read "klar", "pågår – väntar på budget", "stoppad, prioriterades bort".

    The status word comes first; the rest is the note. Without a leading status word,
    a reply that names exactly one status anywhere ("Den blev klar i mars") is
    accepted with the whole text as the note. Anything else returns None.
    """
    match = _LEADING.match(text)
    if match:
        status = dict(_BY_WORD)[match.group("word").lower()]
        return FollowupReply(status, match.group("rest").strip(_SEPARATORS))
    found = {
        status
        for word, status in _BY_WORD
        if re.search(rf"(?<![\wåäö]){re.escape(word)}(?![\wåäö])", text, re.IGNORECASE)
    }
    if len(found) == 1:
        return FollowupReply(found.pop(), text.strip())
    return None
