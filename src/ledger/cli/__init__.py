"""The ``ledger`` command."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

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
    import uvloop

    from ledger.api.app import create_app
    from ledger.api.server import bind, serve

    settings = _settings()
    if no_projections:
        settings = settings.model_copy(update={"project_in_process": False})
    host = host or settings.host
    port = port if port is not None else settings.port
    # The port first: a second `serve` on it stops here, before a key is made, a database
    # started or a checkpoint signed.
    try:
        sock = bind(host, port)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {error.strerror or error}"
        ) from None
    app = create_app(settings)
    click.echo(f"serving on http://{host}:{sock.getsockname()[1]}", err=True)
    # uvloop's transports are C where asyncio's selector ones are Python: the chain's
    # answer at 32 clients ~14 % faster (the figures: BENCHMARKS.md, H-chain).
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(app, sock, access_log=None))


@main.command()
def project() -> None:
    """Run the projection worker, the sealer and the webhook deliverer alone (one of each
    active per database)."""
    from ledger.bootstrap import connect
    from ledger.deliveries.worker import run_deliveries
    from ledger.infra.codec import make_mapper
    from ledger.infra.pii import load_pii_key
    from ledger.workers import run_background

    settings = _settings()
    signer = _signer(settings)

    async def run() -> None:
        pool, _server = await connect(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        mapper = make_mapper()
        key = load_pii_key(settings.pii_key, settings.data_dir)
        try:
            # One failing (not a lost database: that each outlives) ends the process, not
            # half of it.
            async with asyncio.TaskGroup() as group:
                group.create_task(run_background(pool, mapper, signer, settings, stop))
                group.create_task(run_deliveries(pool, mapper, settings, stop, key))
        finally:
            await pool.close()

    asyncio.run(run())


def _signer(settings: Settings) -> Signer:
    from ledger.infra.checkpoints import load_signer
    from ledger.infra.crypto import CHOICES

    return load_signer(
        settings.origin, settings.signing_key_file, settings.data_dir, CHOICES[settings.crypto]
    )


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

    Exits 1 naming the first bad position (or access log entry) and what is wrong; 2 when
    there is nothing to verify (no such database, no ledger in it, an empty log, no key, or
    a key that signed none of its checkpoints): it creates no database and no key.
    """
    from ledger.infra.crypto import ledger_crypto
    from ledger.infra.verify import verify_ledger
    from ledger.infra.verify_target import (
        NothingToVerify,
        check_key_signed,
        existing_verifier,
        fingerprint,
        open_existing,
    )

    settings = _settings()

    async def run() -> tuple[str, str, Report]:
        target = await open_existing(settings)
        try:
            crypto = await ledger_crypto(target.pool)  # the ledger's, whatever the setting
            verifier = existing_verifier(settings, key, crypto)
            await check_key_signed(target.pool, verifier)
            report = await verify_ledger(
                target.pool,
                verifier,
                progress=lambda n: click.echo(f"… {n:,} events verified", err=True),
            )
        finally:
            await target.pool.close()
        if report.ok and report.events == 0:
            raise NothingToVerify(f"nothing to verify: the log in {target.database} is empty")
        return target.database, f"{fingerprint(verifier)} ({crypto})", report

    try:
        database, signer, report = asyncio.run(run())
    except NothingToVerify as refused:
        click.echo(f"ledger verify: {refused}", err=True)
        sys.exit(2)
    click.echo(f"database: {database}")
    click.echo(f"key: {signer}")
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


@main.command()
def openapi() -> None:
    """Print the OpenAPI document (what `api/openapi.json` holds)."""
    from ledger.api.openapi import build_openapi

    click.echo(json.dumps(build_openapi(), ensure_ascii=False, indent=2))


@main.command("event-schemas")
@click.argument("folder", type=click.Path(file_okay=False), default="api/events")
def event_schemas(folder: str) -> None:
    """Write the JSON Schema of every public event type at its current version (what
    `api/events/` holds); earlier versions' files are kept."""
    from pathlib import Path

    from ledger.api.public_events import all_schemas

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas().items():
        text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        (target / name).write_text(text, encoding="utf-8")
    click.echo(f"{len(all_schemas())} event schemas in {target}/", err=True)


@main.command()
def demo() -> None:
    """Load the demo data set through the application (idempotent), and print a token per
    role: admin for the whole ledger, the unit officer for 无锡市司法局, the others for
    无锡市 (the city's party committee and every unit below it)."""
    from ledger.bootstrap import connect
    from ledger.demo import load_demo
    from ledger.infra.pii import load_pii_key
    from ledger.infra.tokens import issue_token, load_token_key

    settings = _settings()
    pii_key = load_pii_key(settings.pii_key, settings.data_dir)

    async def run() -> dict[str, Any]:
        pool, _server = await connect(settings)
        try:
            return await load_demo(pool, pii_key)
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


from ledger.cli.imports import import_, import_schema, province  # noqa: E402  (registers)
from ledger.cli.projections import projections  # noqa: E402
from ledger.cli.tokens import token  # noqa: E402

main.add_command(token)
main.add_command(projections)
main.add_command(import_)
main.add_command(import_schema)
main.add_command(province)


if __name__ == "__main__":
    sys.exit(main())
