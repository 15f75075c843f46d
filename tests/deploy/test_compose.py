"""docker-compose.yml: valid against the compose specification once .env.example's values
are filled in, and holding to the rules the deployment relies on (healthchecks, start-up
conditions, non-root processes, mounted files that exist, monitoring wired in).

No Docker engine is needed: the file is interpolated here the way compose does it and
validated with check-jsonschema's vendored compose-spec schema.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
KINERJA_IMAGE = "kinerja360:"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error},
# ${NAME:+alt}, ${NAME+alt}, $NAME, and $$ for a literal dollar.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution in one string value."""

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["plain"]
        op, arg, value = match["op"], match["arg"] or "", env.get(name)
        unset_or_empty = value is None or (value == "" and op and op.startswith(":"))
        if op in (":-", "-"):
            return arg if unset_or_empty else value
        if op in (":?", "?"):
            if unset_or_empty:
                raise KeyError(f"{name} is required: {arg}")
            return value
        if op in (":+", "+"):
            return "" if unset_or_empty else arg
        return value or ""

    return _VARIABLE.sub(substitute, text)


def interpolate_tree(node, env: dict[str, str]):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    return node


@pytest.fixture(scope="module")
def compose() -> dict:
    """The compose file as `docker compose config` would see it with .env.example as .env."""
    raw = yaml.safe_load(COMPOSE.read_text())  # resolves the anchors and `<<` merges
    return interpolate_tree(raw, read_env_file(ENV_EXAMPLE))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def kinerja_services(services: dict) -> dict:
    return {n: s for n, s in services.items() if s.get("image", "").startswith(KINERJA_IMAGE)}


def web_services(services: dict) -> dict:
    return {n: s for n, s in kinerja_services(services).items() if s["command"][0] == "gunicorn"}


def test_compose_file_is_valid_against_the_compose_spec_schema(compose, tmp_path):
    interpolated = tmp_path / "docker-compose.interpolated.yml"
    interpolated.write_text(yaml.safe_dump(compose, sort_keys=False))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(interpolated),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"check-jsonschema (pip package, in the test extra) failed:\n"
        f"{result.stdout}\n{result.stderr}"
    )


def test_env_example_sets_every_variable_the_compose_file_requires():
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?", COMPOSE.read_text()))
    assert {"JWT_SECRET", "RABBITMQ_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} <= required
    assert required <= set(read_env_file(ENV_EXAMPLE)), "add them to .env.example"


def test_every_service_has_a_healthcheck_or_is_a_one_shot(services):
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        if healthcheck.get("disable"):
            # a one-shot job: nothing to poll; what waits for it waits for its exit code
            assert service.get("restart") == "no", f"{name} disables its healthcheck"
            waiting = [
                other["depends_on"][name]["condition"]
                for other in services.values()
                if name in other.get("depends_on", {})
            ]
            assert waiting and set(waiting) == {"service_completed_successfully"}, name
        else:
            assert healthcheck["test"], f"{name}'s healthcheck has no test"


def test_every_dependency_names_its_condition(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: use the long depends_on syntax"
        for dependency, options in depends_on.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert options.get("condition") in (
                "service_healthy",
                "service_completed_successfully",
            ), f"{name} -> {dependency} needs a condition"


def test_kinerja_processes_run_as_the_images_non_root_user(services):
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.M)
    users = re.findall(r"^USER\s+(\S+)", stages[-1], flags=re.M)
    assert users and users[-1] not in ("root", "0"), "the runtime stage must end as non-root"
    web = web_services(services)
    assert set(web) == {"gateway", "targets", "logs", "feedback", "appraisal"}
    for name, service in kinerja_services(services).items():
        assert service.get("user") in (None, users[-1]), f"{name} overrides the image's user"


def test_runtime_image_has_weasyprints_system_libraries():
    runtime = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.M)[-1]
    instructions = runtime.replace("\\\n", " ")  # continuation lines joined
    install = re.search(r"^RUN .*apt-get install .*$", instructions, flags=re.M)
    assert install, "the runtime stage installs no Debian packages"
    words = install.group(0).split()
    for word in ("--no-install-recommends", "libpango-1.0-0", "libpangoft2-1.0-0"):
        assert word in words
    assert "fonts-dejavu-core" in words
    assert "rm -rf /var/lib/apt/lists/*" in install.group(0), "apt lists left in the image"


def test_every_mounted_file_exists(services):
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def mounts(service: dict) -> dict[str, str]:
    """Container path to repository path, for the service's bind mounts."""
    found = {}
    for volume in service.get("volumes", []):
        parts = volume.split(":")
        if parts[0].startswith("./"):
            found[parts[1]] = parts[0]
    return found


def test_prometheus_gets_its_config_and_rules_and_is_published_on_loopback_only(services):
    prometheus = services["prometheus"]
    assert prometheus["image"].startswith("prom/prometheus:")
    assert mounts(prometheus) == {
        "/etc/prometheus/prometheus.yml": "./deploy/prometheus/prometheus.yml",
        "/etc/prometheus/alerts.yml": "./deploy/prometheus/alerts.yml",
    }
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert all(port.startswith("127.0.0.1:") for port in prometheus["ports"])
    assert "/-/ready" in " ".join(prometheus["healthcheck"]["test"])


def test_grafana_is_provisioned_and_waits_for_prometheus(services):
    grafana = services["grafana"]
    assert grafana["image"].startswith("grafana/grafana:")
    assert grafana["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
    assert "/api/health" in " ".join(grafana["healthcheck"]["test"])
    assert [port.split(":")[-1] for port in grafana["ports"]] == ["3000"]
    assert "GRAFANA_ADMIN_PASSWORD:?" in COMPOSE.read_text(), "no default admin password"

    bound = mounts(grafana)
    assert bound["/etc/grafana/provisioning/datasources"] == (
        "./deploy/grafana/provisioning/datasources"
    )
    assert bound["/etc/grafana/provisioning/dashboards"] == (
        "./deploy/grafana/provisioning/dashboards"
    )
    providers = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/dashboards.yml").read_text()
    )["providers"]
    dashboards_path = providers[0]["options"]["path"]
    assert bound[dashboards_path] == "./deploy/grafana/dashboards"

    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(dashboards_path + "/")
    assert (ROOT / "deploy/grafana/dashboards" / Path(home).name).is_file()


def test_published_ports_are_only_the_gateway_grafana_and_loopback_ones(services):
    published = {name: s["ports"] for name, s in services.items() if s.get("ports")}
    assert set(published) == {"gateway", "grafana", "rabbitmq", "prometheus"}
    for name in ("rabbitmq", "prometheus"):
        assert all(port.startswith("127.0.0.1:") for port in published[name]), name
