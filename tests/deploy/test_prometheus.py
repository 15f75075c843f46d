"""Prometheus: the scrape config and alert rules pass promtool (config, rules, and the rule
unit tests in alerts_test.yml), cover every process the compose file runs, and a real
Prometheus (Debian's package) scrapes the locally started stack and sees every service.

promtool and prometheus come from Debian's `prometheus` package, which `make test`
installs (scripts/ensure-system-packages.sh); without it, these tests skip when not root
and fail as root.

In the local stack (`kinerja up`) a worker serves no port of its own: it writes its
metrics into its service's PROMETHEUS_MULTIPROC_DIR, so the web process's /metrics on
P+n carries the worker's too. The scrape here therefore has five targets, P..P+4.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from gateway.upstream import SERVICES
from kinerja.local import free_port
from kinerja360.components import service_definition
from kinerja360.harness import Stack, clean_env

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy/prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
COMPONENTS = ("gateway", *SERVICES)


def debian_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    if os.geteuid() != 0:
        pytest.skip(f"{name} is missing: install Debian's prometheus package (as root)")
    pytest.fail(f"{name} is missing: scripts/ensure-system-packages.sh installs it")


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [debian_tool("promtool"), *args],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def alert_rules() -> list[dict]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


# --- promtool -------------------------------------------------------------------------


def test_promtool_accepts_the_scrape_config():
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_alert_rules():
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_fire_on_synthetic_series_as_their_unit_tests_expect():
    tested = set(re.findall(r"alertname: (\w+)", (PROMETHEUS_DIR / "alerts_test.yml").read_text()))
    assert {"KinerjaDeadLetterQueueNotEmpty", "KinerjaHighErrorRate"} <= tested
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


# --- the rules and the scrape config as files -----------------------------------------


def test_every_alert_has_a_delay_a_severity_and_what_to_do():
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names repeat"
    readme = (ROOT / "deploy/README.md").read_text()
    for rule in rules:
        name = rule["alert"]
        assert "for" in rule, f"{name} has no `for:`"
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        annotations = rule["annotations"]
        for key in ("summary", "description", "runbook"):
            assert annotations.get(key, "").strip(), f"{name} has no {key}"
        assert f"`{name}`" in readme, f"deploy/README.md does not explain {name}"


def test_scrape_config_covers_every_process_the_compose_file_runs():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    def discovered(job: str) -> tuple[set[str], set[int]]:
        sd = jobs[job]["dns_sd_configs"]
        return {n for c in sd for n in c["names"]}, {c["port"] for c in sd}

    web = {name for name, s in compose.items() if s.get("command", [""])[0] == "gunicorn"}
    bind = re.search(r"BIND=[\d.]+:(\d+)", (ROOT / "Dockerfile").read_text())
    assert discovered("kinerja-web") == (web, {int(bind.group(1))})

    workers = {
        name: int(s["command"][s["command"].index("--metrics-port") + 1])
        for name, s in compose.items()
        if "--metrics-port" in s.get("command", [])
    }
    assert discovered("kinerja-worker") == (set(workers), set(workers.values()))
    assert jobs["rabbitmq"]["static_configs"][0]["targets"] == ["rabbitmq:15692"]
    assert config["rule_files"] == ["alerts.yml"]


# --- a real Prometheus against the local stack ----------------------------------------


def wait_until(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
            if last:
                return last
        except (requests.RequestException, ValueError, KeyError) as exc:
            last = exc
        time.sleep(0.5)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}\n{detail}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("deploy-stack") / "data", clean_env())
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def prometheus(stack, tmp_path_factory):
    """A Prometheus scraping the stack's five web ports, with the real alert rules."""
    binary = debian_tool("prometheus")
    folder = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "2s", "scrape_timeout": "2s", "evaluation_interval": "2s"},
        "rule_files": [str(ALERTS)],
        "scrape_configs": [
            {
                "job_name": "kinerja-web",
                "static_configs": [
                    {
                        "targets": [stack.url(name).removeprefix("http://")],
                        "labels": {"component": name},
                    }
                    for name in COMPONENTS
                ],
            }
        ],
    }
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = folder / "prometheus.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={folder / 'prometheus.yml'}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: requests.get(f"{url}/-/ready", timeout=2).ok, 30, "Prometheus ready", log
        )
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def query(url: str, promql: str) -> list[dict]:
    answer = requests.get(f"{url}/api/v1/query", params={"query": promql}, timeout=5)
    body = answer.json()
    assert body["status"] == "success", f"{promql}: {body}"
    return body["data"]["result"]


