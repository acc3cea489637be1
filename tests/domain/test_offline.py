"""The offline verifier (ledger.offline) against naive RFC 6962 reference code, the leaf
encoding, the Go sumdb/note published vectors, and its command line."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

import ledger.offline
from ledger.offline import (
    Checkpoint,
    NoteError,
    ProofError,
    key_id,
    leaf_hash,
    main,
    node_hash,
    parse_checkpoint,
    parse_leaf,
    parse_verifier_key,
    root_hash,
    sign_note,
    verifier_key,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
    verify_note,
)

# --- naive RFC 6962 §2.1 reference: MTH, PATH, PROOF ------------------------------------


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = split(len(leaves))
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def every_flip(hashes: list[bytes]) -> list[list[bytes]]:
    """The proof with one bit flipped, for every byte of every hash."""
    return [
        [*hashes[:i], flipped(h, j), *hashes[i + 1 :]]
        for i, h in enumerate(hashes)
        for j in range(len(h))
    ]


DATA = [f"leaf {i}".encode() for i in range(40)]
N = 20


def test_hashes() -> None:
    assert leaf_hash(b"abc") == sha(b"\x00abc")
    assert node_hash(b"l", b"r") == sha(b"\x01lr")
    assert root_hash([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize("n", range(41))
def test_root_hash_is_mth(n: int) -> None:
    assert root_hash([leaf_hash(d) for d in DATA[:n]]) == mth(DATA[:n])


@given(st.lists(st.binary(max_size=12), max_size=40))
def test_root_hash_is_mth_for_any_leaves(leaves: list[bytes]) -> None:
    assert root_hash([leaf_hash(d) for d in leaves]) == mth(leaves)


def test_root_hash_refuses_short_leaf_hash() -> None:
    with pytest.raises(ProofError, match="leaf hash 1 is 31 bytes"):
        root_hash([sha(b"a"), sha(b"b")[:31]])


# --- inclusion and consistency against the naive proofs -------------------------------


@pytest.mark.parametrize("n", range(1, N + 1))
def test_inclusion_proofs(n: int) -> None:
    leaves = DATA[:n]
    root = mth(leaves)
    for m in range(n):
        proof = path(m, leaves)
        leaf = leaf_hash(leaves[m])
        verify_inclusion(m, n, leaf, proof, root)
        for bad in every_flip(proof):
            with pytest.raises(ProofError):
                verify_inclusion(m, n, leaf, bad, root)
        for j in range(32):
            with pytest.raises(ProofError, match="calculated root does not match"):
                verify_inclusion(m, n, flipped(leaf, j), proof, root)
            with pytest.raises(ProofError, match="calculated root does not match"):
                verify_inclusion(m, n, leaf, proof, flipped(root, j))
        for other in range(n):
            if other != m:
                with pytest.raises(ProofError):
                    verify_inclusion(other, n, leaf, proof, root)
        with pytest.raises(ProofError, match="too long"):
            verify_inclusion(m, n, leaf, [*proof, root], root)
        if proof:
            with pytest.raises(ProofError, match="too short"):
                verify_inclusion(m, n, leaf, proof[:-1], root)


@pytest.mark.parametrize("n", range(1, N + 1))
def test_consistency_proofs(n: int) -> None:
    leaves = DATA[:n]
    root2 = mth(leaves)
    for m in range(1, n + 1):
        root1 = mth(leaves[:m])
        proof = subproof(m, leaves, True)
        assert (m == n) == (not proof)
        verify_consistency(m, n, root1, root2, proof)
        for bad in every_flip(proof):
            with pytest.raises(ProofError):
                verify_consistency(m, n, root1, root2, bad)
        for j in range(32):
            with pytest.raises(ProofError):
                verify_consistency(m, n, flipped(root1, j), root2, proof)
            with pytest.raises(ProofError):
                verify_consistency(m, n, root1, flipped(root2, j), proof)
        with pytest.raises(ProofError):
            verify_consistency(m, n, root1, root2, [*proof, root1])
        if proof:
            with pytest.raises(ProofError, match="too short"):
                verify_consistency(m, n, root1, root2, proof[:-1])
            with pytest.raises(ProofError, match="greater than"):
                verify_consistency(n, m, root2, root1, proof)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((0, 3, sha(b"a")[:31], sha(b"b"), []), "leaf hash is 31 bytes"),
        ((0, 3, sha(b"a"), sha(b"b")[:31], []), "root hash is 31 bytes"),
        ((1, 3, sha(b"a"), sha(b"b"), [b"x" * 33, sha(b"c")]), "proof hash 0 is 33 bytes"),
        ((-1, 3, sha(b"a"), sha(b"b"), []), "negative"),
        ((3, 3, sha(b"a"), sha(b"b"), []), "leaf index 3 is beyond tree size 3"),
        ((0, 3, sha(b"a"), sha(b"b"), [sha(b"c")]), "too short: 1 hashes, expected 2"),
    ],
)
def test_inclusion_reasons(args: tuple[int, int, bytes, bytes, list[bytes]], reason: str) -> None:
    index, size, leaf, root, proof = args
    with pytest.raises(ProofError, match=re.escape(reason)):
        verify_inclusion(index, size, leaf, proof, root)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((0, 0, sha(b""), sha(b""), []), "from an empty tree is meaningless"),
        ((4, 3, sha(b"a"), sha(b"b"), []), "size1 (4) is greater than size2 (3)"),
        ((2, 2, sha(b"a"), sha(b"a"), [sha(b"c")]), "proof is not empty"),
        ((2, 2, sha(b"a"), sha(b"b"), []), "roots differ"),
        ((2, 3, sha(b"a")[:31], sha(b"b"), [sha(b"c")]), "root1 is 31 bytes"),
        ((2, 3, sha(b"a"), sha(b"b"), []), "too short: 0 hashes, expected 1"),
        ((3, 4, sha(b"a"), sha(b"b"), [sha(b"c")] * 5), "too long: 5 hashes, expected 3"),
    ],
)
def test_consistency_reasons(args: tuple[int, int, bytes, bytes, list[bytes]], reason: str) -> None:
    with pytest.raises(ProofError, match=re.escape(reason)):
        verify_consistency(*args)


# --- leaf bytes -------------------------------------------------------------------------


def field(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def make_leaf(
    position: int,
    stream_id: UUID,
    version: int,
    topic: str,
    state: bytes,
    tags: list[str],
    micros: int,
) -> bytes:
    return b"".join(
        [
            field(struct.pack(">q", position)),
            field(stream_id.bytes),
            field(struct.pack(">i", version)),
            field(topic.encode()),
            field(state),
            field("\n".join(tags).encode()),
            field(struct.pack(">q", micros)),
        ]
    )


STREAM = UUID("0b9f4d2e-5c1a-4e3b-9a7d-2f6c8e1d0a45")
WHEN = datetime(2024, 5, 1, 12, 34, 56, 789012, tzinfo=UTC)
MICROS = 1714566896789012
LEAF = make_leaf(
    3, STREAM, 2, "ledger.domain.unit:Unit.Created", b'{"a":1}', ["u:1", "p:2"], MICROS
)


def test_parse_leaf() -> None:
    assert (WHEN - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000 == MICROS
    assert parse_leaf(LEAF) == {
        "position": 3,
        "stream_id": str(STREAM),
        "stream_version": 2,
        "topic": "ledger.domain.unit:Unit.Created",
        "state": b'{"a":1}',
        "tags": ["u:1", "p:2"],
        "recorded_at": WHEN,
    }
    assert parse_leaf(LEAF)["recorded_at"].tzinfo is not None
    assert parse_leaf(make_leaf(1, STREAM, 1, "t", b"", [], 0))["tags"] == []


@given(
    position=st.integers(1, 2**63 - 1),
    stream_id=st.uuids(),
    version=st.integers(1, 2**31 - 1),
    topic=st.text(),
    state=st.binary(),
    tags=st.lists(st.text(min_size=1).filter(lambda t: "\n" not in t)),
    micros=st.integers(-(10**15), 10**17),
)
def test_parse_leaf_round_trip(
    position: int,
    stream_id: UUID,
    version: int,
    topic: str,
    state: bytes,
    tags: list[str],
    micros: int,
) -> None:
    parsed = parse_leaf(make_leaf(position, stream_id, version, topic, state, tags, micros))
    assert parsed["position"] == position
    assert parsed["stream_id"] == str(stream_id)
    assert parsed["stream_version"] == version
    assert (parsed["topic"], parsed["state"], parsed["tags"]) == (topic, state, tags)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    delta = parsed["recorded_at"] - epoch
    assert (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds == micros


def test_parse_leaf_refuses_truncated_bytes() -> None:
    for cut in range(len(LEAF)):
        with pytest.raises(ProofError, match="leaf"):
            parse_leaf(LEAF[:cut])


def test_parse_leaf_refuses_trailing_bytes() -> None:
    with pytest.raises(ProofError, match="1 trailing bytes"):
        parse_leaf(LEAF + b"\x00")
    with pytest.raises(ProofError, match="8 trailing bytes"):
        parse_leaf(LEAF + field(b"more"))


def test_parse_leaf_refuses_bad_fields() -> None:
    short_position = field(struct.pack(">i", 3)) + LEAF[12:]
    with pytest.raises(ProofError, match="'position' is 4 bytes, not 8"):
        parse_leaf(short_position)
    with pytest.raises(ProofError, match="not UTF-8"):
        parse_leaf(make_leaf(1, STREAM, 1, "t", b"", [], 0).replace(b"t", b"\xff", 1))


# --- keys and notes ---------------------------------------------------------------------

SEED = bytes(range(32))
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
NAME = "example.org/ledger"


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


VKEY = verifier_key(NAME, raw(KEY))

# golang.org/x/mod sumdb/note (note_test.go, TestSign and TestOpen).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngot"
    "pRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)


def peter_key() -> Ed25519PrivateKey:
    encoded = PETER_SKEY.split("+", 4)[4]
    decoded = base64.b64decode(encoded)
    assert decoded[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(decoded[1:])


def test_key_id_and_verifier_key_of_a_fixed_key() -> None:
    public = raw(KEY)
    assert key_id(NAME, public) == sha(NAME.encode() + b"\n\x01" + public)[:4]
    assert re.fullmatch(r"example\.org/ledger\+[0-9a-f]{8}\+[A-Za-z0-9+/]{43}[A-Za-z0-9+/=]", VKEY)
    _, hex_id, encoded = VKEY.split("+", 2)
    assert hex_id == key_id(NAME, public).hex()
    assert base64.b64decode(encoded) == b"\x01" + public
    assert parse_verifier_key(VKEY) == (NAME, key_id(NAME, public), public)


def test_go_sumdb_note_vector() -> None:
    """Our key id, verifier key and signature reproduce the Go reference byte for byte."""
    key = peter_key()
    assert key_id("PeterNeumann", raw(key)) == bytes.fromhex("c74f20a3")
    assert verifier_key("PeterNeumann", raw(key)) == PETER_VKEY
    note = sign_note(GO_TEXT, "PeterNeumann", key)
    assert note == GO_TEXT + "\n" + PETER_SIG
    assert verify_note(note, PETER_VKEY) == GO_TEXT
    both = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert verify_note(both, PETER_VKEY) == GO_TEXT
    assert verify_note(both, ENOCH_VKEY) == GO_TEXT
    with pytest.raises(NoteError, match="no signature by key EnochRoot"):
        verify_note(note, ENOCH_VKEY)
    with pytest.raises(NoteError, match="bad signature by key PeterNeumann\\+c74f20a3"):
        verify_note(GO_TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], PETER_VKEY)
    with pytest.raises(NoteError, match="bad signature"):
        verify_note(note.replace("cryptography", "cryptographY"), PETER_VKEY)


# Published checkpoints of sum.golang.org and its key (Go's cmd/go/internal/modfetch).
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_CHECKPOINTS = [
    (
        "go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n"
        "— sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R3cV"
        "tYspg3dxXABkGZZKdsQ8=\n",
        65209736,
    ),
    (
        "go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n"
        "— sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8o"
        "W9/C8DJ87F61QqspBYwM=\n",
        31700353,
    ),
]


@pytest.mark.parametrize(("note", "size"), SUMDB_CHECKPOINTS)
def test_real_sum_golang_org_checkpoints(note: str, size: int) -> None:
    checkpoint = verify_checkpoint(note, SUMDB_VKEY)
    assert (checkpoint.origin, checkpoint.size, checkpoint.extensions) == (
        "go.sum database tree",
        size,
        (),
    )
    with pytest.raises(NoteError, match="bad signature"):
        verify_checkpoint(note.replace(str(size), str(size + 1)), SUMDB_VKEY)


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + PETER_SIG,
        GO_TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2",
        GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        GO_TEXT + "\n" + PETER_SIG * 101,
        GO_TEXT.replace("\n", "\r\n") + "\r\n" + PETER_SIG,
    ],
)
def test_go_malformed_notes(message: str) -> None:
    with pytest.raises(NoteError):
        verify_note(message, PETER_VKEY)


def test_verifier_key_manglings_are_refused() -> None:
    """As the Go test: every proper substring and every one-byte change fails."""
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(NoteError):
                    parse_verifier_key(PETER_VKEY[i:j])
    for i, ch in enumerate(PETER_VKEY):
        with pytest.raises(NoteError):
            parse_verifier_key(PETER_VKEY[:i] + chr(ord(ch) + 1) + PETER_VKEY[i + 1 :])


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        # from the Go test: wrong key length and unknown type, each with its key id adjusted
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "not canonical base64",  # Go decodes it leniently, to 38 key bytes
        ),
        (f"PeterNeumann+c74f20a3+{b64(bytes([1]) + bytes(34))}", "holds 34 key bytes, not 32"),
        (
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "type is 0x65, not 0x01",
        ),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
        ("PeterNeumann+c74f20a3", "is not <name>+<key id>+<key>"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "not valid base64"),
    ],
)
def test_verifier_key_reasons(key: str, reason: str) -> None:
    with pytest.raises(NoteError, match=re.escape(reason)):
        parse_verifier_key(key)


def test_key_id_refuses_bad_names_and_keys() -> None:
    for name in ("", "a+b", "a b", "a\u00a0b"):
        with pytest.raises(NoteError, match="invalid key name"):
            key_id(name, raw(KEY))
    with pytest.raises(NoteError, match="31 bytes"):
        key_id(NAME, raw(KEY)[:31])


def test_sign_note_needs_a_final_newline() -> None:
    with pytest.raises(NoteError, match="newline"):
        sign_note("abc", NAME, KEY)
    with pytest.raises(NoteError, match="control character"):
        sign_note("a\tb\n", NAME, KEY)


# --- checkpoints ------------------------------------------------------------------------

ROOT = mth(DATA[:7])
CHAIN = sha(b"chain")
CP = Checkpoint(
    NAME,
    7,
    ROOT,
    (f"chain {base64.b64encode(CHAIN).decode()}", "time 2024-05-01T12:34:56.789012Z"),
)
NOTE = sign_note(CP.body(), NAME, KEY)


def signed(body: str, name: str = NAME, key: Ed25519PrivateKey = KEY) -> str:
    return sign_note(body, name, key)


def test_checkpoint_round_trip() -> None:
    assert (
        CP.body()
        == f"{NAME}\n7\n{b64(ROOT)}\nchain {b64(CHAIN)}\ntime 2024-05-01T12:34:56.789012Z\n"
    )
    assert NOTE.startswith(CP.body() + "\n— example.org/ledger ")
    assert verify_checkpoint(NOTE, VKEY) == CP
    assert CP.extension("chain") == b64(CHAIN)
    assert CP.extension("time") == "2024-05-01T12:34:56.789012Z"
    assert CP.extension("missing") is None
    plain = Checkpoint("log", 0, root_hash([]))
    assert plain.body() == f"log\n0\n{b64(root_hash([]))}\n"
    assert verify_checkpoint(signed(plain.body()), VKEY) == plain
    odd = Checkpoint("log", 5, ROOT, ("solo", "x y z"))
    assert verify_checkpoint(signed(odd.body()), VKEY).extensions == ("solo", "x y z")
    assert odd.extension("solo") == "" and odd.extension("x") == "y z"


def test_every_changed_body_byte_is_refused() -> None:
    body = CP.body()
    for i, ch in enumerate(body):
        changed = body[:i] + chr(ord(ch) ^ 0x01) + body[i + 1 :]
        with pytest.raises(NoteError):
            verify_checkpoint(NOTE.replace(body, changed, 1), VKEY)


def test_wrong_key_and_wrong_name_are_refused() -> None:
    with pytest.raises(NoteError, match=r"no signature by key example\.org/ledger"):
        verify_checkpoint(NOTE, verifier_key(NAME, raw(OTHER)))
    with pytest.raises(NoteError, match=r"no signature by key other\.example"):
        verify_checkpoint(NOTE, verifier_key("other.example", raw(KEY)))


def test_bad_signature_by_our_key_is_refused() -> None:
    line = NOTE.rsplit("\n", 2)[1]
    prefix, encoded = line.rsplit(" ", 1)
    tampered = base64.b64decode(encoded)
    tampered = tampered[:10] + bytes([tampered[10] ^ 0x80]) + tampered[11:]
    note = NOTE.replace(line, f"{prefix} {b64(tampered)}")
    with pytest.raises(NoteError, match=r"bad signature by key example\.org/ledger"):
        verify_checkpoint(note, VKEY)
    short = NOTE.replace(line, f"{prefix} {b64(base64.b64decode(encoded)[:40])}")
    with pytest.raises(NoteError, match="bad signature"):
        verify_checkpoint(short, VKEY)


def test_signature_by_another_key_is_ignored() -> None:
    ours = NOTE.split("\n\n")[1]
    theirs = signed(CP.body(), "witness.example", OTHER).split("\n\n")[1]
    for block in (ours + theirs, theirs + ours):
        note = CP.body() + "\n" + block
        assert verify_checkpoint(note, VKEY) == CP
        assert verify_checkpoint(note, verifier_key("witness.example", raw(OTHER))) == CP
    with pytest.raises(NoteError, match="no signature by key"):
        verify_checkpoint(CP.body() + "\n" + theirs, VKEY)


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (NOTE.replace("\n\n", "\n"), "no blank line"),
        (NOTE[:-1], "no final newline"),
        (NOTE + "trailing text\n", "signature line 2 does not start"),
        (NOTE.replace("— ", "-- "), "signature line 1 does not start"),
        (NOTE.replace("\n", "\r\n"), "control character U+000D"),
        (signed(f"{NAME}\n07\n{b64(ROOT)}\n"), "tree size '07' is not a canonical decimal"),
        (signed(f"{NAME}\n+7\n{b64(ROOT)}\n"), "tree size '+7'"),
        (signed(f"{NAME}\n\u0667\n{b64(ROOT)}\n"), "not a canonical decimal"),
        (signed(f"{NAME}\n00\n{b64(root_hash([]))}\n"), "tree size '00'"),
        (signed(f"{NAME}\n7\n{b64(ROOT[:31])}\n"), "root hash is 31 bytes, not 32"),
        (signed(f"{NAME}\n7\n{b64(ROOT + b'x')}\n"), "root hash is 33 bytes, not 32"),
        (signed(f"{NAME}\n7\n{b64(bytes(32))[:-2]}B=\n"), "root hash is not canonical base64"),
        (signed(f"{NAME}\n7\n{b64(ROOT)[:-1]}\n"), "root hash is not valid base64"),
        (signed(f"{NAME}\n7\n"), "fewer than three lines"),
        (signed(f"{NAME}\n7\n{b64(ROOT)}\n\nchain x\n"), "line 4 is empty"),
        (signed(f"\n7\n{b64(ROOT)}\n"), "line 1 is empty"),
    ],
)
def test_malformed_checkpoints(note: str, reason: str) -> None:
    with pytest.raises(NoteError, match=re.escape(reason)):
        verify_checkpoint(note, VKEY)


def test_parse_checkpoint_needs_a_final_newline() -> None:
    with pytest.raises(NoteError, match="no final newline"):
        parse_checkpoint(CP.body()[:-1])


# --- command line -----------------------------------------------------------------------

TOPICS = [f"ledger.domain.unit:Unit.Event{i}" for i in range(1, 10)]


def ledger_leaves(count: int, offset: int = 0) -> list[bytes]:
    """Leaf bytes of positions 1..count; `offset` makes each encode a wrong position."""
    return [
        make_leaf(p + offset, STREAM, p, TOPICS[p - 1], b"{}", ["u:1"], MICROS + p)
        for p in range(1, count + 1)
    ]


LEAVES = ledger_leaves(7)


def checkpoint_note(leaves: list[bytes], key: Ed25519PrivateKey = KEY) -> str:
    size = len(leaves)
    cp = Checkpoint(NAME, size, mth(leaves), (f"chain {b64(CHAIN)}", "time 2024-05-01T12:00:00Z"))
    return sign_note(cp.body(), NAME, key)


def record(leaves: list[bytes], positions: list[int], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "ledger-proof-v1",
        "tree_size": len(leaves),
        "checkpoint": checkpoint_note(leaves),
        "events": [
            {
                "position": p,
                "leaf": b64(leaves[p - 1]),
                "inclusion_proof": [b64(h) for h in path(p - 1, leaves)],
            }
            for p in positions
        ],
    }
    data.update(changes)
    return data


Run = Callable[..., tuple[int, list[str]]]


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Write each file argument to tmp_path, run main, return (exit code, output lines)."""

    def go(command: str, *files: str | dict[str, Any], key: str = VKEY) -> tuple[int, list[str]]:
        names = []
        for i, content in enumerate(files):
            target = tmp_path / f"{command}-{i}"
            text = content if isinstance(content, str) else json.dumps(content)
            target.write_bytes(text.encode())
            names.append(str(target))
        code = main([command, "--key", key, *names])
        return code, capsys.readouterr().out.splitlines()

    return go


