"""A slow statement: with the database's statement timeout set for the service, a command
stuck behind a lock and a read stuck behind another are cancelled by the database, answer
504 problem+json with Retry-After, and leave nothing half-written; once the locks go, the
same requests succeed, the command exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.conftest import bearer
from tests.faults.conftest import Rig, clue

pytestmark = pytest.mark.faults

TIMEOUT_MS = 1_000  # the service's statement_timeout, a server setting in its URL
ANSWER_WITHIN = 10.0  # seconds: a cancelled statement answers long before this
SUBJECT = "faults-timeouts"


def with_statement_timeout(url: str) -> str:
    """asyncpg passes a query parameter it does not know to the server as a setting."""
    return f"{url}{'&' if '?' in url else '?'}statement_timeout={TIMEOUT_MS}"


async def answer(
    session: aiohttp.ClientSession, method: str, url: str, **options: Any
) -> tuple[int, dict[str, Any], str | None]:
    async with session.request(method, url, **options) as got:
        return got.status, await got.json(content_type=None), got.headers.get("Retry-After")


async def test_a_statement_past_the_timeout_answers_504_writes_nothing_and_recovers(
    rig: Rig,
) -> None:
    api = await rig.serve("serve", LEDGER_DATABASE_URL=with_statement_timeout(rig.database_url))
    root = {"name": "督察测试市", "kind": "government", "level": "municipal"}
    admin = bearer(rig.token(Role.ADMIN, "faults-admin"))
    timeout = aiohttp.ClientTimeout(total=ANSWER_WITHIN)
    conn = await asyncpg.connect(rig.database_url, timeout=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        status, unit, _ = await answer(
            session, "POST", f"{api.url}/v1/units", json=root, headers=admin
        )
        assert status == 201, unit
        chain = f"{api.url}/v1/units/{unit['id']}/chain?min_position={unit['position']}"
        status, _, _ = await answer(session, "GET", chain, headers=admin)
        assert status == 200
        before = await conn.fetchval("SELECT count(*) FROM ledger_events")
        writer = bearer(rig.token(Role.INTEGRATION, SUBJECT)) | {"Idempotency-Key": "slow-1"}

        # A transaction holding the head of the log and the chain's units: the command's
        # append and the read wait on it until the database cancels them.
        async with conn.transaction():
            await conn.execute("LOCK TABLE ledger_head, chain_units IN ACCESS EXCLUSIVE MODE")
            posted, read = await asyncio.gather(
                answer(session, "POST", f"{api.url}/v1/clues", json=clue("slow-1"), headers=writer),
                answer(session, "GET", chain, headers=admin),
            )
            for (status, problem, retry_after), what in ((posted, "command"), (read, "read")):
                assert status == 504, (what, problem)
                assert problem["status"] == 504 and "timeout" in problem["detail"], problem
                assert retry_after, what
            status, _, _ = await answer(session, "GET", f"{api.url}/healthz")
            assert status == 200  # the process itself answers meanwhile

        assert await conn.fetchval("SELECT count(*) FROM ledger_events") == before
        assert not await conn.fetchval(
            "SELECT count(*) FROM ledger_idempotency WHERE key = 'slow-1'"
        )
        status, done, _ = await answer(
            session, "POST", f"{api.url}/v1/clues", json=clue("slow-1"), headers=writer
        )
        assert status == 201, done
        status, again, _ = await answer(
            session, "POST", f"{api.url}/v1/clues", json=clue("slow-1"), headers=writer
        )
        assert status == 201 and again["id"] == done["id"]  # replayed, not written twice
        status, _, _ = await answer(session, "GET", chain, headers=admin)
        assert status == 200
    assert await conn.fetchval("SELECT count(*) FROM ledger_events") == before + 1
    await conn.close()
