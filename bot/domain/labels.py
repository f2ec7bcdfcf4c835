"""How a unit and the person who answers for it are named together in lists.

A participation whose person was erased (``dialogbot person erase``) keeps its unit but
has no name: such a unit is shown alone, never with an empty pair of parentheses or a
dangling dash. The parts come in escaped for their format already; nothing here needs
escaping (parentheses, commas and dashes are plain text in every format)."""

from __future__ import annotations


def unit_and_person(unit: str, person: str, *notes: str) -> str:
    """``Hemtjänst Norr (Anna Andersson)``, with notes inside the parentheses
    (``Hemtjänst Norr (Anna Andersson, frånvarande)``); a missing name or note is left
    out, so an erased person's unit reads ``Hemtjänst Norr`` (or
    ``Hemtjänst Norr (frånvarande)``)."""
    inside = ", ".join(part for part in (person, *notes) if part)
    return f"{unit} ({inside})" if inside else unit


def person_and_unit(person: str, unit: str) -> str:
    """``Anna Andersson (Hemtjänst Norr)``; the unit alone when the person was erased."""
    return f"{person} ({unit})" if person else unit


def unit_dash_person(unit: str, person: str) -> str:
    """``Hemtjänst Norr — Anna Andersson``; the unit alone when the person was erased."""
    return f"{unit} — {person}" if person else unit
