"""The payment account of a benefit in payment (开户银行, 银行账号): corrected when a line was held
back for a missing account or failed at the bank, so the next payroll pays it (补发).

The account lives on the household as last determined (the latest decided 复核/变更, else the
application). The correction is audited on the case, with the numbers masked.
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.household import bank_account
from ..domain.privacy import mask_bank_account
from ..domain.specs import BENEFIT_KINDS
from . import lookup, roles
from .case_writer import CaseWriter
from .context import AppContext


class PaymentAccountService:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def set_account(self, case_ref: str | int, actor: str, bank_name: str, account: str, reason: str) -> dict[str, Any]:
        bank_name = (bank_name or "").strip()
        if not bank_name:
            raise InputError("bank_name: 须填写开户银行", "bank_name")
        digits = bank_account(account, "bank_account")
        if not digits:
            raise InputError("bank_account: 须填写银行账号", "bank_account")
        if not (reason or "").strip():
            raise InputError("须写明更正原因（如：银行退回“户名不符”，已核实新账号）", "reason")
        with self.ctx.db.unit_of_work() as uow:
            user = lookup.actor(uow, actor)
            if not set(user.roles) & {"caseworker", "township_reviewer"}:
                raise DomainError(f"用户 {user.full_name} 无权更正发放账户，须由经办人或乡镇审核人办理")
            case = lookup.case_for(uow, user, case_ref)
            if case.kind not in BENEFIT_KINDS or roles.case_outcome(self.ctx.engines, case) != "approved":
                raise DomainError(f"案件 {case.number} 不是已批准的救助案件，没有发放账户可更正")
            latest = uow.benefits.latest_determinations([case.id]).get(case.id)
            household_id = latest[0] if latest else case.household_id
            old = uow.benefits.households([household_id])[household_id]
            if (old["bank_name"], old["bank_account"]) == (bank_name, digits):
                raise InputError("bank_account: 开户银行和银行账号没有变化", "bank_account")
            uow.benefits.set_account(household_id, bank_name, digits)
            before = f"{old['bank_name'] or '（无）'} {mask_bank_account(old['bank_account']) or '（无）'}"
            after = f"{bank_name} {mask_bank_account(digits)}"
            CaseWriter(self.ctx).note(
                uow, case, user, self.ctx.today(), "payment_account", f"更正发放账户：{before} → {after}；{reason.strip()}",
                changes={"bank_name": {"before": old["bank_name"], "after": bank_name},
                         "bank_account": {"before": mask_bank_account(old["bank_account"]),
                                          "after": mask_bank_account(digits)}})
            return {"case": case.number, "bank_name": bank_name, "bank_account": mask_bank_account(digits)}
