"""The gateway's reverse proxy: /api/v1/<service>/... goes to that service's /api/v1/...

A plain Flask route, not a flask-smorest blueprint, so it stays out of the
gateway's own OpenAPI document; the merged document (gateway.openapi) shows
the services' operations under the paths this route serves.
"""

from __future__ import annotations

import http.cookiejar
import time
from urllib.parse import quote

import requests
from flask import Flask, Response, g, jsonify, request
from prometheus_client import Histogram
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from kinerja.config import SERVICE_NAMES
from kinerja.errors import AppError
from kinerja.logs import get_logger

log = get_logger(__name__)

# Only the services' names: the gateway's own /api/v1/auth and /api/v1/directory keep
# their 405s for a wrong method instead of falling through to the proxy.
ROUTE = f"/api/v1/<any({', '.join(SERVICE_NAMES)}):service>/<path:rest>"
SERVICE_PREFIX = "/api/v1/"
FORWARDED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 15
# Connections kept open per service: at least the threads of one gateway process.
POOL_SIZE_PER_SERVICE = 32
RETRY_AFTER_SECONDS = "2"

FORWARDED_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Accept-Language",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
)
# An allow-list: hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding),
# Content-Encoding (requests has decoded the body) and Content-Length (recomputed)
# never pass, nor the service's own Set-Cookie, Server or Date.
PASSED_RESPONSE_HEADERS = (
    "Content-Type",
    "ETag",
    "Location",
    "Retry-After",
    "Cache-Control",
    "Last-Modified",
    "WWW-Authenticate",
    "Content-Disposition",
    "Content-Language",
    "Idempotent-Replayed",
)
# Characters a path segment may hold as they are (RFC 3986 pchar); the rest is re-encoded,
# since Flask hands the path over decoded and a decoded "?" or "#" would cut it short.
PATH_SAFE = "/:@!$&'()*+,;="

UPSTREAM_LATENCY = Histogram(
    "kinerja_gateway_upstream_duration_seconds",
    "Time a service took to answer a request the gateway forwarded, by service and outcome.",
    ["service", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15),
)


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
        pool_connections=len(SERVICE_NAMES),
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


def install_routing(app: Flask) -> None:
    """Forward /api/v1/<service>/<rest> to the service that owns it, for every method."""
    service_urls = app.extensions["kinerja"].settings.service_urls

    def forward(service: str, rest: str) -> Response:
        base_url = service_urls.get(service)
        if base_url is None:
            return _error(404, "unknown_service", f"there is no service named {service}")
        return _relay(service, base_url, f"{base_url}{SERVICE_PREFIX}{quote(rest, PATH_SAFE)}")

    app.add_url_rule(ROUTE, endpoint="forward", view_func=forward, methods=FORWARDED_METHODS)


def _relay(service: str, base_url: str, url: str) -> Response:
    started = time.perf_counter()
    try:
        upstream = _send(url)
    except requests.ConnectionError as exc:  # refused, reset, or no connection in time
        _observe(service, "unreachable", started, exc)
        return _error(
            503,
            "service_unavailable",
            f"{service} is unavailable; try again shortly",
            {"Retry-After": RETRY_AFTER_SECONDS},
        )
    except requests.Timeout as exc:
        _observe(service, "timeout", started, exc)
        return _error(504, "service_timeout", f"{service} did not answer in time")
    except requests.RequestException as exc:
        _observe(service, "bad_response", started, exc)
        return _error(502, "bad_gateway", f"{service} sent an answer the gateway cannot read")
    _observe(service, str(upstream.status_code), started)
    return _downstream(service, base_url, upstream)


def _send(url: str) -> requests.Response:
    query = request.query_string.decode("latin-1")
    return _session.request(
        request.method,
        f"{url}?{query}" if query else url,
        data=request.get_data() or None,
        headers=_upstream_headers(),
        timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
        # a redirect is the caller's to follow, through the gateway
        allow_redirects=False,
    )


def _upstream_headers() -> dict[str, str]:
    headers = {
        name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers
    }
    # the same ids in the service's logs and in the events it publishes
    headers["X-Request-ID"] = g.request_id
    headers["X-Correlation-ID"] = g.correlation_id
    return headers


def _downstream(service: str, base_url: str, upstream: requests.Response) -> Response:
    headers = {
        name: upstream.headers[name] for name in PASSED_RESPONSE_HEADERS if name in upstream.headers
    }
    if "Location" in headers:
        headers["Location"] = _gateway_location(service, base_url, headers["Location"])
    response = Response(upstream.content, status=upstream.status_code, headers=headers)
    if "Content-Type" not in headers:
        del response.headers["Content-Type"]  # Flask's text/html default would be a lie
    return response


def _gateway_location(service: str, base_url: str, location: str) -> str:
    """A service's own URL, as the caller reaches it through the gateway."""
    path = location.removeprefix(base_url)
    if not path.startswith(SERVICE_PREFIX):
        return location
    return f"{SERVICE_PREFIX}{service}/{path.removeprefix(SERVICE_PREFIX)}"


def _observe(service: str, status: str, started: float, failure: Exception | None = None) -> None:
    UPSTREAM_LATENCY.labels(service, status).observe(time.perf_counter() - started)
    if failure is not None:
        log.warning("gateway.upstream_failed", upstream=service, outcome=status, error=str(failure))


def _error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    response = jsonify(AppError(message, code=code).to_body())
    response.status_code = status
    response.headers.update(headers or {})
    return response
