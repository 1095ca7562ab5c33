"""No full phone or ID number in any log line: message, traceback, stack, extra fields, gunicorn's own lines.

The numbers below are made up but well formed (an 11-digit mobile, an 18-character resident ID with its
right check character); each test looks for their exact digits in what was written.
"""
from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from dealer_testing import ROOT, free_port, wait_for
from shared.logs import ContextFilter, json_formatter
from shared.privacy import mask_text

PHONE, MASKED_PHONE = "13912345678", "139****5678"
ID_NUMBER, MASKED_ID = "110101199003074514", "110101********4514"


@pytest.fixture
def json_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing through the platform's JSON handler (formatter and filters) into a buffer."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(json_formatter())
    handler.addFilter(ContextFilter("probe"))
    logger = logging.getLogger(f"test.masking.{id(out)}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, out
    logger.removeHandler(handler)


def _fail_with_the_customer_in_the_message() -> None:
    raise ValueError(f"duplicate key: Key (phone)=({PHONE}) already exists; id {ID_NUMBER}")


def _log_with_stack(logger: logging.Logger) -> None:
    logger.info("stack of a lookup", stack_info=True)  # this line shows in the stack, the phone with it: 13912345678


def test_a_traceback_quoting_the_customer_is_masked_in_the_json_line(json_log) -> None:
    logger, out = json_log
    try:
        _fail_with_the_customer_in_the_message()
    except ValueError:
        logger.exception("filing failed")
    line = json.loads(out.getvalue())
    assert PHONE not in out.getvalue() and ID_NUMBER not in out.getvalue()
    assert f"Key (phone)=({MASKED_PHONE}) already exists; id {MASKED_ID}" in line["exc_info"]
    assert line["message"] == "filing failed" and line["service"] == "probe"


def test_a_stack_holding_a_phone_is_masked_in_the_json_line(json_log) -> None:
    logger, out = json_log
    _log_with_stack(logger)
    line = json.loads(out.getvalue())
    assert PHONE not in out.getvalue()
    assert f"the phone with it: {MASKED_PHONE}" in line["stack_info"]


def test_every_extra_field_is_masked_keys_nested_values_and_numbers_included(json_log) -> None:
    logger, out = json_log
    logger.warning("customer %s called", PHONE, extra={
        "customer": {"phone": PHONE, "documents": [ID_NUMBER, "passport"]}, "caller": int(PHONE),
        "note": f"wife +86 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}", f"by_{PHONE}": 1, "count": 3})
    text = out.getvalue()
    line = json.loads(text)  # still one valid JSON line
    assert PHONE not in text and ID_NUMBER not in text and "1234 5678" not in text
    assert line["message"] == f"customer {MASKED_PHONE} called"
    assert line["customer"] == {"phone": MASKED_PHONE, "documents": [MASKED_ID, "passport"]}
    assert line["caller"] == MASKED_PHONE and line["note"] == f"wife +86 {MASKED_PHONE}"
    assert line[f"by_{MASKED_PHONE}"] == 1 and line["count"] == 3


def test_a_line_without_personal_data_is_written_unchanged(json_log) -> None:
    logger, out = json_log
    logger.info("order %s placed", "20261122000001", extra={"event_id": "5f1a3b2c-1d2e-4f5a-9b8c-713812345678"})
    line = json.loads(out.getvalue())
    assert line["message"] == "order 20261122000001 placed"
    assert line["event_id"] == "5f1a3b2c-1d2e-4f5a-9b8c-713812345678"  # a longer number is no phone


@pytest.mark.parametrize(("text", "masked"), [
    (f"+86{PHONE}", f"+86{MASKED_PHONE}"),
    (f"86{PHONE}", f"86{MASKED_PHONE}"),
    (f"0086-{PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}", f"0086-{MASKED_PHONE}"),
    (f"tel {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}.", f"tel {MASKED_PHONE}."),
    (f"phone={PHONE}&x=1", f"phone={MASKED_PHONE}&x=1"),
    (f"ID{ID_NUMBER}", f"ID{MASKED_ID}"),
    ("11010119900307451X", "110101********451X"),
])
def test_phones_as_people_type_them_and_ids_next_to_letters_are_masked_in_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_an_uncaught_exception_in_a_thread_is_logged_masked_not_printed_raw() -> None:
    script = textwrap.dedent(f"""
        import threading
        from shared.logs import configure_logging
        configure_logging("probe")
        def work():
            raise RuntimeError("no file for {PHONE}")
        thread = threading.Thread(target=work, name="filer")
        thread.start()
        thread.join()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert PHONE not in done.stderr and PHONE not in done.stdout
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "uncaught exception in thread filer"
    assert f"RuntimeError: no file for {MASKED_PHONE}" in line["exc_info"]


APP = '''
def app(environ, start_response):
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("lookup failed for " + environ["QUERY_STRING"])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''


def test_gunicorn_access_and_error_lines_mask_the_phone_in_a_query_string(tmp_path: Path) -> None:
    """The deploy settings, with gunicorn's access log turned on: a query string's phone is masked."""
    (tmp_path / "probeapp.py").write_text(APP)
    port, log_path = free_port(), tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--chdir", str(tmp_path), "--access-logfile", "-", "probeapp:app"],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: _status(f"http://127.0.0.1:{port}/?phone={PHONE}") == 200, timeout=30,
                 interval=0.1, message="gunicorn to answer")
        assert _status(f"http://127.0.0.1:{port}/boom?phone=%2B86{PHONE}&id={ID_NUMBER}") == 500
        wait_for(lambda: "/boom" in log_path.read_text(), timeout=10, message="the access line of /boom")
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log_path.read_text()
    assert PHONE not in written and ID_NUMBER not in written
    assert f"GET /?phone={MASKED_PHONE} HTTP/1.1" in written  # the access line, masked
    assert f"RuntimeError: lookup failed for phone=%2B86{MASKED_PHONE}&id={MASKED_ID}" in written  # the traceback


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0
