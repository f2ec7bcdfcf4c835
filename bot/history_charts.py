"""Pictures of a year: the response-rate heat map and the activity chart (matplotlib).

matplotlib is imported only inside these functions. Files are deterministic: fonts
shipped with matplotlib, a fixed SVG hash salt and no dates or software names in the
metadata, so the same data gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.history import ACTIVITY_GROUPS, ActivityOverview, RateCell, RateTable
from bot.i18n import t
from bot.schedule.render import MONTHS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_FORMATS = ("png", "svg")
"""File formats of the charts."""

_DPI = 150


def _format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unsupported image format {path.suffix!r} (expected .png or .svg)")
    return fmt


def _style() -> AbstractContextManager[None]:
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib.rc_context(
        {"font.family": "DejaVu Sans", "svg.hashsalt": "dialogbot-charts", "svg.fonttype": "path"}
    )


def _save(figure: Figure, path: Path, fmt: str) -> None:
    metadata: dict[str, str | None] = (
        {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    )
    figure.savefig(path, format=fmt, metadata=metadata, dpi=_DPI, facecolor="white")


def _text_colour(rgba: Sequence[float]) -> str:
    red, green, blue = rgba[:3]
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "white"


def render_rate_heatmap(table: RateTable, path: Path, lang: str = "sv") -> None:
    """Draw units × rounds as a heat map of response rates, with the totals below.

    Cells show the share of the unit's managers who finished (and ``finished/asked``
    when a unit has several); units not asked in a round are grey, and anonymous
    rounds show only their total.

    Args:
        table: The response rates of a year.
        path: Output file, ``.png`` or ``.svg``.
        lang: ``"sv"`` or ``"en"``.

    Raises:
        ValueError: If the suffix is neither ``.png`` nor ``.svg``.
    """
    fmt = _format(path)
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    rows = [*table.units, t(lang, "history.rates.total")]
    grid_cells: list[Sequence[RateCell | None]] = [*table.cells, table.totals]
    grid: list[list[float]] = []
    for cells in grid_cells:
        grid.append([np.nan if c is None or c.hidden else c.rate for c in cells])
    data = np.array(grid, dtype=float).reshape(len(rows), len(table.rounds))
    cmap = colormaps["RdYlBu"]
    norm = Normalize(0.0, 1.0)

    width = 4.0 + 1.35 * max(len(table.rounds), 3)
    height = 2.6 + 0.5 * len(rows)
    with _style():
        figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
        ax = figure.add_subplot()
        masked = np.ma.masked_invalid(data)
        cmap_with_grey = cmap.with_extremes(bad="#E4E7EB")
        image = ax.imshow(masked, cmap=cmap_with_grey, norm=norm, aspect="auto")
        for r, cells in enumerate(grid_cells):
            for c, cell in enumerate(cells):
                if cell is None or cell.hidden:
                    label = "–" if cell is None else t(lang, "history.rates.anonymous_cell")
                    ax.text(c, r, label, ha="center", va="center", fontsize=10, color="#5A6270")
                    continue
                text = f"{round(100 * cell.rate)} %"
                if cell.participants > 1:
                    text += f"\n{cell.finished}/{cell.participants}"
                colour = _text_colour(cmap(norm(cell.rate)))
                ax.text(c, r, text, ha="center", va="center", fontsize=11, color=colour)
        ax.axhline(len(rows) - 1.5, color="black", linewidth=2)
        ax.set_yticks(range(len(rows)), rows, fontsize=12)
        ax.get_yticklabels()[-1].set_fontweight("bold")
        ax.set_xticks(
            range(len(table.rounds)),
            [
                f"{info.phase}\n{info.started.day} {MONTHS[lang][info.started.month - 1][:3]}"
                for info in table.rounds
            ],
            fontsize=11,
        )
        ax.xaxis.tick_top()
        ax.tick_params(which="both", length=0)
        ax.set_xlabel(t(lang, "history.rates.legend"), fontsize=10, color="#5A6270", labelpad=10)
        ax.set_xticks(np.arange(-0.5, len(table.rounds), 1), minor=True)
        ax.set_yticks(np.arange(-0.5, len(rows), 1), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(t(lang, "history.rates.title", year=table.year), fontsize=16, pad=14)
        bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02, format="{x:.0%}")
        bar.ax.tick_params(labelsize=10)
        _save(figure, path, fmt)


ACTIVITY_COLOURS = {
    "planned": "#56B4E9",
    "in_progress": "#E69F00",
    "done": "#009E73",
    "stopped": "#CC79A7",
}
"""Colours of the activity groups (Okabe–Ito)."""


def render_activity_chart(overview: ActivityOverview, path: Path, lang: str = "sv") -> None:
    """Draw the year's activities per unit as stacked horizontal bars, the total last.

    Args:
        overview: The activities of a year.
        path: Output file, ``.png`` or ``.svg``.
        lang: ``"sv"`` or ``"en"``.

    Raises:
        ValueError: If the suffix is neither ``.png`` nor ``.svg``.
    """
    fmt = _format(path)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = [*overview.units, overview.total]
    names = [row.name for row in rows]
    widest = max((row.total for row in rows), default=0)
    with _style():
        figure = Figure(figsize=(11.0, 2.4 + 0.55 * len(rows)), dpi=_DPI, layout="constrained")
        ax = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        left = [0] * len(rows)
        for group in ACTIVITY_GROUPS:
            values = [row.counts[group] for row in rows]
            bars = ax.barh(
                positions,
                values,
                left=left,
                height=0.62,
                color=ACTIVITY_COLOURS[group],
                label=t(lang, f"history.activities.{group}"),
                edgecolor="white",
                linewidth=1,
            )
            labels = [str(v) if v else "" for v in values]
            ax.bar_label(bars, labels=labels, label_type="center", fontsize=11, color="black")
            left = [a + b for a, b in zip(left, values, strict=True)]
        for position, row in zip(positions, rows, strict=True):
            ax.text(
                row.total + widest * 0.01 + 0.05,
                position,
                str(row.total),
                va="center",
                fontsize=11,
                fontweight="bold",
            )
        ax.set_yticks(positions, names, fontsize=12)
        ax.get_yticklabels()[-1].set_fontweight("bold")
        if len(rows) > 1:
            ax.axhline(0.5, color="black", linewidth=1.5)
        ax.set_xlim(0, max(widest * 1.08, 1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(t(lang, "history.activities.axis"), fontsize=11)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=len(ACTIVITY_GROUPS),
            frameon=False,
            fontsize=12,
        )
        figure.suptitle(t(lang, "history.activities.title", year=overview.year), fontsize=16)
        _save(figure, path, fmt)
