"""The assistance programmes as data: what each pays and how its amount is named on paper.

One place knows whether a programme pays every month (低保, 特困) or once (临时救助): lists, forms,
notices and exports ask :func:`programme` and :func:`amount_of` instead of testing the programme
code. Adding a programme (两项补贴, 价格临时补贴 …) is one more entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MONTHLY = "monthly"
ONE_OFF = "one_off"


@dataclass(frozen=True)
class Programme:
    code: str  # dibao, tekun, temporary
    name: str  # 最低生活保障
    amount_kind: str  # MONTHLY or ONE_OFF
    amount_label: str  # what the amount is called: 保障金额, 救助供养金额, 救助金额
    unit: str  # 元/月 or 元
    grant: str  # what the household is given: 保障, 救助供养, 救助 (拟不予保障 …)
    approval: str  # the approving decision in words: {count}, {names}, {amount}, {start}

    @property
    def monthly(self) -> bool:
        return self.amount_kind == MONTHLY

    def heading(self, proposed: bool = False) -> str:
        """A column heading: 保障金额（元/月）, 拟救助金额（元） …"""
        return f"{'拟' if proposed else ''}{self.amount_label}（{self.unit}）"

    def amount_phrase(self, amount: str, proposed: bool = False) -> str:
        """An amount in a sentence: 保障金额每月500元, 拟救助金额35000元（一次性） …"""
        label = f"{'拟' if proposed else ''}{self.amount_label}"
        return f"{label}每月{amount}元" if self.monthly else f"{label}{amount}元（一次性）"


REGISTRY: dict[str, Programme] = {p.code: p for p in (
    Programme("dibao", "最低生活保障", MONTHLY, "保障金额", "元/月", "保障",
              "确认保障{count}人（{names}），户月保障金额{amount}元，自{start}起按月发放"),
    Programme("tekun", "特困人员救助供养", MONTHLY, "救助供养金额", "元/月", "救助供养",
              "认定{names}为特困人员，月救助供养金额{amount}元，自{start}起发放"),
    Programme("temporary", "临时救助", ONE_OFF, "救助金额", "元", "救助", "给予临时救助{amount}元，一次性发放"),
)}


def programme(code: str) -> Programme:
    """The programme by its code (KeyError names an unknown code)."""
    return REGISTRY[code]


def amount_of(code: str, record: Mapping[str, Any] | None) -> Any:
    """The amount of a proposal, a decision or a benefit record: the monthly amount of a monthly
    programme, the one-off amount of a one-off one (None when the record has none)."""
    if not record:
        return None
    return record.get("monthly_amount" if programme(code).monthly else "amount")
