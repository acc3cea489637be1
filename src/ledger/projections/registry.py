"""Every read model the worker keeps up to date, and the tables each one owns."""

from __future__ import annotations

from ledger.projections import chain
from ledger.projections.runner import Projection

PROJECTIONS: list[Projection] = [chain.PROJECTION]
TABLES: dict[str, list[str]] = {chain.NAME: chain.TABLES}
