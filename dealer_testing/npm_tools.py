"""The ecosystem's own checkers (Spectral, the AsyncAPI CLI), installed from npm under ``var/tools`` once.

Outside teams check our documents with these tools rather than ours, so the contract tests run
them too; each is pinned, and installed on first use so a fresh checkout needs only Node.js and npm.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def npm_tool(folder: str, package: str, version: str, command: str) -> Path:
    """The path of ``command`` from ``package@version``, installed under ``var/tools/<folder>`` if missing."""
    tools = ROOT / "var" / "tools" / folder
    binary = tools / "node_modules" / ".bin" / command
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"{command} needs Node.js and npm: apt-get install nodejs npm")
    tools.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(tools),
                    f"{package}@{version}"], check=True, timeout=600)
    return binary
