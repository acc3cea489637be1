"""Assessment (考核): indicator sets with weights, and a unit's yearly scores against one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.domain.dates import check_not_after_today, check_not_before
from ledger.domain.errors import InvalidInput
from ledger.domain.vocab import Grade

TOTAL_WEIGHT = Decimal(100)
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:ledger:assessment")


def assessment_id(indicator_set_id: UUID, unit_id: UUID) -> UUID:
    """One assessment per unit per indicator set; a second is a reassessment."""
    return uuid5(_NAMESPACE, f"{indicator_set_id}:{unit_id}")


def grade_of(total: Decimal) -> Grade:
    """The grade a total earns: 90 excellent, 80 good, 60 pass."""
    if total >= 90:
        return Grade.EXCELLENT
    if total >= 80:
        return Grade.GOOD
    if total >= 60:
        return Grade.PASS
    return Grade.FAIL


class IndicatorSet(Aggregate):
    """考核指标体系: indicators (code, name, weight) whose weights sum to 100."""

    @classmethod
    def define(
        cls,
        *,
        year: int,
        name: str,
        indicators: list[dict[str, Any]],
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> IndicatorSet:
        codes = [i["code"] for i in indicators]
        if len(set(codes)) != len(codes):
            raise InvalidInput("indicator codes must be unique", field="indicators")
        total = sum((Decimal(str(i["weight"])) for i in indicators), Decimal(0))
        if total != TOTAL_WEIGHT:
            raise InvalidInput(f"the weights sum to {total}, not 100", field="indicators")
        return cls(year, name, indicators, actor, source, reason, basis)

    @event("Defined")
    def __init__(
        self,
        year: int,
        name: str,
        indicators: list[dict[str, Any]],
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.year = year
        self.name = name
        self.indicators = list(indicators)

    def score(self, scores: dict[str, Decimal]) -> Decimal:
        """The weighted total of scores out of 100, one per indicator."""
        weights = {i["code"]: Decimal(str(i["weight"])) for i in self.indicators}
        missing = sorted(set(weights) - set(scores))
        unknown = sorted(set(scores) - set(weights))
        if missing or unknown:
            raise InvalidInput(
                f"scores must name each indicator once (missing {missing}, unknown {unknown})",
                field="scores",
            )
        for code, value in scores.items():
            if not 0 <= value <= 100:
                raise InvalidInput(f"score of {code} must be between 0 and 100", field="scores")
        total = sum((weights[c] * v for c, v in scores.items()), Decimal(0)) / TOTAL_WEIGHT
        return total.quantize(Decimal("0.01"))


class Assessment(Aggregate):
    """A unit's score against an indicator set; a reassessment is an event with a reason."""

    @staticmethod
    def create_id(indicator_set_id: UUID, unit_id: UUID, **_: Any) -> UUID:
        return assessment_id(indicator_set_id, unit_id)

    @classmethod
    def assess(cls, *, today: date, **fields: Any) -> Assessment:
        """The first assessment of the unit against the set; not dated after today."""
        check_not_after_today(fields["assessed_on"], today, "assessed_on")
        return cls(**fields)

    @event("UnitAssessed")
    def __init__(
        self,
        indicator_set_id: UUID,
        unit_id: UUID,
        year: int,
        scores: dict[str, Decimal],
        total: Decimal,
        grade: Grade,
        assessed_on: date,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.indicator_set_id = indicator_set_id
        self.unit_id = unit_id
        self.year = year
        self.scores = dict(scores)
        self.total = total
        self.grade = grade
        self.assessed_on = assessed_on

    def reassess(
        self,
        scores: dict[str, Decimal],
        total: Decimal,
        grade: Grade,
        assessed_on: date,
        *,
        today: date,
        **meta: Any,
    ) -> None:
        check_not_after_today(assessed_on, today, "assessed_on")
        check_not_before(assessed_on, "assessed_on", {"the previous assessed_on": self.assessed_on})
        if not meta.get("reason"):
            raise InvalidInput("a reassessment needs a reason", field="reason")
        if scores == self.scores and grade is self.grade:
            raise InvalidInput("the scores and grade are unchanged", field="scores")
        self._reassessed(scores, total, grade, assessed_on, **meta)

    @event("Reassessed")
    def _reassessed(
        self,
        scores: dict[str, Decimal],
        total: Decimal,
        grade: Grade,
        assessed_on: date,
        actor: str,
        source: str,
        reason: str,
        basis: str | None,
    ) -> None:
        self.scores = dict(scores)
        self.total = total
        self.grade = grade
        self.assessed_on = assessed_on
