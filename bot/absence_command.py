"""``dialog frånvaro …`` (``dialog absence …``) on any chat platform: register, list and
remove absences, and the reply as text.

The platform parses mentions its own way (``person``: a word to a chat id, or None) and
renders with its own escaping (``escape``: mrkdwn on Slack, Markdown on Teams); every name
shown is escaped once.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.absence import AbsencePeriod, parse_absence_command, parse_person
from bot.domain.errors import InvalidInput
from bot.i18n import t
from bot.services.absences import Absences
from bot.services.people import People


def run(
    absences: Absences,
    people: People,
    workspace: str,
    user: str,
    lang: str,
    raw: str,
    removal_key: str,
    escape: Callable[[object], str],
    person: Callable[[str], str | None] = parse_person,
) -> str:
    """Carry out the command text after ``frånvaro`` for ``user``; the reply.
    ``removal_key`` identifies the request, so a replayed removal removes nothing more.
    Refusals of the services (:class:`~bot.domain.errors.DialogError`) propagate."""
    try:
        request = parse_absence_command(raw, person)
    except InvalidInput as err:
        problem = t(lang, err.key, **{k: escape(v) for k, v in err.params.items()})
        return problem + "\n" + t(lang, "absence.usage")
    if request.action == "add":
        assert request.starts_on is not None and request.ends_on is not None
        period = absences.register(
            workspace,
            user,
            request.starts_on,
            request.ends_on,
            person=request.person,
            deputy=request.deputy,
        )
        return registered_text(lang, period, escape)
    if request.action == "remove":
        assert request.number is not None
        removed = absences.remove(workspace, user, request.number, request.person, removal_key)
        return removed_text(lang, removed, escape)
    listed = absences.listed(workspace, user, request.person)
    target = request.person or user
    name = escape(people.names(workspace, {target}).get(target, target))
    if not listed:
        return t(lang, "absence.list_none", name=name)
    lines = [t(lang, "absence.list_header", name=name)]
    lines += [item_text(lang, n, period, escape) for n, period in listed]
    lines.append(t(lang, "absence.list_remove_hint"))
    return "\n".join(lines)


def registered_text(lang: str, period: AbsencePeriod, escape: Callable[[object], str]) -> str:
    """The confirmation of a registered absence, names escaped with ``escape``."""
    deputy = (
        t(lang, "absence.deputy_part", deputy=escape(period.deputy_name))
        if period.deputy_name
        else ""
    )
    return t(
        lang,
        "absence.registered",
        name=escape(period.person_name),
        starts_on=period.starts_on.isoformat(),
        ends_on=period.ends_on.isoformat(),
        deputy=deputy,
    )


def removed_text(lang: str, removed: AbsencePeriod, escape: Callable[[object], str]) -> str:
    """The confirmation of a removed absence, the name escaped with ``escape``."""
    return t(
        lang,
        "absence.removed",
        name=escape(removed.person_name),
        starts_on=removed.starts_on.isoformat(),
        ends_on=removed.ends_on.isoformat(),
    )


def item_text(lang: str, n: int, period: AbsencePeriod, escape: Callable[[object], str]) -> str:
    """Line ``n`` of a list of absences, the deputy's name escaped with ``escape``."""
    deputy = (
        t(lang, "absence.list_deputy", deputy=escape(period.deputy_name))
        if period.deputy_name
        else ""
    )
    return t(
        lang,
        "absence.list_item",
        n=n,
        starts_on=period.starts_on.isoformat(),
        ends_on=period.ends_on.isoformat(),
        deputy=deputy,
    )
