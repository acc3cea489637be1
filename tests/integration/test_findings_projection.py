"""The loop read model (findings_v1) and its queries, driven through the command service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from ledger.application import Ledger
from ledger.application.commands import (
    Assign,
    Attribute,
    CloseFinding,
    CorrectFinding,
    EndAssignment,
    ExtendDeadline,
    FindingFromClue,
    PlanRectification,
    ReceiveClue,
    ReferFinding,
    RegisterPerson,
    RegisterUnit,
    RejectRectification,
    RenameUnit,
    ReportProgress,
    TriageClue,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.domain.vocab import (
    Category,
    ClueSource,
    EndReason,
    FindingField,
    Liability,
    Outcome,
    PrincipalTitle,
    Role,
    Severity,
    TriageOutcome,
    UnitKind,
    UnitLevel,
)
from ledger.infra.codec import make_mapper
from ledger.projections.common import NOW
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.findings import TABLES as FINDING_TABLES
from ledger.projections.findings import queries as findings_query
from ledger.projections.findings import report as findings_report
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import rebuild
from tests.world import CTX, FOUND_ON, World, build_world, raised_finding, started_inspection

Project = Callable[[], Awaitable[int]]


async def status(
    pool: asyncpg.Pool, finding_id: UUID, as_of: date, position: int = NOW
) -> dict[str, Any]:
    found = await findings_query.get_finding(pool, finding_id, as_of, position)
    assert found is not None
    return found


def then(finding: dict[str, Any]) -> dict[UUID, str]:
    return {a["person_id"]: a["liability"] for a in finding["responsible_then"]}


def now(finding: dict[str, Any]) -> dict[UUID, UUID | None]:
    """For each person responsible then, who holds their post now (None: vacant)."""
    return {
        r["for_person_id"]: r["holder"] and r["holder"]["person_id"]
        for r in finding["responsible_now"]
    }


async def person(ledger: Ledger, name: str) -> UUID:
    return (await ledger.persons.register_person(CTX, RegisterPerson(name=name, person_no=None))).id


async def unit_with_head(ledger: Ledger, name: str, parent: UUID | None) -> UUID:
    unit = await ledger.units.register_unit(
        CTX,
        RegisterUnit(
            name=name,
            kind=UnitKind.DEPARTMENT,
            level=UnitLevel.MUNICIPAL,
            parent_id=parent,
            code=None,
        ),
    )
    await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=unit.id,
            person_id=await person(ledger, name + "负责人"),
            role=Role.PRINCIPAL,
            title="负责人",
            principal_title=PrincipalTitle.UNIT_HEAD,
            portfolio=[],
            reports_to=None,
            effective_from=date(2021, 1, 1),
        ),
    )
    return unit.id


async def from_clue(
    ledger: Ledger,
    unit_id: UUID,
    found_on: date,
    deadline: date,
    category: Category = Category.OTHER,
) -> UUID:
    clue = await ledger.clues.receive_clue(
        CTX,
        ReceiveClue(
            source=ClueSource.PETITION,
            external_id=f"{unit_id}-{found_on}-{deadline}-{category.value}",
            summary="群众来信",
            received_at=datetime(2024, 1, 2, tzinfo=UTC),
            unit_id=unit_id,
        ),
    )
    raised = await ledger.clues.triage_into_finding(
        CTX,
        clue.id,
        TriageClue(
            outcome=TriageOutcome.FINDING,
            finding=FindingFromClue(
                unit_id=unit_id,
                category=category,
                severity=Severity.LOW,
                description="来信反映的问题",
                found_on=found_on,
                deadline=deadline,
            ),
        ),
    )
    return raised.id


async def verified(ledger: Ledger, finding_id: UUID, on: date) -> int:
    """Plan, report complete and verify on ``on``; the position of the verification."""
    await ledger.findings.plan_rectification(
        CTX,
        finding_id,
        PlanRectification(
            measures="整改", owner_person_id=None, deadline=None, planned_on=date(2024, 5, 20)
        ),
    )
    await ledger.findings.report_progress(
        CTX,
        finding_id,
        ReportProgress(reported_on=on, summary="已整改", evidence=[], complete=True),
    )
    result = await ledger.findings.verify_rectification(
        CTX, finding_id, VerifyRectification(verified_on=on, note=None)
    )
    return result.position


async def test_every_event_lands_and_known_at_shows_the_earlier_state(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    finding_id = await raised_finding(ledger, w, await started_inspection(ledger, w))
    attributed = await ledger.findings.attribute(
        CTX, finding_id, Attribute(person_id=w.clerk, liability=Liability.DIRECT, reason="经办人")
    )
    withdrawn = await ledger.findings.withdraw_attribution(
        CTX, finding_id, w.clerk, WithdrawAttribution(reason="误")
    )
    extended = await ledger.findings.extend_deadline(
        CTX,
        finding_id,
        ExtendDeadline(
            new_deadline=date(2024, 9, 30),
            approver_person_id=w.inspector,
            reason="涉及多部门",
            extended_on=date(2024, 5, 15),
        ),
    )
    planned = await ledger.findings.plan_rectification(
        CTX,
        finding_id,
        PlanRectification(
            measures="补全执法记录",
            owner_person_id=w.deputy,
            deadline=date(2024, 8, 15),
            planned_on=date(2024, 5, 20),
        ),
    )
    await ledger.findings.report_progress(
        CTX,
        finding_id,
        ReportProgress(reported_on=date(2024, 6, 1), summary="过半", evidence=[], complete=False),
    )
    await ledger.findings.report_progress(
        CTX,
        finding_id,
        ReportProgress(reported_on=date(2024, 6, 30), summary="完成", evidence=[], complete=True),
    )
    await ledger.findings.reject_rectification(
        CTX, finding_id, RejectRectification(reason="不全", rejected_on=date(2024, 7, 2))
    )
    await ledger.findings.report_progress(
        CTX,
        finding_id,
        ReportProgress(reported_on=date(2024, 7, 20), summary="补全", evidence=[], complete=True),
    )
    await ledger.findings.verify_rectification(
        CTX, finding_id, VerifyRectification(verified_on=date(2024, 7, 25), note=None)
    )
    last = await ledger.findings.close_finding(
        CTX, finding_id, CloseFinding(outcome=Outcome.RECTIFIED, closed_on=date(2024, 7, 26))
    )
    await project()

    f = await status(pool, finding_id, date(2024, 12, 1))
    assert (f["stage"], f["outcome"], f["version"]) == ("closed", "rectified", last.version)
    assert (f["measures"], f["owner_person_id"], f["plan_due_on"], f["planned_on"]) == (
        "补全执法记录",
        w.deputy,
        date(2024, 8, 15),
        date(2024, 5, 20),
    )
    assert (f["progress_reports"], f["last_reported_on"], f["rejections"]) == (
        3,
        date(2024, 7, 20),
        1,
    )
    assert (f["original_deadline"], f["deadline"], f["extensions"]) == (
        date(2024, 8, 31),
        date(2024, 9, 30),
        1,
    )
    assert (f["verified_on"], f["closed_on"], f["found_on"]) == (
        date(2024, 7, 25),
        date(2024, 7, 26),
        FOUND_ON,
    )
    assert f["source"]["kind"] == "inspection" and f["unit_name"] == "无锡市司法局"
    assert [(d["extension"], d["deadline"], d["previous_deadline"]) for d in f["deadlines"]] == [
        (0, date(2024, 8, 31), None),
        (1, date(2024, 9, 30), date(2024, 8, 31)),
    ]
    assert f["deadlines"][1]["approver_person_id"] == w.inspector
    assert then(f) == {w.head: "principal", w.deputy: "leadership"}
    raised_at = await pool.fetchrow(
        "SELECT min(e.position) AS position, min(s.recorded_at) AS recorded_at"
        " FROM ledger_events e JOIN ledger_seal s USING (position) WHERE e.stream_id = $1",
        finding_id,
    )
    assert f["raised_at"] == raised_at["recorded_at"]
    first = await pool.fetchval(
        "SELECT min(known_from) FROM loop_findings WHERE finding_id = $1", finding_id
    )
    assert first == raised_at["position"]
    rows = await pool.fetchval(
        "SELECT count(*) FROM loop_findings WHERE finding_id = $1", finding_id
    )
    assert rows == last.version  # one row per event: every event is a new version

    # as known earlier
    assert await findings_query.get_finding(pool, finding_id, FOUND_ON, first - 1) is None
    assert then(await status(pool, finding_id, FOUND_ON, attributed.position))[w.clerk] == "direct"
    before = await status(pool, finding_id, FOUND_ON, withdrawn.position - 1)
    assert w.clerk in then(before) and w.clerk not in then(f)
    assert before["responsible_then"][-1]["automatic"] is False
    at_plan = await status(pool, finding_id, date(2024, 10, 1), planned.position)
    assert (at_plan["stage"], at_plan["version"], at_plan["progress_reports"]) == (
        "rectifying",
        planned.version,
        0,
    )
    assert (at_plan["days_overdue"], at_plan["overdue"]) == (1, True)
    before_extension = await status(pool, finding_id, date(2024, 9, 1), extended.position - 1)
    assert (before_extension["deadline"], before_extension["days_overdue"]) == (
        date(2024, 8, 31),
        1,
    )
    assert len(before_extension["deadlines"]) == 1


async def test_days_overdue_as_of_dates(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    finding_id = await raised_finding(ledger, w, await started_inspection(ledger, w))
    await project()
    for day, days in [
        (date(2024, 5, 10), 0),
        (date(2024, 8, 31), 0),
        (date(2024, 9, 1), 1),
        (date(2024, 9, 30), 30),
    ]:
        f = await status(pool, finding_id, day)
        assert (f["days_overdue"], f["overdue"]) == (days, days > 0), day
    await ledger.findings.refer_finding(
        CTX,
        finding_id,
        ReferFinding(to_unit_id=w.discipline, reason="失职", referred_on=date(2024, 9, 2)),
    )
    await project()
    f = await status(pool, finding_id, date(2024, 9, 30))
    assert (f["stage"], f["referred_to"], f["referred_on"]) == (
        "referred",
        w.discipline,
        date(2024, 9, 2),
    )
    assert f["days_overdue"] == 30  # referred is not closed: still overdue
    await ledger.findings.close_finding(
        CTX, finding_id, CloseFinding(outcome=Outcome.REFERRED, closed_on=date(2024, 10, 5))
    )
    await project()
    f = await status(pool, finding_id, date(2024, 12, 31))
    assert (f["stage"], f["outcome"], f["days_overdue"], f["overdue"]) == (
        "closed",
        "referred",
        0,
        False,
    )


async def test_responsible_then_and_who_holds_the_post_now(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    finding_id = await raised_finding(ledger, w, await started_inspection(ledger, w))
    await ledger.findings.attribute(
        CTX, finding_id, Attribute(person_id=w.clerk, liability=Liability.DIRECT, reason="经办人")
    )
    await ledger.assignments.end_assignment(
        CTX, w.head_post, EndAssignment(effective_to=date(2024, 7, 1), reason=EndReason.TRANSFERRED)
    )
    await ledger.assignments.end_assignment(
        CTX, w.deputy_post, EndAssignment(effective_to=date(2024, 8, 1), reason=EndReason.RETIRED)
    )
    successor = await person(ledger, "吴局长")
    appointed = await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=w.bureau,
            person_id=successor,
            role=Role.PRINCIPAL,
            title="局长",
            principal_title=PrincipalTitle.UNIT_HEAD,
            portfolio=[],
            reports_to=None,
            effective_from=date(2024, 7, 1),
        ),
    )
    new_deputy = await person(ledger, "郑副局长")
    await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=w.bureau,
            person_id=new_deputy,
            role=Role.LEADER,
            title="副局长",
            principal_title=None,
            portfolio=[Category.LAW_ENFORCEMENT, Category.OTHER],
            reports_to=appointed.id,
            effective_from=date(2024, 9, 1),
        ),
    )
    await project()

    june = await status(pool, finding_id, date(2024, 6, 30))
    assert now(june) == {w.head: w.head, w.deputy: w.deputy, w.clerk: w.clerk}
    july = await status(pool, finding_id, date(2024, 7, 15))
    assert now(july) == {w.head: successor, w.deputy: w.deputy, w.clerk: w.clerk}
    head_now = next(r for r in july["responsible_now"] if r["for_person_id"] == w.head)
    assert head_now["holder"] == {
        "person_id": successor,
        "person_name": "吴局长",
        "assignment_id": appointed.id,
        "title": "局长",
    }
    assert (head_now["role"], head_now["principal_title"]) == ("principal", "unit_head")
    assert now(await status(pool, finding_id, date(2024, 8, 15)))[w.deputy] is None
    assert now(await status(pool, finding_id, date(2024, 9, 15)))[w.deputy] == new_deputy
    # who was responsible then never changes
    later = await status(pool, finding_id, date(2024, 9, 15))
    assert then(later) == {w.head: "principal", w.deputy: "leadership", w.clerk: "direct"}
    assert [a["title"] for a in later["responsible_then"]] == ["局长", "副局长", "科员"]
    assert later["responsible_then"][0]["person_name"] == "钱局长"
    # as known before the successor was recorded, the post was vacant
    known_before = await status(pool, finding_id, date(2024, 7, 15), appointed.position - 1)
    assert now(known_before)[w.head] is None


async def jurisdiction(ledger: Ledger, w: World) -> dict[str, UUID]:
    """Findings under the city: open overdue, open, rectified on time and late, referred,
    dismissed; one in a section under the bureau, one in another city."""
    inspection = await started_inspection(ledger, w)
    section = await unit_with_head(ledger, "执法科", w.bureau)
    elsewhere = await unit_with_head(ledger, "外市司法局", None)
    ids = {
        "late": await raised_finding(ledger, w, inspection, deadline=date(2024, 6, 30)),
        "due": await raised_finding(ledger, w, inspection),
        "section": await from_clue(
            ledger, section, date(2023, 3, 1), date(2024, 12, 31), Category.LEGAL_PUBLICITY
        ),
        "on_time": await raised_finding(ledger, w, inspection),
        "rectified_late": await raised_finding(ledger, w, inspection, deadline=date(2024, 6, 30)),
        "referred": await raised_finding(ledger, w, inspection, Category.MAJOR_DECISION),
        "dismissed": await from_clue(ledger, w.city, date(2024, 2, 1), date(2024, 3, 1)),
        "elsewhere": await from_clue(ledger, elsewhere, date(2024, 2, 1), date(2024, 3, 1)),
    }
    await verified(ledger, ids["on_time"], date(2024, 7, 25))
    await verified(ledger, ids["rectified_late"], date(2024, 7, 10))
    for key in ("on_time", "rectified_late"):
        await ledger.findings.close_finding(
            CTX, ids[key], CloseFinding(outcome=Outcome.RECTIFIED, closed_on=date(2024, 8, 1))
        )
    await ledger.findings.refer_finding(
        CTX,
        ids["referred"],
        ReferFinding(to_unit_id=w.discipline, reason="失职", referred_on=date(2024, 6, 1)),
    )
    await ledger.findings.close_finding(
        CTX, ids["referred"], CloseFinding(outcome=Outcome.REFERRED, closed_on=date(2024, 7, 1))
    )
    await ledger.findings.close_finding(
        CTX,
        ids["dismissed"],
        CloseFinding(outcome=Outcome.DISMISSED, reason="不属实", closed_on=date(2024, 2, 5)),
    )
    return ids | {"section_unit": section}


async def test_search_filters_subunits_and_pages(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    ids = await jurisdiction(ledger, w)
    await project()

    async def search(**kw: Any) -> list[UUID]:
        kw.setdefault("as_of", date(2024, 9, 30))
        kw.setdefault("limit", 50)
        return [f["id"] for f in await findings_query.search_findings(pool, **kw)]

    assert await search(unit_id=w.city) == [ids["dismissed"]]
    under_city = await search(unit_id=w.city, include_subunits=True)
    assert set(under_city) == set(ids.values()) - {ids["elsewhere"], ids["section_unit"]}
    assert under_city[-1] == ids["section"]  # found in 2023: last
    assert set(await search(unit_id=w.bureau, include_subunits=True)) == set(under_city) - {
        ids["dismissed"]
    }
    assert await search(unit_id=ids["section_unit"]) == [ids["section"]]
    elsewhere = ids["elsewhere"]
    assert set(await search(status="open")) == {ids["late"], ids["due"], ids["section"], elsewhere}
    assert await search(status="closed", category="major_decision") == [ids["referred"]]
    assert set(await search(overdue=True)) == {ids["late"], ids["due"], elsewhere}
    assert set(await search(overdue=True, as_of=date(2024, 8, 31))) == {ids["late"], elsewhere}
    assert ids["late"] not in await search(overdue=False)
    assert await search(year=2023) == [ids["section"]]
    assert await search(category="other", year=2024, unit_id=w.bureau) == []
    everything = await search()
    assert len(everything) == 8
    paged: list[UUID] = []
    after = None
    while True:
        page = await findings_query.search_findings(
            pool, as_of=date(2024, 9, 30), limit=3, after=after
        )
        paged += [f["id"] for f in page]
        if len(page) < 3:
            break
        after = (page[-1]["found_on"], page[-1]["id"])
    assert paged == everything


async def test_open_loop_report_counts_and_order(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    ids = await jurisdiction(ledger, w)
    await project()
    report = await findings_report.open_loop_report(pool, w.city, date(2024, 9, 30))
    assert report is not None
    assert report["unit"] == {"id": w.city, "name": "无锡市委"}
    assert [(f["id"], f["days_overdue"]) for f in report["open"]] == [
        (ids["late"], 92),
        (ids["due"], 30),
        (ids["section"], 0),
    ]
    totals = report["totals"]
    assert {k: totals[k] for k in ("total", "open", "overdue", "closed")} == {
        "total": 7,
        "open": 3,
        "overdue": 2,
        "closed": 4,
    }
    assert (totals["rectified"], totals["referred"], totals["dismissed"]) == (2, 1, 1)
    assert (totals["rectified_on_time"], totals["on_time_rate"]) == (1, 0.5)
    assert (totals["rectified_after_extension"], totals["rectified_late"]) == (0, 1)
    assert (totals["closed_rate"], totals["overdue_rate"]) == (0.5714, 0.6667)
    assert [(u["unit_name"], u["total"], u["open"], u["overdue"]) for u in report["by_unit"]] == [
        ("无锡市司法局", 5, 2, 2),
        ("执法科", 1, 1, 0),
        ("无锡市委", 1, 0, 0),
    ]
    categories = {c["category"]: (c["total"], c["open"]) for c in report["by_category"]}
    assert categories == {
        "law_enforcement": (4, 2),
        "legal_publicity": (1, 1),
        "major_decision": (1, 0),
        "other": (1, 0),
    }
    assert report["by_category"][0]["category"] == "law_enforcement"
    section = await findings_report.open_loop_report(pool, ids["section_unit"], date(2024, 9, 30))
    assert section is not None and section["totals"]["total"] == 1
    empty = await findings_report.open_loop_report(pool, w.office, date(2024, 9, 30))
    assert empty is not None and empty["open"] == [] and empty["by_unit"] == []
    assert empty["totals"]["total"] == 0 and empty["totals"]["closed_rate"] is None
    assert await findings_report.open_loop_report(pool, UUID(int=7), date(2024, 9, 30)) is None


async def dump(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    contents = {}
    for table in FINDING_TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")
        contents[table] = sorted((tuple(r.values()) for r in rows), key=repr)
    return contents


async def test_rebuild_gives_the_rows_of_catch_up(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    ids = await jurisdiction(ledger, w)
    await ledger.findings.extend_deadline(
        CTX,
        ids["due"],
        ExtendDeadline(
            new_deadline=date(2024, 11, 30),
            approver_person_id=w.inspector,
            reason="延期",
            extended_on=date(2024, 8, 1),
        ),
    )
    await project()
    before = await dump(pool)
    answer = await status(pool, ids["due"], date(2024, 9, 30))
    assert len(before["loop_deadlines"]) == 9
    await pool.execute("DELETE FROM loop_attributions")
    await pool.execute("UPDATE loop_findings SET stage = 'raised'")
    (projection,) = [p for p in PROJECTIONS if p.name == FINDINGS]
    applied = await rebuild(pool, make_mapper(), projection, FINDING_TABLES)
    assert applied == await ledger.events.head_position()
    assert await dump(pool) == before
    assert await status(pool, ids["due"], date(2024, 9, 30)) == answer
    assert await project() == 0


async def test_the_report_and_the_search_as_the_ledger_knew_them(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    """An auditor asks what the open-loop report said before a finding was dismissed."""
    w = await build_world(ledger)
    ids = await jurisdiction(ledger, w)
    before = await ledger.events.head_position()
    await ledger.findings.close_finding(
        CTX,
        ids["due"],
        CloseFinding(outcome=Outcome.DISMISSED, reason="不属实", closed_on=date(2024, 9, 1)),
    )
    await ledger.units.rename_unit(
        CTX, w.bureau, RenameUnit(name="无锡市司法局（更名）", effective_on=None)
    )
    await project()
    day = date(2024, 9, 30)
    then = await findings_report.open_loop_report(pool, w.city, day, before)
    now = await findings_report.open_loop_report(pool, w.city, day)
    assert then is not None and now is not None
    assert ids["due"] in [f["id"] for f in then["open"]]
    assert ids["due"] not in [f["id"] for f in now["open"]]
    assert (then["totals"]["open"], now["totals"]["open"]) == (3, 2)
    assert then["totals"]["dismissed"] + 1 == now["totals"]["dismissed"]
    names = {u["unit_name"] for u in then["by_unit"]} | {f["unit_name"] for f in then["open"]}
    assert "无锡市司法局" in names and "无锡市司法局（更名）" not in names
    searched = await findings_query.search_findings(
        pool,
        as_of=day,
        limit=50,
        unit_id=w.city,
        include_subunits=True,
        status="open",
        position=before,
    )
    assert ids["due"] in [f["id"] for f in searched]
    current = await findings_query.search_findings(
        pool, as_of=day, limit=50, unit_id=w.city, include_subunits=True, status="open"
    )
    assert ids["due"] not in [f["id"] for f in current]


async def test_a_correction_supersedes_the_row_and_known_at_shows_the_original(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    w = await build_world(ledger)
    inspection = await started_inspection(ledger, w)
    finding_id = await raised_finding(ledger, w, inspection)
    before = await ledger.events.head_position()
    await ledger.findings.correct_finding(
        CTX,
        finding_id,
        CorrectFinding(field=FindingField.SEVERITY, new=Severity.CRITICAL, reason="复核"),
    )
    corrected = await ledger.findings.correct_finding(
        CTX,
        finding_id,
        CorrectFinding(field=FindingField.DESCRIPTION, new="执法记录缺失", reason="笔误"),
    )
    await project()
    day = date(2024, 6, 1)
    now = await findings_query.get_finding(pool, finding_id, day)
    then = await findings_query.get_finding(pool, finding_id, day, before)
    assert now is not None and then is not None
    assert (now["severity"], now["description"], now["version"]) == (
        "critical",
        "执法记录缺失",
        corrected.version,
    )
    assert (then["severity"], then["description"]) == (
        "high",
        "行政执法“三项制度”落实不到位，执法记录不全",
    )
    assert now["responsible_then"] == then["responsible_then"]
