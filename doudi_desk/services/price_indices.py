"""The month's published price indices per area (policy.md §11): entered by the administrator, read by
the 价格临时补贴 payroll. Whether a month triggers and how much each person gets is computed by
domain/price_subsidy.py — the code ``doudi-admin calc`` runs for ``price_subsidy``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.money import to_decimal
from ..domain.policy import parse_policy
from ..domain.price_subsidy import Indices, per_person, triggered
from . import lookup
from .context import AppContext
from .payments import check_month

LIMIT = Decimal("100")  # a year-on-year rise beyond ±100 % is a typing error, not a price index


class PriceIndexService:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def set(self, area_code: str, month: str, cpi_yoy: Any, food_yoy: Any, actor: str | None = None,
            note: str = "") -> dict[str, Any]:
        month = check_month(month)
        cpi = to_decimal(cpi_yoy, "cpi_yoy", allow_negative=True)
        food = to_decimal(food_yoy, "food_yoy", allow_negative=True)
        for name, value in (("cpi_yoy", cpi), ("food_yoy", food)):
            if abs(value) > LIMIT or value != value.quantize(Decimal("0.01")):
                raise InputError(f"同比涨幅应为 −100 至 100 之间的百分数，最多两位小数，"
                                 f"现为 {value}", name)
        with self.ctx.db.unit_of_work() as uow:
            who = self._admin(uow, actor)
            area = uow.areas.get(area_code)
            if area is None:
                raise InputError(f"没有地区 {area_code}", "area")
            covered = [area.code] + [a.code for level in ("township", "village")
                                     for a in uow.areas.children(area.code, level=level)]
            if uow.payments.approved_price_months(covered, month):
                raise DomainError(f"{month}的价格临时补贴已按原指数审批发放，不能再修改该月指数")
            old = uow.payments.price_index(area.code, month)
            uow.payments.set_price_index(area.code, month, cpi, food, who, self.ctx.now(), note)
            view = self._view(uow, area.code, month, cpi, food)
            verb = "修改" if old else "录入"
            uow.events.append_office(
                who, "price_index_set", self.ctx.now(), subject=f"{area.name}{month}",
                comment=f"{verb}{area.name}{month}价格指数：CPI同比{cpi}%，食品同比{food}%"
                        + (f"（原为{old['cpi_yoy']}%、{old['food_yoy']}%）" if old else "")
                        + ("，达到启动条件" if view["triggered"] else "，未达到启动条件"),
                data={"area": area.code, "month": month, "cpi_yoy": str(cpi), "food_yoy": str(food),
                      "before": {"cpi_yoy": str(old["cpi_yoy"]), "food_yoy": str(old["food_yoy"])} if old else None})
            return view

    def list(self, area_code: str | None = None, *, first: str | None = None, last: str | None = None
             ) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            rows = uow.payments.price_indices([area_code] if area_code else None, first=first, last=last)
            return [self._view(uow, r["area_code"], r["month"], Decimal(str(r["cpi_yoy"])), Decimal(str(r["food_yoy"])))
                    | {"entered_by": r["entered_by"], "entered_at": r["entered_at"].isoformat(sep=" "), "note": r["note"]}
                    for r in rows]

    def _view(self, uow, area_code: str, month: str, cpi: Decimal, food: Decimal) -> dict[str, Any]:
        area = uow.areas.get(area_code)
        indices = Indices(cpi, food)
        found = uow.policies.effective(lookup.area_chain(uow, area_code), dt.date.fromisoformat(month + "-01"))
        out = {"area": area_code, "area_name": area.name if area else area_code, "month": month,
               "cpi_yoy": f"{cpi}", "food_yoy": f"{food}", "triggered": None, "per_person": None, "policy": None}
        if found is not None:
            try:
                policy = parse_policy(found[3], "price_subsidy")
            except DomainError as exc:
                out["policy"] = str(exc)
                return out
            out |= {"triggered": triggered(policy, indices), "per_person": f"{per_person(policy, indices)}",
                    "policy": f"CPI≥{policy.price_cpi_trigger}%或食品≥{policy.price_food_trigger}%启动；"
                              f"低保标准{policy.dibao_standard_monthly}元"}
        return out

    @staticmethod
    def _admin(uow, actor: str | None) -> str:
        if actor is None:
            return "system"  # the command line, run by whoever holds the database
        user = lookup.actor(uow, actor)
        if "admin" not in user.roles:
            raise DomainError(f"用户 {user.full_name} 无权录入价格指数，须由系统管理员录入")
        return user.username
