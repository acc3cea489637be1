"""Webhooks against a real receiver on loopback: deliveries signed as Standard Webhooks
says (v1 verified with the `standardwebhooks` package, v1a with an Ed25519 public key), in
order, retried with the same id when the receiver fails or is slow, dead-lettered and
replayed, stopped by a 410; only to hosts the operator allowed, and only what the
subscriber may see."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks.webhooks import Webhook

from ledger.api.app import create_app
from ledger.deliveries import delivery
from ledger.infra import webhooks as store
from ledger.infra.pii import load_pii_key
from ledger.infra.settings import Settings
from tests.conftest import Issue, bearer

Client = TestClient[Any, Any]


@dataclass
class Receiver:
    """Answers each delivery with the next of ``script`` (then 200); records what came."""

    url: str = ""
    script: list[int | float] = field(default_factory=list)  # a float: sleep that long
    received: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        answer: int | float = self.script.pop(0) if self.script else 200
        if isinstance(answer, float):
            await asyncio.sleep(answer)
            answer = 200
        self.received.append((dict(request.headers), body, answer))
        headers = {"Retry-After": "0"} if answer == 429 else {}
        return web.Response(status=answer, headers=headers)

    def delivered(self, secret: str) -> list[dict[str, Any]]:
        """The bodies answered 2xx, each verified against ``secret``, once per message id
        (as a receiver de-duplicates: a delivery it answered too late comes again)."""
        verifier = Webhook(secret)
        seen: set[str] = set()
        events = []
        for headers, body, status in self.received:
            if 200 <= status < 300 and headers["webhook-id"] not in seen:
                seen.add(headers["webhook-id"])
                events.append(verifier.verify(body.decode(), headers))
        return events


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    made = Receiver()
    app = web.Application()
    app.router.add_post("/hook", made.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    made.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield made
    await runner.cleanup()


def hooked(settings: Settings, receiver: Receiver, **more: Any) -> Settings:
    host = receiver.url.split("/")[2]
    return settings.model_copy(
        update={
            "webhook_allow": [host],
            "webhook_allow_loopback": True,
            "webhook_attempts": 3,
            "webhook_backoff": 0.05,
            "webhook_backoff_max": 0.2,
            "webhook_timeout": 0.5,
            "rate_limit": 0,
        }
        | more
    )


AppClient = Callable[..., Awaitable[Client]]


async def app_client(settings: Settings, issue: Issue, aiohttp_client: AppClient) -> Client:
    return await aiohttp_client(create_app(settings), headers=bearer(issue("admin")))


async def clue(client: Client, n: int, unit: str | None = None) -> int:
    body = {
        "source": "hotline_12345",
        "external_id": f"hook-{n}",
        "summary": f"市民来电第{n}号",
        "received_at": "2025-03-02T09:00:00+08:00",
        "unit_id": unit,
    }
    answer = await client.post("/v1/clues", json=body)
    assert answer.status == 201, await answer.text()
    return int((await answer.json())["position"])


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in time")


async def subscribe(client: Client, receiver: Receiver, **body: Any) -> dict[str, Any]:
    answer = await client.post("/v1/webhooks", json={"url": receiver.url} | body)
    assert answer.status == 201, await answer.text()
    return dict(await answer.json())


async def test_deliveries_are_signed_in_order_and_retried_under_the_same_id(
    settings: Settings, issue: Issue, aiohttp_client: AppClient, receiver: Receiver
) -> None:
    client = await app_client(hooked(settings, receiver, webhook_attempts=5), issue, aiohttp_client)
    hook = await subscribe(client, receiver, types=["Clue.Received"])
    assert hook["secret"].startswith("whsec_") and hook["status"] == "active"
    assert "secret" not in await (await client.get(f"/v1/webhooks/{hook['id']}")).json()
    receiver.script = [500, 0.8, 429]  # fails, times out, asks to wait: then recovers
    positions = [await clue(client, n) for n in range(5)]
    await until(lambda: _count(receiver, 6))  # the late answer's delivery came again
    events = receiver.delivered(hook["secret"])
    assert [e["position"] for e in events] == positions
    assert {e["type"] for e in events} == {"Clue.Received"}
    assert events[0]["data"]["source"] == "hotline_12345"
    ids = [h["webhook-id"] for h, _, _ in receiver.received]
    assert ids[:4] == [ids[0]] * 4  # the first delivery, tried four times, one id
    assert len(set(ids)) == 5
    deliveries = await (await client.get(f"/v1/webhooks/{hook['id']}/deliveries")).json()
    first = deliveries["items"][0]
    assert (first["status"], first["attempts"]) == ("delivered", 4)


async def _count(receiver: Receiver, wanted: int) -> bool:
    return sum(200 <= status < 300 for *_, status in receiver.received) >= wanted


async def test_a_dead_letter_is_listed_the_next_go_and_a_replay_delivers_it(
    settings: Settings, issue: Issue, aiohttp_client: AppClient, receiver: Receiver
) -> None:
    client = await app_client(hooked(settings, receiver), issue, aiohttp_client)
    hook = await subscribe(client, receiver)
    receiver.script = [500, 500, 500]  # the three attempts of the first delivery
    dead, alive = await clue(client, 1), await clue(client, 2)
    await until(lambda: _count(receiver, 1))
    failed = await (await client.get(f"/v1/webhooks/{hook['id']}/deliveries?status=failed")).json()
    assert [(d["position"], d["attempts"], d["last_status"]) for d in failed["items"]] == [
        (dead, 3, 500)
    ]
    assert [e["position"] for e in receiver.delivered(hook["secret"])] == [alive]
    replayed = await client.post(f"/v1/webhooks/{hook['id']}/deliveries/{dead}/replay", json={})
    assert replayed.status == 200
    await until(lambda: _count(receiver, 2))
    assert [e["position"] for e in receiver.delivered(hook["secret"])] == [alive, dead]
    again = await client.post(f"/v1/webhooks/{hook['id']}/replay", json={"after": dead - 1})
    assert again.status == 200
    await until(lambda: _count(receiver, 4))
    again_sent = [json.loads(b)["position"] for _, b, status in receiver.received if status == 200]
    assert again_sent[2:] == [dead, alive]  # the same message ids: a receiver may skip them


async def test_a_410_disables_the_webhook_until_it_is_resumed(
    settings: Settings, issue: Issue, aiohttp_client: AppClient, receiver: Receiver
) -> None:
    client = await app_client(hooked(settings, receiver), issue, aiohttp_client)
    hook = await subscribe(client, receiver)
    receiver.script = [410]
    position = await clue(client, 1)

    async def disabled() -> bool:
        found = await (await client.get(f"/v1/webhooks/{hook['id']}")).json()
        return bool(found["status"] == "disabled")

    await until(disabled)
    resumed = await client.post(f"/v1/webhooks/{hook['id']}/resume", json={})
    assert (await resumed.json())["status"] == "active"
    await until(lambda: _count(receiver, 1))
    assert [e["position"] for e in receiver.delivered(hook["secret"])] == [position]


async def test_a_new_secret_signs_what_follows(
    settings: Settings, issue: Issue, aiohttp_client: AppClient, receiver: Receiver
) -> None:
    client = await app_client(hooked(settings, receiver), issue, aiohttp_client)
    hook = await subscribe(client, receiver)
    await clue(client, 1)
    await until(lambda: _count(receiver, 1))
    rotated = await (await client.post(f"/v1/webhooks/{hook['id']}/rotate-secret", json={})).json()
    assert rotated["secret"] != hook["secret"]
    await clue(client, 2)
    await until(lambda: _count(receiver, 2))
    headers, body, _ = receiver.received[-1]
    assert (
        Webhook(rotated["secret"]).verify(body.decode(), headers)["data"]["external_id"] == "hook-2"
    )
    with pytest.raises(Exception, match="signature"):
        Webhook(hook["secret"]).verify(body.decode(), headers)


async def test_only_allowed_hosts_and_no_inside_addresses_unless_allowed(
    settings: Settings, issue: Issue, aiohttp_client: AppClient, receiver: Receiver
) -> None:
    strict = hooked(settings, receiver, webhook_allow_loopback=False)
    client = await app_client(strict, issue, aiohttp_client)
    for url, rule in (
        ("http://169.254.169.254/latest/meta-data", "allowed_hosts"),
        ("ftp://example.gov.cn/x", "allowed_hosts"),
    ):
        refused = await client.post("/v1/webhooks", json={"url": url})
        assert refused.status == 422
        assert (await refused.json())["errors"][0] == {
            "field": "url",
            "rule": rule,
            "message": (await refused.json())["errors"][0]["message"],
        }
    hook = await subscribe(client, receiver)  # allowed by name, but it is loopback
    await clue(client, 1)

    async def refused_target() -> bool:
        found = await (await client.get(f"/v1/webhooks/{hook['id']}")).json()
        return bool(found["status"] == "disabled")

    await until(refused_target)
    found = await (await client.get(f"/v1/webhooks/{hook['id']}")).json()
    assert "inside the network" in found["status_reason"]
    assert receiver.received == []


async def test_a_subscriber_receives_only_what_its_jurisdiction_holds(
    settings: Settings, issue: Issue, aiohttp_client: AppClient, receiver: Receiver
) -> None:
    client = await app_client(hooked(settings, receiver), issue, aiohttp_client)
    units = []
    for name in ("无锡市司法局", "南京市司法局"):
        made = await client.post(
            "/v1/units", json={"name": name, "kind": "department", "level": "municipal"}
        )
        units.append((await made.json())["id"])
    ours, theirs = units
    scoped = bearer(issue("integration", unit=UUID(ours), subject="cadre-system"))
    answer = await client.post("/v1/webhooks", json={"url": receiver.url}, headers=scoped)
    assert answer.status == 201
    hook = await answer.json()
    outside = await client.post(
        "/v1/webhooks", json={"url": receiver.url, "unit_id": theirs}, headers=scoped
    )
    assert outside.status == 403
    inside, _ = await clue(client, 1, ours), await clue(client, 2, theirs)
    last = await clue(client, 3, ours)
    await until(lambda: _count(receiver, 2))
    await asyncio.sleep(0.3)
    assert [e["position"] for e in receiver.delivered(hook["secret"])] == [inside, last]
    listed = await (await client.get("/v1/webhooks", headers=scoped)).json()
    assert [h["id"] for h in listed["items"]] == [hook["id"]]
    bodies = [json.loads(b) for _, b, _ in receiver.received]
    assert all(b["data"]["unit_id"] == ours for b in bodies)


async def test_the_signing_secret_is_stored_sealed(
    settings: Settings,
    issue: Issue,
    aiohttp_client: AppClient,
    receiver: Receiver,
    pool: asyncpg.Pool,
) -> None:
    """A copy of the database alone cannot sign a delivery: the secret is sealed under a
    key derived from the PII key, and deliveries still verify with the secret shown."""
    client = await app_client(hooked(settings, receiver), issue, aiohttp_client)
    hook = await subscribe(client, receiver)
    stored = await pool.fetchval("SELECT secret FROM webhooks WHERE id = $1", UUID(hook["id"]))
    assert stored.startswith("aesgcm:v1:") and hook["secret"] not in stored
    assert hook["secret"].removeprefix("whsec_") not in stored
    await clue(client, 1)
    await until(lambda: _count(receiver, 1))
    assert receiver.delivered(hook["secret"])[0]["data"]["external_id"] == "hook-1"
    other = store.seal(b"another key of 32 bytes or more, really", hook["secret"])
    with pytest.raises(InvalidTag):
        store.unseal(load_pii_key(None, settings.data_dir) + b"x", other)


def verified_v1a(public_key: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """What a receiver of a ``v1a`` delivery does: check the Ed25519 signature of
    ``{webhook-id}.{webhook-timestamp}.{body}`` with the subscription's public key."""
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key.removeprefix("whpk_")))
    scheme, signature = headers["webhook-signature"].split(",", 1)
    assert scheme == "v1a"
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    key.verify(base64.b64decode(signature), signed)  # raises InvalidSignature if forged
    return dict(json.loads(body))


