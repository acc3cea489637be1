"""`POST /v1/import`: the JSON Lines file over HTTP, the operator's alone."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.infra.settings import Settings
from tests.conftest import Issue, bearer, log_count
from tests.integration.test_import import history

Client = TestClient[Any, Any]
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"import_max_bytes": 64 * 1024})


def jsonl(lines: list[Any]) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


async def post(client: Client, body: str, query: str = "", **headers: str) -> Any:
    answer = await client.post(f"/v1/import{query}", data=body.encode(), headers=NDJSON | headers)
    return answer.status, await answer.json()


async def test_a_file_is_imported_once_and_answers_its_ids(
    client: Client, pool: asyncpg.Pool
) -> None:
    lines = history()
    status, answer = await post(client, jsonl(lines))
    assert status == 200, answer
    assert (answer["lines"], answer["skipped"], answer["transactions"]) == (len(lines), 0, 1)
    assert answer["events"] == await log_count(pool) == answer["last_position"]
    assert set(answer["ids"]) == {line["key"] for line in lines}
    at = {"min_position": str(answer["last_position"])}
    finding = await client.get(f"/v1/findings/{answer['ids']['f-1']}", params=at)
    assert finding.status == 200 and (await finding.json())["stage"] == "closed"
    status, again = await post(client, jsonl(lines))
    assert (status, again["lines"], again["skipped"], again["events"]) == (200, 0, len(lines), 0)
    assert again["ids"] == answer["ids"]


async def test_refused_lines_are_named_with_their_line_and_nothing_is_written(
    client: Client, pool: asyncpg.Pool
) -> None:
    lines = [*history()[:3], {"kind": "person", "key": "p", "create": {"name": ""}}, "[1, 2"]
    body = "".join(
        (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines
    )
    status, problem = await post(client, body)
    assert status == 422, problem
    assert problem["refused"] == 2 and "nothing was written" in problem["detail"]
    assert [(e["line"], e["field"], e["rule"]) for e in problem["errors"]] == [
        (4, "create.name", "string_too_short"),
        (5, None, "json"),
    ]
    assert await log_count(pool) == 0


async def test_a_dry_run_and_batches(client: Client, pool: asyncpg.Pool) -> None:
    status, dry = await post(client, jsonl(history()), "?dry_run=true")
    assert (status, dry["dry_run"], dry["events"], dry["transactions"]) == (200, True, 0, 0)
    assert await log_count(pool) == 0
    status, batched = await post(client, jsonl(history()), "?batch_size=5")
    assert status == 200 and batched["transactions"] == -(-len(history()) // 5)
    status, problem = await post(client, jsonl(history()), "?batch_size=0")
    assert (status, problem["errors"][0]["field"]) == (422, "batch_size")


async def test_what_is_not_a_file_of_lines_is_refused(client: Client, issue: Issue) -> None:
    answer = await client.post("/v1/import", json={"kind": "unit"})
    assert answer.status == 415 and "application/x-ndjson" in (await answer.json())["detail"]
    status, problem = await post(client, "\n  \n")
    assert status == 400 and "no line" in problem["detail"]
    status, problem = await post(client, jsonl(history()) * 40)  # over 64 KiB
    assert status == 413 and "LEDGER_IMPORT_MAX_BYTES" in problem["detail"]
    inspector = bearer(issue("inspector"))
    status, problem = await post(client, jsonl(history()), **inspector)
    assert status == 403
