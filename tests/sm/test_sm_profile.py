"""The example of docs/SM-MODE.md verifies as printed there, and the profile's parts hold:
the signature type, the key id's hash, the 68-byte signature, a tampered note refused."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from ledger.offline import (
    SM2_TYPE,
    SM3_SM2,
    NoteError,
    leaf_hash,
    parse_key,
    root_hash,
    sm3,
    verify_checkpoint,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "SM-MODE.md"


def blocks() -> list[str]:
    return re.findall(r"```\n(.*?)```", DOC.read_text(), re.S)


def test_the_documented_checkpoint_verifies_under_the_documented_key() -> None:
    key_text = next(b for b in blocks() if "+" in b and b[-1] == "\n" and b.count("\n") == 1)
    note = next(b for b in blocks() if b.startswith("ledger.js.gov.cn/ledger\n3\n"))
    key = parse_key(key_text.strip())
    assert key.kind == SM2_TYPE == b"\xffsm2-sm3" and key.crypto == SM3_SM2
    assert key.key_id == sm3(b"ledger.js.gov.cn/ledger\n" + SM2_TYPE + key.public)[:4]
    checkpoint = verify_checkpoint(note, key_text.strip())
    leaves = [leaf_hash(f"leaf {i}".encode(), SM3_SM2) for i in range(3)]
    assert checkpoint.size == 3 and checkpoint.root == root_hash(leaves, SM3_SM2)
    signature = base64.b64decode(note.rstrip("\n").rsplit(" ", 1)[1])
    assert len(signature) == 68 and signature[:4] == key.key_id
    with pytest.raises(NoteError, match="bad signature"):
        verify_checkpoint(note.replace("\n3\n", "\n4\n"), key_text.strip())
