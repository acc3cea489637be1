"""The demo data set loads through the application, once, and makes sound chains."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from ledger.application import Ledger
from ledger.demo import load_demo
from ledger.demo.chains_data import CHANGE_OF_TERM, ENDINGS, REDIVISIONS
from ledger.demo.cycle_data import AS_OF, CASE, CLUES, INDICATORS, REASSESSMENT, SCORES
from ledger.demo.cycle_findings import FINDINGS
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.assessment import Assessment, assessment_id
from ledger.domain.bulletin import Bulletin
from ledger.domain.clue import Clue, clue_id
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.vocab import (
    BulletinKind,
    FindingStage,
    InspectionStage,
    Liability,
    Outcome,
    SanctionKind,
    SanctionState,
    TriageOutcome,
)
from ledger.projections.chain import queries as chain_query
from tests.conftest import log_count


def _principals(chain: dict[str, Any]) -> list[str]:
    return [node["person_name"] for node in chain["chain"] if node["role"] == "principal"]


async def _city_government(pool: asyncpg.Pool) -> Any:
    return await pool.fetchval(
        "SELECT unit_id FROM chain_units WHERE code = 'wx.gov' AND known_to IS NULL"
    )


async def test_demo_loads_once(pool: asyncpg.Pool) -> None:
    first = await load_demo(pool)
    created = first["units"] + first["persons"] + first["assignments"]
    chains = created + len(ENDINGS) + len(REDIVISIONS)
    count = await log_count(pool)
    assert first["events"] == first["head"] == count
    assert first["events"] > chains
    assert first["findings"] == len(FINDINGS)

    second = await load_demo(pool)

    assert second["events"] == 0
    assert await log_count(pool) == count
    assert {k: v for k, v in second.items() if k != "events"} == {
        k: v for k, v in first.items() if k != "events"
    }


async def test_city_government_chain_before_and_after_the_change_of_term(
    pool: asyncpg.Pool, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    unit_id = await _city_government(pool)

    after = await chain_query.chain(pool, unit_id, date(2023, 7, 1))
    before = await chain_query.chain(pool, unit_id, date(2020, 11, 7))
    on_the_day = await chain_query.chain(pool, unit_id, date.fromisoformat(CHANGE_OF_TERM))

    assert after is not None and before is not None and on_the_day is not None
    assert _principals(after) == ["简立鹏"]
    assert _principals(on_the_day) == ["简立鹏"]
    assert _principals(before) == ["周振华"]
    for chain in (after, before):
        assert not [gap for gap in chain["gaps"] if gap["kind"] == "no_principal"]


async def test_every_demo_unit_has_a_principal_and_unbroken_lines(
    pool: asyncpg.Pool, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    units = await pool.fetch("SELECT unit_id, code FROM chain_units WHERE known_to IS NULL")

    broken = {}
    for unit in units:
        chain = await chain_query.chain(pool, unit["unit_id"], date(2024, 6, 1))
        assert chain is not None
        kinds = {gap["kind"] for gap in chain["gaps"]} - {"uncovered_category"}
        if kinds:
            broken[unit["code"]] = kinds
    assert broken == {}


# The closed loop of 2024 (demo/cycle_data, demo/cycle_findings)

LATE = {"F03", "F07"}  # rectified after an extended deadline
REJECTED_ONCE = "F05"
REFERRED = "F02"
OPEN_OVERDUE = "F08"
DISMISSED = "F09"
ON_TIME = {"F01", "F04", "F06", "F10", "F11", "F12"}


async def _streams(pool: asyncpg.Pool, topic: str) -> list[UUID]:
    """The streams whose first event has ``topic``, in log order."""
    rows = await pool.fetch(
        "SELECT stream_id FROM ledger_events WHERE topic = $1 ORDER BY position",
        f"ledger.domain.{topic}",
    )
    return [row["stream_id"] for row in rows]


async def _topics(pool: asyncpg.Pool, stream_id: UUID) -> list[str]:
    rows = await pool.fetch(
        "SELECT topic FROM ledger_events WHERE stream_id = $1 ORDER BY position", stream_id
    )
    return [row["topic"].rsplit(".", 1)[1] for row in rows]


async def _ids(pool: asyncpg.Pool, table: str, key: str) -> dict[str, UUID]:
    """Current units by code or persons by name, from the chain's read model."""
    column = "unit_id" if table == "chain_units" else "person_id"
    rows = await pool.fetch(f"SELECT {key}, {column} FROM {table} WHERE known_to IS NULL")
    return {row[key]: row[column] for row in rows}


