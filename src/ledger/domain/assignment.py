"""Assignment (责任分工): a person holding a role in a unit over a period."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import AlreadyEnded, CycleError, InvalidInput, PeriodError
from ledger.domain.periods import Period
from ledger.domain.vocab import Category, CorrectableField, EndReason, PrincipalTitle, Role


def check_role_title(role: Role, principal_title: PrincipalTitle | None) -> None:
    """Raised when a principal has no principal title, or another role has one."""
    if role is Role.PRINCIPAL and principal_title is None:
        raise InvalidInput("a principal needs a principal_title", field="principal_title")
    if role is not Role.PRINCIPAL and principal_title is not None:
        raise InvalidInput("only a principal has a principal_title", field="principal_title")


def check_period(start: date, end: date | None, field: str = "effective_to") -> Period:
    """Raised when the period would end on or before the day it starts."""
    if end is not None and end <= start:
        raise PeriodError(
            f"{field} must be after effective_from ({start.isoformat()})", field=field
        )
    return Period(start, end)


class Assignment(Aggregate):
    """One person in one role of one unit; portfolio changes and the end are events."""

    @classmethod
    def assign(
        cls,
        *,
        unit_id: UUID,
        person_id: UUID,
        role: Role,
        title: str,
        principal_title: PrincipalTitle | None,
        portfolio: list[Category],
        reports_to: UUID | None,
        effective_from: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> Assignment:
        check_role_title(role, principal_title)
        return cls(
            unit_id,
            person_id,
            role,
            title,
            principal_title,
            _unique(portfolio),
            reports_to,
            effective_from,
            actor,
            source,
            reason,
            basis,
        )

    @event("Assigned")
    def __init__(
        self,
        unit_id: UUID,
        person_id: UUID,
        role: Role,
        title: str,
        principal_title: PrincipalTitle | None,
        portfolio: list[Category],
        reports_to: UUID | None,
        effective_from: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.unit_id = unit_id
        self.person_id = person_id
        self.role = role
        self.title = title
        self.principal_title = principal_title
        self.portfolio = list(portfolio)
        self.reports_to = reports_to
        # Valid-time histories: (from, value), the first from date.min; the latest
        # from on or before a day holds that day (changes may be recorded out of order).
        self.portfolios: list[tuple[date, list[Category]]] = [(date.min, list(portfolio))]
        self.lines: list[tuple[date, UUID | None]] = [(date.min, reports_to)]
        self.effective_from = effective_from
        self.effective_to: date | None = None
        self.end_reason: EndReason | None = None

    @property
    def period(self) -> Period:
        return Period(self.effective_from, self.effective_to)

    def holds_on(self, day: date) -> bool:
        """In effect on ``day`` (``period.contains``, without making the period)."""
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    @property
    def ended(self) -> bool:
        return self.effective_to is not None

    def check_not_ended(self) -> None:
        """Raised when the assignment has already ended."""
        if self.ended:
            raise AlreadyEnded(f"assignment {self.id} ended on {self.effective_to}")

    def check_change_date(self, effective_on: date, what: str) -> None:
        """Raised when a change to an ended assignment, or from before it began, is asked."""
        self.check_not_ended()
        if effective_on < self.effective_from:
            raise PeriodError(
                f"{what} cannot take effect before the assignment does", field="effective_on"
            )

    def change_portfolio(
        self,
        portfolio: list[Category],
        effective_on: date,
        *,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.check_change_date(effective_on, "a portfolio change")
        portfolio = _unique(portfolio)
        if portfolio == _on(self.portfolios, effective_on):
            raise InvalidInput("the portfolio is already this on that day", field="portfolio")
        self._portfolio_changed(portfolio, effective_on, actor, source, reason, basis)

    @event("PortfolioChanged")
    def _portfolio_changed(
        self,
        portfolio: list[Category],
        effective_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.portfolio = list(portfolio)
        self.portfolios = _record(self.portfolios, effective_on, list(portfolio))

    def change_line(
        self,
        reports_to: UUID | None,
        effective_on: date,
        *,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        """Report to another assignment from ``effective_on`` (e.g. a successor's)."""
        self.check_change_date(effective_on, "a change of reporting line")
        if reports_to == self.id:
            raise CycleError("an assignment cannot report to itself", field="reports_to")
        if reports_to == _on(self.lines, effective_on):
            raise InvalidInput("the assignment already reports there then", field="reports_to")
        self._line_changed(reports_to, effective_on, actor, source, reason, basis)

    @event("LineChanged")
    def _line_changed(
        self,
        reports_to: UUID | None,
        effective_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.reports_to = reports_to
        self.lines = _record(self.lines, effective_on, reports_to)

    def end(
        self,
        effective_to: date,
        end_reason: EndReason,
        *,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.check_not_ended()
        check_period(self.effective_from, effective_to)
        self._ended(effective_to, end_reason, actor, source, reason, basis)

    @event("Ended")
    def _ended(
        self,
        effective_to: date,
        end_reason: EndReason,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.effective_to = effective_to
        self.end_reason = end_reason

    def correct(
        self,
        field: CorrectableField,
        new: Any,
        *,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        """Correct a recorded fact; the old value stays in the log."""
        old = getattr(self, field.value)
        if new == old:
            raise InvalidInput(f"{field.value} already has this value", field="new")
        if field is CorrectableField.EFFECTIVE_FROM:
            check_period(new, self.effective_to, field="new")
        elif field is CorrectableField.EFFECTIVE_TO:
            if not self.ended:
                raise InvalidInput("an assignment in effect is ended, not corrected", field="field")
            if new is None:
                raise InvalidInput("effective_to cannot be corrected to nothing", field="new")
            check_period(self.effective_from, new, field="new")
        elif field is CorrectableField.PRINCIPAL_TITLE:
            check_role_title(self.role, new)
        elif field is CorrectableField.TITLE and not new:
            raise InvalidInput("title cannot be empty", field="new")
        self._corrected(field, old, new, actor, source, reason, basis)

    @event("Corrected")
    def _corrected(
        self,
        field: CorrectableField,
        old: Any,
        new: Any,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        setattr(self, field.value, new)
        if field is CorrectableField.REPORTS_TO:
            # A correction restates the line in effect now (the latest recorded one).
            self.lines = [*self.lines[:-1], (self.lines[-1][0], new)]


def _unique(portfolio: list[Category]) -> list[Category]:
    return list(dict.fromkeys(portfolio))


V = TypeVar("V")


def _on(history: list[tuple[date, V]], day: date) -> V:
    """The value of a valid-time history on ``day``."""
    return [value for since, value in history if since <= day][-1]


def _record(history: list[tuple[date, V]], since: date, value: V) -> list[tuple[date, V]]:
    """The history with ``value`` from ``since`` (replacing a change on the same day)."""
    return sorted(
        [(d, v) for d, v in history if d != since] + [(since, value)], key=lambda item: item[0]
    )
