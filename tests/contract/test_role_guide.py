"""The guide per role (docs/guide/): a page for each role, linked, its route table current and true.

The tables are generated from the routes' guards by ``docs/guide/build_route_tables.py``; these tests
check that the committed pages are what it writes today, that every route a page lists really lets the
role through (and every other ``/api/v1`` route refuses it), and that every ``api ...`` example on a
page names a route the role may call, with query parameters and body fields the route's schema takes.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from dealer_testing import DEFAULT_SECRET, migrate
from shared.actors import ROLES
from shared.config import DEFAULT_PORTS
from shared.db import dispose_engines
from shared.web.auth import mint_token

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"
BUILDER = GUIDE / "build_route_tables.py"
SERVICES = ("leads", "orders", "inventory", "after_sales", "reporting")
DASHBOARD_JS = sorted((ROOT / "services" / "reporting" / "reporting" / "static").glob("dashboard*.js"))
# The brief's seven jobs, written out by hand: a page dropped from the builder fails here.
JOBS = {"consultant", "online_sales", "back_office", "inventory_clerk", "after_sales", "sales_manager", "ops"}
# Until the online_sales role exists the DCC page shows what either stand-in token may do; both must may.
STAND_INS = {"online_sales": ("back_office", "consultant")}
PATH_VALUES = {"vin": "LSVAU2182N2183290", "month": "2026-11"}
NOTHING_STORED = "00000000-0000-4000-8000-000000000000"
ROW = re.compile(r"^\| (\w+) \| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", re.M)


def load_builder() -> ModuleType:
    """The generator script as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("build_route_tables", BUILDER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


builder = load_builder()


def table_rows(page_file: str) -> set[tuple[str, str, str]]:
    """(service, method, path) of each row of a page's generated table."""
    text = (GUIDE / page_file).read_text()
    block = text[text.index("<!-- routes:begin"):text.index("<!-- routes:end -->")]
    return set(ROW.findall(block))


def flask_rule_path(path: str) -> str:
    """``/api/v1/leads/{lead_id}`` with its parameters filled with values that name nothing stored."""
    return re.sub(r"\{([^}]+)\}", lambda m: PATH_VALUES.get(m.group(1), NOTHING_STORED), path)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    """Every service's app on its own freshly migrated SQLite database."""
    directory = tmp_path_factory.mktemp("guide")
    built = {}
    for service in SERVICES:
        url = f"sqlite:///{directory / f'{service}.db'}"
        migrate(service, url)
        create_app = importlib.import_module(f"{service}.app").create_app
        built[service] = create_app({"DATABASE_URL": url, "JWT_SECRET": DEFAULT_SECRET})
    yield built
    dispose_engines()


def api_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every ``/api/v1`` route the app serves, written as the guide writes them."""
    return [(method, re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule))
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]


def test_every_role_has_a_page_linked_from_the_guide_index_and_from_the_readme() -> None:
    index, readme = (GUIDE / "README.md").read_text(), (ROOT / "README.md").read_text()
    assert {page.role for page in builder.PAGES} == JOBS
    assert set(ROLES) - {"service"} <= JOBS, "a role people sign in with has no page"
    for page in builder.PAGES:
        assert (GUIDE / page.file).is_file(), page.file
        assert f"]({page.file})" in index, f"docs/guide/README.md does not link {page.file}"
        assert f"](docs/guide/{page.file})" in readme, f"README.md does not link docs/guide/{page.file}"
    assert "](docs/guide/README.md)" in readme or "](docs/guide/)" in readme


def test_the_committed_tables_are_what_the_generator_writes_from_the_guards_today() -> None:
    result = subprocess.run([sys.executable, str(BUILDER), "--check"], capture_output=True, text=True,
                            check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_table_edited_by_hand_is_found_stale_and_rewritten(tmp_path: Path) -> None:
    for page in (*builder.PAGES, builder.Page("", builder.INDEX, "")):
        shutil.copy(GUIDE / page.file, tmp_path / page.file)
    committed = (tmp_path / "consultant.md").read_text()
    edited = re.sub(r"^\| leads \| POST \| `/api/v1/leads` \|.*\n", "", committed, flags=re.M)
    assert edited != committed  # the consultant files leads: that row was there
    (tmp_path / "consultant.md").write_text(edited)
    pages = builder.rendered(builder.collect_routes(), tmp_path)
    assert pages[tmp_path / "consultant.md"] == committed


def test_a_page_without_its_markers_is_refused_by_name(tmp_path: Path) -> None:
    for page in (*builder.PAGES, builder.Page("", builder.INDEX, "")):
        (tmp_path / page.file).write_text("<!-- routes:begin -->\n<!-- routes:end -->\n")
    (tmp_path / "ops.md").write_text("# Ops\n\nNo table here.\n")
    with pytest.raises(SystemExit, match="ops.md"):
        builder.rendered([], tmp_path)


def test_the_dcc_table_lists_nothing_until_a_route_lets_online_sales_through() -> None:
    agenda = builder.Route("leads", "GET", "/api/v1/agenda", ("consultant", "online_sales"), "The day's work.")
    filing = builder.Route("leads", "POST", "/api/v1/leads", ("consultant",), "File a customer.")
    today = builder.role_table("online_sales", [agenda, filing], ("consultant", "sales_manager"))
    assert not any(line.startswith("| leads") for line in today)
    assert "`online_sales`" in today[0]
    later = builder.role_table("online_sales", [agenda, filing], ("consultant", "online_sales"))
    assert [line for line in later if line.startswith("| leads")] == [
        "| leads | GET | `/api/v1/agenda` | The day's work. | consultant |"]


@pytest.mark.parametrize("page", [p for p in builder.PAGES if p.role in ROLES], ids=lambda p: p.role)
def test_each_route_in_a_roles_table_lets_the_role_through_and_every_other_refuses_it(
        page: Any, apps: dict[str, Flask]) -> None:
    listed = table_rows(page.file)
    headers = {"Authorization": f"Bearer {mint_token(DEFAULT_SECRET, page.role, 'u1')}"}
    served, wrong = set(), []
    for service, app in apps.items():
        client = app.test_client()
        for method, path in api_routes(app):
            served.add((service, method, path))
            body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            status = client.open(flask_rule_path(path), method=method, headers=headers, **body).status_code
            if (service, method, path) in listed and status in (401, 403):
                wrong.append(f"{service} {method} {path}: listed, but answered {status}")
            elif (service, method, path) not in listed and status != 403:
                wrong.append(f"{service} {method} {path}: not listed, but answered {status} (not 403)")
    assert wrong == []
    assert listed <= served, f"rows naming no served route: {sorted(listed - served)}"


def test_the_consultant_and_the_clerk_tables_hold_what_domain_md_gives_each() -> None:
    consultant, clerk = table_rows("consultant.md"), table_rows("inventory-clerk.md")
    assert ("leads", "POST", "/api/v1/leads") in consultant  # owns leads
    assert ("orders", "POST", "/api/v1/orders") in consultant  # places orders
    assert ("inventory", "POST", "/api/v1/vehicles") not in consultant
    assert ("inventory", "POST", "/api/v1/vehicles/{vin}/inspection") in clerk  # receives and inspects
    assert not any(service == "leads" for service, _, _ in clerk)  # no customer data
    assert ("reporting", "POST", "/api/v1/admin/rebuild") in table_rows("ops.md")


def test_every_report_the_dashboard_reads_is_one_the_generated_dashboard_line_can_name() -> None:
    pages = "".join(script.read_text() for script in DASHBOARD_JS)
    read = set(re.findall(r"[`\"](/(?:reports/[a-z/-]+|scorecards|commissions))", pages))
    named = {r.rule.removeprefix("/api/v1") for r in builder.collect_routes()
             if r.service == "reporting" and r.method == "GET" and r.rule.startswith(builder.DASHBOARD_READS)}
    assert {"/reports/groups", "/reports/weekly", "/scorecards", "/commissions"} <= read <= named
    assert "`reports/funnel`" not in builder.dashboard_lines("consultant", builder.collect_routes())[0]


@dataclass
class Example:
    """One ``api ...`` call written on a page."""

    page: str
    line: str
    method: str = "GET"
    url: str = ""
    body: dict[str, Any] = field(default_factory=dict)


def parse_example(page: str, command: str) -> Example:
    """Method, URL and JSON body of a curl call through the pages' ``api`` helper."""
    words = shlex.split(command, comments=True)
    words = words[:words.index("|")] if "|" in words else words
    example, method = Example(page, command), None
    for flag, value in zip(words, [*words[1:], ""], strict=True):
        if flag == "-X":
            method = value
        elif flag == "-d":
            example.body = json.loads(value)
        elif flag.startswith("http://127.0.0.1:"):
            example.url = flag
    example.method = method or ("POST" if example.body else "GET")
    return example


def examples_of(page_file: str) -> list[Example]:
    """Every ``api`` call in the page's shell blocks and inline code, continued lines joined."""
    text = (GUIDE / page_file).read_text()
    commands = [m.group(1) for m in re.finditer(r"(?<!`)`(api [^`]+)`", text)]
    pending = ""
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if not pending and not line.startswith("api "):
                continue
            pending = f"{pending}\n{line}" if pending else line
            try:
                shlex.split(pending.rstrip("\\"), comments=True)
            except ValueError:  # a quote still open: the JSON goes on on the next line
                continue
            if not line.rstrip().endswith("\\"):
                commands.append(pending.replace("\\\n", " "))
                pending = ""
    return [parse_example(page_file, command) for command in commands]


def schema_at(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its ``$ref`` followed."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_problems(spec: dict[str, Any], schema: dict[str, Any], body: Any, where: str) -> list[str]:
    """Fields the example sends that the schema lacks, and required ones it leaves out."""
    schema = schema_at(spec, schema)
    if not isinstance(body, dict) or "properties" not in schema:
        return []
    known, required = schema["properties"], set(schema.get("required", []))
    problems = [f"{where}{name}: not a field of the route" for name in body if name not in known]
    problems += [f"{where}{name}: required, not sent" for name in sorted(required - set(body))]
    for name, value in body.items():
        if name in known:
            problems += body_problems(spec, known[name], value, f"{where}{name}.")
    return problems


def example_problems(example: Example, apps: dict[str, Flask], roles: tuple[str, ...]) -> list[str]:
    """What is wrong with one example: an unknown route, a role it refuses, a field or parameter it lacks."""
    parts = urlsplit(example.url)
    service = next((s for s in SERVICES if DEFAULT_PORTS[s] == parts.port), None)
    if service is None:
        return [f"{example.line}: no service answers on port {parts.port}"]
    app = apps[service]
    try:
        endpoint, _ = app.url_map.bind("127.0.0.1").match(parts.path, method=example.method)
    except Exception as exc:  # noqa: BLE001 - NotFound or MethodNotAllowed: the message says which
        return [f"{example.line}: {service} serves no {example.method} {parts.path} ({exc})"]
    allowed = getattr(app.view_functions[endpoint], "_required_roles", ())
    problems = [f"{example.line}: {role} may not call it" for role in roles if allowed and role not in allowed]
    rule = next(r.rule for r in app.url_map.iter_rules(endpoint=endpoint))
    spec = app.test_client().get("/openapi.json").get_json()
    operation = spec["paths"][re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)][example.method.lower()]
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    problems += [f"{example.line}: no query parameter {name}" for name in parse_qs(parts.query) if name not in query]
    if example.body:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        problems += [f"{example.line}: {p}" for p in body_problems(spec, schema, example.body, "")]
    return problems


@pytest.mark.parametrize("page", builder.PAGES, ids=lambda p: p.role)
def test_every_example_on_a_page_calls_a_route_the_role_may_call_with_fields_the_route_takes(
        page: Any, apps: dict[str, Flask]) -> None:
    examples = examples_of(page.file)
    assert examples, f"{page.file} shows no api call"
    roles = (page.role,) if page.role in ROLES else STAND_INS[page.role]
    problems = [p for example in examples for p in example_problems(example, apps, roles)]
    assert problems == []


def test_the_example_reader_finds_a_misnamed_field_and_a_route_the_role_may_not_call(
        apps: dict[str, Flask]) -> None:
    lead = parse_example("x", """api -X POST http://127.0.0.1:8001/api/v1/leads -d '{"name": "Wang Lei",
        "mobile": "13812345678", "source": "walk_in", "model_interest": "Aurora"}'""")
    assert example_problems(lead, apps, ("consultant",)) == [
        f"{lead.line}: mobile: not a field of the route", f"{lead.line}: phone: required, not sent"]
    inspection = parse_example("x", "api -X POST http://127.0.0.1:8003/api/v1/vehicles/X/inspection "
                                    """-d '{"passed": true}'""")
    assert example_problems(inspection, apps, ("consultant",)) == [f"{inspection.line}: consultant may not call it"]
