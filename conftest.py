"""Root pytest configuration: every test suite shares the fixtures of the ``dealer_testing`` plugin."""
pytest_plugins = ["dealer_testing.plugin"]
