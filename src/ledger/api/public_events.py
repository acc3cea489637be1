"""The public event contract as the API documents it: the ``PublicEvent`` answer model
and the JSON Schema of each event type per version (``api/events/``, written by
``ledger event-schemas``; a test fails when the generated schema of a version differs
from the file committed for it). The shape itself is ``infra/public.py``'s."""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from pydantic import Field, create_model

from ledger.api.schemas import View
from ledger.domain.catalogue import event_types
from ledger.infra.public import BOOKKEEPING, META, PUBLIC_NAMES, public_event, schema_version

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


def _body_fields(kind: str, event: type[Aggregate.Event]) -> dict[str, Any]:
    hints = typing.get_type_hints(event)
    renames = PUBLIC_NAMES.get(kind, {})
    fields: dict[str, Any] = {}
    for name, hint in hints.items():
        if name in BOOKKEEPING or name in META or typing.get_origin(hint) is typing.ClassVar:
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
