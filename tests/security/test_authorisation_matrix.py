"""Every route of every service against every caller, checked against a table written here by hand.

The table below says, for each route and method, which roles may call it. It was written from
ARCHITECTURE.md and DOMAIN.md (who does what in the store), not read from the routes' guards: a guard
that drifts from it fails here. Where the docs say nothing about a route the table keeps the role set the
service was built with, on purpose; the notes under the table say why.

The callers are the eight roles and four bad callers: no token, an expired token, a token signed with another
secret, and an unsigned (``alg: none``) token. Expected: 200 for a public route (probes, OpenAPI, the home
page and docs, the dashboard's HTML shell) whoever calls; 401 for a bad caller everywhere else; 403 for a role
the table does not list; anything but 401/403 (and never a 5xx) for a role it lists. Each request names
nothing stored, so an allowed role gets a 404 or a 422, never a change. A lead's ownership (a consultant
works only on their own leads) is checked in services/leads/tests, with real leads.

``python tests/security/print_auth_matrix.py`` prints the statuses as a Markdown table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from security_kit import BAD_CALLERS, CALLERS, PROBLEM, headers_for

from shared.actors import ROLES

SERVICES = ("leads", "orders", "inventory", "after_sales", "reporting")
PUBLIC = "public"

# service | method | route | roles allowed ("public": anyone, token or not; "any role": all eight roles, "any
# role but x": all but x; service "all": every service)
TABLE = """
all         | GET  | /                                      | public
all         | GET  | /docs/                                 | public
all         | GET  | /docs/<path:path>                      | public
all         | GET  | /healthz                               | public
all         | GET  | /readyz                                | public
all         | GET  | /metrics                               | public
all         | GET  | /openapi.json                          | public
all         | GET  | /api/v1/events                         | service ops sales_manager
leads       | POST | /api/v1/inquiries                      | consultant sales_manager back_office online_sales
leads       | GET  | /api/v1/inquiries/<inquiry_id>         | consultant sales_manager back_office online_sales
leads       | GET  | /api/v1/inquiries                      | consultant sales_manager back_office online_sales
leads       | GET  | /api/v1/agenda                         | consultant sales_manager
leads       | GET  | /api/v1/leads/<lead_id>/activities     | consultant sales_manager
leads       | POST | /api/v1/leads                          | consultant sales_manager online_sales
leads       | GET  | /api/v1/leads                          | consultant sales_manager back_office online_sales
leads       | GET  | /api/v1/leads/<lead_id>                | consultant sales_manager back_office online_sales
leads       | POST | /api/v1/leads/<lead_id>/follow-ups     | consultant sales_manager
leads       | POST | /api/v1/leads/<lead_id>/appointments   | consultant sales_manager online_sales
leads       | POST | /api/v1/leads/<lead_id>/visits         | consultant sales_manager
leads       | POST | /api/v1/leads/<lead_id>/test-drives    | consultant sales_manager
leads       | POST | /api/v1/leads/<lead_id>/lost           | consultant sales_manager
leads       | POST | /api/v1/leads/<lead_id>/reopen         | consultant sales_manager
leads       | GET  | /api/v1/appointments                   | consultant sales_manager
leads       | POST | /api/v1/appointments/<appointment_id>/reschedule | consultant sales_manager
leads       | POST | /api/v1/appointments/<appointment_id>/cancel | consultant sales_manager
leads       | POST | /api/v1/leads/<lead_id>/qualify        | consultant sales_manager
leads       | POST | /api/v1/leads/<lead_id>/assign         | sales_manager
leads       | POST | /api/v1/leads/<lead_id>/merge          | sales_manager
leads       | PUT  | /api/v1/roster/<date>                  | sales_manager
leads       | GET  | /api/v1/roster/<date>                  | consultant sales_manager online_sales
leads       | POST | /api/v1/campaigns                      | sales_manager
leads       | GET  | /api/v1/campaigns                      | consultant sales_manager online_sales
leads       | GET  | /api/v1/campaigns/<campaign_id>        | consultant sales_manager online_sales
leads       | POST | /api/v1/campaigns/<campaign_id>/invitations | consultant sales_manager online_sales
leads       | GET  | /api/v1/campaigns/<campaign_id>/invitations | consultant sales_manager online_sales
orders      | POST | /api/v1/orders                         | consultant sales_manager
orders      | GET  | /api/v1/orders                         | consultant sales_manager back_office service
orders      | GET  | /api/v1/orders/<order_id>              | consultant sales_manager back_office service
orders      | POST | /api/v1/orders/<order_id>/contract     | consultant sales_manager back_office
orders      | GET  | /api/v1/orders/queues                  | back_office sales_manager
orders      | POST | /api/v1/orders/<order_id>/contract/review | back_office
orders      | POST | /api/v1/orders/<order_id>/contract/approve | sales_manager back_office
orders      | POST | /api/v1/orders/<order_id>/loan         | consultant sales_manager back_office
orders      | POST | /api/v1/orders/<order_id>/loan/decision | back_office sales_manager
orders      | POST | /api/v1/orders/<order_id>/loan/disburse | back_office sales_manager
orders      | POST | /api/v1/orders/<order_id>/insurance    | consultant sales_manager back_office
orders      | GET  | /api/v1/orders/<order_id>/insurance    | consultant sales_manager back_office service
orders      | POST | /api/v1/orders/<order_id>/invoice      | back_office sales_manager
orders      | POST | /api/v1/orders/<order_id>/invoice/void | back_office sales_manager
orders      | POST | /api/v1/orders/<order_id>/registration | consultant sales_manager back_office
orders      | POST | /api/v1/orders/<order_id>/payments     | back_office sales_manager
orders      | GET  | /api/v1/orders/<order_id>/payments     | consultant sales_manager back_office service
orders      | POST | /api/v1/orders/<order_id>/deliver      | consultant sales_manager back_office
orders      | POST | /api/v1/orders/<order_id>/cancel       | consultant sales_manager back_office
orders      | GET  | /api/v1/orders/<order_id>/documents/<kind> | consultant sales_manager back_office
inventory   | POST | /api/v1/vehicles                       | inventory_clerk
inventory   | GET  | /api/v1/vehicles                       | any role but online_sales
inventory   | GET  | /api/v1/vehicles/<vin>                 | any role but online_sales
inventory   | POST | /api/v1/vehicles/<vin>/inspection      | inventory_clerk
inventory   | POST | /api/v1/vehicles/<vin>/transfers       | inventory_clerk
inventory   | GET  | /api/v1/vehicles/<vin>/transfers       | any role but online_sales
inventory   | POST | /api/v1/vehicles/<vin>/keys            | inventory_clerk back_office
inventory   | GET  | /api/v1/vehicles/<vin>/keys            | any role but online_sales
inventory   | GET  | /api/v1/stock                          | any role but online_sales
inventory   | PUT  | /api/v1/models/<model>                 | sales_manager inventory_clerk
inventory   | GET  | /api/v1/models                         | any role but online_sales
after_sales | GET  | /api/v1/customers                      | after_sales sales_manager ops consultant
after_sales | GET  | /api/v1/customers/<customer_id>        | after_sales sales_manager ops consultant
after_sales | PUT  | /api/v1/customers/<customer_id>/vehicles/<vin>/plate | after_sales sales_manager
after_sales | POST | /api/v1/service-records                | after_sales sales_manager
after_sales | GET  | /api/v1/service-records                | after_sales sales_manager ops
after_sales | GET  | /api/v1/reminders                      | after_sales sales_manager ops
after_sales | GET  | /api/v1/return-visits                  | after_sales sales_manager ops
after_sales | GET  | /api/v1/return-visits/<visit_id>       | after_sales sales_manager ops
after_sales | POST | /api/v1/return-visits/<visit_id>/complete | after_sales sales_manager
after_sales | POST | /api/v1/complaints                     | after_sales sales_manager
after_sales | GET  | /api/v1/complaints                     | after_sales sales_manager ops
after_sales | GET  | /api/v1/complaints/<complaint_id>      | after_sales sales_manager ops
after_sales | POST | /api/v1/complaints/<complaint_id>/resolve | after_sales sales_manager
after_sales | POST | /api/v1/warranty-claims                | after_sales sales_manager
after_sales | GET  | /api/v1/warranty-claims                | after_sales sales_manager ops
after_sales | GET  | /api/v1/warranty-claims/<claim_id>     | after_sales sales_manager ops
after_sales | POST | /api/v1/warranty-claims/<claim_id>/decide | after_sales sales_manager
after_sales | POST | /api/v1/customers                      | after_sales sales_manager
after_sales | PUT  | /api/v1/vehicles/<vin>/maintenance-plan | after_sales sales_manager
after_sales | POST | /api/v1/reminders/<reminder_id>/calls  | after_sales sales_manager
after_sales | POST | /api/v1/service-appointments           | after_sales sales_manager
after_sales | GET  | /api/v1/service-appointments           | after_sales sales_manager ops
after_sales | GET  | /api/v1/service-appointments/<appointment_id> | after_sales sales_manager ops
after_sales | POST | /api/v1/service-appointments/<appointment_id>/arrive | after_sales sales_manager
after_sales | POST | /api/v1/service-appointments/<appointment_id>/cancel | after_sales sales_manager
after_sales | PUT  | /api/v1/customers/<customer_id>/consent | after_sales sales_manager
after_sales | GET  | /api/v1/customers/<customer_id>/consent | after_sales sales_manager ops
after_sales | POST | /api/v1/notices                        | after_sales sales_manager
after_sales | GET  | /api/v1/notices                        | after_sales sales_manager ops
after_sales | GET  | /api/v1/notices/<notice_id>            | after_sales sales_manager ops
after_sales | GET  | /api/v1/notices/<notice_id>/recipients | after_sales sales_manager ops
reporting   | GET  | /dashboard                             | public
reporting   | GET  | /api/v1/reports/sales                  | sales_manager ops back_office consultant
reporting   | GET  | /api/v1/reports/sales/daily            | sales_manager ops back_office consultant
reporting   | GET  | /api/v1/reports/funnel                 | sales_manager ops back_office
reporting   | GET  | /api/v1/reports/consultants            | sales_manager ops back_office consultant
reporting   | GET  | /api/v1/reports/stock                  | sales_manager ops back_office consultant inventory_clerk
reporting   | GET  | /api/v1/reports/after-sales            | sales_manager ops back_office after_sales
reporting   | GET  | /api/v1/reports/lost-reasons           | sales_manager ops back_office
reporting   | GET  | /api/v1/reports/campaigns              | sales_manager ops back_office
reporting   | PUT  | /api/v1/targets/<month>                | sales_manager
reporting   | GET  | /api/v1/targets/<month>                | sales_manager ops back_office consultant
reporting   | PUT  | /api/v1/staff/<staff_id>               | sales_manager
reporting   | GET  | /api/v1/staff                          | sales_manager ops back_office consultant
reporting   | PUT  | /api/v1/groups/<group_id>              | sales_manager
reporting   | GET  | /api/v1/groups                         | sales_manager ops back_office consultant
reporting   | GET  | /api/v1/groups/<group_id>              | sales_manager ops back_office consultant
reporting   | POST | /api/v1/admin/rebuild                  | ops
reporting   | GET  | /api/v1/admin/rebuilds/<run_id>        | ops
reporting   | GET  | /api/v1/admin/status                   | ops sales_manager
reporting   | POST | /api/v1/meetings                       | any role but service
reporting   | GET  | /api/v1/meetings                       | any role but service
reporting   | GET  | /api/v1/scorecard-template/<month>     | any role but service
reporting   | PUT  | /api/v1/scorecard-template/<month>     | sales_manager
reporting   | GET  | /api/v1/scorecards                     | any role but service
reporting   | GET  | /api/v1/commissions                    | any role but service
reporting   | GET  | /api/v1/reports/groups                 | any role but service
reporting   | GET  | /api/v1/reports/weekly                 | any role but service
reporting   | PUT  | /api/v1/weekly-plans/<week>/<group_id> | any role but service
"""
# Why some rows read as they do (the docs name the department; the row names its role):
# - events feed: other dealer systems and reporting catch up ("service"), ops replays, managers read.
# - leads reads: phones are masked for all but the owner and managers (DOMAIN.md), so the back office may list.
# - leads agenda and a lead's activities: the sales floor's day (DOMAIN.md round 2: "a consultant sees ...,
#   a manager sees any consultant's agenda"); the back office reads the call register, not a lead's history.
# - campaigns (DOMAIN.md round 2: "consultants and DCC staff invite leads to a campaign"): the manager sets
#   them up; consultants (their own leads), DCC staff and managers invite and read them.
# - contract review and approval (DOMAIN.md round 2): the back office reviews every contract, a sales manager
#   approves on top over the consultant's discount limit; the back office's own approve within the limit is its
#   review (ARCHITECTURE.md's example). No consultant approves any more. The paperwork: loans and insurance are
#   arranged at the sales desk (a consultant on their own orders); the lender's answer, the money and the
#   invoice are the back office's (and the manager's); the work queues are the back office's and the manager's.
# - an order's printed papers (documents/<kind>, DOMAIN.md round 2 "Printed papers"): the staff who hand them to
#   the customer to sign (consultant, manager, back office), numbers masked as in the order's JSON; no system caller.
# - inventory: the clerk receives, inspects and transfers; the back office also keeps the keys (DOMAIN.md).
#   Stock is read by every role but the DCC: those reads were open to the seven roles before online_sales came,
#   and the DCC's brief gives it leads' work only, so inventory's guard was left as it was (least privilege).
#   The model catalogue (车型大类, DOMAIN.md round 2): the clerk files the models received, the manager (who sets
#   targets per class) may too; it is read like the stock.
# - online_sales (DCC 网销专员, ARCHITECTURE.md round 2: "files leads and inquiries, invites, owns none"): logs
#   and reads the call register, files leads (the roster or a named consultant owns them), reads leads (phones
#   masked but where they took the number down), books appointments on any lead, reads the duty roster. No
#   follow-ups, visits, test drives, stages or losses (the owner's work), no agenda or history, no orders.
# - the duty roster and merging duplicates are the manager's (DOMAIN.md round 2); consultants read the roster.
# - after-sales (DOMAIN.md round 2, "After-sales for every car"): the coordinator's desk (售后协调) files walk-in
#   owners, sets plans, calls on reminders, books appointments, records consent and sends notices; the manager
#   may too, as with every after-sales write; ops reads the lists (phones masked), as it reads the reminders.
# - reporting: managers, ops and the back office (who compiled the reports by hand) read everything; a
#   consultant reads only their own rows of sales, consultants and targets, and the stock; targets are set by
#   the manager; rebuilding is ops' (ARCHITECTURE.md). The staff directory and the groups (DOMAIN.md round 2,
#   "Groups, targets"): kept by the sales manager, who sets targets; read like the targets (a consultant: names
#   only, and the groups, to know their own); the DCC reads neither, as it reads no report.
#   Meetings, scorecards, commission, the groups' and weekly reports (DOMAIN.md round 2, "scorecards and pay"): a
#   group's supervisor (主管) is whoever the group names, of any staff role, so those routes let every staff role
#   through and check the group (tested with real groups in services/reporting/tests); with nothing stored a
#   route that needs a group_id answers 422 first. The sheet's template is the manager's to set, anyone's to read.
#   Commission: a manager all, a supervisor their groups, a consultant or DCC member their own rows; a caller
#   who supervises nothing and sells in no group reads an empty sheet. The groups' and weekly reports: every
#   group for those who read every report, a supervisor their groups (and the store's row), other staff an
#   empty report without the store's row (a list filtered to what they may see, not a refusal).

PATH_VALUES = {"vin": "LSVAU2182N2183290", "month": "2026-11", "date": "2026-11-23", "path": "swagger-ui.css"}
STORED_NOTHING = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Row:
    """One line of the table, for one service."""

    service: str
    method: str
    rule: str
    allowed: frozenset[str] | str  # the roles let through, or PUBLIC

    def expected(self, caller: str) -> str:
        """``200``, ``401``, ``403``, or ``allowed`` (anything but 401/403 and never 5xx)."""
        if self.allowed == PUBLIC:
            return "200"
        if caller in BAD_CALLERS:
            return "401"
        return "allowed" if caller in self.allowed else "403"


def roles_of(cell: str) -> tuple[frozenset[str] | str, set[str]]:
    """The roles a cell lets through (``public``, ``any role``, ``any role but <roles>``, or roles), and every
    role it names (to catch a typo)."""
    if cell == PUBLIC:
        return PUBLIC, set()
    if cell.startswith("any role"):
        but = set(cell.removeprefix("any role").removeprefix(" but ").split())
        return frozenset(ROLES) - but, but
    return frozenset(cell.split()), set(cell.split())


def parse_table(text: str = TABLE) -> dict[tuple[str, str, str], Row]:
    """The table as rows keyed by (service, method, rule); a typo in a role or a repeated row fails here."""
    rows: dict[tuple[str, str, str], Row] = {}
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        service, method, rule, roles = (cell.strip() for cell in line.split("|"))
        allowed, named = roles_of(roles)
        unknown = named - set(ROLES)
        assert not unknown and method in ("GET", "POST", "PUT", "PATCH", "DELETE"), line
        for name in SERVICES if service == "all" else (service,):
            assert name in SERVICES and (name, method, rule) not in rows, line
            rows[(name, method, rule)] = Row(name, method, rule, allowed)
    return rows


EXPECTED = parse_table()


def registered(app: Flask) -> set[tuple[str, str]]:
    """(method, rule) of every route the app serves, static files aside (HEAD and OPTIONS come with GET)."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.endpoint.endswith(".static")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def path_of(rule: str) -> str:
    """The rule with each path parameter filled with a value that names nothing stored (a real docs file)."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: PATH_VALUES.get(m.group(1), STORED_NOTHING), rule)


def answer(app: Flask, row: Row, caller: str) -> tuple[int, str]:
    """Status and media type of an empty request to the row's route from the caller."""
    body = {"json": {}} if row.method in ("POST", "PUT", "PATCH") else {}
    with app.test_client().open(path_of(row.rule), method=row.method, headers=headers_for(caller),
                                **body) as response:  # closed: a docs file is streamed from disk
        return response.status_code, response.mimetype


