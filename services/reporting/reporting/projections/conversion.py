"""Which orders count for a lead's 30-day conversion (30天转化率), in whatever order events arrive.

DOMAIN.md: an order counts for the lead whose customer phone it carries, whether or not it names the
lead; a cancelled order does not count. An order naming a lead counts for that lead (the survivor,
when it was merged away). An order naming none counts for the lead filed under its phone
(``PhoneFact``), found by the phone's key (号码密钥: a keyed pseudonym, equal only for equal phones)
when both events carry one: exact. Events stored before keys were added carry only the masked phone
(138****5678), which many customers share: such an order, or a keyed order whose lead's event had no
key, is matched by the masked phone as before: while a single lead (for a keyed order: a single lead
filed with no key) is filed under it its orders count for it, and once a second is, for neither (the
row is ``ambiguous``, whichever event came first). Two leads under one key cannot happen: leads files
one lead per phone.

Each lead keeps its counting orders as entries (``placed_at|order_id``); its first order and its
conversion follow from them (``settle``). Entries are a set: an order added twice counts once. An
order naming no lead remembers the lead it counts for (``counted_for``) and is matched again whenever
a lead is filed under one of its rows (``recount``), so the last event leaves it where all of them say.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from reporting.dates import aware
from reporting.domain import converted_within_30_days
from reporting.models import LeadFact, OrderFact, PhoneFact
from reporting.projections.common import resolve_lead
from reporting.projections.facts import Facts

PHONE_KEY = re.compile(r"[0-9a-f]{64}")  # shared.privacy.phone_key: HMAC-SHA256 as hex


def phone_key_of(data: dict[str, Any], field: str) -> str | None:
    """The phone key an event carries, or None: an event from before keys, or one not shaped like a key."""
    value = data.get(field)
    return value if isinstance(value, str) and PHONE_KEY.fullmatch(value) else None


def entry(placed_at: datetime, order_id: str) -> str:
    """One order as a lead keeps it: its UTC time (so entries sort by time) and its id."""
    return f"{aware(placed_at).astimezone(UTC).isoformat()}|{order_id}"


def _entries(stored: str | None) -> set[str]:
    return set((stored or "").split())


def _kept(entries: set[str]) -> str:
    return " ".join(sorted(entries))


def with_entries(stored: str | None, *added: str) -> str:
    """The entries with more (each once)."""
    return _kept(_entries(stored) | set(added))


def without_entries(stored: str | None, *removed: str) -> str:
    """The entries less some."""
    return _kept(_entries(stored) - set(removed))


def first_order_at(stored: str | None) -> datetime | None:
    """The earliest order among the entries (sorted, so the first one)."""
    entries = sorted(_entries(stored))
    return datetime.fromisoformat(entries[0].split("|", 1)[0]) if entries else None


def settle(lead: LeadFact) -> None:
    """A lead's first order and conversion, from the orders counting for it now."""
    lead.first_order_at = first_order_at(lead.order_entries)
    created_at = aware(lead.created_at) if lead.created_at is not None else None
    lead.converted_30d = converted_within_30_days(created_at, lead.first_order_at)


def _change(lead: LeadFact, added: tuple[str, ...] = (), removed: tuple[str, ...] = ()) -> None:
    lead.order_entries = without_entries(with_entries(lead.order_entries, *added), *removed)
    settle(lead)


def order_counts(facts: Facts, order: OrderFact) -> None:
    """An order placed and not cancelled: it counts for the lead it names, else for its phone's lead."""
    placed = placed_entry(order)
    if placed is None:
        return
    if order.lead_id:
        _change(resolve_lead(facts, order.lead_id), added=(placed,))
        return
    for row in _rows_of(facts, order):
        row.order_entries = with_entries(row.order_entries, placed)
    recount(facts, order)


