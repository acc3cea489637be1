"""A ledger in SM mode over HTTP, beside a SHA-256 one in the same run: its checkpoints are
SM2-signed notes under the published verifier key, its proofs (inclusion, consistency, an
evaluation reference's) name their algorithms and pass the offline verifier, a checkpoint's
signature verifies with `openssl pkeyutl` too, and neither ledger's key proves the other's
records."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.api.console.verification import check_checkpoint, check_event
from ledger.infra import sm2
from ledger.infra.settings import Settings
from ledger.offline import SM2_ID, SM2_TYPE, parse_key, verify_checkpoint
from ledger.offline import main as offline_main
from tests.conftest import Issue, bearer, fresh_database

Client = Callable[..., Awaitable[TestClient[Any, Any]]]


async def grow(client: TestClient[Any, Any], n: int) -> int:
    position = 0
    for i in range(n):
        answer = await client.post("/v1/persons", json={"name": f"证人{i}"})
        assert answer.status == 201, await answer.text()
        position = (await answer.json())["position"]
    return position


async def checkpoint_at_least(client: TestClient[Any, Any], size: int) -> str:
    for _ in range(100):
        answer = await client.get("/v1/ledger/checkpoint")
        if answer.status == 200:
            note = await answer.text()
            if int(note.splitlines()[1]) >= size:
                return note
        await asyncio.sleep(0.1)
    raise AssertionError(f"no checkpoint of size {size} was signed")


def offline(tmp_path: Path, key: str, command: str, *files: dict[str, Any] | str) -> int:
    (tmp_path / "key").write_text(key)
    paths = []
    for n, content in enumerate(files):
        path = tmp_path / f"file{n}"
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        paths.append(str(path))
    return offline_main([command, "--key", str(tmp_path / "key"), *paths])


@pytest.fixture
async def sha_url(server_url: str, template: str) -> AsyncIterator[str]:
    """A second database of the test server: the SHA-256 ledger beside the SM one."""
    async with fresh_database(server_url, template) as url:
        yield url


async def test_an_sm_ledger_and_a_sha256_ledger_side_by_side(
    settings: Settings,
    issue: Issue,
    aiohttp_client: Client,
    sha_url: str,
    tmp_path: Path,
) -> None:
    sm_settings = settings.model_copy(update={"crypto": "sm"})
    sha_settings = settings.model_copy(
        update={"database_url": sha_url, "data_dir": tmp_path / "sha"}
    )
    token = bearer(issue("admin"))
    sm = await aiohttp_client(create_app(sm_settings), headers=token)
    sha_token = bearer(_token(sha_settings))
    sha = await aiohttp_client(create_app(sha_settings), headers=sha_token)

    sm_key = (await (await sm.get("/v1/ledger/public-key")).text()).strip()
    sha_key = (await (await sha.get("/v1/ledger/public-key")).text()).strip()
    assert parse_key(sm_key).kind == SM2_TYPE and parse_key(sm_key).crypto == "sm3-sm2"
    assert parse_key(sha_key).crypto == "sha256-ed25519"

    first = await checkpoint_at_least(sm, await grow(sm, 3))
    second = await checkpoint_at_least(sm, await grow(sm, 4))
    await checkpoint_at_least(sha, await grow(sha, 3))
    old, new = verify_checkpoint(first, sm_key), verify_checkpoint(second, sm_key)
    assert offline(tmp_path, sm_key, "checkpoint", second) == 0

    record = await (await sm.get("/v1/ledger/proof/inclusion", params={"position": "2"})).json()
    assert record["crypto"] == "sm3-sm2"
    assert offline(tmp_path, sm_key, "record", record) == 0
    assert offline(tmp_path, sha_key, "record", record) == 1  # another ledger's key
    proof = await (
        await sm.get("/v1/ledger/proof/consistency", params={"from": old.size, "to": new.size})
    ).json()
    assert proof["crypto"] == "sm3-sm2"
    assert offline(tmp_path, sm_key, "consistency", first, second, proof) == 0

    sha_record = await (
        await sha.get("/v1/ledger/proof/inclusion", params={"position": "2"})
    ).json()
    assert sha_record["crypto"] == "sha256-ed25519"
    assert offline(tmp_path, sha_key, "record", sha_record) == 0
    sha_record["crypto"] = "sm3-sm2"  # a record claiming the other algorithms
    assert offline(tmp_path, sha_key, "record", sha_record) == 1

    # An evaluation reference's proofs name the algorithms too.
    person = (await (await sm.get("/v1/persons", params={"limit": "1"})).json())["items"][0]
    reference = await sm.get(
        f"/v1/persons/{person['id']}/evaluation-reference",
        params={"from": "2020-01-01", "to": "2030-12-31", "proofs": "true"},
        headers={"X-Access-Purpose": quote("干部考察", safe="")},
    )
    assert reference.status == 200, await reference.text()
    proofs = (await reference.json())["proofs"]
    assert proofs["crypto"] == "sm3-sm2" and proofs["events"]
    assert offline(tmp_path, sm_key, "record", proofs) == 0


def _token(settings: Settings) -> str:
    from ledger.domain.access import Role
    from ledger.infra.tokens import issue_token, load_token_key

    key, _ = load_token_key(settings)
    return issue_token(key, settings, subject="tester", role=Role.ADMIN)[0]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command here")
async def test_a_checkpoint_signature_verifies_with_openssl(
    settings: Settings, issue: Issue, aiohttp_client: Client, tmp_path: Path
) -> None:
    client = await aiohttp_client(
        create_app(settings.model_copy(update={"crypto": "sm"})), headers=bearer(issue("admin"))
    )
    note = await checkpoint_at_least(client, await grow(client, 2))
    key = parse_key((await (await client.get("/v1/ledger/public-key")).text()).strip())
    text, _, signatures = note.rpartition("\n\n")
    signature = base64.b64decode(signatures.split(" ")[-1])
    assert signature[:4] == key.key_id and len(signature) == 68
    (tmp_path / "text").write_bytes((text + "\n").encode())
    (tmp_path / "sig.der").write_bytes(sm2.raw_to_der(signature[4:]))
    signing = sm2.load_private_key_pem((settings.data_dir / "signing-key-sm2.pem").read_bytes())
    assert signing.public_key() == key.public
    (tmp_path / "pub.pem").write_bytes(signing.public_key_pem())
    verified = await asyncio.to_thread(
        subprocess.run,
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
         "-rawin", "-digest", "sm3", "-pkeyopt", f"distid:{SM2_ID.decode()}",
         "-in", str(tmp_path / "text"), "-sigfile", str(tmp_path / "sig.der")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0 and "Success" in verified.stdout, verified.stderr


async def test_the_console_checks_an_sm_trail_itself(
    settings: Settings, issue: Issue, aiohttp_client: Client
) -> None:
    client = await aiohttp_client(
        create_app(settings.model_copy(update={"crypto": "sm"})), headers=bearer(issue("admin"))
    )
    unit = {"name": "无锡市司法局", "kind": "department", "level": "municipal"}
    made = await (await client.post("/v1/units", json=unit)).json()
    await checkpoint_at_least(client, made["position"])
    trail = await (await client.get(f"/v1/history/{made['id']}", params={"proofs": "true"})).json()
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    checkpoint = check_checkpoint(trail["checkpoint"], key)
    assert checkpoint.crypto == "sm3-sm2" and checkpoint.checkpoint is not None
    assert trail["items"] and all(
        check_event(item, checkpoint).state == "verified" for item in trail["items"]
    )
    item = trail["items"][0]
    restated = item | {"stream_version": item["stream_version"] + 1}
    assert check_event(restated, checkpoint).state == "failed"
