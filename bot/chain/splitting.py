"""Pure text parsing for activities: lists of åtgärder and follow-up replies.

Splitting rules (:func:`split_activities`):

* If any line starts with a bullet (``-``, ``*``, ``•``, ``–``, ``1.``, ``1)``, ``a)``,
  ``a.``), every bullet line is one activity. An indented line without a bullet
  continues the activity above it; other lines without a bullet are headings or
  introductions (e.g. "Mål 1: Minskad sjukfrånvaro") and are not activities.
* Without bullets, every non-empty line is one activity, except lines ending with
  ``:`` (headings). A single paragraph is therefore one activity; sentences are never
  split, because a sentence often explains the activity before it.
* An owner (ansvarig) is taken from "(ansvarig: Anna)", "– ansvarig Anna" or
  "Ansvarig: Anna" anywhere at the end of an item, in Swedish or English.

The whole answer is always stored as written; activities are derived from it and the
manager confirms or corrects the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TITLE = 500

_BULLET = re.compile(
    r"^(?P<indent>\s*)(?:[-*•–—]|\d{1,3}[.)]|[a-zA-ZåäöÅÄÖ][.)])\s+(?:\[[ xX]?\]\s*)?(?P<text>.*\S)\s*$"
)
_OWNER_WORD = r"(?:ansvarig|ansv\.?|owner|responsible)"
_OWNER_PATTERNS = (
    re.compile(rf"\s*\(\s*{_OWNER_WORD}\s*:?\s*(?P<owner>[^)]+?)\s*\)\s*[.;,]?\s*$", re.IGNORECASE),
    re.compile(rf"\s+[–—-]+\s*{_OWNER_WORD}\s*:?\s*(?P<owner>.+?)\s*[.;,]?\s*$", re.IGNORECASE),
    re.compile(rf"[\s.,;]*\b{_OWNER_WORD}\s*:\s*(?P<owner>.+?)\s*[.;,]?\s*$", re.IGNORECASE),
)
_TRAILING = " \t,;:–—-"


@dataclass(frozen=True)
class ActivityDraft:
    """An activity as read from an answer, before the manager confirms it."""

    title: str
    owner: str | None = None


def _owner_of(item: str) -> ActivityDraft:
    text = " ".join(item.split())
    for pattern in _OWNER_PATTERNS:
        match = pattern.search(text)
        if match and match.start() > 0:
            owner = match.group("owner").strip(_TRAILING + ".")
            title = text[: match.start()].rstrip(_TRAILING)
            if owner and title:
                return ActivityDraft(title[:MAX_TITLE], owner[:200])
    return ActivityDraft(text.rstrip(_TRAILING)[:MAX_TITLE])


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
    drafts = [_owner_of(item) for item in items]
    return [d for d in drafts if d.title]


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
