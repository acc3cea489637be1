""" "On time" means one thing in every answer: verified by the original deadline. A finding
verified only by an extended deadline is counted apart, in the open-loop report and in the
evaluation references alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp.test_utils import TestClient

from ledger.api.keys import LEDGER
from ledger.application.commands import CloseFinding
from ledger.domain.vocab import Outcome
from tests.api.test_evaluation_reference import story
from tests.api.test_record_views import head
from tests.world import CTX

Client = TestClient[Any, Any]


async def test_the_open_loop_report_and_the_evaluation_reference_agree_on_on_time(
    client: Client,
) -> None:
    ledger = client.app[LEDGER]
    told = await story(ledger)
    # Verified 07-05 by its deadline; 09-01 after 06-30 extended to 09-30; 10-20 after
    # 08-31 extended to 09-30.
    for finding in (told.on_time, told.extended, told.late):
        await ledger.findings.close_finding(
            CTX, finding, CloseFinding(outcome=Outcome.RECTIFIED, closed_on=date(2024, 12, 1))
        )
    at = f"min_position={await head(client)}"
    bureau = told.world.bureau
    loop = await client.get(f"/v1/reports/open-loop?unit_id={bureau}&valid_at=2024-12-31&{at}")
    assert loop.status == 200, await loop.text()
    totals = (await loop.json())["totals"]
    reference = await client.get(
        f"/v1/units/{bureau}/evaluation-reference?from=2024-01-01&to=2024-12-31&{at}"
    )
    assert reference.status == 200, await reference.text()
    counts = (await reference.json())["rectification"]["counts"]

    assert (counts["on_time"], counts["on_time_after_extension"], counts["late"]) == (1, 1, 1)
    assert (
        totals["rectified_on_time"],
        totals["rectified_after_extension"],
        totals["rectified_late"],
    ) == (counts["on_time"], counts["on_time_after_extension"], counts["late"])
    assert totals["rectified"] == 3
    assert totals["on_time_rate"] == round(1 / 3, 4)


async def test_the_schema_defines_each_count(client: Client) -> None:
    document = await (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    loop = schemas["LoopCounts"]["properties"]
    timing = schemas["RectificationCounts"]["properties"]
    assert "original deadline" in loop["rectified_on_time"]["description"]
    assert "not on time" in loop["rectified_on_time"]["description"]
    assert "extended" in loop["rectified_after_extension"]["description"]
    assert "original deadline" in timing["on_time"]["description"]
    assert "not counted in on_time" in timing["on_time_after_extension"]["description"]
