"""Offline verifier of the ledger's proofs: one file, standard library plus `cryptography`.

Merkle trees are hashed as RFC 6962 §2.1 and proofs checked as RFC 9162 §2.1.3.2 and
§2.1.4.2; signed tree heads are C2SP checkpoints (c2sp.org/tlog-checkpoint) in signed
notes (c2sp.org/signed-note) with Ed25519 keys — or, for a ledger in SM mode, the same
with SM3 for SHA-256 and SM2 for Ed25519 (the key's type says which; the SM2 profile is
described at SM2_TYPE below). An auditor can copy this file and run

    python offline.py checkpoint --key KEY CHECKPOINT_FILE
    python offline.py record --key KEY RECORD_FILE
    python offline.py consistency --key KEY OLD_CHECKPOINT NEW_CHECKPOINT PROOF_FILE

where KEY is the log's verifier key (`<name>+<key id>+<base64 key>`) or a file holding it.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import importlib
import json
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "ACCESS_FIELDS",
    "HASHES",
    "SHA256_ED25519",
    "SM2_TYPE",
    "SM3_SM2",
    "Checkpoint",
    "NoteError",
    "NoteSigner",
    "ProofError",
    "VerifierKey",
    "access_entry_hash",
    "key_id",
    "leaf_hash",
    "main",
    "node_hash",
    "parse_checkpoint",
    "parse_key",
    "parse_leaf",
    "parse_verifier_key",
    "root_hash",
    "sign_note",
    "sm2_verify",
    "sm3",
    "verifier_key",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_note",
]

HASH_SIZE = 32
ED25519 = 0x01  # signature type byte of Ed25519 note keys
MAX_SIGNATURES = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SIGNATURE_PREFIX = "— "  # em dash U+2014, space
_SIZE = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_KEY_ID = re.compile(r"[0-9a-fA-F]{8}", re.ASCII)


class ProofError(ValueError):
    """A Merkle proof or leaf does not verify; the message says why."""


class NoteError(ValueError):
    """A signed note or checkpoint does not verify; the message says why."""


# --- Merkle tree (RFC 6962 §2.1, RFC 9162 §2.1) ---------------------------------------


def sm3(data: bytes) -> bytes:
    """SM3 (GB/T 32905) of ``data``, by the system OpenSSL through `cryptography`."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# The ledger's algorithms (its `crypto` parameter): the hash of its chain and tree.
SHA256_ED25519, SM3_SM2 = "sha256-ed25519", "sm3-sm2"
HASHES = {SHA256_ED25519: sha256, SM3_SM2: sm3}


def leaf_hash(leaf: bytes, crypto: str = SHA256_ED25519) -> bytes:
    """H(0x00 ‖ leaf): H SHA-256, or SM3 for an SM ledger (the same domain separation)."""
    return HASHES[crypto](b"\x00" + leaf)


def node_hash(left: bytes, right: bytes, crypto: str = SHA256_ED25519) -> bytes:
    """H(0x01 ‖ left ‖ right)."""
    return HASHES[crypto](b"\x01" + left + right)


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def root_hash(leaf_hashes: Sequence[bytes], crypto: str = SHA256_ED25519) -> bytes:
    """MTH of the leaves given by their hashes; H("") for no leaves."""
    stack: list[tuple[int, bytes]] = []  # perfect subtrees (height, hash), left to right
    for index, value in enumerate(leaf_hashes):
        _check_hash(value, f"leaf hash {index}")
        height, node = 0, value
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node, crypto)
            height += 1
        stack.append((height, node))
    if not stack:
        return HASHES[crypto](b"")
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node, crypto)
    return node


