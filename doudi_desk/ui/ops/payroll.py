"""资金发放 actions: price indices, payrolls and their steps, bank files, payment accounts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .changes import Changes
from .op import CollectionOp, Shell

PAYROLL = Changes(payroll=True)


def set_price_index(shell: Shell, area: str, month: str, cpi: str, food: str) -> CollectionOp[dict]:
    """录入 a month's price indices (价格临时补贴 is triggered or not)."""
    return CollectionOp(shell, shell.backend.payments.prices.set, area, month, cpi, food,
                        actor=shell.user["username"], changes=PAYROLL)


def open_or_build(shell: Shell, area: str, group: str, month: str, since: str | None) -> CollectionOp[tuple]:
    """Open the payroll of an area, group and month, building it if there is none: (view, built)."""
    payrolls, user = shell.backend.payments.payrolls, shell.user["username"]

    def work() -> tuple[dict[str, Any], bool]:
        found = payrolls.find(area, group, month, user)
        if found is not None:
            return found, False
        return payrolls.build(area, group, month, user, since=since), True

    return CollectionOp(shell, work, changes=lambda result: PAYROLL if result[1] else Changes())


def step(shell: Shell, view: dict[str, Any], action: str, comment: str = "") -> CollectionOp[dict]:
    """A payroll's next step (提交, 审核, 确认发放 …), against the version shown."""
    return CollectionOp(shell, shell.backend.payments.payrolls.step, view["id"], action, shell.user["username"],
                        expected_version=view["version"], comment=comment, changes=PAYROLL)


def rebuild(shell: Shell, view: dict[str, Any]) -> CollectionOp[dict]:
    """重新编制 a payroll from the cases as they are now."""
    return CollectionOp(shell, shell.backend.payments.payrolls.build, view["area"], view["group"], view["month"],
                        shell.user["username"], expected_version=view["version"], changes=PAYROLL)


def bank_file(shell: Shell, work: Callable[[], Any]) -> CollectionOp[Any]:
    """生成银行代发文件 (``work`` makes and writes it: the payroll moves on)."""
    return CollectionOp(shell, work, changes=PAYROLL)


def import_bank_result(shell: Shell, work: Callable[[], Any]) -> CollectionOp[Any]:
    """导入回盘: lines paid or failed (``work`` reads the file and records it)."""
    return CollectionOp(shell, work, changes=PAYROLL)


def set_account(shell: Shell, case_id: int, bank: str, account: str, reason: str) -> CollectionOp[dict]:
    """更正发放账户 of a case (the next payroll pays what was held or failed)."""
    return CollectionOp(shell, shell.backend.payments.accounts.set_account, case_id, shell.user["username"],
                        bank, account, reason, changes=Changes(case_ids=frozenset([case_id]), payroll=True))
