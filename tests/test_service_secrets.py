"""Every service's web app refuses to start with the token secret published in the example files (issue 11)."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.config import SecretRefused

SERVICES = ("leads", "orders", "inventory", "after_sales", "reporting")
EXAMPLE_JWT_SECRET = "change-me-to-a-long-random-secret-0123456789"


@pytest.mark.parametrize("service", SERVICES)
def test_create_app_refuses_the_example_secret_from_the_environment(service: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEALER_JWT_SECRET", EXAMPLE_JWT_SECRET)
    create_app = importlib.import_module(f"{service}.app").create_app
    with pytest.raises(SecretRefused, match=r"^DEALER_JWT_SECRET is a value published in this repository; make one"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"})


@pytest.mark.parametrize("service", SERVICES)
def test_create_app_without_a_secret_or_a_local_secret_file_refuses_to_start(service: str, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEALER_JWT_SECRET", raising=False)
    monkeypatch.setenv("DEALER_DATA_DIR", str(tmp_path / "data"))
    create_app = importlib.import_module(f"{service}.app").create_app
    with pytest.raises(SecretRefused, match=r"^DEALER_JWT_SECRET is empty or not set; make one"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"})
