"""Absence on the App Home tab: the "Frånvaro" section with a "Ta bort" button per
absence, and the "Registrera frånvaro" modal. Everything goes through
:class:`bot.services.absences.Absences`; this module only builds and reads Block Kit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.absence import AbsencePeriod, InvalidAbsence
from bot.domain.errors import DialogError, NotAllowed, UnknownPerson
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.slack import blocks

OPEN = "absence_open"
"""Action id of the "Registrera frånvaro" button."""
REMOVE = "absence_remove"
"""Action id of an absence's "Ta bort" button (its value is the absence id)."""
VIEW = "absence_register"
"""Callback id of the registration modal."""

STARTS_ON = "starts_on"
ENDS_ON = "ends_on"
DEPUTY = "deputy"
PERSON = "person"
MAX_LISTED = 15


@dataclass(frozen=True)
class Registration:
    """What the modal asks to register (dates None when missing or not a date)."""

    starts_on: date | None
    ends_on: date | None
    deputy: str | None
    person: str | None


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": blocks.clip(text, limit)}


def _deputy_part(lang: str, period: AbsencePeriod) -> str:
    if not period.deputy_name:
        return ""
    return t(lang, "absence.list_deputy", deputy=mrkdwn(period.deputy_name))


def _remove_button(lang: str, period: AbsencePeriod) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": REMOVE,
        "value": str(period.absence_id),
        "style": "danger",
        "text": _plain(t(lang, "absence.home.remove")),
        "confirm": {
            "title": _plain(t(lang, "absence.home.confirm_title"), 100),
            "text": _plain(
                t(
                    lang,
                    "absence.home.confirm_text",
                    name=period.person_name,
                    starts_on=period.starts_on.isoformat(),
                    ends_on=period.ends_on.isoformat(),
                ),
                300,
            ),
            "confirm": _plain(t(lang, "absence.home.confirm_yes"), 30),
            "deny": _plain(t(lang, "absence.home.confirm_no"), 30),
            "style": "danger",
        },
    }


def section(lang: str, periods: list[AbsencePeriod]) -> list[dict[str, Any]]:
    """The Home tab's "Frånvaro" section: each absence with a "Ta bort" button (with a
    confirmation), and the "Registrera frånvaro" button."""
    out: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(t(lang, "absence.home.header"), blocks.MAX_HEADER)}
    ]
    if not periods:
        out.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": t(lang, "absence.home.none")}}
        )
    for period in periods[:MAX_LISTED]:
        text = t(
            lang,
            "absence.home.item",
            name=mrkdwn(period.person_name),
            starts_on=period.starts_on.isoformat(),
            ends_on=period.ends_on.isoformat(),
            deputy=_deputy_part(lang, period),
        )
        out.append(
            {
                "type": "section",
                "block_id": f"absence:{period.absence_id}",
                "text": {"type": "mrkdwn", "text": blocks.clip(text, 3000)},
                "accessory": _remove_button(lang, period),
            }
        )
    if len(periods) > MAX_LISTED:
        more = t(lang, "absence.home.more", n=len(periods) - MAX_LISTED)
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    out.append(
        {
            "type": "actions",
            "block_id": "absence_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": OPEN,
                    "value": "open",
                    "text": _plain(t(lang, "absence.home.register")),
                }
            ],
        }
    )
    return out


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {"action_id": "value", **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def modal(lang: str, today: date, organiser: bool) -> dict[str, Any]:
    """The registration modal: from/to dates, an optional deputy and, for organisers, an
    optional person to register the absence for."""
    day = today.isoformat()
    fields = [
        _input(
            STARTS_ON,
            t(lang, "absence.modal.starts_on"),
            {"type": "datepicker", "initial_date": day},
            optional=False,
            hint=None,
        ),
        _input(
            ENDS_ON,
            t(lang, "absence.modal.ends_on"),
            {"type": "datepicker", "initial_date": day},
            optional=False,
            hint=None,
        ),
        _input(
            DEPUTY,
            t(lang, "absence.modal.deputy"),
            {"type": "users_select"},
            optional=True,
            hint=t(lang, "absence.modal.deputy_hint"),
        ),
    ]
    if organiser:
        fields.append(
            _input(
                PERSON,
                t(lang, "absence.modal.person"),
                {"type": "users_select"},
                optional=True,
                hint=t(lang, "absence.modal.person_hint"),
            )
        )
    return {
        "type": "modal",
        "callback_id": VIEW,
        "title": _plain(t(lang, "absence.modal.title"), 24),
        "submit": _plain(t(lang, "absence.modal.submit"), 24),
        "close": _plain(t(lang, "absence.modal.cancel"), 24),
        "blocks": fields,
    }


def _field(values: dict[str, Any], block: str) -> dict[str, Any]:
    found = (values.get(block) if isinstance(values, dict) else None) or {}
    value = found.get("value") if isinstance(found, dict) else None
    return value if isinstance(value, dict) else {}


def _date(values: dict[str, Any], block: str) -> date | None:
    raw = _field(values, block).get("selected_date")
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _user(values: dict[str, Any], block: str) -> str | None:
    raw = _field(values, block).get("selected_user")
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def registration(values: dict[str, Any]) -> Registration:
    """What the submitted modal (``view.state.values``) asks for; never raises."""
    return Registration(
        starts_on=_date(values, STARTS_ON),
        ends_on=_date(values, ENDS_ON),
        deputy=_user(values, DEPUTY),
        person=_user(values, PERSON),
    )


def error_field(err: DialogError, wanted: Registration) -> str:
    """The modal field a refusal of the service belongs under."""
    if isinstance(err, InvalidAbsence):
        reason = err.params.get("reason")
        if reason == "self_deputy":
            return DEPUTY
        return STARTS_ON if reason == "overlap" else ENDS_ON
    if isinstance(err, NotAllowed):
        return PERSON if wanted.person else STARTS_ON
    if isinstance(err, UnknownPerson):
        name = err.params.get("name")
        if name is not None and name == wanted.deputy:
            return DEPUTY
        return PERSON if wanted.person else STARTS_ON
    return STARTS_ON
