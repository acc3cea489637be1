"""The generated province imports through the ledger's own rules, with every kind of record
and every end of a finding's loop; the same seed gives the same lines, another seed others."""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from ledger.application.imports.importer import Importer
from ledger.application.imports.kinds import KINDS
from ledger.demo.province import province_lines, write_province
from ledger.infra.codec import make_mapper
from ledger.projections.findings import report
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import catch_up, rebuild
from tests.conftest import log_count
from tests.readmodels import snapshot

TODAY = date(2026, 11, 27)
PII_KEY = b"k" * 32

# Each end of the loop, as the findings' read model tells it apart on TODAY.
ENDS = {
    "rectified on time": "outcome = 'rectified' AND verified_on <= original_deadline"
    " AND rejections = 0",
    "rectified after an extension": "outcome = 'rectified' AND extensions > 0"
    " AND verified_on > original_deadline AND verified_on <= deadline",
    "rectified late": "outcome = 'rectified' AND verified_on > deadline",
    "rejected, then rectified": "outcome = 'rectified' AND rejections > 0",
    "referred, then closed": "outcome = 'referred'",
    "dismissed": "outcome = 'dismissed'",
    "still open, overdue": f"stage <> 'closed' AND deadline < '{TODAY}'",
    "open, referred": "stage = 'referred'",
    "open, awaiting verification": "stage = 'awaiting_verification'",
    "open, rectifying": "stage = 'rectifying'",
    "open, as raised": "stage = 'raised'",
}
# What the generator leaves to the API: moving or dissolving a unit.
NOT_GENERATED = {("unit", "move"), ("unit", "dissolve")}


async def test_a_small_province_imports_with_every_kind_and_every_end(
    pool: asyncpg.Pool, project: Callable[[], Awaitable[int]]
) -> None:
    lines = list(province_lines(scale=0.01))
    importer = Importer(pool, make_mapper(), PII_KEY, actor="admin", today=TODAY)
    texts = (json.dumps(line, ensure_ascii=False) for line in lines)
    staged = await importer.check(enumerate(texts, 1))
    assert staged.errors == [], [str(error) for error in staged.errors[:5]]
    await importer.write(staged)
    assert await log_count(pool) == len(staged.rows) > 10 * len(lines) / 3

    assert {line["kind"] for line in lines} == set(KINDS)
    ops = {(line["kind"], step["op"]) for line in lines for step in line.get("steps", ())}
    every = {(kind, op) for kind, spec in KINDS.items() for op in spec.steps}
    assert every - ops == NOT_GENERATED
    topics = {row.stored.topic.rsplit(".", 1)[-1] for row in staged.rows}
    assert {"Appealed", "SanctionUpheld", "SanctionModified", "SanctionRevoked"} <= topics

    await project()
    for end, where in ENDS.items():
        found = await pool.fetchval(
            f"SELECT count(*) FROM loop_findings WHERE known_to IS NULL AND {where}"
        )
        assert found > 0, end
    units = await pool.fetchval("SELECT count(DISTINCT unit_id) FROM loop_findings")
    assert units >= 10  # governments, departments and the party committee below


async def test_read_models_are_the_same_whatever_the_batches_they_are_applied_in(
    pool: asyncpg.Pool,
) -> None:
    """A batch changes its streams' rows in memory and writes them at once: caught up 7
    events at a time (a finding's events spread over many batches, its rows read back each
    time) or 5,000 at a time (a rebuild), every row of every read model is the same."""
    lines = (json.dumps(line, ensure_ascii=False) for line in province_lines(scale=0.01))
    importer = Importer(pool, make_mapper(), PII_KEY, actor="admin", today=TODAY)
    staged = await importer.run(enumerate(lines, 1))
    assert staged.errors == [] and staged.events > 15_000
    mapper = make_mapper()
    for projection in PROJECTIONS:
        assert await catch_up(pool, mapper, projection, batch_size=7) == staged.events
    small = await snapshot(pool)
    assert len(small["loop_findings"]) > len(small["loop_deadlines"]) > 1_000
    assert sum(r[-1] is None for r in small["loop_findings"]) < len(small["loop_findings"]) / 3
    for projection in PROJECTIONS:
        await rebuild(pool, mapper, projection, TABLES[projection.name])
    assert await snapshot(pool) == small


