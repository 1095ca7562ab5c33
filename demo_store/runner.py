"""Plays a plan against the running store, action by action, in business-time order.

The services choose the ids; the runner keeps them under the plan's references
and puts them where an action says ``@<ref>``. Where a department answers
through the bus (a car reserved for an order, a customer file opened on
delivery), the runner waits for it, with a deadline, as staff would.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import click

from demo_store import people
from demo_store.client import Desk, SeedError, wait_until
from demo_store.floor import Turns
from demo_store.plan import Action, Plan


class Runner:
    """Performs actions through a Desk and remembers the ids they made."""

    def __init__(self, desk: Desk, plan: Plan, reporting: bool) -> None:
        self.desk, self.plan, self.reporting = desk, plan, reporting
        self.ids: dict[str, str] = {}
        self.lead_of: dict[str, str] = {}  # order ref -> lead ref
        self.done: list[str] = []
        self.left_out: list[str] = []  # played, but no longer possible on the real clock (see reschedule)
        self.turns = Turns()  # whose turn each DCC lead is, by the rosters set so far

    def play(self, advance: Callable[[int], None] = lambda _: None) -> None:
        """Every action of the plan, in order; ``advance`` is told of each one done."""
        for action in self.plan.ordered():
            try:
                getattr(self, f"do_{action.verb}")(action, self.resolve(action.body))
            except SeedError as exc:
                raise SeedError(f"{action.describe()}\n{exc}") from None
            self.done.append(action.describe())
            advance(1)

    def resolve(self, value: Any) -> Any:
        """The body with every "@<ref>" replaced by the id the services gave that record."""
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            return self.id_of(value[1:])
        return value

    def id_of(self, ref: str) -> str:
        if ref.startswith(("vin:", "customer:")) and ref not in self.ids:
            self.file_of(ref.split(":", 1)[1])
        if ref not in self.ids:
            raise SeedError(f"no record {ref} was made before it was needed")
        return self.ids[ref]

    def keep(self, action: Action, answer: dict[str, Any], field: str = "id") -> None:
        if action.names:
            self.ids[action.names] = str(answer[field])

    # --- leads (销售线索) ---

    def do_log_inquiry(self, action: Action, body: dict[str, Any]) -> None:
        self.desk.call(action.actor, "POST", "leads", "/inquiries", body)

    def do_file_lead(self, action: Action, body: dict[str, Any]) -> None:
        answer = self.desk.call(action.actor, "POST", "leads", "/leads", body)
        self.keep(action, answer)
        if people.STAFF[action.actor].role == people.DCC.role and not body.get("owner_id"):
            expected = self.turns.take(action.when.astimezone(self.plan.args.tz).date())
            if answer["owner_id"] != expected:
                raise SeedError(f"the duty roster gave the lead to {answer['owner_id']}, not {expected} in turn")

    def do_file_duplicate(self, action: Action, body: dict[str, Any]) -> None:
        self.do_file_lead(action, body)  # a customer on file, filed again under another phone

    def do_set_roster(self, action: Action, body: dict[str, Any]) -> None:
        day = action.ref.split(":", 1)[1]
        self.desk.call(action.actor, "PUT", "leads", f"/roster/{day}", body)
        self.turns.set(action.when.astimezone(self.plan.args.tz).date(), body["consultant_ids"])

    def do_merge_leads(self, action: Action, body: dict[str, Any]) -> None:
        kept = body.pop("lead_id")
        merged = self.desk.call(action.actor, "POST", "leads", f"/leads/{kept}/merge", body)
        if merged["id"] != kept:
            raise SeedError(f"the merge kept {merged['id']}, not {kept}")

    def lead_call(self, action: Action, body: dict[str, Any], what: str) -> dict[str, Any]:
        answer = self.desk.call(action.actor, "POST", "leads", f"/leads/{self.id_of(action.ref)}/{what}", body)
        return dict(answer or {})

    def do_follow_up(self, action: Action, body: dict[str, Any]) -> None:
        self.lead_call(action, body, "follow-ups")

    def do_book_appointment(self, action: Action, body: dict[str, Any]) -> None:
        self.keep(action, self.lead_call(action, body, "appointments"))

    def do_record_visit(self, action: Action, body: dict[str, Any]) -> None:
        expected = body["requested_consultant_id"] or body["consultant_id"]
        visit = self.lead_call(action, body, "visits")
        if body["appointment_id"] is None and visit["owner_id"] != expected:
            raise SeedError(f"the ownership rule gave the lead to {visit['owner_id']}, not {expected}")

    def do_test_drive(self, action: Action, body: dict[str, Any]) -> None:
        self.lead_call(action, body, "test-drives")

    def do_qualify(self, action: Action, body: dict[str, Any]) -> None:
        self.lead_call(action, body, "qualify")

    def do_mark_lost(self, action: Action, body: dict[str, Any]) -> None:
        lead = self.id_of(action.ref)  # a cancelled order must have given the lead back first
        wait_until(f"{action.ref} to be open again", lambda: self.lead_status(lead) != "deal")
        self.lead_call(action, body, "lost")

    def do_reopen_lead(self, action: Action, body: dict[str, Any]) -> None:
        self.lead_call(action, body, "reopen")

    def do_cancel_appointment(self, action: Action, body: dict[str, Any]) -> None:
        self.desk.call(action.actor, "POST", "leads", f"/appointments/{self.id_of(action.ref)}/cancel", body)

    def do_reschedule_appointment(self, action: Action, body: dict[str, Any]) -> None:
        """Moved after the period's end; a period that ended days ago (--until) finds that time gone: left out."""
        if datetime.fromisoformat(body["scheduled_at"]) <= datetime.now(UTC):
            self.left_out.append(action.describe())
            click.echo(f"left out, its new time has passed: {action.describe()}", err=True)
            return
        self.desk.call(action.actor, "POST", "leads", f"/appointments/{self.id_of(action.ref)}/reschedule", body)

    def lead_status(self, lead_id: str) -> str:
        return str(self.desk.call("m1", "GET", "leads", f"/leads/{lead_id}")["status"])

    # --- campaigns (市场活动) ---

    def do_create_campaign(self, action: Action, body: dict[str, Any]) -> None:
        self.keep(action, self.desk.call(action.actor, "POST", "leads", "/campaigns", body))

    def do_invite_to_campaign(self, action: Action, body: dict[str, Any]) -> None:
        campaign = body.pop("campaign_id")
        self.desk.call(action.actor, "POST", "leads", f"/campaigns/{campaign}/invitations", body)

    def do_attend_campaign(self, action: Action, body: dict[str, Any]) -> None:
        visit = self.lead_call(action, body, "visits")
        if visit["campaign_id"] != body["campaign_id"] or visit["owner_id"] != body["consultant_id"]:
            raise SeedError(f"the visit named {visit['campaign_id']} and left the lead with {visit['owner_id']}")

    # --- inventory (库存) ---

    def do_classify_model(self, action: Action, body: dict[str, Any]) -> None:
        model = quote(action.ref.split(":", 1)[1], safe="")
        self.desk.call(action.actor, "PUT", "inventory", f"/models/{model}", body)

    def do_receive_car(self, action: Action, body: dict[str, Any]) -> None:
        self.desk.call(action.actor, "POST", "inventory", "/vehicles", body)

    def do_inspect_car(self, action: Action, body: dict[str, Any]) -> None:
        vin = action.ref.split(":", 1)[1]
        self.desk.call(action.actor, "POST", "inventory", f"/vehicles/{vin}/inspection", body)

    # --- orders (订单) ---

    def do_place_order(self, action: Action, body: dict[str, Any]) -> None:
        self.keep(action, self.desk.call(action.actor, "POST", "orders", "/orders", body))
        self.lead_of[action.names] = action.ref

    def order_call(self, action: Action, body: dict[str, Any] | None, what: str) -> Any:
        return self.desk.call(action.actor, "POST", "orders", f"/orders/{self.id_of(action.ref)}/{what}", body)

    def order(self, ref: str) -> dict[str, Any]:
        return dict(self.desk.call("m1", "GET", "orders", f"/orders/{self.id_of(ref)}"))

    def do_draft_contract(self, action: Action, body: dict[str, Any]) -> None:
        order = wait_until(f"a car reserved for {action.ref}",
                           lambda: (o := self.order(action.ref))["status"] != "pending" and o)
        if order["status"] != "reserved":
            raise SeedError(f"{action.ref} is {order['status']}, not reserved: {order.get('backorder_reason')}")
        self.ids[f"vin:{action.ref}"] = order["vin"]
        self.order_call(action, body, "contract")

    def do_review_contract(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "contract/review")

    def do_approve_contract(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "contract/approve")

    def do_apply_loan(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "loan")

    def do_decide_loan(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "loan/decision")

    def do_disburse_loan(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "loan/disburse")

    def do_insure(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "insurance")

    def do_issue_invoice(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "invoice")

    def do_register_vehicle(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "registration")

    def do_pay(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "payments")

    def do_deliver(self, action: Action, body: dict[str, Any]) -> None:
        self.order_call(action, body, "deliver")

    def do_cancel_order(self, action: Action, body: dict[str, Any]) -> None:
        lead = self.id_of(self.lead_of[action.ref])  # the lead must have heard of the order before it is undone
        wait_until(f"the lead of {action.ref} to be a deal", lambda: self.lead_status(lead) == "deal")
        self.order_call(action, body, "cancel")

    # --- after-sales (售后) ---

    def file_of(self, order_ref: str) -> None:
        """Wait for the customer file a delivery opens; keep its id and the car's VIN."""
        vin = self.ids.get(f"vin:{order_ref}") or self.order(order_ref)["vin"]
        self.ids[f"vin:{order_ref}"] = vin
        page = wait_until(f"the customer file of {order_ref}", lambda: self.desk.call(
            "a1", "GET", "after_sales", f"/customers?vin={vin}")["items"])
        self.ids[f"customer:{order_ref}"] = str(page[0]["id"])

    def do_register_plate(self, action: Action, body: dict[str, Any]) -> None:
        customer, vin = self.id_of(f"customer:{action.ref}"), self.id_of(f"vin:{action.ref}")
        self.desk.call(action.actor, "PUT", "after_sales", f"/customers/{customer}/vehicles/{vin}/plate", body)

    def do_call_back(self, action: Action, body: dict[str, Any]) -> None:
        vin, kind = self.id_of(f"vin:{action.ref}"), body.pop("kind")
        self.id_of(f"customer:{action.ref}")
        query = f"/return-visits?vin={vin}&kind={kind}&status=scheduled"
        visits = wait_until(f"the {kind} return visit of {action.ref}",
                            lambda: self.desk.call("a1", "GET", "after_sales", query)["items"])
        done = self.desk.call(action.actor, "POST", "after_sales", f"/return-visits/{visits[0]['id']}/complete", body)
        self.keep(action, done, "complaint_id")

    def do_open_complaint(self, action: Action, body: dict[str, Any]) -> None:
        self.keep(action, self.desk.call(action.actor, "POST", "after_sales", "/complaints", body))

    def do_resolve_complaint(self, action: Action, body: dict[str, Any]) -> None:
        path = f"/complaints/{self.id_of(action.ref)}/resolve"
        self.desk.call(action.actor, "POST", "after_sales", path, body)

    def do_record_service(self, action: Action, body: dict[str, Any]) -> None:
        self.id_of(f"customer:{action.ref}")
        self.desk.call(action.actor, "POST", "after_sales", "/service-records", body)

    # --- after-sales for every car (demo_store.workshop) ---

    def do_file_walk_in(self, action: Action, body: dict[str, Any]) -> None:
        self.keep(action, self.desk.call(action.actor, "POST", "after_sales", "/customers", body))
        self.ids[f"vin:{action.ref}"] = body["vehicle"]["vin"]

    def do_set_plan(self, action: Action, body: dict[str, Any]) -> None:
        path = f"/vehicles/{self.id_of(f'vin:{action.ref}')}/maintenance-plan"
        self.desk.call(action.actor, "PUT", "after_sales", path, body)

    def do_call_reminder(self, action: Action, body: dict[str, Any]) -> None:
        query = f"/reminders?vin={self.id_of(f'vin:{action.ref}')}&to=2100-01-01"
        reminders = wait_until(f"the reminder of {action.ref}",
                               lambda: self.desk.call("a1", "GET", "after_sales", query)["items"])
        path = f"/reminders/{reminders[0]['id']}/calls"
        self.keep(action, self.desk.call(action.actor, "POST", "after_sales", path, body), "appointment_id")

    def do_arrive_service_visit(self, action: Action, body: dict[str, Any]) -> None:
        path = f"/service-appointments/{self.id_of(action.ref)}/arrive"
        self.desk.call(action.actor, "POST", "after_sales", path, body)

    def do_cancel_service_visit(self, action: Action, body: dict[str, Any]) -> None:
        path = f"/service-appointments/{self.id_of(action.ref)}/cancel"
        self.desk.call(action.actor, "POST", "after_sales", path, body)

    def do_set_consent(self, action: Action, body: dict[str, Any]) -> None:
        path = f"/customers/{self.id_of(f'customer:{action.ref}')}/consent"
        self.desk.call(action.actor, "PUT", "after_sales", path, body)

    def do_send_notice(self, action: Action, body: dict[str, Any]) -> None:
        self.desk.call(action.actor, "POST", "after_sales", "/notices", body)

    # --- reporting (报表) ---

    def do_put_staff(self, action: Action, body: dict[str, Any]) -> None:
        if self.reporting:
            self.desk.call(action.actor, "PUT", "reporting", f"/staff/{action.ref.split(':', 1)[1]}", body)

    def do_put_group(self, action: Action, body: dict[str, Any]) -> None:
        if self.reporting:
            self.desk.call(action.actor, "PUT", "reporting", f"/groups/{action.ref.split(':', 1)[1]}", body)

    def do_set_targets(self, action: Action, body: dict[str, Any]) -> None:
        if self.reporting:
            self.desk.call(action.actor, "PUT", "reporting", f"/targets/{action.ref.split(':', 1)[1]}", body)

    def do_record_meeting(self, action: Action, body: dict[str, Any]) -> None:
        if self.reporting:
            self.desk.call(action.actor, "POST", "reporting", "/meetings", body)

    def do_set_scorecard_template(self, action: Action, body: dict[str, Any]) -> None:
        if self.reporting:
            self.desk.call(action.actor, "PUT", "reporting", f"/scorecard-template/{action.ref.split(':', 1)[1]}", body)

    def do_write_weekly_plan(self, action: Action, body: dict[str, Any]) -> None:
        if self.reporting:
            self.desk.call(action.actor, "PUT", "reporting", f"/weekly-plans/{action.ref.split(':', 1)[1]}", body)
