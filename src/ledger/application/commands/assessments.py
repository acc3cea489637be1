"""Commands on assessments (考核): define an indicator set, assess a unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import (
    Field,
)

from ledger.application.commands.types import (
    Body,
    Code,
    Command,
    Day,
    Name,
    Part,
    Score,
    Text,
    Weight,
    Year,
)
from ledger.domain.vocab import Grade


class NewIndicator(Part):
    code: Code
    name: Name
    weight: Weight


class DefineIndicatorSet(Body):
    year: Year
    name: Name
    indicators: list[NewIndicator] = Field(
        min_length=1, max_length=100, description="Weights sum to 100."
    )

    def indicator_rows(self) -> list[dict[str, Any]]:
        """The indicators as the event stores them, each weight a decimal."""
        return [
            {"code": i.code, "name": i.name, "weight": decimal(i.weight)} for i in self.indicators
        ]


class AssessUnit(Command):
    indicator_set_id: UUID
    unit_id: UUID
    scores: dict[Code, Score] = Field(
        max_length=100,
        description="A score out of 100 for each indicator code.",
        json_schema_extra={"additionalProperties": False},  # a key is a Code
    )
    grade: Grade | None = Field(default=None, description="Default: derived from the total.")
    assessed_on: Day
    reason: Text | None = Field(
        default=None, description="Required when the unit was assessed against the set before."
    )

    def decimal_scores(self) -> dict[str, Decimal]:
        return {code: decimal(score) for code, score in self.scores.items()}


def decimal(number: float) -> Decimal:
    """The number as the client wrote it: 80 stays 80 (not 80.0), 0.1 stays 0.1."""
    return Decimal(int(number)) if number.is_integer() else Decimal(str(number))