def wrong(row: Row, caller: str, status: int, mimetype: str) -> str | None:
    """What is wrong with the answer, or None when it is the one the table expects."""
    wanted = row.expected(caller)
    if status >= 500:
        return f"{status} (a server error)"
    if status >= 400 and mimetype != PROBLEM:
        return f"{status} not problem+json"
    if wanted == "allowed":
        return None if status not in (401, 403) else f"{status}, expected the role to be let through"
    return None if str(status) == wanted else f"{status}, expected {wanted}"


def check_row(app: Flask, row: Row) -> tuple[list[int], list[str]]:
    """Each caller's status on the row's route, and what is wrong, caller by caller."""
    statuses, problems = [], []
    for caller in CALLERS:
        status, mimetype = answer(app, row, caller)
        statuses.append(status)
        problem = wrong(row, caller, status, mimetype)
        if problem:
            problems.append(f"{row.service} {row.method} {row.rule} as {caller}: {problem}")
    return statuses, problems


def differences(apps: dict[str, Flask]) -> tuple[list[str], list[str]]:
    """Routes the apps serve that the table lacks, and rows of the table that no app serves."""
    served = {(service, method, rule) for service, app in apps.items() for method, rule in registered(app)}
    listed = {key for key in EXPECTED if key[0] in apps}
    return [" ".join(key) for key in sorted(served - listed)], [" ".join(key) for key in sorted(listed - served)]


