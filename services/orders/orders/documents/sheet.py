"""What a printed paper holds, before any layout: blocks of labelled values, tables and text.

The papers (papers.py) fill a ``Sheet``; render.py lays it out. Amounts and times are formatted
here, once, the way the store's forms show them: ¥189,900.00 and the store's local clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shared.business_time import to_store_time

BLANK = "________"  # a line left for the customer or staff to fill in by hand


@dataclass(frozen=True)
class Store:
    """The dealership printed at the head of every paper (门店名称, 地址, 电话)."""

    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Block:
    """One section of a paper: a heading, then label/value pairs, a table (header row first) or text."""

    heading: str
    pairs: tuple[tuple[str, str], ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Sheet:
    """A whole paper: its title, the store, the order it belongs to, its sections and who signs."""

    title: str
    store: Store
    order_no: str
    printed_at: str
    blocks: tuple[Block, ...]
    signatures: tuple[str, ...] = field(default=())


def money(amount: Decimal | None) -> str:
    """¥189,900.00; a dash where there is no amount."""
    return "—" if amount is None else f"¥{amount:,.2f}"


def local_time(moment: datetime | None) -> str:
    """A stored (UTC) time as the store's clock shows it: 2026-11-22 18:00; blank when unset."""
    return "" if moment is None else to_store_time(moment).strftime("%Y-%m-%d %H:%M")


def local_date(moment: datetime | None) -> str:
    """A stored time's date at the store: 2026-11-22; blank when unset."""
    return "" if moment is None else to_store_time(moment).strftime("%Y-%m-%d")
