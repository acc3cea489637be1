"""The loop of a finding: raise it, say who answers for it (attribute, withdraw), correct
it, plan, report, verify or reject the rectification, extend the deadline, refer, close.
Each takes the command model the server validates (``ledger.application.commands``) and
the conditions of ``transport.Conditions``: ``if_match`` (the stream version it expects;
412 with the current one in ``ProblemError.etag`` if another) and ``idempotency_key`` (a
retry with the same key and body is answered, not repeated)."""

from __future__ import annotations

from typing import Unpack
from uuid import UUID

from ledger.application import commands as c
from ledger.client import operations as ops
from ledger.client.answers import Created
from ledger.client.transport import Conditions, Creating, Transport


class Loop(Transport):
    async def raise_finding(self, body: c.RaiseFinding, **how: Unpack[Creating]) -> Created:
        """A finding of an inspection (``inspection_id``) or a clue (``clue_id``); the
        unit's principal and the leader whose portfolio holds its category are attributed
        at once."""
        return await self.send(ops.RAISE, body, **how)

    async def attribute(
        self, finding: UUID, body: c.Attribute, **how: Unpack[Conditions]
    ) -> Created:
        """One more person answers for the finding, with their liability."""
        return await self.send(ops.ATTRIBUTE, body, finding, **how)

    async def withdraw_attribution(
        self, finding: UUID, person: UUID, body: c.WithdrawAttribution, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.WITHDRAW_ATTRIBUTION, body, finding, person, **how)

    async def correct_finding(
        self, finding: UUID, body: c.CorrectFinding, **how: Unpack[Conditions]
    ) -> Created:
        """A field recorded wrongly, corrected (the old value stays in the trail)."""
        return await self.send(ops.CORRECT_FINDING, body, finding, **how)

    async def plan_rectification(
        self, finding: UUID, body: c.PlanRectification, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.PLAN, body, finding, **how)

    async def report_progress(
        self, finding: UUID, body: c.ReportProgress, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.REPORT, body, finding, **how)

    async def verify(
        self, finding: UUID, body: c.VerifyRectification, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.VERIFY, body, finding, **how)

    async def reject(
        self, finding: UUID, body: c.RejectRectification, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.REJECT, body, finding, **how)

    async def extend_deadline(
        self, finding: UUID, body: c.ExtendDeadline, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.EXTEND, body, finding, **how)

    async def refer(
        self, finding: UUID, body: c.ReferFinding, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.REFER, body, finding, **how)

    async def close_finding(
        self, finding: UUID, body: c.CloseFinding, **how: Unpack[Conditions]
    ) -> Created:
        return await self.send(ops.CLOSE, body, finding, **how)
