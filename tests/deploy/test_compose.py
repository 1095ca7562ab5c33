"""docker-compose.yml, checked by reading it; `make compose-test` starts it for real."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}
INFRASTRUCTURE = {"rabbitmq", "postgres"}
ONE_SHOT = {"migrate"}


def app_containers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The long-running containers of the services (webs and workers)."""
    return {name: svc for name, svc in compose["services"].items() if name not in INFRASTRUCTURE | ONE_SHOT}


def shell_command(container: dict[str, Any]) -> str:
    """The command line a container's ``/bin/sh -c`` runs."""
    assert container["entrypoint"] == ["/bin/sh", "-c"], "commands run through a shell, as honcho runs them"
    assert isinstance(container["command"], list) and len(container["command"]) == 1
    return str(container["command"][0])


def test_compose_starts_exactly_the_processes_of_the_local_runner_with_the_same_commands(
        compose: dict[str, Any], procfile: dict[str, str]) -> None:
    containers = app_containers(compose)
    assert set(containers) == set(procfile)
    for name, command in procfile.items():
        assert shell_command(containers[name]) == command, name


def test_every_service_has_a_web_and_a_worker_from_the_one_image(compose: dict[str, Any]) -> None:
    containers = app_containers(compose)
    assert set(containers) == {f"{svc}-{kind}" for svc in SERVICES for kind in ("web", "worker")}
    images = {c["image"] for c in [*containers.values(), compose["services"]["migrate"]]}
    assert len(images) == 1
    for container in containers.values():
        assert container["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile", "args": {
            "PYTHON_IMAGE": "python:3.11-slim", "APT_MIRROR": "", "PIP_INDEX_URL": "https://pypi.org/simple",
            "EXTRA_CA_CERTS": ""}}


def test_base_images_come_from_variables_whose_defaults_are_the_official_images(compose_text: str) -> None:
    # deploy/images/build.sh builds local stand-ins for hosts that cannot reach Docker Hub.
    for default in ("${PYTHON_IMAGE:-python:3.11-slim}", "${RABBITMQ_IMAGE:-rabbitmq:3.13-management}",
                    "${POSTGRES_IMAGE:-postgres:16}"):
        assert default in compose_text, default
    images = (ROOT / "deploy" / "images")
    for name in ("python", "rabbitmq", "postgres"):
        dockerfile = (images / name / "Dockerfile").read_text()
        froms = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
        assert froms == ["FROM ${BASE_IMAGE}"], f"{name}: built on the debootstrapped root only"
    assert "debootstrap --variant=minbase" in (images / "build.sh").read_text()


def test_the_file_starts_with_debians_docker_compose_v1_too(compose: dict[str, Any],
                                                             env_example: dict[str, str]) -> None:
    # docker-compose 1.29 (Debian's) refuses a top-level `name:`; the project is named in .env instead.
    assert set(compose) == {"services", "volumes"} | {key for key in compose if key.startswith("x-")}
    assert env_example["COMPOSE_PROJECT_NAME"] == "dealer"


def test_postgres_is_healthy_only_once_it_answers_over_tcp(compose: dict[str, Any]) -> None:
    # During the first start the init scripts run on a socket-only server: pg_isready on the socket
    # would call it ready and let migrate connect over TCP too early.
    check = compose["services"]["postgres"]["healthcheck"]["test"]
    assert check[:2] == ["CMD", "pg_isready"] and check[check.index("-h") + 1] == "127.0.0.1"


def test_only_the_apis_and_reporting_are_published_each_on_its_own_port(compose: dict[str, Any]) -> None:
    published = {name: svc["ports"] for name, svc in compose["services"].items() if svc.get("ports")}
    assert published == {f"{svc}-web": [f"{port}:{port}"] for svc, port in SERVICES.items()}
    assert all("expose" not in svc and "network_mode" not in svc for svc in compose["services"].values())


def test_every_web_is_healthy_only_when_its_readyz_answers_and_every_worker_while_it_beats(
        compose: dict[str, Any]) -> None:
    for svc, port in SERVICES.items():
        check = compose["services"][f"{svc}-web"]["healthcheck"]
        assert check["test"][0] == "CMD"
        assert f"http://127.0.0.1:{port}/readyz" in " ".join(check["test"])
        assert check["interval"] and check["retries"] >= 3
    for svc in SERVICES:
        check = compose["services"][f"{svc}-worker"]["healthcheck"]
        assert "DEALER_WORKER_HEARTBEAT" in " ".join(check["test"]), "a worker is healthy while its heartbeat is fresh"
    assert compose["services"]["rabbitmq"]["healthcheck"]["test"]
    assert compose["services"]["postgres"]["healthcheck"]["test"]