async def _findings(pool: asyncpg.Pool, ledger: Ledger) -> dict[str, Finding]:
    """The demo's findings by their key in the data, matched by description."""
    keys = {spec.description: spec.key for spec in FINDINGS}
    found = [
        await ledger.store.get(Finding, i) for i in await _streams(pool, "finding:Finding.Raised")
    ]
    return {keys[finding.description]: finding for finding in found}


async def test_every_loop_ends_as_intended(
    pool: asyncpg.Pool, ledger: Ledger, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    units = await _ids(pool, "chain_units", "code")
    persons = await _ids(pool, "chain_persons", "name")
    findings = await _findings(pool, ledger)
    as_of = date.fromisoformat(AS_OF)

    assert set(findings) == {spec.key for spec in FINDINGS}
    assert ON_TIME | LATE | {REJECTED_ONCE, REFERRED, OPEN_OVERDUE, DISMISSED} == set(findings)
    for key, finding in findings.items():
        liabilities = {a.liability for a in finding.attributions.values()}
        assert Liability.PRINCIPAL in liabilities, key
        overdue = (as_of - finding.deadline).days if key == OPEN_OVERDUE else 0
        assert finding.days_overdue(as_of) == overdue, key
    for key in ON_TIME | LATE | {REJECTED_ONCE}:
        finding = findings[key]
        assert (finding.stage, finding.outcome) == (FindingStage.CLOSED, Outcome.RECTIFIED), key
        assert "RectificationVerified" in await _topics(pool, finding.id)
        assert finding.verified_on is not None
        late = finding.verified_on > finding.original_deadline
        assert late == (key in LATE), key
        assert (finding.deadline > finding.original_deadline) == (key in LATE), key
    rejected = await _topics(pool, findings[REJECTED_ONCE].id)
    assert rejected.count("RectificationRejected") == 1
    assert rejected.index("RectificationRejected") < rejected.index("RectificationVerified")
    referred = findings[REFERRED]
    assert (referred.outcome, referred.referred_to) == (Outcome.REFERRED, units["wx.jw"])
    dismissed = findings[DISMISSED]
    assert (dismissed.stage, dismissed.outcome) == (FindingStage.CLOSED, Outcome.DISMISSED)
    still_open = findings[OPEN_OVERDUE]
    assert still_open.stage is FindingStage.RECTIFYING
    direct = {
        key: [p for p, a in f.attributions.items() if a.liability is Liability.DIRECT]
        for key, f in findings.items()
        if key in {"F01", "F02", "F05", "F12"}
    }
    assert direct == {
        "F01": [persons["班立伟"]],
        "F02": [persons["甘永福"]],
        "F05": [persons["靳子墨"]],
        "F12": [persons["蔺一凡"]],
    }
    for key in LATE:
        events = await ledger.events.read_stream(findings[key].id)
        extended = [e for e in events if e.topic.endswith(".DeadlineExtended")]
        assert len(extended) == 1
    # The read model of the loop agrees: one finding open and overdue on the demo's "today".
    overdue = await pool.fetch(
        "SELECT finding_id FROM loop_findings WHERE known_to IS NULL"
        " AND stage <> 'closed' AND deadline < $1",
        as_of,
    )
    assert [row["finding_id"] for row in overdue] == [still_open.id]


async def test_the_referred_finding_ends_in_a_sanction_modified_on_appeal(
    pool: asyncpg.Pool, ledger: Ledger, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    persons = await _ids(pool, "chain_persons", "name")
    units = await _ids(pool, "chain_units", "code")
    findings = await _findings(pool, ledger)

    [case_id] = await _streams(pool, "accountability:AccountabilityCase.Opened")
    case = await ledger.store.get(AccountabilityCase, case_id)

    assert case.person_id == persons[CASE.person]
    assert case.finding_ids == [findings[REFERRED].id]
    assert case.handling_unit_id == units["wx.jw"]
    assert case.closed
    [sanction] = case.sanctions.values()
    assert (sanction.original_kind, sanction.kind, sanction.state) == (
        SanctionKind.PARTY_DISCIPLINE,
        SanctionKind.ADMONISHMENT_TALK,
        SanctionState.MODIFIED,
    )
    assert await _topics(pool, case_id) == [
        "Opened",
        "SanctionImposed",
        "Appealed",
        "SanctionModified",
        "Closed",
    ]
    # The referred finding was attributed to the person the case is against.
    assert persons[CASE.person] in findings[REFERRED].attributions


async def test_a_clue_delivered_twice_is_one_clue(pool: asyncpg.Pool, ledger: Ledger) -> None:
    summary = await load_demo(pool)
    findings = await _findings(pool, ledger)

    clues = {
        spec.external_id: await ledger.store.get(Clue, clue_id(spec.origin, spec.external_id))
        for spec in CLUES
    }
    assert sorted(await _streams(pool, "clue:Clue.Received")) == sorted(
        c.id for c in clues.values()
    )
    assert summary["clue_deliveries"] > summary["clues"] == len(clues)
    [twice] = [spec for spec in CLUES if spec.deliveries == 2]
    assert await _topics(pool, clue_id(twice.origin, twice.external_id)) == ["Received"]
    [triaged] = [spec.clue for spec in FINDINGS if spec.clue is not None]
    assert triaged is not None
    assert clues[triaged].outcome is TriageOutcome.FINDING
    [from_clue] = [f for f in findings.values() if f.clue_id is not None]
    assert (clues[triaged].finding_id, from_clue.clue_id) == (from_clue.id, clues[triaged].id)
    [dismissed] = [spec for spec in CLUES if spec.dismissed is not None]
    assert clues[dismissed.external_id].outcome is TriageOutcome.DISMISSED


async def test_the_inspection_closes_after_circulating_and_units_are_assessed(
    pool: asyncpg.Pool, ledger: Ledger, project: Callable[[], Awaitable[int]]
) -> None:
    await load_demo(pool)
    await project()
    units = await _ids(pool, "chain_units", "code")

    [inspection_id] = await _streams(pool, "inspection:Inspection.Planned")
    inspection = await ledger.store.get(Inspection, inspection_id)
    assert inspection.stage is InspectionStage.CLOSED
    assert inspection.organizer_unit_id == units["wx.fzb"]
    bulletins = [
        await ledger.store.get(Bulletin, i)
        for i in await _streams(pool, "bulletin:Bulletin.Issued")
    ]
    assert {b.kind for b in bulletins} == {BulletinKind.BRIEF, BulletinKind.SPECIAL_REPORT}
    brief = next(b for b in bulletins if b.kind is BulletinKind.BRIEF)
    for recipient in ("wx.jw", "wx.zzb", "js.fzb"):
        assert units[recipient] in brief.recipient_unit_ids
    [indicator_set_id] = await _streams(pool, "assessment:IndicatorSet.Defined")
    assessments = {
        unit: await ledger.store.get(Assessment, assessment_id(indicator_set_id, units[unit]))
        for unit in SCORES
    }
    reassessed, scores, *_ = REASSESSMENT
    assert {u for u, a in assessments.items() if a.version > 1} == {reassessed}
    codes = [code for code, _, _ in INDICATORS]
    assert assessments[reassessed].scores == dict(zip(codes, map(Decimal, scores), strict=True))
