"""Structured JSON logs: one line per event, request and correlation ids attached."""

from __future__ import annotations

import logging
import sys

import structlog
import structlog.tracebacks

_shared_processors = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route structlog and the standard library's loggers through one JSON renderer."""
    structlog.configure(
        processors=[
            *_shared_processors,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_shared_processors,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                # no local variables in logs: they may hold passwords or tokens
                structlog.processors.ExceptionRenderer(
                    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
                ),
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)


def bind_ids(**ids: str | None) -> None:
    """Attach request/correlation ids to every log line and event of this context."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v})


def clear_ids(*names: str) -> None:
    structlog.contextvars.unbind_contextvars(*names)


def current_ids() -> dict:
    return structlog.contextvars.get_contextvars()
