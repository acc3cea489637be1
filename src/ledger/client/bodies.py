"""Request bodies the commands package does not hold, under the names the OpenAPI document
gives them. The batch of clues is an envelope the API defines around ``ReceiveClue`` (the
server reads each item alone, so one bad item is answered for alone; the client sends items
already validated as ``ReceiveClue``). A webhook is a subscription, not a record of the
ledger: its bodies are the API's own. A line of an import is the frame of a record and its
steps; its ``create`` and each step are the bodies of the commands, checked by the server
line by line (a refusal names the line)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ledger.application.commands import Body, ReceiveClue


class ClueBatchBody(Body):
    clues: list[ReceiveClue] = Field(min_length=1, max_length=1000)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewWebhook(Strict):
    """A subscription: the URL (on a host the operator allows), the event types (Class.Event,
    default all), the unit whose events (and its subunits') it receives, the position after
    which it starts (default: the head now), and the signing scheme (``v1``: HMAC under a
    secret shown once; ``v1a``: Ed25519, verified with the public key the webhook shows)."""

    url: str = Field(min_length=8, max_length=2000)
    types: list[str] | None = Field(default=None, min_length=1, max_length=100)
    unit_id: UUID | None = None
    after: int | None = Field(default=None, ge=0)
    scheme: Literal["v1", "v1a"] = "v1"


class Act(Strict):
    """A change of a subscription, and why (kept as its status reason)."""

    reason: str | None = Field(default=None, min_length=1, max_length=500)


class Replay(Strict):
    after: int = Field(ge=0, description="Deliver again every event after this position.")


class Line(Strict):
    """One line of an import: a record (``create``, the body of ``POST /v1/<resource>``) or
    the record of an earlier line or of the ledger (``of``: its key or id), and its
    ``steps`` (each the body of ``POST /v1/<resource>/{id}/<op>`` with its ``op``). A field
    naming a record holds an earlier line's ``key`` or an id."""

    kind: Literal["unit", "person", "assignment", "inspection", "finding", "case"]
    key: str = Field(min_length=1, max_length=200)
    actor: str | None = None
    create: dict[str, Any] | None = None
    of: str | None = None
    steps: list[dict[str, Any]] = Field(default_factory=list, max_length=500)
