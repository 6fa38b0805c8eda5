"""The monthly payroll's maker-checker cycle (payments.md §2).

编制中 (draft) → 待审核 (submitted) → 待审批 (reviewed) → 已审批 (approved: frozen with a digest) →
已导出 (exported: bank file made) → 已回盘 (results read back) → 已结账 (closed).

Each step is one transaction: the payroll's state moves with ``UPDATE … WHERE version = v AND
state = s`` (two users at once: one wins, the other is told) and its audit event is written in the
same transaction. Roles are checked here, never only by the window; whoever built a payroll can
neither review nor approve it, and the reviewer cannot approve it either (经办、审核、审批 are three
people).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.errors import Conflict, DomainError, InputError
from ..domain.model import User
from ..domain.payroll import (
    GROUPS,
    Digest,
    shift,
)
from ..domain.privacy import sees_full_ids
from ..domain.specs import ROLES
from ..gcpause import gc_paused
from . import lookup
from .context import AppContext
from .payment_views import (
    STATES,
    brief,
    check_month,
    group_of,
    line_view,
    money,
    moved,
    owed_view,
    payroll_label,
    totals,
    village_names,
)
from .payroll_build import PayrollBuilder

OPEN_STATES = ("draft", "submitted", "reviewed")
FROZEN_STATES = ("approved", "exported", "results", "closed")
# action: (from states, to state, label, roles)
STEPS: dict[str, tuple[tuple[str, ...], str, str, frozenset[str]]] = {
    "build": (("draft",), "draft", "编制（重新编制）", frozenset({"caseworker"})),
    "submit": (("draft",), "submitted", "提交审核", frozenset({"caseworker"})),
    "review": (("submitted",), "reviewed", "审核通过", frozenset({"township_reviewer"})),
    "return": (("submitted", "reviewed"), "draft", "退回重编", frozenset({"township_reviewer", "county_approver"})),
    "approve": (("reviewed",), "approved", "审批通过", frozenset({"county_approver"})),
    "export": (("approved", "exported"), "exported", "生成银行代发文件", frozenset({"caseworker", "township_reviewer"})),
    "import_result": (("exported",), "results", "导入银行回盘文件", frozenset({"caseworker", "township_reviewer"})),
    "close": (("results",), "closed", "结账", frozenset({"township_reviewer", "county_approver"})),
}
EVENTS = {"build": "payroll_built", "submit": "payroll_submitted", "review": "payroll_reviewed",
          "return": "payroll_returned", "approve": "payroll_approved", "export": "payroll_exported",
          "import_result": "payroll_results", "close": "payroll_closed"}


class PayrollConflict(Conflict):
    """Someone else moved the payroll on since it was read (two approvers at once)."""


class PaymentService:
    """Build, check, approve, export, read results and close payrolls; list and show them."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    # --- who may do what ------------------------------------------------------------------------
    def user(self, uow, actor: str) -> User:
        user = lookup.actor(uow, actor)
        if not set(user.roles) & {"caseworker", "township_reviewer", "county_approver"}:
            raise DomainError(f"用户 {user.full_name} 无权办理资金发放，须由经办人、审核人或审批人办理")
        return user

    def area(self, uow, user: User | None, code: str):
        area = uow.areas.get(code)
        if area is None or area.level not in ("township", "county"):
            raise InputError(f"没有乡镇（街道）或县「{code}」", "area")
        if user is not None and user.area_code and user.area_code not in lookup.area_chain(uow, code):
            raise DomainError(f"{area.name}不在用户 {user.full_name} 的辖区内")
        return area

    def _delegated(self, uow, area_code: str) -> bool:
        return area_code in (uow.settings.get("delegated_townships", []) or [])

    def refusal(self, uow, user: User, payroll: Mapping[str, Any], action: str) -> str | None:
        """Why ``user`` may not take ``action`` on ``payroll`` now, or None."""
        sources, _to, label, roles = STEPS[action]
        if payroll["state"] not in sources:
            return f"发放名册当前为「{STATES[payroll['state']]}」，不能{label}"
        allowed = set(roles)
        if action in ("approve", "return") and self._delegated(uow, payroll["area_code"]):
            allowed.add("township_reviewer")  # the county let this township decide
        if action == "return" and payroll["state"] == "submitted":
            allowed = {"township_reviewer"}
        if not set(user.roles) & allowed:
            who = "、".join(ROLES[r] for r in sorted(allowed))
            return f"用户 {user.full_name} 无权{label}，须由{who}办理"
        if action in ("review", "approve") and user.username == payroll["built_by"]:
            return f"{user.full_name}编制了本发放名册，不能{'审核' if action == 'review' else '审批'}（经办与审核、审批须分离）"
        if action == "approve" and user.username == payroll["reviewed_by"]:
            return f"{user.full_name}已审核本发放名册，不能再审批（审核与审批须分离）"
        return None

    # --- build -------------------------------------------------------------------------------------
    def build(self, area_code: str, group_code: str, month: str, actor: str, *, since: str | None = None,
              expected_version: int | None = None) -> dict[str, Any]:
        """Build (or rebuild while 编制中) the payroll of an area, group and month.

        ``since``: at the first payroll of the area's group only, the first month paid through the
        program (default: this month); months before it were paid outside and are never back-paid.
        """
        group = group_of(group_code)
        month = check_month(month)
        if since is not None:
            since = check_month(since, "since")
            if since > month:
                raise InputError(f"起始月份 {since} 不能晚于发放月份 {month}", "since")
        today = self.ctx.today()
        next_month = shift(f"{today.year:04d}-{today.month:02d}", 1)
        if month > next_month:
            raise InputError(f"最多只能编制下月（{next_month}）的发放名册", "month")
        # a county's build holds a million small objects at once: the cycle collector would scan them
        # again and again (measured at 20,000 lines: 16 % of the first month's build, 44 % of the
        # second's); reference counting still frees them
        with gc_paused(), self.ctx.db.unit_of_work() as uow:
            user = self.user(uow, actor)
            area = self.area(uow, user, area_code)
            repo = uow.payments
            payroll = repo.find_payroll(area.code, group.code, month)
            if payroll is not None:
                reason = self.refusal(uow, user, payroll, "build")
                if reason:
                    raise DomainError(reason)
                if expected_version is not None and expected_version != payroll["version"]:
                    raise PayrollConflict("发放名册已被他人修改，请刷新后重试")
                if since is not None and since != payroll["covers_from"]:
                    raise InputError("只能在第一次编制时指定起始月份", "since")
            else:
                if "caseworker" not in user.roles:
                    raise DomainError(f"用户 {user.full_name} 无权编制发放名册，须由经办人办理")
                for other in repo.payrolls(areas=[area.code], group_code=group.code, limit=1000):
                    if other["state"] in OPEN_STATES:
                        raise DomainError(f"{other['month']}的{group.short}发放名册尚未审批（{STATES[other['state']]}），"
                                          "请先办完上一期")
                    if other["month"] > month:
                        raise DomainError(f"已有{other['month']}的{group.short}发放名册，不能再编制更早的{month}")
                start = repo.covers_from(area.code, group.code)
                if start is not None and since is not None:
                    raise InputError(f"{area.name}的{group.short}自 {start} 起已通过本程序发放，不能再指定起始月份",
                                     "since")
                pid = repo.add_payroll(area_code=area.code, group_code=group.code, month=month, state="draft",
                                       covers_from=start or since or month, built_by=user.username,
                                       built_at=self.ctx.now())
                payroll = repo.payroll(pid)
            start = min(payroll["covers_from"], repo.covers_from(area.code, group.code) or payroll["covers_from"])
            repo.delete_draft(payroll["id"])
            builder = PayrollBuilder(uow, self.ctx, area.code, group, month, start)
            built = builder.build()
            lines = self._line_rows(built.lines)
            if not lines and not built.owed:
                if group.kind == "price":
                    raise DomainError(f"{area.name}{month}没有应发的价格临时补贴：当月价格指数未录入或未达到启动条件，"
                                      "或没有低保、特困保障对象")
                raise DomainError(f"{area.name}{month}没有应发放的{group.short}对象")
            repo.insert_line_rows(payroll["id"], lines)
            now = self.ctx.now()
            repo.insert_owed([{"case_id": o.benefit, "item": o.item, "month": o.month, "amount": o.amount,
                               "source": o.source or "", "reason": o.reason, "payroll_id": payroll["id"],
                               "status": "draft", "created_at": now, "settle_note": ""} for o in built.owed])
            totals = repo.line_totals(payroll["id"])
            values = {"line_count": totals["count"], "total": totals["amount"] - totals["held_amount"],
                      "held_count": totals["held_count"], "held_total": totals["held_amount"],
                      "built_by": user.username, "built_at": now, "submitted_by": None, "reviewed_by": None}
            if not repo.advance(payroll["id"], payroll["version"], "draft", "draft", **values):
                raise PayrollConflict("发放名册已被他人修改，请刷新后重试")
            self.event(uow, user, payroll, "build", "draft", "draft",
                        comment=f"编制：{totals['count']}行，应发{money(values['total'])}元，暂缓{totals['held_count']}行"
                                + (f"，追缴{len(built.owed)}笔" if built.owed else ""),
                        count=totals["count"], total=money(values["total"]), held=totals["held_count"],
                        owed=len(built.owed))
            return self.summary(uow, repo.payroll(payroll["id"]), user)

    @staticmethod
    def _line_rows(built) -> list[tuple[Any, ...]]:
        """The lines as tuples in the storage's column order (``LINE_COLUMNS``: seq, case_id, item,
        month, amount, kind, state, live, ref, basis, persons, person_ids, village_code, household_id,
        payee_name, payee_id_number, bank_name, bank_account, hold_reason, result_reason, note),
        numbered (序号) by village, payee, benefit, month and item."""
        ordered = sorted(built, key=lambda x: (x[1].village, x[1].payee.name, x[0].benefit, x[0].month, x[0].item))
        return [(seq, line.benefit, line.item, line.month, line.amount, line.kind, line.state, line.state != "held",
                 line.ref, basis, line.persons, person_ids, b.village, b.payee.household_id, b.payee.name,
                 b.payee.id_number, b.payee.bank_name, b.payee.bank_account, line.hold_reason, "", line.note)
                for seq, (line, b, person_ids, basis) in enumerate(ordered, 1)]

    # --- the steps ------------------------------------------------------------------------------------
    def step(self, payroll_id: int, action: str, actor: str, *, expected_version: int | None = None,
             comment: str = "") -> dict[str, Any]:
        """submit, review, return (with a reason), approve, close."""
        if action not in ("submit", "review", "return", "approve", "close"):
            raise InputError(f"action: 未知的操作「{action}」", "action")
        if action == "return" and not comment.strip():
            raise InputError("退回须写明理由", "comment")
        with self.ctx.db.unit_of_work() as uow:
            user, payroll = self.load(uow, payroll_id, actor, expected_version)
            reason = self.refusal(uow, user, payroll, action)
            if reason:
                raise DomainError(reason)
            to = STEPS[action][1]
            values: dict[str, Any] = {}
            if action == "submit":
                values["submitted_by"] = user.username
            elif action == "review":
                values["reviewed_by"] = user.username
            elif action == "return":
                values |= {"submitted_by": None, "reviewed_by": None}
            elif action == "close":
                values["closed_by"] = user.username
            elif action == "approve":
                values |= {"approved_by": user.username, "approved_at": self.ctx.now()}
            if not uow.payments.advance(payroll["id"], payroll["version"], payroll["state"], to, **values):
                self.lost(uow, payroll)
            extra: dict[str, Any] = {}
            if action == "approve":
                extra = self._freeze(uow, payroll)
            self.event(uow, user, payroll, action, payroll["state"], to, comment=comment or STEPS[action][2],
                        **extra)
            return self.summary(uow, uow.payments.payroll(payroll["id"]), user)

    def _freeze(self, uow, payroll: Mapping[str, Any]) -> dict[str, Any]:
        """At approval: the digest of every line and the totals and changes the approver saw."""
        repo = uow.payments
        digest = Digest()
        for row in repo.digest_rows(payroll["id"]):
            digest.add(row)
        frozen = {"totals": totals(uow, payroll), "changes": moved(uow, payroll, limit=0)["counts"],
                  "count": digest.count, "total": money(digest.total)}
        repo.set_values(payroll["id"], digest=digest.hexdigest(), frozen=frozen)
        repo.open_owed(payroll["id"])
        return {"digest": digest.hexdigest(), "count": digest.count, "total": money(digest.total)}

    def verify(self, payroll_id: int, actor: str | None = None) -> dict[str, Any]:
        """Recompute an approved payroll's digest: do its lines still say what was approved?"""
        with self.ctx.db.unit_of_work() as uow:
            payroll = self.load(uow, payroll_id, actor, None)[1] if actor else uow.payments.payroll(payroll_id)
            if payroll is None:
                raise DomainError(f"没有发放名册 {payroll_id}")
            if not payroll["digest"]:
                return {"ok": None, "message": "发放名册尚未审批，没有摘要"}
            digest = Digest()
            for row in uow.payments.digest_rows(payroll["id"]):
                state = "pending" if row[5] in ("paid", "failed") else row[5]  # the bank's answer came later
                digest.add((*row[:5], state, *row[6:]))
            ok = digest.hexdigest() == payroll["digest"]
            return {"ok": ok, "digest": payroll["digest"], "now": digest.hexdigest(),
                    "message": "发放名册与审批时一致" if ok else "发放名册在审批后被改动，与审批时的摘要不符"}

    def load(self, uow, payroll_id: int, actor: str | None, expected_version: int | None):
        user = self.user(uow, actor) if actor else None
        payroll = uow.payments.payroll(int(payroll_id))
        if payroll is None:
            raise DomainError(f"没有发放名册 {payroll_id}")
        self.area(uow, user, payroll["area_code"])
        if expected_version is not None and expected_version != payroll["version"]:
            self.lost(uow, payroll)
        return user, payroll

    def lost(self, uow, payroll: Mapping[str, Any]) -> None:
        now = uow.payments.payroll(payroll["id"]) or payroll
        raise PayrollConflict(f"{payroll_label(uow, payroll)}已由他人处理（现为「{STATES[now['state']]}」），"
                              "本次操作未执行，请刷新后查看", now.get("version"), payroll.get("version"))

    def event(self, uow, user: User, payroll: Mapping[str, Any], action: str, from_state: str, to_state: str, *,
               comment: str, **data: Any) -> None:
        label = payroll_label(uow, payroll)
        uow.events.append_office(user.username, EVENTS[action], self.ctx.now(), subject=label,
                                 comment=f"{label}：{comment}",
                                 data={"payroll": payroll["id"], "from": from_state, "to": to_state} | data)

    # --- views ---------------------------------------------------------------------------------------
    def areas_for(self, actor: str) -> list[dict[str, Any]]:
        """Where the user can pay: their township, or (county users) every township and the county."""
        with self.ctx.db.unit_of_work() as uow:
            user = self.user(uow, actor)
            out = []
            for area in uow.areas.all():
                if area.level not in ("township", "county"):
                    continue
                if user.area_code and user.area_code not in lookup.area_chain(uow, area.code):
                    continue
                out.append({"code": area.code, "name": area.name, "level": area.level})
            return sorted(out, key=lambda a: (a["level"] != "township", a["code"]))

    @staticmethod
    def groups() -> list[dict[str, str]]:
        return [{"code": g.code, "label": g.label, "short": g.short} for g in GROUPS]

    def list(self, actor: str, *, area_code: str | None = None, group_code: str | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
        with self.ctx.db.unit_of_work() as uow:
            user = self.user(uow, actor)
            areas = None
            if area_code:
                areas = [self.area(uow, user, area_code).code]
            elif user.area_code:
                areas = [user.area_code] + [a.code for a in uow.areas.children(user.area_code)]
            rows = uow.payments.payrolls(areas=areas, group_code=group_code, limit=limit)
            return [brief(uow, r) for r in rows]

    def show(self, payroll_id: int, actor: str, *, changes_limit: int = 200) -> dict[str, Any]:
        with self.ctx.db.unit_of_work() as uow:
            user, payroll = self.load(uow, payroll_id, actor, None)
            view = self.summary(uow, payroll, user)
            view["changes"] = moved(uow, payroll, limit=changes_limit)
            view["owed"] = [owed_view(o) for o in uow.payments.owed(payroll_id=payroll["id"])]
            view["bank_files"] = [{**f, "total": money(f["total"]), "recorded_at": f["recorded_at"].isoformat(sep=" ")}
                                  for f in uow.payments.bank_files(payroll["id"])]
            return view

    def find(self, area_code: str, group_code: str, month: str, actor: str) -> dict[str, Any] | None:
        with self.ctx.db.unit_of_work() as uow:
            user = self.user(uow, actor)
            area = self.area(uow, user, area_code)
            payroll = uow.payments.find_payroll(area.code, group_of(group_code).code, check_month(month))
            return None if payroll is None else self.summary(uow, payroll, user)

    def lines(self, payroll_id: int, actor: str, *, state: str | None = None, kind: str | None = None,
              village: str | None = None, search: str = "", after_seq: int = 0, limit: int = 200) -> dict[str, Any]:
        """A page of lines (keyset paging on 序号), masked for roles that do not need full numbers."""
        with self.ctx.db.unit_of_work() as uow:
            user, payroll = self.load(uow, payroll_id, actor, None)
            repo = uow.payments
            rows = repo.lines(payroll["id"], state=state or None, kind=kind or None, village=village or None,
                              search=search, after_seq=after_seq, limit=limit)
            names = village_names(uow, {r["village_code"] for r in rows})
            full = sees_full_ids(user.roles)
            return {"rows": [line_view(r, names, full) for r in rows],
                    "count": repo.count_lines(payroll["id"], state=state or None, kind=kind or None,
                                              village=village or None) if not search else None}

    def summary(self, uow, payroll: Mapping[str, Any], user: User | None) -> dict[str, Any]:
        users = {u.username: u.full_name for u in uow.users.all()}
        view = brief(uow, payroll)
        view |= {
            "covers_from": payroll["covers_from"], "digest": payroll["digest"],
            "people": {key: {"username": payroll[key], "name": users.get(payroll[key] or "", payroll[key] or "")}
                       for key in ("built_by", "submitted_by", "reviewed_by", "approved_by", "exported_by",
                                   "results_by", "closed_by")},
            "built_at": payroll["built_at"].isoformat(sep=" "),
            "approved_at": payroll["approved_at"].isoformat(sep=" ") if payroll["approved_at"] else None,
            "totals": payroll["frozen"]["totals"] if payroll["frozen"] else totals(uow, payroll),
            "frozen": bool(payroll["frozen"]),
        }
        if user is not None:
            view["actions"] = [{"action": a, "label": STEPS[a][2], "allowed": (r := self.refusal(uow, user, payroll, a)) is None,
                                "reason": r or ""}
                               for a in STEPS if payroll["state"] in STEPS[a][0]]
        return view

    # --- amounts owed -----------------------------------------------------------------------------------
    def settle_owed(self, owed_id: int, actor: str, status: str, note: str) -> dict[str, Any]:
        """Mark an amount owed recovered (追回) or written off (核销) — with the reason, audited."""
        if status not in ("recovered", "written_off"):
            raise InputError("只能是 recovered（已追回）或 written_off（核销）", "status")
        if not note.strip():
            raise InputError("须写明追回方式或核销理由", "note")
        with self.ctx.db.unit_of_work() as uow:
            user = self.user(uow, actor)
            if not set(user.roles) & {"township_reviewer", "county_approver"}:
                raise DomainError(f"用户 {user.full_name} 无权处理追缴款，须由乡镇审核人或县级审批人办理")
            row = uow.payments.owed_row(int(owed_id))
            if row is None:
                raise DomainError(f"没有追缴记录 {owed_id}")
            case = lookup.case_for(uow, user, row["case_id"])
            if not uow.payments.settle_owed(row["id"], status, user.username, self.ctx.now(), note.strip()):
                raise DomainError(f"追缴记录 {owed_id} 不是待追缴状态，不能再处理")
            label = "已追回" if status == "recovered" else "核销"
            uow.events.append_office(user.username, "owed_settled", self.ctx.now(), subject=case.number,
                                     comment=f"{case.number} {row['month']} 追缴{money(row['amount'])}元：{label}；{note.strip()}",
                                     data={"owed": row["id"], "status": status, "amount": money(row["amount"])})
            return owed_view(uow.payments.owed_row(row["id"]))
