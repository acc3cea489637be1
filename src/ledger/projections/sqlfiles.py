"""Locate the read-model SQL of the top-level ``projections/`` folder.

In a wheel it is packaged as ``ledger/_sql/projections``; in a source checkout
(editable install) it is read where it stands. A name ending in ``.sql`` is a file's path
(a read model's SQL changed in a test).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent.parent / "_sql" / "projections"
_CHECKOUT = Path(__file__).resolve().parents[3] / "projections"


def projection_sql(name: str) -> str:
    if name.endswith(".sql"):
        return Path(name).read_text(encoding="utf-8")
    for folder in (_PACKAGED, _CHECKOUT):
        path = folder / f"{name}.sql"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no read-model SQL named {name}.sql")
