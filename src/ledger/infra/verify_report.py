"""What `ledger verify` reports: each problem found (its kind, where, what) and the run's
totals, as the command prints them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    """The first thing found wrong, and where."""

    kind: str
    detail: str
    position: int | None = None

    def __str__(self) -> str:
        where = f"position {self.position}: " if self.position is not None else ""
        return f"{self.kind}: {where}{self.detail}"


@dataclass
class Report:
    events: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def summary(self) -> str:
        """What was checked, how fast: the line `ledger verify` ends with."""
        return (
            f"{self.events:,} events, {self.checkpoints} checkpoints in {self.seconds:.1f} s"
            f" ({self.rate:,.0f} events/s)"
        )