# The counts the findings' read model keeps, computed from its current rows.
COUNTED = (
    "SELECT unit_id, category, count(*), count(*) FILTER (WHERE stage = 'closed'),"
    " count(*) FILTER (WHERE outcome = 'rectified'), count(*) FILTER (WHERE outcome = 'referred'),"
    " count(*) FILTER (WHERE outcome = 'dismissed'),"
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on <= original_deadline),"
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on > original_deadline"
    "   AND verified_on <= deadline),"
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on > deadline)"
    " FROM loop_findings WHERE known_to IS NULL GROUP BY unit_id, category"
)
KEPT = (
    "SELECT unit_id, category, total, closed, rectified, referred, dismissed,"
    " rectified_on_time, rectified_after_extension, rectified_late FROM loop_counts"
    " WHERE total > 0"
)


async def test_the_open_loop_counts_kept_by_the_read_model_are_those_of_its_findings(
    pool: asyncpg.Pool,
) -> None:
    """The open-loop report reads the counts the findings' read model keeps per unit and
    category (``loop_counts``), batch by batch; they equal its current rows counted, and
    the report from them equals the report counted from every finding (as a read as known
    at a position is), for the province and each city, on days before, inside and after
    its years, page by page."""
    lines = (json.dumps(line, ensure_ascii=False) for line in province_lines(scale=0.01))
    importer = Importer(pool, make_mapper(), PII_KEY, actor="admin", today=TODAY)
    staged = await importer.run(enumerate(lines, 1))
    assert staged.errors == []
    mapper = make_mapper()
    for projection in PROJECTIONS:
        await catch_up(pool, mapper, projection, batch_size=13)
    counted = sorted(tuple(r) for r in await pool.fetch(COUNTED))
    assert sorted(tuple(r) for r in await pool.fetch(KEPT)) == counted
    assert len(counted) > 20

    head = await pool.fetchval("SELECT max(position) FROM ledger_events")
    units = await pool.fetch(
        "SELECT unit_id FROM chain_units WHERE known_to IS NULL"
        " AND (parent_id IS NULL OR level = 'municipal') ORDER BY code"
    )
    assert len(units) > 1
    for unit in [r[0] for r in units]:
        for day in (date(2019, 6, 1), date(2022, 3, 15), TODAY):
            kept = await report.open_loop_report(pool, unit, day, limit=7)
            scanned = await report.open_loop_report(pool, unit, day, head, limit=7)
            assert kept == scanned
            assert kept is not None
            order = sorted(
                kept["open"],
                key=lambda f: (-f["days_overdue"], f["deadline"], f["found_on"], str(f["id"])),
            )
            assert kept["open"] == order  # most overdue first
            if len(kept["open"]) < 7:
                continue
            last = kept["open"][-1]
            after = (last["days_overdue"], last["deadline"], last["found_on"], last["id"])
            following = await report.open_loop_report(pool, unit, day, limit=7, after=after)
            assert following is not None and following["open"]
            assert following["open"][0]["id"] not in {f["id"] for f in kept["open"]}
    root = await report.open_loop_report(pool, units[0][0], TODAY, limit=1)
    assert root is not None and root["totals"]["total"] == sum(r[2] for r in counted)
    assert root["totals"]["overdue"] > 0


def test_the_same_seed_gives_the_same_lines_and_another_seed_others() -> None:
    first = list(province_lines(scale=0.01, seed=7))
    assert list(province_lines(scale=0.01, seed=7)) == first
    assert list(province_lines(scale=0.01, seed=8)) != first
    written = io.StringIO()
    assert write_province(written, scale=0.01, seed=7) == len(first)
    assert written.getvalue().splitlines() == [json.dumps(x, ensure_ascii=False) for x in first]
    numbers = [x["create"]["person_no"] for x in first if x["kind"] == "person" and "create" in x]
    assert len(set(numbers)) == len(numbers) and all(len(n) == 18 for n in numbers)
    assert len({x["key"] for x in first}) == len(first)
