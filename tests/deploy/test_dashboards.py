"""Grafana dashboards and Prometheus alert rules refer only to what the code exports.

The exported metric names are collected from the code itself: every module that declares
prometheus_client metrics is imported and each metric's describe() read, with the
suffixes prometheus_client adds on exposition (_total, _bucket, _count, _sum, _created).
Label values the queries pin are checked too: service names against the registry, event
types against the services' events modules, and endpoint values against the URL rules of
the service's real Flask app (kinerja/web.py labels a request with `url_rule.rule`).
"""

from __future__ import annotations

import importlib
import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy/grafana/dashboards").glob("*.json"))
ALERTS = ROOT / "deploy/prometheus/alerts.yml"
DATASOURCES = ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml"
CODE_FOLDERS = ("kinerja", "services", "gateway")

# Series Prometheus makes itself: `up` per scrape target, `ALERTS` per pending or firing
# alert (the RED dashboard lists the firing ones).
PROMETHEUS_OWN = {"up", "ALERTS"}
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
}
EXPECTED_TITLES = {
    "Kinerja360 — services (RED)",
    "Kinerja360 — event flow",
    "Kinerja360 — business",
}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_SELECTOR = re.compile(r"([a-zA-Z_:][\w:]*)\s*\{([^{}]*)\}")
_MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_BRACES = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\]]*\]")
# a name not preceded by a word character, '$' (a Grafana variable) or '.' (a number),
# and not followed by '(' (a function or an aggregation)
_NAME = re.compile(r"(?<![\w:$.])([a-zA-Z_:][\w:]*)\b(?!\s*\()")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"}


# --- what the code exports ------------------------------------------------------------


def metric_modules() -> list[str]:
    """Every module of the code that declares prometheus_client metrics."""
    declares = re.compile(r"^\w+ = (?:Counter|Gauge|Histogram|Summary|Info)\(", re.M)
    modules = []
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text()
            if "prometheus_client" in text and declares.search(text):
                modules.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return modules


@cache
def declared_families() -> dict[str, str]:
    """Metric family name to type, from each declared metric's describe()."""
    families = {}
    for module_name in metric_modules():
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase):
                families.update((family.name, family.type) for family in value.describe())
    return families


def exported_metric_names() -> frozenset[str]:
    """The sample names as Prometheus scrapes them."""
    return frozenset(
        name + suffix for name, kind in declared_families().items() for suffix in SUFFIXES[kind]
    )


@cache
def event_types() -> frozenset[str]:
    """The event types the producers publish: every contract in kinerja/contracts."""
    from kinerja.contracts import EVENT_TYPES

    return frozenset(EVENT_TYPES)


@cache
def url_rules(service: str) -> frozenset[str]:
    """The URL rules of a service's real app: the values of its `endpoint` label."""
    from kinerja.config import Settings
    from kinerja360.components import service_definition

    settings = Settings.from_env(
        service,
        {
            "MONGO_URL": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=100",
            "MONGO_TIMEOUT_MS": "100",
            "BROKER_URL": "memory://",
            "JWT_SECRET": "a-test-secret-that-is-at-least-32-bytes",
        },
    )
    app = service_definition(service).create_app(settings)
    return frozenset(rule.rule for rule in app.url_map.iter_rules())


# --- the queries ----------------------------------------------------------------------


def load_dashboards() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in DASHBOARDS}


def all_panels(dashboard: dict):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # panels inside a collapsed row


