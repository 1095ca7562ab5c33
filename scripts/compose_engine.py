"""The Docker engine and one compose project, for scripts/compose_stack.py.

The engine is Debian's `docker.io` (installed and `dockerd` started when missing and we are root or may
sudo); compose is `docker compose` (v2) where present, else Debian's `docker-compose` (v1.29). Base
images: the official ones when present or pullable, else local ones from deploy/images/build.sh.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# variable: (the official default, the local stand-in deploy/images/build.sh builds from Debian packages)
BASE_IMAGES = {"PYTHON_IMAGE": ("python:3.11-slim", "dealer-local/python:3.11"),
               "RABBITMQ_IMAGE": ("rabbitmq:3.13-management", "dealer-local/rabbitmq:3.10-management"),
               "POSTGRES_IMAGE": ("postgres:16", "dealer-local/postgres:15")}
PULL_SECONDS = 60


def say(line: str) -> None:
    print(f"[compose] {line}", flush=True)


def ok(*command: str, timeout: float = 30) -> bool:
    """Whether the command exits 0 (its output dropped)."""
    try:
        return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def as_root() -> list[str]:
    """The prefix that runs a command as root, or a clear stop when we may not."""
    if os.geteuid() == 0:
        return []
    if ok("sudo", "-n", "true"):
        return ["sudo", "-n"]
    raise SystemExit("[compose] no Docker engine runs and only root may start one: run "
                     "`sudo apt-get install docker.io docker-compose && sudo dockerd &`, then again")


def apt_install(*packages: str) -> None:
    say(f"installing {' '.join(packages)} (Debian)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not ok(*as_root(), "apt-get", "install", "-y", "-q", *packages, timeout=900):
        subprocess.run([*as_root(), "apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run([*as_root(), "apt-get", "install", "-y", "-q", *packages], check=True,
                       stdout=subprocess.DEVNULL, env=env)


def ensure_engine() -> str:
    """A running engine and a compose command; says what it had to do."""
    if ok("docker", "info"):
        return "running"
    if not shutil.which("dockerd"):
        apt_install("docker.io")
    log = ROOT / "var" / "dockerd.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        subprocess.Popen([*as_root(), "dockerd"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not ok("docker", "info"):
        if time.monotonic() > deadline:
            raise SystemExit(f"[compose] dockerd did not answer within 60 s: see {log}")
        time.sleep(1)
    return f"dockerd started (log: {log.relative_to(ROOT)})"


def compose_command() -> list[str]:
    if ok("docker", "compose", "version"):
        return ["docker", "compose"]
    if not shutil.which("docker-compose"):
        apt_install("docker-compose")
    return ["docker-compose"]


def read_env_file(path: Path) -> dict[str, str]:
    """The NAME=value lines of a compose .env file."""
    if not path.exists():
        return {}
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def extra_ca_certs() -> str:
    """The host's own CA certificates (update-ca-certificates' folder), so pip in the build trusts its proxy."""
    return "".join(Path(path).read_text() for path in sorted(glob.glob("/usr/local/share/ca-certificates/*.crt")))


class Stack:
    """One compose project: the checkout's compose file with one env file."""

    def __init__(self, env_file: Path, project: str | None) -> None:
        self.env_file, self.compose = env_file, compose_command()
        self.project = ["-p", project] if project else []
        self.env = {**os.environ, "DOCKER_BUILDKIT": "0"}  # the classic builder: no frontend image to pull
        self.env.setdefault("EXTRA_CA_CERTS", extra_ca_certs())
        if project:  # a throwaway project never takes the name of the checkout's own stack
            self.env.pop("COMPOSE_PROJECT_NAME", None)

    def run(self, *args: str, check: bool = True, quiet: bool = True) -> subprocess.CompletedProcess[str]:
        command = [*self.compose, "--env-file", str(self.env_file), *self.project, *args]
        out = subprocess.PIPE if quiet else None
        done = subprocess.run(command, cwd=ROOT, env=self.env, text=True, stdout=out, stderr=out, check=False)
        if check and done.returncode != 0:
            raise SystemExit(f"[compose] {' '.join(args)} failed:\n{(done.stderr or '')[-3000:]}")
        return done

    def choose_images(self) -> str:
        """Each base image as set (env, .env, default) when present or pullable, else the local stand-in."""
        settings, chosen, missing = read_env_file(self.env_file), [], []
        for variable, (official, local) in BASE_IMAGES.items():
            wanted = os.environ.get(variable) or settings.get(variable) or official
            if ok("docker", "image", "inspect", wanted) or (
                    not wanted.startswith("dealer-local/") and ok("docker", "pull", wanted, timeout=PULL_SECONDS)):
                self.env[variable] = wanted
            elif wanted in (official, local):
                self.env[variable] = local
                missing.append(official)
            else:
                raise SystemExit(f"[compose] {variable}={wanted} is neither here nor pullable")
            chosen.append(self.env[variable])
        if missing:
            say(f"cannot pull {', '.join(missing)}: using the local images of deploy/images/ "
                "(built from Debian packages where missing)")
            subprocess.run(["sh", str(ROOT / "deploy" / "images" / "build.sh")], check=True, env=self.env,
                           stdout=subprocess.DEVNULL)
        return ", ".join(chosen)

    def build(self) -> None:
        """One build: every web, worker and migrate runs the same image (compose v1 would build it 11 times)."""
        self.run("build", "-q", "migrate")
        ok("docker", "image", "prune", "-f", "--filter", "label=dealer.stage=builder", "--filter", "until=1h")

    def up_healthy(self, timeout: float = 300) -> str:
        """`up -d`, then wait until every long-running container is healthy and migrate exited 0."""
        self.run("up", "-d")
        deadline = time.monotonic() + timeout
        while (waiting := self.not_healthy()) and time.monotonic() < deadline:
            time.sleep(2)
        if waiting:
            raise SystemExit(f"[compose] not healthy after {timeout:.0f} s: {', '.join(waiting)}")
        return "every container healthy"

    def not_healthy(self) -> list[str]:
        ids = self.run("ps", "-a", "-q").stdout.split()
        states = subprocess.run(["docker", "inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} "
                                 "{{if .State.Health}}{{.State.Health.Status}}{{end}}", *ids],
                                capture_output=True, text=True, check=False).stdout.splitlines()
        waiting = []
        for line in states:
            name, status, code, *health = line.split()
            if "migrate" in name and status == "exited" and code != "0":
                raise SystemExit(f"[compose] {name.lstrip('/')} failed:\n" + self.run("logs", "migrate").stdout[-3000:])
            if "migrate" not in name and health != ["healthy"]:
                waiting.append(f"{name.lstrip('/')} {status} {' '.join(health)}".strip())
        return waiting

    def restart(self, service: str) -> None:
        say(f"restarting {service}")
        self.run("restart", service)

    def no_dead_letters(self) -> None:
        """Nothing parked: every dead-letter queue of the broker is empty."""
        listing = self.run("exec", "-T", "rabbitmq", "rabbitmqctl", "-q", "list_queues", "name", "messages").stdout
        parked = [line for line in listing.splitlines() if ".dead" in line and line.split()[-1] != "0"]
        if parked:
            raise SystemExit(f"[compose] events were dead-lettered: {parked}")

    def show_failure(self) -> None:
        self.run("ps", check=False, quiet=False)
        self.run("logs", "--tail", "40", check=False, quiet=False)

    def down(self, volumes: bool) -> None:
        self.run("down", *(["-v"] if volumes else []), "--remove-orphans", check=False)
