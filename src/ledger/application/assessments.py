"""Commands on assessments: define an indicator set, assess (or reassess) a unit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.assessment import Assessment, IndicatorSet, assessment_id, grade_of
from ledger.domain.unit import Unit
from ledger.domain.vocab import Grade


class AssessmentCommands(CommandService):
    async def define_indicator_set(
        self,
        ctx: Context,
        *,
        year: int,
        name: str,
        indicators: list[dict[str, Any]],
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            indicator_set = IndicatorSet.define(
                year=year, name=name, indicators=indicators, **ctx.meta(None, basis)
            )
            return Decision([indicator_set], indicator_set)

        return await self._execute(ctx, decide)

    async def assess_unit(
        self,
        ctx: Context,
        *,
        indicator_set_id: UUID,
        unit_id: UUID,
        scores: dict[str, Decimal],
        grade: Grade | None,
        assessed_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        """Score a unit; assessing it again against the same set is a reassessment."""

        async def decide() -> Decision:
            indicator_set = await self.store.get(
                IndicatorSet, indicator_set_id, field="indicator_set_id"
            )
            await self.store.get(Unit, unit_id, field="unit_id")
            total = indicator_set.score(scores)
            final = grade or grade_of(total)
            meta = ctx.meta(reason, basis)
            existing = self.store.replay(
                await self.events.read_stream(assessment_id(indicator_set_id, unit_id))
            )
            if existing is None:
                assessment = Assessment(
                    indicator_set_id=indicator_set_id,
                    unit_id=unit_id,
                    year=indicator_set.year,
                    scores=scores,
                    total=total,
                    grade=final,
                    assessed_on=assessed_on,
                    **meta,
                )
            else:
                assessment = existing
                assessment.reassess(scores, total, final, assessed_on, **meta)
            return Decision([assessment], assessment)

        return await self._execute(ctx, decide)
