"""The responsibility chain read model: units, persons, assignments with their portfolio
and reporting-line histories (``handlers``), queried as of a valid date and a ledger
position (``queries``, the tree and its gaps in ``tree``)."""

from ledger.projections.chain.handlers import NAME, PROJECTION, TABLES

__all__ = ["NAME", "PROJECTION", "TABLES"]
