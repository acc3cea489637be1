"""The public event contract: the feed serves every event in its public shape, each valid
against the committed JSON Schema of its type and version (api/events/), under its public
field names; the schemas cannot drift from the stored events silently; the feed filters
by type and by unit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from ledger.api.public_events import all_schemas
from ledger.demo import load_demo
from ledger.infra.pii import load_pii_key
from ledger.infra.settings import Settings
from tests.conftest import Issue, bearer

Client = TestClient[Any, Any]
SCHEMAS = Path(__file__).resolve().parents[2] / "api" / "events"


async def feed(client: Client, query: str = "", **headers: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        answer = await client.get(f"/v1/events?after={after}&limit=500{query}", headers=headers)
        assert answer.status == 200, await answer.text()
        page = await answer.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        after = page["next_cursor"]


async def demo(pool: asyncpg.Pool, settings: Settings) -> dict[str, Any]:
    return await load_demo(pool, load_pii_key(settings.pii_key, settings.data_dir))


def test_the_committed_schemas_are_the_stored_events_shapes() -> None:
    """A stored event whose shape changes without a new class_version (and upcaster) gives
    a schema unlike the one committed for its version: `make openapi` writes the new one,
    under a new version only if the class's version was raised."""
    generated = all_schemas()
    committed = {path.name for path in SCHEMAS.glob("*.json")}
    missing = sorted(set(generated) - committed)
    assert missing == [], f"no committed schema for {missing}: run `make openapi`"
    changed = [
        name
        for name, schema in generated.items()
        if json.loads((SCHEMAS / name).read_text(encoding="utf-8")) != schema
    ]
    assert changed == [], (
        f"{changed} changed shape under the same version: raise the event's class_version,"
        " add its upcaster, then `make openapi` (the old version's file stays)"
    )


async def test_every_event_the_demo_writes_is_valid_against_its_schema(
    client: Client, pool: asyncpg.Pool, settings: Settings
) -> None:
    summary = await demo(pool, settings)
    items = await feed(client)
    assert len(items) == summary["head"]
    assert [item["position"] for item in items] == list(range(1, summary["head"] + 1))
    validators: dict[str, Draft202012Validator] = {}
    wrong = []
    for item in items:
        name = f"{item['type']}.v{item['schema_version']}.json"
        if name not in validators:
            schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
            validators[name] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        errors = [e.message for e in validators[name].iter_errors(item)]
        if errors:
            wrong.append(f"{item['position']} {item['type']}: {errors[:2]}")
    assert wrong == []
    assert len({item["type"] for item in items}) >= 30  # the demo writes most types


async def test_a_clue_is_served_under_the_names_the_api_takes_it_by(
    client: Client, pool: asyncpg.Pool, settings: Settings
) -> None:
    await demo(pool, settings)
    clues = await feed(client, "&types=Clue.Received")
    assert clues and {item["type"] for item in clues} == {"Clue.Received"}
    first = clues[0]
    assert first["data"]["source"] in ("hotline_12345", "petition", "litigation", "proposal")
    assert "origin" not in first["data"]
    assert first["source"] == "demo"  # the envelope's: the system the act came through
    assert first["actor"] == "demo" and "actor" not in first["data"]
    trail = await client.get(
        f"/v1/history/{first['stream_id']}", headers={"X-Access-Purpose": "%E5%AE%A1%E8%AE%A1"}
    )
    served = (await trail.json())["items"][0]
    assert {k: v for k, v in served.items() if k not in ("topic", "proof")} == first


async def test_the_feed_follows_some_types_and_a_unit_with_the_units_below_it(
    client: Client, pool: asyncpg.Pool, settings: Settings, issue: Issue
) -> None:
    summary = await demo(pool, settings)
    everything = await feed(client)
    raised = await feed(client, "&types=Finding.Raised,Finding.Closed")
    assert {i["type"] for i in raised} == {"Finding.Raised", "Finding.Closed"}
    assert len(raised) == sum(i["type"] in ("Finding.Raised", "Finding.Closed") for i in everything)
    bureau, city = summary["jurisdictions"]["bureau"], summary["jurisdictions"]["city"]
    below = await feed(client, f"&unit_id={city}")
    assert 0 < len(below) < len(everything)  # the province's own records are not below
    findings = [i for i in below if i["type"] == "Finding.Raised"]
    units = await client.get(f"/v1/units?under={city}&limit=500")
    subtree = {u["id"] for u in (await units.json())["items"]} | {city}
    assert findings and all(i["data"]["unit_id"] in subtree for i in findings)
    everywhere = [i for i in everything if i["type"] == "Finding.Raised"]
    assert len(findings) == sum(i["data"]["unit_id"] in subtree for i in everywhere)
    refused = await client.get("/v1/events?types=Finding.Raised,Finding.Exploded")
    assert refused.status == 422
    problem = await refused.json()
    assert problem["errors"][0]["field"] == "types" and "Finding.Exploded" in problem["detail"]
    scoped = bearer(issue("integration", unit=UUID(bureau), subject="cadre-system"))
    outside = await client.get(f"/v1/events?unit_id={city}", headers=scoped)
    assert outside.status == 404
