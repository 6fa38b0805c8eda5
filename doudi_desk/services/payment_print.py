"""Printed documents of a payroll: 发放花名册 (internal, with ID numbers and accounts: logged as an
export), 发放汇总表 by village and item with the 经办 / 审核 / 审批 blocks, and the 变动名单.

Gathers plain data in one unit of work and hands it to the printing layer with the shipped (or the
office's) templates, like services/printing.py does for case documents.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..domain import documents
from ..domain.errors import InputError
from ..domain.payroll import KIND_LABELS, STATE_LABELS, item_label
from ..domain.privacy import PERSONAL_FIELDS
from ..printing import Part, PrintConfig, render
from .audit import record_export
from .context import AppContext
from .office import OfficeService
from .payment_views import moved, village_names
from .payments import PaymentService
from .printing import rmb_upper, shipped_templates

KINDS = documents.of_scope("payroll")


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0))


class PayrollPrintService:
    def __init__(self, ctx: AppContext, payments: PaymentService | None = None):
        self.ctx = ctx
        self.payments = payments or PaymentService(ctx)
        self.office = OfficeService(ctx)

    def kinds(self) -> list[dict[str, str]]:
        return [{"kind": k, "title": t} for k, t in KINDS.items()]

    def render(self, payroll_id: int, kind: str, actor: str) -> bytes:
        if kind not in KINDS:
            raise InputError(f"没有这种发放文书「{kind}」（可选：{'、'.join(KINDS)}）", "kind")
        with self.ctx.db.unit_of_work() as uow:
            user, payroll = self.payments.load(uow, payroll_id, actor, None)
            view = self.payments.summary(uow, payroll, None)
            township = payroll["area_code"] if uow.areas.get(payroll["area_code"]).level == "township" else None
            base = {
                "payroll": {"label": view["label"], "area": view["area_name"], "month": view["month"],
                            "group_label": view["group_label"], "state_label": view["state_label"],
                            "digest": payroll["digest"] or "", "covers_from": payroll["covers_from"]},
                "office": self.office.details_in(uow, township),
                "people": {k: v["name"] for k, v in view["people"].items()},
                "printed_on": self.ctx.today(),
                "prepared_by": user.full_name,
            }
            data = getattr(self, f"_{kind}")(uow, payroll, view, base)
            fonts, folder = self.office.print_settings_in(uow)
            config = PrintConfig(template_dirs=tuple(d for d in (folder, str(shipped_templates())) if d), fonts=fonts)
            pdf = render(Part(kind, data), config, title=f"{view['label']}{KINDS[kind]}",
                         author=base["office"]["name"])
            if kind == "payroll_roster":
                record_export(uow, self.ctx, user.username, f"{view['label']}{KINDS[kind]}",
                              fields=[PERSONAL_FIELDS["id_number"], PERSONAL_FIELDS["bank_account"]],
                              area=payroll["area_code"], rows=len(data["lines"]))
            return pdf

    def _payroll_roster(self, uow, payroll, view, base) -> dict[str, Any]:
        lines = []
        for x in uow.payments.stream_lines(payroll["id"]):
            lines.append({"seq": x["seq"], "village": x["village_code"],
                          "payee": x["payee_name"], "id_number": x["payee_id_number"], "bank_name": x["bank_name"],
                          "bank_account": x["bank_account"], "item": item_label(x["item"]), "month": x["month"],
                          "kind": KIND_LABELS.get(x["kind"], x["kind"]), "amount": _money(x["amount"]),
                          "state": STATE_LABELS.get(x["state"], x["state"]),
                          "reason": x["hold_reason"] or x["result_reason"]})
        names = village_names(uow, {x["village"] for x in lines})
        for x in lines:
            x["village"] = names[x["village"]]
        t = view["totals"]["all"]
        return base | {"lines": lines, "totals": {"lines": t["lines"], "amount": t["amount"],
                                                  "held_lines": t["held_lines"], "held_amount": t["held_amount"]}}

    def _payroll_summary(self, uow, payroll, view, base) -> dict[str, Any]:
        cells = view["totals"]["cells"]
        villages: dict[str, dict[str, Any]] = {}
        for c in cells:
            v = villages.setdefault(c["village"], {"name": c["village_name"], "rows": {}, "households": 0, "persons": 0,
                                                   "lines": 0, "amount": Decimal(0), "held_lines": 0,
                                                   "held_amount": Decimal(0)})
            r = v["rows"].setdefault(c["item"], {"item": c["item_label"], "households": 0, "persons": 0, "lines": 0,
                                                 "amount": Decimal(0), "held_lines": 0, "held_amount": Decimal(0)})
            for bucket in (r, v):
                if c["held"]:
                    bucket["held_lines"] += c["lines"]
                    bucket["held_amount"] += _money(c["amount"])
                else:
                    bucket["households"] += c["households"]
                    bucket["persons"] += c["persons"]
                    bucket["lines"] += c["lines"]
                    bucket["amount"] += _money(c["amount"])
        for v in villages.values():
            v["rows"] = list(v["rows"].values())
        total = view["totals"]["all"]
        changes = moved(uow, payroll, limit=0)
        owed = uow.payments.owed(payroll_id=payroll["id"])
        people = view["people"]
        approved_on = payroll["approved_at"].date() if payroll["approved_at"] else None
        reviewed_on = next((e["recorded_at"].date() for e in uow.events.office(limit=1000, actions=("payroll_reviewed",))
                            if e["data"].get("payroll") == payroll["id"]), None) if payroll["reviewed_by"] else None
        signoffs = [{"title": "经办人", "name": people["built_by"]["name"], "date": payroll["built_at"].date()},
                    {"title": "审核人", "name": people["reviewed_by"]["name"], "date": reviewed_on},
                    {"title": "审批人", "name": people["approved_by"]["name"], "date": approved_on}]
        return base | {
            "villages": list(villages.values()), "total": total, "amount_upper": rmb_upper(total["amount"]),
            "changes": {"previous": changes["previous"], **changes["counts"]},
            "owed": {"count": len(owed), "amount": sum((_money(o["amount"]) for o in owed), Decimal(0))} if owed else None,
            "signoffs": signoffs,
        }

    def _payroll_changes(self, uow, payroll, view, base) -> dict[str, Any]:
        changes = moved(uow, payroll, limit=100_000)
        sections = []
        for key, title in (("new", "新增"), ("stopped", "停发"), ("changed", "调整")):
            rows = []
            for r in changes.get(key, []):
                diff = _money(r["after"]) - _money(r["before"])
                rows.append({"village": r.get("village_name", ""), "payee": r.get("payee", ""), "case": r.get("case", ""),
                             "before": r["before"] if key != "new" else "", "after": r["after"] if key != "stopped" else "",
                             "difference": f"{diff:+.2f}"})
            sections.append({"title": title, "rows": rows})
        return base | {"previous": changes["previous"], "sections": sections}
