"""The pytest plugin every suite of the project uses: real broker, real databases, real processes.

The broker and PostgreSQL come from ``AMQP_URL`` and ``TEST_POSTGRES_URL`` when
set (CI sets both); otherwise from testcontainers where a Docker engine runs;
otherwise the test fails with a message saying what to start. Never a skip.
``DEALER_TEST_CONTAINERS=1`` asks for the containers even where the variables are
set (CI's testcontainers leg), and fails when no engine answers. The containers run
the official images when present or pullable, else the local ones that
``deploy/images/build.sh`` builds from Debian packages (built here when missing), so
they start where Docker Hub cannot be reached; for the session, ``AMQP_URL`` and
``TEST_POSTGRES_URL`` name them, so nothing reaches the machine's own services.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

from dealer_testing.containers import container_image, containers_asked, docker_engine, session_variable
from shared.config import load_settings
from shared.web.auth import mint_token

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "test-secret-0123456789abcdef0123456789"


def wait_for(condition: Callable[[], T], timeout: float = 10.0, interval: float = 0.02,
             message: str = "condition") -> T:
    """Poll ``condition`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """A RabbitMQ to test against: AMQP_URL, or a container, or a clear failure."""
    url = os.environ.get("AMQP_URL")
    if url and not containers_asked():
        yield url
        return
    if docker_engine():
        image = container_image("rabbitmq:3.13-management")
        from testcontainers.community.rabbitmq import RabbitMqContainer

        with RabbitMqContainer(image) as rabbit:
            params = rabbit.get_connection_params()
            with session_variable("AMQP_URL", f"amqp://guest:guest@{params.host}:{params.port}/") as url:
                yield url
        return
    if _reachable("127.0.0.1", 5672):
        yield "amqp://guest:guest@127.0.0.1:5672/"
        return
    pytest.fail("No RabbitMQ: set AMQP_URL, start one on 127.0.0.1:5672 (rabbitmq-server -detached), "
                "or run a Docker engine for testcontainers.")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server URL on which tests may create databases."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url and not containers_asked():
        yield url
        return
    if docker_engine():
        image = container_image("postgres:16")
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer(image, driver=None) as pg, \
                session_variable("TEST_POSTGRES_URL", pg.get_connection_url()) as url:
            yield url
        return
    if _reachable("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
        return
    pytest.fail("No PostgreSQL: set TEST_POSTGRES_URL, start one on 127.0.0.1:5432, "
                "or run a Docker engine for testcontainers.")


def create_postgres_database(admin_url: str) -> str:
    """A new empty database on the test server; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(admin_url: str, url: str) -> None:
    """Drop a database made by ``create_postgres_database``."""
    import psycopg

    from shared.db import dispose_engines

    dispose_engines()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: the test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    url = create_postgres_database(admin)
    try:
        yield url
    finally:
        drop_postgres_database(admin, url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database."""
    url = create_postgres_database(postgres_admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(postgres_admin_url, url)


def free_port() -> int:
    """A TCP (and UDP) port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dealer_env(monkeypatch: pytest.MonkeyPatch, amqp_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment isolating this test on the shared broker: its own exchange and queue names."""
    namespace = f"t{uuid.uuid4().hex[:8]}."
    env = {"AMQP_URL": amqp_url, "DEALER_NAMESPACE": namespace, "DEALER_JWT_SECRET": DEFAULT_SECRET,
           "DEALER_DATA_DIR": str(tmp_path / "data"), "DEALER_RETRY_DELAYS_MS": "100,200"}
    for service in ("leads", "orders", "inventory", "after_sales", "reporting"):
        env[f"{service.upper()}_PORT"] = str(free_port())
        env[f"{service.upper()}_RELAY_WAKE"] = f"127.0.0.1:{free_port()}"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
    delete_namespace(amqp_url, namespace)


def delete_namespace(amqp_url: str, namespace: str) -> None:
    """Delete every queue and exchange a test declared under its namespace."""
    from shared import broker

    conn = broker.connect(amqp_url)
    try:
        for service in ("leads", "orders", "inventory", "after_sales", "reporting", "probe"):
            settings = load_settings(service)
            for queue in broker.queue_names(settings):
                channel = broker.raw_channel(conn)
                channel.queue_delete(queue)
                channel.close()
        channel = broker.raw_channel(conn)
        channel.exchange_delete(f"{namespace}dealer.events")
        channel.exchange_delete(f"{namespace}dealer.dead")
        channel.close()
    finally:
        conn.close()


def token(role: str, sub: str = "u1", secret: str | None = None) -> dict[str, str]:
    """An Authorization header for a role (signed with the test secret)."""
    signing = secret or os.environ.get("DEALER_JWT_SECRET", DEFAULT_SECRET)
    return {"Authorization": f"Bearer {mint_token(signing, role, sub)}"}


@dataclass
class RunningService:
    """A service started as real processes: gunicorn web and its worker."""

    name: str
    port: int
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    log_dir: Path = Path(".")
    logs: list[Any] = field(default_factory=list)

    def _log(self, role: str) -> Any:
        self.logs.append(open(self.log_dir / f"{self.name}-{role}.log", "ab"))  # noqa: SIM115 - closed in stop()
        return self.logs[-1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self) -> None:
        log = self._log("web")
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2", f"{self.name}.app:create_app()"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT))
        wait_for(self.ready, timeout=30, interval=0.1, message=f"{self.name} web to be ready")

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = self._log("worker")
        process = subprocess.Popen([sys.executable, "-m", "dealer_cli", "worker", self.name],
                                   env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def terminate(self) -> None:
        """Ask every process of the service to stop (SIGTERM), without waiting."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()

    def stop(self) -> None:
        """Stop the service's processes and wait for them (killed after 20 s)."""
        self.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.processes.clear()
        for log in self.logs:
            log.close()
        self.logs.clear()


def migrate(service: str, database_url: str) -> None:
    """Run a service's real migrations on a test database."""
    from shared.migrations import upgrade
    from shared.service import service as spec_of

    upgrade(spec_of(service), database_url)


@pytest.fixture
def start_service(dealer_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., RunningService]]:
    """Start services as real processes on fresh databases; stopped after the test."""
    started: list[RunningService] = []
    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)

    def start(name: str, database_url: str | None = None, worker: bool = True,
              extra_env: dict[str, str] | None = None) -> RunningService:
        url = database_url or f"sqlite:///{tmp_path / (name + '.db')}"
        migrate(name, url)
        from shared.service import declare_queues
        from shared.service import service as spec_of

        declare_queues(spec_of(name))
        env = {**os.environ, **dealer_env, f"{name.upper()}_DATABASE_URL": url, **(extra_env or {})}
        running = RunningService(name, int(dealer_env[f"{name.upper()}_PORT"]), env, log_dir=log_dir)
        started.append(running)
        running.start_web()
        if worker:
            running.start_worker()
        return running

    yield start
    for running in started:  # all stop together: their shutdowns overlap instead of adding up
        running.terminate()
    for running in reversed(started):
        running.stop()


def json_of(response: requests.Response) -> Any:
    """The JSON body, with the response shown when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        pytest.fail(f"not JSON ({response.status_code}): {response.text[:300]}")


class ClientCaller:
    """One member of staff calling a Flask test client: ``caller.post(url, json=...)`` with their token."""

    def __init__(self, client: Any, role: str, sub: str = "u1") -> None:
        self.client, self.headers = client, token(role, sub)

    def __getattr__(self, method: str) -> Callable[..., Any]:
        call = getattr(self.client, method)  # get, post, put, patch, delete
        return lambda url, **kw: call(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)


@pytest.fixture
def as_role(client: Any) -> Callable[..., ClientCaller]:
    """Call the suite's ``client`` as a role: ``as_role("consultant", "c1").post(url, json=...)``."""
    return lambda role, sub="u1": ClientCaller(client, role, sub)


def service_app(service: str, database_url: str) -> Iterator[Any]:
    """A service's real app on a freshly migrated database; its engines disposed afterwards.

    Each service's ``app`` fixture is ``yield from service_app("<service>", database_url)``.
    """
    import importlib

    from shared.db import dispose_engines

    migrate(service, database_url)
    create_app = importlib.import_module(f"{service}.app").create_app
    yield create_app({"DATABASE_URL": database_url, "JWT_SECRET": DEFAULT_SECRET, "TESTING": True})
    dispose_engines()


@pytest.fixture
def client(app: Any) -> Any:
    """The Flask test client of the suite's ``app``."""
    return app.test_client()
