"""Root pytest configuration: every test suite shares the fixtures of ``shared.testing``."""
pytest_plugins = ["shared.testing"]
