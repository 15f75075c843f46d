"""The UI's calls to the services, with the logged-in user's token.

Through the gateway's one client (gateway/upstream.py), as the proxy forwards: the same
pooled connections, resend of dropped reads and upstream metric. A page's write carries
its form's submission key on (submissions.py), so a double submit applies once. An error
answer becomes an ApiError carrying the service's code, message and per-field errors, and
which service said it, for the form to show (refusals.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from gateway import upstream
from gateway.ui import submissions, user
from gateway.upstream import upstream_urls
from kinerja import idempotency
from kinerja.logs import current_ids
from kinerja.web import service_context

# a page may wait on a printout or a recompute longer than the proxy's 15 s
READ_TIMEOUT_SECONDS = 30


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    fields: dict = field(default_factory=dict)
    service: str = ""  # who refused: a code may mean different things in two services


def call(method: str, service: str, path: str, **kwargs) -> requests.Response:
    """One request to a service's /api/v1/<path>; raises ApiError for any 4xx or 5xx."""
    base = upstream_urls(service_context().settings).get(service)
    if not base:
        raise ApiError(503, "unavailable", f"the {service} service is not configured", {}, service)
    headers = {"Authorization": f"Bearer {user.access_token()}", **kwargs.pop("headers", {})}
    if method in idempotency.WRITE_METHODS and (key := submissions.next_service_key()):
        headers.setdefault(idempotency.HEADER, key)
    correlation = current_ids().get("correlation_id")
    if correlation:
        headers["X-Correlation-ID"] = correlation
    url = f"{base}/api/v1/{path.lstrip('/')}"
    try:
        answer = upstream.send(
            service, method, url, READ_TIMEOUT_SECONDS, headers=headers, **kwargs
        )
    except (upstream.Unreachable, upstream.TimedOut, upstream.BadResponse) as exc:
        message = f"the {service} service cannot be reached"
        raise ApiError(503, "unavailable", message, {}, service) from exc
    if answer.status_code >= 400:
        raise _error(answer, service)
    return answer


def _error(answer: requests.Response, service: str) -> ApiError:
    try:
        body = answer.json().get("error", {})
    except ValueError:
        body = {}
    return ApiError(
        answer.status_code,
        body.get("code", "error"),
        body.get("message", answer.reason or "error"),
        body.get("fields") or {},
        service,
    )


def get(service: str, path: str, **params) -> object:
    return call("GET", service, path, params=params or None).json()


def send(method: str, service: str, path: str, body: dict | None = None) -> object:
    answer = call(method, service, path, json=body)
    return answer.json() if answer.content else None
