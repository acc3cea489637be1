"""The ledger's algorithms (``ledger_parameters``): fixed when the ledger is created, held
against the service's setting at every start, and where its chain's SM3 is computed.

``sha256-ed25519`` (the default) chains and hashes with SHA-256 and signs checkpoints
with Ed25519; ``sm3-sm2`` (``LEDGER_CRYPTO=sm``) with SM3 and SM2. The choice is written
once, by the first start on an empty log, and never changes: a service started with
another setting refuses to start, saying which the ledger has.

SM3 in the database is pgcrypto's ``digest(…, 'sm3')``, where the server has it (and its
OpenSSL offers SM3); a server without it (the embedded one) leaves each link to the
application, inside the append's transaction (``EventStore``). Either way the start checks
the known answer for "abc" (GB/T 32905) where the links will be computed, and refuses a
wrong one.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog

from ledger.offline import SHA256_ED25519, SM2_ID, SM3_SM2, sm3

log = structlog.get_logger(__name__)

SM2_USER_ID = SM2_ID.decode()  # SM2's Z_A identifier in every signature, recorded
CHOICES = {"sha256-ed25519": SHA256_ED25519, "sm": SM3_SM2, "sm3-sm2": SM3_SM2}
SM3_ABC = bytes.fromhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
_DIGEST = "to_regprocedure('digest(bytea,text)') IS NOT NULL"


class CryptoRefused(RuntimeError):
    """The service must not start on this ledger: the message says why."""


async def ledger_crypto(conn: Any) -> str:
    """The ledger's algorithms; a ledger from before the parameters is SHA-256/Ed25519."""
    value = await conn.fetchval("SELECT crypto FROM ledger_parameters")
    return str(value) if value is not None else SHA256_ED25519


# Pools seen, with their ledger's algorithms: the pool itself kept beside, so that its id
# is not reused while the entry stands; the oldest forgotten past a few (tests make many).
_KNOWN: dict[int, tuple[Any, str]] = {}
_KEPT = 32


async def crypto_of(pool: Any) -> str:
    """The algorithms of the ledger ``pool`` connects to, read once per pool (they never
    change once written; before they are written, SHA-256/Ed25519, not kept)."""
    known = _KNOWN.get(id(pool))
    if known is not None and known[0] is pool:
        return known[1]
    value = await pool.fetchval("SELECT crypto FROM ledger_parameters")
    if value is None:
        return SHA256_ED25519
    while len(_KNOWN) >= _KEPT:
        del _KNOWN[next(iter(_KNOWN))]
    _KNOWN[id(pool)] = (pool, str(value))
    return str(value)


async def settle(conn: asyncpg.Connection, wanted: str | None) -> str:
    """Write the ledger's algorithms at its first start on an empty log (``wanted``, or
    SHA-256/Ed25519 when None), then hold them against ``wanted``: a mismatch refuses.
    Returns the ledger's algorithms. Called under the schema-setup lock."""
    wanted = CHOICES[wanted] if wanted is not None else None
    stored = await conn.fetchval("SELECT crypto FROM ledger_parameters")
    if stored is None:
        empty = await conn.fetchval("SELECT position = 0 FROM ledger_head")
        stored = (wanted or SHA256_ED25519) if empty else SHA256_ED25519
        await conn.execute(
            "INSERT INTO ledger_parameters (crypto, sm2_user_id) VALUES ($1, $2)",
            stored,
            SM2_USER_ID if stored == SM3_SM2 else None,
        )
        log.info("ledger_crypto_fixed", crypto=stored)
    if wanted is not None and wanted != stored:
        raise CryptoRefused(
            f"this ledger's algorithms are {stored}, fixed when it was created; the service is"
            f" set to {wanted} (LEDGER_CRYPTO): set LEDGER_CRYPTO="
            f"{'sm' if stored == SM3_SM2 else 'sha256-ed25519'} to serve it"
        )
    if stored == SM3_SM2:
        await check_sm3(conn)
    return str(stored)


async def sm3_in_database(conn: Any) -> bool:
    """Whether the database computes the chain's SM3 links itself (pgcrypto's digest)."""
    return bool(await conn.fetchval(f"SELECT {_DIGEST}"))


async def check_sm3(conn: asyncpg.Connection) -> None:
    """The known answer for "abc", where the chain's SM3 links will be computed: pgcrypto
    (installed first if the server offers it), else the application. Refuses otherwise."""
    if sm3(b"abc") != SM3_ABC:
        raise CryptoRefused("the application's SM3 (OpenSSL through cryptography) is wrong")
    if not await sm3_in_database(conn):
        offered = await conn.fetchval(
            "SELECT true FROM pg_available_extensions WHERE name = 'pgcrypto'"
        )
        if offered:
            try:
                await conn.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
            except asyncpg.PostgresError as error:
                log.warning("pgcrypto_not_installed", error=str(error))
    if not await sm3_in_database(conn):
        log.info("sm3_chain_by_the_application", reason="no pgcrypto digest() here")
        return
    try:
        answer = await conn.fetchval("SELECT digest('abc'::bytea, 'sm3')")
    except asyncpg.PostgresError as error:
        raise CryptoRefused(
            f"this database's digest() cannot compute SM3 ({error}): its OpenSSL lacks it"
            " (a FIPS build, or a distribution without SM3); use a server whose pgcrypto"
            " has SM3, or one without pgcrypto (the application then computes the chain)"
        ) from None
    if bytes(answer) != SM3_ABC:
        raise CryptoRefused(
            f"this database's digest('abc', 'sm3') is {bytes(answer).hex()}, not the"
            f" GB/T 32905 answer {SM3_ABC.hex()}: refusing to chain the ledger with it"
        )
