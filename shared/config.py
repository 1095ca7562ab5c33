"""Settings read from the environment, with defaults that work on a developer's machine.

One place decides every name a service uses on the broker and every URL it talks
to, so a test can point a whole service elsewhere by setting a few variables.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from shared.checkout import default_data_dir  # the one place that decides where ./var lives

DEFAULT_PORTS = {"leads": 8001, "orders": 8002, "inventory": 8003, "after_sales": 8004, "reporting": 8005}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def data_dir() -> Path:
    """Where the embedded SQLite files live (created on demand): ``DEALER_DATA_DIR``, else the checkout's ``var``."""
    path = Path(_env("DEALER_DATA_DIR", str(default_data_dir())))
    path.mkdir(parents=True, exist_ok=True)
    return path


JWT_SECRET_VAR = "DEALER_JWT_SECRET"
JWT_SECRET_FILE = "jwt-secret"
MIN_SECRET_LENGTH = 32
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'
#: Every secret value ever published in this repository (the code's old default, .env.example,
#: deploy/k8s/secrets.example.env): anyone can sign tokens with them, so no service accepts one.
#: shared/tests/test_secrets.py fails when an example file holds a value missing here.
PUBLISHED_SECRETS = frozenset({
    "dev-secret-change-me-0123456789abcdef",
    "change-me-to-a-long-random-secret-0123456789",
    "change-me",
    "change-me-rabbitmq",
    "change-me-postgres",
    "change-me-leads",
    "change-me-orders",
    "change-me-inventory",
    "change-me-after-sales",
    "change-me-reporting",
})


class SecretRefused(ValueError):
    """The token-signing secret is missing, published or too short; the message is one line for the operator."""


def check_jwt_secret(secret: str) -> str:
    """``secret`` if it may sign tokens; otherwise :class:`SecretRefused` naming the variable and the fix.

    A published or short secret lets anyone mint a manager's token, so a service refuses to start
    rather than run open (issue 11).
    """
    return check_secret(secret, JWT_SECRET_VAR)


def check_secret(secret: str, variable: str) -> str:
    """``secret`` if it is set, unpublished and long enough; otherwise :class:`SecretRefused` naming ``variable``."""
    if not secret:
        problem = "is empty or not set"
    elif secret.strip() in PUBLISHED_SECRETS:
        problem = "is a value published in this repository"
    elif len(secret) < MIN_SECRET_LENGTH:
        problem = f"is shorter than {MIN_SECRET_LENGTH} characters"
    else:
        return secret
    raise SecretRefused(f"{variable} {problem}; make one with: {MAKE_A_SECRET}")


PHONE_KEY_VAR = "PHONE_KEY_SECRET"
PHONE_KEY_LABEL = b"dealer phone key v1"  # fixed: changing it changes every phone's key, like a rotation


def phone_key_secret(jwt_secret: str) -> bytes:
    """The key of phones' pseudonyms (``shared.privacy.phone_key``): ``PHONE_KEY_SECRET``, else derived.

    Derived as HMAC-SHA256 of the token secret with a fixed label, so every service that shares the
    token secret makes the same keys with no new setting, and a key reveals nothing of the token
    secret. Either secret is refused like the token secret (empty, published, short): a known key
    would let anyone list the 2 billion mobile numbers' keys and read every phone back. An empty
    ``PHONE_KEY_SECRET`` counts as not set (compose passes optional variables empty).
    """
    own = os.environ.get(PHONE_KEY_VAR, "")
    if own:
        return check_secret(own, PHONE_KEY_VAR).encode()
    return hmac.new(check_jwt_secret(jwt_secret).encode(), PHONE_KEY_LABEL, hashlib.sha256).digest()


def local_secret_path() -> Path:
    """The local store's secret file, ``<DEALER_DATA_DIR>/jwt-secret``, which ``dealer run`` creates."""
    return data_dir() / JWT_SECRET_FILE


def _create_local_secret(path: Path) -> None:
    """Write a fresh secret readable by its owner only (0600).

    Written aside then hard-linked into place, so a reader never sees a half-written file and,
    when two processes create it at once, the first link wins and both use that one.
    """
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        os.link(aside, path)
    except FileExistsError:
        pass
    finally:
        aside.unlink(missing_ok=True)


def read_jwt_secret(create: bool = False) -> str:
    """``DEALER_JWT_SECRET`` when set, else the local secret file (made first if ``create``), else "".

    The file lets ``make run`` and ``dealer token`` agree on a secret without any configuration;
    the variable always wins, so a deployment's secret never comes from a stray file.
    """
    if JWT_SECRET_VAR in os.environ:  # even empty: whoever set it meant it, and is told it is refused
        return os.environ[JWT_SECRET_VAR]
    path = local_secret_path()
    if create and not path.exists():
        _create_local_secret(path)
    return path.read_text().strip() if path.exists() else ""


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
    quorum_size: int = 1  # replicas of each quorum queue (复制数): the cluster's node count
    delivery_limit: int = 0  # deliveries without an ack before a message is parked; 0: no limit declared

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


def node_urls(amqp_url: str) -> list[str]:
    """Each node's URL in ``AMQP_URL``: one, or a cluster's nodes separated by commas (or ``;`` as kombu writes).

    A node given as ``host:port`` takes the scheme, credentials and virtual host of the first URL, so
    ``amqp://u:p@10.0.0.1:5672/,10.0.0.2:5672,10.0.0.3:5672`` names a three-node cluster.
    """
    parts = [part.strip() for part in amqp_url.replace(";", ",").split(",") if part.strip()]
    if not parts:
        return [amqp_url]
    scheme, _, rest = parts[0].partition("://")
    credentials = rest.rpartition("@")[0]
    vhost = rest.partition("/")[2] if "/" in rest.rpartition("@")[2] else ""
    prefix = f"{scheme}://{credentials + '@' if credentials else ''}"
    return [part if "://" in part else f"{prefix}{part.rstrip('/')}/{vhost}" for part in parts]


DEFAULT_DELIVERY_LIMIT = 500  # on a cluster; about 8 min of a database outage (one redelivery a second)


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
    amqp_url = _env("AMQP_URL", "amqp://guest:guest@localhost:5672/")
    quorum_size = int(_env("DEALER_QUORUM_SIZE", str(len(node_urls(amqp_url)))))
    delivery_limit = int(_env("DEALER_DELIVERY_LIMIT", str(DEFAULT_DELIVERY_LIMIT if quorum_size > 1 else 0)))
    return Settings(
        service=service,
        database_url=_env(f"{upper}_DATABASE_URL", default_db),
        amqp_url=amqp_url,
        exchange=_env("DEALER_EXCHANGE", f"{namespace}dealer.events"),
        namespace=namespace,
        jwt_secret=read_jwt_secret(),
        timezone=ZoneInfo(_env("DEALER_TZ", "Asia/Shanghai")),
        port=port,
        relay_wake_addr=(wake_host, int(wake_port)),
        service_urls={name: service_url(name) for name in DEFAULT_PORTS},
        http_timeout=float(_env("DEALER_HTTP_TIMEOUT", "2.0")),
        prefetch=int(_env("DEALER_PREFETCH", "1000")),
        max_attempts=int(_env("DEALER_MAX_ATTEMPTS", "5")),
        relay_bind_host=_env("DEALER_RELAY_BIND", ""),
        quorum_size=quorum_size,
        delivery_limit=delivery_limit,
    )