def test_cli_checkpoint(run: Run, tmp_path: Path) -> None:
    code, out = run("checkpoint", NOTE)
    assert code == 0
    assert out == [
        f"valid: checkpoint {NAME} size 7 root {b64(ROOT)} time 2024-05-01T12:34:56.789012Z"
    ]
    key_file = tmp_path / "key.txt"
    key_file.write_text(VKEY + "\n")
    assert run("checkpoint", NOTE, key=str(key_file))[0] == 0
    other = verifier_key(NAME, raw(OTHER))
    assert run("checkpoint", NOTE, key=other) == (
        1,
        [f"INVALID: no signature by key {NAME}+{key_id(NAME, raw(OTHER)).hex()}"],
    )
    code, out = run("checkpoint", NOTE.replace("\n7\n", "\n8\n"))
    assert (code, out) == (1, [f"INVALID: bad signature by key {NAME}+{VKEY.split('+')[1]}"])
    assert run("checkpoint", NOTE, key="nonsense")[1] == [
        "INVALID: verifier key is not <name>+<key id>+<key>"
    ]


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "--key", VKEY, str(tmp_path / "nope.json")]) == 1
    assert (
        capsys.readouterr().out
        == f"INVALID: cannot read {tmp_path / 'nope.json'}: No such file or directory\n"
    )


