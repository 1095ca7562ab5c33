"""deploy/gunicorn.conf.py: workers sized by the CPUs, connections after the fork, a graceful stop."""
from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

CONF = str(Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py")


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("WEB_CONCURRENCY", "DEALER_WEB_CONCURRENCY", "GUNICORN_GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_workers_follow_the_cpus_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = settings(monkeypatch)
    assert conf["workers"] == 2 * conf["available_cpus"]() + 1
    assert 1 <= conf["available_cpus"]() <= len(__import__("os").sched_getaffinity(0))


def test_web_concurrency_overrides_the_worker_count_and_empty_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3
    conf = settings(monkeypatch, WEB_CONCURRENCY="")
    assert conf["workers"] == 2 * conf["available_cpus"]() + 1


def test_compose_sets_the_worker_count_through_dealer_web_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    # gunicorn reads WEB_CONCURRENCY itself on import and dies on "" (seen on the first real compose start),
    # so compose passes its value, maybe empty, as DEALER_WEB_CONCURRENCY.
    assert settings(monkeypatch, DEALER_WEB_CONCURRENCY="4")["workers"] == 4
    conf = settings(monkeypatch, DEALER_WEB_CONCURRENCY="")
    assert conf["workers"] == 2 * conf["available_cpus"]() + 1
    compose = (Path(CONF).parents[1] / "docker-compose.yml").read_text()
    assert "DEALER_WEB_CONCURRENCY: ${WEB_CONCURRENCY:-}" in compose
    assert "\n  WEB_CONCURRENCY:" not in compose


def test_each_worker_builds_the_app_and_its_connections_after_the_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = settings(monkeypatch)
    assert conf["preload_app"] is False
    assert callable(conf["post_fork"]), "post_fork drops any database engine inherited from the master"


def test_a_stop_waits_for_requests_in_flight_before_the_container_kills(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = settings(monkeypatch)
    assert conf["graceful_timeout"] == 30 and conf["worker_class"] == "sync"
    assert settings(monkeypatch, GUNICORN_GRACEFUL_TIMEOUT="10")["graceful_timeout"] == 10
