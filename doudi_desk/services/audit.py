"""The audit trail as the office sees it: verify the hash chain, list office events, record exports.

Every event (an action on a case, a log-in, an account change, an export, a backup) is one link of
a hash chain per database (storage/chain.py). :meth:`AuditService.verify` recomputes it and names
the first broken link in Chinese. What it cannot see is a rewrite of the whole chain by someone
holding the database itself; against that, compare the head it prints with one noted earlier or
kept in a backup's manifest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.model import User
from ..domain.privacy import mask_text, sees_full_ids
from ..storage.repo import NotFoundError
from . import lookup
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


AUDIT_ROLES = frozenset({"admin", "county_approver"})  # who reads the audit trail (and exports it)
PAGE_SIZE = 100


def _can_audit(uow, actor: str | None) -> None:
    if actor is None:
        return  # the command line, run by whoever holds the database
    user = uow.users.get(actor)
    if user is None or not user.active or not set(user.roles) & AUDIT_ROLES:
        raise DomainError(f"用户「{actor}」无权查看审计记录，须由系统管理员或县级审批人查看")


def _day(value: dt.date | str | None, field: str, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{label}：「{str(value)[:20]}」不是日期，应为 YYYY-MM-DD", field) from None


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


class AuditLog:
    """The office's audit log as the window lists it: every event (case actions and office events)
    newest first, one keyset page per call, within the auditor's area. Each call is one transaction."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def page(self, actor: str, *, since: dt.date | str | None = None, until: dt.date | str | None = None,
             by: str | None = None, case: str | None = None, before: int | None = None,
             limit: int = PAGE_SIZE) -> dict[str, Any]:
        """Events recorded from ``since`` to ``until`` (days, both included), done by account ``by``,
        of case number ``case``; ``before``: the ``next`` of the previous page. Returns ``rows``
        (time, 操作人, 案件号, 操作, 状态变化, 说明 and the raw fields) and ``next`` (None on the last
        page). ID and card numbers in comments are masked for roles that see them masked."""
        first, last = _day(since, "since", "起始日期"), _day(until, "until", "截止日期")
        if first and last and first > last:
            raise InputError(f"起始日期 {first} 晚于截止日期 {last}", "since")
        if not 1 <= int(limit) <= 10000:
            raise InputError("每页条数应在 1 到 10000 之间", "limit")
        with self.ctx.db.unit_of_work() as uow:
            user = self._auditor(uow, actor)
            villages, hidden = self._scope(uow, user)
            case_ids = None
            if case is not None and str(case).strip():
                found = uow.cases.get_by_number(str(case).strip().upper())
                if found is None or (villages is not None and found.village_code not in villages):
                    raise InputError(f"案件号：没有案件「{str(case).strip()[:40]}」（或不在本辖区）", "case")
                case_ids = [found.id]
            rows = uow.events.page(
                limit=int(limit) + 1, before=before, actor=by or None, case_ids=case_ids, villages=villages,
                hidden_actors=hidden,
                since=dt.datetime.combine(first, dt.time()) if first else None,
                until=dt.datetime.combine(last + dt.timedelta(days=1), dt.time()) if last else None)
            names = {u.username: u.full_name for u in uow.users.all()}
        more = len(rows) > limit
        rows = rows[:limit]
        full = sees_full_ids(user.roles)
        labels: dict[str, dict[str, str]] = {}
        for r in rows:
            self._describe(r, labels, names, full)
        return {"rows": rows, "next": rows[-1]["chain_seq"] if more else None}

    def actors(self, actor: str) -> list[dict[str, str]]:
        """The accounts whose events the auditor sees (for the 操作人 filter), by name."""
        with self.ctx.db.unit_of_work() as uow:
            user = self._auditor(uow, actor)
            _villages, hidden = self._scope(uow, user)
            above = set(lookup.area_chain(uow, user.area_code)[1:])  # the county's staff act on its cases
            users = [u for u in uow.users.all() if u.username not in hidden or u.area_code in above]
        return [{"username": u.username, "name": f"{u.full_name}（{u.username}）"}
                for u in sorted(users, key=lambda u: u.username)] + [{"username": "system", "name": "系统"}]

    @staticmethod
    def _auditor(uow, actor: str) -> User:
        user = lookup.actor(uow, actor)
        _can_audit(uow, user.username)
        return user

    @staticmethod
    def _scope(uow, user: User) -> tuple[list[str] | None, list[str]]:
        """The villages whose case events the user sees (None: all) and the accounts of other areas,
        whose office events the user does not see. Events without an account of an area (the
        program itself, a log-in with an unknown name) belong to the whole office."""
        area = uow.areas.get(user.area_code) if user.area_code else None
        if area is None:
            return None, []
        areas = uow.areas.all()
        inside, grew = {area.code}, True
        while grew:  # the area and everything under it (three levels at most)
            more = {a.code for a in areas if a.parent_code in inside} - inside
            inside |= more
            grew = bool(more)
        villages = sorted(a.code for a in areas if a.code in inside and a.level == "village")
        hidden = [u.username for u in uow.users.all() if u.area_code and u.area_code not in inside]
        return villages, hidden

    def _describe(self, r: dict[str, Any], labels: dict[str, dict[str, str]], names: dict[str, str],
                  full: bool) -> None:
        from .cases import trigger_labels

        r["time"] = r["recorded_at"].isoformat(sep=" ", timespec="seconds")
        r["actor_name"] = names.get(r["actor"], "系统" if r["actor"] == "system" else r["actor"])
        comment = r["comment"] or ""
        if r["case_id"] is None:
            r["action_label"] = ACTIONS.get(r["trigger"], r["trigger"])
            r["change"] = ""
            if not comment and r["to_state"] and r["to_state"] != r["actor"]:
                comment = r["to_state"]
        else:
            engine = self.ctx.engines.get(r["workflow_id"] or "")
            if r["workflow_id"] not in labels:
                labels[r["workflow_id"]] = trigger_labels(engine.spec) if engine else {}
            r["action_label"] = labels[r["workflow_id"]].get(r["trigger"], r["trigger"])
            to = lookup.state_label(self.ctx.engines, r["workflow_id"], r["to_state"])
            if r["from_state"] and r["from_state"] != r["to_state"]:
                r["change"] = f"{lookup.state_label(self.ctx.engines, r['workflow_id'], r['from_state'])} → {to}"
            else:
                r["change"] = f"→ {to}" if not r["from_state"] else ""
        r["note"] = comment if full else mask_text(comment)
        del r["recorded_at"], r["comment"]  # only the masked text leaves the service


def record_export(uow, ctx: AppContext, actor: str, what: str, *, fields: Sequence[str],
                  cases: Sequence[str] = (), area: str | None = None, rows: int | None = None) -> None:
    """Log an export that contains ID numbers or bank accounts (privacy §6), in the caller's
    transaction so the export and its record stand or fall together."""
    uow.events.append_office(actor, "export", ctx.now(), subject=what[:64],
                             comment=f"导出含{'、'.join(fields)}的文件：{what}",
                             data={"fields": list(fields), "cases": list(cases)[:200], "area": area, "rows": rows})
