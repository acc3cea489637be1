"""Random command sequences over findings and accountability cases, against a model.

Each rule sends a command through the real command service to the real PostgreSQL and
says, from a model kept here, whether the domain must accept it or which refusal it must
give; a refusal must leave the log as it was. After every step the aggregates must agree
with the model and the read models with a rebuild from the log.

Hypothesis runs state machines synchronously, and the suite's fixtures live on the
session's event loop: the machine runs its calls on a private loop with its own pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger.application import CommandResult, Ledger
from ledger.application.commands import (
    AppealSanction,
    Attribute,
    CloseCase,
    CloseFinding,
    ExtendDeadline,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    PlanRectification,
    RaiseFinding,
    ReferFinding,
    RejectRectification,
    ReportProgress,
    RevokeSanction,
    UpholdSanction,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidInput,
    InvariantViolation,
    NoAuthority,
    NotAttributable,
    NotFound,
)
from ledger.domain.finding import Finding
from ledger.domain.vocab import (
    Category,
    FindingStage,
    Liability,
    Outcome,
    SanctionKind,
    SanctionState,
    Severity,
)
from ledger.infra.codec import make_mapper
from ledger.infra.database import create_pool
from ledger.infra.eventstore import EventStore
from ledger.projections.findings import queries as findings_query
from tests.readmodels import assert_equal_to_a_rebuild, catch_up_all
from tests.world import CTX, FOUND_ON, World, build_world, started_inspection

T = TypeVar("T")
Refusal = type[DomainError] | None

S = FindingStage
CHAIN_FROM = date(2021, 1, 1)  # every post of the world starts then: before it, no principal
FOUND = [date(2020, 12, 1), FOUND_ON, FOUND_ON + timedelta(days=10)]
WINDOW = (date(2024, 5, 6), date(2024, 5, 20))  # the inspection's: findings fall within it
OPEN = {S.RAISED, S.RECTIFYING, S.AWAITING_VERIFICATION}
CLOSE_FROM = {
    Outcome.RECTIFIED: {S.VERIFIED},
    Outcome.REFERRED: {S.REFERRED},
    Outcome.DISMISSED: OPEN,
}
# Through which of the bureau's posts each liability can be borne.
BEARS = {
    Liability.PRINCIPAL: {"head"},
    Liability.LEADERSHIP: {"head", "deputy"},
    Liability.DIRECT: {"head", "deputy", "clerk"},
}
State = SanctionState
SANCTION_STEPS = {
    State.IMPOSED: {"appeal", "modify", "revoke"},
    State.APPEALED: {"uphold", "modify", "revoke"},
    State.UPHELD: {"modify", "revoke"},
    State.MODIFIED: {"appeal", "modify", "revoke"},
    State.REVOKED: set(),
}
AS_OF = [FOUND_ON, FOUND_ON + timedelta(days=60), FOUND_ON + timedelta(days=200)]

days = st.integers(min_value=-3, max_value=150).map(lambda n: FOUND_ON + timedelta(days=n))
persons = st.sampled_from(["head", "deputy", "clerk", "inspector"])
# Steps forward: (days after the last step, which way at a fork).
moves = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=2)),
    min_size=1,
    max_size=4,
)


@dataclass
class FindingModel:
    id: UUID
    found_on: date
    deadline: date
    attributed: dict[UUID, Liability]
    stage: FindingStage = S.RAISED
    outcome: Outcome | None = None
    planned_on: date | None = None
    last_reported: date | None = None
    verified_on: date | None = None
    referred_on: date | None = None

    def since(self, *days: date | None) -> date:
        """The day a step must not precede: found_on, or the latest of the steps it follows."""
        return max([self.found_on, *(d for d in days if d is not None)])


@dataclass
class SanctionModel:
    kind: SanctionKind
    original: SanctionKind
    decided_on: date
    state: SanctionState = State.IMPOSED
    appealed_on: date | None = None

    def since(self, opened_on: date) -> date:
        """The day a step on the sanction must not precede: its decision, its appeal."""
        return max([opened_on, self.decided_on, *([self.appealed_on] if self.appealed_on else [])])


@dataclass
class CaseModel:
    id: UUID
    person: UUID
    opened_on: date
    sanctions: dict[UUID, SanctionModel] = field(default_factory=dict)
    closed: bool = False


@dataclass
class Harness:
    """What every run of the machine shares: the loop, the pool, and one world.

    The chain never changes here, so one world serves every example and each rebuild
    replays few chain events; each example raises findings of its own.
    """

    loop: asyncio.AbstractEventLoop
    pool: asyncpg.Pool
    ledger: Ledger
    world: World
    inspection: UUID


class LoopMachine(RuleBasedStateMachine):
    findings = Bundle("findings")
    cases = Bundle("cases")
    sanctions = Bundle("sanctions")

    def __init__(self, harness: Harness) -> None:
        super().__init__()
        self.loop, self.pool, self.ledger = harness.loop, harness.pool, harness.ledger
        self.world, self.inspection = harness.world, harness.inspection
        self.model: dict[int, FindingModel] = {}
        self.case_models: dict[int, CaseModel] = {}
        self.checked_at = -1  # the head at the last read-model check

    def run(self, call: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(call)

    def person(self, who: str) -> UUID:
        return {
            "head": self.world.head,
            "deputy": self.world.deputy,
            "clerk": self.world.clerk,
            "inspector": self.world.inspector,
        }[who]

    def attempt(
        self, refusal: Refusal, call: Coroutine[Any, Any, CommandResult]
    ) -> CommandResult | None:
        """Run the command; it must succeed, or be refused with ``refusal`` and write nothing."""
        before = self.run(self.ledger.events.head_position())
        try:
            result = self.run(call)
        except DomainError as error:
            assert refusal is not None, f"refused, the model expected success: {error!r}"
            assert type(error) is refusal, f"expected {refusal.__name__}, got {error!r}"
            assert self.run(self.ledger.events.head_position()) == before
            return None
        assert refusal is None, f"accepted, the model expected {refusal.__name__}"
        assert self.run(self.ledger.events.head_position()) > before
        return result

    # Findings

    @precondition(lambda self: len(self.model) < 5)
    @rule(
        target=findings,
        found_on=st.sampled_from(FOUND),
        category=st.sampled_from([Category.LAW_ENFORCEMENT, Category.LEGAL_PUBLICITY]),
        span=st.integers(min_value=-5, max_value=120),
    )
    def raise_finding(self, found_on: date, category: Category, span: int) -> Any:
        key = self.raised(found_on, category, span)
        return multiple() if key is None else key

    def raised(self, found_on: date, category: Category, span: int) -> int | None:
        deadline = found_on + timedelta(days=span)
        refusal: Refusal = None
        if deadline <= found_on or not WINDOW[0] <= found_on <= WINDOW[1]:
            refusal = InvalidInput
        elif found_on < CHAIN_FROM:
            refusal = InvariantViolation
        raised = self.attempt(
            refusal,
            self.ledger.findings.raise_finding(
                CTX,
                RaiseFinding(
                    unit_id=self.world.bureau,
                    inspection_id=self.inspection,
                    clue_id=None,
                    category=category,
                    severity=Severity.MEDIUM,
                    description="行政执法案卷不规范",
                    found_on=found_on,
                    deadline=deadline,
                ),
            ),
        )
        if raised is None:
            return None
        attributed = {self.world.head: Liability.PRINCIPAL}
        if category is Category.LAW_ENFORCEMENT:  # the deputy's portfolio
            attributed[self.world.deputy] = Liability.LEADERSHIP
        key = len(self.model)
        self.model[key] = FindingModel(raised.id, found_on, deadline, attributed)
        return key

    @rule(key=findings, who=persons, liability=st.sampled_from(Liability))
    def attribute(self, key: int, who: str, liability: Liability) -> None:
        f, person = self.model[key], self.person(who)
        refusal: Refusal = None
        if who not in BEARS[liability]:
            refusal = NotAttributable
        elif f.stage is S.CLOSED:
            refusal = IllegalTransition
        elif person in f.attributed:
            refusal = InvariantViolation
        call = self.ledger.findings.attribute(
            CTX, f.id, Attribute(person_id=person, liability=liability, reason="认定")
        )
        if self.attempt(refusal, call):
            f.attributed[person] = liability

    @rule(key=findings, who=persons)
    def withdraw(self, key: int, who: str) -> None:
        f, person = self.model[key], self.person(who)
        refusal: Refusal = None
        if f.stage is S.CLOSED:
            refusal = IllegalTransition
        elif f.attributed.get(person, Liability.PRINCIPAL) is Liability.PRINCIPAL:
            refusal = InvariantViolation  # not attributed, or the principal's own liability
        call = self.ledger.findings.withdraw_attribution(
            CTX, f.id, person, WithdrawAttribution(reason="认定有误")
        )
        if self.attempt(refusal, call):
            del f.attributed[person]

    @rule(
        key=findings,
        owner=st.sampled_from([None, "deputy", "clerk", "inspector"]),
        day=days,
        due=st.none() | days,
    )
    def plan(self, key: int, owner: str | None, day: date, due: date | None) -> None:
        f = self.model[key]
        refusal: Refusal = None
        if owner == "inspector":  # no post in the bureau
            refusal = NoAuthority
        elif f.stage not in (S.RAISED, S.RECTIFYING):
            refusal = IllegalTransition
        elif day < f.found_on or (due is not None and not day <= due <= f.deadline):
            refusal = InvalidInput
        call = self.ledger.findings.plan_rectification(
            CTX,
            f.id,
            PlanRectification(
                measures="整改措施",
                owner_person_id=self.person(owner) if owner else None,
                deadline=due,
                planned_on=day,
            ),
        )
        if self.attempt(refusal, call):
            f.stage, f.planned_on = S.RECTIFYING, day

    @rule(key=findings, day=days, complete=st.booleans())
    def progress(self, key: int, day: date, complete: bool) -> None:
        f = self.model[key]
        refusal: Refusal = None
        if f.stage is not S.RECTIFYING:
            refusal = IllegalTransition
        elif day < f.since(f.planned_on, f.last_reported):
            refusal = InvalidInput
        call = self.ledger.findings.report_progress(
            CTX,
            f.id,
            ReportProgress(reported_on=day, summary="进展", evidence=[], complete=complete),
        )
        if self.attempt(refusal, call):
            f.last_reported = day
            if complete:
                f.stage = S.AWAITING_VERIFICATION

    @rule(key=findings, day=days)
    def verify(self, key: int, day: date) -> None:
        f = self.model[key]
        refusal: Refusal = None
        if f.stage is not S.AWAITING_VERIFICATION:
            refusal = IllegalTransition
        elif day < f.since(f.last_reported):
            refusal = InvalidInput
        if self.attempt(
            refusal,
            self.ledger.findings.verify_rectification(
                CTX, f.id, VerifyRectification(verified_on=day, note=None)
            ),
        ):
            f.stage, f.verified_on = S.VERIFIED, day

    @rule(key=findings, day=days)
    def reject(self, key: int, day: date) -> None:
        f = self.model[key]
        refusal: Refusal = None
        if f.stage is not S.AWAITING_VERIFICATION:
            refusal = IllegalTransition
        elif day < f.since(f.last_reported):
            refusal = InvalidInput
        call = self.ledger.findings.reject_rectification(
            CTX, f.id, RejectRectification(reason="整改不到位", rejected_on=day)
        )
        if self.attempt(refusal, call):
            f.stage = S.RECTIFYING

    @rule(key=findings, by=st.integers(min_value=-10, max_value=60), day=days)
    def extend(self, key: int, by: int, day: date) -> None:
        f = self.model[key]
        new = f.deadline + timedelta(days=by)
        refusal: Refusal = None
        if f.stage not in OPEN:
            refusal = IllegalTransition
        elif new <= f.deadline or day < f.found_on:
            refusal = InvalidInput
        call = self.ledger.findings.extend_deadline(
            CTX,
            f.id,
            ExtendDeadline(
                new_deadline=new,
                approver_person_id=self.world.inspector,
                reason="情况复杂",
                extended_on=day,
            ),
        )
        if self.attempt(refusal, call):
            f.deadline = new

    @rule(key=findings, day=days)
    def refer(self, key: int, day: date) -> None:
        f = self.model[key]
        refusal: Refusal = None
        if f.stage not in OPEN:
            refusal = IllegalTransition
        elif day < f.found_on:
            refusal = InvalidInput
        call = self.ledger.findings.refer_finding(
            CTX,
            f.id,
            ReferFinding(to_unit_id=self.world.discipline, reason="失职", referred_on=day),
        )
        if self.attempt(refusal, call):
            f.stage, f.referred_on = S.REFERRED, day

    @rule(
        key=findings,
        outcome=st.sampled_from(Outcome),
        reason=st.sampled_from([None, "不构成问题"]),
        day=days,
    )
    def close(self, key: int, outcome: Outcome, reason: str | None, day: date) -> None:
        f = self.model[key]
        follows = {Outcome.RECTIFIED: f.verified_on, Outcome.REFERRED: f.referred_on}
        since = f.since(follows.get(outcome))
        unexplained = outcome is Outcome.DISMISSED and reason is None
        refusal: Refusal = None
        if f.stage not in CLOSE_FROM[outcome]:
            refusal = IllegalTransition
        elif unexplained or day < since:
            refusal = InvalidInput
        call = self.ledger.findings.close_finding(
            CTX, f.id, CloseFinding(outcome=outcome, reason=reason, closed_on=day)
        )
        if self.attempt(refusal, call):
            f.stage, f.outcome = S.CLOSED, outcome

    @rule(key=findings, moves=moves)
    def advance(self, key: int, moves: list[tuple[int, int]]) -> None:
        """Steps along the finding's loop, each on a day it allows (``turn`` picks the
        way at a fork): random steps alone rarely walk a finding all the way round."""
        for days_later, turn in moves:
            f = self.model[key]
            day = f.since(f.planned_on, f.last_reported, f.verified_on, f.referred_on)
            day += timedelta(days=days_later)
            if f.stage is S.RAISED:
                self.plan(key, "deputy", day, None)
            elif f.stage is S.RECTIFYING:
                self.progress(key, day, complete=turn != 2)
            elif f.stage is S.AWAITING_VERIFICATION and turn == 1:
                self.reject(key, day)
            elif f.stage is S.AWAITING_VERIFICATION:
                self.verify(key, day)
            elif f.stage is S.VERIFIED:
                self.close(key, Outcome.RECTIFIED, None, day)
            elif f.stage is S.REFERRED:
                self.close(key, Outcome.REFERRED, None, day)

    # Accountability cases

    @precondition(lambda self: len(self.case_models) < 3)
    @rule(
        target=cases,
        who=st.sampled_from(["head", "deputy", "clerk"]),
        keys=st.lists(findings, min_size=1, max_size=2),
        day=days,
    )
    def open_case(self, who: str, keys: list[int], day: date) -> Any:
        key = self.opened(who, keys, day)
        return multiple() if key is None else key

    @initialize(target=cases, who=st.sampled_from(["head", "deputy"]), day=days)
    def seed_case(self, who: str, day: date) -> Any:
        """A case on a finding of its own from the start, so that every run has sanctions
        to appeal, uphold, modify and revoke (its finding is checked like the others)."""
        finding = self.raised(FOUND_ON, Category.LAW_ENFORCEMENT, 90)
        assert finding is not None
        key = self.opened(who, [finding], day)
        return multiple() if key is None else key

    def opened(self, who: str, keys: list[int], day: date) -> int | None:
        person = self.person(who)
        refusal: Refusal = None
        for key in keys:
            f = self.model[key]
            if person not in f.attributed or f.outcome is Outcome.DISMISSED:
                refusal = InvariantViolation
                break
            if day < f.found_on:  # a case rests on findings already found
                refusal = InvalidInput
                break
        opened = self.attempt(
            refusal,
            self.ledger.cases.open_case(
                CTX,
                OpenCase(
                    person_id=person,
                    finding_ids=[self.model[k].id for k in keys],
                    handling_unit_id=self.world.discipline,
                    opened_on=day,
                ),
            ),
        )
        if opened is None:
            return None
        key = len(self.case_models)
        self.case_models[key] = CaseModel(opened.id, person, day)
        return key

    @rule(target=sanctions, key=cases, kind=st.sampled_from(SanctionKind), day=days)
    def impose(self, key: int, kind: SanctionKind, day: date) -> Any:
        sanction_id = self.imposed(key, kind, day)
        return multiple() if sanction_id is None else sanction_id

    def imposed(self, key: int, kind: SanctionKind, day: date) -> UUID | None:
        c = self.case_models[key]
        refusal: Refusal = None
        if c.closed:
            refusal = IllegalTransition
        elif day < c.opened_on:
            refusal = InvalidInput
        imposed = self.attempt(
            refusal,
            self.ledger.cases.impose_sanction(CTX, c.id, ImposeSanction(kind=kind, decided_on=day)),
        )
        if imposed is None:
            return None
        sanction_id = UUID(imposed.detail["sanction_id"])
        c.sanctions[sanction_id] = SanctionModel(kind, kind, day)
        return sanction_id

    @rule(target=sanctions, key=cases, moves=moves)
    def advance_case(self, key: int, moves: list[tuple[int, int]]) -> Any:
        """Steps on the case's first sanction (``turn`` 0: appeal; 1: uphold an appeal, or
        modify; 2: revoke or close), each on a day it allows; one is imposed first."""
        imposed: list[UUID] = []
        for days_later, turn in moves:
            c = self.case_models[key]
            if c.closed:
                break
            day = max([c.opened_on, *(s.since(c.opened_on) for s in c.sanctions.values())])
            day += timedelta(days=days_later)
            if not c.sanctions:
                kinds = [SanctionKind.PARTY_DISCIPLINE, SanctionKind.GOVERNMENT_SANCTION]
                sanction_id = self.imposed(key, kinds[turn % 2], day)
                imposed += [sanction_id] if sanction_id else []
                continue
            sanction_id, sanction = next(iter(c.sanctions.items()))
            if turn == 0:
                self.appeal(key, sanction_id, day)
            elif turn == 1 and sanction.state is State.APPEALED:
                self.uphold(key, sanction_id, day)
            elif turn == 1:
                kind = SanctionKind.ADMONISHMENT_TALK
                if sanction.kind is kind:
                    kind = SanctionKind.WRITTEN_SELF_CRITICISM
                self.modify(key, sanction_id, kind, day)
            elif days_later % 2:
                self.revoke(key, sanction_id, day)
            else:
                self.close_case(key, day)
        return multiple(*imposed)

    def sanction_refusal(self, c: CaseModel, sanction_id: UUID, step: str) -> Refusal:
        """The refusal every step on a sanction checks first, if any."""
        if c.closed:
            return IllegalTransition
        if sanction_id not in c.sanctions:
            return NotFound  # a sanction of another case
        if step not in SANCTION_STEPS[c.sanctions[sanction_id].state]:
            return IllegalTransition
        return None

    @rule(key=cases, sanction_id=sanctions, day=days)
    def appeal(self, key: int, sanction_id: UUID, day: date) -> None:
        c = self.case_models[key]
        refusal = self.sanction_refusal(c, sanction_id, "appeal")
        if refusal is None and day < c.sanctions[sanction_id].since(c.opened_on):
            refusal = InvalidInput
        call = self.ledger.cases.appeal_sanction(
            CTX, c.id, AppealSanction(sanction_id=sanction_id, appealed_on=day, reason="申诉")
        )
        if self.attempt(refusal, call):
            c.sanctions[sanction_id].state = State.APPEALED
            c.sanctions[sanction_id].appealed_on = day

    @rule(key=cases, sanction_id=sanctions, day=days)
    def uphold(self, key: int, sanction_id: UUID, day: date) -> None:
        c = self.case_models[key]
        refusal = self.sanction_refusal(c, sanction_id, "uphold")
        if refusal is None and day < c.sanctions[sanction_id].since(c.opened_on):
            refusal = InvalidInput
        call = self.ledger.cases.uphold_sanction(
            CTX, c.id, sanction_id, UpholdSanction(decided_on=day)
        )
        if self.attempt(refusal, call):
            c.sanctions[sanction_id].state = State.UPHELD

    @rule(key=cases, sanction_id=sanctions, kind=st.sampled_from(SanctionKind), day=days)
    def modify(self, key: int, sanction_id: UUID, kind: SanctionKind, day: date) -> None:
        c = self.case_models[key]
        refusal = self.sanction_refusal(c, sanction_id, "modify")
        s = c.sanctions.get(sanction_id)
        if refusal is None and s and (kind is s.kind or day < s.since(c.opened_on)):
            refusal = InvalidInput
        call = self.ledger.cases.modify_sanction(
            CTX, c.id, sanction_id, ModifySanction(kind=kind, decided_on=day, reason="复核改变")
        )
        if self.attempt(refusal, call):
            s = c.sanctions[sanction_id]
            s.kind, s.decided_on, s.state = kind, day, State.MODIFIED

    @rule(key=cases, sanction_id=sanctions, day=days)
    def revoke(self, key: int, sanction_id: UUID, day: date) -> None:
        c = self.case_models[key]
        refusal = self.sanction_refusal(c, sanction_id, "revoke")
        if refusal is None and day < c.sanctions[sanction_id].since(c.opened_on):
            refusal = InvalidInput
        call = self.ledger.cases.revoke_sanction(
            CTX, c.id, sanction_id, RevokeSanction(decided_on=day, reason="撤销")
        )
        if self.attempt(refusal, call):
            c.sanctions[sanction_id].state = State.REVOKED

    @rule(key=cases, day=days)
    def close_case(self, key: int, day: date) -> None:
        c = self.case_models[key]
        refusal: Refusal = None
        if c.closed:
            refusal = IllegalTransition
        elif day < max([c.opened_on, *(s.decided_on for s in c.sanctions.values())]):
            refusal = InvalidInput
        elif any(s.state is State.APPEALED for s in c.sanctions.values()):
            refusal = IllegalTransition  # an appeal is pending
        if self.attempt(refusal, self.ledger.cases.close_case(CTX, c.id, CloseCase(closed_on=day))):
            c.closed = True

    # Invariants

    @invariant()
    def findings_follow_the_model(self) -> None:
        for f in self.model.values():
            finding = self.run(self.ledger.store.get(Finding, f.id))
            assert (finding.stage, finding.outcome, finding.deadline) == (
                f.stage,
                f.outcome,
                f.deadline,
            )
            held = {p: a.liability for p, a in finding.attributions.items()}
            assert held == f.attributed
            if finding.outcome is Outcome.RECTIFIED:
                events = self.run(self.ledger.events.read_stream(f.id))
                assert any(e.topic.endswith(".RectificationVerified") for e in events)
            for day in AS_OF:
                overdue = day > f.deadline and f.stage is not S.CLOSED
                assert finding.days_overdue(day) == ((day - f.deadline).days if overdue else 0)

    @invariant()
    def sanctions_follow_their_steps(self) -> None:
        for c in self.case_models.values():
            case = self.run(self.ledger.store.get(AccountabilityCase, c.id))
            assert case.closed == c.closed
            held = {s.id: (s.kind, s.original_kind, s.state) for s in case.sanctions.values()}
            assert held == {i: (s.kind, s.original, s.state) for i, s in c.sanctions.items()}

    @invariant()
    def read_models_equal_a_rebuild(self) -> None:
        head = self.run(self.ledger.events.head_position())
        if head == self.checked_at:
            return  # nothing was written since the last check
        self.run(self._check_read_models())
        self.checked_at = head

    async def _check_read_models(self) -> None:
        await catch_up_all(self.pool)
        for f in self.model.values():
            for day in AS_OF:
                row = await findings_query.get_finding(self.pool, f.id, day)
                assert row is not None
                overdue = day > f.deadline and f.stage is not S.CLOSED
                assert (row["stage"], row["deadline"], row["overdue"]) == (
                    f.stage.value,
                    f.deadline,
                    overdue,
                )
        await assert_equal_to_a_rebuild(self.pool)


def test_the_loop_follows_its_model(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    pool = loop.run_until_complete(create_pool(database_url, 1, 4))
    try:
        ledger = Ledger(EventStore(pool), make_mapper())
        world = loop.run_until_complete(build_world(ledger))
        inspection = loop.run_until_complete(started_inspection(ledger, world))
        harness = Harness(loop, pool, ledger, world, inspection)
        run_state_machine_as_test(
            lambda: LoopMachine(harness),
            settings=settings(
                max_examples=12,
                stateful_step_count=50,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        loop.run_until_complete(pool.close())
        loop.close()
