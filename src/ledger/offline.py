"""Offline verifier of the ledger's proofs: one file, standard library plus `cryptography`.

Merkle trees are hashed as RFC 6962 §2.1 and proofs checked as RFC 9162 §2.1.3.2 and
§2.1.4.2; signed tree heads are C2SP checkpoints (c2sp.org/tlog-checkpoint) in signed
notes (c2sp.org/signed-note) with Ed25519 keys. An auditor can copy this file and run

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
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "ACCESS_FIELDS",
    "Checkpoint",
    "NoteError",
    "ProofError",
    "access_entry_hash",
    "key_id",
    "leaf_hash",
    "main",
    "node_hash",
    "parse_checkpoint",
    "parse_leaf",
    "parse_verifier_key",
    "root_hash",
    "sign_note",
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


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 ‖ leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves given by their hashes; SHA-256("") for no leaves."""
    stack: list[tuple[int, bytes]] = []  # perfect subtrees (height, hash), left to right
    for index, value in enumerate(leaf_hashes):
        _check_hash(value, f"leaf hash {index}")
        height, node = 0, value
        while stack and stack[-1][0] == height:
            node = node_hash(stack.pop()[1], node)
            height += 1
        stack.append((height, node))
    if not stack:
        return hashlib.sha256(b"").digest()
    node = stack.pop()[1]
    while stack:
        node = node_hash(stack.pop()[1], node)
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
    leaf_index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
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
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("proof too short")
    if r != root:
        raise ProofError("calculated root does not match the given root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
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
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
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


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] of an Ed25519 note key."""
    _check_name(name)
    if len(public_key) != 32:
        raise NoteError(f"Ed25519 public key is {len(public_key)} bytes, not 32")
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """`<name>+<key id hex>+<base64(0x01 ‖ public key)>`."""
    encoded = base64.b64encode(bytes([ED25519]) + public_key).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> tuple[str, bytes, bytes]:
    """(name, key id, public key) of an Ed25519 verifier key."""
    parts = text.split("+", 2)  # names hold no '+'; base64 may
    if len(parts) != 3:
        raise NoteError("verifier key is not <name>+<key id>+<key>")
    name, hex_id, encoded = parts
    _check_name(name)
    if not _KEY_ID.fullmatch(hex_id):
        raise NoteError(f"verifier key id {hex_id!r} is not 8 hex digits")
    key = _b64decode(encoded, "verifier key")
    if not key or key[0] != ED25519:
        kind = f"0x{key[0]:02x}" if key else "missing"
        raise NoteError(f"verifier key type is {kind}, not 0x01 (Ed25519)")
    if len(key) != 33:
        raise NoteError(f"verifier key holds {len(key) - 1} key bytes, not 32")
    expected = key_id(name, key[1:])
    if bytes.fromhex(hex_id) != expected:
        raise NoteError(f"verifier key id {hex_id} does not match its key ({expected.hex()})")
    return name, expected, key[1:]


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note: body, blank line, `— <name> <base64(key id ‖ signature)>`."""
    if not body.endswith("\n"):
        raise NoteError("note body does not end with a newline")
    _check_text(body)
    public = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    signature = key_id(name, public) + private_key.sign(body.encode())
    return f"{body}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(signature).decode()}\n"


def verify_note(note: str, verifier: str) -> str:
    """The text of `note`, once its signature by the `verifier` key is checked."""
    name, kid, public = parse_verifier_key(verifier)
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
        try:
            if len(signature) != 68:
                raise InvalidSignature
            Ed25519PublicKey.from_public_bytes(public).verify(signature[4:], text.encode())
        except (InvalidSignature, ValueError):
            raise NoteError(f"bad signature by key {name}+{kid.hex()}") from None
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


def _record(args: argparse.Namespace) -> list[str]:
    data = _read_json(args.record, "ledger-proof-v1")
    checkpoint = verify_checkpoint(_field(data, "checkpoint", str, "record"), _read_key(args.key))
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
            verify_inclusion(position - 1, checkpoint.size, leaf_hash(leaf), proof, checkpoint.root)
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
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    elif proof or old.root != root_hash([]):  # else the empty tree is a prefix of any tree
        raise ProofError("from size 0 the proof must be empty and the root SHA-256('')")
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
