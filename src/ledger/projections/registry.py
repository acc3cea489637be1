"""Every read model the worker keeps up to date, and the tables each one owns."""

from __future__ import annotations

from ledger.projections import chain, findings, records
from ledger.projections.runner import Projection

# The chain first: the worker serves them in this order, and the findings' queries read
# the chain's units, persons and assignments.
PROJECTIONS: list[Projection] = [chain.PROJECTION, findings.PROJECTION, records.PROJECTION]
TABLES: dict[str, list[str]] = {
    chain.NAME: chain.TABLES,
    findings.NAME: findings.TABLES,
    records.NAME: records.TABLES,
}
