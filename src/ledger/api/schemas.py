"""What the answers of several resources share: the base of every answer, the answer to a
command, a named reference, and the read position fields."""

from __future__ import annotations

from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)


class Created(BaseModel):
    id: UUID
    version: int
    position: int
    sanction_id: UUID | None = Field(
        default=None, description="Imposing a sanction: the new sanction's id, for its steps."
    )
    finding_id: UUID | None = Field(
        default=None, description="Triaging a clue into a finding: the finding's id."
    )
    already_received: bool | None = Field(
        default=None, description="Receiving a clue: true when its key was received before."
    )


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


KNOWN_AT_FIELD = Field(description="The known_at asked for, if any.")


POSITION_FIELD = Field(description="The ledger position the answer reflects.")


class Named(View):
    id: UUID
    name: str | None = Field(description="As the chain knew it; null if not known.")
