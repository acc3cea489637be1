"""The finding's loop (整改闭环) as pure rules: the steps each stage allows, and the check
behind each refusal. The ``Finding`` aggregate calls these before it records an event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from ledger.domain.attribution import Attribution
from ledger.domain.dates import check_not_after_today, check_not_before
from ledger.domain.errors import IllegalTransition, InvalidInput, InvariantViolation
from ledger.domain.vocab import FindingStage, Liability, Outcome

Stage = FindingStage

# The steps each stage allows (named as the API names them), for the 409 answer.
NEXT_STEPS: dict[FindingStage, list[str]] = {
    Stage.RAISED: ["rectification-plan", "extend-deadline", "refer", "close:dismissed"],
    Stage.RECTIFYING: [
        "rectification-plan",
        "progress",
        "extend-deadline",
        "refer",
        "close:dismissed",
    ],
    Stage.AWAITING_VERIFICATION: [
        "verify",
        "reject",
        "extend-deadline",
        "refer",
        "close:dismissed",
    ],
    Stage.VERIFIED: ["close:rectified"],
    Stage.REFERRED: ["close:referred"],
    Stage.CLOSED: [],
}
# The stages from which a finding may be closed with each outcome.
_CLOSE_FROM = {
    Outcome.RECTIFIED: {Stage.VERIFIED},
    Outcome.REFERRED: {Stage.REFERRED},
    Outcome.DISMISSED: {Stage.RAISED, Stage.RECTIFYING, Stage.AWAITING_VERIFICATION},
}


# Raising


def check_origin(inspection_id: UUID | None, clue_id: UUID | None) -> None:
    """Raised unless the finding comes from exactly one of an inspection or a clue."""
    if (inspection_id is None) == (clue_id is None):
        raise InvalidInput("a finding comes from an inspection or a clue", field="inspection_id")


def check_deadline(found_on: date, deadline: date, field: str = "deadline") -> None:
    """Raised when a deadline is not after the day the finding was found."""
    if deadline <= found_on:
        raise InvalidInput(f"{field} must be after found_on ({found_on.isoformat()})", field=field)


def check_found(found_on: date, deadline: date, today: date) -> None:
    """Raised when a finding is dated after today, or its deadline is not after found_on."""
    check_not_after_today(found_on, today, "found_on")
    check_deadline(found_on, deadline)


# Steps


def check_step(stage: FindingStage, step: str) -> None:
    """Raised when ``stage`` does not allow ``step``."""
    allowed = NEXT_STEPS[stage]
    if step not in allowed and not any(a.startswith(step + ":") for a in allowed):
        raise IllegalTransition(f"{step} is not allowed", stage=stage.value, allowed=allowed)


# The steps whose dates a step's date must not precede, besides found_on: a report follows
# the plan and the report before it, a verification or rejection the report it answers, a
# closure the verification or referral it rests on.
FOLLOWS: dict[str, tuple[str, ...]] = {
    "reported_on": ("planned_on", "reported_on"),
    "verified_on": ("reported_on",),
    "rejected_on": ("reported_on",),
    "close:rectified": ("verified_on",),
    "close:referred": ("referred_on",),
}
_NAMED = {"reported_on": "the last progress report's reported_on"}


def check_dated(
    dated: Mapping[str, date], day: date, field: str, today: date, step: str | None = None
) -> None:
    """Raised when a step (``step``, else named by its date ``field``) is dated after today,
    or before found_on or a step it follows (``dated``: the latest day of each)."""
    check_not_after_today(day, today, field)
    follows = ("found_on", *FOLLOWS.get(step or field, ()))
    check_not_before(day, field, {_NAMED.get(name, name): dated.get(name) for name in follows})


def check_plan_due(planned_on: date, due_on: date | None, deadline: date) -> None:
    """Raised when a plan's own deadline lies outside planned_on..the finding's deadline."""
    if due_on is not None and not planned_on <= due_on <= deadline:
        raise InvalidInput(
            f"the plan's deadline must lie between planned_on and the finding's deadline"
            f" ({deadline}); a later one needs extend-deadline",
            field="deadline",
        )


def check_new_deadline(deadline: date, new_deadline: date) -> None:
    """Raised when an extension does not move the deadline later."""
    if new_deadline <= deadline:
        raise InvalidInput(
            f"new_deadline must be after the current deadline ({deadline})",
            field="new_deadline",
        )


def check_close(stage: FindingStage, outcome: Outcome, reason: str | None) -> None:
    """Raised when ``stage`` cannot be closed with ``outcome``, or a dismissal has no reason."""
    if stage not in _CLOSE_FROM[outcome]:
        raise IllegalTransition(
            f"close:{outcome.value} is not allowed",
            stage=stage.value,
            allowed=NEXT_STEPS[stage],
            field="outcome",
        )
    if outcome is Outcome.DISMISSED and not reason:
        raise InvalidInput("dismissing a finding needs a reason", field="reason")


# Attributions (责任认定)


def check_attributions_open(stage: FindingStage) -> None:
    """Raised once the finding is closed: its attributions are final."""
    if stage is Stage.CLOSED:
        raise IllegalTransition(
            "attributions of a closed finding are final", stage="closed", allowed=[]
        )


def check_not_attributed(attributions: Mapping[UUID, Attribution], person_id: UUID) -> None:
    """Raised when the person already answers for the finding."""
    if person_id in attributions:
        held = attributions[person_id].liability.value
        raise InvariantViolation(
            f"person {person_id} is already attributed ({held} liability)", field="person_id"
        )


def check_withdrawable(attributions: Mapping[UUID, Attribution], person_id: UUID) -> None:
    """Raised when the person is not attributed, or bears the principal liability."""
    held = attributions.get(person_id)
    if held is None:
        raise InvariantViolation(f"person {person_id} is not attributed", field="person_id")
    if held.liability is Liability.PRINCIPAL:
        # The loop's promise: the unit's principal at found_on always answers for it.
        raise InvariantViolation(
            "the principal liability of the unit's principal cannot be withdrawn",
            field="person_id",
        )


# Corrections


def check_correction(field: str, old: object, new: object, reason: str | None) -> None:
    """Raised when a correction changes nothing or gives no reason."""
    if new == old:
        raise InvalidInput(f"{field} already has this value", field="new")
    if not reason:
        raise InvalidInput("a correction needs a reason", field="reason")
