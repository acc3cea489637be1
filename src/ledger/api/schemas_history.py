"""Answers of the audit trail (`GET /v1/history/{id}`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from ledger.api.schemas import View

Scope = Literal["stream", "related"]


class HistorySubject(View):
    id: UUID
    kind: str = Field(description="The aggregate's class, lowercased: unit, person, assignment, …")
    scope: Scope = Field(
        description="stream: the subject's own events; related: every event tagged with it."
    )


class EventProof(View):
    leaf: str = Field(description="The event's leaf bytes, base64 (encoding v1).")
    leaf_hash: str = Field(description="RFC 6962 leaf hash, base64.")
    inclusion_proof: list[str] = Field(
        description="Audit path to the root of the top-level checkpoint, leaf to root, base64."
    )


class HistoryItem(View):
    position: int
    stream_id: UUID
    stream_version: int
    type: str = Field(description="The event's short name, Class.Event.")
    topic: str = Field(description="The event's full topic, module:Class.Event.")
    valid_time: date | datetime | None = Field(
        description="When the event holds in the world, if it names a day or time."
    )
    recorded_at: datetime
    actor: str | None
    source: str | None
    reason: str | None
    basis: str | None
    chain_hash: str = Field(description="SHA-256 chain hash at this position, hex.")
    data: dict[str, Any]
    proof: EventProof | None = Field(
        default=None,
        description="With proofs=true: inclusion in the checkpoint; null beyond proved_through.",
    )


class HistoryPage(View):
    subject: HistorySubject
    known_at: datetime | None
    items: list[HistoryItem] = Field(description="In ledger order (position ascending).")
    next_cursor: str | None
    checkpoint: str | None = Field(
        default=None,
        description="With proofs=true: the signed checkpoint the proofs lead to (null if none).",
    )
    proved_through: int | None = Field(
        default=None,
        description="With proofs=true: the checkpoint's tree size (0 if none); later events"
        " have no proof yet.",
    )
