"""The bytes of an event's leaf (encoding v1), as ``ledger_leaf`` in SQL writes them: what
the chain hash and the Merkle tree hash, computed here by ``ledger verify`` and by a bulk
append alike."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def leaf_bytes(row: Any, position: int | None = None) -> bytes:
    """The leaf bytes of an event row (encoding v1), at its own or another position."""
    micros = (row["recorded_at"] - EPOCH) // timedelta(microseconds=1)
    return encode_leaf(
        position or row["position"],
        row["stream_id"].bytes,
        row["stream_version"],
        row["topic"],
        bytes(row["state"]),
        "\n".join(row["tags"]),
        micros,
    )


def encode_leaf(
    position: int, stream_id: bytes, version: int, topic: str, state: bytes, tags: str, micros: int
) -> bytes:
    """Leaf encoding v1 (``ledger_leaf`` in SQL): every field length-prefixed."""
    topic_bytes, tag_bytes = topic.encode(), tags.encode()
    return b"".join(
        (
            _FIXED_HEAD.pack(8, position, 16),
            stream_id,
            _VERSION.pack(4, version, len(topic_bytes)),
            topic_bytes,
            _LENGTH.pack(len(state)),
            state,
            _LENGTH.pack(len(tag_bytes)),
            tag_bytes,
            _MICROS.pack(8, micros),
        )
    )


_FIXED_HEAD = struct.Struct(">IqI")  # len 8, position, len 16 (the stream id follows)
_VERSION = struct.Struct(">IiI")  # len 4, version, the topic's length
_LENGTH = struct.Struct(">I")
_MICROS = struct.Struct(">Iq")