def _inclusion_length(index: int, size: int) -> int:
    """Number of hashes in the inclusion proof of leaf `index` in a tree of `size`."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _check_proof(proof: Sequence[bytes], expected: int) -> None:
    for i, value in enumerate(proof):
        _check_hash(value, f"proof hash {i}")
    if len(proof) < expected:
        raise ProofError(f"proof too short: {len(proof)} hashes, expected {expected}")
    if len(proof) > expected:
        raise ProofError(f"proof too long: {len(proof)} hashes, expected {expected}")


def verify_inclusion(
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    root: bytes,
    crypto: str = SHA256_ED25519,
) -> None:
    """Check that `leaf_hash` is leaf `leaf_index` of the tree of `tree_size` with `root`."""
    if leaf_index < 0 or tree_size < 0:
        raise ProofError(f"negative leaf index or tree size ({leaf_index}, {tree_size})")
    if leaf_index >= tree_size:
        raise ProofError(f"leaf index {leaf_index} is beyond tree size {tree_size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root hash")
    _check_proof(proof, _inclusion_length(leaf_index, tree_size))
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r, crypto)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p, crypto)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof too short")
    if r != root:
        raise ProofError("calculated root does not match the given root")


def verify_consistency(
    size1: int,
    size2: int,
    root1: bytes,
    root2: bytes,
    proof: Sequence[bytes],
    crypto: str = SHA256_ED25519,
) -> None:
    """Check that the tree of `size1` with `root1` is a prefix of that of `size2`, `root2`."""
    if size1 < 0 or size2 < 0:
        raise ProofError(f"negative tree size ({size1}, {size2})")
    if size1 > size2:
        raise ProofError(f"size1 ({size1}) is greater than size2 ({size2})")
    if size1 == 0:
        raise ProofError("a consistency proof from an empty tree is meaningless")
    if size1 == size2:  # outside the RFC's 0 < first < second: the heads must be equal
        if proof:
            raise ProofError(f"size1 = size2 = {size1} but the proof is not empty")
        if root1 != root2:
            raise ProofError("size1 = size2 but the roots differ")
        return
    _check_hash(root1, "root1")
    _check_hash(root2, "root2")
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length()
    shift = (size1 & -size1).bit_length() - 1  # trailing zero bits of size1
    expected = inner - shift + ((size1 - 1) >> inner).bit_count()
    path = list(proof)
    if size1 != 1 << shift:  # not a power of two: the proof starts with a subtree hash
        expected += 1
    _check_proof(path, expected)
    if size1 == 1 << shift:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr, crypto), node_hash(c, sr, crypto)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c, crypto)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof too short")
    if fr != root1:
        raise ProofError("calculated root1 does not match the given root1")
    if sr != root2:
        raise ProofError("calculated root2 does not match the given root2")


# --- Leaf bytes (encoding v1) --------------------------------------------------------


def parse_leaf(leaf: bytes) -> dict[str, Any]:
    """Decode an event's leaf bytes: seven fields, each with a 4-byte big-endian length."""
    fields: list[bytes] = []
    offset = 0
    for name in ("position", "stream_id", "stream_version", "topic", "state", "tags", "time"):
        if len(leaf) - offset < 4:
            raise ProofError(f"leaf ends inside the length of field {name!r}")
        (length,) = struct.unpack_from(">I", leaf, offset)
        offset += 4
        if len(leaf) - offset < length:
            raise ProofError(
                f"leaf field {name!r} is {length} bytes, only {len(leaf) - offset} left"
            )
        fields.append(leaf[offset : offset + length])
        offset += length
    if offset != len(leaf):
        raise ProofError(f"{len(leaf) - offset} trailing bytes after the leaf's last field")
    position, stream_id, version, topic, state, tags, time = fields
    for name, value, size in (
        ("position", position, 8),
        ("stream_id", stream_id, 16),
        ("stream_version", version, 4),
        ("recorded_at", time, 8),
    ):
        if len(value) != size:
            raise ProofError(f"leaf field {name!r} is {len(value)} bytes, not {size}")
    try:
        topic_text, tags_text = topic.decode("utf-8"), tags.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProofError(f"leaf topic or tags are not UTF-8: {error}") from None
    micros = int.from_bytes(time, "big", signed=True)
    try:
        recorded_at = EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise ProofError(f"leaf recorded_at {micros} µs is out of range") from None
    return {
        "position": int.from_bytes(position, "big", signed=True),
        "stream_id": str(uuid.UUID(bytes=stream_id)),
        "stream_version": int.from_bytes(version, "big", signed=True),
        "topic": topic_text,
        "state": state,
        "tags": tags_text.split("\n") if tags_text else [],
        "recorded_at": recorded_at,
    }