def dashboard_queries(dashboard: dict) -> list[str]:
    queries = [
        target["expr"]
        for panel in all_panels(dashboard)
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            query = query["query"] if isinstance(query, dict) else query
            # label_values(metric, label) is Grafana's, not PromQL: keep the metric only
            found = re.fullmatch(r"\s*label_values\(\s*(.+?)\s*,\s*\w+\s*\)\s*", query)
            queries.append(found.group(1) if found else query)
    return queries


def alert_queries() -> dict[str, str]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def every_query() -> list[tuple[str, str]]:
    found = [
        (name, query)
        for name, dashboard in load_dashboards().items()
        for query in dashboard_queries(dashboard)
    ]
    found += [(f"alerts.yml {name}", expr) for name, expr in alert_queries().items()]
    return found


def metric_names_in(query: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    names = {name for name, _ in _SELECTOR.findall(_STRING.sub('""', query))}
    bare = _STRING.sub(" ", query)
    for pattern in (_GROUPING, _BRACES, _RANGE):
        bare = pattern.sub(" ", bare)
    names.update(name for name in _NAME.findall(bare) if name not in _KEYWORDS)
    return names


def pinned_labels(query: str) -> list[tuple[str, dict[str, str]]]:
    """(metric, {label: value}) for every selector's equality matchers."""
    return [
        (metric, {label: value for label, op, value in _MATCHER.findall(body) if op == "="})
        for metric, body in _SELECTOR.findall(query)
    ]


# --- the tests ------------------------------------------------------------------------


def test_the_extractor_finds_metric_names_and_nothing_else():
    query = (
        'histogram_quantile(0.99, sum by (service, le) (rate(a_bucket{service=~"$service"}'
        "[$__rate_interval]))) / ignoring(le) sum(b_total offset 5m) or vector(0) "
        'and on (queue) max_over_time(c{queue=~".+[.]dlq"}[1h]) > bool 2.5e3 unless d'
    )
    assert metric_names_in(query) == {"a_bucket", "b_total", "c", "d"}
    assert pinned_labels('x{a="1", b=~"2", c!="3"}') == [("x", {"a": "1"})]


def test_exported_names_come_from_the_code_with_prometheus_suffixes():
    names = exported_metric_names()
    assert {"kinerja.metrics", "gateway.upstream"} <= set(metric_modules())
    for name in (
        "kinerja_http_requests_total",
        "kinerja_http_request_duration_seconds_bucket",
        "kinerja_outbox_backlog_events",
        "kinerja_gateway_upstream_duration_seconds_count",
    ):
        assert name in names
    assert "kinerja_http_requests" not in names  # a counter is exposed with _total only


def test_every_dashboard_is_valid_json_with_its_own_uid_and_title():
    dashboards = load_dashboards()
    assert {d["title"] for d in dashboards.values()} == EXPECTED_TITLES
    assert len({d["uid"] for d in dashboards.values()}) == len(dashboards)
    for name, dashboard in dashboards.items():
        assert 36 <= dashboard["schemaVersion"] <= 41, name
        assert len(dashboard["uid"]) <= 40, name
        ids = [panel["id"] for panel in all_panels(dashboard)]
        assert len(ids) == len(set(ids)), f"{name}: panel ids repeat"
        assert dashboard_queries(dashboard), f"{name} queries nothing"


def test_panels_use_the_provisioned_prometheus_and_do_not_overlap():
    provisioned = yaml.safe_load(DATASOURCES.read_text())["datasources"][0]["uid"]
    for name, dashboard in load_dashboards().items():
        taken: set[tuple[int, int]] = set()
        for panel in all_panels(dashboard):
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, f"{name}: {panel['title']} is too wide"
            cells = {
                (x, y)
                for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])
            }
            assert not cells & taken, f"{name}: {panel['title']} overlaps another panel"
            taken |= cells
            if panel["type"] == "row":
                continue
            assert panel["title"] and panel.get("description"), f"{name}: {panel}"
            assert panel["datasource"]["uid"] == provisioned, f"{name}: {panel['title']}"
            refs = [target["refId"] for target in panel["targets"]]
            assert refs and len(refs) == len(set(refs)), f"{name}: {panel['title']}"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == provisioned
                assert target["expr"].strip()


def test_dashboards_and_alerts_read_only_metrics_the_code_exports():
    allowed = exported_metric_names() | PROMETHEUS_OWN
    unknown = {
        (where, name)
        for where, query in every_query()
        for name in metric_names_in(query)
        if name not in allowed
    }
    assert not unknown, f"metrics the code does not export: {sorted(unknown)}"


def test_every_exported_metric_is_on_a_dashboard():
    used = {
        name
        for where, query in every_query()
        if not where.startswith("alerts.yml")
        for name in metric_names_in(query)
    }
    missing = [
        name
        for name, kind in declared_families().items()
        if not any(name + suffix in used for suffix in SUFFIXES[kind])
    ]
    assert not missing, f"exported but on no dashboard: {missing}"


def test_pinned_label_values_exist_in_the_code():
    from kinerja360.components import SERVICE_MODULES

    for where, query in every_query():
        for metric, labels in pinned_labels(query):
            service = labels.get("service")
            if service is not None:
                assert service in SERVICE_MODULES, f"{where}: no service {service!r}"
            if "type" in labels and metric.startswith("kinerja_events_"):
                assert labels["type"] in event_types(), f"{where}: no event {labels['type']!r}"
            if "endpoint" in labels:
                assert service, f"{where}: an endpoint is only unique within a service"
                assert labels["endpoint"] in url_rules(service), (
                    f"{where}: {service} has no route {labels['endpoint']!r}"
                )


def test_business_dashboard_counts_log_entries_by_the_real_route():
    business = next(d for d in load_dashboards().values() if d["title"].endswith("business"))
    pinned = [labels for q in dashboard_queries(business) for _, labels in pinned_labels(q)]
    entries = {"service": "logs", "endpoint": "/api/v1/entries", "method": "POST"}
    assert any(entries.items() <= labels.items() for labels in pinned)
    assert "/api/v1/entries" in url_rules("logs")
