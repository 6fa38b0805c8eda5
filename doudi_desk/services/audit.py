"""The audit trail as the office sees it: verify the hash chain, list office events, record exports.

Every event (an action on a case, a log-in, an account change, an export, a backup) is one link of
a hash chain per database (storage/chain.py). :meth:`AuditService.verify` recomputes it and names
the first broken link in Chinese. What it cannot see is a rewrite of the whole chain by someone
holding the database itself; against that, compare the head it prints with one noted earlier or
kept in a backup's manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.errors import DomainError
from ..storage.repo import NotFoundError
from .context import AppContext

PROBLEMS = {
    "altered": "内容在程序之外被修改（与其哈希不符）",
    "relinked": "与前一条记录的链接不符（前面的记录被删除、插入或重排）",
    "missing": "缺失（已被删除）",
    "unreadable": "无法读取（内容被改坏）",
    "truncated": "及其后的记录缺失（最后的记录被删除）",
    "head": "与链头不符（链头记录被修改或删除）",
}

# Office event names, for lists.
ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "command_login": "命令行登录",
    "command_login_failed": "命令行登录失败", "unlock": "解除锁屏", "unlock_failed": "解除锁屏失败",
    "change_password_failed": "修改密码失败", "account_locked": "账户锁定", "password_changed": "修改密码",
    "password_set": "设置密码", "user_added": "添加用户", "user_updated": "修改用户", "user_unlocked": "解除锁定",
    "area_added": "添加地区", "policy_set": "设置政策参数", "calendar_set": "调整工作日",
    "calendar_removed": "取消工作日调整", "delegation_set": "授权乡镇审批", "export": "导出含个人信息的文件",
    "backup": "备份", "restored": "从备份恢复", "upgraded": "升级数据库结构", "area_class_set": "设置城乡分类",
    "campaign_created": "建立排查活动", "campaign_assigned": "分配排查任务", "campaign_check": "登记入户核查",
    "campaign_problem": "登记排查问题", "campaign_problem_state": "问题整改状态", "campaign_case_opened": "排查问题开立案件",
    "campaign_closed": "结束排查活动",
    "payroll_built": "编制发放名册", "payroll_submitted": "提交发放名册", "payroll_reviewed": "审核发放名册",
    "payroll_returned": "退回发放名册", "payroll_approved": "审批发放名册", "payroll_exported": "生成银行代发文件",
    "payroll_results": "导入银行回盘", "payroll_closed": "发放名册结账", "owed_settled": "处理追缴款",
    "price_index_set": "录入价格指数",
    "import": "导入花名册",
}


def _can_audit(uow, actor: str | None) -> None:
    if actor is None:
        return  # the command line, run by whoever holds the database
    user = uow.users.get(actor)
    if user is None or not user.active or not set(user.roles) & {"admin", "county_approver"}:
        raise DomainError(f"用户「{actor}」无权查看审计记录，须由系统管理员或县级审批人查看")


class AuditService:
    """Chain verification and office events. Each call is one transaction."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def verify(self, actor: str | None = None) -> dict[str, Any]:
        """Walk the whole chain. Returns ``ok``, ``events``, ``head`` (seq, hash), and when broken
        ``problem`` (kind, chain_seq, event id, case id/number, seq) with a Chinese ``message``."""
        with self.ctx.db.unit_of_work() as uow:
            _can_audit(uow, actor)
            result = uow.events.verify()
            problem = result["problem"]
            if problem is None:
                seq, digest = result["head"]
                result["message"] = f"审计记录链完整：共 {result['events']} 条记录，链头 {seq} 号，哈希 {digest}"
                return result
            number = self._case_number(uow, problem.get("case_id"))
            problem["case_number"] = number
            where = f"第 {problem['chain_seq']} 号审计记录" if problem.get("chain_seq") else "审计记录链"
            if problem["kind"] in ("missing", "truncated"):
                gaps = [f"案件 {self._case_number(uow, cid)} 缺第 {seq} 步" for cid, seq in uow.events.seq_gaps()]
                detail = f"（{'；'.join(gaps)}）" if gaps else ""
                text = f"{where}{PROBLEMS[problem['kind']]}{detail}"
            else:
                if number:
                    where += f"（案件 {number} 第 {problem['seq']} 步）"
                elif problem.get("event_id") is not None:
                    where += "（办公事件）"
                text = f"{where}{PROBLEMS[problem['kind']]}"
            result["message"] = f"审计记录链已断开：{text}。此前完好的记录 {result['events']} 条"
            return result

    @staticmethod
    def _case_number(uow, case_id: int | None) -> str | None:
        if case_id is None:
            return None
        try:
            return uow.cases.get(case_id).number
        except NotFoundError:
            return f"编号 {case_id}（案件已不存在）"

    def office_log(self, actor: str | None = None, *, limit: int = 100,
                   actions: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Office events (log-ins, accounts, exports, backups), newest first."""
        with self.ctx.db.unit_of_work() as uow:
            _can_audit(uow, actor)
            rows = uow.events.office(limit=limit, actions=tuple(actions))
        for r in rows:
            r["action_label"] = ACTIONS.get(r["action"], r["action"])
            r["recorded_at"] = r["recorded_at"].isoformat(sep=" ")
        return rows


def record_export(uow, ctx: AppContext, actor: str, what: str, *, fields: Sequence[str],
                  cases: Sequence[str] = (), area: str | None = None, rows: int | None = None) -> None:
    """Log an export that contains ID numbers or bank accounts (privacy §6), in the caller's
    transaction so the export and its record stand or fall together."""
    uow.events.append_office(actor, "export", ctx.now(), subject=what[:64],
                             comment=f"导出含{'、'.join(fields)}的文件：{what}",
                             data={"fields": list(fields), "cases": list(cases)[:200], "area": area, "rows": rows})
