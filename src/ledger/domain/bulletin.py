"""Bulletin (通报): results circulated to named recipients — who was told what, when."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import InvalidInput
from ledger.domain.vocab import BulletinKind


class Bulletin(Aggregate):
    """One issue of a brief (简报) or special report (专报); never changed once issued."""

    @classmethod
    def issue(
        cls,
        *,
        kind: BulletinKind,
        title: str,
        inspection_id: UUID,
        finding_ids: list[UUID],
        recipient_unit_ids: list[UUID],
        issued_on: date,
        summary: str | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> Bulletin:
        if not recipient_unit_ids:
            raise InvalidInput(
                "a bulletin names at least one recipient", field="recipient_unit_ids"
            )
        return cls(
            kind,
            title,
            inspection_id,
            list(dict.fromkeys(finding_ids)),
            list(dict.fromkeys(recipient_unit_ids)),
            issued_on,
            summary,
            actor,
            source,
            reason,
            basis,
        )

    @event("Issued")
    def __init__(
        self,
        kind: BulletinKind,
        title: str,
        inspection_id: UUID,
        finding_ids: list[UUID],
        recipient_unit_ids: list[UUID],
        issued_on: date,
        summary: str | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.kind = kind
        self.title = title
        self.inspection_id = inspection_id
        self.finding_ids = list(finding_ids)
        self.recipient_unit_ids = list(recipient_unit_ids)
        self.issued_on = issued_on
        self.summary = summary
