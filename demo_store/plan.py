"""The plan of a seeded period: every action staff take, when, by whom, with what body.

A plan is a pure function of its ``PlanArgs``: the same seed, period and scale give
the same actions in the same order. Actions name the records they touch by plan
references (``lead:17``, ``order:4``), never by ids, which the services choose.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MAX_DAYS = 300  # with the stock that arrived before the period, still within a year of paper records
OPENING, CLOSING = time(9, 30), time(18, 30)  # the showroom's hours (营业时间)


@dataclass(frozen=True)
class PlanArgs:
    """What decides a plan: seed number, days back from ``until``, leads a day, the store's timezone."""

    seed: int
    days: int
    scale: float
    until: datetime
    tz: ZoneInfo


@dataclass(frozen=True)
class Action:
    """One thing a member of staff does through an API, at a business time."""

    when: datetime
    actor: str
    verb: str
    ref: str  # the record the action is about, e.g. ``lead:17``
    body: dict[str, Any]  # the JSON sent; a string "@<ref>" stands for that record's id
    names: str = ""  # the reference under which the record it creates is kept

    def describe(self) -> str:
        """The action as one line of text, ids-free: two equal plans describe alike."""
        body = json.dumps(self.body, sort_keys=True, ensure_ascii=False)
        return f"{self.when.isoformat()} {self.actor} {self.verb} {self.ref} {self.names} {body}".rstrip()


@dataclass
class Plan:
    """The actions of a period, built story by story, then played in time order."""

    args: PlanArgs
    actions: list[Action] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        return self.args.until.astimezone(self.args.tz).date() - timedelta(days=self.args.days - 1)

    @property
    def last_day(self) -> date:
        return self.args.until.astimezone(self.args.tz).date()

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.args.days)]

    def add(self, when: datetime, actor: str, verb: str, ref: str, body: dict[str, Any] | None = None,
            names: str = "", dated: bool = True) -> bool:
        """Add an action unless it falls after the period's end; ``dated`` adds its ``occurred_at``."""
        if when > self.args.until:
            return False
        body = dict(body or {})
        if dated:
            body["occurred_at"] = self.iso(when)
        self.actions.append(Action(when, actor, verb, ref, body, names))
        return True

    def iso(self, moment: datetime) -> str:
        """A time as the store writes it: local, with its offset, to the second."""
        return moment.astimezone(self.args.tz).isoformat(timespec="seconds")

    def in_period(self, moment: datetime) -> bool:
        return moment <= self.args.until

    def ordered(self) -> list[Action]:
        """The actions in business-time order; equal times keep the order they were planned in."""
        return sorted(self.actions, key=lambda action: action.when)

    def counts(self) -> Counter[str]:
        """How many actions of each verb."""
        return Counter(action.verb for action in self.actions)


class Clock:
    """Business times of the store's calendar, drawn from one random stream."""

    def __init__(self, tz: ZoneInfo, rng: random.Random) -> None:
        self.tz, self.rng = tz, rng

    def during(self, day: date, opening: time = OPENING, closing: time = CLOSING) -> datetime:
        """A moment of the day while the showroom is open, to the minute."""
        start = datetime.combine(day, opening, self.tz)
        minutes = int((datetime.combine(day, closing, self.tz) - start).total_seconds() // 60)
        return start + timedelta(minutes=self.rng.randrange(minutes))

    def days_later(self, moment: datetime, low: int, high: int) -> datetime:
        """Some opening hour ``low``..``high`` days after a moment, never before it."""
        day = moment.astimezone(self.tz).date() + timedelta(days=self.rng.randint(low, high))
        later = self.during(day)
        return later if later > moment else self.minutes_later(moment, 10, 90)

    def minutes_later(self, moment: datetime, low: int, high: int) -> datetime:
        return moment + timedelta(minutes=self.rng.randint(low, high))


def chance(rng: random.Random, probability: float) -> bool:
    """True with the given probability."""
    return rng.random() < probability