# --- Access log entries (encoding v1, as infra/sql/0003_access_log.sql computes it) -----

ACCESS_FIELDS = (  # noqa: SIM905 (a literal takes a line per name)
    "seq at subject role action target_kind target_id person_id path client outcome purpose"
    " request_id"
).split()


def _access_field(name: str, value: Any) -> bytes:
    if value is None:
        return b"\xff\xff\xff\xff"
    if name in ("seq", "at", "outcome"):
        number = (value - EPOCH) // timedelta(microseconds=1) if name == "at" else value
        data = int(number).to_bytes(4 if name == "outcome" else 8, "big", signed=True)
    elif name in ("target_id", "person_id"):
        data = uuid.UUID(str(value)).bytes
    else:
        data = str(value).encode()
    return struct.pack(">I", len(data)) + data


def access_entry_hash(prev_hash: bytes, entry: Any) -> bytes:
    """SHA-256(prev_hash ‖ each of ACCESS_FIELDS of the mapping ``entry``, length-prefixed
    (4 bytes, big-endian; NULL: 0xFFFFFFFF alone); seq and at (µs since 1970) int8, text
    UTF-8, uuids 16 bytes, outcome int4."""
    fields = b"".join(_access_field(name, entry[name]) for name in ACCESS_FIELDS)
    return hashlib.sha256(prev_hash + fields).digest()


# --- SM2 signatures (GB/T 32918.2, sm2p256v1 of GB/T 32918.5), verified only -----------


SM2_ID = b"1234567812345678"  # the signer's distinguishing id our profile fixes (ENTL 128)

# sm2p256v1, GB/T 32918.5-2017: y² = x³ + ax + b over GF(p), a = p - 3, base point G of
# prime order n, cofactor 1 (so every point on the curve lies in G's group).
_SM2_P = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFF_00000000_FFFFFFFF_FFFFFFFF
_SM2_A = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFF_00000000_FFFFFFFF_FFFFFFFC
_SM2_B = 0x28E9FA9E_9D9F5E34_4D5A9E4B_CF6509A7_F39789F5_15AB8F92_DDBCBD41_4D940E93
_SM2_N = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
_SM2_GX = 0x32C4AE2C_1F198119_5F990446_6A39C994_8FE30BBF_F2660BE1_715A4589_334C74C7
_SM2_GY = 0xBC3736A2_F4F6779C_59BDCEE3_6B692153_D0A9877C_C62A4740_02DF32E5_2139F0A0

_Jacobian = tuple[int, int, int]  # (X, Y, Z) stands for (X/Z², Y/Z³); Z = 0 is infinity


def _sm2_double(p: _Jacobian) -> _Jacobian:
    x, y, z = p
    if y == 0 or z == 0:
        return (1, 1, 0)
    delta, gamma = z * z % _SM2_P, y * y % _SM2_P
    beta, alpha = x * gamma % _SM2_P, 3 * (x - delta) * (x + delta) % _SM2_P  # a = -3
    x3 = (alpha * alpha - 8 * beta) % _SM2_P
    z3 = ((y + z) ** 2 - gamma - delta) % _SM2_P
    return x3, (alpha * (4 * beta - x3) - 8 * gamma * gamma) % _SM2_P, z3


def _sm2_add(p: _Jacobian, q: _Jacobian) -> _Jacobian:
    if p[2] == 0:
        return q
    if q[2] == 0:
        return p
    zp2, zq2 = p[2] * p[2] % _SM2_P, q[2] * q[2] % _SM2_P
    u1, u2 = p[0] * zq2 % _SM2_P, q[0] * zp2 % _SM2_P
    s1, s2 = p[1] * zq2 * q[2] % _SM2_P, q[1] * zp2 * p[2] % _SM2_P
    if u1 == u2:
        return _sm2_double(p) if s1 == s2 else (1, 1, 0)
    h, r = (u2 - u1) % _SM2_P, (s2 - s1) % _SM2_P
    h2 = h * h % _SM2_P
    h3, v = h2 * h % _SM2_P, u1 * h2 % _SM2_P
    x3 = (r * r - h3 - 2 * v) % _SM2_P
    return x3, (r * (v - x3) - s1 * h3) % _SM2_P, h * p[2] * q[2] % _SM2_P


