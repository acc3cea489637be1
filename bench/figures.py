"""What a scenario measured, timing helpers, and the printed table."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from statistics import median


@dataclass
class Figure:
    """One line of the table: a rate per repetition, or the reason it could not be measured.

    A ``latency`` figure holds times (one per sample, in its unit) instead of rates: the
    table shows their median (p50) and p99 and no ratio to the baselines; nor does it for
    a figure that is not a rate (``ratios`` false, e.g. a size). ``ref`` names another
    figure; the table shows this one's median over that one's. A rate figure may also say
    the latency of the calls it counted (``p50_ms``, ``p99_ms``, in milliseconds): the
    results file and BENCHMARKS.md have them (the printed table only through the note).
    """

    key: str
    label: str
    unit: str
    rates: list[float] = field(default_factory=list)
    note: str = ""
    error: str | None = None
    latency: bool = False
    ratios: bool = True
    ref: str | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None

    @property
    def rate(self) -> float | None:
        return median(self.rates) if self.rates and self.error is None else None


@dataclass
class Measured:
    """A scenario set up and ready: each call of ``once`` runs one repetition, returns its rate."""

    figure: Figure
    once: Callable[[], Awaitable[float]] | None


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    """Seconds one call of ``work`` takes."""
    start = time.perf_counter()
    await work()
    return time.perf_counter() - start


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p <= 100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def number(value: float) -> str:
    """``value`` as the table prints it: more digits the smaller it is."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def _ratio(rate: float | None, base: float | None) -> str:
    if rate is None or not base:
        return "—"
    return f"{rate / base:.2f}×"


def table(figures: Sequence[Figure], base_a: str, base_b: str) -> str:
    """The figures as a plain table; ratios are median rate over a baseline's median rate."""
    by_key = {f.key: f for f in figures}
    a = by_key[base_a].rate if base_a in by_key else None
    b = by_key[base_b].rate if base_b in by_key else None
    kw = max(len(f.key) for f in figures)
    lw = max(len(f.label) for f in figures)
    uw = max(len(f.unit) for f in figures)
    header = (
        f"{'':{kw}}  {'scenario':<{lw}}  {'median':>9} {'unit':<{uw}}  "
        f"{'min–max (reps)':<22} {'vs A':>6} {'vs B':>6}  vs ref"
    )
    lines = [header, "-" * len(header)]
    for f in figures:
        if f.rate is None:
            lines.append(f"{f.key:<{kw}}  {f.label:<{lw}}  {'not run':>9}  ({f.error})")
            continue
        if f.latency:
            spread = f"p99 {number(percentile(f.rates, 99))} ({len(f.rates)})"
            vs_a = vs_b = "—"
        else:
            spread = f"{number(min(f.rates))}–{number(max(f.rates))} ({len(f.rates)})"
            vs_a, vs_b = (_ratio(f.rate, a), _ratio(f.rate, b)) if f.ratios else ("—", "—")
        ref = by_key.get(f.ref) if f.ref else None
        vs_ref = f"{_ratio(f.rate, ref.rate)} {ref.key}" if ref and ref.rate else ""
        lines.append(
            f"{f.key:<{kw}}  {f.label:<{lw}}  {number(f.rate):>9} {f.unit:<{uw}}  "
            f"{spread:<22} {vs_a:>6} {vs_b:>6}  {vs_ref}".rstrip()
        )
        lines += [f"{'':{kw}}    {line}" for line in f.note.splitlines()]
    return "\n".join(lines)
