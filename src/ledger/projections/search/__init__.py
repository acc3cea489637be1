"""Search (检索) over the chain, the loop and the records read models: units by name and
code, persons by name, findings by description, inspections by title, ranked by
trigram similarity (``pg_trgm``; the indexes and why trigrams: ``projections/search.sql``).
A query package: it owns no tables, and reads current rows only.
"""

from ledger.projections.search.lists import list_persons, list_units
from ledger.projections.search.queries import KINDS, search

__all__ = ["KINDS", "list_persons", "list_units", "search"]
