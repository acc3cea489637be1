"""What `ledger verify` reports: each problem found (its kind, where, what) and the run's
totals, as the command prints them; for the event log and for the access log."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    """The first thing found wrong, and where."""

    kind: str
    detail: str
    position: int | None = None
    where: str = "position"  # what ``position`` counts: "access log entry" for that log

    def __str__(self) -> str:
        where = f"{self.where} {self.position}: " if self.position is not None else ""
        return f"{self.kind}: {where}{self.detail}"


@dataclass
class AccessLogReport:
    """The access log's check: the entries that hash and chain, the hash of the last of
    them, and the first problem found after it."""

    entries: int = 0
    head: bytes = bytes(32)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def summary(self) -> str:
        entries = "entry" if self.entries == 1 else "entries"
        return f"{self.entries:,} {entries}, head {self.head.hex()}"


@dataclass
class Report:
    events: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)  # the access log's too
    access: AccessLogReport | None = None

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
