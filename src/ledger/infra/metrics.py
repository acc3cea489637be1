"""Prometheus metrics, in a registry per app so tests and processes stay apart."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ledger_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ledger_http_request_seconds",
            "HTTP request duration by route",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.head = Gauge(
            "ledger_log_head_position", "Last position in the event log", registry=self.registry
        )
        self.projection = Gauge(
            "ledger_projection_position",
            "Position each read model has applied",
            ["projection"],
            registry=self.registry,
        )
        self.reads = Counter(
            "ledger_reads",
            "Queries of the read models by the database they read (primary, replica-N)",
            ["source"],
            registry=self.registry,
        )
