"""Dates that cannot be true, over HTTP: an act dated after today (in the service's time
zone, not the host's), a finding outside its inspection's window, a step dated before the
step it follows. Each answers 422 naming the field at fault, and writes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.infra.settings import Settings
from tests.api.test_bad_inputs import assert_problem, post
from tests.api.test_loop_bad_inputs import assess_body, ids
from tests.api.test_loop_commands import Loop, finding_body, loop
from tests.conftest import Issue, bearer, log_count

__all__ = ["ids", "loop"]  # fixtures

Client = TestClient[Any, Any]
FUTURE = "2199-01-01"  # after any today the suite runs on


async def refused(
    client: Client,
    pool: asyncpg.Pool,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    field: str,
) -> dict[str, Any]:
    before = await log_count(pool)
    response = await client.post(path, json=body, headers=headers)
    problem = await assert_problem(response, 422, field)
    assert await log_count(pool) == before
    return problem


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/findings", "raise", "found_on"),
        ("/v1/findings/{finding}/rectification-plan", {"measures": "整改"}, "planned_on"),
        ("/v1/findings/{finding}/extend-deadline", "extend", "extended_on"),
        (
            "/v1/findings/{finding}/refer",
            {"to_unit_id": "{discipline}", "reason": "r"},
            "referred_on",
        ),
        ("/v1/findings/{finding}/close", {"outcome": "dismissed", "reason": "r"}, "closed_on"),
        ("/v1/inspections/{planned}/start", {}, "started_on"),
        ("/v1/accountability-cases/{case}/sanctions", {"kind": "party_discipline"}, "decided_on"),
        ("/v1/accountability-cases/{case}/close", {}, "closed_on"),
        ("/v1/assessments", "assess", "assessed_on"),
    ],
)
async def test_an_act_dated_after_today_is_refused(
    client: Client,
    pool: asyncpg.Pool,
    headers: dict[str, str],
    ids: dict[str, str],
    path: str,
    body: Any,
    field: str,
) -> None:
    if body == "raise":
        body = {
            **finding_body(Loop(**{k: ids[k] for k in Loop.__annotations__})),
            "found_on": FUTURE,
        }
        body["deadline"] = "2199-12-31"
    elif body == "extend":
        body = {"new_deadline": "2199-12-31", "reason": "r", "approver_person_id": ids["inspector"]}
    elif body == "assess":
        body = assess_body(reason="复核").resolve(ids)
    else:
        body = {k: v.format(**ids) for k, v in body.items()}
    problem = await refused(
        client, pool, path.format(**ids), body | {field: FUTURE}, headers, field
    )
    assert f"{field} ({FUTURE}) is after today" in problem["detail"]


async def test_today_is_the_day_in_the_configured_time_zone(
    settings: Settings,
    aiohttp_client: Callable[..., Awaitable[Client]],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    ids: dict[str, str],
    issue: Issue,
) -> None:
    """Kiritimati (UTC+14) is always at least a day ahead of Pago Pago (UTC-11): its today
    is after Pago Pago's, whatever the host's clock and zone."""
    ahead = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    behind = datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    assert ahead > behind

    async def app_in(zone: str) -> Client:
        app = create_app(settings.model_copy(update={"timezone": zone}))
        return await aiohttp_client(app, headers=bearer(issue("admin")))

    path = f"/v1/accountability-cases/{ids['case']}/sanctions"
    body = {"kind": "admonishment_talk", "decided_on": ahead.isoformat()}
    problem = await refused(
        await app_in("Pacific/Pago_Pago"), pool, path, body, headers, "decided_on"
    )
    assert f"is after today ({behind.isoformat()})" in problem["detail"]
    accepted = await (await app_in("Pacific/Kiritimati")).post(path, json=body, headers=headers)
    assert accepted.status == 200, await accepted.text()


async def test_a_finding_outside_its_inspections_window_is_refused(
    client: Client, pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    for day in ("2024-05-05", "2024-05-21"):
        problem = await refused(
            client, pool, "/v1/findings", finding_body(loop, found_on=day), headers, "found_on"
        )
        assert "outside the inspection's window (2024-05-06 to 2024-05-20)" in problem["detail"]
    await post(client, "/v1/findings", finding_body(loop, found_on="2024-05-20"), headers)


async def test_each_step_follows_the_one_before_and_the_message_names_it(
    client: Client, pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    finding = (await post(client, "/v1/findings", finding_body(loop), headers))["id"]
    path = f"/v1/findings/{finding}"
    plan = {"measures": "建立执法全过程记录制度", "planned_on": "2024-05-10"}
    await post(client, f"{path}/rectification-plan", plan, headers)
    report = {"summary": "已整改", "complete": True}
    # A report dated before found_on names found_on, not "the last report".
    early = await refused(
        client,
        pool,
        f"{path}/progress",
        report | {"reported_on": "2024-05-09"},
        headers,
        "reported_on",
    )
    assert early["detail"] == "reported_on (2024-05-09) must not be before found_on (2024-05-10)"
    assert early["errors"][0]["field"] == "reported_on"
    await post(client, f"{path}/progress", report | {"reported_on": "2024-06-01"}, headers)
    before_report = await refused(
        client, pool, f"{path}/verify", {"verified_on": "2024-05-31"}, headers, "verified_on"
    )
    assert "the last progress report's reported_on (2024-06-01)" in before_report["detail"]
    await refused(client, pool, f"{path}/verify", {"verified_on": FUTURE}, headers, "verified_on")
    await post(client, f"{path}/verify", {"verified_on": "2024-06-05"}, headers)
    closing = {"outcome": "rectified", "closed_on": "2024-06-04"}
    problem = await refused(client, pool, f"{path}/close", closing, headers, "closed_on")
    assert problem["detail"] == "closed_on (2024-06-04) must not be before verified_on (2024-06-05)"
    await post(client, f"{path}/close", closing | {"closed_on": "2024-06-05"}, headers)
