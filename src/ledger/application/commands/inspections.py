"""Commands on inspections (督察): plan, start, record evidence, feed back, close."""

from __future__ import annotations

from uuid import UUID

from pydantic import (
    Field,
)

from ledger.application.commands.types import Basis, Body, Command, Day, Name, Sha256, Text, Year
from ledger.domain.vocab import Category, EvidenceMethod


class PlanInspection(Command):
    title: Name
    year: Year
    organizer_unit_id: UUID = Field(description="The inspection body (督察单位).")
    target_unit_ids: list[UUID] = Field(min_length=1, max_length=50)
    team: list[UUID] = Field(
        min_length=1, max_length=50, description="Person ids of the inspection team (督察组)."
    )
    topics: list[Category] = Field(min_length=1, max_length=len(Category))
    starts_on: Day
    ends_on: Day


class StartInspection(Body):
    started_on: Day


class RecordEvidence(Body):
    method: EvidenceMethod
    summary: Text
    document: Basis | None = Field(default=None, description="Reference of the stored document.")
    sha256: Sha256 | None = Field(default=None, description="Of the document, lowercase hex.")
    unit_id: UUID | None = Field(default=None, description="The inspected unit it concerns.")
    collected_on: Day


class FeedBackResults(Body):
    fed_back_on: Day
    summary: Text


class CloseInspection(Command):
    closed_on: Day
