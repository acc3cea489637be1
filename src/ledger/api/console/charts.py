"""Charts drawn on the server as inline SVG: the geometry here, the markup in
``templates/charts.html``. No script and no ``style`` attributes (the page's content security
policy allows neither): colours are ``fill`` attributes.

``stacked`` lays out horizontal bars split by how findings stand (the open-loop counts);
``timeline`` lays out a person's posts as bars over the years.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# How a finding stands, in the order a bar is stacked: closed well first, overdue last.
# Each part is a count of the API's open-loop counts (open_in_time: open, not overdue).
PARTS = (
    ("rectified_on_time", "按期整改", "#2e7d32"),
    ("rectified_after_extension", "延期后整改", "#8bc34a"),
    ("rectified_late", "逾期整改", "#f0a030"),
    ("referred", "移送处理", "#8d6e63"),
    ("dismissed", "不予认定", "#b0bec5"),
    ("open_in_time", "未办结（未逾期）", "#1f5fa8"),
    ("overdue", "已逾期未办结", "#b3261e"),
)
LABEL_CHARS = 14
ROW = 26
BAR = 18
TOP = 44  # legend and the scale above the bars


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    fill: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    href: str | None
    total: int
    y: float
    end: float
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    left: int
    bars: list[Bar]
    ticks: list[Tick]
    legend: list[Segment]


def parts(counts: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The counts a bar is stacked from; they add up to ``total``."""
    values = dict(counts)
    values["open_in_time"] = int(counts["open"]) - int(counts["overdue"])
    return [(key, int(values[key])) for key, _, _ in PARTS]


def short(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _step(largest: int) -> int:
    """A round step that puts at most six ticks on a scale up to ``largest``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if largest / (step * factor) <= 6:
                return step * factor
        step *= 10


def _legend(width: int) -> list[Segment]:
    slot = width / len(PARTS)
    return [
        Segment(key, label, fill, 0, round(i * slot, 1), slot)
        for i, (key, label, fill) in enumerate(PARTS)
    ]


def stacked(
    title: str,
    rows: Sequence[tuple[str, str | None, Mapping[str, Any]]],
    *,
    width: int = 960,
    left: int = 210,
) -> Chart:
    """One bar per ``(label, link, counts)``, on a common scale."""
    plot = width - left - 48
    largest = max((int(counts["total"]) for _, _, counts in rows), default=0)
    step = _step(max(largest, 1))
    top = -(-max(largest, 1) // step) * step
    scale = plot / top
    bars = []
    for index, (label, href, counts) in enumerate(rows):
        x = float(left)
        segments = []
        for key, count in parts(counts):
            if count:
                name, fill = next((n, f) for k, n, f in PARTS if k == key)
                segments.append(
                    Segment(key, name, fill, count, round(x, 1), round(count * scale, 1))
                )
                x += count * scale
        bars.append(
            Bar(
                short(label),
                label,
                href,
                int(counts["total"]),
                TOP + index * ROW,
                round(x, 1),
                segments,
            )
        )
    ticks = [Tick(round(left + v * scale, 1), str(v)) for v in range(0, top + 1, step)]
    return Chart(title, width, TOP + len(rows) * ROW + 8, left, bars, ticks, _legend(width))


@dataclass(frozen=True)
class Span:
    label: str
    detail: str
    fill: str
    y: float
    x: float
    width: float
    start: date
    end: date | None


@dataclass(frozen=True)
class Timeline:
    title: str
    width: int
    height: int
    left: int
    spans: list[Span]
    ticks: list[Tick]


ROLE_FILLS = {"principal": "#8f1d17", "leader": "#1f5fa8", "staff": "#607d8b"}


def timeline(
    title: str,
    posts: Sequence[Mapping[str, Any]],
    today: date,
    *,
    width: int = 960,
    left: int = 260,
) -> Timeline:
    """A bar per post from ``effective_from`` to ``effective_to`` (or today), over the years."""
    first = min((date.fromisoformat(p["effective_from"]) for p in posts), default=today)
    start = date(first.year, 1, 1)
    end = date(today.year + 1, 1, 1)
    plot = width - left - 16
    days = (end - start).days or 1

    def at(day: date) -> float:
        return round(left + plot * (min(max(day, start), end) - start).days / days, 1)

    spans = []
    for index, post in enumerate(posts):
        began = date.fromisoformat(post["effective_from"])
        ended = date.fromisoformat(post["effective_to"]) if post.get("effective_to") else None
        x = at(began)
        spans.append(
            Span(
                short(f"{post.get('unit_name') or ''} {post['title']}", 20),
                f"{post.get('unit_name') or ''} {post['title']}",
                ROLE_FILLS.get(post["role"], "#607d8b"),
                TOP - 20 + index * ROW,
                x,
                max(at(ended or today) - x, 2.0),
                began,
                ended,
            )
        )
    every = max(1, -(-(end.year - start.year) // 12))
    ticks = [
        Tick(at(date(year, 1, 1)), str(year)) for year in range(start.year, end.year + 1, every)
    ]
    return Timeline(title, width, TOP - 20 + len(posts) * ROW + 6, left, spans, ticks)
