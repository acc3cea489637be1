"""Verifiability over HTTP: public key, checkpoints, proofs the offline verifier accepts."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from ledger.offline import main as offline_main
from ledger.offline import verify_checkpoint, verify_consistency


async def _grow(client: TestClient[Any, Any], headers: dict[str, str], n: int) -> int:
    position = 0
    for i in range(n):
        response = await client.post("/v1/persons", json={"name": f"证人{i}"}, headers=headers)
        position = (await response.json())["position"]
    return position


async def _checkpoint_at_least(client: TestClient[Any, Any], size: int) -> str:
    """The sealer signs every `checkpoint_interval` (0.5 s in tests)."""
    for _ in range(100):
        response = await client.get("/v1/ledger/checkpoint")
        if response.status == 200:
            note = await response.text()
            if int(note.splitlines()[1]) >= size:
                return note
        await asyncio.sleep(0.1)
    raise AssertionError(f"no checkpoint of size {size} was signed")


async def test_checkpoint_is_signed_by_the_published_key(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    last = await _grow(client, headers, 5)
    note = await _checkpoint_at_least(client, last)
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    checkpoint = verify_checkpoint(note, key)
    assert checkpoint.origin == "ledger.local/ledger" and checkpoint.size >= 5
    assert checkpoint.extension("chain") is not None and checkpoint.extension("time") is not None
    listed = await (await client.get("/v1/ledger/checkpoints", params={"limit": "1"})).json()
    assert listed["items"][0]["note"] == note


async def test_inclusion_proof_verifies_offline(
    client: TestClient[Any, Any], headers: dict[str, str], tmp_path: Path
) -> None:
    last = await _grow(client, headers, 7)
    await _checkpoint_at_least(client, last)
    record = await (await client.get("/v1/ledger/proof/inclusion", params={"position": "3"})).json()
    assert record["format"] == "ledger-proof-v1" and record["checkpoint"]
    (tmp_path / "record.json").write_text(json.dumps(record))
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    (tmp_path / "key").write_text(key)
    assert (
        offline_main(["record", "--key", str(tmp_path / "key"), str(tmp_path / "record.json")]) == 0
    )
    record["events"][0]["leaf"] = base64.b64encode(b"forged").decode()
    (tmp_path / "record.json").write_text(json.dumps(record))
    assert (
        offline_main(["record", "--key", str(tmp_path / "key"), str(tmp_path / "record.json")]) == 1
    )


async def test_consistency_between_two_checkpoints(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    first = await _checkpoint_at_least(client, await _grow(client, headers, 3))
    second = await _checkpoint_at_least(client, await _grow(client, headers, 4))
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    old, new = verify_checkpoint(first, key), verify_checkpoint(second, key)
    proof = await (
        await client.get(
            "/v1/ledger/proof/consistency", params={"from": str(old.size), "to": str(new.size)}
        )
    ).json()
    assert proof["checkpoints"] == {"from": first, "to": second}
    verify_consistency(
        old.size, new.size, old.root, new.root, [base64.b64decode(h) for h in proof["proof"]]
    )


async def test_bad_proof_requests_are_refused(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    last = await _grow(client, headers, 2)
    await _checkpoint_at_least(client, last)
    cases = [
        ("/v1/ledger/proof/inclusion", {}, 422, "position"),
        ("/v1/ledger/proof/inclusion", {"position": "0"}, 422, "position"),
        ("/v1/ledger/proof/inclusion", {"position": "x"}, 422, "position"),
        ("/v1/ledger/proof/inclusion", {"position": "99"}, 422, "position"),
        ("/v1/ledger/proof/inclusion", {"position": "1", "size": "999"}, 404, None),
        ("/v1/ledger/proof/consistency", {}, 422, "from"),
        ("/v1/ledger/proof/consistency", {"from": "5", "to": "2"}, 422, "from"),
        ("/v1/ledger/proof/consistency", {"from": "1", "to": "999"}, 404, None),
        ("/v1/ledger/checkpoints", {"cursor": "bm90IGEgbGlzdA=="}, 422, "cursor"),
    ]
    for path, params, status, field in cases:
        response = await client.get(path, params=params)
        assert response.status == status, (path, params, await response.text())
        assert response.content_type == "application/problem+json"
        if field is not None:
            assert (await response.json())["errors"][0]["field"] == field
