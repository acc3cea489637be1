"""The records read model: inspections and evidence, accountability cases and sanctions,
clues, bulletins, indicator sets and assessments, with their history (``handlers``,
``cases``); read one of them (``queries``) or a list, newest first (``lists``)."""

from ledger.projections.records.handlers import NAME, PROJECTION, TABLES

__all__ = ["NAME", "PROJECTION", "TABLES"]
