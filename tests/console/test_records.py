"""Verified, visibly: an audit trail whose inclusion proofs the console checks itself
(and would show failing, were a proof or the checkpoint not what was signed), and the page
that tells an auditor how to verify offline."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

import asyncpg

from ledger.api.console.verification import check_checkpoint, check_event
from ledger.infra.checkpoints import load_signer, make_checkpoint
from ledger.infra.settings import Settings
from tests.conftest import Issue
from tests.console.conftest import Client, SignIn
from tests.console.facts import api, assert_no_inline_code


async def _sealed(pool: asyncpg.Pool, settings: Settings) -> None:
    await make_checkpoint(pool, load_signer(settings.origin, None, settings.data_dir))


async def test_a_units_trail_shows_each_event_checked_against_the_signed_checkpoint(
    world: dict[str, Any],
    sign_in: SignIn,
    client: Client,
    issue: Issue,
    pool: asyncpg.Pool,
    settings: Settings,
) -> None:
    await _sealed(pool, settings)
    city = world["jurisdictions"]["city"]
    trail = await api(client, issue, f"/v1/history/{city}?proofs=true")
    await sign_in("admin")
    answer = await client.get(f"/console/records/unit/{city}")
    assert answer.status == 200
    html = await answer.text()
    assert html.count('data-check="verified"') == len(trail["items"]) > 0
    assert "未通过" not in html
    for item in trail["items"]:
        assert f'data-position="{item["position"]}"' in html
        assert item["type"] in html and item["chain_hash"] in html
    assert trail["checkpoint"].splitlines()[0] in html  # the checkpoint itself, shown
    assert "检查点签名有效" in html
    assert_no_inline_code(html)


async def test_a_changed_proof_or_another_key_fails_the_consoles_check(
    world: dict[str, Any], client: Client, issue: Issue, pool: asyncpg.Pool, settings: Settings
) -> None:
    await _sealed(pool, settings)
    city = world["jurisdictions"]["city"]
    trail = await api(client, issue, f"/v1/history/{city}?proofs=true")
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    checkpoint = check_checkpoint(trail["checkpoint"], key)
    item = trail["items"][0]
    assert check_event(item, checkpoint).state == "verified"
    path = list(item["proof"]["inclusion_proof"])
    path[0] = base64.b64encode(bytes(32)).decode()
    altered = item | {"proof": item["proof"] | {"inclusion_proof": path}}
    assert check_event(altered, checkpoint).state == "failed"
    restated = item | {"stream_version": item["stream_version"] + 1}
    assert "stream_version" in check_event(restated, checkpoint).reason
    other_key = key.rsplit("+", 1)[0] + "+" + base64.b64encode(b"\x01" + bytes(32)).decode()
    assert check_checkpoint(trail["checkpoint"], other_key).checkpoint is None
    assert check_event(item | {"proof": None}, checkpoint).state == "pending"


async def test_the_url_names_the_kind_and_refusals_are_in_words(
    world: dict[str, Any], sign_in: SignIn, client: Client
) -> None:
    city = world["jurisdictions"]["city"]
    await sign_in("admin")
    wrong = await client.get(f"/console/records/finding/{city}", allow_redirects=False)
    assert wrong.status == 303 and wrong.headers["Location"].startswith(
        f"/console/records/unit/{city}"
    )
    unknown = await client.get(f"/console/records/planet/{city}")
    assert unknown.status == 404 and "planet" in await unknown.text()
    await sign_in("personnel", unit=UUID(city))
    refused = await client.get(f"/console/records/unit/{city}")
    assert refused.status == 403 and "无权进行此操作" in await refused.text()


async def test_the_api_asking_for_a_purpose_brings_the_form(
    world: dict[str, Any], sign_in: SignIn, client: Client
) -> None:
    city = world["jurisdictions"]["city"]
    await sign_in("discipline", unit=UUID(city))
    asked = await client.get(f"/console/records/unit/{city}")
    assert asked.status == 200 and "请说明查阅目的" in await asked.text()
    given = await client.get(f"/console/records/unit/{city}?purpose=纪律审查")
    assert given.status == 200 and "纪律审查" in await given.text()


async def test_the_verify_page_shows_the_real_commands_and_the_verifier(
    world: dict[str, Any], sign_in: SignIn, client: Client
) -> None:
    await sign_in("personnel")
    html = await (await client.get("/console/verify")).text()
    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    assert key in html
    assert "ledger-verify record --key key.txt ref-proof.json" in html
    assert 'json.load(sys.stdin)["proofs"]' in html
    assert "ledger-verify consistency --key key.txt cp-old.txt cp-new.txt proof.json" in html
    verifier = await client.get("/console/verify/offline.py")
    assert verifier.status == 200
    assert verifier.headers["Content-Disposition"] == 'attachment; filename="offline.py"'
    assert "def verify_inclusion" in await verifier.text()