def test_cli_record(run: Run) -> None:
    code, out = run("record", record(LEAVES, [3, 7]))
    assert code == 0
    assert out == [
        f"valid: 2 event(s) included in checkpoint {NAME} size 7 root {b64(mth(LEAVES))}",
        f"  position 3: Unit.Event3 (stream {STREAM} version 3)",
        "    recorded at: 2024-05-01T12:34:56.789015Z",
        "    actor: - (source -)",
        "    basis (文号): -",
        "    fields: none",
        f"  position 7: Unit.Event7 (stream {STREAM} version 7)",
        "    recorded at: 2024-05-01T12:34:56.789019Z",
        "    actor: - (source -)",
        "    basis (文号): -",
        "    fields: none",
    ]
    assert run("record", record(LEAVES, [1]))[0] == 0


def test_cli_record_without_offline_show_lists_where_the_events_are(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """offline.py copied alone still verifies, and says where each event is."""
    monkeypatch.setitem(sys.modules, "ledger.offline_show", None)  # import fails
    monkeypatch.setitem(sys.modules, "offline_show", None)
    code, out = run("record", record(LEAVES, [3]))
    assert code == 0
    assert out[1:] == [f"  position 3: {TOPICS[2]} (stream {STREAM})"]


def edit_event(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data["events"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("make", "verdict"),
    [
        (
            lambda: edit_event(record(LEAVES, [3]), leaf=b64(LEAVES[3])),
            "INVALID: event 1 (position 3): calculated root does not match the given root",
        ),
        (
            lambda: edit_event(
                record(LEAVES, [3]),
                inclusion_proof=[b64(flipped(h, 0)) for h in path(2, LEAVES)][:1]
                + [b64(h) for h in path(2, LEAVES)][1:],
            ),
            "INVALID: event 1 (position 3): calculated root does not match the given root",
        ),
        (
            lambda: edit_event(record(LEAVES, [3]), inclusion_proof=[]),
            "INVALID: event 1 (position 3): proof too short: 0 hashes, expected 3",
        ),
        (
            lambda: edit_event(record(LEAVES, [3]), position=4),
            "INVALID: event 1 (position 4): calculated root does not match the given root",
        ),
        (
            lambda: edit_event(record(LEAVES, [3]), position=8),
            "INVALID: event 1 (position 8): leaf index 7 is beyond tree size 7",
        ),
        (
            lambda: edit_event(record(LEAVES, [3]), position="3"),
            "INVALID: event 1: 'position' is missing or not an integer",
        ),
        (
            lambda: edit_event(record(LEAVES, [3]), leaf="not base64!"),
            "INVALID: event 1: leaf is not valid base64",
        ),
        (
            lambda: record(ledger_leaves(7, offset=1), [3]),
            "INVALID: event 1: leaf holds position 4, not 3",
        ),
        (lambda: record(LEAVES, []), "INVALID: record holds no events"),
        (
            lambda: record(LEAVES, [3], checkpoint=checkpoint_note(LEAVES, OTHER)),
            f"INVALID: no signature by key {NAME}+{VKEY.split('+')[1]}",
        ),
        (
            lambda: record(LEAVES, [3], checkpoint=checkpoint_note(LEAVES[:6])),
            "INVALID: event 1 (position 3): calculated root does not match the given root",
        ),
        (lambda: record(LEAVES, [3], checkpoint=None), "INVALID: record: 'checkpoint' is"),
    ],
)
def test_cli_record_invalid(run: Run, make: Callable[[], dict[str, Any]], verdict: str) -> None:
    code, out = run("record", make())
    assert code == 1
    assert len(out) == 1 and out[0].startswith(verdict)


def test_cli_record_wrong_file(run: Run) -> None:
    code, out = run("record", "{not json")
    assert code == 1 and out[0].startswith("INVALID: ") and "is not JSON" in out[0]
    code, out = run("record", record(LEAVES, [3], format="ledger-proof-v2"))
    assert code == 1 and out[0].endswith("is not a ledger-proof-v1 file")


def consistency_file(first: int, second: int, proof: list[bytes]) -> dict[str, Any]:
    return {
        "format": "ledger-consistency-v1",
        "from": first,
        "to": second,
        "proof": [b64(h) for h in proof],
    }


def test_cli_consistency(run: Run) -> None:
    old, new = checkpoint_note(LEAVES[:3]), checkpoint_note(LEAVES)
    proof = subproof(3, LEAVES, True)
    code, out = run("consistency", old, new, consistency_file(3, 7, proof))
    assert code == 0
    assert out == [
        f"valid: checkpoint {NAME} size 3 root {b64(mth(LEAVES[:3]))} is a prefix of "
        f"{NAME} size 7 root {b64(mth(LEAVES))}"
    ]
    assert run("consistency", new, new, consistency_file(7, 7, []))[0] == 0
    empty = sign_note(Checkpoint(NAME, 0, root_hash([])).body(), NAME, KEY)
    assert run("consistency", empty, new, consistency_file(0, 7, []))[0] == 0


@pytest.mark.parametrize(
    ("files", "verdict"),
    [
        (
            lambda old, new, proof: (old, new, consistency_file(3, 6, proof)),
            "INVALID: proof is from 3 to 6, checkpoints are sizes 3 and 7",
        ),
        (
            lambda old, new, proof: (old, new, consistency_file(3, 7, [flipped(proof[0], 5)])),
            "INVALID: proof too short: 1 hashes, expected 4",
        ),
        (
            lambda old, new, proof: (
                old,
                new,
                consistency_file(3, 7, [flipped(proof[0], 5), *proof[1:]]),
            ),
            "INVALID: calculated root1 does not match the given root1",
        ),
        (
            lambda old, new, proof: (new, old, consistency_file(7, 3, proof)),
            "INVALID: size1 (7) is greater than size2 (3)",
        ),
        (
            lambda old, new, proof: (checkpoint_note(LEAVES[:3], OTHER), new, proof),
            "INVALID: old checkpoint: no signature by key",
        ),
        (
            lambda old, new, proof: (old, new.replace("\n\n", "\n"), proof),
            "INVALID: new checkpoint: malformed note: no blank line",
        ),
        (
            lambda old, new, proof: (
                checkpoint_note([*LEAVES[:2], b"forged"]),
                new,
                consistency_file(3, 7, proof),
            ),
            "INVALID: calculated root1 does not match the given root1",
        ),
        (
            lambda old, new, proof: (
                sign_note(Checkpoint(NAME, 0, root_hash([])).body(), NAME, KEY),
                new,
                consistency_file(0, 7, proof),
            ),
            "INVALID: from size 0 the proof must be empty",
        ),
        (
            lambda old, new, proof: (old, new, {**consistency_file(3, 7, proof), "format": "x"}),
            "INVALID: ",
        ),
    ],
)
def test_cli_consistency_invalid(run: Run, files: Callable[..., Any], verdict: str) -> None:
    old, new = checkpoint_note(LEAVES[:3]), checkpoint_note(LEAVES)
    proof = subproof(3, LEAVES, True)
    arguments = files(old, new, proof)
    if isinstance(arguments[2], list):
        arguments = (*arguments[:2], consistency_file(3, 7, arguments[2]))
    code, out = run("consistency", *arguments)
    assert code == 1
    assert len(out) == 1 and out[0].startswith(verdict)


def test_cli_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["record", "file.json"])  # --key is required
    capsys.readouterr()


# --- a single file that runs on its own -------------------------------------------------


def test_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(Path(ledger.offline.__file__).read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            modules.add(node.module.split(".")[0])
    assert modules - set(sys.stdlib_module_names) == {"cryptography"}


def test_runs_as_a_copied_script(tmp_path: Path) -> None:
    script = tmp_path / "offline.py"
    shutil.copy(ledger.offline.__file__, script)
    note = tmp_path / "checkpoint.txt"
    note.write_text(NOTE, encoding="utf-8", newline="")
    command = [sys.executable, "-I", str(script), "checkpoint", "--key", VKEY, str(note)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"valid: checkpoint {NAME} size 7 ")
    note.write_text(NOTE.replace("\n7\n", "\n6\n"), encoding="utf-8", newline="")
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 1
    assert done.stdout.startswith("INVALID: bad signature")