def test_long_running_containers_restart_and_stop_gracefully(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        if name in ONE_SHOT:
            assert svc["restart"] == "no"
            continue
        assert svc["restart"] == "unless-stopped", name
        if name not in INFRASTRUCTURE:
            assert svc["init"] is True, f"{name}: an init forwards SIGTERM to the process"
            assert int(svc["stop_grace_period"].rstrip("s")) > 30, f"{name}: longer than the graceful timeout"


def test_migrations_run_once_and_complete_before_any_web_or_worker_starts(compose: dict[str, Any]) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["dealer migrate"]
    assert migrate["depends_on"] == {"rabbitmq": {"condition": "service_healthy"},
                                     "postgres": {"condition": "service_healthy"}}
    for name, container in app_containers(compose).items():
        assert container["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert container["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}, name
        assert container["depends_on"]["postgres"] == {"condition": "service_healthy"}, name


def test_each_service_reaches_only_its_own_database_as_its_own_user(compose: dict[str, Any],
                                                                     env_example: dict[str, str]) -> None:
    for svc in SERVICES:
        for kind in ("web", "worker"):
            env = compose["services"][f"{svc}-{kind}"]["environment"]
            password = env_example[f"{svc.upper()}_DB_PASSWORD"]
            assert env[f"{svc.upper()}_DATABASE_URL"] == f"postgresql://{svc}:{password}@postgres:5432/{svc}"
            others = [k for k in env if k.endswith("_DATABASE_URL") and k != f"{svc.upper()}_DATABASE_URL"]
            assert others == [], f"{svc}-{kind} must not know another service's database"
    init = (ROOT / "deploy" / "postgres" / "init-databases.sh").read_text()
    assert "leads orders inventory after_sales reporting" in init
    volumes = compose["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/init-databases.sh:/docker-entrypoint-initdb.d/10-init-databases.sh:ro" in volumes


def test_containers_listen_on_all_interfaces_and_reach_each_other_by_name(compose: dict[str, Any],
                                                                          env_example: dict[str, str]) -> None:
    for svc, port in SERVICES.items():
        for kind in ("web", "worker"):
            env = compose["services"][f"{svc}-{kind}"]["environment"]
            assert env["DEALER_BIND_HOST"] == "0.0.0.0"
            assert env["DEALER_RELAY_BIND"] == "0.0.0.0", "the worker's relay hears pokes from the web"
            assert env[f"{svc.upper()}_RELAY_WAKE"] == f"{svc}-worker:{port + 1000}"
            assert env["AMQP_URL"] == (f"amqp://{env_example['RABBITMQ_USER']}:{env_example['RABBITMQ_PASSWORD']}"
                                       "@rabbitmq:5672/")
            for other, other_port in SERVICES.items():
                assert env[f"{other.upper()}_URL"] == f"http://{other}-web:{other_port}"


def test_the_settings_a_container_loads_point_at_the_compose_network(compose: dict[str, Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.config import load_settings

    for svc, port in SERVICES.items():
        with monkeypatch.context() as patch:
            for key in ("DEALER_NAMESPACE", "DEALER_EXCHANGE", f"{svc.upper()}_PORT"):
                patch.delenv(key, raising=False)
            for key, value in compose["services"][f"{svc}-worker"]["environment"].items():
                patch.setenv(key, value)
            settings = load_settings(svc)
        assert settings.database_url.endswith(f"@postgres:5432/{svc}")
        assert settings.relay_wake_addr == (f"{svc}-worker", port + 1000)
        assert settings.relay_bind_addr == ("0.0.0.0", port + 1000)
        assert settings.exchange == "dealer.events" and settings.queue() == f"{svc}.events"
        assert not settings.amqp_url.startswith("amqp://guest:")


def test_secrets_come_only_from_the_uncommitted_env_file(compose_text: str, compose_variables: set[str],
                                                         env_example: dict[str, str]) -> None:
    assert compose_variables <= set(env_example), "every variable compose reads is in .env.example"
    secrets = {name for name in compose_variables if name.endswith(("PASSWORD", "SECRET"))}
    assert secrets >= {"RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "DEALER_JWT_SECRET",
                       *(f"{svc.upper()}_DB_PASSWORD" for svc in SERVICES)}
    for name in secrets:
        assert f"${{{name}:?" in compose_text, f"{name}: compose must refuse to start without it"
        assert env_example[name] not in compose_text, f"{name}: a literal value is in docker-compose.yml"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"
    tracked = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=ROOT, check=False)
    assert tracked.returncode == 1, ".env.example must be committable"


def test_no_retry_or_naming_override_reaches_the_containers(compose: dict[str, Any]) -> None:
    # The broker's definitions are generated with the default names and delays; an override
    # in a container would make its declarations differ and fail with PRECONDITION_FAILED.
    for name, container in {**app_containers(compose), "migrate": compose["services"]["migrate"]}.items():
        env = container["environment"]
        assert not {"DEALER_NAMESPACE", "DEALER_EXCHANGE", "DEALER_RETRY_DELAYS_MS"} & set(env), name


def test_rabbitmq_boots_with_the_committed_definitions_and_no_guest(compose: dict[str, Any]) -> None:
    rabbit = compose["services"]["rabbitmq"]
    assert rabbit["image"].endswith("-management")
    assert "./deploy/rabbitmq/definitions.json:/etc/rabbitmq/dealer/definitions.json:ro" in rabbit["volumes"]
    assert rabbit["entrypoint"] == ["/bin/sh", "/etc/rabbitmq/dealer/entrypoint.sh"]
    conf = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text()
    assert "load_definitions = /tmp/dealer-definitions.json" in conf
    assert "/tmp/dealer-definitions.json" in (ROOT / "deploy" / "rabbitmq" / "entrypoint.sh").read_text()
    assert rabbit["environment"]["RABBITMQ_USER"] != "guest"


def test_the_file_conforms_to_the_compose_specification(compose_text: str) -> None:
    import json
    from importlib.resources import files

    import yaml
    from jsonschema import validators

    spec = json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())
    validator = validators.validator_for(spec)(spec)
    assert [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(compose_text))] == []
    broken = yaml.safe_load(compose_text)
    broken["services"]["leads-web"]["restrat"] = "always"  # a misspelt key
    assert list(validator.iter_errors(broken)), "the specification check catches a misspelt key"
