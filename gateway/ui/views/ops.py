"""Ops: the health of every service and where the metrics are."""

from __future__ import annotations

from gateway.readiness import gateway_readiness
from gateway.ui import user
from gateway.ui.blueprint import ui
from gateway.ui.pages import page
from gateway.upstream import SERVICES, upstream_urls
from kinerja.web import service_context


@ui.route("/ops")
@user.login_required("ops", "hr")
def ops_health():
    context = service_context()
    states = gateway_readiness(context)
    urls = upstream_urls(context.settings)
    services = [
        {
            "name": name,
            "state": states.get(name),
            "metrics": f"{urls[name]}/metrics" if name in urls else None,
        }
        for name in SERVICES
    ]
    own = {k: v for k, v in states.items() if k.startswith("gateway.")}
    return page(
        "ops.html",
        services=services,
        gateway=own,
        healthy=all(v is None for v in states.values()),
    )
