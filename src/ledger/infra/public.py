"""The public shape of an event, as the feed, the live stream, the audit trail and the
webhooks serve it: an envelope (its position, short type, schema version, stream, valid
and recorded time, who acted through which system, why, on which document, the chain
hash) and a ``data`` body of its own fields under their public names.

The stored names stay as they are (they are the events' bytes); where a public name
differs it is mapped here, in ``PUBLIC_NAMES``: a clue's ``origin`` is served as
``source``, the name the API takes it by (the envelope's ``source`` is the system that
acted, which every event records, so the stored event cannot take that name). The schema
version of a type is its event class's ``class_version``; the schemas themselves are
``api/public_events.py``'s.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from ledger.domain.catalogue import short_name
from ledger.infra.eventstore import RecordedEvent
from ledger.offline_show import VALID_TIME_FIELDS

# Stored name → public name, by event type.
PUBLIC_NAMES: dict[str, dict[str, str]] = {"Clue.Received": {"origin": "source"}}
# What every event records about the act: in the envelope, not in ``data``.
META = ("actor", "source", "reason", "basis")
# The aggregate's bookkeeping: the envelope's position, stream and version say it.
BOOKKEEPING = frozenset({"originator_id", "originator_version", "originator_topic", "timestamp"})


def schema_version(event: type[Any]) -> int:
    return int(getattr(event, "class_version", 1))


def public_event(mapper: Mapper[Any], row: RecordedEvent) -> dict[str, Any]:
    """One event in its public shape (values as Python objects; ``encode`` writes JSON)."""
    event = mapper.to_domain_event(row.to_stored())
    kind = short_name(row.topic)
    stored = {k: v for k, v in vars(event).items() if k not in BOOKKEEPING}
    renames = PUBLIC_NAMES.get(kind, {})
    data = {renames.get(k, k): v for k, v in stored.items() if k not in META}
    return {
        "position": row.position,
        "type": kind,
        "schema_version": schema_version(type(event)),
        "stream_id": row.stream_id,
        "stream_version": row.stream_version,
        "valid_time": next(
            (stored[name] for name in VALID_TIME_FIELDS if stored.get(name) is not None), None
        ),
        "recorded_at": row.recorded_at,
        "actor": stored.get("actor"),
        "source": stored.get("source"),
        "reason": stored.get("reason"),
        "basis": stored.get("basis"),
        "chain_hash": row.chain_hash,
        "data": data,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode(event: dict[str, Any]) -> str:
    """The public event as JSON text (UTF-8 characters kept)."""
    return json.dumps(event, ensure_ascii=False, default=_plain)
