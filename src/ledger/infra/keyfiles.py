"""Secret files the service keeps in its data directory: written once, readable by the
owner only (mode 0600), never overwritten."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.infra import sm2


def create_private(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data``, mode 0600, whole or not at all; False if it exists
    (another process made it first: it is left as it is, no key is replaced).

    Written to a file of its own first, then linked into place: a process that finds
    ``path`` never reads it half-written, and of two processes starting at once on an
    empty data directory one creates it and the other reads it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, path)
        return True
    except FileExistsError:
        return False
    finally:
        draft.unlink(missing_ok=True)


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, mode 0600; refuse if it exists (no key is replaced)."""
    if not create_private(path, data):
        raise FileExistsError(f"{path} exists")


def ed25519_key(path: Path, setting: str | None) -> tuple[Ed25519PrivateKey, bool]:
    """The Ed25519 key (PEM, PKCS#8) at ``path``, and whether it was created now.

    ``setting``: the variable that named ``path``, if one did: then the file must exist.
    """
    if not path.exists():
        if setting is not None:
            raise FileNotFoundError(f"{setting} names {path}, which does not exist")
        made = Ed25519PrivateKey.generate()
        pem = made.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if create_private(path, pem):
            return made, True
    # It was there, or another process created it first: everyone uses that one.
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key, False


def sm2_key(path: Path, setting: str | None) -> tuple[sm2.SM2PrivateKey, bool]:
    """The SM2 key (PEM, PKCS#8, as ``openssl genpkey -algorithm SM2`` writes it) at
    ``path``, and whether it was created now; as ``ed25519_key``. Needs the system
    OpenSSL 3 with SM2 (``sm2.SM2Unavailable`` says what is missing)."""
    if not path.exists():
        if setting is not None:
            raise FileNotFoundError(f"{setting} names {path}, which does not exist")
        made = sm2.generate_private_key()
        if create_private(path, made.private_bytes_pem()):
            return made, True
    try:
        return sm2.load_private_key_pem(path.read_bytes()), False
    except ValueError as error:
        raise ValueError(f"{path} does not hold an SM2 private key: {error}") from None
