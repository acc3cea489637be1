"""Tampering as a database superuser (triggers disabled) is caught by `ledger verify` and,
against a checkpoint signed before, by the offline verifier: every case for a SHA-256 /
Ed25519 ledger and again for one in SM mode (SM3 chain and tree, SM2 checkpoints, the
chain's SM3 links computed by the application: the test server has no pgcrypto)."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.application import Context, Ledger
from ledger.application.commands import RegisterPerson
from ledger.infra import sm2
from ledger.infra.checkpoints import Signer, SM2NoteKey, load_signer, make_checkpoint
from ledger.infra.leaf import leaf_bytes
from ledger.infra.merkle import TreeError, extend_all, proof_record
from ledger.infra.verify import verify_ledger
from ledger.infra.verify_report import Report
from ledger.offline import (
    HASHES,
    SHA256_ED25519,
    SM2_ID,
    SM3_SM2,
    node_hash,
    sign_note,
    verify_checkpoint,
)
from ledger.offline import main as offline_main

EVENTS = 30
CTX = Context(actor="tester")


@dataclass
class Sealed:
    pool: asyncpg.Pool
    signer: Signer
    notes: dict[int, str]  # checkpoints signed before the tampering, by size
    folder: Path
    crypto: str

    def intruder(self) -> Signer:
        """A key of the same kind as the ledger's, under its name: not its key."""
        if self.crypto == SM3_SM2:
            return Signer(self.signer.name, SM2NoteKey(sm2.generate_private_key()))
        return Signer(self.signer.name, Ed25519PrivateKey.generate())

    async def verify(self) -> Report:
        return await verify_ledger(self.pool, self.signer.verifier_key)

    async def tamper(self, *statements: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for statement in statements:
                await conn.execute(statement)

    async def offline(self, position: int, size: int = EVENTS) -> tuple[int, str]:
        """The offline verdict on the record the service gives now, against the old note."""
        try:
            record = await proof_record(self.pool, [position], size, self.notes[size])
        except TreeError as error:
            return 1, f"the service cannot prove position {position}: {error}"
        return self.run_offline(record)

    def run_offline(self, record: dict[str, Any]) -> tuple[int, str]:
        path = self.folder / "record.json"
        path.write_text(json.dumps(record))
        key = self.folder / "key.txt"
        key.write_text(self.signer.verifier_key)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = offline_main(["record", "--key", str(key), str(path)])
        return code, out.getvalue()


@pytest.fixture(params=[SHA256_ED25519, SM3_SM2])
async def sealed(
    pool: asyncpg.Pool, ledger: Ledger, tmp_path: Path, request: pytest.FixtureRequest
) -> Sealed:
    crypto = request.param
    if crypto == SM3_SM2:  # what the first start of an SM service writes
        await pool.execute(
            "INSERT INTO ledger_parameters (crypto, sm2_user_id) VALUES ($1, $2)",
            crypto,
            SM2_ID.decode(),
        )
    signer = load_signer("ledger.test/tamper", None, tmp_path, crypto)
    notes = {}
    for i in range(EVENTS):
        await ledger.persons.register_person(
            CTX, RegisterPerson(name=f"人员{i:02d}", person_no=f"T-{i:02d}")
        )
        if (i + 1) % 10 == 0:
            notes[i + 1] = await make_checkpoint(pool, signer)
    sealed = Sealed(pool, signer, notes, tmp_path, crypto)
    assert (await sealed.verify()).ok
    return sealed


def finding(report: Report) -> tuple[str, int | None]:
    assert not report.ok, "tampering went unnoticed"
    first = report.findings[0]
    return first.kind, first.position


async def test_untouched_ledger_verifies_online_and_offline(sealed: Sealed) -> None:
    report = await sealed.verify()
    assert report.ok and report.events == EVENTS and report.checkpoints == 3
    code, verdict = await sealed.offline(17)
    assert code == 0, verdict


async def test_changed_byte_of_state(sealed: Sealed) -> None:
    await sealed.tamper(
        "UPDATE ledger_events SET state = overlay(state placing '\\x58'::bytea from 12 for 1)"
        " WHERE position = 12"
    )
    assert finding(await sealed.verify()) == ("changed row", 12)
    code, verdict = await sealed.offline(12)
    assert code == 1 and "INVALID" in verdict


async def test_changed_topic(sealed: Sealed) -> None:
    await sealed.tamper(
        "UPDATE ledger_events SET topic = 'ledger.domain.person:Person.DetailsCorrected'"
        " WHERE position = 7"
    )
    assert finding(await sealed.verify()) == ("changed row", 7)
    assert (await sealed.offline(7))[0] == 1


async def test_deleted_event(sealed: Sealed) -> None:
    before = await proof_record(sealed.pool, [15], EVENTS, sealed.notes[EVENTS])
    await sealed.tamper(
        "DELETE FROM ledger_seal WHERE position = 15",
        "DELETE FROM ledger_events WHERE position = 15",
    )
    assert finding(await sealed.verify()) == ("missing row", 15)
    code, verdict = await sealed.offline(15)
    assert code == 1 and "cannot prove" in verdict
    # the record exported before still proves the event was in the ledger
    assert sealed.run_offline(before)[0] == 0


async def test_deleted_last_event(sealed: Sealed) -> None:
    await sealed.tamper(
        f"DELETE FROM ledger_seal WHERE position = {EVENTS}",
        f"DELETE FROM ledger_events WHERE position = {EVENTS}",
    )
    assert finding(await sealed.verify()) == ("missing row", EVENTS)
    assert (await sealed.offline(EVENTS))[0] == 1


async def test_forged_event_inserted_in_the_middle(sealed: Sealed) -> None:
    await sealed.tamper(
        "ALTER TABLE ledger_seal DROP CONSTRAINT ledger_seal_position_fkey",
        "UPDATE ledger_seal SET position = position + 1000 WHERE position >= 20",
        "UPDATE ledger_events SET position = position + 1000 WHERE position >= 20",
        "UPDATE ledger_seal SET position = position - 999 WHERE position >= 1000",
        "UPDATE ledger_events SET position = position - 999 WHERE position >= 1000",
        "INSERT INTO ledger_events (position, stream_id, stream_version, topic, state, tags)"
        " SELECT 20, gen_random_uuid(), 1, topic, state, '{}' FROM ledger_events"
        " WHERE position = 3",
        "INSERT INTO ledger_seal (position, recorded_at, chain_hash)"
        " SELECT 20, recorded_at, chain_hash FROM ledger_seal WHERE position = 21",
    )
    assert finding(await sealed.verify()) == ("inserted row", 20)
    assert (await sealed.offline(20))[0] == 1


async def test_two_events_swapped(sealed: Sealed) -> None:
    await sealed.tamper(
        "ALTER TABLE ledger_seal DROP CONSTRAINT ledger_seal_position_fkey",
        "UPDATE ledger_events SET position = -1 WHERE position = 8",
        "UPDATE ledger_events SET position = 8 WHERE position = 9",
        "UPDATE ledger_events SET position = 9 WHERE position = -1",
    )
    kind, position = finding(await sealed.verify())
    assert (kind, position) == ("reordered rows", 8)
    assert (await sealed.offline(8))[0] == 1


async def test_whole_chain_and_tree_rewritten_consistently(sealed: Sealed) -> None:
    """Only the checkpoint signed before the change can catch this."""
    rows = await sealed.pool.fetch(
        "SELECT e.*, s.recorded_at FROM ledger_events e JOIN ledger_seal s USING (position)"
        " ORDER BY position"
    )
    forged = [dict(r) for r in rows]
    forged[14]["state"] = bytes(forged[14]["state"]).replace("人员14".encode(), "人员99".encode())
    chain = bytes(32)
    seal = []
    for row in forged:
        chain = HASHES[sealed.crypto](chain + leaf_bytes(row))
        seal.append(
            f"UPDATE ledger_seal SET chain_hash = '\\x{chain.hex()}' WHERE position = "
            f"{row['position']}"
        )
    await sealed.tamper(
        f"UPDATE ledger_events SET state = '\\x{forged[14]['state'].hex()}' WHERE position = 15",
        *seal,
        f"UPDATE ledger_head SET chain_hash = '\\x{chain.hex()}'",
        "DELETE FROM merkle_nodes",
        "UPDATE merkle_head SET size = 0",
    )
    await extend_all(sealed.pool)
    report = await sealed.verify()
    kind, position = finding(report)
    assert kind == "checkpoint inconsistent"
    assert position == 11  # between the checkpoint at 10 (still good) and the one at 20
    assert "11 and 20" in report.findings[0].detail
    assert (await sealed.offline(15))[0] == 1
    assert (await sealed.offline(25))[0] == 1  # every later proof fails against the old root


async def test_checkpoint_replaced_by_one_signed_with_another_key(sealed: Sealed) -> None:
    intruder = sealed.intruder()
    genuine = verify_checkpoint(sealed.notes[20], sealed.signer.verifier_key)
    note = sign_note(genuine.body(), intruder.name, intruder.private_key)
    await sealed.tamper(
        "DELETE FROM ledger_checkpoints WHERE size = 20",
        "INSERT INTO ledger_checkpoints (size, key_id, root, chain_hash, note)"
        f" SELECT 20, '\\x{intruder.key_id.hex()}', root, chain_hash, $${note}$$"
        " FROM ledger_checkpoints WHERE size = 10",
    )
    assert finding(await sealed.verify())[0] == "bad signature"
    record = await proof_record(sealed.pool, [5], 20, note)
    code, verdict = sealed.run_offline(record)
    assert code == 1 and "INVALID" in verdict


async def test_stored_tree_node_altered(sealed: Sealed) -> None:
    fake = node_hash(b"\x00" * 32, b"\x01" * 32)
    await sealed.tamper(
        f"UPDATE merkle_nodes SET hash = '\\x{fake.hex()}' WHERE level = 2 AND idx = 1"
    )
    kind, position = finding(await sealed.verify())
    assert (kind, position) == ("tree node altered", 5)


async def test_last_event_deleted_and_heads_rewound(sealed: Sealed) -> None:
    """Even with the head and the tree rewound, the signed checkpoint remembers the size."""
    await sealed.tamper(
        f"DELETE FROM ledger_seal WHERE position = {EVENTS}",
        f"DELETE FROM ledger_events WHERE position = {EVENTS}",
        f"DELETE FROM merkle_nodes WHERE idx >= ({EVENTS} - 1) >> level",
        f"UPDATE merkle_head SET size = {EVENTS - 1}",
        "UPDATE ledger_head SET (position, recorded_at, chain_hash) = (SELECT position,"
        f" recorded_at, chain_hash FROM ledger_seal WHERE position = {EVENTS - 1})",
    )
    assert finding(await sealed.verify()) == ("checkpoint beyond the log", EVENTS)
