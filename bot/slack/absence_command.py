"""``/dialog frånvaro …`` (``/dialog absence …``): register, list and remove absences.

The text is parsed as Slack delivers it, so a mention (``<@U…>``) still carries the
user id; every name shown is escaped for mrkdwn once.
"""

from __future__ import annotations

from bot.domain.absence import AbsencePeriod, parse_absence_command
from bot.domain.errors import InvalidInput
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.slack.context import SlackContext, error_text


def run(ctx: SlackContext, workspace: str, user: str, lang: str, raw: str, trigger_id: str) -> str:
    """Carry out the command text after ``frånvaro`` for ``user``; the reply (mrkdwn).
    ``trigger_id`` identifies the request, so a replayed removal removes nothing more."""
    try:
        request = parse_absence_command(raw)
    except InvalidInput as err:
        return error_text(lang, err) + "\n" + t(lang, "absence.usage")
    service = ctx.services.absences.in_zone(ctx.tz)
    if request.action == "add":
        assert request.starts_on is not None and request.ends_on is not None
        period = service.register(
            workspace,
            user,
            request.starts_on,
            request.ends_on,
            person=request.person,
            deputy=request.deputy,
        )
        deputy = (
            t(lang, "absence.deputy_part", deputy=mrkdwn(period.deputy_name))
            if period.deputy_name
            else ""
        )
        return t(
            lang,
            "absence.registered",
            name=mrkdwn(period.person_name),
            starts_on=period.starts_on.isoformat(),
            ends_on=period.ends_on.isoformat(),
            deputy=deputy,
        )
    if request.action == "remove":
        assert request.number is not None
        removed = service.remove(
            workspace, user, request.number, request.person, f"slack:absence:{trigger_id}"
        )
        return t(
            lang,
            "absence.removed",
            name=mrkdwn(removed.person_name),
            starts_on=removed.starts_on.isoformat(),
            ends_on=removed.ends_on.isoformat(),
        )
    listed = service.listed(workspace, user, request.person)
    target = request.person or user
    name = mrkdwn(ctx.services.people.names(workspace, {target}).get(target, target))
    if not listed:
        return t(lang, "absence.list_none", name=name)
    lines = [t(lang, "absence.list_header", name=name)]
    lines += [_item(lang, n, period) for n, period in listed]
    lines.append(t(lang, "absence.list_remove_hint"))
    return "\n".join(lines)


def _item(lang: str, n: int, period: AbsencePeriod) -> str:
    deputy = (
        t(lang, "absence.list_deputy", deputy=mrkdwn(period.deputy_name))
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
