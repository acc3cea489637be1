"""`ledger-verify record` on a record the service exported (an evaluation reference with
proofs=true): it prints each proven event decoded — position, short type, recorded
time, valid time, actor, basis (文号) and the fields of the body."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ledger.api.keys import LEDGER
from ledger.application.commands import RaiseFinding
from ledger.domain.vocab import Category, Severity
from ledger.offline import main as offline_main
from tests.api.test_record_views import head
from tests.world import CTX, FOUND_ON, build_world, started_inspection

Client = TestClient[Any, Any]


async def test_the_verified_events_are_shown_decoded(
    client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = client.app[LEDGER]
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    raised = await ledger.findings.raise_finding(
        CTX,
        RaiseFinding(
            unit_id=world.bureau,
            inspection_id=inspection,
            clue_id=None,
            category=Category.LAW_ENFORCEMENT,
            severity=Severity.HIGH,
            description="行政执法案卷缺法制审核意见",
            found_on=FOUND_ON,
            deadline=date(2024, 8, 31),
            reason="督察发现",
            basis="锡法督〔2024〕11号",
        ),
    )
    url = f"/v1/units/{world.bureau}/evaluation-reference?from=2024-01-01&to=2024-12-31"
    response = await client.get(f"{url}&proofs=true&min_position={await head(client)}")
    assert response.status == 200, await response.text()
    record = (await response.json())["proofs"]
    assert record["unproved"] == []
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    (tmp_path / "key").write_text(key)
    (tmp_path / "record.json").write_text(json.dumps(record, ensure_ascii=False))
    capsys.readouterr()

    assert (
        offline_main(["record", "--key", str(tmp_path / "key"), str(tmp_path / "record.json")]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"valid: {len(record['events'])} event(s) included in checkpoint")
    raised_line = f": Finding.Raised (stream {raised.id} version 1)"
    at = next(i for i, line in enumerate(out) if line.endswith(raised_line))
    assert out[at].startswith("  position ")
    shown = out[at + 1 : at + 15]
    assert shown[0].startswith("    recorded at: 20") and shown[0].endswith("Z")
    assert shown[1:6] == [
        "    valid time: 2024-05-10 (found_on)",
        "    actor: tester (source api)",
        "    basis (文号): 锡法督〔2024〕11号",
        "    reason: 督察发现",
        "    fields:",
    ]
    assert {
        "      description: 行政执法案卷缺法制审核意见",
        f"      unit_id: {world.bureau}",
        f"      inspection_id: {inspection}",
        "      category: law_enforcement",
        "      severity: high",
        "      found_on: 2024-05-10",
        "      deadline: 2024-08-31",
        "      clue_id: -",
    } <= set(shown[6:])
    # every proven event is shown with its type and who recorded it
    types = [line.split(": ", 1)[1].split(" ")[0] for line in out if line.startswith("  position")]
    assert len(types) == len(record["events"])
    assert {"Unit.Registered", "Assignment.Assigned", "Finding.Raised"} <= set(types)
    assert sum(1 for line in out if line.startswith("    actor: ")) == len(record["events"])
