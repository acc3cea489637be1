"""The commands an integrator sends: the records a loop rests on, and the loop of a
finding (raise, plan, report, verify, reject, extend, refer, close). Each takes the
command model the server validates (``ledger.application.commands``), ``if_match`` (the
stream version it expects; 412 with the current one in ``ProblemError.etag`` if another)
and ``idempotency_key`` (a retry with the same key and body is answered, not repeated)."""

from __future__ import annotations

from uuid import UUID

from ledger.application import commands as c
from ledger.client import operations as ops
from ledger.client.answers import Created
from ledger.client.operations import Operation
from ledger.client.transport import Transport, command_headers


class Loop(Transport):
    async def send(
        self,
        op: Operation,
        body: c.Body,
        record: UUID | None = None,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        """Any command of the table (``operations``): its body, and the record its path
        names."""
        ids = {} if record is None else {"id": record}
        headers = command_headers(if_match, idempotency_key)
        return await self.read(op, Created, ids=ids, headers=headers, body=body)

    async def register_unit(
        self, body: c.RegisterUnit, *, idempotency_key: str | None = None
    ) -> Created:
        return await self.send(ops.REGISTER_UNIT, body, idempotency_key=idempotency_key)

    async def register_person(
        self, body: c.RegisterPerson, *, idempotency_key: str | None = None
    ) -> Created:
        return await self.send(ops.REGISTER_PERSON, body, idempotency_key=idempotency_key)

    async def assign(self, body: c.Assign, *, idempotency_key: str | None = None) -> Created:
        return await self.send(ops.ASSIGN, body, idempotency_key=idempotency_key)

    async def plan_inspection(
        self, body: c.PlanInspection, *, idempotency_key: str | None = None
    ) -> Created:
        return await self.send(ops.PLAN_INSPECTION, body, idempotency_key=idempotency_key)

    async def start_inspection(
        self, inspection: UUID, body: c.StartInspection, *, if_match: int | None = None
    ) -> Created:
        return await self.send(ops.START_INSPECTION, body, inspection, if_match=if_match)

    async def raise_finding(
        self, body: c.RaiseFinding, *, idempotency_key: str | None = None
    ) -> Created:
        return await self.send(ops.RAISE, body, idempotency_key=idempotency_key)

    async def plan_rectification(
        self,
        finding: UUID,
        body: c.PlanRectification,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.PLAN, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )

    async def report_progress(
        self,
        finding: UUID,
        body: c.ReportProgress,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.REPORT, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )

    async def verify(
        self,
        finding: UUID,
        body: c.VerifyRectification,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.VERIFY, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )

    async def reject(
        self,
        finding: UUID,
        body: c.RejectRectification,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.REJECT, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )

    async def extend_deadline(
        self,
        finding: UUID,
        body: c.ExtendDeadline,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.EXTEND, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )

    async def refer(
        self,
        finding: UUID,
        body: c.ReferFinding,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.REFER, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )

    async def close_finding(
        self,
        finding: UUID,
        body: c.CloseFinding,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Created:
        return await self.send(
            ops.CLOSE, body, finding, if_match=if_match, idempotency_key=idempotency_key
        )
