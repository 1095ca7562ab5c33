"""deploy/Dockerfile: checked by reading it, and its install step run here into a temporary prefix."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), split into stages."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    found: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            found.append([])
        if found:  # the ARGs before the first FROM name the base image; global_args() reads them
            found[-1].append(line)
    return found


def global_args() -> dict[str, str]:
    """The ``ARG NAME=default`` lines before the first FROM."""
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    head = lines[:next(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))]
    return dict(line[4:].split("=", 1) for line in head if line.startswith("ARG ") and "=" in line)


def test_the_image_builds_wheels_in_a_builder_stage_and_installs_only_wheels_in_a_slim_one() -> None:
    builder, final = stages()
    assert builder[0] == "FROM ${PYTHON_IMAGE} AS builder"
    assert any("pip wheel" in line and "services/*/" in line for line in builder)
    assert final[0] == "FROM ${PYTHON_IMAGE}"
    copies = [line for line in final if line.startswith("COPY --from")]
    assert copies and all("--from=builder" in line for line in copies)
    install = " ".join(line for line in final if line.startswith("RUN"))
    assert "install_services.py --wheels /tmp/wheels" in install and "rm -rf /tmp/wheels" in install


def test_the_base_image_is_a_build_argument_whose_default_is_the_official_slim_python() -> None:
    # Where Docker Hub is blocked, PYTHON_IMAGE=dealer-local/python:3.11 (deploy/images/build.sh) replaces it.
    assert global_args() == {"PYTHON_IMAGE": "python:3.11-slim"}


def test_the_image_builds_with_the_classic_builder_pulling_no_frontend() -> None:
    text = DOCKERFILE.read_text()
    assert not [line for line in text.splitlines() if line.replace(" ", "").startswith("#syntax=")], \
        "a syntax line makes BuildKit pull its frontend from Docker Hub"
    assert "RUN --mount" not in text and "COPY --link" not in text, "BuildKit-only instructions"


def test_apt_and_pip_of_the_build_can_be_pointed_at_a_mirror_and_trust_a_proxy_ca() -> None:
    builder = " ".join(stages()[0])
    for argument in ("ARG APT_MIRROR=", "ARG PIP_INDEX_URL=https://pypi.org/simple", "ARG EXTRA_CA_CERTS="):
        assert argument in builder, argument
    assert 'sed -i "s#http://deb.debian.org/debian#$APT_MIRROR#g"' in builder
    assert "PIP_INDEX_URL=${PIP_INDEX_URL}" in builder and "update-ca-certificates" in builder
    final = " ".join(stages()[1])
    assert "PIP_INDEX_URL" not in final and "EXTRA_CA_CERTS" not in final, "the runtime installs offline"


def test_the_final_stage_has_no_build_tools_and_runs_as_a_non_root_user() -> None:
    final = " ".join(stages()[1])
    for tool in ("build-essential", "gcc", "apt-get install", "pip install -e", "git "):
        assert tool not in final, tool
    users = [line.split()[1] for line in stages()[1] if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the last USER is not root"
    assert "useradd --system --uid 10001" in final


def test_the_image_carries_what_the_procfile_commands_need() -> None:
    final = stages()[1]
    assert "WORKDIR /app" in final
    assert "COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py" in final
    env = " ".join(line for line in final if line.startswith("ENV"))
    for setting in ("DEALER_BIND_HOST=0.0.0.0", "DEALER_RELAY_BIND=0.0.0.0", "PATH=/opt/venv/bin:$PATH",
                    "PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus", "DEALER_WORKER_HEARTBEAT=/tmp/worker-alive"):
        assert setting in env, setting


ROOT_PACKAGES = ("shared", "contracts", "dealer_cli", "demo_store")


def test_the_dockerfile_copies_every_package_of_the_root_project() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert all(f"COPY {package} ./{package}" in dockerfile for package in ROOT_PACKAGES)


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".env", "**/node_modules", "**/__pycache__", "tests/"):
        assert entry in ignored, entry


def test_a_service_installed_from_its_wheel_finds_its_migrations_and_its_entry_point(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for package in ROOT_PACKAGES:  # what deploy/Dockerfile copies of the root project
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    shutil.copytree(ROOT / "services" / "leads", source / "services" / "leads",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "tests"))
    wheels, prefix = tmp_path / "wheels", tmp_path / "opt"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(source), str(source / "services" / "leads")],
                   check=True, capture_output=True)
    migrations = tmp_path / "migrations"
    shutil.copytree(source / "services" / "leads" / "migrations", migrations / "leads")
    subprocess.run([sys.executable, str(ROOT / "deploy" / "install_services.py"), "--wheels", str(wheels),
                    "--migrations", str(migrations), "--prefix", str(prefix), "--site", str(tmp_path / "site"),
                    "--no-deps"], check=True, capture_output=True)
    folder = prefix / "leads"
    assert (tmp_path / "site" / "dealer-services.pth").read_text() == f"{folder}\n"
    assert not list(prefix.glob("*/shared")), "the kernel goes into the virtualenv, not beside a service"
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from importlib.metadata import distributions;"
        "[ep] = [ep for d in distributions(path=[sys.argv[1]]) for ep in d.entry_points"
        "        if ep.group == 'dealer.services'];"
        "spec = ep.load(); print(spec.name, spec.migrations.resolve())"
    )
    shown = subprocess.run([sys.executable, "-c", probe, str(folder)], check=True, capture_output=True,
                           text=True, cwd=tmp_path).stdout.split()
    assert shown == ["leads", str((folder / "migrations").resolve())]
    assert (folder / "migrations" / "env.py").exists() and list((folder / "migrations" / "versions").glob("0001*"))
