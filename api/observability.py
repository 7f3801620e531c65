"""Request ids, structured JSON logs and Prometheus metrics of the HTTP edge.

The request id lives in a context variable set by the middleware for the whole request; anyio
copies the context into worker threads, so log lines written inside a turn carry it too.
Metrics live in one registry per app (never the process-global one), so tests stay independent.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

from agent.models import TurnResult
from agent.tokens import count_tokens

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
LOGGER = "advisor"
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of the record (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Send the advisor's loggers to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger(LOGGER)
    if any(isinstance(h, StderrHandler) for h in logger.handlers):
        return
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(level)


LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160)


class Metrics:
    """The advisor's Prometheus series, registered in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "advisor_http_requests", "HTTP requests by route and status", ["method", "route", "status"], registry=r
        )
        self.http_seconds = Histogram(
            "advisor_http_request_seconds",
            "HTTP request latency (to the last byte)",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.turns = Counter("advisor_turns", "Chat turns answered, by channel and verdict", ["channel", "verdict"], registry=r)
        self.rule_hits = Counter("advisor_rule_hits", "Guardrail rules that fired on a turn", ["rule"], registry=r)
        self.turn_seconds = Histogram("advisor_turn_seconds", "Latency of a whole turn", ["channel"], buckets=LATENCY_BUCKETS, registry=r)
        self.stage_seconds = Histogram(
            "advisor_turn_stage_seconds", "Latency of each stage of a turn", ["stage"], buckets=LATENCY_BUCKETS, registry=r
        )
        self.tokens = Counter(
            "advisor_message_tokens", "Tokens (cl100k_base) of client messages and shown answers", ["direction"], registry=r
        )
        self.draft_checks = Counter("advisor_draft_checks", "Advisor-edited replies checked by the output rails", ["verdict"], registry=r)

    def record_turn(self, channel: str, question: str, result: TurnResult) -> None:
        self.turns.labels(channel=channel, verdict=result.verdict.action).inc()
        for rule in {r.rule_id for r in result.verdict.rules}:
            self.rule_hits.labels(rule=rule).inc()
        self.turn_seconds.labels(channel=channel).observe(sum(result.timings_ms.values()) / 1000)
        for stage, ms in result.timings_ms.items():
            self.stage_seconds.labels(stage=stage).observe(ms / 1000)
        self.tokens.labels(direction="in").inc(count_tokens(question))
        self.tokens.labels(direction="out").inc(count_tokens(result.answer))
