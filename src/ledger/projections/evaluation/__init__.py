"""Evaluation references (考核评价参考): what a personnel department pulls about a person or
a unit for a period, read from the chain, the loop and the records read models at one
ledger position, so the three agree. A query package: it owns no tables.

``person`` and ``unit`` build the two references from the reads of a period (``period``)
and the rectification timing of its findings (``timing``).
"""

from ledger.projections.evaluation.person import person_reference
from ledger.projections.evaluation.unit import unit_reference

__all__ = ["person_reference", "unit_reference"]
