"""The public shape of an event: what the feed, the live stream and the audit trail serve,
and what the JSON Schemas under ``api/events/`` describe, one per type and version.

An event is served as an envelope (its position, short type, schema version, stream,
valid and recorded time, who acted from which system, why, on which document, the chain
hash) and a ``data`` body of its own fields under their public names. The stored names
stay as they are (they are the events' bytes); where a public name differs it is mapped
here, in ``PUBLIC_NAMES``: a clue's ``origin`` is served as ``source``, the name the API
takes it by (the envelope's ``source`` is the system that acted, which every event
records, so the stored event cannot take that name).

The schema version of a type is its event class's ``class_version``: a change of an
event's stored shape comes with a new class version and an upcaster, and a new schema
file beside the old one (``ledger event-schemas``; a test fails when the generated schema
of a version differs from the file committed for it).
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper
from pydantic import Field, create_model

from ledger.api.schemas import View
from ledger.domain.catalogue import event_types, short_name
from ledger.infra.eventstore import RecordedEvent
from ledger.offline_show import VALID_TIME_FIELDS

# Stored name → public name, by event type.
PUBLIC_NAMES: dict[str, dict[str, str]] = {"Clue.Received": {"origin": "source"}}
# What every event records about the act: in the envelope, not in ``data``.
META = ("actor", "source", "reason", "basis")
# The aggregate's bookkeeping: the envelope's position, stream and version say it.
_BOOKKEEPING = {"originator_id", "originator_version", "originator_topic", "timestamp"}
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class PublicEvent(View):
    """An event as the feed, the live stream and the audit trail serve it; ``data`` is
    described per type by the schemas under ``api/events/`` (``{type}.v{schema_version}``)."""

    position: int = Field(description="Its place in the ledger: its id, and the SSE id.")
    type: str = Field(description="The event's short name, Class.Event (e.g. Clue.Received).")
    schema_version: int = Field(description="The version of its type's schema.")
    stream_id: UUID = Field(description="The record it belongs to (a unit, a finding, …).")
    stream_version: int = Field(description="Its place in that record's stream, from 1.")
    valid_time: date | datetime | None = Field(
        description="When it holds in the world, if it names a day or time."
    )
    recorded_at: datetime = Field(description="When the ledger recorded it.")
    actor: str | None = Field(description="Who acted: the subject of the caller's token.")
    source: str | None = Field(description="The system the act came through (api, import, …).")
    reason: str | None
    basis: str | None = Field(description="The document (文号) the act rests on.")
    chain_hash: str = Field(description="SHA-256 chain hash at this position, hex.")
    data: dict[str, Any] = Field(description="Its own fields, under their public names.")


def schema_version(event: type[Any]) -> int:
    return int(getattr(event, "class_version", 1))


def public_event(mapper: Mapper[Any], row: RecordedEvent) -> dict[str, Any]:
    """One event in its public shape (values as Python objects; the answer encodes them)."""
    event = mapper.to_domain_event(row.to_stored())
    kind = short_name(row.topic)
    stored = {k: v for k, v in vars(event).items() if k not in _BOOKKEEPING}
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


def _body_fields(kind: str, event: type[Aggregate.Event]) -> dict[str, Any]:
    hints = typing.get_type_hints(event)
    renames = PUBLIC_NAMES.get(kind, {})
    fields: dict[str, Any] = {}
    for name, hint in hints.items():
        if name in _BOOKKEEPING or name in META or typing.get_origin(hint) is typing.ClassVar:
            continue
        fields[renames.get(name, name)] = (hint, Field())
    return fields


def event_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one public event type at its current version."""
    event = event_types()[kind]
    version = schema_version(event)
    body = create_model(f"{kind.replace('.', '')}Data", **_body_fields(kind, event))
    data_schema = body.model_json_schema(ref_template="#/$defs/{model}")
    defs = data_schema.pop("$defs", {})
    data_schema["additionalProperties"] = False
    text_or_null = {"type": ["string", "null"]}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://ledger.local/events/{kind}.v{version}.json",
        "title": f"{kind} (version {version})",
        "description": (event.__doc__ or "").strip().splitlines()[0] if event.__doc__ else kind,
        "type": "object",
        "required": [
            "position",
            "type",
            "schema_version",
            "stream_id",
            "stream_version",
            "valid_time",
            "recorded_at",
            "actor",
            "source",
            "reason",
            "basis",
            "chain_hash",
            "data",
        ],
        "additionalProperties": False,
        "properties": {
            "position": {"type": "integer", "minimum": 1},
            "type": {"const": kind},
            "schema_version": {"const": version},
            "stream_id": {"type": "string", "format": "uuid"},
            "stream_version": {"type": "integer", "minimum": 1},
            "valid_time": {"type": ["string", "null"]},
            "recorded_at": {"type": "string", "format": "date-time"},
            "actor": {"type": "string"},
            "source": {"type": "string"},
            "reason": text_or_null,
            "basis": text_or_null,
            "chain_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "data": data_schema,
        },
        "$defs": defs,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for every public event type at its current version."""
    return {
        f"{kind}.v{schema_version(event)}.json": event_schema(kind)
        for kind, event in event_types().items()
    }


__all__ = [
    "PUBLIC_NAMES",
    "PublicEvent",
    "all_schemas",
    "event_schema",
    "public_event",
    "schema_version",
]
