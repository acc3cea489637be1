"""The console checks an audit trail's proofs itself, with the offline verifier's functions
(``ledger.offline``, what an auditor runs): the checkpoint's signature under the ledger's
verifier key, and each event's leaf against what the trail states and its inclusion proof
against the checkpoint's root. The page shows the outcome of these checks, not the API's
word for it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.offline import (
    SHA256_ED25519,
    Checkpoint,
    NoteError,
    ProofError,
    leaf_hash,
    parse_key,
    parse_leaf,
    verify_checkpoint,
    verify_inclusion,
)


@dataclass(frozen=True)
class Checked:
    """``state``: ``verified``, ``failed`` (``reason`` says why) or ``pending`` (no proof:
    the event came after the latest checkpoint)."""

    state: str
    reason: str = ""


@dataclass(frozen=True)
class CheckedCheckpoint:
    note: str | None
    checkpoint: Checkpoint | None
    reason: str
    crypto: str = SHA256_ED25519  # the ledger's algorithms, as its key's type says

    @property
    def root(self) -> str:
        return base64.b64encode(self.checkpoint.root).decode() if self.checkpoint else ""

    @property
    def time(self) -> str | None:
        return self.checkpoint.extension("time") if self.checkpoint else None


def check_checkpoint(note: str | None, verifier_key: str) -> CheckedCheckpoint:
    if not note:
        return CheckedCheckpoint(None, None, "尚无已签名的检查点")
    try:
        crypto = parse_key(verifier_key).crypto
        return CheckedCheckpoint(note, verify_checkpoint(note, verifier_key), "", crypto)
    except NoteError as error:
        return CheckedCheckpoint(note, None, f"检查点签名核验未通过：{error}")


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise ProofError(f"{what} is not base64") from None


def _same_time(leaf_time: datetime, stated: str) -> bool:
    try:
        return leaf_time == datetime.fromisoformat(stated)
    except ValueError:
        return False


def check_event(item: dict[str, Any], checkpoint: CheckedCheckpoint) -> Checked:
    """The event's leaf decodes to what the trail states of it (position, stream, version,
    type, recorded time) and is included in the signed checkpoint's tree."""
    proof = item.get("proof")
    if proof is None:
        return Checked("pending", "在最新检查点之后写入，待下一个检查点签署后可核验")
    if checkpoint.checkpoint is None:
        return Checked("failed", checkpoint.reason)
    try:
        leaf = _b64(proof["leaf"], "leaf")
        hashed = leaf_hash(leaf, checkpoint.crypto)
        if base64.b64encode(hashed).decode() != proof["leaf_hash"]:
            raise ProofError("the leaf hash does not match the leaf")
        fields = parse_leaf(leaf)
        stated = {
            "position": item["position"],
            "stream_id": str(item["stream_id"]),
            "stream_version": item["stream_version"],
            "topic": item["topic"],
        }
        for name, value in stated.items():
            if fields[name] != value:
                raise ProofError(f"the leaf holds {name} {fields[name]!r}, the trail {value!r}")
        if not _same_time(fields["recorded_at"], item["recorded_at"]):
            raise ProofError("the leaf's recorded time differs from the trail's")
        path = [_b64(h, "proof hash") for h in proof["inclusion_proof"]]
        verify_inclusion(
            item["position"] - 1,
            checkpoint.checkpoint.size,
            hashed,
            path,
            checkpoint.checkpoint.root,
            checkpoint.crypto,
        )
    except (ProofError, KeyError, TypeError) as error:
        return Checked("failed", str(error))
    return Checked("verified")
