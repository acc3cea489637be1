"""The run's results as data (bench/results/*.json) and as a page (BENCHMARKS.md).

``result`` makes the JSON object a run writes; ``markdown`` makes the page from that object
alone, so ``python bench/report.py bench/results/latest.json`` writes BENCHMARKS.md again
from a run's results without running it again.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from figures import Figure, number, percentile

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PAGE = BENCH.parent / "BENCHMARKS.md"
BASE = "A"  # the baseline of a rate figure with no ``ref``, as the table's "vs A"
MS = {"ms": 1.0, "µs": 1e-3, "us": 1e-3, "ns": 1e-6, "s": 1000.0}


def records(figures: Sequence[tuple[str, Figure]]) -> list[dict[str, Any]]:
    """One record per figure, in the table's order; each pair is (section, figure)."""
    by_key = {f.key: f for _, f in figures}
    return [record(f, section, by_key) for section, f in figures]


def record(f: Figure, section: str, by_key: dict[str, Figure]) -> dict[str, Any]:
    """A figure as data: its median (a latency's p50, in its unit), its baseline and ratio,
    its p50 and p99 in ms, the spread of its repetitions (a latency's: of its samples)."""
    value = f.rate
    baseline = _baseline(f, by_key)
    base = by_key[baseline].rate if baseline in by_key else None
    p50, p99 = _latency_ms(f)
    out: dict[str, Any] = {
        "name": f.key,
        "label": f.label,
        "section": section,
        "value": value,
        "unit": f.unit,
        "baseline": baseline,
        "ratio": value / base if value is not None and base else None,
        "p50_ms": p50,
        "p99_ms": p99,
        "min": min(f.rates) if value is not None else None,
        "max": max(f.rates) if value is not None else None,
        "reps": len(f.rates),
    }
    if f.note:
        out["note"] = f.note
    if value is None:
        out["error"] = f.error or "nothing was measured"
    return out


def _baseline(f: Figure, by_key: dict[str, Figure]) -> str | None:
    if f.ref:
        return f.ref
    rate_vs_a = f.ratios and not f.latency and f.key != BASE
    return BASE if rate_vs_a and BASE in by_key else None


def _latency_ms(f: Figure) -> tuple[float | None, float | None]:
    if not f.latency:
        return f.p50_ms, f.p99_ms
    to_ms = MS.get(f.unit)
    if f.rate is None or to_ms is None:
        return None, None
    return f.rate * to_ms, percentile(f.rates, 99) * to_ms


def write_json(result: dict[str, Any]) -> Path:
    """``result`` into bench/results/: quick.json for a quick run, else latest.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / ("quick.json" if result["quick"] else "latest.json")
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_page(result: dict[str, Any]) -> Path:
    """BENCHMARKS.md at the repository's root; never from a quick run."""
    if result["quick"]:
        raise ValueError("a quick run's figures are for catching rot: not written to the page")
    PAGE.write_text(markdown(result), encoding="utf-8")
    return PAGE


def markdown(result: dict[str, Any]) -> str:
    """The page: where and how the run ran, then the table."""
    return "\n".join([*_heading(result), "", *_table(result["figures"]), ""])


def _heading(result: dict[str, Any]) -> list[str]:
    m, pg = result["machine"], result["machine"]["postgresql"]
    libraries = ", ".join(f"{name} {v}" for name, v in m["libraries"].items())
    return [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`): do not edit by hand. What each line times,"
        " and how to read the ratios, is in [bench/README.md](bench/README.md).",
        "",
        f"- **date**: {result['started_at']}; the whole run took {result['wall_seconds']:.0f} s",
        f"- **command**: `{result['command']}` (commit {result.get('commit') or 'unknown'})",
        f"- **machine**: {m['cores']} cores ({m['cpu']}), {m['system']} {m['kernel']};"
        f" 1-min load average {m['load_at_start']:.2f} at start, {m['load_at_end']:.2f} at end",
        f"- **postgresql**: {pg['version']}, {pg['server']}; fsync={pg['fsync']},"
        f" synchronous_commit={pg['synchronous_commit']}, shared_buffers={pg['shared_buffers']}",
        f"- **python**: {m['python']}; {libraries}",
        "",
        "Each rate is the median over the repetitions; a latency's median is its p50 over the"
        " samples. The ratio is of medians (of p50s for latencies), over the baseline named"
        " beside it.",
    ]


COLUMNS = (
    "key",
    "what",
    "median",
    "unit",
    "min–max (reps)",
    "p50 ms",
    "p99 ms",
    "ratio",
    "baseline",
)


def _table(figures: Sequence[dict[str, Any]]) -> list[str]:
    head = f"| {' | '.join(COLUMNS)} |"
    rule = (
        "|"
        + "|".join(
            "---:" if c in {"median", "p50 ms", "p99 ms", "ratio"} else "---" for c in COLUMNS
        )
        + "|"
    )
    return [head, rule, *(_row(r) for r in figures)]


def _row(r: dict[str, Any]) -> str:
    what = "<br>".join([r.get("label", ""), *r.get("note", "").splitlines()])
    if r["value"] is None:
        cells = [r["name"], f"{what}<br>not run: {r.get('error')}", "not run", r["unit"]]
        cells += ["—"] * 5
    else:
        cells = [
            r["name"],
            what,
            number(r["value"]),
            r["unit"],
            f"{number(r['min'])}–{number(r['max'])} ({r['reps']})",
            _maybe(r["p50_ms"]),
            _maybe(r["p99_ms"]),
            f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—",
            r["baseline"] or "—",
        ]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _maybe(value: float | None) -> str:
    return "—" if value is None else number(value)


if __name__ == "__main__":
    # Write BENCHMARKS.md again from a run's results (default bench/results/latest.json).
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS / "latest.json"
    print(write_page(json.loads(source.read_text(encoding="utf-8"))))
