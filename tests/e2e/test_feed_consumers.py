"""Consumers of the feed across a write load and a restart of the server: a paged consumer
(`after=`) and a live one (SSE, resuming with `Last-Event-ID`) each receive every position
exactly once, in order, while a writer keeps appending and `ledger serve` is stopped and
started again on the same database (on another port, as after a redeploy)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from tests import served
from tests.conftest import with_database

pytestmark = pytest.mark.e2e

WRITES = 160
RESTART_AFTER = 60
UNLIMITED = {"LEDGER_RATE_LIMIT": "0"}  # three clients on one token, faster than a person


class Service:
    """The server of the moment: its address changes when it is started again."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.url, self.data_dir = url, data_dir
        self.process, self.base, _ = served.serve(url, data_dir, UNLIMITED)
        self.token = (data_dir / "admin-token").read_text().strip()
        self.up = asyncio.Event()
        self.up.set()

    async def restart(self) -> None:
        self.up.clear()
        await asyncio.to_thread(served.stop, self.process)
        self.process, self.base, _ = await asyncio.to_thread(
            served.serve, self.url, self.data_dir, UNLIMITED
        )
        self.up.set()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
async def service(server_url: str, template: str, tmp_path: Path) -> AsyncIterator[Service]:
    name = f"ledger_feed_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    await admin.close()
    running = await asyncio.to_thread(Service, with_database(server_url, name), tmp_path)
    yield running
    await asyncio.to_thread(served.stop, running.process)
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def write(
    service: Service, session: aiohttp.ClientSession, written: list[int], halfway: asyncio.Event
) -> None:
    """Clues one by one; a request the restart cut off is sent again with its key."""
    for n in range(WRITES):
        if n == RESTART_AFTER:
            halfway.set()
        body = {
            "source": "hotline_12345",
            "external_id": f"feed-{n:05d}",
            "summary": f"市民来电第{n}号",
            "received_at": "2025-03-02T09:00:00+08:00",
        }
        while True:
            await service.up.wait()
            try:
                async with session.post(
                    f"{service.base}/v1/clues",
                    json=body,
                    headers=service.headers | {"Idempotency-Key": f"feed-{n}"},
                ) as answer:
                    if answer.status in (200, 201):
                        written.append(int((await answer.json())["position"]))
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)


async def page_through(
    service: Service, session: aiohttp.ClientSession, until: asyncio.Future[int]
) -> list[int]:
    seen: list[int] = []
    after = 0
    while not (until.done() and seen and seen[-1] >= until.result()):
        await service.up.wait()
        try:
            async with session.get(
                f"{service.base}/v1/events",
                params={"after": str(after), "limit": "37"},
                headers=service.headers,
            ) as answer:
                page = await answer.json()
                assert answer.status == 200, page
        except (aiohttp.ClientError, json.JSONDecodeError):
            await asyncio.sleep(0.05)
            continue
        seen += [item["position"] for item in page["items"]]
        after = seen[-1] if seen else after
        if not page["items"]:
            await asyncio.sleep(0.05)
    return seen


async def follow(
    service: Service,
    session: aiohttp.ClientSession,
    until: asyncio.Future[int],
    opened: list[int],
    started: asyncio.Event,
) -> list[int]:
    """``opened``: the position each connection resumed after; ``started`` is set once an
    event has come."""
    seen: list[int] = []
    while not (until.done() and seen and seen[-1] >= until.result()):
        await service.up.wait()
        headers = service.headers | ({"Last-Event-ID": str(seen[-1])} if seen else {})
        with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
            async with session.get(
                f"{service.base}/v1/events/stream",
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=None, sock_read=2),
            ) as stream:
                opened.append(seen[-1] if seen else 0)
                async for line in stream.content:
                    if line.startswith(b"id: "):
                        seen.append(int(line[4:]))
                        started.set()
                    if until.done() and seen and seen[-1] >= until.result():
                        break
        await asyncio.sleep(0.05)
    return seen


async def test_consumers_get_every_position_once_in_order_across_a_restart(
    service: Service,
) -> None:
    written: list[int] = []
    head: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    async with aiohttp.ClientSession() as session:
        pager = asyncio.create_task(page_through(service, session, head))
        opened: list[int] = []
        started = asyncio.Event()
        follower = asyncio.create_task(follow(service, session, head, opened, started))
        halfway = asyncio.Event()
        writer = asyncio.create_task(write(service, session, written, halfway))
        await halfway.wait()
        await started.wait()
        await service.restart()
        await writer
        head.set_result(max(written))
        paged, followed = await asyncio.wait_for(asyncio.gather(pager, follower), timeout=60)
    assert len(set(written)) == WRITES  # each clue once, the cut-off ones included
    everything = list(range(1, max(written) + 1))
    assert paged == everything
    assert followed == everything
    assert len(opened) >= 2 and opened[1] > 0  # the stream was resumed after the restart
