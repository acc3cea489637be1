"""Settings from the environment (prefix ``LEDGER_``), validated once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service configuration; every field maps to ``LEDGER_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="External PostgreSQL URL; when unset an embedded server is started.",
    )
    read_database_url: str | None = Field(
        default=None,
        description="Streaming replicas' URLs, separated by spaces: queries read there once"
        " its read models have reached the position they ask for (else on the primary).",
    )
    connect_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a new database connection may take over every host its URL"
        " names; then the request answers 503.",
    )
    crypto: Literal["sha256-ed25519", "sm", "sm3-sm2"] = Field(
        default="sha256-ed25519",
        description="The ledger's algorithms, fixed when it is created: sha256-ed25519"
        " (SHA-256 chain and tree, Ed25519 checkpoints) or sm (SM3 and SM2); a service set"
        " otherwise than its ledger refuses to start.",
    )
    data_dir: Path = Field(default=Path("var"), description="Where the embedded server keeps data.")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    pool_min_size: int = Field(default=2, ge=1)
    pool_max_size: int = Field(default=10, ge=1)
    log_level: str = "info"
    project_in_process: bool = Field(
        default=True, description="Run the projection worker inside `ledger serve`."
    )
    min_position_timeout: float = Field(
        default=5.0, gt=0, description="Longest wait of a query for `min_position`, seconds."
    )
    projection_batch_size: int = Field(default=5_000, ge=1, le=10_000)
    projection_poll_interval: float = Field(default=1.0, gt=0)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    import_max_bytes: int = Field(
        default=64 * 1_048_576,
        ge=1024,
        description="Largest file POST /v1/import takes; `ledger import` has no limit.",
    )
    token_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM, PKCS#8) that signs the ledger's own tokens; "
        "unset: <data_dir>/token-key.pem, created on first start with a first admin token "
        "beside it (<data_dir>/admin-token, mode 0600).",
    )
    token_issuer: str = Field(
        default="ledger", min_length=1, description="The `iss` every token must carry."
    )
    token_audience: str = Field(
        default="ledger", min_length=1, description="The `aud` every token must carry."
    )
    token_ttl: float = Field(
        default=8 * 3600, gt=0, description="Default lifetime of `ledger token issue`, seconds."
    )
    jwks_url: str | None = Field(
        default=None,
        description="An identity provider's JWKS (https URL): its tokens are accepted too; "
        "fetched without blocking, cached, refetched on an unknown `kid` at most every 30 s.",
    )
    jwks_file: Path | None = Field(
        default=None, description="A JWKS file, read like LEDGER_JWKS_URL (reread on unknown kid)."
    )
    jwks_refetch_interval: float = Field(
        default=30.0, gt=0, description="Least seconds between two fetches of the JWKS."
    )
    token_claims: dict[str, str] = Field(
        default_factory=dict,
        description='Claim mapping for an identity provider, e.g. {"role": "ledger_role", '
        '"unit": "org_id", "name": "preferred_username"}; unnamed claims keep their names.',
    )
    revocation_poll_interval: float = Field(
        default=2.0, gt=0, description="Seconds between reads of the revocation list."
    )
    rate_limit: float = Field(
        default=600,
        ge=0,
        description="Requests a minute per token across all API processes (counted in "
        "PostgreSQL; 0: no limit); 429 with Retry-After beyond it.",
    )
    rate_burst: int = Field(
        default=120, ge=1, description="Requests a token may burst, in each API process."
    )
    rate_sync_interval: float = Field(
        default=0.2,
        gt=0,
        description="Seconds between two flushes of an API process's request counts to "
        "PostgreSQL (where the rate limit is counted); in between, a process does not see "
        "what the others let through.",
    )
    metrics_public: bool = Field(
        default=True, description="Serve /metrics without a token (scrape from a private network)."
    )
    origin: str = Field(
        default="ledger.local/ledger",
        min_length=1,
        pattern=r"^[^\s+\u2014]+$",
        description="The log's name: first line of every checkpoint and the signing key's name.",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM, PKCS#8); unset: <data_dir>/signing-key.pem, "
        "created on first start.",
    )
    checkpoint_interval: float = Field(
        default=60.0, gt=0, description="Seconds between signed checkpoints while the log grows."
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="IANA time zone whose calendar day is 'today' for the ledger's rules"
        " (no act may be dated after it) and for reads' default valid_at.",
    )
    webhook_allow: list[str] = Field(
        default_factory=list,
        description='Hosts webhooks may be delivered to (e.g. ["cadre.example.gov.cn",'
        ' "cases.example.gov.cn:8443"]); a subscription to any other host is refused.',
    )
    webhook_allow_loopback: bool = Field(
        default=False,
        description="Deliver to loopback, link-local and private addresses too (a receiver"
        " on this machine or network); off, a subscription cannot probe the inside network.",
    )
    webhook_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts of a delivery before it is dead-lettered."
    )
    webhook_timeout: float = Field(default=10.0, gt=0, description="Seconds a receiver has.")
    webhook_backoff: float = Field(
        default=2.0, gt=0, description="Seconds before the first retry; doubled each time."
    )
    webhook_backoff_max: float = Field(default=3600.0, gt=0, description="Longest wait.")
    console_signin_origins: list[str] = Field(
        default_factory=list,
        description='Origins (e.g. ["https://sso.example.gov.cn"]) whose sign-in page may post'
        " a token to /console/login (an identity provider handing the token over); the"
        " console's own pages always may.",
    )
    pii_key: SecretStr | None = Field(
        default=None,
        description="Key of the HMAC-SHA256 under which identity numbers (person_no) are"
        " stored (32 or more random characters); unset: <data_dir>/pii-key, created on first"
        " start. Keep it: under a new key the stored hashes match no number, and the webhooks'"
        " signing secrets, sealed under a key derived from it, open no more.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name)") from None
        return value

    @property
    def read_database_urls(self) -> list[str]:
        return (self.read_database_url or "").split()

    def today(self, at: datetime | None = None) -> date:
        """The calendar day in the configured time zone (not the host's), now or ``at``."""
        zone = ZoneInfo(self.timezone)
        return (at.astimezone(zone) if at is not None else datetime.now(zone)).date()
