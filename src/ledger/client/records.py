"""The commands on the records a loop rests on and follows from: units, persons (and the
look-up of a person by identity number), assignments, inspections, accountability cases and
their sanctions, bulletins, indicator sets and assessments. Each takes its command model
and the conditions of ``transport.Creating`` (a new record) or ``transport.Conditions``
(a record's step: ``if_match`` too)."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from ledger.application import commands as c
from ledger.client import operations as ops
from ledger.client.answers import Created
from ledger.client.transport import Conditions, Creating, Transport, purpose_header
from ledger.client.views import FoundPerson


class Records(Transport):
    # Units.
    async def register_unit(self, body: c.RegisterUnit, **how: Unpack[Creating]) -> Created:
        return await self.send(ops.REGISTER_UNIT, body, **how)

    async def rename_unit(
        self, unit: UUID, body: c.RenameUnit, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.RENAME_UNIT, body, unit, **how)

    async def move_unit(self, unit: UUID, body: c.MoveUnit, **how: Unpack[Conditions]) -> Created:
        return await self.send(ops.MOVE_UNIT, body, unit, **how)

    async def dissolve_unit(
        self, unit: UUID, body: c.DissolveUnit, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.DISSOLVE_UNIT, body, unit, **how)

    # Persons.
    async def register_person(self, body: c.RegisterPerson, **how: Unpack[Creating]) -> Created:
        return await self.send(ops.REGISTER_PERSON, body, **how)

    async def correct_person(
        self, person: UUID, body: c.CorrectPerson, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.CORRECT_PERSON, body, person, **how)

    async def find_person(self, body: c.FindPerson, *, purpose: str | None = None) -> FoundPerson:
        """The person who holds an identity number (sent in the body, never the URL; 404 if
        none); the look-up is in the access log, with ``purpose``."""
        headers = purpose_header(purpose)
        return await self.read(ops.FIND_PERSON, FoundPerson, headers=headers, body=body)

    # Assignments.
    async def assign(self, body: c.Assign, **how: Unpack[Creating]) -> Created:
        return await self.send(ops.ASSIGN, body, **how)

    async def end_assignment(
        self, assignment: UUID, body: c.EndAssignment, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.END_ASSIGNMENT, body, assignment, **how)

    async def change_line(
        self, assignment: UUID, body: c.ChangeLine, **how: Unpack[Conditions]
    ) -> Created:
        """Whom the post reports to from ``effective_on``."""
        return await self.send(ops.CHANGE_LINE, body, assignment, **how)

    async def change_portfolio(
        self, assignment: UUID, body: c.ChangePortfolio, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.CHANGE_PORTFOLIO, body, assignment, **how)

    async def correct_assignment(
        self, assignment: UUID, body: c.CorrectAssignment, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.CORRECT_ASSIGNMENT, body, assignment, **how)

    # Inspections.
    async def plan_inspection(self, body: c.PlanInspection, **how: Unpack[Creating]) -> Created:
        return await self.send(ops.PLAN_INSPECTION, body, **how)

    async def start_inspection(
        self, inspection: UUID, body: c.StartInspection, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.START_INSPECTION, body, inspection, **how)

    async def record_evidence(
        self, inspection: UUID, body: c.RecordEvidence, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.RECORD_EVIDENCE, body, inspection, **how)

    async def feed_back(
        self, inspection: UUID, body: c.FeedBackResults, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.FEED_BACK, body, inspection, **how)

    async def close_inspection(
        self, inspection: UUID, body: c.CloseInspection, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.CLOSE_INSPECTION, body, inspection, **how)

    # Accountability cases: a sanction's steps name the case, then the sanction.
    async def open_case(self, body: c.OpenCase, **how: Unpack[Creating]) -> Created:
        return await self.send(ops.OPEN_CASE, body, **how)

    async def impose_sanction(
        self, case: UUID, body: c.ImposeSanction, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.IMPOSE_SANCTION, body, case, **how)

    async def appeal_sanction(
        self, case: UUID, body: c.AppealSanction, **how: Unpack[Conditions]
    ) -> Created:
        """An appeal of the sanction ``body.sanction_id`` names."""
        return await self.send(ops.APPEAL_SANCTION, body, case, **how)

    async def uphold_sanction(
        self, case: UUID, sanction: UUID, body: c.UpholdSanction, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.UPHOLD_SANCTION, body, case, sanction, **how)

    async def modify_sanction(
        self, case: UUID, sanction: UUID, body: c.ModifySanction, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.MODIFY_SANCTION, body, case, sanction, **how)

    async def revoke_sanction(
        self, case: UUID, sanction: UUID, body: c.RevokeSanction, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.REVOKE_SANCTION, body, case, sanction, **how)

    async def close_case(self, case: UUID, body: c.CloseCase, **how: Unpack[Conditions]) -> Created:
        return await self.send(ops.CLOSE_CASE, body, case, **how)

    # Bulletins and assessments.
    async def issue_bulletin(self, body: c.IssueBulletin, **how: Unpack[Creating]) -> Created:
        return await self.send(ops.ISSUE_BULLETIN, body, **how)

    async def define_indicator_set(
        self, body: c.DefineIndicatorSet, **how: Unpack[Creating]
    ) -> Created:
        return await self.send(ops.DEFINE_INDICATOR_SET, body, **how)

    async def assess_unit(self, body: c.AssessUnit, **how: Unpack[Creating]) -> Created:
        """A unit's scores of a year against an indicator set; assessed again against the
        same set, a reassessment (the earlier versions in ``Assessment.earlier``)."""
        return await self.send(ops.ASSESS_UNIT, body, **how)
