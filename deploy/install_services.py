"""Install the platform into the image from wheels only (run by deploy/Dockerfile).

The shared kernel and every dependency go into the virtualenv as usual. Each
service goes into a folder of its own, ``<prefix>/<service>/``, with its
``migrations/`` beside its package, which is where ``worker.py`` looks for them;
a ``.pth`` file puts those folders on ``sys.path`` so the entry points are found.

usage: python install_services.py --wheels DIR --migrations DIR --prefix DIR [--site DIR] [--no-deps]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
from email.parser import Parser
from pathlib import Path

PTH_NAME = "dealer-services.pth"


def pip(*args: str) -> None:
    """Run pip of this interpreter, offline, against the wheel folder only."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", "--no-index", *args], check=True)


def service_wheels(wheels: Path) -> dict[str, Path]:
    """``{"leads": dealer_leads-0.1.0-py3-none-any.whl, ...}``: every wheel but the kernel's."""
    found = {}
    for wheel in sorted(wheels.glob("dealer_*.whl")):
        name = wheel.name.split("-", 1)[0].removeprefix("dealer_")
        if name != "shared":
            found[name] = wheel
    return found


def requirements(folder: Path) -> list[str]:
    """What an installed service declares it needs (its wheel's Requires-Dist)."""
    metadata = next(folder.glob("*.dist-info/METADATA")).read_text()
    return Parser().parsestr(metadata).get_all("Requires-Dist") or []


def install_service(name: str, wheel: Path, migrations: Path, prefix: Path, wheels: Path, deps: bool) -> Path:
    """One service into ``prefix/name`` with its migrations; its dependencies into the virtualenv."""
    folder = prefix / name
    pip("--no-deps", "--target", str(folder), str(wheel))
    shutil.copytree(migrations / name, folder / "migrations", dirs_exist_ok=True)
    if deps and requirements(folder):
        pip("--find-links", str(wheels), *requirements(folder))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--migrations", type=Path, required=True, help="holds <service>/ migration folders")
    parser.add_argument("--prefix", type=Path, required=True)
    parser.add_argument("--site", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--no-deps", action="store_true", help="skip the kernel and dependencies (tests)")
    args = parser.parse_args(argv)
    if not args.no_deps:
        pip("--find-links", str(args.wheels), "dealer-shared")
    folders = [install_service(name, wheel, args.migrations, args.prefix, args.wheels, not args.no_deps)
               for name, wheel in service_wheels(args.wheels).items()]
    args.site.mkdir(parents=True, exist_ok=True)
    (args.site / PTH_NAME).write_text("".join(f"{folder}\n" for folder in folders))
    print(f"installed {', '.join(f.name for f in folders) or 'no service'} under {args.prefix}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
