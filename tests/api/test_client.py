"""`ledger.client` against the real app: clues in and triaged, the feed out (pages and the
live stream resumed with Last-Event-ID), the loop's commands with If-Match and
Idempotency-Key, the commands on units, persons, assignments, inspections, cases and their
sanctions, bulletins and assessments, the reads of each and the lists followed by their
cursors, webhooks through their life, an import and its refused lines, the audit trail with
its proofs, the access log, checkpoints and a consistency proof (verified offline), the
vocabularies, and refusals raised as ProblemError."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from standardwebhooks.webhooks import Webhook

from ledger.api.app import create_app
from ledger.application import commands as c
from ledger.client import LedgerClient, Line, ProblemError, every
from ledger.client.errors import problem
from ledger.infra.settings import Settings
from ledger.offline import leaf_hash, verify_checkpoint, verify_consistency, verify_inclusion
from tests.api.test_loop_commands import Loop, build_loop, finding_body
from tests.conftest import Issue, bearer

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def clue(external_id: str, summary: str = "市民反映执法人员未出示证件") -> c.ReceiveClue:
    return c.ReceiveClue.model_validate(
        {
            "source": "hotline_12345",
            "external_id": external_id,
            "summary": summary,
            "received_at": "2024-04-02T09:30:00+08:00",
        }
    )


async def signed_through(ledger: LedgerClient, position: int) -> int:
    """The size of the first checkpoint that holds ``position`` (the sealer signs every
    0.5 s in tests)."""
    for _ in range(100):
        with contextlib.suppress(ProblemError):  # 404 before the first
            size = int((await ledger.checkpoint()).splitlines()[1])
            if size >= position:
                return size
        await asyncio.sleep(0.1)
    raise AssertionError(f"no checkpoint holds position {position}")


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(300):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in time")


@pytest.fixture
async def ledger_client(client: TestClient[Any, Any], issue: Issue) -> AsyncIterator[LedgerClient]:
    async with LedgerClient(
        str(client.make_url("")), issue("admin"), session=client.session
    ) as ledger:
        yield ledger


async def test_clues_are_delivered_one_and_in_a_batch_and_found_by_their_key(
    ledger_client: LedgerClient,
) -> None:
    first = await ledger_client.deliver_clue(clue("12345-1"))
    again = await ledger_client.deliver_clue(clue("12345-1"))
    assert (first.already_received, again.already_received, again.id) == (False, True, first.id)
    answer = await ledger_client.deliver_clues(
        [clue("12345-2"), clue("12345-1"), clue("12345-1", "另一内容")]
    )
    assert [item.status for item in answer.items] == [
        "created",
        "already_received",
        "conflicting",
    ]
    assert answer.items[2].differing == ["summary"]
    found = await ledger_client.find_clue("hotline_12345", "12345-2", min_position=answer.position)
    assert (found.id, found.summary) == (answer.items[0].id, "市民反映执法人员未出示证件")
    with pytest.raises(ProblemError) as missing:
        await ledger_client.find_clue("hotline_12345", "none")
    assert missing.value.status == 404


async def test_the_feed_is_followed_in_pages_and_live_resumed_with_last_event_id(
    ledger_client: LedgerClient,
) -> None:
    delivered = await ledger_client.deliver_clues([clue(f"feed-{n}") for n in range(3)])
    assert delivered.position is not None
    types = ["Clue.Received"]
    pages = await ledger_client.events(limit=2, types=types)
    assert [e.type for e in pages.items] == types * 2 and pages.next_cursor is not None
    every = [e async for e in ledger_client.all_events(types=types, limit=2)]
    assert [e.data["external_id"] for e in every] == [f"feed-{n}" for n in range(3)]
    assert every[0].data["source"] == "hotline_12345"  # the public name

    async with contextlib.aclosing(ledger_client.stream(types=types)) as live:
        first = await anext(live)
    assert first.position == every[0].position
    async with contextlib.aclosing(
        ledger_client.stream(last_event_id=first.position, types=types)
    ) as resumed:
        second = await anext(resumed)
    assert second.position == every[1].position
    async with contextlib.aclosing(
        ledger_client.follow(after=every[1].position, types=types)
    ) as followed:
        third = await anext(followed)
    assert third.data["external_id"] == "feed-2"


async def test_the_loop_is_driven_with_if_match_and_idempotency_keys(
    client: TestClient[Any, Any], ledger_client: LedgerClient
) -> None:
    loop: Loop = await build_loop(client, {})
    body = c.RaiseFinding.model_validate(finding_body(loop))
    raised = await ledger_client.raise_finding(body, idempotency_key="raise-1")
    replayed = await ledger_client.raise_finding(body, idempotency_key="raise-1")
    assert (replayed.id, replayed.position) == (raised.id, raised.position)
    finding = raised.id
    plan = c.PlanRectification.model_validate(
        {"measures": "补全执法记录", "owner_person_id": loop.deputy, "planned_on": "2024-05-20"}
    )
    with pytest.raises(ProblemError) as stale:
        await ledger_client.plan_rectification(finding, plan, if_match=raised.version - 1)
    assert (stale.value.status, stale.value.etag) == (412, f'"{raised.version}"')
    planned = await ledger_client.plan_rectification(finding, plan, if_match=raised.version)
    report = {"reported_on": "2024-06-30", "summary": "已完成", "complete": True}
    await ledger_client.report_progress(finding, c.ReportProgress.model_validate(report))
    rejection = {"reason": "记录仍不全", "rejected_on": "2024-07-02"}
    await ledger_client.reject(finding, c.RejectRectification.model_validate(rejection))
    extension = {
        "new_deadline": "2024-10-31",
        "reason": "涉及多部门",
        "approver_person_id": loop.inspector,
        "extended_on": "2024-07-05",
    }
    await ledger_client.extend_deadline(finding, c.ExtendDeadline.model_validate(extension))
    report |= {"reported_on": "2024-07-20"}
    await ledger_client.report_progress(finding, c.ReportProgress.model_validate(report))
    verified = await ledger_client.verify(
        finding, c.VerifyRectification.model_validate({"verified_on": "2024-07-25"})
    )
    closing = {"outcome": "rectified", "closed_on": "2024-07-26"}
    closed = await ledger_client.close_finding(
        finding, c.CloseFinding.model_validate(closing), if_match=verified.version
    )
    assert closed.version == verified.version + 1 > planned.version

    view = await ledger_client.finding(finding, min_position=closed.position)
    assert (view.stage, view.outcome, view.version) == ("closed", "rectified", closed.version)
    other = await ledger_client.raise_finding(c.RaiseFinding.model_validate(finding_body(loop)))
    referral = {"to_unit_id": loop.discipline, "reason": "失职", "referred_on": "2024-08-25"}
    referred = await ledger_client.refer(other.id, c.ReferFinding.model_validate(referral))
    assert (
        await ledger_client.finding(other.id, min_position=referred.position)
    ).referred_to == UUID(loop.discipline)

    chain = await ledger_client.chain(
        UUID(loop.bureau), valid_at=date(2024, 6, 1), min_position=referred.position
    )
    assert chain.chain[0].person_name == "钱局长" and chain.chain[0].reports
    report_now = await ledger_client.open_loop(UUID(loop.bureau), min_position=referred.position)
    assert (report_now.totals.closed, report_now.totals.open) == (1, 1)
    hits = await ledger_client.search("三项制度", min_position=referred.position)
    assert {hit.id for hit in hits.items} >= {finding}
    reference = await ledger_client.unit_reference(
        UUID(loop.bureau),
        date(2024, 1, 1),
        date(2024, 12, 31),
        purpose="年度考核 干部考察",
        min_position=referred.position,
    )
    assert reference.findings and reference.unit["id"] == loop.bureau
    person = await ledger_client.person_reference(
        UUID(loop.deputy), date(2024, 1, 1), date(2024, 12, 31), purpose="干部考察"
    )
    assert person.person["name"] == "孙副局长"

    size = await signed_through(ledger_client, referred.position)
    proof = await ledger_client.inclusion_proof(1, size=size, purpose="核验")
    assert (proof.format, proof.tree_size, proof.events[0].position) == (
        "ledger-proof-v1",
        size,
        1,
    )


async def test_a_refusal_is_a_problem_with_its_errors(
    ledger_client: LedgerClient, client: TestClient[Any, Any]
) -> None:
    with pytest.raises(ProblemError) as invalid:
        await ledger_client.events(types=["Nothing.Happened"])
    error = invalid.value
    assert (error.status, error.title) == (422, error.body["title"])
    assert [(e.field, e.rule) for e in error.errors] == [("types", "enum")]
    stranger = LedgerClient(str(client.make_url("")), "not-a-token", session=client.session)
    with pytest.raises(ProblemError) as unauthorized:
        await stranger.events()
    assert unauthorized.value.status == 401


def test_retry_after_is_exposed() -> None:
    answer = {"title": "Too many requests", "detail": "slow down", "status": 429}
    error = problem(429, {"Retry-After": "7"}, answer)
    assert (error.status, error.retry_after, error.errors) == (429, 7.0, [])
    assert str(error) == "429 Too many requests: slow down"


async def test_units_persons_and_their_posts(ledger_client: LedgerClient) -> None:
    ledger = ledger_client

    async def unit(name: str, kind: str, parent: UUID | None) -> UUID:
        body = {"name": name, "kind": kind, "level": "municipal", "parent_id": parent}
        return (await ledger.register_unit(c.RegisterUnit.model_validate(body))).id

    city = await unit("无锡市委", "party_committee", None)
    government = await unit("无锡市人民政府", "government", city)
    justice, police, schools = [
        await unit(name, "department", city)
        for name in ("无锡市司法局", "无锡市公安局", "无锡市教育局")
    ]
    await ledger.rename_unit(schools, c.RenameUnit(name="无锡市教育局（市语委）"), if_match=1)
    await ledger.move_unit(schools, c.MoveUnit(parent_id=government), if_match=2)
    dissolved = await ledger.dissolve_unit(police, c.DissolveUnit(merged_into=justice))
    moved = await ledger.unit(schools, min_position=dissolved.position)
    assert (moved.name, moved.parent_id, moved.version) == ("无锡市教育局（市语委）", government, 3)
    gone = await ledger.unit(police)
    assert (gone.dissolved, gone.merged_into) == (True, justice)
    first = await ledger.units(under=city, limit=2)
    assert len(first.items) == 2 and first.next_cursor is not None
    listed = [
        u async for u in every(lambda cursor: ledger.units(under=city, limit=2, cursor=cursor))
    ]
    assert sorted(u.id for u in listed) == sorted([city, government, justice, police, schools])
    assert [u.id for u in (await ledger.units(parent_id=government)).items] == [schools]

    number = "320201197001011234"
    head = (await ledger.register_person(c.RegisterPerson(name="钱局长", person_no=number))).id
    deputy = (await ledger.register_person(c.RegisterPerson(name="孙副局长"))).id
    clerk = (await ledger.register_person(c.RegisterPerson(name="李科员"))).id
    assert (await ledger.find_person(c.FindPerson(person_no=number), purpose="干部考察")).id == head
    await ledger.correct_person(
        deputy, c.CorrectPerson(name="孙明", reason="姓名登记有误"), if_match=1
    )

    async def assign(person: UUID, role: str, title: str, **more: Any) -> UUID:
        body = {"unit_id": justice, "person_id": person, "role": role, "title": title}
        body |= {"effective_from": "2021-01-01", **more}
        return (await ledger.assign(c.Assign.model_validate(body))).id

    head_post = await assign(head, "principal", "局长", principal_title="unit_head")
    deputy_post = await assign(
        deputy, "leader", "副局长", portfolio=["law_enforcement"], reports_to=head_post
    )
    clerk_post = await assign(clerk, "staff", "科员", reports_to=deputy_post)
    portfolio = {"portfolio": ["law_enforcement", "legality_review"], "effective_on": "2023-01-01"}
    await ledger.change_portfolio(deputy_post, c.ChangePortfolio.model_validate(portfolio))
    line = {"reports_to": head_post, "effective_on": "2023-06-01"}
    await ledger.change_line(clerk_post, c.ChangeLine.model_validate(line))
    correction = {"field": "title", "new": "局长（主持工作）", "reason": "职务名称登记有误"}
    await ledger.correct_assignment(head_post, c.CorrectAssignment.model_validate(correction))
    ending = {"effective_to": "2024-03-01", "reason": "transferred"}
    ended = await ledger.end_assignment(clerk_post, c.EndAssignment.model_validate(ending))

    summer = date(2023, 7, 1)
    post = await ledger.assignment(deputy_post, valid_at=summer, min_position=ended.position)
    assert (post.portfolio, post.reports_to) == (["law_enforcement", "legality_review"], head_post)
    assert (await ledger.assignment(clerk_post)).effective_to == date(2024, 3, 1)
    holders = await ledger.unit_persons(justice, valid_at=summer)
    assert sorted((h.person_name, h.title, h.reports_to) for h in holders.items) == sorted(
        [
            ("钱局长", "局长（主持工作）", None),
            ("孙明", "副局长", head_post),
            ("李科员", "科员", head_post),
        ]
    )
    posts = await ledger.person_posts(deputy, valid_at=summer, purpose="干部考察")
    assert [(p.unit_name, p.title) for p in posts.items] == [("无锡市司法局", "副局长")]
    person = await ledger.person(deputy, purpose="干部考察")
    assert (person.name, [a.id for a in person.assignments]) == ("孙明", [deputy_post])
    assert [p.id for p in (await ledger.persons(name="钱")).items] == [head]
    changes = await ledger.chain_changes(justice, start=date(2022, 1, 1), end=date(2024, 12, 31))
    assert [(ch.kind, ch.on) for ch in changes.items] == [
        ("portfolio_changed", date(2023, 1, 1)),
        ("line_changed", date(2023, 6, 1)),
        ("ended", date(2024, 3, 1)),
    ]
    assert changes.unit.name == "无锡市司法局"


async def test_an_inspection_the_rest_of_a_findings_steps_bulletins_and_assessments(
    client: TestClient[Any, Any], ledger_client: LedgerClient
) -> None:
    ledger = ledger_client
    loop = await build_loop(client, {})
    inspection, bureau = UUID(loop.inspection), UUID(loop.bureau)
    evidence = {
        "method": "document_review",
        "summary": "查阅2023年执法案卷30卷",
        "document": "督察材料-2024-017",
        "sha256": SHA,
        "unit_id": loop.bureau,
        "collected_on": "2024-05-08",
    }
    await ledger.record_evidence(inspection, c.RecordEvidence.model_validate(evidence), if_match=2)
    raised = await ledger.raise_finding(c.RaiseFinding.model_validate(finding_body(loop)))
    finding, clerk = raised.id, UUID(loop.clerk)
    attribution = {"person_id": clerk, "liability": "direct", "reason": "经办人"}
    await ledger.attribute(
        finding, c.Attribute.model_validate(attribution), if_match=raised.version
    )
    withdrawn = await ledger.withdraw_attribution(
        finding, clerk, c.WithdrawAttribution(reason="认定有误")
    )
    correction = {"field": "severity", "new": "critical", "reason": "复核后定为特别严重"}
    corrected = await ledger.correct_finding(
        finding, c.CorrectFinding.model_validate(correction), if_match=withdrawn.version
    )
    assert corrected.version == withdrawn.version + 1 == raised.version + 3
    second = await ledger.raise_finding(
        c.RaiseFinding.model_validate(finding_body(loop, description="重大决策未经合法性审查"))
    )
    feedback = {"fed_back_on": "2024-05-20", "summary": "反馈问题2个"}
    fed = await ledger.feed_back(inspection, c.FeedBackResults.model_validate(feedback))
    closing = {"closed_on": "2024-05-21"}
    closed = await ledger.close_inspection(
        inspection, c.CloseInspection.model_validate(closing), if_match=fed.version
    )

    view = await ledger.inspection(inspection, min_position=closed.position)
    assert (view.stage, view.feedback_summary, view.closed_on) == (
        "closed",
        "反馈问题2个",
        date(2024, 5, 21),
    )
    assert [(e.summary, e.sha256) for e in view.evidence] == [(evidence["summary"], SHA)]
    assert {(f.id, f.severity) for f in view.findings} == {
        (finding, "critical"),
        (second.id, "high"),
    }
    page = await ledger.inspections(year=2024, target_unit_id=bureau)
    assert [(i.id, i.stage, i.findings_raised) for i in page.items] == [(inspection, "closed", 2)]
    one = await ledger.findings(
        unit_id=bureau, status="open", limit=1, min_position=closed.position
    )
    assert len(one.items) == 1 and one.next_cursor is not None
    rest = await ledger.findings(unit_id=bureau, status="open", limit=1, cursor=one.next_cursor)
    assert {one.items[0].id, rest.items[0].id} == {finding, second.id} and rest.next_cursor is None
    assert rest.items[0].source.kind == "inspection"
    critical = await ledger.findings(unit_id=bureau, category="law_enforcement", year=2024)
    assert {f.id: f.severity for f in critical.items}[finding] == "critical"
    then = (await ledger.finding(finding)).responsible_then
    assert sorted((r["person_name"], r["liability"]) for r in then) == [
        ("孙副局长", "leadership"),
        ("钱局长", "principal"),
    ]

    circular = {
        "kind": "special_report",
        "title": "关于市司法局督察情况的专报",
        "inspection_id": inspection,
        "finding_ids": [finding, second.id],
        "recipient_unit_ids": [loop.city, loop.discipline],
        "issued_on": "2024-05-25",
    }
    issued = await ledger.issue_bulletin(c.IssueBulletin.model_validate(circular))
    bulletin = await ledger.bulletin(issued.id, min_position=issued.position)
    assert (bulletin.title, bulletin.inspection_title) == (circular["title"], view.title)
    assert {r.name for r in bulletin.recipients} == {"无锡市委", "市纪委监委"}
    listed = await ledger.bulletins(inspection_id=inspection)
    assert [b.id for b in listed.items] == [issued.id]

    indicators = [
        {"code": "A1", "name": "依法决策", "weight": 59.5},
        {"code": "A2", "name": "严格执法", "weight": 40.5},
    ]
    defined = await ledger.define_indicator_set(
        c.DefineIndicatorSet.model_validate(
            {"year": 2024, "name": "2024年法治政府建设考核", "indicators": indicators}
        )
    )
    indicator_set = await ledger.indicator_set(defined.id, min_position=defined.position)
    assert [(i.code, i.weight) for i in indicator_set.indicators] == [("A1", 59.5), ("A2", 40.5)]
    scores = {"indicator_set_id": defined.id, "unit_id": bureau, "assessed_on": "2025-01-15"}
    await ledger.assess_unit(c.AssessUnit.model_validate(scores | {"scores": {"A1": 90, "A2": 80}}))
    again = await ledger.assess_unit(
        c.AssessUnit.model_validate(
            scores | {"scores": {"A1": 90, "A2": 70.5}, "reason": "复核扣分", "grade": "pass"}
        )
    )
    assessments = await ledger.unit_assessments(bureau, min_position=again.position)
    [assessment] = assessments.items
    assert (assessment.total, assessment.grade, assessment.version) == (82.1, "pass", 2)
    assert [e.scores for e in assessment.earlier] == [{"A1": 90, "A2": 80}]


async def test_a_case_its_sanctions_and_a_clues_triage(
    client: TestClient[Any, Any], ledger_client: LedgerClient
) -> None:
    ledger = ledger_client
    loop = await build_loop(client, {})
    raised = await ledger.raise_finding(c.RaiseFinding.model_validate(finding_body(loop)))
    referral = {"to_unit_id": loop.discipline, "reason": "失职", "referred_on": "2024-08-25"}
    await ledger.refer(raised.id, c.ReferFinding.model_validate(referral))
    opening = {
        "person_id": loop.deputy,
        "finding_ids": [raised.id],
        "handling_unit_id": loop.discipline,
        "opened_on": "2024-09-01",
        "basis": "锡纪〔2024〕8号",
    }
    opened = await ledger.open_case(c.OpenCase.model_validate(opening))
    case = opened.id

    async def impose(kind: str) -> UUID:
        body = c.ImposeSanction.model_validate({"kind": kind, "decided_on": "2024-09-20"})
        imposed = await ledger.impose_sanction(case, body)
        sanctions = (await ledger.case(case, min_position=imposed.position)).sanctions
        assert imposed.sanction_id == sanctions[-1].id  # the answer names the new sanction
        return imposed.sanction_id

    def appeal(sanction: UUID, on: str) -> c.AppealSanction:
        return c.AppealSanction.model_validate(
            {"sanction_id": sanction, "appealed_on": on, "reason": "申诉"}
        )

    first = await impose("party_discipline")
    await ledger.appeal_sanction(case, appeal(first, "2024-09-25"))
    modification = {"kind": "admonishment_talk", "decided_on": "2024-10-10", "reason": "改为诫勉"}
    await ledger.modify_sanction(case, first, c.ModifySanction.model_validate(modification))
    second = await impose("written_self_criticism")
    await ledger.appeal_sanction(case, appeal(second, "2024-09-26"))
    await ledger.uphold_sanction(
        case, second, c.UpholdSanction.model_validate({"decided_on": "2024-10-11"})
    )
    revocation = {"decided_on": "2024-10-12", "reason": "撤销"}
    await ledger.revoke_sanction(case, second, c.RevokeSanction.model_validate(revocation))
    closed = await ledger.close_case(case, c.CloseCase.model_validate({"closed_on": "2024-10-15"}))

    view = await ledger.case(case, min_position=closed.position)
    assert (view.closed_on, view.person_name, view.finding_ids) == (
        date(2024, 10, 15),
        "孙副局长",
        [raised.id],
    )
    assert [(s.kind, s.original_kind, s.state, s.in_force) for s in view.sanctions] == [
        ("admonishment_talk", "party_discipline", "modified", True),
        ("written_self_criticism", "written_self_criticism", "revoked", False),
    ]
    assert [step.step for step in view.sanctions[1].steps] == [
        "imposed",
        "appealed",
        "upheld",
        "revoked",
    ]
    cases = await ledger.cases(person_id=UUID(loop.deputy), open=False)
    assert [x.id for x in cases.items] == [case]
    assert (await ledger.cases(handling_unit_id=UUID(loop.discipline), open=True)).items == []

    received = await ledger.deliver_clue(
        clue("triage-1").model_copy(update={"unit_id": UUID(loop.bureau)})
    )
    pending = await ledger.clues("pending", min_position=received.position)
    assert [x.id for x in pending.items] == [received.id]
    triage = {
        "outcome": "finding",
        "reason": "经核实属实",
        "finding": {
            "unit_id": loop.bureau,
            "category": "law_enforcement",
            "severity": "medium",
            "description": "执法人员未出示执法证件",
            "found_on": "2024-05-10",
            "deadline": "2024-07-01",
        },
    }
    made = await ledger.triage(received.id, c.TriageClue.model_validate(triage), if_match=1)
    triaged = await ledger.clue(received.id, min_position=made.position)
    assert (triaged.outcome, triaged.finding_id, triaged.version) == ("finding", made.id, 2)
    raised_from_clue = await ledger.finding(made.id, min_position=made.position)
    assert raised_from_clue.description == "执法人员未出示执法证件"
    assert [x.id for x in (await ledger.clues("triaged")).items] == [received.id]
    assert (await ledger.clues("pending")).items == []


async def test_a_webhook_from_creation_to_deletion(
    settings: Settings,
    issue: Issue,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host = f"127.0.0.1:{runner.addresses[0][1]}"
    allowed = {"webhook_allow": [host], "webhook_allow_loopback": True, "rate_limit": 0}
    client = await aiohttp_client(
        create_app(settings.model_copy(update=allowed)), headers=bearer(issue("admin"))
    )
    try:
        async with LedgerClient(
            str(client.make_url("")), issue("admin"), session=client.session
        ) as ledger:
            await _a_webhooks_life(ledger, f"http://{host}/hook", received)
    finally:
        await runner.cleanup()


async def _a_webhooks_life(
    ledger: LedgerClient, url: str, received: list[tuple[dict[str, str], bytes]]
) -> None:
    hook = await ledger.create_webhook(url, types=["Clue.Received"])
    assert (hook.status, hook.scheme, hook.types, hook.url) == (
        "active",
        "v1",
        ["Clue.Received"],
        url,
    )
    assert hook.secret is not None and hook.secret.startswith("whsec_")
    sent = await ledger.deliver_clue(clue("hook-1"))

    async def delivered(count: int) -> bool:
        page = await ledger.deliveries(hook.id, status="delivered")
        return len(page.items) == 1 and len(received) >= count

    await until(lambda: delivered(1))
    page = await ledger.deliveries(hook.id)
    assert [(d.position, d.status, d.attempts) for d in page.items] == [
        (sent.position, "delivered", 1)
    ]
    event = Webhook(hook.secret).verify(received[0][1].decode(), received[0][0])
    assert (event["position"], event["data"]["external_id"]) == (sent.position, "hook-1")

    paused = await ledger.pause_webhook(hook.id, reason="接收方维护")
    assert (paused.status, paused.status_reason) == ("paused", "接收方维护")
    assert (await ledger.webhook(hook.id)).status == "paused"
    assert (await ledger.resume_webhook(hook.id)).status == "active"
    rotated = await ledger.rotate_webhook_secret(hook.id)
    assert rotated.secret is not None and rotated.secret != hook.secret
    replayed = await ledger.replay_delivery(hook.id, sent.position)
    assert replayed.id == hook.id
    await until(lambda: delivered(2))
    again = Webhook(rotated.secret).verify(received[1][1].decode(), received[1][0])
    assert again["position"] == sent.position
    rewound = await ledger.replay_webhook(hook.id, sent.position - 1)
    assert rewound.cursor == sent.position - 1
    await until(lambda: delivered(3))
    assert [json.loads(body)["position"] for _, body in received] == [sent.position] * 3

    assert [h.id for h in (await ledger.webhooks()).items] == [hook.id]
    deleted = await ledger.delete_webhook(hook.id)
    assert deleted.status == "deleted"
    assert (await ledger.webhooks()).items == []
    with pytest.raises(ProblemError) as refused:
        await ledger.create_webhook("https://elsewhere.example.org/hook")
    assert [(e.field, e.rule) for e in refused.value.errors] == [("url", "allowed_hosts")]


async def test_an_import_of_two_lines_and_its_refused_lines(ledger_client: LedgerClient) -> None:
    ledger = ledger_client
    bureau = {"name": "无锡市司法局", "kind": "department", "level": "municipal"}
    lines = [
        Line(kind="unit", key="U-justice", create=bureau),
        Line(
            kind="person",
            key="P-qian",
            create={"name": "钱局长"},
            steps=[{"op": "correct", "name": "钱明", "reason": "姓名登记有误"}],
        ),
    ]
    dry = await ledger.import_history(lines, dry_run=True)
    assert (dry.dry_run, dry.events, dry.transactions) == (True, 0, 0)
    answer = await ledger.import_history(lines)
    assert (answer.lines, answer.skipped, answer.events, answer.transactions) == (2, 0, 3, 1)
    assert set(answer.ids) == {"U-justice", "P-qian"}
    assert answer.last_position is not None
    unit = await ledger.unit(answer.ids["U-justice"], min_position=answer.last_position)
    person = await ledger.person(answer.ids["P-qian"], purpose="核对导入")
    assert (unit.name, person.name, person.version) == ("无锡市司法局", "钱明", 2)
    again = await ledger.import_history(lines)
    assert (again.lines, again.skipped, again.events, again.ids) == (0, 2, 0, answer.ids)

    refused_lines = [
        Line(kind="unit", key="U-police", create=bureau | {"name": "无锡市公安局"}),
        Line(kind="person", key="P-empty", create={"name": ""}),
    ]
    with pytest.raises(ProblemError) as refused:
        await ledger.import_history(refused_lines)
    assert refused.value.status == 422 and refused.value.body["refused"] == 1
    assert [(e.line, e.field, e.rule) for e in refused.value.errors] == [
        (2, "create.name", "string_too_short")
    ]
    file = '{"kind": "person", "key": "P-li", "create": {"name": "李科员"}}\n[1, 2\n'.encode()
    with pytest.raises(ProblemError) as broken:
        await ledger.import_history(file)
    assert [(e.line, e.field, e.rule) for e in broken.value.errors] == [(2, None, "json")]
    nothing = await ledger.units(name="公安局", min_position=answer.last_position)
    assert nothing.items == []  # a refused file writes none of its lines
    assert (await ledger.persons(name="李科员")).items == []


async def test_the_trail_the_access_log_checkpoints_proofs_and_vocabularies(
    ledger_client: LedgerClient,
) -> None:
    ledger = ledger_client
    registered = await ledger.register_person(c.RegisterPerson(name="周督察"))
    person = registered.id
    earlier = await signed_through(ledger, registered.position)
    correction = c.CorrectPerson(name="周明", reason="姓名登记有误")
    corrected = await ledger.correct_person(person, correction, if_match=1)
    later = await signed_through(ledger, corrected.position)

    trail = await ledger.history(person, proofs=True, purpose="核验记录")
    assert [(i.type, i.stream_version) for i in trail.items] == [
        ("Person.Registered", 1),
        ("Person.DetailsCorrected", 2),
    ]
    assert (trail.subject.id, trail.subject.kind) == (person, "person")
    key = (await ledger.public_key()).strip()
    assert trail.checkpoint is not None and trail.proved_through is not None
    signed = verify_checkpoint(trail.checkpoint, key)
    assert signed.size == trail.proved_through >= corrected.position
    for item in trail.items:
        assert item.proof is not None
        leaf = base64.b64decode(item.proof.leaf)
        path = [base64.b64decode(h) for h in item.proof.inclusion_proof]
        verify_inclusion(item.position - 1, signed.size, leaf_hash(leaf), path, signed.root)
    one = await ledger.history(person, limit=1)
    rest = await ledger.history(person, limit=1, cursor=one.next_cursor)
    assert [i.position for i in [*one.items, *rest.items]] == [i.position for i in trail.items]
    assert one.items[0].proof is None

    log = await ledger.access_log(person_id=person, purpose="审计抽查")
    assert [(e.action, e.purpose, e.outcome) for e in log.items] == [
        ("history", "核验记录", 200),
        ("history", None, 200),
        ("history", None, 200),
    ]
    assert log.items[1].prev_hash == log.items[0].entry_hash

    newest = await ledger.checkpoints(limit=1)
    assert newest.next_cursor is not None and newest.items[0].size >= later
    signed_at = {}
    async for checkpoint in every(lambda cursor: ledger.checkpoints(limit=2, cursor=cursor)):
        signed_at[checkpoint.size] = checkpoint.note
    assert {earlier, later} <= set(signed_at) and verify_checkpoint(signed_at[earlier], key)
    consistency = await ledger.consistency_proof(earlier, later, purpose="核验")
    assert (consistency.format, consistency.first, consistency.to) == (
        "ledger-consistency-v1",
        earlier,
        later,
    )
    assert consistency.checkpoints == {"from": signed_at[earlier], "to": signed_at[later]}
    verify_consistency(
        earlier,
        later,
        verify_checkpoint(signed_at[earlier], key).root,
        verify_checkpoint(signed_at[later], key).root,
        [base64.b64decode(h) for h in consistency.proof],
    )

    vocabularies = await ledger.vocabularies()
    assert {t.code: t.label for t in vocabularies.severity}["critical"] == "特别严重"
    assert [t.code for t in vocabularies.triage_outcome] == ["finding", "dismissed"]
