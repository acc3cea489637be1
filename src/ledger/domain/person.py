"""Person (人员): an official or staff member.

The identity number (person_no) is never stored: the application hands the aggregate its
keyed hash (``person_no_hash``), by which a number is found and kept unique. Events of
version 1 held the number itself; they load as events of version 2 without it (no key is
at hand in an upcaster to hash it, and a read must not return it), so a person recorded
then reads as having no number until one is given again.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import InvalidInput


def _drop_number(state: dict[str, Any]) -> None:
    """Version 1 → 2: ``person_no`` (the number itself) becomes ``person_no_hash`` None."""
    state.pop("person_no", None)
    state["person_no_hash"] = None
    # Keep the stored order of the fields: the acting fields last, as in version 2.
    for name in ("actor", "source", "reason", "basis"):
        state[name] = state.pop(name)


class Person(Aggregate):
    class Registered(Aggregate.Created):
        class_version = 2
        name: str
        person_no_hash: str | None
        actor: str
        source: str
        reason: str | None
        basis: str | None

        upcast_v1_v2 = staticmethod(_drop_number)

    class DetailsCorrected(Aggregate.Event):
        class_version = 2
        name: str | None
        person_no_hash: str | None
        actor: str
        source: str
        reason: str
        basis: str | None

        upcast_v1_v2 = staticmethod(_drop_number)

    @event(Registered)
    def __init__(
        self,
        name: str,
        person_no_hash: str | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.name = name
        self.person_no_hash = person_no_hash

    def correct_details(
        self,
        name: str | None,
        person_no_hash: str | None,
        *,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        if (name is None or name == self.name) and (
            person_no_hash is None or person_no_hash == self.person_no_hash
        ):
            raise InvalidInput("the correction changes nothing", field="name")
        self._details_corrected(name, person_no_hash, actor, source, reason, basis)

    @event(DetailsCorrected)
    def _details_corrected(
        self,
        name: str | None,
        person_no_hash: str | None,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        if name is not None:
            self.name = name
        if person_no_hash is not None:
            self.person_no_hash = person_no_hash
