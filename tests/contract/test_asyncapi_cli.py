"""The event contract passes the official AsyncAPI CLI with no problem at all, not even an 'information'.

Another dealer system's first check of our contract is ``asyncapi validate``; it also tells when
the document is not on the latest AsyncAPI version, which is how we moved to 3.1.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dealer_testing.npm_tools import npm_tool

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_CLI_VERSION = "4.1.1"


def test_the_official_asyncapi_cli_finds_no_problem_in_the_contract() -> None:
    cli = npm_tool("asyncapi", "@asyncapi/cli", ASYNCAPI_CLI_VERSION, "asyncapi")
    environment = {**os.environ, "HOME": str(cli.parents[2])}  # the CLI keeps its settings in HOME: ours
    subprocess.run([str(cli), "config", "analytics", "--disable"], capture_output=True, check=True, timeout=120,
                   env=environment)  # the CLI would otherwise try to send usage data off this machine
    result = subprocess.run([str(cli), "validate", str(ROOT / "contracts" / "asyncapi.yaml"), "--fail-severity",
                             "hint"], capture_output=True, text=True, timeout=300, env=environment)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "asyncapi.yaml is valid!" in report, report
    assert "don't have governance issues" in report, report
    assert "Skipping submitting anonymous metrics" not in report, report
