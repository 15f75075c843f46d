"""The Kubernetes manifests (deploy/k8s) build, validate and hold what operations relies on.

Each kustomization is built with `kubectl kustomize` (kustomize v5, built into kubectl) and
every resource it yields is validated against the Kubernetes JSON schemas with
kubernetes-validate in strict mode, so an unknown or misspelt field fails too. Then the
properties the manifests promise: probes, resources and a non-root, read-only container
everywhere; a Service, a disruption budget and (in production) an autoscaler from two
replicas for every web Deployment; one image; the bus declared before a relay publishes;
and no real secret anywhere.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate is missing: pip install -e '.[test]'"
)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SECRET_EXAMPLE = K8S / "base" / "secret.example.yaml"

# The schemas checked against: a recent release, and one kubernetes-validate ships.
KUBERNETES_VERSION = "1.33"

OVERLAYS = ("dev", "production")
WEB_MODULES = {
    "gateway": "gateway.app",
    "targets": "services.targets.app",
    "logs": "services.logs.app",
    "feedback": "services.feedback.app",
    "appraisal": "services.appraisal.app",
}
SECRET_KEYS = {"MONGO_URL", "BROKER_URL", "JWT_SECRET", "UI_SECRET_KEY"}
SHARED_SETTINGS = {
    "MONGO_DB_PREFIX",
    "BUS_NAMESPACE",
    "BROKER_QUORUM_QUEUES",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "JWT_ACCESS_TTL_SECONDS",
    "JWT_REFRESH_TTL_SECONDS",
    "MAX_BODY_BYTES",
    "EVENT_MAX_ATTEMPTS",
    "MONGO_TIMEOUT_MS",
    "LOG_LEVEL",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "SECURE_COOKIES",
    "TARGETS_URL",
    "LOGS_URL",
    "FEEDBACK_URL",
    "APPRAISAL_URL",
}
# Every secret value in the repository must say it is one to replace.
PLACEHOLDER = "change-me"
UID = 10001  # the Dockerfile's user
MULTIPROC_DIR = "/tmp/metrics"  # the Dockerfile's PROMETHEUS_MULTIPROC_DIR
HOME = "/home/kinerja"  # gunicorn's control socket lives in ~/.gunicorn
DECLARE = ["kinerja", "events", "declare"]


# --- building and reading the manifests --------------------------------------------------


@cache
def kubectl_with_kustomize_5() -> str | None:
    """kubectl's path when its built-in kustomize is v5 or later (labels, components)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    answer = subprocess.run(
        [kubectl, "version", "--client", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    try:
        version = json.loads(answer.stdout)["kustomizeVersion"]
        major = int(version.lstrip("v").split(".")[0])
    except (ValueError, KeyError):
        return None
    return kubectl if major >= 5 else None


@cache
def kustomize(target: str) -> tuple[dict, ...]:
    """The resources `kubectl kustomize deploy/k8s/<target>` yields."""
    kubectl = kubectl_with_kustomize_5()
    if kubectl is None:
        pytest.skip(
            "kubectl with its built-in kustomize v5 is not installed: it builds the "
            "kustomizations (kubectl kustomize)"
        )
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {target} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def overlay(name: str) -> tuple[dict, ...]:
    return kustomize(f"overlays/{name}")


def of_kind(resources: tuple[dict, ...], kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def deployments(resources, component: str | None = None) -> dict[str, dict]:
    found = of_kind(resources, "Deployment")
    if component is None:
        return found
    return {
        name: d
        for name, d in found.items()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == component
    }


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: dict) -> dict:
    return workload["spec"]["template"]["metadata"]["labels"]


def all_containers(spec: dict) -> list[dict]:
    return spec.get("initContainers", []) + spec["containers"]


def workloads(resources) -> dict[str, dict]:
    """Everything that runs a Kinerja360 pod: the Deployments and the Job."""
    return {**of_kind(resources, "Deployment"), **of_kind(resources, "Job")}


def selects(selector: dict, labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def config(resources) -> dict[str, str]:
    (config_map,) = of_kind(resources, "ConfigMap").values()
    return config_map["data"]


def nginx_size(value: str) -> int:
    """nginx's size syntax (client_max_body_size): bytes, or k/m/g in powers of 1024."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    unit = value[-1].lower()
    return int(value[:-1]) * units[unit] if unit in units else int(value)


# --- schemas --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/production"])
def test_every_resource_validates_against_the_kubernetes_schemas(target):
    resources = kustomize(target)
    assert resources, f"{target} built nothing"
    for resource in resources:
        name = f"{target}: {resource['kind']}/{resource['metadata']['name']}"
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name} does not validate: {exc.message} at {list(exc.path)}")


@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/production"])
def test_every_resource_carries_the_common_labels(target):
    for resource in kustomize(target):
        labels = resource["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "kinerja360", resource["metadata"]
    for workload in workloads(kustomize(target)).values():
        labels = pod_labels(workload)
        assert labels.get("app.kubernetes.io/part-of") == "kinerja360"
        assert {"app.kubernetes.io/name", "app.kubernetes.io/component"} <= set(labels)


# --- secrets --------------------------------------------------------------------------------


def test_the_secret_example_is_a_valid_secret_of_placeholders_only():
    example = yaml.safe_load(SECRET_EXAMPLE.read_text())
    kubernetes_validate.validate(example, KUBERNETES_VERSION, strict=True)
    assert example["metadata"]["name"] == "kinerja-secrets"
    assert set(example["stringData"]) == SECRET_KEYS
    for key, value in example["stringData"].items():
        assert PLACEHOLDER in value, f"{key} in secret.example.yaml looks like a real value"


@pytest.mark.parametrize("target", ["base", "overlays/production"])
def test_base_and_production_generate_no_secret_so_apply_never_overwrites_one(target):
    assert of_kind(kustomize(target), "Secret") == {}


def test_the_dev_secret_holds_every_key_and_only_placeholders():
    (secret,) = of_kind(overlay("dev"), "Secret").values()
    assert secret["metadata"]["name"].startswith("kinerja-secrets")
    values = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert set(values) == SECRET_KEYS
    for key, value in values.items():
        assert PLACEHOLDER in value, f"dev's {key} looks like a real value"


# --- the processes --------------------------------------------------------------------------


@pytest.mark.parametrize("name", OVERLAYS)
def test_each_component_runs_a_web_and_a_worker_deployment_with_its_command(name):
    resources = overlay(name)
    web, worker = deployments(resources, "web"), deployments(resources, "worker")
    assert set(web) == set(WEB_MODULES)
    assert set(worker) == {f"{component}-worker" for component in WEB_MODULES}
    for component, module in WEB_MODULES.items():
        (container,) = pod_spec(web[component])["containers"]
        assert container["command"] == [
            "gunicorn",
            "--config",
            "python:kinerja.gunicorn_conf",
            f"{module}:create_app()",
        ]
        (container,) = pod_spec(worker[f"{component}-worker"])["containers"]
        assert container["command"] == ["kinerja", "worker", component, "--metrics-port", "9100"]


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_pod_runs_as_the_image_user_without_privileges(name):
    for workload_name, workload in workloads(overlay(name)).items():
        spec = pod_spec(workload)
        security = spec["securityContext"]
        assert security["runAsNonRoot"] is True, workload_name
        assert security["runAsUser"] == UID, workload_name
        assert security["seccompProfile"]["type"] == "RuntimeDefault", workload_name
        assert spec["automountServiceAccountToken"] is False, workload_name
        for container in all_containers(spec):
            context = container["securityContext"]
            where = f"{workload_name}/{container['name']}"
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_container_has_cpu_and_memory_requests_and_limits(name):
    for workload_name, workload in workloads(overlay(name)).items():
        for container in all_containers(pod_spec(workload)):
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(bound, {})), (
                    f"{workload_name}/{container['name']} lacks {bound}"
                )


@pytest.mark.parametrize("name", OVERLAYS)
def test_writable_folders_are_mounted_over_the_read_only_root(name):
    for workload_name, workload in workloads(overlay(name)).items():
        spec = pod_spec(workload)
        empty_dirs = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in all_containers(spec):
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            where = f"{workload_name}/{container['name']}"
            assert "/tmp" in mounts and MULTIPROC_DIR in mounts, where
            if container in spec["containers"] and workload["kind"] == "Deployment":
                assert HOME in mounts, f"{where}: gunicorn and fontconfig write into $HOME"
            assert set(mounts.values()) <= empty_dirs, where


@pytest.mark.parametrize("name", OVERLAYS)
def test_web_pods_probe_healthz_for_liveness_and_readyz_for_readiness(name):
    for deployment_name, deployment in deployments(overlay(name), "web").items():
        (container,) = pod_spec(deployment)["containers"]
        assert {"name": "http", "containerPort": 8000} in container["ports"], deployment_name
        assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        # only MongoDB decides: a broker or service outage keeps the pods in rotation
        readiness = {"path": "/readyz?require=mongodb", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == readiness
        # the gateway's /readyz asks every service with a 2 s time-out
        assert container["readinessProbe"]["timeoutSeconds"] > 2


@pytest.mark.parametrize("name", OVERLAYS)
def test_worker_pods_probe_their_metrics_port(name):
    for deployment_name, deployment in deployments(overlay(name), "worker").items():
        (container,) = pod_spec(deployment)["containers"]
        assert {"name": "metrics", "containerPort": 9100} in container["ports"], deployment_name
        for probe in ("livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}


@pytest.mark.parametrize("name", OVERLAYS)
def test_prometheus_annotations_name_each_pods_metrics_port(name):
    expected = {"web": "8000", "worker": "9100"}
    for component, port in expected.items():
        for deployment in deployments(overlay(name), component).values():
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/scrape"] == "true"
            assert annotations["prometheus.io/port"] == port
            assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("name", OVERLAYS)
def test_the_bus_is_declared_before_any_worker_publishes(name):
    resources = overlay(name)
    (job,) = of_kind(resources, "Job").values()
    (container,) = pod_spec(job)["containers"]
    assert container["command"] == DECLARE
    for deployment_name, deployment in deployments(resources, "worker").items():
        init = pod_spec(deployment).get("initContainers", [])
        assert [c["command"] for c in init] == [DECLARE], deployment_name


@pytest.mark.parametrize("name", OVERLAYS)
def test_one_image_runs_every_container(name):
    images = {
        container["image"]
        for workload in workloads(overlay(name)).values()
        for container in all_containers(pod_spec(workload))
    }
    assert len(images) == 1, images
    (image,) = images
    assert image.split("@")[0].split("/")[-1].split(":")[0] == "kinerja360"


def test_production_pins_its_image_in_a_registry():
    (image,) = {
        container["image"]
        for workload in workloads(overlay("production")).values()
        for container in all_containers(pod_spec(workload))
    }
    repository, _, digest = image.partition("@")
    assert "/" in repository, "production pulls from a registry"
    tag = repository.rsplit("/", 1)[-1].partition(":")[2]
    assert digest or tag not in ("", "latest", "dev", "local"), f"{image} is not pinned"


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_container_reads_the_shared_config_and_the_secret(name):
    resources = overlay(name)
    config_maps = set(of_kind(resources, "ConfigMap"))
    secrets = set(of_kind(resources, "Secret"))
    for workload_name, workload in workloads(resources).items():
        for container in all_containers(pod_spec(workload)):
            sources = container["envFrom"]
            (config_ref,) = [s["configMapRef"]["name"] for s in sources if "configMapRef" in s]
            (secret_ref,) = [s["secretRef"]["name"] for s in sources if "secretRef" in s]
            assert config_ref in config_maps, workload_name
            if name == "production":
                assert secret_ref == "kinerja-secrets"  # created out of band, by that name
            else:
                assert secret_ref in secrets, workload_name


@pytest.mark.parametrize("name", OVERLAYS)
def test_the_shared_config_holds_every_setting_and_quorum_queues(name):
    resources = overlay(name)
    settings = config(resources)
    assert set(settings) >= SHARED_SETTINGS, SHARED_SETTINGS - set(settings)
    assert not SECRET_KEYS & set(settings), "secrets belong in the Secret"
    assert settings["BROKER_QUORUM_QUEUES"] == "1"
    assert settings["SECURE_COOKIES"] == ("1" if name == "production" else "0")
    services = of_kind(resources, "Service")
    for component in ("targets", "logs", "feedback", "appraisal"):
        assert settings[f"{component.upper()}_URL"] == f"http://{component}:8000"
        assert component in services


# --- traffic --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_web_deployment_has_a_service_on_its_http_port(name):
    resources = overlay(name)
    services = of_kind(resources, "Service")
    for deployment_name, deployment in deployments(resources, "web").items():
        service = services[deployment_name]
        assert selects(service["spec"]["selector"], pod_labels(deployment))
        (port,) = service["spec"]["ports"]
        assert port == {"name": "http", "port": 8000, "targetPort": "http"}
        others = [d for n, d in deployments(resources).items() if n != deployment_name]
        assert not any(selects(service["spec"]["selector"], pod_labels(d)) for d in others)


def test_the_production_ingress_sends_https_to_the_gateway_with_room_for_max_body_bytes():
    resources = overlay("production")
    (ingress,) = of_kind(resources, "Ingress").values()
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    (rule,) = spec["rules"]
    (tls,) = spec["tls"]
    assert tls["secretName"] and rule["host"] in tls["hosts"]
    assert not rule["host"].endswith(".invalid"), "production sets its own host"
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/" and path["pathType"] == "Prefix"
    assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    body_size = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert nginx_size(body_size) >= int(config(resources)["MAX_BODY_BYTES"])


def test_production_network_policies_cover_every_pod_on_ports_it_has():
    resources = overlay("production")
    policies = of_kind(resources, "NetworkPolicy").values()
    for deployment_name, deployment in deployments(resources).items():
        labels = pod_labels(deployment)
        covering = [p for p in policies if _policy_selects(p["spec"]["podSelector"], labels)]
        assert covering, f"no NetworkPolicy selects {deployment_name}"
        ports = {p["name"] for c in pod_spec(deployment)["containers"] for p in c["ports"]}
        for policy in covering:
            for rule in policy["spec"]["ingress"]:
                assert {p["port"] for p in rule["ports"]} <= ports, policy["metadata"]["name"]
    gateway_pods = pod_labels(deployments(resources)["gateway"])
    (services_policy,) = [p for p in policies if p["metadata"]["name"] == "services-web"]
    sources = [
        s["podSelector"]
        for s in services_policy["spec"]["ingress"][0]["from"]
        if "podSelector" in s
    ]
    assert any(selects(s["matchLabels"], gateway_pods) for s in sources), "gateway is shut out"


def _policy_selects(selector: dict, labels: dict) -> bool:
    if not selects(selector.get("matchLabels", {}), labels):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "only In is understood here"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


# --- availability and scaling ---------------------------------------------------------------


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_that_still_lets_nodes_drain(name):
    resources = overlay(name)
    budgets = of_kind(resources, "PodDisruptionBudget").values()
    for deployment_name, deployment in deployments(resources).items():
        labels = pod_labels(deployment)
        (budget,) = [b for b in budgets if selects(b["spec"]["selector"]["matchLabels"], labels)]
        spec = budget["spec"]
        if "maxUnavailable" in spec:
            assert spec["maxUnavailable"] >= 1, deployment_name
        else:
            assert spec["minAvailable"] < deployment["spec"]["replicas"], deployment_name


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_autoscaler_scales_a_deployment_on_cpu(name):
    resources = overlay(name)
    names = set(deployments(resources))
    for autoscaler in of_kind(resources, "HorizontalPodAutoscaler").values():
        target = autoscaler["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in names
        assert autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"]
        (metric,) = autoscaler["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"


def test_dev_runs_one_replica_of_each_and_no_autoscaler():
    resources = overlay("dev")
    assert of_kind(resources, "HorizontalPodAutoscaler") == {}
    for deployment_name, deployment in deployments(resources).items():
        assert deployment["spec"]["replicas"] == 1, deployment_name


def test_production_runs_two_or_more_of_everything_and_autoscales_every_web_deployment():
    resources = overlay("production")
    autoscalers = {
        a["spec"]["scaleTargetRef"]["name"]: a
        for a in of_kind(resources, "HorizontalPodAutoscaler").values()
    }
    for deployment_name, deployment in deployments(resources).items():
        replicas = deployment["spec"]["replicas"]
        assert replicas >= 2, deployment_name
        if deployment_name in autoscalers:
            # equal, so a re-apply never scales below what the autoscaler keeps
            assert autoscalers[deployment_name]["spec"]["minReplicas"] == replicas
    assert set(deployments(resources, "web")) <= set(autoscalers)


def test_production_spreads_every_deployment_over_nodes_and_zones():
    for deployment_name, deployment in deployments(overlay("production")).items():
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        keys = {c["topologyKey"] for c in constraints}
        assert keys == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}, deployment_name
        for constraint in constraints:
            # counted per Deployment: its own name and component labels
            assert selects(constraint["labelSelector"]["matchLabels"], pod_labels(deployment))
            assert {"app.kubernetes.io/name", "app.kubernetes.io/component"} <= set(
                constraint["matchLabelKeys"]
            )
