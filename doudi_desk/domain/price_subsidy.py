"""价格临时补贴 (policy.md §11): whether a month is triggered, how much each person gets, and who.

The same functions serve ``doudi-admin calc`` (programme ``price_subsidy``, calc-contract.md
"Programmes added later") and the monthly payroll (domain/payroll.py), so the arithmetic a county
checks by hand is the arithmetic that is paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import InputError
from .model import Household
from .money import YUAN, fmt, quantize, to_bool, to_decimal, to_int, yuan
from .policy import PolicyParams

FAILED_LABELS = {"not_triggered": "本月价格指数未达到启动条件", "nobody_covered": "家庭中没有低保、特困保障对象（或低保边缘家庭成员）"}


@dataclass(frozen=True)
class Indices:
    """A month's published year-on-year rises, in percent (e.g. Decimal("3.6"))."""

    cpi_yoy: Decimal
    food_yoy: Decimal


def parse_indices(raw: Any, prefix: str = "indices") -> Indices:
    if not isinstance(raw, Mapping):
        raise InputError(f"{prefix}: 应为对象，含 cpi_yoy 和 food_yoy（同比涨幅，百分数）", prefix)
    values = {}
    for key in ("cpi_yoy", "food_yoy"):
        if raw.get(key) is None:
            raise InputError(f"{prefix}.{key}: 缺少此项", f"{prefix}.{key}")
        values[key] = to_decimal(raw[key], f"{prefix}.{key}", allow_negative=True)  # prices can fall
    return Indices(**values)


def triggered(policy: PolicyParams, indices: Indices) -> bool:
    """The month is triggered when CPI or food CPI reaches its trigger (≥)."""
    return indices.cpi_yoy >= policy.price_cpi_trigger or indices.food_yoy >= policy.price_food_trigger


def per_person(policy: PolicyParams, indices: Indices) -> Decimal:
    """max(minimum, 低保标准 × max(CPI, 0) / 100), rounded to whole yuan with the policy's rounding;
    0 when the month is not triggered."""
    if not triggered(policy, indices):
        return Decimal(0)
    raw = policy.dibao_standard_monthly * max(indices.cpi_yoy, Decimal(0)) / 100
    return quantize(max(policy.price_subsidy_min, raw), YUAN, policy.rounding)


def recipients(dibao_covered: Iterable[int], tekun_covered: Iterable[int], edge_members: Iterable[int],
               include_edge: bool) -> list[int]:
    """Who receives it, once each: covered by 低保 or 特困, and 低保边缘 members where included."""
    people = set(dibao_covered) | set(tekun_covered)
    if include_edge:
        people |= set(edge_members)
    return sorted(people)


@dataclass(frozen=True)
class Status:
    """What is in force for the household that month (calc-contract.md ``household.status``)."""

    dibao: str | None
    dibao_covered: tuple[int, ...]
    tekun_covered: tuple[int, ...]
    edge_family: bool


def parse_status(raw: Any, household: Household, prefix: str = "household.status") -> Status:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InputError(f"{prefix}: 应为对象", prefix)
    dibao = raw.get("dibao")
    if dibao not in (None, "household", "single_person"):
        raise InputError(f"{prefix}.dibao: 只能是 household、single_person 或 null，现为 {dibao!r}", f"{prefix}.dibao")
    lists = {}
    for key in ("dibao_covered", "tekun_covered"):
        items = raw.get(key) or []
        if not isinstance(items, list):
            raise InputError(f"{prefix}.{key}: 应为成员序号列表", f"{prefix}.{key}")
        indexes = []
        for i, item in enumerate(items):
            here = f"{prefix}.{key}[{i}]"
            index = to_int(item, here, low=0)
            if index >= len(household.members):
                raise InputError(f"{here}: 成员序号 {index} 超出范围（共 {len(household.members)} 人，序号从0开始）", here)
            indexes.append(index)
        lists[key] = tuple(indexes)
    return Status(dibao, lists["dibao_covered"], lists["tekun_covered"],
                  to_bool(raw.get("edge_family"), f"{prefix}.edge_family"))


