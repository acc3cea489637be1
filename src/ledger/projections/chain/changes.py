"""What changed in a unit's chain: from its assignments' events as the log holds them,
with the document number (文号, ``basis``) and the reason each was recorded with.

The chain's tables keep neither, and a correction's old value lives only in its event, so
the changes are read from the log (every assignment event carries the tag ``unit:<id>``)
rather than from the read model. Two questions:

- ``in_valid_time``: what took effect in the world between two days (both included), as
  the ledger knows it now: who came, who left, whose portfolio or line changed;
- ``in_ledger_time``: what the ledger recorded between two positions: assignments, ends,
  changes and corrections (with old and new values), in ledger order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from ledger.infra.eventlog import RecordedEvent

Decoded = tuple[RecordedEvent, Any]  # an event as recorded, and as the domain reads it

ASSIGNMENT = ":Assignment."  # in the topic of every assignment event

# What only some kinds of change say: null in the others.
_BLANK = dict.fromkeys(
    [
        *("end_reason", "portfolio", "previous_portfolio"),
        *("reports_to", "previous_reports_to", "field", "old", "new"),
    ]
)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)


def _name(row: RecordedEvent) -> str:
    return row.topic.rpartition(".")[2]


@dataclass
class _Post:
    """An assignment folded from its events: its facts and its dated histories."""

    facts: dict[str, Any]
    portfolios: dict[date, list[Any]] = field(default_factory=dict)
    lines: dict[date, UUID | None] = field(default_factory=dict)

    def on(self, history: dict[date, Any], day: date) -> Any:
        """The value of ``history`` in effect on ``day`` (the latest start on or before)."""
        starts = [d for d in history if d <= day]
        return history[max(starts)] if starts else None


def _apply(posts: dict[UUID, _Post], row: RecordedEvent, e: Any) -> dict[str, Any] | None:
    """Fold the event into its post; the change it records (None for an unknown type)."""
    kind = _name(row)
    post = posts.get(row.stream_id)
    change: dict[str, Any] = _BLANK | {"position": row.position, "recorded_at": row.recorded_at}
    change |= {"assignment_id": row.stream_id, "actor": e.actor, "reason": e.reason}
    change["basis"] = e.basis
    if kind == "Assigned":
        facts = {k: _plain(getattr(e, k)) for k in ("person_id", "role", "title")}
        facts |= {"principal_title": _plain(e.principal_title), "end_reason": None}
        facts |= {"effective_from": e.effective_from, "effective_to": None}
        post = posts[row.stream_id] = _Post(facts)
        post.portfolios[date.min] = _plain(e.portfolio)
        post.lines[date.min] = e.reports_to
        return change | {"kind": "assigned", "on": e.effective_from}
    if post is None:
        return None
    if kind == "PortfolioChanged":
        before = post.on(post.portfolios, e.effective_on)
        post.portfolios[e.effective_on] = _plain(e.portfolio)
        change |= {"portfolio": _plain(e.portfolio), "previous_portfolio": before}
        return change | {"kind": "portfolio_changed", "on": e.effective_on}
    if kind == "LineChanged":
        before = post.on(post.lines, e.effective_on)
        post.lines[e.effective_on] = e.reports_to
        change |= {"reports_to": e.reports_to, "previous_reports_to": before}
        return change | {"kind": "line_changed", "on": e.effective_on}
    if kind == "Ended":
        post.facts |= {"effective_to": e.effective_to, "end_reason": _plain(e.end_reason)}
        change["end_reason"] = _plain(e.end_reason)
        return change | {"kind": "ended", "on": e.effective_to}
    if kind == "Corrected":
        name = _plain(e.field)
        if name == "reports_to":  # restates the latest line recorded
            post.lines[max(post.lines)] = e.new
        post.facts[name] = _plain(e.new)
        change |= {"field": name, "old": _plain(e.old), "new": _plain(e.new)}
        return change | {"kind": "corrected", "on": None}
    return None


def _fold(events: Iterable[Decoded]) -> tuple[dict[UUID, _Post], list[dict[str, Any]]]:
    posts: dict[UUID, _Post] = {}
    changes = []
    for row, e in events:
        if ASSIGNMENT in row.topic:
            change = _apply(posts, row, e)
            if change is not None:
                changes.append(change)
    return posts, changes


def _with_post(change: dict[str, Any], post: _Post) -> dict[str, Any]:
    """The change with who held which post (as the ledger knows it now)."""
    keep = ("person_id", "role", "title", "principal_title")
    return {k: post.facts[k] for k in keep} | change


def in_valid_time(events: Iterable[Decoded], start: date, end: date) -> list[dict[str, Any]]:
    """Who came, who left, whose portfolio or line changed on a day from ``start`` to
    ``end`` (both included), by day then position. The days are the ones known now (a
    corrected start or end counts on its corrected day); a change recorded again for the
    same day counts once, as recorded last."""
    posts, recorded = _fold(events)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for change in recorded:
        post = posts[change["assignment_id"]]
        kind = change["kind"]
        if kind == "assigned":
            change["on"] = post.facts["effective_from"]
        elif kind == "ended":
            change["on"] = post.facts["effective_to"]
            change["end_reason"] = post.facts["end_reason"]
        if change["on"] is not None and start <= change["on"] <= end:
            found[(change["assignment_id"], kind, change["on"])] = _with_post(change, post)
    return sorted(found.values(), key=lambda c: (c["on"], c["position"]))


def in_ledger_time(events: Iterable[Decoded], after: int, upto: int) -> list[dict[str, Any]]:
    """What the ledger recorded after position ``after`` up to ``upto``, in ledger order
    (``events`` from the start, so each change knows what it changed)."""
    posts, recorded = _fold(events)
    changes = []
    for change in recorded:
        if after < change["position"] <= upto:
            changes.append(_with_post(change, posts[change["assignment_id"]]))
    return changes
