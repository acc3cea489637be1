"""The calls about the ledger itself: history in bulk (an import of JSON Lines), the audit
trail of a record (with inclusion proofs), the access log, the public key, the signed
checkpoints, and inclusion and consistency proofs (the files ``ledger-verify`` reads)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Unpack
from uuid import UUID

from ledger.client import operations as ops
from ledger.client.answers import InclusionProof
from ledger.client.bodies import Line
from ledger.client.trail import (
    AccessLogPage,
    CheckpointPage,
    ConsistencyProof,
    HistoryPage,
    ImportAnswer,
)
from ledger.client.transport import Paging, Transport, purpose_header


class Admin(Transport):
    async def import_history(
        self,
        lines: Sequence[Line] | bytes,
        *,
        batch_size: int | None = None,
        dry_run: bool | None = None,
    ) -> ImportAnswer:
        """Import history: the lines (or a JSON Lines file's bytes, sent as they are), each
        checked through the commands' rules, then written in one transaction (or one per
        ``batch_size`` lines); a line an earlier import wrote is skipped. Any refused line
        refuses the file: a 422 ``ProblemError`` whose ``errors`` name each ``line`` (from
        1), its field and rule, with nothing written."""
        query = {"batch_size": batch_size, "dry_run": dry_run}
        return await self.read(ops.IMPORT, ImportAnswer, query=query, body=lines)

    async def history(
        self,
        record: UUID,
        *,
        scope: Literal["stream", "related"] | None = None,
        proofs: bool | None = None,
        known_at: datetime | None = None,
        purpose: str | None = None,
        **page: Unpack[Paging],
    ) -> HistoryPage:
        """The audit trail of a record: its own events (``stream``), or every event tagged
        with a unit or person (``related``); with ``proofs``, each event's inclusion proof
        in the latest signed checkpoint. The read is in the access log, with ``purpose``
        (which personnel, discipline and auditor tokens must state)."""
        query = {"scope": scope, "proofs": proofs, "known_at": known_at, **page}
        return await self.read(
            ops.HISTORY, HistoryPage, {"id": record}, query, purpose_header(purpose)
        )

    async def access_log(
        self,
        *,
        subject: str | None = None,
        person_id: UUID | None = None,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        purpose: str | None = None,
        **page: Unpack[Paging],
    ) -> AccessLogPage:
        """Who read which dossier (and every refused request): by a token's ``subject``,
        of a person, from ``start`` and before ``end`` (a day: through that day, UTC).
        Reading it is in it too."""
        query = {"subject": subject, "person_id": person_id, "from": start, "to": end, **page}
        return await self.read(
            ops.ACCESS_LOG, AccessLogPage, query=query, headers=purpose_header(purpose)
        )

    async def public_key(self) -> str:
        """The key checkpoints verify with (signed-note format)."""
        text: str = await self.call(ops.PUBLIC_KEY)
        return text

    async def checkpoint(self) -> str:
        """The latest signed checkpoint (a C2SP signed note)."""
        text: str = await self.call(ops.CHECKPOINT)
        return text

    async def checkpoints(self, **page: Unpack[Paging]) -> CheckpointPage:
        """Every signed checkpoint, newest first."""
        return await self.read(ops.CHECKPOINTS, CheckpointPage, query=page)

    async def inclusion_proof(
        self, position: int, *, size: int | None = None, purpose: str | None = None
    ) -> InclusionProof:
        """The proof that the event at ``position`` is in the tree of ``size`` leaves
        (default: the latest checkpoint's): the file ``ledger-verify`` reads."""
        query = {"position": position, "size": size}
        return await self.read(
            ops.INCLUSION, InclusionProof, query=query, headers=purpose_header(purpose)
        )

    async def consistency_proof(
        self, first: int, second: int | None = None, *, purpose: str | None = None
    ) -> ConsistencyProof:
        """The proof that the tree of ``second`` leaves (default: the latest checkpoint's)
        extends the tree of ``first`` leaves, with the checkpoints signed at either size."""
        query = {"from": first, "to": second}
        return await self.read(
            ops.CONSISTENCY, ConsistencyProof, query=query, headers=purpose_header(purpose)
        )