def test_real_prometheus_scrapes_every_service_of_the_local_stack(stack, prometheus):
    url, log = prometheus
    for name in COMPONENTS:
        for _ in range(3):
            requests.get(f"{stack.url(name)}/api/openapi.json", timeout=30)

    def all_targets_up():
        active = requests.get(f"{url}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        healths = {t["labels"]["component"]: t["health"] for t in active}
        return healths if healths == dict.fromkeys(COMPONENTS, "up") else None

    wait_until(all_targets_up, 60, "every target up", log)

    def every_service_counted():
        series = query(url, "sum by (component, service) (kinerja_http_requests_total)")
        seen = {(s["metric"]["component"], s["metric"]["service"]) for s in series}
        return seen if seen == {(name, name) for name in COMPONENTS} else None

    # each port serves its own service's requests, counted over all gunicorn workers
    wait_until(every_service_counted, 60, "kinerja_http_requests_total of every service", log)
    counted = query(
        url, 'sum by (service) (kinerja_http_requests_total{endpoint="/api/openapi.json"})'
    )
    assert {s["metric"]["service"]: float(s["value"][1]) >= 3 for s in counted} == dict.fromkeys(
        COMPONENTS, True
    )
    assert {s["metric"]["component"] for s in query(url, "up == 1")} == set(COMPONENTS)
    # the workers' metrics arrive through their web process's multiprocess folder: every
    # consumer samples its queue's depth every 5 s
    consumers = {n for n in COMPONENTS if service_definition(n).subscriptions.patterns}

    def every_consumer_reports_its_queue():
        series = query(url, "kinerja_queue_depth_messages")
        return {s["metric"]["service"] for s in series} == consumers

    wait_until(every_consumer_reports_its_queue, 30, "the workers' queue depths", log)


def test_real_prometheus_evaluates_every_alert_rule_without_error(stack, prometheus):
    url, log = prometheus

    def evaluated_rules():
        groups = requests.get(f"{url}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        if len(rules) != len(alert_rules()) or any(r["health"] == "unknown" for r in rules):
            return None
        return rules

    rules = wait_until(evaluated_rules, 30, "every rule evaluated", log)
    broken = {rule["name"]: rule.get("lastError") for rule in rules if rule["health"] != "ok"}
    assert not broken


def test_real_prometheus_accepts_every_dashboard_query(stack, prometheus):
    """Grafana's variables filled in as Grafana would, each query runs as an instant query:
    a syntax or type error (a counter where a histogram should be) fails here."""
    url, log = prometheus
    substitutions = {
        "$__rate_interval": "1m",
        "$__interval": "1m",
        "$__range": "5m",
        "$service": ".*",
    }
    failures = {}
    for path in sorted((ROOT / "deploy/grafana/dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for variable, value in substitutions.items():
                    expr = expr.replace(variable, value)
                assert "$" not in expr, f"{path.name}: unknown variable in {expr}"
                answer = requests.get(f"{url}/api/v1/query", params={"query": expr}, timeout=5)
                if answer.json()["status"] != "success":
                    failures[f"{path.name}: {panel['title']}"] = answer.json().get("error")
    assert not failures

    # the RED dashboard's request rate shows a line per service (once each target has been
    # scraped twice: rate() needs two samples)
    def a_rate_per_service():
        rates = query(
            url, 'sum by (service) (rate(kinerja_http_requests_total{service=~".*"}[1m]))'
        )
        return {s["metric"]["service"] for s in rates} == set(COMPONENTS)

    wait_until(a_rate_per_service, 30, "a request rate per service", log)