def _sm2_linear(s: int, t: int, point: tuple[int, int]) -> tuple[int, int] | None:
    """The affine point [s]G + [t]point, None for infinity (both at once, Shamir's trick)."""
    g, q, acc = (_SM2_GX, _SM2_GY, 1), (point[0], point[1], 1), (1, 1, 0)
    for bit in range(max(s.bit_length(), t.bit_length()) - 1, -1, -1):
        acc = _sm2_double(acc)
        if s >> bit & 1:
            acc = _sm2_add(acc, g)
        if t >> bit & 1:
            acc = _sm2_add(acc, q)
    if acc[2] == 0:
        return None
    z_inv = pow(acc[2], -1, _SM2_P)
    return acc[0] * z_inv * z_inv % _SM2_P, acc[1] * z_inv**3 % _SM2_P


def za(public_key: bytes, user_id: bytes = SM2_ID) -> bytes:
    """Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA): binds the signer's id and key
    (the 65-byte point 04 ‖ xA ‖ yA) into every signature's hash."""
    if len(user_id) >= 8192:
        raise ValueError("an SM2 user id has at most 8191 bytes (ENTL is 16 bits)")
    curve = b"".join(v.to_bytes(32, "big") for v in (_SM2_A, _SM2_B, _SM2_GX, _SM2_GY))
    return sm3((len(user_id) * 8).to_bytes(2, "big") + user_id + curve + public_key[1:])


def sm2_verify(
    public_key: bytes, message: bytes, signature: bytes, user_id: bytes = SM2_ID
) -> bool:
    """Whether ``signature`` (64 bytes r ‖ s, big-endian) is the SM2 signature with SM3 of
    ``message`` by the key ``public_key`` (65 bytes 04 ‖ x ‖ y) under ``user_id``.

    Anything malformed (a length, a point off the curve, r or s out of range) is False.
    """
    if len(public_key) != 65 or public_key[0] != 4 or len(signature) != 64:
        return False
    x, y = int.from_bytes(public_key[1:33], "big"), int.from_bytes(public_key[33:], "big")
    if x >= _SM2_P or y >= _SM2_P or (y * y - (x * x + _SM2_A) * x - _SM2_B) % _SM2_P:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < _SM2_N and 1 <= s < _SM2_N):
        return False
    e = int.from_bytes(sm3(za(public_key, user_id) + message), "big")
    t = (r + s) % _SM2_N
    if t == 0:
        return False
    point = _sm2_linear(s, t, (x, y))
    return point is not None and (e + point[0]) % _SM2_N == r


# --- Signed notes (c2sp.org/signed-note) and checkpoints (c2sp.org/tlog-checkpoint) ---