def order_withdrawn(facts: Facts, order: OrderFact) -> None:
    """An order cancelled: it counts for no lead any more."""
    placed = placed_entry(order)
    if placed is None:
        return
    if order.lead_id:
        _change(resolve_lead(facts, order.lead_id), removed=(placed,))
        return
    for row in _rows_of(facts, order):
        row.order_entries = without_entries(row.order_entries, placed)
    recount(facts, order)


def _rows_of(facts: Facts, order: OrderFact) -> list[PhoneFact]:
    """The rows an order naming no lead is listed under: its phone key's and its masked phone's."""
    return [facts.row(PhoneFact, phone=phone) for phone in (order.phone_key, order.phone) if phone]


def lead_of_order(facts: Facts, order: OrderFact) -> LeadFact | None:
    """The lead an order naming no lead counts for now: by its key when a lead was filed under it, else by
    its masked phone among the leads that may be its customer (for a keyed order: those filed with no key)."""
    if order.phone_key:
        keyed = facts.find(PhoneFact, phone=order.phone_key)
        if keyed is not None and (keyed.lead_id or keyed.ambiguous):
            return _sole(facts, keyed.lead_id, keyed.ambiguous)
    masked = facts.find(PhoneFact, phone=order.phone) if order.phone else None
    if masked is None:
        return None
    if order.phone_key:  # a lead filed with a key under this mask has another phone, or the key had found it
        return _sole(facts, masked.unkeyed_lead_id, masked.unkeyed_ambiguous)
    return _sole(facts, masked.lead_id, masked.ambiguous)


def _sole(facts: Facts, lead_id: str | None, ambiguous: bool) -> LeadFact | None:
    return None if ambiguous or not lead_id else resolve_lead(facts, lead_id)


def recount(facts: Facts, order: OrderFact) -> None:
    """Move an order naming no lead to the lead it matches now (or to none), out of the one it counted for."""
    placed = placed_entry(order)
    if placed is None or order.lead_id:
        return
    now = None if order.cancelled else lead_of_order(facts, order)
    if order.counted_for:
        before = resolve_lead(facts, order.counted_for)
        if now is None or before.lead_id != now.lead_id:
            _change(before, removed=(placed,))
    if now is not None:
        _change(now, added=(placed,))
    order.counted_for = now.lead_id if now is not None else None


def file_under_phone(facts: Facts, lead_id: str, phone: str | None, key: str | None) -> None:
    """A lead filed under its phone key and its masked phone: the orders listed under either are matched again."""
    rows = []
    if key:
        rows.append(_filed(facts.row(PhoneFact, phone=key), lead_id))
    if phone:
        masked = _filed(facts.row(PhoneFact, phone=phone), lead_id)
        if not key:  # from before keys: a keyed order may be this lead's
            masked.unkeyed_lead_id, masked.unkeyed_ambiguous = _one_more(
                masked.unkeyed_lead_id, masked.unkeyed_ambiguous, lead_id)
        rows.append(masked)
    order_ids = {placed.split("|", 1)[1] for row in rows for placed in _entries(row.order_entries)}
    for order_id in sorted(order_ids):
        recount(facts, facts.row(OrderFact, order_id=order_id))


def _filed(row: PhoneFact, lead_id: str) -> PhoneFact:
    row.lead_id, row.ambiguous = _one_more(row.lead_id, row.ambiguous, lead_id)
    return row


def _one_more(sole: str | None, ambiguous: bool, lead_id: str) -> tuple[str | None, bool]:
    """The sole lead under a row once ``lead_id`` is filed there too: a second lead makes it ambiguous for good."""
    if ambiguous or sole not in (None, lead_id):
        return None, True
    return lead_id, False


def merge_orders(survivor: LeadFact, duplicate: LeadFact) -> None:
    """A duplicate merged away (合并): its orders count for the survivor, and for it no more."""
    _change(survivor, added=tuple(_entries(duplicate.order_entries)))
    duplicate.order_entries = ""
    settle(duplicate)


def placed_entry(order: Any) -> str | None:
    """The entry of an order row whose placement has arrived, else None."""
    return entry(order.placed_at, order.order_id) if order.placed_at is not None else None
