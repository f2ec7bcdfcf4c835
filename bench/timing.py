"""Fair timing of a floor and ours on a shared, noisy machine: the cases run interleaved
(one of each per repetition, in rotating order) after a warm-up, and each figure is the
median of its repetitions; the load average before and after is recorded with them."""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (``/proc/<pid>/stat``, its
    threads included). Raises :class:`OSError` when the process is gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def load() -> dict[str, float]:
    """The 1-minute load average and the number of cores (how busy the machine was)."""
    one, _five, _fifteen = os.getloadavg()
    return {"load_1min": round(one, 2), "cores": float(os.cpu_count() or 1)}


def rotation(names: Sequence[T], repetition: int) -> list[T]:
    """The order of one repetition: ``names`` rotated left by the repetition's number, so
    over ``len(names)`` repetitions each runs first (and after each of the others) once."""
    shift = repetition % len(names)
    return list(names[shift:]) + list(names[:shift])


def median_row(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One row from the rows of several repetitions: for every number the rows share, the
    median (NaNs left out), and under ``runs`` each repetition's value in the order run
    (their minimum and maximum are the spread shown next to the median); ``repetitions``
    says how many rows there were."""
    keys = [
        key
        for key, value in runs[0].items()
        if isinstance(value, int | float)
        and not isinstance(value, bool)
        and all(isinstance(r.get(key), int | float) for r in runs)
    ]
    out: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in runs if not math.isnan(r[key])]
        out[key] = statistics.median(values) if values else float("nan")
    out["runs"] = {key: [r[key] for r in runs] for key in keys}
    out["repetitions"] = len(runs)
    return out


def interleaved(
    cases: dict[str, Callable[[], Any]], repeat: int = 7, warmup: int = 1
) -> dict[str, dict[str, Any]]:
    """Time every case ``repeat`` times, one of each per round in rotating order.

    Returns per case the median, the minimum, every time (s) and the last result. Like
    :mod:`timeit`, the garbage collector is off while a case runs (and collected before),
    so a collection of another case's garbage does not land in this one's figure.
    """
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    results: dict[str, Any] = {}
    for round_ in range(warmup + repeat):
        for name in rotation(names, round_):
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                results[name] = cases[name]()
                elapsed = time.perf_counter() - start
            finally:
                gc.enable()
            if round_ >= warmup:
                times[name].append(elapsed)
    return {
        name: {
            "median_s": statistics.median(times[name]),
            "min_s": min(times[name]),
            "times_s": times[name],
            "result": results[name],
        }
        for name in names
    }
