"""The transparency-dev/merkle proof vectors (tests/testdata/merkle) against the offline
verifier: every `wantErr: false` case verifies, every `wantErr: true` one is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.offline import ProofError, verify_consistency, verify_inclusion

DATA = Path(__file__).parent.parent / "testdata" / "merkle"
INCLUSION = sorted((DATA / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((DATA / "consistency").rglob("*.json"))


def load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(case["wantErr"], bool)
    return case


def b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def proof(case: dict[str, Any]) -> list[bytes]:
    return [b64(h) for h in case["proof"] or []]


def ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(DATA)) for path in paths]


def test_the_vectors_are_there() -> None:
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98
    assert sum(not load(p)["wantErr"] for p in INCLUSION) == 6
    assert sum(not load(p)["wantErr"] for p in CONSISTENCY) == 6


@pytest.mark.parametrize("path", INCLUSION, ids=ids(INCLUSION))
def test_inclusion_vector(path: Path) -> None:
    case = load(path)
    args = (
        case["leafIdx"],
        case["treeSize"],
        b64(case["leafHash"]),
        proof(case),
        b64(case["root"]),
    )
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=ids(CONSISTENCY))
def test_consistency_vector(path: Path) -> None:
    case = load(path)
    args = (case["size1"], case["size2"], b64(case["root1"]), b64(case["root2"]), proof(case))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)
