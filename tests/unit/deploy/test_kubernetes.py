"""deploy/k8s validates offline and gives the worker and the lag exporter only settings,
flags and files they accept.

Core kinds are validated by kubernetes-validate (its bundled schemas, strict). The KEDA
ScaledObject and the ServiceMonitor are CRDs it has no schema for: they get structural
checks here (names, selectors, ports, the replica cap), not a schema validation.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.suppression import SubjectHasher
from streams.security import load_security
from streams.settings import Settings
from tests.kafkit import REPO
from tests.unit.deploy import accepted

K8S = REPO / "deploy" / "k8s"
CRDS = {("keda.sh/v1alpha1", "ScaledObject"), ("monitoring.coreos.com/v1", "ServiceMonitor")}
KUBERNETES_VERSION = "1.31.0"  # the oldest release still supported when this was written


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def find(kind: str, name: str) -> dict[str, Any]:
    found = [doc for _, doc in documents()
             if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return found[0]


def test_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in K8S.glob("*.yaml")
                                    if p.name != "kustomization.yaml")


@pytest.mark.parametrize("version", [KUBERNETES_VERSION, "1.37.0"])
def test_core_kinds_validate_strictly(version: str) -> None:
    checked = 0
    for name, doc in documents():
        if (doc["apiVersion"], doc["kind"]) in CRDS:
            continue
        kubernetes_validate.validate(doc, version, strict=True)  # raises on any error
        checked += 1
        assert "namespace" not in doc["metadata"], name  # kustomize or -n decides
    assert checked >= 6


def test_crds_are_the_kinds_expected() -> None:
    kinds = {(doc["apiVersion"], doc["kind"]) for _, doc in documents()}
    assert kinds >= CRDS
    for api, kind in CRDS:  # the validator really has no schema for them
        with pytest.raises(kubernetes_validate.SchemaNotFoundError):
            kubernetes_validate.validate({"apiVersion": api, "kind": kind,
                                          "metadata": {"name": "x"}}, KUBERNETES_VERSION)


def container(deployment: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in deployment["spec"]["template"]["spec"]["containers"]
                if c["name"] == name]
    return found


def worker_env() -> dict[str, str]:
    worker = container(find("Deployment", "logwarden-worker"), "worker")
    return {e["name"]: e["value"] for e in worker["env"]}


def test_worker_probes_ports_resources_and_user() -> None:
    deployment = find("Deployment", "logwarden-worker")
    spec = deployment["spec"]["template"]["spec"]
    worker = container(deployment, "worker")
    assert worker["command"] == ["logwarden", "worker"]
    assert worker["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert worker["readinessProbe"]["httpGet"]["path"] == "/readyz"
    (port,) = worker["ports"]
    env = worker_env()
    assert port["containerPort"] == int(env["LOGWARDEN_WEB_PORT"])
    assert env["LOGWARDEN_WEB_HOST"] == "0.0.0.0"  # the kubelet probes it
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == env["LOGWARDEN_WEB_PORT"]
    # one data-plane process per pod, one core each (README "Scale-out")
    assert int(env.get("LOGWARDEN_PROCESSES", "1")) == 1
    assert worker["resources"]["requests"]["cpu"] == "1"
    assert "cpu" not in worker["resources"]["limits"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert worker["securityContext"]["readOnlyRootFilesystem"] is True


def test_secrets_are_mounted_0400_and_copied_to_the_workers_user() -> None:
    for name in ("logwarden-worker", "logwarden-lag"):
        spec = find("Deployment", name)["spec"]["template"]["spec"]
        uid = spec["securityContext"]["runAsUser"]
        secrets = [v for v in spec["volumes"] if "secret" in v and v["name"] != "kafka-ca"]
        assert secrets
        assert all(v["secret"]["defaultMode"] == 0o400 for v in secrets)
        (init,) = spec["initContainers"]
        script = init["command"][-1]
        assert f"-o {uid} -g {uid} -m 0400" in script
        mounted = {m["name"] for m in init["volumeMounts"]}
        assert {v["name"] for v in secrets} <= mounted
        assert "fsGroup" not in spec["securityContext"]  # it would add group read


def test_worker_flags_and_variables_are_accepted() -> None:
    worker = container(find("Deployment", "logwarden-worker"), "worker")
    unknown = set(worker_env()) - accepted.command_env("worker")
    assert not unknown, f"the worker reads no such variable: {sorted(unknown)}"
    accepted.parse_args("worker", worker.get("args", []))


def test_lag_exporter_flags_and_variables_are_accepted() -> None:
    lag = container(find("Deployment", "logwarden-lag"), "lag")
    assert lag["command"] == ["logwarden", "lag"]
    env = {e["name"]: e["value"] for e in lag["env"]}
    unknown = set(env) - accepted.command_env("lag")
    assert not unknown, f"`logwarden lag` reads no such variable: {sorted(unknown)}"
    params = accepted.parse_args("lag", lag["args"])
    assert params["serve_port"] == lag["ports"][0]["containerPort"]
    assert env["LOGWARDEN_APP_ID"] == "logwarden"  # the group the ScaledObject's query names


def materialize(deployment: dict[str, Any], name: str, root: Path) -> dict[str, str]:
    """Lay out the container's mounted files under `root` as the kubelet and the init
    container would (ConfigMap keys, Secret items as 0400 files with generated values);
    return its environment with paths under `root`."""
    spec = deployment["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    config = find("ConfigMap", "logwarden-config")["data"]
    secret_values = {
        "pseudonym-keys": PseudonymKeyring.generate_line("k1"),
        "suppression-key": "s1:" + base64.b64encode(os.urandom(32)).decode(),
        "sasl-password": "generated-for-the-test",
        "ca.pem": "",
    }
    copied: dict[str, str] = {}  # what the init container installs into its target volume
    for init in spec.get("initContainers", []):
        for mount in init["volumeMounts"]:
            items = volumes[mount["name"]].get("secret", {}).get("items", [])
            copied |= {item["path"]: secret_values[item["key"]] for item in items}
    for mount in container(deployment, name)["volumeMounts"]:
        volume = volumes[mount["name"]]
        target = root / mount["mountPath"].lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        if "configMap" in volume:
            items = volume["configMap"].get("items") or [{"key": k, "path": k} for k in config]
            files = {item["path"]: config[item["key"]] for item in items}
        elif "secret" in volume:
            files = {i["path"]: secret_values[i["key"]] for i in volume["secret"]["items"]}
        elif volume.get("emptyDir", {}).get("medium") == "Memory":
            files = copied
        for file, text in files.items():
            (target / file).write_text(text)
            (target / file).chmod(0o400)
    env = {e["name"]: e["value"] for e in container(deployment, name)["env"]}
    for key, value in env.items():
        if value.startswith("/"):
            mounts = [m["mountPath"] for m in container(deployment, name)["volumeMounts"]]
            assert any(value.startswith(m + "/") or value == m for m in mounts), (key, value)
            env[key] = str(root / value.lstrip("/"))
            if not key.endswith("_DIR"):
                assert Path(env[key]).is_file(), f"{key}={value}: no such file in the pod"
    return env


def test_worker_starts_from_what_the_pod_holds(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's own loaders accept every file the manifests give it: settings,
    client config, keys (mode 0400), the policy."""
    env = materialize(find("Deployment", "logwarden-worker"), "worker", tmp_path)
    for key in list(os.environ):
        if key.startswith("LOGWARDEN_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    security = load_security()
    assert security.security_protocol == "SASL_SSL"
    assert security.sasl_password is not None
    settings = Settings(security=security)
    assert settings.exactly_once is True
    assert settings.partitions == 12
    assert PseudonymKeyring.from_env(os.environ).current_id == "k1"
    assert SubjectHasher.from_env(os.environ).key_id == "s1"
    assert load_policy(settings.policy_path) is not None


def test_lag_exporter_reads_what_its_pod_holds(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    env = materialize(find("Deployment", "logwarden-lag"), "lag", tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert load_security().sasl_password is not None


def test_policy_config_map_is_the_shipped_policy() -> None:
    policy = find("ConfigMap", "logwarden-config")["data"]["policy.yaml"]
    assert policy == (REPO / "deploy" / "policy" / "default.yaml").read_text(), (
        "deploy/k8s/config.yaml's policy.yaml differs from deploy/policy/default.yaml")


def test_pod_disruption_budget_selects_the_workers() -> None:
    pdb = find("PodDisruptionBudget", "logwarden-worker")["spec"]
    labels = find("Deployment", "logwarden-worker")["spec"]["template"]["metadata"]["labels"]
    assert pdb["maxUnavailable"] == 1
    assert pdb["selector"]["matchLabels"].items() <= labels.items()


def test_scaled_object_scales_the_workers_on_time_lag_up_to_the_partitions() -> None:
    """Structural check of the KEDA CRD (no schema in kubernetes-validate)."""
    scaled = find("ScaledObject", "logwarden-worker")["spec"]
    assert scaled["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": "logwarden-worker"}
    processes = int(worker_env().get("LOGWARDEN_PROCESSES", "1"))
    partitions = int(worker_env()["LOGWARDEN_PARTITIONS"])
    assert scaled["maxReplicaCount"] * processes == partitions
    assert 1 <= scaled["minReplicaCount"] <= scaled["maxReplicaCount"]
    (trigger,) = scaled["triggers"]
    assert trigger["type"] == "prometheus"
    assert trigger["metricType"] in ("Value", "AverageValue")
    query = trigger["metadata"]["query"]
    assert "kafka_consumergroup_group_lag_seconds" in query
    assert 'job="logwarden-lag"' in query  # the exporter's job (ServiceMonitor relabeling)
    assert float(trigger["metadata"]["threshold"]) > 0
    assert trigger["metadata"]["serverAddress"].startswith("http")
    assert set(scaled) <= {"scaleTargetRef", "minReplicaCount", "maxReplicaCount",
                           "pollingInterval", "cooldownPeriod", "advanced", "triggers"}


@pytest.mark.parametrize(("monitor", "service", "job"), [
    ("logwarden-worker", "logwarden-worker", "logwarden"),
    ("logwarden-lag", "logwarden-lag", "logwarden-lag"),
])
def test_service_monitors_select_a_service_port(monitor: str, service: str, job: str) -> None:
    """Structural check of the Prometheus-operator CRD: selector and port name resolve."""
    spec = find("ServiceMonitor", monitor)["spec"]
    svc = find("Service", service)
    assert spec["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()
    ports = {p["name"] for p in svc["spec"]["ports"]}
    for endpoint in spec["endpoints"]:
        assert endpoint["port"] in ports
        assert endpoint["path"] == "/metrics"
        assert {"targetLabel": "job", "replacement": job} in endpoint["relabelings"]