def _b64decode(text: str, what: str) -> bytes:
    """Strict, canonical standard base64 (RFC 4648 §4)."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return data


def _check_name(name: str) -> None:
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"invalid key name {name!r}: empty, or holds a space or '+'")


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError("note is not valid UTF-8") from None
    for ch in text:
        if ch < " " and ch != "\n":
            raise NoteError(f"note holds control character U+{ord(ch):04X}")


# The signature types of note keys: Ed25519 (0x01, c2sp.org/signed-note), and this ledger's
# SM2 profile, 0xff followed by the identifier "sm2-sm3" (the byte the specification keeps
# for types it assigns no byte): SM2 with SM3 (GB/T 32918.2) under the user id SM2_ID,
# over the note text; the signature r ‖ s, 32 bytes each, big-endian; the public key the
# uncompressed point 04 ‖ x ‖ y (65 bytes); its key id SM3(name ‖ 0x0A ‖ type ‖ key)[:4]
# (SM3 where Ed25519 keys use SHA-256, so that an SM ledger's checkpoints use no other
# hash). A note signature is then 4 + 64 bytes either way.
ED25519_TYPE = bytes([ED25519])
SM2_TYPE = b"\xffsm2-sm3"
_KEY_BYTES = {ED25519_TYPE: 32, SM2_TYPE: 65}
_CRYPTO = {ED25519_TYPE: SHA256_ED25519, SM2_TYPE: SM3_SM2}


@dataclass(frozen=True)
class VerifierKey:
    """A note key: its name, id, signature type and public key."""

    name: str
    key_id: bytes
    kind: bytes
    public: bytes

    @property
    def crypto(self) -> str:
        """The ledger algorithms a key of this type goes with (its tree's hash)."""
        return _CRYPTO[self.kind]

    def verify(self, message: bytes, signature: bytes) -> bool:
        if self.kind == SM2_TYPE:
            return sm2_verify(self.public, message, signature)
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def key_id(name: str, public_key: bytes, kind: bytes = ED25519_TYPE) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] of an Ed25519 note key; SM3(name ‖ 0x0A
    ‖ 0xff ‖ "sm2-sm3" ‖ public key)[:4] of an SM2 one."""
    _check_name(name)
    if kind not in _KEY_BYTES:
        raise NoteError(f"unknown note key type {kind!r}")
    what = "Ed25519" if kind == ED25519_TYPE else "SM2"
    if len(public_key) != _KEY_BYTES[kind] or (kind == SM2_TYPE and public_key[0] != 4):
        raise NoteError(f"{what} public key is {len(public_key)} bytes, not {_KEY_BYTES[kind]}")
    hashed = sha256 if kind == ED25519_TYPE else sm3
    return hashed(name.encode() + b"\n" + kind + public_key)[:4]


def verifier_key(name: str, public_key: bytes, kind: bytes = ED25519_TYPE) -> str:
    """`<name>+<key id hex>+<base64(type ‖ public key)>`."""
    encoded = base64.b64encode(kind + public_key).decode()
    return f"{name}+{key_id(name, public_key, kind).hex()}+{encoded}"


def parse_key(text: str) -> VerifierKey:
    """The note key in a verifier key string (Ed25519, or this ledger's SM2 profile)."""
    parts = text.split("+", 2)  # names hold no '+'; base64 may
    if len(parts) != 3:
        raise NoteError("verifier key is not <name>+<key id>+<key>")
    name, hex_id, encoded = parts
    _check_name(name)
    if not _KEY_ID.fullmatch(hex_id):
        raise NoteError(f"verifier key id {hex_id!r} is not 8 hex digits")
    key = _b64decode(encoded, "verifier key")
    kind = SM2_TYPE if key.startswith(SM2_TYPE) else key[:1]
    if kind not in _KEY_BYTES:
        found = f"0x{key[0]:02x}" if key else "missing"
        raise NoteError(f"verifier key type is {found}, not 0x01 (Ed25519) nor 0xff sm2-sm3")
    public = key[len(kind) :]
    if len(public) != _KEY_BYTES[kind]:
        raise NoteError(f"verifier key holds {len(public)} key bytes, not {_KEY_BYTES[kind]}")
    expected = key_id(name, public, kind)
    if bytes.fromhex(hex_id) != expected:
        raise NoteError(f"verifier key id {hex_id} does not match its key ({expected.hex()})")
    return VerifierKey(name, expected, kind, public)


def parse_verifier_key(text: str) -> tuple[str, bytes, bytes]:
    """(name, key id, public key) of a verifier key."""
    key = parse_key(text)
    return key.name, key.key_id, key.public


class NoteSigner(Protocol):
    """What signs a note: an SM2 key in the system OpenSSL (``ledger.infra.sm2``), or one
    in a hardware security module behind the same three members."""

    kind: bytes

    def public_bytes(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey | NoteSigner) -> str:
    """The signed note: body, blank line, `— <name> <base64(key id ‖ signature)>`."""
    if not body.endswith("\n"):
        raise NoteError("note body does not end with a newline")
    _check_text(body)
    if isinstance(private_key, Ed25519PrivateKey):
        kind = ED25519_TYPE
        public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    else:
        kind, public = private_key.kind, private_key.public_bytes()
    signature = key_id(name, public, kind) + private_key.sign(body.encode())
    return f"{body}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(signature).decode()}\n"


def verify_note(note: str, verifier: str) -> str:
    """The text of `note`, once its signature by the `verifier` key is checked."""
    key = parse_key(verifier)
    name, kid = key.name, key.key_id
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("malformed note: no signature lines, or no final newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    found = False
    for number, line in enumerate(lines, 1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed note: signature line {number} does not start with '— '")
        signer, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        _check_name(signer)
        signature = _b64decode(encoded, f"signature {number}")
        if len(signature) < 5:
            raise NoteError(f"malformed note: signature {number} is too short")
        if signer != name or signature[:4] != kid:
            continue  # another key's: ignored
        if len(signature) != 68 or not key.verify(text.encode(), signature[4:]):
            raise NoteError(f"bad signature by key {name}+{kid.hex()}")
        found = True
    if not found:
        raise NoteError(f"no signature by key {name}+{kid.hex()}")
    return text


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text: one line each for origin, size, base64 root, each extension."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "".join(line + "\n" for line in [*lines, *self.extensions])

    def extension(self, name: str) -> str | None:
        """The rest of the first extension line whose first word is `name`."""
        for line in self.extensions:
            word, _, rest = line.partition(" ")
            if word == name:
                return rest
        return None


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint in a note text (not its signatures)."""
    if not text.endswith("\n"):
        raise NoteError("malformed checkpoint: no final newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("malformed checkpoint: fewer than three lines")
    if "" in lines:
        raise NoteError(f"malformed checkpoint: line {lines.index('') + 1} is empty")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise NoteError(f"malformed checkpoint: tree size {size!r} is not a canonical decimal")
    hashed = _b64decode(root, "checkpoint root hash")
    if len(hashed) != HASH_SIZE:
        raise NoteError(f"checkpoint root hash is {len(hashed)} bytes, not {HASH_SIZE}")
    return Checkpoint(origin, int(size), hashed, tuple(extensions))


def verify_checkpoint(note: str, verifier: str) -> Checkpoint:
    """The checkpoint in `note`, once its signature by the `verifier` key is checked."""
    return parse_checkpoint(verify_note(note, verifier))


# --- Command line ---------------------------------------------------------------------


def _read_text(path: str) -> str:
    """A file's text as UTF-8, without newline translation."""
    try:
        return Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError(f"{path} is not UTF-8") from None


def _read_key(key: str) -> str:
    """The verifier key given, or the one in the file it names."""
    try:
        is_file = Path(key).is_file()
    except (OSError, ValueError):  # e.g. a name too long to be a path
        is_file = False
    return _read_text(key).strip() if is_file else key


def _read_json(path: str, fmt: str) -> dict[str, Any]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError(f"{path} is not a {fmt} file")
    return data


_KINDS = {int: "an integer", str: "a string", list: "a list"}


def _field(data: dict[str, Any], key: str, kind: type, what: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{what}: {key!r} is missing or not {_KINDS[kind]}")
    return value


def _hashes(data: dict[str, Any], key: str, what: str) -> list[bytes]:
    values = _field(data, key, list, what)
    if not all(isinstance(v, str) for v in values):
        raise ValueError(f"{what}: {key!r} holds a non-string")
    return [_b64decode(v, f"{what}: {key} hash {i}") for i, v in enumerate(values)]


def _describe(checkpoint: Checkpoint) -> str:
    root = base64.b64encode(checkpoint.root).decode()
    return f"{checkpoint.origin} size {checkpoint.size} root {root}"


def _checkpoint(args: argparse.Namespace) -> list[str]:
    checkpoint = verify_checkpoint(_read_text(args.checkpoint), _read_key(args.key))
    time = checkpoint.extension("time")
    return [f"valid: checkpoint {_describe(checkpoint)}" + (f" time {time}" if time else "")]


def _crypto(data: dict[str, Any], key: VerifierKey, what: str) -> str:
    """The ledger's algorithms, as the key's type says; a file that names others is refused."""
    named = data.get("crypto", key.crypto)  # files from before the field: the key's
    if named != key.crypto:
        raise ValueError(f"{what} is of a {named} ledger; the key is of a {key.crypto} one")
    return key.crypto


def _record(args: argparse.Namespace) -> list[str]:
    data = _read_json(args.record, "ledger-proof-v1")
    key_text = _read_key(args.key)
    crypto = _crypto(data, parse_key(key_text), "record")
    checkpoint = verify_checkpoint(_field(data, "checkpoint", str, "record"), key_text)
    events = _field(data, "events", list, "record")
    if not events:
        raise ValueError("record holds no events")
    proved = []
    for number, event in enumerate(events, 1):
        what = f"event {number}"
        if not isinstance(event, dict):
            raise ValueError(f"{what} is not an object")
        position = _field(event, "position", int, what)
        leaf = _b64decode(_field(event, "leaf", str, what), f"{what}: leaf")
        proof = _hashes(event, "inclusion_proof", what)
        try:
            verify_inclusion(
                position - 1,
                checkpoint.size,
                leaf_hash(leaf, crypto),
                proof,
                checkpoint.root,
                crypto,
            )
            fields = parse_leaf(leaf)
        except ProofError as error:
            raise ProofError(f"{what} (position {position}): {error}") from None
        if fields["position"] != position:
            raise ProofError(f"{what}: leaf holds position {fields['position']}, not {position}")
        proved += _shown(fields)
    head = f"valid: {len(events)} event(s) included in checkpoint {_describe(checkpoint)}"
    return [head, *proved]


def _shown(fields: dict[str, Any]) -> list[str]:
    """The event decoded by offline_show.py, in the package or copied beside this file."""
    for name in ("ledger.offline_show", "offline_show"):
        with contextlib.suppress(ImportError):
            return list(importlib.import_module(name).show_event(fields))
    return [f"  position {fields['position']}: {fields['topic']} (stream {fields['stream_id']})"]


def _consistency(args: argparse.Namespace) -> list[str]:
    key = _read_key(args.key)
    checkpoints = []
    for which, path in (("old", args.old), ("new", args.new)):
        try:
            checkpoints.append(verify_checkpoint(_read_text(path), key))
        except NoteError as error:
            raise NoteError(f"{which} checkpoint: {error}") from None
    old, new = checkpoints
    data = _read_json(args.proof, "ledger-consistency-v1")
    crypto = _crypto(data, parse_key(key), "proof file")
    first = _field(data, "from", int, "proof file")
    second = _field(data, "to", int, "proof file")
    proof = _hashes(data, "proof", "proof file")
    if old.origin != new.origin:
        raise ValueError(f"checkpoints have different origins ({old.origin!r}, {new.origin!r})")
    if (first, second) != (old.size, new.size):
        raise ValueError(
            f"proof is from {first} to {second}, checkpoints are sizes {old.size} and {new.size}"
        )
    if old.size > 0:
        verify_consistency(old.size, new.size, old.root, new.root, proof, crypto)
    elif proof or old.root != root_hash([], crypto):  # the empty tree: a prefix of any tree
        raise ProofError("from size 0 the proof must be empty and the root the hash of ''")
    return [f"valid: checkpoint {_describe(old)} is a prefix of {_describe(new)}"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ledger-verify", description="Verify the ledger's signed checkpoints and proofs."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    key_help = "verifier key <name>+<key id>+<base64 key>, or a file holding it"
    one = commands.add_parser("checkpoint", help="verify a signed checkpoint")
    one.add_argument("--key", required=True, help=key_help)
    one.add_argument("checkpoint", help="file holding the signed checkpoint note")
    one.set_defaults(run=_checkpoint)
    record = commands.add_parser("record", help="verify events (ledger-proof-v1), show them")
    record.add_argument("--key", required=True, help=key_help)
    record.add_argument("record", help="JSON file in the ledger-proof-v1 format")
    record.set_defaults(run=_record)
    grown = commands.add_parser("consistency", help="verify that the log only grew")
    grown.add_argument("--key", required=True, help=key_help)
    grown.add_argument("old", help="file holding the older signed checkpoint")
    grown.add_argument("new", help="file holding the newer signed checkpoint")
    grown.add_argument("proof", help="JSON file in the ledger-consistency-v1 format")
    grown.set_defaults(run=_consistency)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; print `valid: …` and return 0, or `INVALID: <reason>` and 1."""
    args = _parser().parse_args(argv)
    try:
        lines: list[str] = args.run(args)
    except OSError as error:
        reason = f"cannot read {error.filename}: {error.strerror}" if error.filename else error
        print(f"INVALID: {reason}")
        return 1
    except ValueError as error:
        print(f"INVALID: {error}")
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
