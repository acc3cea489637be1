"""`ledger.client` against the real app: clues in, the feed out (pages and the live stream
resumed with Last-Event-ID), the loop's commands with If-Match and Idempotency-Key, the
reads, the proofs, and refusals raised as ProblemError."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from aiohttp.test_utils import TestClient

from ledger.application import commands as c
from ledger.client import LedgerClient, ProblemError
from ledger.client.errors import problem
from tests.api.test_loop_commands import Loop, build_loop, finding_body
from tests.conftest import Issue

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

    size = 0
    for _ in range(100):  # the sealer signs every 0.5 s in tests
        size = int((await ledger_client.checkpoint()).splitlines()[1])
        if size >= referred.position:
            break
        await asyncio.sleep(0.1)
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
