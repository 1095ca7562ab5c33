"""The store's staff and made-up customers: names, mainland mobiles and resident ID numbers.

Every number is well-formed (the services check them): mobiles are 11 digits on a
real operator prefix, ID numbers carry a real birth date and their check
character (GB 11643), as ``shared.privacy`` verifies.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from shared.privacy import _ID_CHECK, _ID_WEIGHTS


@dataclass(frozen=True)
class Staff:
    """One member of staff: the id in their token, their role and display name."""

    sub: str
    role: str
    name: str


CONSULTANTS = (  # 销售顾问
    Staff("c1", "consultant", "王芳"), Staff("c2", "consultant", "李娜"), Staff("c3", "consultant", "张伟"),
    Staff("c4", "consultant", "刘洋"), Staff("c5", "consultant", "陈静"), Staff("c6", "consultant", "杨磊"),
)
# How busy each consultant is: the store has a star and a newcomer, as every store does.
CONSULTANT_WEIGHTS = (1.3, 1.1, 1.0, 1.0, 0.9, 0.7)
MANAGER = Staff("m1", "sales_manager", "赵刚")  # 销售经理
BACK_OFFICE = Staff("b1", "back_office", "孙丽")  # 销售内勤
CLERK = Staff("k1", "inventory_clerk", "周强")  # 库管
COORDINATOR = Staff("a1", "after_sales", "吴敏")  # 售后协调
DCC = Staff("d1", "online_sales", "郑晓")  # 网销专员: answers calls and web forms, files for the consultants on duty
STAFF = {s.sub: s for s in (*CONSULTANTS, MANAGER, BACK_OFFICE, CLERK, COORDINATOR, DCC)}


@dataclass(frozen=True)
class Group:
    """A sales group (小组): its id, name, supervisor (主管) and members, as reporting keeps them."""

    group_id: str
    name: str
    supervisor: str
    members: tuple[str, ...]


GROUPS = (  # the showroom's two groups, each led by its senior consultant; the DCC under the manager (网销主管)
    Group("showroom-1", "展厅一组", "c1", ("c1", "c2", "c3")),
    Group("showroom-2", "展厅二组", "c4", ("c4", "c5", "c6")),
    Group("online", "网销组", MANAGER.sub, (DCC.sub,)),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "宇轩", "子涵", "浩然", "欣怡", "俊杰",
         "雨桐", "思远", "佳琪", "文博", "梓萱", "一鸣", "嘉怡", "天宇", "诗雨")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188",
                   "189", "191", "198", "199")
# 行政区划代码 of the city and nearby districts the customers live in.
REGIONS = ("310101", "310104", "310105", "310106", "310107", "310110", "310112", "310115", "320502", "330106")


def person_name(rng: random.Random) -> str:
    """A Chinese name: surname and one- or two-character given name."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(rng: random.Random, taken: set[str]) -> str:
    """A mainland mobile number not yet used by another customer (one customer, one file)."""
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def id_check_character(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number(rng: random.Random) -> str:
    """A resident ID number (居民身份证号) of an adult born 1965-2003, check character included."""
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_character(first17)
