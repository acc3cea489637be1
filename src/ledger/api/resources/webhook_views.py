"""What the webhook routes take and answer (``webhooks.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ledger.api.schemas import View

Status = Literal["active", "paused", "disabled", "deleted"]
Scheme = Literal["v1", "v1a"]


class NewWebhook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=8, max_length=2000, description="http(s) URL on a host the operator allows."
    )
    types: list[str] | None = Field(
        default=None, min_length=1, max_length=100, description="Event types (Class.Event)."
    )
    unit_id: UUID | None = Field(default=None, description="That unit and the units below.")
    after: int | None = Field(
        default=None,
        ge=0,
        description="Deliver the events after this position (default: the"
        " head now, so only new events).",
    )
    scheme: Scheme = Field(
        default="v1",
        description="How deliveries are signed (Standard Webhooks): v1, HMAC-SHA256 under a"
        " shared secret (shown once); v1a, Ed25519 under a key of the ledger's, verified"
        " with its public key (shown always; it forges nothing).",
    )


class Act(BaseModel):
    """What a change of a subscription may say: why (kept as its status reason)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, min_length=1, max_length=500)


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(ge=0, description="Deliver again every event after this position.")


class Webhook(View):
    id: UUID
    url: str
    types: list[str] | None
    unit_id: UUID | None
    status: Status
    status_reason: str | None
    cursor: int = Field(description="The last position handed to delivery.")
    owner: str = Field(description="The subject of the token that created it.")
    created_at: datetime
    scheme: Scheme = Field(description="v1 (HMAC, a shared secret) or v1a (Ed25519).")
    public_key: str | None = Field(
        description="v1a: the whpk_ key each delivery verifies with; null for v1."
    )


class WebhookWithSecret(Webhook):
    secret: str | None = Field(
        description="v1: verify each delivery with it; shown once. Null for v1a (the"
        " receiver needs only public_key)."
    )


class WebhookPage(View):
    items: list[Webhook]


class Delivery(View):
    position: int
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_at: datetime
    last_status: int | None
    last_error: str | None
    updated_at: datetime


class DeliveryPage(View):
    items: list[Delivery]
    next_cursor: int | None = Field(description="Pass as `after` for the next page.")
