"""Commands on assessments: define an indicator set, assess (or reassess) a unit."""

from __future__ import annotations

from ledger.application.commands import AssessUnit, DefineIndicatorSet
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.assessment import Assessment, IndicatorSet, assessment_id, grade_of
from ledger.domain.unit import Unit


class AssessmentCommands(CommandService):
    async def define_indicator_set(self, ctx: Context, cmd: DefineIndicatorSet) -> CommandResult:
        async def decide() -> Decision:
            indicator_set = IndicatorSet.define(
                year=cmd.year,
                name=cmd.name,
                indicators=cmd.indicator_rows(),
                **ctx.meta(None, cmd.basis),
            )
            return Decision([indicator_set], indicator_set)

        return await self._execute(ctx, decide)

    async def assess_unit(self, ctx: Context, cmd: AssessUnit) -> CommandResult:
        """Score a unit; assessing it again against the same set is a reassessment."""

        async def decide() -> Decision:
            indicator_set = await self.store.get(
                IndicatorSet, cmd.indicator_set_id, field="indicator_set_id"
            )
            await self.store.get(Unit, cmd.unit_id, field="unit_id")
            scores = cmd.decimal_scores()
            total = indicator_set.score(scores)
            final = cmd.grade or grade_of(total)
            meta = ctx.meta(cmd.reason, cmd.basis)
            existing = self.store.replay(
                await self.events.read_stream(assessment_id(cmd.indicator_set_id, cmd.unit_id))
            )
            if existing is None:
                assessment = Assessment.assess(
                    today=ctx.today,
                    indicator_set_id=cmd.indicator_set_id,
                    unit_id=cmd.unit_id,
                    year=indicator_set.year,
                    scores=scores,
                    total=total,
                    grade=final,
                    assessed_on=cmd.assessed_on,
                    **meta,
                )
            else:
                assessment = existing
                assessment.reassess(scores, total, final, cmd.assessed_on, today=ctx.today, **meta)
            return Decision([assessment], assessment)

        return await self._execute(ctx, decide)
