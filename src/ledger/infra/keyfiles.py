"""Secret files the service keeps in its data directory: written once, readable by the
owner only (mode 0600), never overwritten."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, mode 0600; refuse if it exists (no key is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def ed25519_key(path: Path, setting: str | None) -> tuple[Ed25519PrivateKey, bool]:
    """The Ed25519 key (PEM, PKCS#8) at ``path``, and whether it was created now.

    ``setting``: the variable that named ``path``, if one did: then the file must exist.
    """
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return key, False
    if setting is not None:
        raise FileNotFoundError(f"{setting} names {path}, which does not exist")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_private(path, pem)
    return key, True
