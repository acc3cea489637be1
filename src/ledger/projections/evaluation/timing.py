"""A finding's rectification timing and the counts and rates of a period's findings: pure,
over the rows the period's reads fetched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from ledger.domain.vocab import RectificationTiming

TIMINGS = tuple(t.value for t in RectificationTiming)


def with_timing(finding: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Rectification on time (verified by the original deadline), on time after an
    extension (by the current one), late (after it), open (neither verified nor closed), or
    closed unverified (referred or dismissed); verification decides, not closing."""
    verified = finding["verified_on"]
    if verified is not None:
        if verified <= finding["original_deadline"]:
            timing = "on_time"
        elif verified <= finding["deadline"]:
            timing = "on_time_after_extension"
        else:
            timing = "late"
    else:
        timing = "open" if finding["stage"] != "closed" else "closed_unverified"
    overdue = timing == "open" and finding["deadline"] < as_of
    days = (as_of - finding["deadline"]).days if overdue else 0
    return {**finding, "timing": timing, "overdue": overdue, "days_overdue": days}


def rectification_counts(items: Sequence[dict[str, Any]]) -> dict[str, int]:
    counted = Counter(i["timing"] for i in items)
    return {
        "total": len(items),
        **{t: counted[t] for t in TIMINGS},
        "overdue": sum(1 for i in items if i["overdue"]),
    }


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    """Shares of all findings: on time (by the original deadline), on time only after an
    extension, late, open."""
    total = counts["total"]
    shares = {name: counts[name] for name in ("on_time", "on_time_after_extension", "late", "open")}
    return {k: round(v / total, 4) if total else None for k, v in shares.items()}
