"""Commands on clues (线索) from other systems: receive, triage."""

from __future__ import annotations

from uuid import UUID

from pydantic import (
    Field,
)

from ledger.application.commands.types import Body, Command, Day, ExternalId, Instant, Part, Text
from ledger.domain.vocab import Category, ClueSource, Severity, TriageOutcome


class ReceiveClue(Body):
    source: ClueSource = Field(description="The system the clue comes from.")
    external_id: ExternalId = Field(description="Its id there; one clue per (source, id).")
    summary: Text
    received_at: Instant = Field(description="RFC 3339 with an offset.")
    unit_id: UUID | None = None


class FindingFromClue(Part):
    unit_id: UUID
    category: Category
    severity: Severity
    description: Text
    found_on: Day
    deadline: Day


class TriageClue(Command):
    outcome: TriageOutcome
    finding: FindingFromClue | None = Field(
        default=None,
        description="For outcome finding: the finding to raise (or give finding_id).",
    )
    finding_id: UUID | None = Field(
        default=None,
        description="For outcome finding: an existing finding the clue is about (a lead on"
        " something already found); the clue is linked, no finding is raised.",
    )
    reason: Text | None = Field(default=None, description="Required for outcome dismissed.")
