"""The ``ledger`` command."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

import click

from ledger.infra.logging import configure_logging
from ledger.infra.settings import Settings


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
    """Run the projection worker alone (one active per database, others stand by)."""
    from ledger.bootstrap import connect
    from ledger.infra.codec import make_mapper
    from ledger.projections.registry import PROJECTIONS
    from ledger.projections.runner import run_worker

    settings = _settings()

    async def run() -> None:
        pool, _server = await connect(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await run_worker(
                pool,
                make_mapper(),
                PROJECTIONS,
                stop,
                batch_size=settings.projection_batch_size,
                poll_interval=settings.projection_poll_interval,
            )
        finally:
            await pool.close()

    asyncio.run(run())


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
    """Load the demo data set through the application (idempotent)."""
    from ledger.bootstrap import connect
    from ledger.demo import load_demo

    settings = _settings()

    async def run() -> None:
        pool, _server = await connect(settings)
        try:
            summary = await load_demo(pool)
        finally:
            await pool.close()
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))

    asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
