"""The årshjul picture: a year's planned rounds on a wheel of twelve months.

:func:`render_wheel` draws the rounds of :func:`bot.schedule.plan.plan_year` as arcs from
start to deadline around a circle of months (January at the top, clockwise), coloured by
phase and labelled with the phase and the levels ("avstämning enhet → avdelning"). The
picture is drawn with matplotlib's Agg/SVG backends, which are imported only here, and is
deterministic: fonts shipped with matplotlib, a fixed SVG hash salt and no dates or
software names in the file's metadata, so the same plan gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.config import load_catalog
from bot.schedule.plan import PlannedRound
from bot.schedule.render import MONTHS, PHASE_NAMES, level_name

if TYPE_CHECKING:
    from matplotlib.projections.polar import PolarAxes

WheelFormat = Literal["png", "svg"]
"""File formats the wheel can be written in."""

FORMATS: tuple[WheelFormat, ...] = ("png", "svg")

PHASE_COLOURS: dict[str, str] = {
    "planering": "#0072B2",
    "avstamning": "#D55E00",
    "resultat": "#009E73",
}
"""Colour of each phase (Okabe–Ito, distinguishable with colour-vision deficiencies)."""

OTHER_COLOUR = "#6B6B6B"
"""Colour of rounds whose template belongs to no phase of the yearly cycle."""

TODAY_COLOUR = "#C8102E"

_TEXT: dict[str, dict[str, str]] = {
    "sv": {"title": "Årshjul {year}", "today": "idag {day}", "empty": "Inga dialogomgångar"},
    "en": {"title": "Annual wheel {year}", "today": "today {day}", "empty": "No dialog rounds"},
}

_FIGURE_INCHES = 11.0
_DPI = 150
_TRACK0 = 0.85  # radius of the outermost arc track; later tracks lie inside it
_TRACK_STEP = 0.05
_MONTH_RING = (0.90, 1.0)
_ARC_WIDTH_PT = 9.0
_LABEL_PT = 12.0
_LABEL_GAP = 0.2  # radians kept between neighbouring labels (two lines of text at mid radius)


@dataclass(frozen=True)
class WheelArc:
    """One round on the wheel, as drawn.

    Attributes:
        occurrence_key: The planned round's occurrence key.
        phase: Phase key (``planering``, ``avstamning``, ``resultat`` or another).
        label: The text next to the arc.
        start: Local start date.
        end: Local deadline date (clipped to the year).
        track: Ring index, 0 outermost; overlapping rounds get different tracks.
    """

    occurrence_key: str
    phase: str
    label: str
    start: date
    end: date
    track: int


def _lang(lang: str) -> str:
    if lang not in _TEXT:
        raise ValueError(f"unsupported language {lang!r} (expected 'sv' or 'en')")
    return lang


def round_label(planned: PlannedRound, phase: str, lang: str = "sv") -> str:
    """The label of a round on the wheel, e.g. ``"avstämning\nenhet → avdelning"``.

    Args:
        planned: The planned round.
        phase: Its phase key.
        lang: ``"sv"`` or ``"en"``.

    Returns:
        Phase name, then answering level → receiving level on a second line.
    """
    language = _lang(lang)
    name = PHASE_NAMES[language].get(phase, planned.template)
    return (
        f"{name}\n{level_name(planned.answering_level, language)} → "
        f"{level_name(planned.receiving_level, language)}"
    )


def wheel_arcs(
    rounds: Sequence[PlannedRound],
    year: int,
    tz: tzinfo,
    phases: Mapping[str, str] | None = None,
    lang: str = "sv",
) -> list[WheelArc]:
    """Lay out a year's rounds as arcs: one per round that starts in ``year``.

    Rounds that overlap in time are put on separate tracks (rings) so no two
    arcs cover each other.

    Args:
        rounds: The planned rounds of the year.
        year: The year drawn.
        tz: Time zone of the dates.
        phases: Template key → phase key; a template not in it is its own phase.
        lang: ``"sv"`` or ``"en"``.

    Returns:
        The arcs in start order.
    """
    phase_of = phases or {}
    arcs: list[WheelArc] = []
    track_ends: list[date] = []
    for planned in sorted(rounds, key=lambda item: (item.starts_at, item.key)):
        start = planned.starts_at.astimezone(tz).date()
        if start.year != year:
            continue
        end = min(planned.deadline_at.astimezone(tz).date(), date(year, 12, 31))
        track = next((i for i, busy in enumerate(track_ends) if busy < start), len(track_ends))
        if track == len(track_ends):
            track_ends.append(end)
        else:
            track_ends[track] = end
        phase = phase_of.get(planned.template, planned.template)
        arcs.append(
            WheelArc(
                occurrence_key=planned.occurrence_key,
                phase=phase,
                label=round_label(planned, phase, lang),
                start=start,
                end=end,
                track=track,
            )
        )
    return arcs


def _angle(day: date, year: int, *, end_of_day: bool = False) -> float:
    """Angle in radians, clockwise from the top, of a day of ``year``."""
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    offset = (day - date(year, 1, 1)).days + (1 if end_of_day else 0)
    return 2 * math.pi * offset / days_in_year


def _readable_rotation(theta: float, *, radial: bool) -> tuple[float, bool]:
    """Text rotation in degrees for an angle on the wheel, and whether it was flipped.

    ``theta`` runs clockwise from the top. Radial text reads outwards on the
    right half and inwards on the left half so it is never upside down;
    tangential text reads left to right at the top and at the bottom.
    """
    degrees = 90.0 - math.degrees(theta)  # matplotlib: counter-clockwise from the x axis
    if not radial:
        degrees -= 90.0
    degrees %= 360.0
    if 90.0 < degrees <= 270.0:
        return degrees - 180.0, True
    return degrees, False


def _label_angles(arcs: Sequence[WheelArc], year: int) -> list[float]:
    """Angles for the arcs' labels: each near its arc, neighbours at least ``_LABEL_GAP`` apart.

    A label starts at its arc's midpoint and is pushed apart from crowding
    neighbours, but never further than its own arc (plus a little) reaches.
    """
    bounds = []
    for arc in arcs:
        a0 = _angle(arc.start, year)
        a1 = max(_angle(arc.end, year, end_of_day=True), a0 + 0.02)
        bounds.append((a0 - _LABEL_GAP / 2, a1 + _LABEL_GAP / 2))
    angles = [(low + high) / 2 for low, high in bounds]
    order = sorted(range(len(arcs)), key=lambda i: angles[i])
    for _ in range(200):
        moved = False
        for left, right in itertools.pairwise(order):
            gap = angles[right] - angles[left]
            if gap < _LABEL_GAP - 1e-9:
                push = (_LABEL_GAP - gap) / 2
                angles[left] = max(bounds[left][0], angles[left] - push)
                angles[right] = min(bounds[right][1], angles[right] + push)
                moved = True
        if not moved:
            break
    return angles


def _draw(
    ax: PolarAxes, arcs: Sequence[WheelArc], year: int, today: date | None, lang: str
) -> None:
    import numpy as np

    text = _TEXT[lang]
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 1.0)
    ax.set_axis_off()

    inner, outer = _MONTH_RING
    tracks = 1 + max((arc.track for arc in arcs), default=0)
    label_radius = _TRACK0 - (tracks - 1) * _TRACK_STEP - 0.05
    for month in range(1, 13):
        first = date(year, month, 1)
        last = date(year + (month == 12), month % 12 + 1, 1)
        a0 = _angle(first, year)
        a1 = _angle(last, year) if month < 12 else 2 * math.pi
        ax.bar(
            (a0 + a1) / 2,
            outer - inner,
            width=a1 - a0,
            bottom=inner,
            color="#EEF1F5" if month % 2 else "#DCE2EA",
            edgecolor="white",
            linewidth=1.5,
        )
        ax.plot([a0, a0], [label_radius + 0.02, inner], color="#D0D6DE", linewidth=0.8, zorder=0)
        mid = (a0 + a1) / 2
        rotation, _ = _readable_rotation(mid, radial=False)
        ax.text(
            mid,
            (inner + outer) / 2,
            MONTHS[lang][month - 1],
            rotation=rotation,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=15,
            color="#1F2933",
        )

    for index, (arc, angle) in enumerate(zip(arcs, _label_angles(arcs, year), strict=True)):
        colour = PHASE_COLOURS.get(arc.phase, OTHER_COLOUR)
        radius = _TRACK0 - arc.track * _TRACK_STEP
        a0 = _angle(arc.start, year)
        a1 = max(_angle(arc.end, year, end_of_day=True), a0 + 0.02)
        thetas = np.linspace(a0, a1, 64)
        ax.plot(
            thetas,
            np.full_like(thetas, radius),
            color=colour,
            linewidth=_ARC_WIDTH_PT,
            solid_capstyle="butt",
            gid=f"arc-{index + 1}",
        )
        ax.plot([a0], [radius], marker="o", markersize=_ARC_WIDTH_PT + 2, color=colour)
        ax.plot([a1, a1], [radius - 0.025, radius + 0.025], color=colour, linewidth=3)
        rotation, flipped = _readable_rotation(angle, radial=True)
        ax.text(
            angle,
            label_radius,
            arc.label,
            rotation=rotation,
            rotation_mode="anchor",
            ha="left" if flipped else "right",
            va="center",
            multialignment="left" if flipped else "right",
            linespacing=1.15,
            fontsize=_LABEL_PT,
            color=colour,
            fontweight="bold",
        )

    if arcs:
        ax.text(0, 0, str(year), ha="center", va="center", fontsize=30, color="#C3CAD3")
    else:
        ax.text(0, 0, text["empty"], ha="center", va="center", fontsize=16, color=OTHER_COLOUR)
    if today is not None and today.year == year:
        angle = _angle(today, year) + math.pi / 366
        ax.plot(
            [angle, angle],
            [label_radius + 0.03, inner],
            color=TODAY_COLOUR,
            linewidth=3.5,
            gid="today",
        )
        rotation, _ = _readable_rotation(angle, radial=False)
        ax.text(
            angle,
            outer + 0.06,
            text["today"].format(day=f"{today.day} {MONTHS[lang][today.month - 1][:3]}"),
            rotation=rotation,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=13,
            color=TODAY_COLOUR,
            fontweight="bold",
        )


def render_wheel(
    rounds: Sequence[PlannedRound],
    year: int,
    tz: tzinfo,
    path: Path,
    *,
    phases: Mapping[str, str] | None = None,
    today: date | datetime | None = None,
    lang: str = "sv",
) -> list[WheelArc]:
    """Draw the årshjul of ``year`` and write it as PNG or SVG (from the file suffix).

    Args:
        rounds: The planned rounds, e.g. from :func:`bot.schedule.plan.plan_year`.
        year: The year drawn.
        tz: Time zone in which dates are placed.
        path: Output file; ``.png`` or ``.svg``.
        phases: Template key → phase key, for the colours and labels.
        today: Marked on the wheel when it lies in ``year`` (a date, or an
            aware moment converted to ``tz``).
        lang: ``"sv"`` (month names in Swedish) or ``"en"``.

    Returns:
        The arcs drawn.

    Raises:
        ValueError: If the suffix is neither ``.png`` nor ``.svg``, or the language is unknown.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unsupported image format {path.suffix!r} (expected .png or .svg)")
    language = _lang(lang)
    if isinstance(today, datetime):
        today = today.astimezone(tz).date()
    arcs = wheel_arcs(rounds, year, tz, phases, language)

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.projections.polar import PolarAxes

    with matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",
            "svg.hashsalt": "dialogbot-arshjul",
            "svg.fonttype": "path",
            "path.simplify": False,
        }
    ):
        figure = Figure(figsize=(_FIGURE_INCHES, _FIGURE_INCHES + 1.0), dpi=_DPI)
        ax = figure.add_axes((0.03, 0.08, 0.94, 0.84), projection="polar")
        assert isinstance(ax, PolarAxes)
        _draw(ax, arcs, year, today, language)
        figure.suptitle(
            _TEXT[language]["title"].format(year=year),
            fontsize=24,
            fontweight="bold",
            y=0.975,
            color="#1F2933",
        )
        cycle = list(PHASE_COLOURS)
        shown = sorted(
            {arc.phase for arc in arcs},
            key=lambda p: (cycle.index(p) if p in cycle else len(cycle), p),
        )
        handles = [
            Line2D(
                [],
                [],
                color=PHASE_COLOURS.get(phase, OTHER_COLOUR),
                linewidth=_ARC_WIDTH_PT,
                label=PHASE_NAMES[language].get(phase, phase),
            )
            for phase in shown
        ]
        if handles:
            figure.legend(
                handles=handles,
                loc="lower center",
                ncol=len(handles),
                fontsize=15,
                frameon=False,
                bbox_to_anchor=(0.5, 0.01),
            )
        metadata: dict[str, str | None] = (
            {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        )
        figure.savefig(path, format=fmt, metadata=metadata, dpi=_DPI, facecolor="white")
    return arcs


def template_phases() -> dict[str, str]:
    """Template key → phase key for every template the bot knows."""

    return {template.key: template.phase for template in load_catalog()}
