"""Write ``deploy/k8s/services/<service>.yaml``: each service's web and worker for Kubernetes.

The five services differ only in name, port and command, so their manifests are
generated from one template rather than copied five times; the commands are the
Procfile's lines, as in docker-compose.yml. Run after changing the template or the
Procfile: ``python deploy/k8s/build_manifests.py`` (a test checks the files are current).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "services"
SERVICES = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}
IMAGE = "dealer"  # kustomization.yaml's `images:` sets the registry and tag
HEARTBEAT_CHECK = ("import os, sys, time; "
                   "sys.exit(time.time() - os.path.getmtime(os.environ['DEALER_WORKER_HEARTBEAT']) > 30)")


def procfile() -> dict[str, str]:
    """The Procfile's ``name: command`` lines."""
    sys.path.insert(0, str(ROOT))
    from dealer_cli.cli import procfile_entries

    return procfile_entries(ROOT / "Procfile")


def dns(service: str) -> str:
    """Kubernetes names take no underscore: ``after_sales`` -> ``after-sales``."""
    return service.replace("_", "-")


def labels(service: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": dns(service), "app.kubernetes.io/component": component,
            "app.kubernetes.io/part-of": "dealer"}


def secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def environment(service: str) -> list[dict[str, Any]]:
    """What a pod of ``service`` reads (shared/config.py): broker, its database, secrets, peers."""
    upper = service.upper()
    return [
        secret_env("RABBITMQ_USER", "dealer-rabbitmq-default-user", "username"),
        secret_env("RABBITMQ_PASSWORD", "dealer-rabbitmq-default-user", "password"),
        {"name": "AMQP_URL", "value": "amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@dealer-rabbitmq:5672/"},
        secret_env(f"{upper}_DATABASE_URL", "dealer-secrets", f"{upper}_DATABASE_URL"),
        secret_env("DEALER_JWT_SECRET", "dealer-secrets", "DEALER_JWT_SECRET"),
        {"name": f"{upper}_RELAY_WAKE", "value": f"{dns(service)}-worker:{SERVICES[service] + 1000}"},
    ]


def container(service: str, component: str, command: str) -> dict[str, Any]:
    """The one container of a web or worker pod: the image, the Procfile command, locked down."""
    return {
        "name": component,
        "image": IMAGE,
        "command": ["/bin/sh", "-c"],
        "args": [command],
        "envFrom": [{"configMapRef": {"name": "dealer-config"}}],
        "env": environment(service),
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        # The root is read-only: /tmp is a scratch volume, and gunicorn's workers share
        # their Prometheus counters through files in /tmp/prometheus (PROMETHEUS_MULTIPROC_DIR).
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "metrics", "mountPath": "/tmp/prometheus"}],
    }


def pod(service: str, component: str, main: dict[str, Any], grace: int) -> dict[str, Any]:
    return {
        "metadata": {"labels": labels(service, component)},
        "spec": {
            "terminationGracePeriodSeconds": grace,
            "enableServiceLinks": False,  # no injected <SERVICE>_PORT variables next to the settings
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [main],
            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
                        {"name": "metrics", "emptyDir": {"sizeLimit": "64Mi"}}],
            "topologySpreadConstraints": [{
                "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": labels(service, component)}}],
        },
    }


def deployment(service: str, component: str, replicas: int, template: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"{dns(service)}-{component}", "labels": labels(service, component)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels(service, component)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": template,
        },
    }


def web(service: str, command: str) -> list[dict[str, Any]]:
    """Deployment, Service, autoscaler and disruption budget of a service's API."""
    port, name = SERVICES[service], f"{dns(service)}-web"
    main = container(service, "web", command)
    main["ports"] = [{"name": "http", "containerPort": port}]
    main["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 10,
                              "timeoutSeconds": 5, "failureThreshold": 3}
    main["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 20,
                             "timeoutSeconds": 5, "failureThreshold": 3}
    main["startupProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2,
                            "failureThreshold": 30}
    # Leave the endpoints before gunicorn stops listening; then it finishes requests in flight.
    main["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    main["resources"] = {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
    main["env"].append({"name": "WEB_CONCURRENCY", "value": "3"})
    return [
        deployment(service, "web", 2, pod(service, "web", main, grace=45)),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels(service, "web")},
         "spec": {"selector": labels(service, "web"),
                  "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}]}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": name, "labels": labels(service, "web")},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                  "minReplicas": 2, "maxReplicas": 6,
                  "metrics": [{"type": "Resource", "resource": {
                      "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
                  "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
         "metadata": {"name": name, "labels": labels(service, "web")},
         "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(service, "web")}}},
    ]


def worker(service: str, command: str) -> list[dict[str, Any]]:
    """Deployment, relay-poke Service and disruption budget of a service's worker."""
    port, name = SERVICES[service] + 1000, f"{dns(service)}-worker"
    main = container(service, "worker", command)
    main["ports"] = [{"name": "relay-wake", "containerPort": port, "protocol": "UDP"}]
    beat = {"exec": {"command": ["python", "-c", HEARTBEAT_CHECK]}, "periodSeconds": 15, "timeoutSeconds": 5}
    main["readinessProbe"] = {**beat, "failureThreshold": 2}
    main["livenessProbe"] = {**beat, "initialDelaySeconds": 30, "failureThreshold": 4}
    main["resources"] = {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
    return [
        deployment(service, "worker", 2, pod(service, "worker", main, grace=50)),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": labels(service, "worker")},
         "spec": {"selector": labels(service, "worker"),
                  "ports": [{"name": "relay-wake", "port": port, "targetPort": "relay-wake", "protocol": "UDP"}]}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
         "metadata": {"name": name, "labels": labels(service, "worker")},
         "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(service, "worker")}}},
    ]


def render(service: str, commands: dict[str, str]) -> str:
    """One service's manifests as YAML documents."""
    documents = web(service, commands[f"{service}-web"]) + worker(service, commands[f"{service}-worker"])
    head = "# Generated by deploy/k8s/build_manifests.py from the Procfile: edit the script, not this file.\n"
    return head + yaml.safe_dump_all(documents, sort_keys=False, width=120)


def rendered() -> dict[Path, str]:
    """Every generated file and its text."""
    commands = procfile()
    return {OUTPUT / f"{dns(service)}.yaml": render(service, commands) for service in SERVICES}


def main() -> int:
    """Write the files; with ``--check``, only say whether they are current."""
    files = rendered()
    if "--check" in sys.argv[1:]:
        stale = [path.name for path, text in files.items() if not path.exists() or path.read_text() != text]
        if stale:
            print(f"stale: {', '.join(stale)}: run python deploy/k8s/build_manifests.py")
        return 1 if stale else 0
    OUTPUT.mkdir(exist_ok=True)
    for path, text in files.items():
        path.write_text(text)
    print(f"wrote {len(files)} files under {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
