"""The gateway is ready when it and every service behind it are ready (`/readyz`);
Kubernetes asks only for its own database (`/readyz?require=mongodb`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from gateway.upstream import SERVICES, upstream_urls
from kinerja.web import ServiceContext, own_readiness

_pool = ThreadPoolExecutor(max_workers=len(SERVICES), thread_name_prefix="readyz")


def service_state(base_url: str) -> str | None:
    """None when the service answers /readyz with 200, else its state."""
    try:
        answer = requests.get(f"{base_url}/readyz", timeout=2)
    except requests.RequestException as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return None if answer.status_code == 200 else f"not ready ({answer.status_code})"


def gateway_readiness(context: ServiceContext) -> dict[str, str | None]:
    urls = upstream_urls(context.settings)
    futures = {name: _pool.submit(service_state, urls[name]) for name in SERVICES if name in urls}
    states: dict[str, str | None] = dict(own_readiness(context))
    for name in SERVICES:
        states[name] = futures[name].result() if name in futures else "not configured"
    return states
