"""Proofs of an evaluation reference when the API runs without the in-process worker:
the checkpoint comes from a sealer in another process (`ledger project`), asked for one
by NOTIFY; with no sealer at all, the answer comes after a bounded wait with its events
listed as unproved. (With the worker in-process, see test_evaluation_reference.py.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.infra.checkpoints import latest_checkpoint, load_signer
from ledger.infra.database import create_pool
from ledger.infra.sealer import run_sealer
from ledger.infra.settings import Settings
from ledger.offline import verify_checkpoint
from tests.conftest import Issue, bearer

Client = TestClient[Any, Any]
PERIOD = {"from": "2021-01-01", "to": "2021-12-31"}


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    """`ledger serve --no-projections`: no worker and no sealer in the API process."""
    return settings.model_copy(update={"project_in_process": False, "min_position_timeout": 0.5})


@pytest.fixture
async def api(
    api_settings: Settings, issue: Issue, aiohttp_client: Callable[..., Awaitable[Client]]
) -> Client:
    return await aiohttp_client(create_app(api_settings), headers=bearer(issue("admin")))


async def _post(client: Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> str:
    response = await client.post(path, json=body, headers=headers)
    assert response.status in (200, 201), await response.text()
    return str((await response.json())["id"])


async def _principal(client: Client, headers: dict[str, str]) -> str:
    unit = await _post(
        client,
        "/v1/units",
        {"name": "泰州市审计局", "kind": "department", "level": "municipal"},
        headers,
    )
    person = await _post(client, "/v1/persons", {"name": "周敏"}, headers)
    await _post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit,
            "person_id": person,
            "role": "principal",
            "title": "局长",
            "principal_title": "government_head",
            "effective_from": "2021-01-01",
        },
        headers,
    )
    return person


async def _reference(client: Client, person: str) -> dict[str, Any]:
    response = await client.get(
        f"/v1/persons/{person}/evaluation-reference", params={**PERIOD, "proofs": "true"}
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


@pytest.fixture
async def separate_sealer(database_url: str, api_settings: Settings) -> AsyncIterator[None]:
    """The sealer of a `ledger project` process: its own pool, the shared key file, and
    timed checkpoints too far apart to sign anything during the test unasked."""
    signer = load_signer(api_settings.origin, None, api_settings.data_dir)
    pool = await create_pool(database_url, 1, 3)
    stop = asyncio.Event()
    task = asyncio.create_task(run_sealer(pool, signer, stop, interval=60.0, poll_interval=60.0))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await pool.close()


async def test_the_sealer_of_another_process_signs_the_checkpoint_a_reference_needs(
    api: Client,
    headers: dict[str, str],
    separate_sealer: None,
    project: Callable[[], Awaitable[int]],
    pool: asyncpg.Pool,
    api_settings: Settings,
) -> None:
    key_id = load_signer(api_settings.origin, None, api_settings.data_dir).key_id
    for _ in range(200):  # the one the sealer signs when it starts
        if await latest_checkpoint(pool, key_id) is not None:
            break
        await asyncio.sleep(0.02)
    person = await _principal(api, headers)
    await project()

    started = time.monotonic()
    body = await _reference(api, person)
    waited = time.monotonic() - started

    record = body["proofs"]
    assert record["unproved"] == [] and record["events"]
    assert record["tree_size"] >= body["position"]
    key = (await (await api.get("/v1/ledger/public-key")).text()).strip()
    assert verify_checkpoint(record["checkpoint"], key).size == record["tree_size"]
    assert waited < 5.0


async def test_with_no_sealer_the_reference_says_what_it_could_not_prove(
    api: Client,
    headers: dict[str, str],
    project: Callable[[], Awaitable[int]],
    pool: asyncpg.Pool,
) -> None:
    person = await _principal(api, headers)
    await project()

    started = time.monotonic()
    body = await _reference(api, person)
    waited = time.monotonic() - started

    record = body["proofs"]
    assert record["tree_size"] == 0 and record["checkpoint"] is None and record["events"] == []
    assert record["unproved"] and max(record["unproved"]) <= body["position"]
    assert 0.5 <= waited < 5.0  # min_position_timeout, then the answer
    assert await pool.fetchval("SELECT count(*) FROM ledger_checkpoints") == 0
