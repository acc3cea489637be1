"""``ledger token``: issue and revoke bearer tokens."""

from __future__ import annotations

import asyncio
import json
from uuid import UUID

import click

from ledger.domain.access import Role
from ledger.infra.logging import configure_logging
from ledger.infra.settings import Settings


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level)
    return settings


@click.group()
def token() -> None:
    """Issue and revoke bearer tokens (JWTs signed with the ledger's token key)."""


_DURATION = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(text: str) -> float:
    unit = text[-1:] if text[-1:] in _DURATION else "s"
    number = text[:-1] if text[-1:] in _DURATION else text
    try:
        seconds = float(number) * _DURATION[unit]
    except ValueError:
        raise click.BadParameter("a duration like 8h, 30m, 7d or 3600") from None
    if not 0 < seconds <= 366 * 86400:
        raise click.BadParameter("between 1 second and 366 days")
    return seconds


@token.command("issue")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--unit",
    "unit",
    type=click.UUID,
    default=None,
    help="Jurisdiction (a unit id); without it, the whole ledger.",
)
@click.option("--subject", required=True, help="Who holds the token (the actor of its events).")
@click.option("--name", default=None, help="Display name (default: the subject).")
@click.option(
    "--expires", default=None, help="Lifetime, e.g. 8h, 30m, 7d (default LEDGER_TOKEN_TTL)."
)
def token_issue(
    role: str, unit: UUID | None, subject: str, name: str | None, expires: str | None
) -> None:
    """Print a token: its claims first, the token alone on the last line."""
    from datetime import timedelta

    from ledger.infra.tokens import issue_token, load_token_key

    if not (0 < len(subject) <= 100 and subject.isprintable()):
        raise click.BadParameter("1 to 100 printable characters", param_hint="--subject")
    settings = _settings()
    key, created = load_token_key(settings)
    if created:
        click.echo(f"created the token key in {settings.data_dir}", err=True)
    ttl = timedelta(seconds=_duration(expires)) if expires else None
    text, claims = issue_token(
        key, settings, subject=subject, role=Role(role), unit=unit, name=name, ttl=ttl
    )
    click.echo(json.dumps(claims, ensure_ascii=False), err=True)
    click.echo(text)


@token.command("revoke")
@click.argument("jti")
@click.option("--reason", default=None, help="Why (kept with the revocation).")
def token_revoke(jti: str, reason: str | None) -> None:
    """Revoke the token with this `jti`; every API process refuses it within seconds."""
    import getpass

    from ledger.bootstrap import connect
    from ledger.infra.revocations import revoke

    settings = _settings()

    async def run() -> bool:
        pool, _server = await connect(settings)
        try:
            return await revoke(pool, jti, getpass.getuser(), reason)
        finally:
            await pool.close()

    fresh = asyncio.run(run())
    click.echo(f"revoked {jti}" if fresh else f"{jti} was already revoked")
