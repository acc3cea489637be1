"""Personal identity numbers are stored only as a keyed hash (HMAC-SHA256): enough to find
a person by number and keep numbers unique, useless to whoever reads the log without the
key. The key is LEDGER_PII_KEY, or one generated into the data directory on first start."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import structlog
from pydantic import SecretStr

from ledger.infra.keyfiles import create_private

log = structlog.get_logger(__name__)

KEY_FILE = "pii-key"


def load_pii_key(configured: SecretStr | None, data_dir: Path) -> bytes:
    """The configured key, else the one kept in ``data_dir`` (created there, mode 0600)."""
    if configured is not None:
        return configured.get_secret_value().encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        key = secrets.token_bytes(32)
        if create_private(path, (key.hex() + "\n").encode()):
            log.warning("pii_key_generated", path=str(path))
            return key
    # It was there, or another process created it first: everyone uses that one.
    return bytes.fromhex(path.read_text().strip())


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` under ``key``, in hex."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
