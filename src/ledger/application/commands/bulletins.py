"""Commands on bulletins (通报)."""

from __future__ import annotations

from uuid import UUID

from pydantic import (
    Field,
)

from ledger.application.commands.types import Body, Day, Name, Text
from ledger.domain.vocab import BulletinKind


class IssueBulletin(Body):
    kind: BulletinKind
    title: Name
    inspection_id: UUID
    finding_ids: list[UUID] = Field(
        default_factory=list, max_length=200, description="Findings of that inspection."
    )
    recipient_unit_ids: list[UUID] = Field(min_length=1, max_length=50)
    issued_on: Day
    summary: Text | None = None
