"""The services behind the gateway, and its one client to them.

SERVICES is the platform's one list of its services (the registry, kinerja360/components.py,
is the gateway and these), in the order a local stack gives them the ports after the
gateway's. The proxy (routing.py) and the web UI (ui/api.py) both reach a service through
`send`: the same pooled connections, the same resend of a read whose pooled connection the
service had dropped, the same time-outs and the same upstream latency metric.
"""

from __future__ import annotations

import http.cookiejar
import time

import requests
from prometheus_client import Histogram
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from kinerja.config import Settings
from kinerja.logs import get_logger

log = get_logger(__name__)

SERVICES = ("targets", "logs", "feedback", "appraisal")


def upstream_urls(settings: Settings) -> dict[str, str]:
    """Where the gateway finds each service: TARGETS_URL, LOGS_URL, ... (those set)."""
    return {name: settings.urls[name] for name in SERVICES if name in settings.urls}


CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 15
# Connections kept open per service: at least the threads of one gateway process.
POOL_SIZE_PER_SERVICE = 32

UPSTREAM_LATENCY = Histogram(
    "kinerja_gateway_upstream_duration_seconds",
    "Time a service took to answer a request the gateway forwarded, by service and outcome.",
    ["service", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
)


class Unreachable(Exception):
    """Refused, reset, or no connection in time: the caller answers 503."""


class TimedOut(Exception):
    """Connected, but no answer within the read time-out: the caller answers 504."""


class BadResponse(Exception):
    """An answer that is not HTTP the client can read: the caller answers 502."""


class _ResendDroppedReads(Retry):
    """A read whose pooled connection the service closed as it was reused is sent once
    more. Writes are not (a client retries those with its Idempotency-Key), nor a read that
    timed out: a slow service is not asked twice."""

    READS = frozenset({"GET", "HEAD", "OPTIONS"})

    def increment(self, method=None, url=None, response=None, error=None, **kwargs):
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, **kwargs)


def _new_session() -> requests.Session:
    session = requests.Session()
    # Callers' credentials travel in their own headers only: no netrc, no proxy from the
    # environment, and no cookie a service sets may be replayed to the next caller.
    session.trust_env = False
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    adapter = HTTPAdapter(
        pool_connections=len(SERVICES),
        pool_maxsize=POOL_SIZE_PER_SERVICE,
        max_retries=_ResendDroppedReads(
            total=1, status=0, redirect=0, allowed_methods=_ResendDroppedReads.READS
        ),
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# One per process: connections to the services are pooled and reused across requests.
_session = _new_session()


def send(
    service: str,
    method: str,
    url: str,
    read_timeout: float | None = None,
    **kwargs,
) -> requests.Response:
    """One request to `service` at `url`, timed into the upstream metric by outcome;
    redirects are the caller's to follow. Raises Unreachable, TimedOut or BadResponse.
    `read_timeout`: how long the answer may take, READ_TIMEOUT_SECONDS unless said."""
    started = time.perf_counter()
    try:
        answer = _session.request(
            method,
            url,
            timeout=(CONNECT_TIMEOUT_SECONDS, read_timeout or READ_TIMEOUT_SECONDS),
            allow_redirects=False,
            **kwargs,
        )
    except requests.ConnectionError as exc:
        _observe(service, "unreachable", started, exc)
        raise Unreachable(service) from exc
    except requests.Timeout as exc:
        _observe(service, "timeout", started, exc)
        raise TimedOut(service) from exc
    except requests.RequestException as exc:
        _observe(service, "bad_response", started, exc)
        raise BadResponse(service) from exc
    _observe(service, str(answer.status_code), started)
    return answer


def _observe(service: str, status: str, started: float, failure: Exception | None = None) -> None:
    UPSTREAM_LATENCY.labels(service, status).observe(time.perf_counter() - started)
    if failure is not None:
        log.warning("gateway.upstream_failed", upstream=service, outcome=status, error=str(failure))