def test_the_table_covers_every_route_every_service_registers_and_no_other(security_apps: dict[str, Flask]) -> None:
    assert sorted(security_apps) == sorted(SERVICES)  # a service whose app fails to import is not left out
    missing, stale = differences(security_apps)
    assert missing == [], "routes missing from the table: add each with the roles the docs give it"
    assert stale == [], "rows of the table that no app serves"


def test_a_route_added_without_a_row_in_the_table_is_reported() -> None:
    app = Flask("leads")
    app.add_url_rule("/api/v1/leads/<lead_id>/export", "export", lambda lead_id: {}, methods=["GET", "POST"])
    missing, _ = differences({"leads": app})
    assert missing == ["leads GET /api/v1/leads/<lead_id>/export", "leads POST /api/v1/leads/<lead_id>/export"]


def test_the_eight_roles_and_four_bad_callers_are_all_tried() -> None:
    assert len(CALLERS) == 12 and set(CALLERS) == {*ROLES, "no token", "expired", "wrong secret", "alg none"}


@pytest.mark.parametrize("row", list(EXPECTED.values()), ids=[" ".join(key) for key in EXPECTED])
def test_each_caller_gets_what_the_table_says_on_each_route(row: Row, security_apps: dict[str, Flask]) -> None:
    _, problems = check_row(security_apps[row.service], row)
    assert problems == []
