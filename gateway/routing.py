"""The gateway's reverse proxy: /api/v1/<service>/... goes to that service's /api/v1/...

A plain Flask route, not a flask-smorest blueprint, so it stays out of the
gateway's own OpenAPI document; the merged document (gateway.openapi) shows
the services' operations under the paths this route serves.
"""

from __future__ import annotations

from urllib.parse import quote

import requests
from flask import Flask, Response, g, jsonify, request

from gateway import upstream
from gateway.upstream import SERVICES, upstream_urls
from kinerja.errors import AppError

# Only the services' names: the gateway's own /api/v1/auth and /api/v1/directory keep
# their 405s for a wrong method instead of falling through to the proxy.
ROUTE = f"/api/v1/<any({', '.join(SERVICES)}):service>/<path:rest>"
SERVICE_PREFIX = "/api/v1/"
FORWARDED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
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


def install_routing(app: Flask) -> None:
    """Forward /api/v1/<service>/<rest> to the service that owns it, for every method."""
    service_urls = upstream_urls(app.extensions["kinerja"].settings)

    def forward(service: str, rest: str) -> Response:
        base_url = service_urls.get(service)
        if base_url is None:
            return _error(404, "unknown_service", f"there is no service named {service}")
        return _relay(service, base_url, f"{base_url}{SERVICE_PREFIX}{quote(rest, PATH_SAFE)}")

    app.add_url_rule(ROUTE, endpoint="forward", view_func=forward, methods=FORWARDED_METHODS)


def _relay(service: str, base_url: str, url: str) -> Response:
    query = request.query_string.decode("latin-1")
    try:
        answer = upstream.send(
            service,
            request.method,
            f"{url}?{query}" if query else url,
            data=request.get_data() or None,
            headers=_upstream_headers(),
        )
    except upstream.Unreachable:
        return _error(
            503,
            "service_unavailable",
            f"{service} is unavailable; try again shortly",
            {"Retry-After": RETRY_AFTER_SECONDS},
        )
    except upstream.TimedOut:
        return _error(504, "service_timeout", f"{service} did not answer in time")
    except upstream.BadResponse:
        return _error(502, "bad_gateway", f"{service} sent an answer the gateway cannot read")
    return _downstream(service, base_url, answer)


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


def _error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    response = jsonify(AppError(message, code=code).to_body())
    response.status_code = status
    response.headers.update(headers or {})
    return response
