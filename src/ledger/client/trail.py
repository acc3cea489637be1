"""The answers about the ledger itself rather than its records: the audit trail of a record
(with inclusion proofs), the access log, the signed checkpoints and the consistency proof
between two tree sizes, an import's answer, webhooks and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from ledger.client.answers import Answer, PublicEvent


class HistorySubject(Answer):
    id: UUID
    kind: str
    scope: Literal["stream", "related"]


class EventProof(Answer):
    """The event's leaf bytes and its audit path to the root of ``HistoryPage.checkpoint``
    (base64)."""

    leaf: str
    leaf_hash: str
    inclusion_proof: list[str]


class HistoryItem(PublicEvent):
    topic: str
    proof: EventProof | None = None


class HistoryPage(Answer):
    """A record's events in ledger order; with ``proofs``, each proved in the signed
    ``checkpoint`` of ``proved_through`` leaves (a later event has no proof yet)."""

    subject: HistorySubject
    known_at: datetime | None
    items: list[HistoryItem]
    next_cursor: str | None
    checkpoint: str | None = None
    proved_through: int | None = None


class AccessLogItem(Answer):
    """Who read whose dossier, when, why and with what outcome; each entry chained to the
    one before (``prev_hash``, ``entry_hash``)."""

    seq: int
    at: datetime
    subject: str
    role: str
    action: str
    target_kind: str | None
    target_id: UUID | None
    person_id: UUID | None
    path: str
    client: str | None
    outcome: int
    purpose: str | None
    request_id: str
    prev_hash: str
    entry_hash: str


class AccessLogPage(Answer):
    items: list[AccessLogItem]
    next_cursor: str | None


class SignedCheckpoint(Answer):
    size: int
    created_at: datetime
    note: str


class CheckpointPage(Answer):
    """Signed checkpoints, newest (largest) first."""

    items: list[SignedCheckpoint]
    next_cursor: str | None


class ConsistencyProof(Answer):
    """That the tree of ``to`` leaves extends the tree of ``from`` leaves (format
    ``ledger-consistency-v1``), with the checkpoints signed at either size (null if none)."""

    format: str
    first: int = Field(alias="from")
    to: int
    proof: list[str]
    checkpoints: dict[str, str | None]


class ImportAnswer(Answer):
    """``lines`` checked and written, ``skipped`` (written by an earlier import), the
    ``events`` and positions written, and each line's key with its record's id."""

    lines: int
    skipped: int
    events: int
    first_position: int | None
    last_position: int | None
    transactions: int
    dry_run: bool
    seconds: float
    ids: dict[str, UUID]


class Webhook(Answer):
    """A subscription: its status (active, paused, disabled after a 410, deleted) and the
    last position handed to delivery (``cursor``)."""

    id: UUID
    url: str
    types: list[str] | None
    unit_id: UUID | None
    status: Literal["active", "paused", "disabled", "deleted"]
    status_reason: str | None
    cursor: int
    owner: str
    created_at: datetime
    scheme: str
    public_key: str | None


class WebhookWithSecret(Webhook):
    """As created or re-keyed: ``secret`` (scheme v1) is shown this once."""

    secret: str | None


class WebhookPage(Answer):
    items: list[Webhook]


class Delivery(Answer):
    position: int
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_at: datetime
    last_status: int | None
    last_error: str | None
    updated_at: datetime


class DeliveryPage(Answer):
    """Deliveries in position order; ``next_cursor`` is the ``after`` of the next page."""

    items: list[Delivery]
    next_cursor: int | None
