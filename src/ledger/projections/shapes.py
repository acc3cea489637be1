"""A read model's shape: the SQL that makes its tables, fingerprinted, and the SQL run at start.

The shape of a read model is its own SQL file (``projections/<name>.sql``) and the statements
of the shared files that are about its tables: its trigram indexes (``search.sql``) and its
row-level security policies (``jurisdiction.sql``). Its fingerprint (SHA-256 of those
statements, comments left out and white space folded, so an edited comment rebuilds
nothing) is kept in ``projection_tracking.shape``.

At start (``set_up``) a read model whose stored shape is its code's, or that has none yet
(a database from before shapes were kept: recorded as it is), gets its SQL as always:
``CREATE … IF NOT EXISTS``, idempotent. One whose stored shape differs is left alone: none
of its SQL runs on the live tables (a new column's index would fail there, a new table's
policy too), and the worker rebuilds it beside them (``online.rebuild_beside``), which
records the new shape at the switch.

The shared files are split into statements here (``statements``), so that those about one
read model's tables can run on their own in another schema, the others (pg_trgm, the
functions, the role) where they belong. The schemas a rebuild beside uses are named and
dropped here too (``schema_of``, ``drop_schema``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import asyncpg
import structlog

from ledger.projections.sqlfiles import projection_sql

if TYPE_CHECKING:
    from ledger.projections.runner import Projection

log = structlog.get_logger(__name__)

SHARED = ("search", "jurisdiction")  # applied after every read model's own SQL, in order
SETUP_LOCK = 0x1ED6E3  # advisory lock: a start's SQL and a switch never interleave

# A comment, a string, a quoted name, a dollar-quoted body, a semicolon, or anything else.
_TOKEN = re.compile(
    r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\w*)\$.*?\$\1\$|;|[^-/'\"$;]+|.",
    re.S,
)
_INDEX_ON = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\w+\s+"
    r"ON\s+(?:ONLY\s+)?(\w+)",
    re.I,
)
_POLICY_ON = re.compile(r"SELECT\s+ledger_policy\s*\(\s*'(\w+)'", re.I)

# Added once, looked up first: ALTER TABLE takes an exclusive lock even when the column is
# there, which a start beside a running worker must not take (as in findings.sql).
SHAPE_COLUMN = """
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'projection_tracking'::regclass AND attname = 'shape'
            AND NOT attisdropped
    ) THEN
        ALTER TABLE projection_tracking ADD COLUMN IF NOT EXISTS shape text;
    END IF;
END $$
"""


def statements(sql: str) -> list[str]:
    """The statements of ``sql``, without their comments or the semicolons between them."""
    found: list[str] = []
    current: list[str] = []
    for match in _TOKEN.finditer(sql):
        token = match.group(0)
        if token.startswith(("--", "/*")):
            current.append(" ")
        elif token == ";":
            found.append("".join(current).strip())
            current = []
        else:
            current.append(token)
    found.append("".join(current).strip())
    return [s for s in found if s]


def target(statement: str) -> str | None:
    """The table a shared file's statement is about (an index on it, its policy), if any."""
    match = _INDEX_ON.match(statement) or _POLICY_ON.match(statement)
    return match.group(1) if match else None


def _mentions(statement: str, tables: Collection[str]) -> bool:
    return any(re.search(rf"\b{re.escape(t)}\b", statement) for t in tables)


def about(tables: Collection[str]) -> list[str]:
    """The shared files' statements about ``tables``: their indexes, then their policies."""
    return [s for name in SHARED for s in statements(projection_sql(name)) if target(s) in tables]


def policies_naming(tables: Collection[str]) -> list[str]:
    """The policies of other tables whose rule names one of ``tables`` (``ledger_events``,
    ``access_log``, …): a policy holds the tables it names, not their names, so those are
    made again when the tables are replaced."""
    return [
        s
        for s in statements(projection_sql("jurisdiction"))
        if (found := target(s)) is not None and found not in tables and _mentions(s, tables)
    ]


def at_start(name: str, deferred: Collection[str]) -> list[str]:
    """A shared file as run at start: all of it but what is about, or names, a table of a
    read model whose shape changed (``deferred``)."""
    return [
        s
        for s in statements(projection_sql(name))
        if target(s) is None or not (target(s) in deferred or _mentions(s, deferred))
    ]


async def execute_all(conn: asyncpg.Connection, found: Sequence[str]) -> None:
    """Run statements (if any: an empty query is an error to the driver)."""
    if found:
        await conn.execute(";\n".join(found))


def fingerprint(sql_file: str, tables: Iterable[str]) -> str:
    """The shape of a read model: its SQL file and the shared statements about its tables."""
    parts = [*statements(projection_sql(sql_file)), *about(set(tables))]
    text = "\n;\n".join(" ".join(s.split()) for s in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def stored_shape(db: asyncpg.Pool | asyncpg.Connection, name: str) -> str | None:
    """The shape recorded for the read model (None: no row, or none recorded yet)."""
    try:
        value = await db.fetchval("SELECT shape FROM projection_tracking WHERE name = $1", name)
    except asyncpg.UndefinedColumnError:  # a database no start of this version prepared
        return None
    return None if value is None else str(value)


async def set_up(
    conn: asyncpg.Connection, projections: Sequence[Projection], tables: dict[str, list[str]]
) -> list[str]:
    """Create or complete every read model whose shape is unchanged, then the shared SQL;
    returns the names of those whose shape changed, left for the worker to rebuild beside."""
    await conn.execute(SHAPE_COLUMN)
    changed: list[str] = []
    deferred: set[str] = set()
    for projection in projections:
        shape = fingerprint(projection.sql_file, tables[projection.name])
        stored = await stored_shape(conn, projection.name)
        if stored is not None and stored != shape:
            log.warning("read_model_shape_changed", projection=projection.name)
            changed.append(projection.name)
            deferred.update(tables[projection.name])
            continue
        await projection.setup(conn)
        await conn.execute(
            "UPDATE projection_tracking SET shape = $2 WHERE name = $1 AND shape IS NULL",
            projection.name,
            shape,
        )
    for name in SHARED:
        await execute_all(conn, at_start(name, deferred))
    return changed


def schema_of(kind: str, name: str) -> str:
    """``ledger_next_<name>`` or ``ledger_retired_<name>``, a plain identifier."""
    return f"ledger_{kind}_" + re.sub(r"\W", "_", name).lower()


_DEPENDENTS = """
SELECT DISTINCT c.relname FROM pg_depend d
JOIN pg_class r ON d.refclassid = 'pg_class'::regclass AND r.oid = d.refobjid
LEFT JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
LEFT JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid
JOIN pg_class c ON c.oid = coalesce(p.polrelid, w.ev_class)
WHERE r.relnamespace = $1::regnamespace AND c.relnamespace <> $1::regnamespace
"""


async def refuse_dependents(conn: asyncpg.Connection, schema: str) -> None:
    """Refuse if a policy or a view outside ``schema`` still reads a table in it."""
    found = [r["relname"] for r in await conn.fetch(_DEPENDENTS, schema)]
    if found:
        raise RuntimeError(f"outside {schema}, {found} still read its tables")


async def drop_schema(conn: asyncpg.Connection, schema: str) -> None:
    """Drop a retired schema, if there is one, unless something outside it reads it."""
    if await conn.fetchval("SELECT to_regnamespace($1)", schema) is None:
        return
    async with conn.transaction():
        await refuse_dependents(conn, schema)
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
