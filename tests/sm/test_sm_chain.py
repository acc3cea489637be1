"""An SM ledger's chain: SM3 links computed where the database cannot (the embedded server
has no pgcrypto) inside the append's transaction, equal to the chain recomputed here; the
algorithms fixed at the first start and held against every later one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.bootstrap import connect
from ledger.infra.crypto import CryptoRefused
from ledger.infra.leaf import leaf_bytes
from ledger.infra.settings import Settings
from ledger.offline import sm3
from tests.conftest import Issue, bearer

Client = Callable[..., Awaitable[TestClient[Any, Any]]]
UNIT = {"name": "无锡市司法局", "kind": "department", "level": "municipal"}


async def chained(conn: asyncpg.Connection, hash_: Callable[[bytes], bytes]) -> int:
    """Recompute the chain from the rows; the number of links checked."""
    rows = await conn.fetch(
        "SELECT e.position, e.stream_id, e.stream_version, e.topic, e.state, e.tags,"
        " s.recorded_at, s.chain_hash FROM ledger_events e JOIN ledger_seal s USING (position)"
        " ORDER BY e.position"
    )
    chain = bytes(32)
    for row in rows:
        chain = hash_(chain + leaf_bytes(row))
        assert chain == bytes(row["chain_hash"]), row["position"]
    head = await conn.fetchrow("SELECT position, chain_hash FROM ledger_head")
    assert head["position"] == len(rows) and bytes(head["chain_hash"]) == chain
    return len(rows)


async def test_an_sm_ledger_chains_with_sm3_and_keeps_its_algorithms(
    settings: Settings, issue: Issue, aiohttp_client: Client
) -> None:
    sm = settings.model_copy(update={"crypto": "sm"})
    client = await aiohttp_client(create_app(sm), headers=bearer(issue("admin")))
    for n in range(5):
        answer = await client.post("/v1/units", json=UNIT | {"name": f"无锡市第{n}局"})
        assert answer.status == 201, await answer.text()
    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval("SELECT crypto FROM ledger_parameters") == "sm3-sm2"
        assert await conn.fetchval("SELECT sm2_user_id FROM ledger_parameters") == (
            "1234567812345678"
        )
        assert await chained(conn, sm3) == 5
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await conn.execute("UPDATE ledger_parameters SET crypto = 'sha256-ed25519'")
    finally:
        await conn.close()
    with pytest.raises(CryptoRefused, match="sm3-sm2, fixed when it was created"):
        await connect(settings)  # the default setting: sha256-ed25519


async def test_a_sha256_ledger_refuses_an_sm_service(settings: Settings) -> None:
    pool, _ = await connect(settings)
    await pool.close()
    with pytest.raises(CryptoRefused, match="sha256-ed25519, fixed when it was created"):
        await connect(settings.model_copy(update={"crypto": "sm"}))


async def test_a_database_whose_sm3_is_wrong_is_refused(settings: Settings) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:  # a digest() that is not SM3 (as a server whose OpenSSL lacks it might offer)
        await conn.execute(
            "CREATE FUNCTION digest(bytea, text) RETURNS bytea LANGUAGE sql AS 'SELECT sha256($1)'"
        )
    finally:
        await conn.close()
    with pytest.raises(CryptoRefused, match="not the GB/T 32905 answer"):
        await connect(settings.model_copy(update={"crypto": "sm"}))
