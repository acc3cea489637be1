"""CSV answers, for the reports a user files: whether the caller asked for CSV, a table of
Chinese-headed columns written as a spreadsheet opens it (UTF-8 with BOM, CRLF line ends),
the codes shown by their labels of the one vocabulary table (``domain/labels.py``), and
the answer with its file name.

The tables themselves (which columns, which rows) are beside their routes:
``reports/evaluation_csv.py``, ``reports/open_loop.py``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from aiohttp import web

from ledger.api.http import to_json
from ledger.api.keys import EXPORTED
from ledger.domain.labels import LABELS

CSV = "text/csv"
FORMAT_TYPES = ("application/json", CSV)
Column = tuple[str, str]  # the row's key, the column's header
SEPARATOR = "；"  # between the items of one cell (documents, steps)


def wants_csv(request: web.Request) -> bool:
    """Content negotiation: CSV when text/csv is accepted at least as much as JSON."""
    weights: dict[str, float] = {}
    for part in request.headers.get("Accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media.lower()] = weight
    wanted = weights.get(CSV, 0.0)
    return wanted > 0 and wanted >= weights.get("application/json", 0.0)


def label(vocabulary: type[Enum], code: str | Enum | None) -> str | None:
    """The Chinese label of a code (None stays empty); a code the table lacks as it is."""
    if code is None:
        return None
    value = code.value if isinstance(code, Enum) else code
    return LABELS[vocabulary].get(value, value)


def joined(items: Iterable[str | None]) -> str:
    """The items given (none empty, each once, in order) in one cell."""
    return SEPARATOR.join(dict.fromkeys(i for i in items if i))


def render_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    """The headers and one line per row; a field a row lacks is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header for _, header in columns)
    writer.writerows([_cell(row.get(key)) for key, _ in columns] for row in rows)
    # The BOM is what makes Excel read the file as UTF-8 (Chinese names intact).
    return ("\ufeff" + out.getvalue()).encode()


def csv_response(
    request: web.Request, body: bytes, filename: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The CSV as an attachment named ``filename``; the access log records the export."""
    request[EXPORTED] = True
    headers = {**(headers or {}), "Content-Disposition": f'attachment; filename="{filename}"'}
    return web.Response(body=body, content_type=CSV, charset="utf-8", headers=headers)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, list | tuple):
        return joined(str(_cell(v)) for v in value)
    return to_json(value)
