"""The fan-out to the services: each one's part of an export, each one's purge.

Through the gateway's one client (gateway/upstream.py) with the caller's own token, so
each service decides for itself (the export is the employee's own, the purge HR's). A
service that does not answer is named in the result, never left out silently.
"""

from __future__ import annotations

from datetime import date

from gateway import upstream
from gateway.upstream import SERVICES
from kinerja.logs import current_ids

# the services that own data a retention period expires (targets keeps only scores)
PURGING = ("logs", "feedback", "appraisal")
READ_TIMEOUT_SECONDS = 60  # a purge deletes a cycle's worth of documents


def _headers(token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    ids = current_ids()
    if ids.get("correlation_id"):
        headers["X-Correlation-ID"] = ids["correlation_id"]
    return headers


def _call(urls: dict, service: str, method: str, path: str, token: str, **kwargs):
    """(body, None) from a 200, or (None, why) when the service is missing, down or refuses."""
    base = urls.get(service)
    if base is None:
        return None, "not configured"
    try:
        answer = upstream.send(
            service,
            method,
            f"{base}/api/v1/{path}",
            READ_TIMEOUT_SECONDS,
            headers=_headers(token),
            **kwargs,
        )
    except (upstream.Unreachable, upstream.TimedOut, upstream.BadResponse) as exc:
        return None, f"unavailable ({exc.__class__.__name__})"
    if answer.status_code != 200:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = answer.reason
        return None, f"{answer.status_code}: {message}"
    return answer.json(), None


def export_parts(urls: dict, nip: str, token: str) -> tuple[dict, dict]:
    """Every service's part of the employee's export, and why each missing one is."""
    parts, missing = {}, {}
    for service in SERVICES:
        body, why = _call(urls, service, "GET", f"personal-data/{nip}", token)
        if why is None:
            parts[service] = body
        else:
            missing[service] = why
    return parts, missing


def purge(urls: dict, cut_off: date, dry_run: bool, token: str) -> tuple[dict, dict]:
    """Every purging service's report, and why each that gave none did not."""
    reports, failed = {}, {}
    body = {"cut_off": cut_off.isoformat(), "dry_run": dry_run}
    for service in PURGING:
        report, why = _call(urls, service, "POST", "retention/purge", token, json=body)
        if why is None:
            reports[service] = report
        else:
            failed[service] = why
    return reports, failed