def decide_price_subsidy(raw: Mapping[str, Any], household: Household, policy: PolicyParams,
                         on: dt.date) -> dict[str, Any]:
    """One household's 价格临时补贴 for the month of the request, in calc-contract.md's shape."""
    from .calc import _Calc  # the income lines of §3, shared with the other programmes

    indices = parse_indices(raw.get("indices"))
    status = parse_status(household_status(raw), household)
    c = _Calc(household, policy, on)
    inc = c.income()
    counted = set(household.counted_indexes())
    listed = set(status.dibao_covered) | set(status.tekun_covered)
    dropped = sorted(listed - counted)
    if dropped:
        c.say("不计入家庭的人员不是保障对象，不发放：" + "、".join(c.member_label(i) for i in dropped) + "。")
    edge = sorted(counted) if status.edge_family else []
    people = [i for i in recipients(status.dibao_covered, status.tekun_covered, edge, policy.price_include_edge)
              if i in counted]
    is_on = triggered(policy, indices)
    c.say(f"本月居民消费价格指数（CPI）同比涨幅{indices.cpi_yoy}%（启动条件{policy.price_cpi_trigger}%），"
          f"食品价格指数同比涨幅{indices.food_yoy}%（启动条件{policy.price_food_trigger}%）："
          + ("达到启动条件，启动价格临时补贴。" if is_on else "均未达到启动条件，本月不发放。"))
    amount = per_person(policy, indices)
    if is_on:
        raw_amount = policy.dibao_standard_monthly * max(indices.cpi_yoy, Decimal(0)) / 100
        floor = (f"，不低于每人{yuan(policy.price_subsidy_min)}" if policy.price_subsidy_min > 0 else "")
        c.say(f"每人补贴=低保标准{yuan(policy.dibao_standard_monthly)}×CPI涨幅{max(indices.cpi_yoy, Decimal(0))}%"
              f"={yuan(raw_amount)}{floor}，取整为{yuan(amount)}。")
    who = []
    if status.dibao_covered:
        who.append("低保对象" + "、".join(c.member_label(i) for i in status.dibao_covered if i in counted))
    if status.tekun_covered:
        who.append("特困人员" + "、".join(c.member_label(i) for i in status.tekun_covered if i in counted))
    if status.edge_family:
        who.append("低保边缘家庭成员" + ("（本地政策纳入）" if policy.price_include_edge else "（本地政策未纳入）"))
    c.say(("发放对象：" + "；".join(who) + f"，每人只发一份，共{len(people)}人。") if who else "家庭中没有低保、特困保障对象。")
    failed = ([] if is_on else ["not_triggered"]) + ([] if people else ["nobody_covered"])
    eligible = not failed
    covered = people if eligible else []
    total = amount * len(covered)
    if eligible:
        c.say(f"本月价格临时补贴{yuan(amount)}×{len(covered)}人={yuan(total)}，与当月救助金一并发放。")
    return {
        "programme": "price_subsidy",
        "members_counted": inc.members,
        "per_capita_monthly": fmt(inc.per_capita_monthly, 2),
        "triggered": is_on,
        "per_person": fmt(amount, 0),
        "covered": covered,
        "eligible": eligible,
        "basis": "person" if eligible else None,
        "failed": failed,
        "topups": [],
        "monthly_amount": fmt(total, 0),
        "flags": [],
        "explanation": c.lines,
    }


def household_status(raw: Mapping[str, Any]) -> Any:
    household = raw.get("household")
    return household.get("status") if isinstance(household, Mapping) else None


__all__ = ["FAILED_LABELS", "Indices", "Status", "decide_price_subsidy", "parse_indices", "parse_status",
           "per_person", "recipients", "triggered"]