async def test_v1a_deliveries_are_signed_with_a_key_the_receiver_never_holds(
    settings: Settings,
    issue: Issue,
    aiohttp_client: AppClient,
    receiver: Receiver,
    pool: asyncpg.Pool,
) -> None:
    client = await app_client(hooked(settings, receiver), issue, aiohttp_client)
    hook = await subscribe(client, receiver, scheme="v1a")
    assert hook["secret"] is None and hook["public_key"].startswith("whpk_")
    shown = await (await client.get(f"/v1/webhooks/{hook['id']}")).json()
    assert (shown["scheme"], shown["public_key"]) == ("v1a", hook["public_key"])
    stored = await pool.fetchval("SELECT secret FROM webhooks WHERE id = $1", UUID(hook["id"]))
    assert stored.startswith("aesgcm:v1:")  # the signing key, sealed
    await clue(client, 1)
    await until(lambda: _count(receiver, 1))
    headers, body, _ = receiver.received[0]
    assert verified_v1a(hook["public_key"], headers, body)["data"]["external_id"] == "hook-1"
    rotated = await (await client.post(f"/v1/webhooks/{hook['id']}/rotate-secret", json={})).json()
    assert rotated["secret"] is None and rotated["public_key"] != hook["public_key"]
    await clue(client, 2)
    await until(lambda: _count(receiver, 2))
    headers, body, _ = receiver.received[-1]
    assert verified_v1a(rotated["public_key"], headers, body)["data"]["external_id"] == "hook-2"
    with pytest.raises(InvalidSignature):
        verified_v1a(hook["public_key"], headers, body)
    tampered = body.replace(b"hook-2", b"hook-3")
    with pytest.raises(InvalidSignature):
        verified_v1a(rotated["public_key"], headers, tampered)
    refused = await client.post("/v1/webhooks", json={"url": receiver.url, "scheme": "v2"})
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "scheme"


async def test_a_name_that_resolves_inward_when_connecting_is_never_reached(
    settings: Settings, receiver: Receiver
) -> None:
    """DNS rebinding: a name public when checked and internal when connected. The
    connection resolves through the deliverer's own resolver, which refuses the inside
    address there and then, whatever the check before it saw."""
    strict = hooked(settings, receiver, webhook_allow_loopback=False)
    url = receiver.url.replace("127.0.0.1", "localhost")
    async with delivery.session(strict) as http:
        outcome = await delivery.post(http, url, delivery.new_secret(), "msg_x", "{}", 1.0)
    assert not outcome.delivered and "inside the network" in str(outcome.error)
    assert receiver.received == []
    allowed = hooked(settings, receiver)  # the operator allows inside addresses: it goes
    async with delivery.session(allowed) as http:
        outcome = await delivery.post(http, url, delivery.new_secret(), "msg_y", "{}", 1.0)
    assert outcome.delivered and len(receiver.received) == 1
