"""The ``ledger`` command."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from ledger.cli_tokens import token
from ledger.domain.access import Role
from ledger.infra.logging import configure_logging
from ledger.infra.settings import Settings

if TYPE_CHECKING:
    from ledger.infra.checkpoints import Signer
    from ledger.infra.verify_report import Report


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level)
    return settings


@click.group()
def main() -> None:
    """ledger: the accountability ledger (sealed events, responsibility chains)."""


@main.command()
@click.option("--host", default=None, help="Listen address (default LEDGER_HOST).")
@click.option("--port", type=int, default=None, help="Listen port (default LEDGER_PORT).")
@click.option("--no-projections", is_flag=True, help="Serve only; run `ledger project` apart.")
def serve(host: str | None, port: int | None, no_projections: bool) -> None:
    """Serve the HTTP API (and the projection worker, unless told not to)."""
    from aiohttp import web

    from ledger.api.app import create_app

    settings = _settings()
    if no_projections:
        settings = settings.model_copy(update={"project_in_process": False})
    app = create_app(settings)
    web.run_app(
        app,
        host=host or settings.host,
        port=port if port is not None else settings.port,
        access_log=None,
        print=lambda text: click.echo(text, err=True),
    )


@main.command()
def project() -> None:
    """Run the projection worker and the sealer alone (one active per database)."""
    from ledger.bootstrap import connect
    from ledger.infra.codec import make_mapper
    from ledger.workers import run_background

    settings = _settings()
    signer = _signer(settings)

    async def run() -> None:
        pool, _server = await connect(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await run_background(pool, make_mapper(), signer, settings, stop)
        finally:
            await pool.close()

    asyncio.run(run())


def _signer(settings: Settings) -> Signer:
    from ledger.infra.checkpoints import load_signer

    return load_signer(settings.origin, settings.signing_key_file, settings.data_dir)


@main.command()
def checkpoint() -> None:
    """Extend the Merkle tree to the head of the log, sign a checkpoint and print it."""
    from ledger.bootstrap import connect
    from ledger.infra.checkpoints import make_checkpoint

    settings = _settings()
    signer = _signer(settings)

    async def run() -> str:
        pool, _server = await connect(settings)
        try:
            return await make_checkpoint(pool, signer)
        finally:
            await pool.close()

    click.echo(asyncio.run(run()), nl=False)


@main.command()
@click.option(
    "--key",
    "key",
    default=None,
    help="Verifier key (or a file holding it) the checkpoints must be signed by; "
    "default: the service's own key.",
)
def verify(key: str | None) -> None:
    """Recompute every leaf, the chain and the tree; check them and every checkpoint;
    recompute the access log's chain and print its head hash.

    Exits 1 naming the first bad position (or access log entry) and what is wrong.
    """
    from pathlib import Path

    from ledger.bootstrap import connect
    from ledger.infra.verify import verify_ledger

    settings = _settings()
    verifier = _signer(settings).verifier_key if key is None else key
    if key is not None and Path(key).is_file():
        verifier = Path(key).read_text().strip()

    async def run() -> Report:
        pool, _server = await connect(settings)
        try:
            return await verify_ledger(
                pool, verifier, progress=lambda n: click.echo(f"… {n:,} events verified", err=True)
            )
        finally:
            await pool.close()

    report = asyncio.run(run())
    access = report.access.summary if report.access else "not checked"
    if report.ok:
        click.echo(f"ledger verified: {report.summary}")
        click.echo(f"access log verified: {access}")
        return
    for finding in report.findings:
        click.echo(f"INVALID {finding}")
    click.echo(f"checked: {report.summary}; access log: {access}", err=True)
    sys.exit(1)


@main.command()
def migrate() -> None:
    """Create or upgrade the schema, then exit."""
    from ledger.bootstrap import connect

    async def run() -> None:
        pool, _server = await connect(_settings())
        await pool.close()

    asyncio.run(run())
    click.echo("schema is up to date", err=True)


@main.group()
def projections() -> None:
    """Read-model maintenance."""


@projections.command("rebuild")
def projections_rebuild() -> None:
    """Replay the whole log into every read model (readers see the old rows until done)."""
    from ledger.bootstrap import connect
    from ledger.infra.codec import make_mapper
    from ledger.projections.registry import PROJECTIONS, TABLES
    from ledger.projections.runner import rebuild

    async def run() -> None:
        pool, _server = await connect(_settings())
        try:
            for projection in PROJECTIONS:
                count = await rebuild(pool, make_mapper(), projection, TABLES[projection.name])
                click.echo(f"{projection.name}: {count} events replayed", err=True)
        finally:
            await pool.close()

    asyncio.run(run())


@main.command()
def openapi() -> None:
    """Print the OpenAPI document (what `api/openapi.json` holds)."""
    from ledger.api.openapi import build_openapi

    click.echo(json.dumps(build_openapi(), ensure_ascii=False, indent=2))


@main.command()
def demo() -> None:
    """Load the demo data set through the application (idempotent), and print a token per
    role: admin for the whole ledger, the unit officer for 无锡市司法局, the others for
    无锡市 (the city's party committee and every unit below it)."""
    from ledger.bootstrap import connect
    from ledger.demo import load_demo
    from ledger.infra.tokens import issue_token, load_token_key

    settings = _settings()

    async def run() -> dict[str, Any]:
        pool, _server = await connect(settings)
        try:
            return await load_demo(pool)
        finally:
            await pool.close()

    summary = asyncio.run(run())
    key, _ = load_token_key(settings)
    places = summary["jurisdictions"]
    tokens = {}
    for role in Role:
        unit = {Role.ADMIN: None, Role.UNIT_OFFICER: places["bureau"]}.get(role, places["city"])
        text, _ = issue_token(
            key, settings, subject=f"demo-{role.value}", role=role, unit=unit and UUID(unit)
        )
        tokens[role.value] = {"unit": unit, "token": text}
    click.echo(json.dumps(summary | {"tokens": tokens}, ensure_ascii=False, indent=2))


main.add_command(token)


if __name__ == "__main__":
    sys.exit(main())
