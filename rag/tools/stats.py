"""The timing loops and the median-and-spread summary every benchmark tool reports with (bench,
ray_bench, real_vectors, roofline): one definition, so their figures cannot drift apart. It imports
no other rag module, so any tool can use it without an import cycle."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Sequence, TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True)
class Stat:
    """A median over repeated measurements and its spread: min, max and the interquartile range."""

    median: float
    low: float
    high: float
    q1: float
    q3: float
    n: int


def summarize(values: Sequence[float]) -> Stat:
    """Median, min, max and quartiles of some measurements (ValueError if there are none)."""
    if len(values) == 0:
        raise ValueError("summarize needs at least one value")
    data = np.asarray(values, dtype=np.float64)
    q1, median, q3 = np.percentile(data, [25, 50, 75])
    return Stat(float(median), float(data.min()), float(data.max()), float(q1), float(q3), len(data))


def spread(values: Sequence[float]) -> dict[str, float]:
    """``{"median", "low", "high"}`` of some measurements: ``summarize`` without the quartiles."""
    stat = summarize(values)
    return {"median": stat.median, "low": stat.low, "high": stat.high}


def timed(run: Callable[[], T]) -> tuple[float, T]:
    """Seconds one call of ``run`` took, and what it returned."""
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def best_time(run: Callable[[], object], seconds: float = 1.0) -> float:
    """Best time of one call of ``run`` over about ``seconds`` of repeats (after one warm-up)."""
    run()
    best, spent = float("inf"), 0.0
    while spent < seconds:
        took = timed(run)[0]
        best, spent = min(best, took), spent + took
    return best


def timed_searches(search: Callable[[np.ndarray], T], queries: np.ndarray) -> tuple[list[T], list[float]]:
    """Each query searched alone, as a server does (``search`` gets it as a 1 x dim row): the
    results in query order and each search's seconds."""
    results: list[T] = []
    seconds: list[float] = []
    for query in queries:
        row = query.reshape(1, -1)
        started = time.perf_counter()
        results.append(search(row))
        seconds.append(time.perf_counter() - started)
    return results, seconds


@dataclass(frozen=True)
class CpuClock:
    """A reading of the machine's busy CPU seconds and of this process's own (with its waited-for
    children), so that a benchmark can tell afterwards how much of the CPU other work took."""

    wall: float
    busy: float
    own: float


def cpu_clock() -> CpuClock | None:
    """Read the clocks now; None where there is no /proc/stat (not Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            ticks = [int(x) for x in handle.readline().split()[1:9]]   # user nice system idle iowait irq softirq steal
    except (OSError, ValueError):
        return None
    busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    t = os.times()
    return CpuClock(time.monotonic(), busy, t.user + t.system + t.children_user + t.children_system)


def other_load(since: CpuClock | None) -> float | None:
    """Cores other processes kept busy on average since ``since``: the machine's busy time less
    this process's and its waited-for children's. Unlike the load average, which counts the
    benchmark itself, this says whether anything else was running (None if unknown)."""
    now = cpu_clock()
    if since is None or now is None or now.wall <= since.wall:
        return None
    other = (now.busy - since.busy) - (now.own - since.own)
    return max(0.0, other / (now.wall - since.wall))
