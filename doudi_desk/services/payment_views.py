"""What a payroll looks like to the people who check it: its brief and label, totals by village and
item, the change against last month (新增 / 停发 / 调整), a page of lines (masked for roles that do
not need full numbers), amounts owed. Functions of a unit of work; nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..domain.errors import InputError
from ..domain.payroll import (
    GROUP_BY_CODE,
    GROUPS,
    KIND_LABELS,
    PAYROLL_STATES,
    STATE_LABELS,
    Group,
    changes,
    item_label,
    valid_month,
)
from ..domain.privacy import mask_bank_account, mask_id_number

STATES = PAYROLL_STATES


def group_of(code: str) -> Group:
    group = GROUP_BY_CODE.get(code)
    if group is None:
        raise InputError(f"没有发放类别「{code}」（可选：{'、'.join(f'{g.code}（{g.short}）' for g in GROUPS)}）",
                         "group")
    return group


def check_month(month: str, field: str = "month") -> str:
    if not valid_month(str(month)):
        raise InputError(f"应为 YYYY-MM（例如 2026-11），现为「{month}」", field)
    return str(month)


def money(value: Any) -> str:
    return f"{Decimal(str(value or 0)):.2f}"


def payroll_label(uow, payroll: Mapping[str, Any]) -> str:
    area = uow.areas.get(payroll["area_code"])
    return f"{area.name if area else payroll['area_code']}{payroll['month']}{group_of(payroll['group_code']).short}发放名册"


def village_names(uow, codes: Any) -> dict[str, str]:
    codes = set(codes)
    found = uow.areas.names(codes)
    return {code: found.get(code, code) for code in codes}


def brief(uow, payroll: Mapping[str, Any]) -> dict[str, Any]:
    group = group_of(payroll["group_code"])
    area = uow.areas.get(payroll["area_code"])
    return {
        "id": payroll["id"], "area": payroll["area_code"], "area_name": area.name if area else payroll["area_code"],
        "group": group.code, "group_label": group.label, "group_short": group.short, "month": payroll["month"],
        "label": payroll_label(uow, payroll), "state": payroll["state"], "state_label": STATES[payroll["state"]],
        "version": payroll["version"], "count": payroll["line_count"], "total": money(payroll["total"]),
        "held_count": payroll["held_count"], "held_total": money(payroll["held_total"]),
    }


def line_view(r: Mapping[str, Any], names: Mapping[str, str], full: bool) -> dict[str, Any]:
    return {
        "id": r["id"], "seq": r["seq"], "case_id": r["case_id"], "village": r["village_code"],
        "village_name": names.get(r["village_code"], r["village_code"]), "payee": r["payee_name"],
        "id_number": r["payee_id_number"] if full else mask_id_number(r["payee_id_number"]),
        "bank_name": r["bank_name"],
        "bank_account": r["bank_account"] if full else mask_bank_account(r["bank_account"]),
        "item": r["item"], "item_label": item_label(r["item"]), "month": r["month"], "amount": money(r["amount"]),
        "kind": r["kind"], "kind_label": KIND_LABELS.get(r["kind"], r["kind"]), "state": r["state"],
        "state_label": STATE_LABELS.get(r["state"], r["state"]), "persons": r["persons"], "ref": r["ref"],
        "reason": r["hold_reason"] or r["result_reason"], "note": r["note"],
    }


def totals(uow, payroll: Mapping[str, Any]) -> dict[str, Any]:
    rows = uow.payments.totals_by(payroll["id"])
    names = village_names(uow, {r["village"] for r in rows})
    by_village: dict[str, dict[str, Any]] = {}
    by_item: dict[str, dict[str, Any]] = {}
    grand = {"households": 0, "persons": 0, "lines": 0, "amount": Decimal(0), "held_lines": 0,
             "held_amount": Decimal(0)}
    for r in rows:
        for key, bucket, label in ((r["village"], by_village, names[r["village"]]),
                                   (r["item"], by_item, item_label(r["item"]))):
            t = bucket.setdefault(key, {"key": key, "label": label, "households": 0, "persons": 0, "lines": 0,
                                        "amount": Decimal(0), "held_lines": 0, "held_amount": Decimal(0)})
            _accumulate(t, r)
        _accumulate(grand, r)
    fmt = lambda t: {**t, "amount": money(t["amount"]), "held_amount": money(t["held_amount"])}  # noqa: E731
    cells = [{"village": r["village"], "village_name": names[r["village"]], "item": r["item"],
              "item_label": item_label(r["item"]), "held": r["held"], "households": r["households"],
              "persons": r["persons"], "lines": r["lines"], "amount": money(r["amount"])} for r in rows]
    return {"by_village": [fmt(t) for t in by_village.values()], "by_item": [fmt(t) for t in by_item.values()],
            "cells": cells, "all": fmt(grand)}

def _accumulate(t: dict[str, Any], r: Mapping[str, Any]) -> None:
    if r["held"]:
        t["held_lines"] += r["lines"]
        t["held_amount"] += r["amount"]
    else:
        t["households"] += r["households"]
        t["persons"] += r["persons"]
        t["lines"] += r["lines"]
        t["amount"] += r["amount"]


def moved(uow, payroll: Mapping[str, Any], *, limit: int) -> dict[str, Any]:
    """新增 / 停发 / 调整 against the previous payroll of the area and group."""
    group = group_of(payroll["group_code"])
    repo = uow.payments
    items = [group.item]
    now = repo.month_amounts(payroll["id"], payroll["month"], items)
    prev = repo.previous(payroll["area_code"], group.code, payroll["month"])
    before = repo.month_amounts(prev["id"], prev["month"], items) if prev else {}
    moved = changes(before, now)
    counts = {k: len(v) for k, v in moved.items()}
    out: dict[str, Any] = {"previous": prev["month"] if prev else None, "counts": counts}
    if limit:
        wanted = {b for rows in moved.values() for b, _a, _c in rows[:limit]}
        who = _payees(uow, [payroll["id"]] + ([prev["id"]] if prev else []), wanted)
        for key, rows in moved.items():
            out[key] = [{"case_id": b, "before": money(a), "after": money(c), **who.get(b, {})}
                        for b, a, c in rows[:limit]]
    return out

def _payees(uow, payroll_ids: list[int], case_ids: set[int]) -> dict[int, dict[str, Any]]:
    if not case_ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    for case_id, payee, village, number in uow.payments.payees(payroll_ids, sorted(case_ids)):
        if case_id not in out:
            out[case_id] = {"payee": payee, "village": village, "case": number}
    names = village_names(uow, {v["village"] for v in out.values()})
    for v in out.values():
        v["village_name"] = names.get(v["village"], v["village"])
    return out


def owed_view(o: Mapping[str, Any]) -> dict[str, Any]:
    labels = {"draft": "待审批确认", "open": "待追缴", "recovered": "已追回", "written_off": "已核销"}
    return {**o, "amount": money(o["amount"]), "status_label": labels.get(o["status"], o["status"]),
            "item_label": item_label(o["item"]),
            "created_at": o["created_at"].isoformat(sep=" ") if isinstance(o["created_at"], dt.datetime)
            else o["created_at"],
            "settled_at": o["settled_at"].isoformat(sep=" ") if o["settled_at"] else None}

