"""Commands on clues: receive (once per source and external id), triage."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.application.commands import RaiseFinding, ReceiveClue, TriageClue
from ledger.application.errors import ClueRedelivered
from ledger.application.findings import FindingCommands
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.application.store import AggregateStore
from ledger.domain.clue import Clue, clue_id
from ledger.domain.finding import Finding
from ledger.domain.unit import Unit
from ledger.domain.vocab import TriageOutcome
from ledger.infra.eventstore import RecordedEvent


class _Known(Exception):
    """The clue was received before; its last event answers."""

    def __init__(self, first: RecordedEvent, last: RecordedEvent) -> None:
        self.first = first
        self.last = last


def content(
    summary: str, received_at: datetime, unit_id: UUID | None, basis: str | None
) -> dict[str, Any]:
    """What a delivery says about the clue, beyond the key it is known by."""
    return {"summary": summary, "received_at": received_at, "unit_id": unit_id, "basis": basis}


class ClueCommands(CommandService):
    def __init__(self, store: AggregateStore, findings: FindingCommands) -> None:
        super().__init__(store)
        self.findings = findings

    async def receive_clue(self, ctx: Context, cmd: ReceiveClue) -> CommandResult:
        """Receive a clue; a repeat of (source, external_id) answers the clue already held."""
        known_id = clue_id(cmd.source, cmd.external_id)

        async def decide() -> Decision:
            recorded = await self.events.read_stream(known_id)
            if recorded:
                raise _Known(recorded[0], recorded[-1])
            if cmd.unit_id is not None:
                await self.store.get(Unit, cmd.unit_id, field="unit_id")
            # The event names the other system `origin`: `source` is the system that acted.
            fields = cmd.fields()
            clue = Clue.receive(origin=fields.pop("source"), **fields, **ctx.meta(None, cmd.basis))
            return Decision([clue], clue)

        try:
            return await self._execute(ctx, decide)
        except _Known as known:
            received: Any = self.store.mapper.to_domain_event(known.first.to_stored())
            stored = content(
                received.summary, received.received_at, received.unit_id, received.basis
            )
            delivered = content(cmd.summary, cmd.received_at, cmd.unit_id, cmd.basis)
            if stored != delivered:  # times compare as instants, whatever their offset
                raise ClueRedelivered(known_id, stored, delivered) from None
            # Not an idempotent replay: the answer says the clue was already held.
            return CommandResult(
                known_id,
                known.last.stream_version,
                known.last.position,
                detail={"already_received": True},
            )

    async def dismiss_clue(self, ctx: Context, clue_id_: UUID, cmd: TriageClue) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx, Clue, clue_id_, lambda c: c.triage(TriageOutcome.DISMISSED, None, **meta)
        )

    async def link_clue(self, ctx: Context, clue_id_: UUID, cmd: TriageClue) -> CommandResult:
        """The clue is about a finding already raised: it is triaged onto that finding."""
        finding_id = cmd.finding_id
        assert finding_id is not None

        async def decide() -> Decision:
            clue = await self._get_for_update(ctx, Clue, clue_id_)
            finding = await self.store.get(Finding, finding_id, field="finding_id")
            await self._check_cited(ctx, finding, "finding_id")
            clue.triage(TriageOutcome.FINDING, finding_id, **ctx.meta(cmd.reason, cmd.basis))
            return Decision([clue], clue, detail={"finding_id": str(finding_id)})

        return await self._execute(ctx, decide)

    async def triage_into_finding(
        self, ctx: Context, clue_id_: UUID, cmd: TriageClue
    ) -> CommandResult:
        """The clue becomes a finding: both streams change in one append."""
        assert cmd.finding is not None
        raised = RaiseFinding(
            **dict(cmd.finding), clue_id=clue_id_, reason=cmd.reason, basis=cmd.basis
        )
        return await self.findings.raise_finding(ctx, raised)
