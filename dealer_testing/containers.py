"""The test fixtures' containers: RabbitMQ and PostgreSQL from testcontainers (see plugin.py's docstring).

Why not just the official images: where Docker Hub cannot be reached (mainland China, CI here) they cannot be
pulled, so the local stand-ins that deploy/images/build.sh builds from Debian packages are used instead.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTAINERS_VAR = "DEALER_TEST_CONTAINERS"
# The official image -> the local stand-in deploy/images/build.sh builds from Debian packages.
LOCAL_IMAGES = {"rabbitmq:3.13-management": "dealer-local/rabbitmq:3.10-management",
                "postgres:16": "dealer-local/postgres:15"}


def containers_asked() -> bool:
    """``DEALER_TEST_CONTAINERS=1``: containers whatever the variables say; no engine is then a failure."""
    if os.environ.get(CONTAINERS_VAR) != "1":
        return False
    if not docker_engine():
        pytest.fail(f"{CONTAINERS_VAR}=1 but no Docker engine answers: start one (dockerd) or unset it.")
    return True


def container_image(official: str) -> str:
    """The official image when here or pullable, else its local stand-in (built when missing)."""
    import docker
    from docker.errors import DockerException

    client = docker.from_env(timeout=120)
    try:
        for attempt in (client.images.get, client.images.pull):
            try:
                attempt(official)
                return official
            except DockerException:
                continue
        local = LOCAL_IMAGES[official]
        try:
            client.images.get(local)
        except DockerException:
            subprocess.run(["sh", str(ROOT / "deploy" / "images" / "build.sh")], check=True,
                           stdout=subprocess.DEVNULL)
        if not os.environ.get("TESTCONTAINERS_RYUK_DISABLED"):
            try:  # Ryuk, testcontainers' reaper, is a Docker Hub image too: without it, each `with` removes its own
                client.images.get(os.environ.get("RYUK_CONTAINER_IMAGE", "testcontainers/ryuk:0.8.1"))
            except DockerException:
                os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"
        return local
    finally:
        client.close()


@contextmanager
def session_variable(name: str, value: str) -> Iterator[str]:
    """``name=value`` in the environment for the session, so settings read from it find the container too."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield value
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def docker_engine() -> bool:
    """Whether a Docker engine answers (DOCKER_HOST, else the local socket)."""
    if not (os.environ.get("DOCKER_HOST") or Path("/var/run/docker.sock").exists()):
        return False
    try:
        import docker

        client = docker.from_env()
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - no engine, no containers
        return False
