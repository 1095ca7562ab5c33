"""Settings read from the environment, with defaults that work on a developer's machine.

One place decides every name a service uses on the broker and every URL it talks
to, so a test can point a whole service elsewhere by setting a few variables.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_PORTS = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def data_dir() -> Path:
    """Where the embedded SQLite files live (created on demand)."""
    path = Path(_env("DEALER_DATA_DIR", str(Path.cwd() / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Settings:
    """Everything one service process needs to know about its surroundings."""

    service: str
    database_url: str
    amqp_url: str
    exchange: str
    namespace: str
    jwt_secret: str
    timezone: ZoneInfo
    port: int
    relay_wake_addr: tuple[str, int]
    service_urls: dict[str, str] = field(default_factory=dict)
    http_timeout: float = 2.0
    prefetch: int = 1000
    max_attempts: int = 5
    relay_bind_host: str = ""

    @property
    def relay_bind_addr(self) -> tuple[str, int]:
        """Where the worker's relay listens for pokes (``DEALER_RELAY_BIND``, e.g. 0.0.0.0 in a container)."""
        return self.relay_bind_host or self.relay_wake_addr[0], self.relay_wake_addr[1]

    def queue(self, suffix: str = "events") -> str:
        """The name of one of this service's queues, e.g. ``orders.events``."""
        return f"{self.namespace}{self.service}.{suffix}"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.namespace}dealer.dead"


def service_url(service: str) -> str:
    """Base URL of another department's HTTP API."""
    port = int(_env(f"{service.upper()}_PORT", str(DEFAULT_PORTS[service])))
    return _env(f"{service.upper()}_URL", f"http://127.0.0.1:{port}")


def load_settings(service: str) -> Settings:
    """Read one service's settings from the environment."""
    upper = service.upper()
    port = int(_env(f"{upper}_PORT", str(DEFAULT_PORTS.get(service, 8000))))
    default_db = f"sqlite:///{data_dir() / (service + '.db')}"
    wake_host, _, wake_port = _env(f"{upper}_RELAY_WAKE", f"127.0.0.1:{port + 1000}").rpartition(":")
    namespace = _env("DEALER_NAMESPACE", "")
    return Settings(
        service=service,
        database_url=_env(f"{upper}_DATABASE_URL", default_db),
        amqp_url=_env("AMQP_URL", "amqp://guest:guest@localhost:5672/"),
        exchange=_env("DEALER_EXCHANGE", f"{namespace}dealer.events"),
        namespace=namespace,
        jwt_secret=_env("DEALER_JWT_SECRET", "dev-secret-change-me-0123456789abcdef"),
        timezone=ZoneInfo(_env("DEALER_TZ", "Asia/Shanghai")),
        port=port,
        relay_wake_addr=(wake_host, int(wake_port)),
        service_urls={name: service_url(name) for name in DEFAULT_PORTS},
        http_timeout=float(_env("DEALER_HTTP_TIMEOUT", "2.0")),
        prefetch=int(_env("DEALER_PREFETCH", "1000")),
        max_attempts=int(_env("DEALER_MAX_ATTEMPTS", "5")),
        relay_bind_host=_env("DEALER_RELAY_BIND", ""),
    )
