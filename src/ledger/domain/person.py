"""Person (人员): an official or staff member."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import InvalidInput


class Person(Aggregate):
    @event("Registered")
    def __init__(
        self,
        name: str,
        person_no: str | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.name = name
        self.person_no = person_no

    def correct_details(
        self,
        name: str | None,
        person_no: str | None,
        *,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        if (name is None or name == self.name) and (
            person_no is None or person_no == self.person_no
        ):
            raise InvalidInput("the correction changes nothing", field="name")
        self._details_corrected(name, person_no, actor, source, reason, basis)

    @event("DetailsCorrected")
    def _details_corrected(
        self,
        name: str | None,
        person_no: str | None,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        if name is not None:
            self.name = name
        if person_no is not None:
            self.person_no = person_no
