"""Typed application keys."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from aiohttp import web
from eventsourcing.persistence import Mapper

from ledger.api.limits import RateLimits
from ledger.api.sources import Source, Sources
from ledger.application import Ledger
from ledger.domain.access import Principal
from ledger.infra.accesslog import AccessLogWriter
from ledger.infra.checkpoints import Signer
from ledger.infra.database import Pool
from ledger.infra.eventstore import EventStore
from ledger.infra.metrics import Metrics
from ledger.infra.settings import Settings
from ledger.infra.tokens import Verifier
from ledger.projections.runner import Reached

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", Pool)
ACCESS_LOG = web.AppKey("access_log", AccessLogWriter)  # appends entries together
EVENTS = web.AppKey("events", EventStore)
REACHED = web.AppKey("reached", Reached)  # the read models' positions, read at most so often
SOURCES = web.AppKey("sources", Sources)  # the primary and the read replicas
LEDGER = web.AppKey("ledger", Ledger)
MAPPER = web.AppKey("mapper", Mapper)
EMBEDDED = web.AppKey("embedded", object)
METRICS = web.AppKey("metrics", Metrics)
SIGNER = web.AppKey("signer", Signer)
VERIFIER = web.AppKey("verifier", Verifier)
LIMITER = web.AppKey("limiter", RateLimits)  # this process's bucket, the shared minute

# Request-scoped values set by the middleware and the handlers.
REQUEST_ID = web.RequestKey("request_id", str)
ACTOR = web.RequestKey("actor", str)
PRINCIPAL = web.RequestKey("principal", Principal)
READING = web.RequestKey("reading", contextlib.AsyncExitStack)
READER = web.RequestKey("reader", object)
PURPOSE = web.RequestKey("purpose", str)  # X-Access-Purpose, decoded
TARGET = web.RequestKey("target", tuple)  # (kind, id) an audited read names, if not its path
EXPORTED = web.RequestKey("exported", bool)  # answered as a file (CSV): an access log entry
POSITION = web.RequestKey("position", int)
SOURCE = web.RequestKey("source", Source)  # where the request's queries read
CONSOLE_SECRET = web.AppKey("console_secret", str)  # proves a request came from the console
UPSTREAM = web.AppKey("upstream", aiohttp.ClientSession)  # the console's client of the API
STOPPING = web.AppKey("stopping", asyncio.Event)  # set on shutdown: live streams end
PII_KEY = web.AppKey("pii_key", bytes)  # hashes identity numbers; seals webhook secrets
