"""The supervisors' side of the groups (DOMAIN.md, "Groups, targets, scorecards and pay"): meetings, a month's
scorecard template, weekly plans.

Each group's supervisor (主管) holds a morning meeting (晨会) at about 8:50 and an evening one (夕会) at about
17:00 every working day of the period's last weeks, with minutes; now and then one runs late (after 9:15 or
17:15) or nobody writes the minutes, so the scorecard's first line is not always full. The sales manager changes
the last month's template (Monday to Friday only, meetings weighed more, the SUV's deduction raised), and each
Monday every supervisor writes the week's plan on the last week's report.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from demo_store import people
from demo_store.plan import Plan, chance

MEETING_DAYS = 28  # the period's last four weeks: what a manager reads the scorecards of
LATE, NO_MINUTES = 0.08, 0.05  # a meeting held late; one whose minutes nobody wrote
MORNING, EVENING = time(8, 50), time(17, 0)
MINUTES = ("昨日客户回访情况, 今日邀约名单", "试驾车安排, 展厅接待分工", "本周任务进度, 重点客户跟进",
           "战败客户原因分析, 竞品对比话术", "今日到店客户复盘, 明日跟进计划")
PLANS = ("重点跟进本周到店未成交客户, 每人邀约三位老客户转介绍", "车展邀约: 每人至少五组到店",
         "SUV 任务差距大: 试驾车优先安排 SUV, 周六专场", "回访上周战败客户, 整理价格异议话术")
TEMPLATE = {"lines": [{"line": 1, "weight": "0.25"}, {"line": 7, "weight": "0.15"}], "working_days": [1, 2, 3, 4, 5],
            "class_deductions": {"SUV": "300.00"}}  # the store's weekday month: meetings weigh more, SUVs matter


class Supervisors:
    """Plans the groups' meetings, the month's template and the weekly plans."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng = plan, rng

    def run(self) -> None:
        first = max(self.plan.first_day, self.plan.last_day - timedelta(days=MEETING_DAYS - 1))
        for day in [first + timedelta(days=n) for n in range((self.plan.last_day - first).days + 1)]:
            if day.isoweekday() != 7:
                for group in people.GROUPS:
                    self.meeting(group, day, "morning", MORNING, time(9, 25))
                    self.meeting(group, day, "evening", EVENING, time(17, 30))
            if day.isoweekday() == 1 and day > first:
                self.weekly_plans(day)
        self.template()

    def meeting(self, group: people.Group, day: date, kind: str, usual: time, late: time) -> None:
        """One meeting, mostly in its window with minutes."""
        start = datetime.combine(day, late if chance(self.rng, LATE) else usual, self.plan.args.tz)
        start += timedelta(minutes=self.rng.randint(0, 10))
        minutes = "" if chance(self.rng, NO_MINUTES) else self.rng.choice(MINUTES)
        self.plan.add(start + timedelta(minutes=40), group.supervisor, "record_meeting", f"group:{group.group_id}",
                      {"group_id": group.group_id, "kind": kind, "held_at": self.plan.iso(start),
                       "minutes": minutes, "attendees": list(group.members)}, dated=False)

    def weekly_plans(self, monday: date) -> None:
        """Each supervisor writes next week's plan on the report of the week just ended."""
        year, week, _ = (monday - timedelta(days=1)).isocalendar()
        at = datetime.combine(monday, time(8, 20), self.plan.args.tz)
        for group in people.GROUPS:
            self.plan.add(at, group.supervisor, "write_weekly_plan", f"weekly-plan:{year}-W{week:02d}/{group.group_id}",
                          {"plan": self.rng.choice(PLANS)}, dated=False)

    def template(self) -> None:
        """The sales manager's template for the period's last month, set on its first day."""
        first = self.plan.last_day.replace(day=1)
        at = datetime.combine(max(first, self.plan.first_day), time(8, 5), self.plan.args.tz)
        self.plan.add(at, people.MANAGER.sub, "set_scorecard_template", f"scorecard-template:{first:%Y-%m}", TEMPLATE,
                      dated=False)
