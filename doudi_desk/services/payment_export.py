"""A payroll's lines as an xlsx table (the 资金发放 tab's 导出, ``payroll lines --xlsx``).

Full ID numbers and accounts only for roles that see them; a file that has them is an export in
the audit trail, like the 花名册."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.privacy import PERSONAL_FIELDS, sees_full_ids
from ..exchange import write_table
from .audit import record_export
from .context import AppContext
from .payment_views import payroll_label
from .payments import PaymentService

HEADINGS = ["序号", "村（社区）", "收款人", "身份证号码", "开户银行", "银行账号", "项目", "所属月份", "类别",
            "金额（元）", "状态", "说明", "决定案件"]


def lines_xlsx(ctx: AppContext, payroll_id: int, actor: str, rows: Sequence[dict[str, Any]]) -> bytes:
    """``rows`` as :meth:`PaymentService.lines` gives them (already masked for the user's role)."""
    pay = PaymentService(ctx)
    with ctx.db.unit_of_work() as uow:
        user, payroll = pay.load(uow, payroll_id, actor, None)
        label = payroll_label(uow, payroll)
        data = write_table([("明细", f"{label}明细（{len(rows)}行）", HEADINGS, [
            [r["seq"], r["village_name"], r["payee"], r["id_number"], r["bank_name"], r["bank_account"],
             r["item_label"], r["month"], r["kind_label"], r["amount"], r["state_label"], r["reason"], r["ref"]]
            for r in rows])], money_columns=["金额（元）"])
        if sees_full_ids(user.roles):
            record_export(uow, ctx, user.username, f"{label}明细", area=payroll["area_code"], rows=len(rows),
                          fields=[PERSONAL_FIELDS["id_number"], PERSONAL_FIELDS["bank_account"]])
        return data
