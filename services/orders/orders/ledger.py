"""The sales ledger (销售台账) as a table: one row per order with every figure of the sale, read from the order
as the caller may see it (phones and ID numbers already masked for roles that may not see them)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.business_time import to_store_time

HEADER = ("order_id", "placed_on", "status", "consultant_id", "customer_name", "customer_phone", "id_number",
          "model", "trim", "color", "vin", "msrp", "price", "discount", "deposit", "paid_total", "payment_method",
          "loan_lender", "loan_status", "loan_amount", "compulsory_premium", "commercial_premium", "invoice_no",
          "invoice_amount", "tax", "plate_no", "promised_delivery_on", "delivered_on", "overdue")


def row(order: dict[str, Any]) -> list[Any]:
    """One order's line; a loan's amount is what it covers now (disbursed, else approved, else applied)."""
    customer, vehicle, loan = order["customer"], order["vehicle"], order["loan"] or {}
    invoice, registration = order["invoice"] or {}, order["registration"] or {}
    return [order["id"], _day(order["placed_at"]), order["status"], order["consultant_id"], customer["name"],
            customer["phone"], customer["id_number"], vehicle["model"], vehicle["trim"], vehicle["color"],
            order["vin"] or "", order["msrp"], order["price"], order["discount"], order["deposit"],
            order["paid_total"], order["payment_method"], loan.get("lender", ""), loan.get("status", ""),
            _loan_amount(loan), _premiums(order, "compulsory"), _premiums(order, "commercial"),
            invoice.get("invoice_no", ""), invoice.get("amount", ""), invoice.get("tax", ""),
            registration.get("plate_no", ""), order["promised_delivery_on"] or "",
            _day(order["delivered_at"]), "yes" if order["overdue"] else "no"]


def _loan_amount(loan: dict[str, Any]) -> Decimal | str:
    if not loan or loan["status"] == "rejected":
        return ""
    return loan["disbursed_amount"] or loan["approved_amount"] or loan["amount"]


def _premiums(order: dict[str, Any], kind: str) -> Decimal:
    return sum((p["premium"] for p in order["insurance"] if p["kind"] == kind), Decimal("0.00"))


def _day(moment: Any) -> str:
    return to_store_time(moment).date().isoformat() if moment is not None else ""
