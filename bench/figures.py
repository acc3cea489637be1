"""What a scenario measured, timing helpers, and the printed table."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from statistics import median


@dataclass
class Figure:
    """One line of the table: a rate per repetition, or the reason it could not be measured."""

    key: str
    label: str
    unit: str
    rates: list[float] = field(default_factory=list)
    note: str = ""
    error: str | None = None

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


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


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
        f"{'min–max (reps)':<22} {'vs A':>6} {'vs B':>6}"
    )
    lines = [header, "-" * len(header)]
    for f in figures:
        if f.rate is None:
            lines.append(f"{f.key:<{kw}}  {f.label:<{lw}}  {'not run':>9}  ({f.error})")
            continue
        spread = f"{_rate(min(f.rates))}–{_rate(max(f.rates))} ({len(f.rates)})"
        lines.append(
            f"{f.key:<{kw}}  {f.label:<{lw}}  {_rate(f.rate):>9} {f.unit:<{uw}}  "
            f"{spread:<22} {_ratio(f.rate, a):>6} {_ratio(f.rate, b):>6}"
        )
        if f.note:
            lines.append(f"{'':{kw}}    {f.note}")
    return "\n".join(lines)
