"""Every list of the window as an Excel file: what the list shows, filtered as shown.

One :meth:`ExportService.export` per list (``KIND``): the same query the window runs with the same
filters, Chinese headers, a title row with the office, the filter and the date, ID numbers and
accounts as text and masked for the roles that see them masked (domain/privacy.py). An export that
holds ID numbers or accounts is an export event of the audit trail, written in the same
transaction (services/audit.py), like a printed 花名册. The 花名册 itself is written in the layout
of the province's roster so that it imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.errors import DomainError, InputError
from ..domain.model import DISABILITY_TYPES, RELATIONS, User
from ..domain.privacy import PERSONAL_FIELDS, mask_bank_account, mask_id_number, sees_full_ids
from ..domain.programmes import DEFAULT, PROGRAMMES
from ..importing.roster_out import write_roster
from ..importing.workbook import Col, write_table
from . import lookup
from .audit import record_export
from .context import AppContext
from .lifecycle import STATUSES, effective_status
from .office import OfficeService
from .queries import TABS, CaseQuery
from .views import vars_of

KINDS: dict[str, str] = {
    "cases": "案件列表",
    "queue": "审批队列",
    "due_reviews": "复核到期名单",
    "benefits": "在保名单",
    "monitoring": "低收入监测名单",
    "audit": "审计记录",
    "roster": "花名册",
}
GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | code | money | int | date
    personal: str | None = None  # "id_number" or "bank_account": masked for roles that see them masked


@dataclass
class Table:
    columns: list[Column]
    rows: list[Mapping[str, Any]]
    filters: list[str]
    title: str = ""
    own_file: bool = False  # the rows are the user's own file (an import's error list): not masked, still logged


class ExportService:
    """Lists to xlsx files. Holds no session."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        from .cases import CaseService
        from .lifecycle_queries import LifecycleQueries
        from .queries import QueryService

        self.queries = QueryService(ctx)
        self.life = LifecycleQueries(ctx, CaseService(ctx))
        self.office = OfficeService(ctx)

    def export(self, kind: str, actor: str, out: str | Path, **filters: Any) -> dict[str, Any]:
        """Write list ``kind`` for ``actor`` to ``out`` (.xlsx). Returns the path, the row count and
        whether the export was logged (it holds ID numbers or accounts)."""
        if kind not in KINDS:
            raise InputError(f"没有「{kind}」这种名单（可选：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}）",
                             "kind")
        if kind == "roster":
            return self._roster(actor, out, **filters)
        builder: Callable[..., Table] = getattr(self, f"_{kind}")
        table = builder(actor, **filters)
        return self.write(actor, out, KINDS[kind], table)

    def write(self, actor: str, out: str | Path, what: str, table: Table) -> dict[str, Any]:
        """Mask, write and log one table (also used for the import's error list)."""
        with self.ctx.db.unit_of_work() as uow:
            user = lookup.actor(uow, actor)
            office = self.office.details_in(uow, _township(uow, user))
            full = sees_full_ids(user.roles) or table.own_file
            rows = [[_cell(row, c, full) for c in table.columns] for row in table.rows]
            personal = sorted({c.personal for c in table.columns if c.personal})
            today = self.ctx.today()
            info = [f"筛选：{'；'.join(table.filters) or '全部'}",
                    f"单位：{office['name']}    导出人：{user.full_name}    导出日期：{today:%Y年%m月%d日}    共 {len(rows)} 条"
                    + ("" if full or not personal else "    （身份证号码、银行账号已按权限遮盖）")]
            title = table.title or f"{office['name']}{what}"
            count = write_table(out, title=title, info=info, sheet_name=what,
                                columns=[Col(c.header, c.kind) for c in table.columns], rows=rows)
            if personal and count:
                record_export(uow, self.ctx, user.username, f"{what}（Excel）{Path(out).name}",
                              fields=[PERSONAL_FIELDS[p] for p in personal], rows=count,
                              area=user.area_code)
        return {"path": str(out), "rows": count, "title": title, "logged": bool(personal and count),
                "masked": not full and bool(personal)}

    # --- the lists ---
    def _cases(self, actor: str, tab: str = "all", programme: str | None = None, state: str | None = None,
               village: str | None = None, deadline: str | None = None, outcome: str | None = None, search: str = "",
               sort: str = "number", descending: bool = False) -> Table:
        """The case list as filtered on screen: every field of the list's CaseQuery is accepted."""
        if tab not in TABS:
            raise InputError(f"只能是 {'、'.join(f'{k}（{v}）' for k, v in TABS.items())}", "tab")
        query = CaseQuery(tab=tab, programme=programme, state=state, village=village, deadline=deadline,
                          outcome=outcome, search=search or "", sort=sort, descending=descending)
        ids = self.queries.case_ids(actor, query)
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            rows.extend(vars_of(r) | {"deadline_text": _deadline_text(r), "kind_label": _kind_label(self.ctx, r)}
                        for r in self.queries.case_rows(ids[start:start + 500], actor))
        filters = [TABS[tab]]
        filters += self._labels(actor, programme=programme, state=state, village=village)
        if deadline:
            filters.append({"soon": "3个工作日内到期", "overdue": "已逾期"}.get(deadline, deadline))
        if search:
            filters.append(f"搜索「{search}」")
        columns = [Column("number", "案件编号"), Column("head", "户主"),
                   Column("head_id_number", "户主身份证号码", "code", "id_number"), Column("village_name", "村（社区）"),
                   Column("kind_label", "救助项目"), Column("state_label", "当前环节"), Column("members", "人数", "int"),
                   Column("applied_on", "申请日期"), Column("deadline_text", "期限（工作日）")]
        return Table(columns, rows, filters)

    def _queue(self, actor: str) -> Table:
        rows = [vars_of(r) | {"deadline_text": _deadline_text(r), "flag_text": "、".join(r.flags)}
                for r in self.queries.supervisor_queue(actor)]
        columns = [Column("number", "案件编号"), Column("head", "户主"), Column("village_name", "村（社区）"),
                   Column("state_label", "环节"), Column("approve_label", "待办"),
                   Column("proposed_amount", "拟保障金额（元/月）", "money"), Column("members", "人数", "int"),
                   Column("deadline_text", "期限"), Column("flag_text", "标记")]
        return Table(columns, rows, ["待我审批的案件"])

    def _due_reviews(self, actor: str, month: str | None = None, programme: str | None = None) -> Table:
        rows = [r for r in self.life.due_reviews(actor, month) if programme is None or r["programme"] == programme]
        today = self.ctx.today()
        this = f"{today.year:04d}-{today.month:02d}"
        for r in rows:
            due = r["next_review_on"][:7]
            r["due_text"] = "已逾期" if r["overdue"] else ("本月到期" if due == this else f"{due} 到期")
            r["review_text"] = (f"{r['review_case']}（{r.get('review_state_label') or '办理中'}）"
                                if r.get("review_case") else "未开展")
        columns = [Column("case", "案件编号"), Column("head", "户主"), Column("village_name", "村（社区）"),
                   Column("programme_label", "项目"), Column("monthly_amount", "月保障金额（元）", "money"),
                   Column("status_label", "保障状态"), Column("next_review_on", "应复核日期"),
                   Column("due_text", "到期情况"), Column("review_text", "复核案件")]
        filters = [f"复核到期月份 {month or this}（含逾期）"] + self._labels(actor, programme=programme)
        return Table(columns, rows, filters)

    def _benefits(self, actor: str, status: str | None = None, programme: str | None = None) -> Table:
        rows = [vars_of(r) | {
            "end_text": (f"渐退至 {r.phase_out_until}" if r.phase_out_until
                         else f"停发自 {r.stopped_from}" if r.stopped_from else ""),
            "open_text": f"{r.open_case_kind} {r.open_case}" if r.open_case else "",
        } for r in self.life.benefits(actor, status) if programme is None or r.programme == programme]
        columns = [Column("case", "案件编号"), Column("head", "户主"), Column("village_name", "村（社区）"),
                   Column("programme_label", "项目"), Column("status_label", "保障状态"),
                   Column("monthly_amount", "月保障金额（元）", "money"), Column("covered_count", "保障人数", "int"),
                   Column("since_month", "起始月份"), Column("next_review_on", "下次复核"),
                   Column("end_text", "渐退至 / 停发自"), Column("open_text", "办理中")]
        filters = [f"保障状态：{STATUSES.get(status, status)}" if status else "全部保障状态"]
        filters += self._labels(actor, programme=programme)
        return Table(columns, rows, filters)

    def _monitoring(self, actor: str, flag: str | None = None) -> Table:
        from ..domain.calc import FLAG_LABELS

        rows = self.life.flags(actor, flag)
        for r in rows:
            r["flag_text"] = "、".join(FLAG_LABELS.get(f, f) for f in r["flags"])
        columns = [Column("head", "户主"), Column("village_name", "村（社区）"), Column("members", "人数", "int"),
                   Column("per_capita_monthly", "人均月收入（元）", "money"), Column("flag_text", "监测标记"),
                   Column("case", "最近案件"), Column("programme_label", "项目"), Column("case_state_label", "案件环节")]
        return Table(columns, rows, [f"监测标记：{FLAG_LABELS.get(flag, flag)}" if flag else "全部监测标记"])

    def _audit(self, actor: str, since: str | None = None, until: str | None = None, by: str | None = None,
               case: str | None = None, limit: int = 1000) -> Table:
        """The audit log page's list (services/audit.py AuditLog), newest first, up to ``limit`` events
        read a page at a time."""
        from .audit import AuditLog

        if not isinstance(limit, int) or not 1 <= limit <= 100000:
            raise InputError("审计记录条数应为 1 到 100000 之间的整数", "limit")
        log = AuditLog(self.ctx)
        rows: list[dict[str, Any]] = []
        before = None
        while len(rows) < limit:
            page = log.page(actor, since=since, until=until, by=by, case=case, before=before,
                            limit=min(2000, limit - len(rows)))
            rows.extend(page["rows"])
            before = page["next"]
            if before is None:
                break
        columns = [Column("chain_seq", "序号", "int"), Column("time", "时间"), Column("actor_name", "操作人"),
                   Column("case_number", "案件号"), Column("action_label", "操作"), Column("change", "状态变化"),
                   Column("note", "说明")]
        filters = []
        if since or until:
            filters.append(f"时间：{since or '最早'} 至 {until or '今天'}")
        if by:
            names = {a["username"]: a["name"] for a in log.actors(actor)}
            filters.append(f"操作人：{names.get(by, by)}")
        if case:
            filters.append(f"案件号：{case}")
        if before is not None:
            filters.append(f"仅最近 {limit} 条")
        return Table(columns, rows, filters)

    def _labels(self, actor: str, *, programme: str | None = None, state: str | None = None,
                village: str | None = None) -> list[str]:
        out = []
        if programme:
            out.append(f"项目：{PROGRAMMES.get(programme, programme)}")
        if state:
            labels = {s.name: s.label for e in self.ctx.engines.values() for s in e.spec.states}
            out.append(f"环节：{labels.get(state, state)}")
        if village:
            with self.ctx.db.unit_of_work() as uow:
                area = uow.areas.get(village)
            out.append(f"村（社区）：{area.name if area else village}")
        return out

    # --- the 花名册 ---
    def _roster(self, actor: str, out: str | Path, village: Sequence[str] | str | None = None,
                programme: str = DEFAULT) -> dict[str, Any]:
        """In-force families of villages (or of a township's villages) in the province's roster layout
        (the programmes whose rosters are imported: those with a 历史导入 workflow)."""
        kinds = {(e.spec.programme, e.spec.kind) for e in self.ctx.engines.values()}
        rostered = [code for code in PROGRAMMES if (code, "import") in kinds]
        if programme not in rostered:
            names = "、".join(f"{PROGRAMMES[c]}（{c}）" for c in rostered)
            raise InputError(f"花名册只有{names}", "programme")
        codes = [village] if isinstance(village, str) else list(village or [])
        today = self.ctx.today()
        with self.ctx.db.unit_of_work() as uow:
            user = lookup.actor(uow, actor)
            villages = self._roster_villages(uow, user, codes)
            office = self.office.details_in(uow, _township(uow, user) or (codes[0] if codes else None))
            names = {a.code: a for a in uow.areas.all()}
            full = sees_full_ids(user.roles)
            found = [b for b in uow.imports.benefit_cases(villages=villages, programmes=[programme], with_decision=True)
                     if effective_status(b["benefit"], today) != "stopped"]
            found.sort(key=lambda b: (b["village_code"], b["number"]))
            households = [_roster_household(b, names, full) for b in found]
            scope = names.get(codes[0]).name if len(codes) == 1 and names.get(codes[0]) else (
                office["township"] or office["county"])
            title = f"{scope}{PROGRAMMES[programme]}对象花名册"
            info = f"填报单位：{office['name']}    填报日期：{today.year}年{today.month}月{today.day}日"
            count = write_roster(out, title=title, info=info, households=households)
            if count:
                record_export(uow, self.ctx, user.username, f"花名册（Excel）{Path(out).name}",
                              fields=list(PERSONAL_FIELDS.values()), cases=[b["number"] for b in found],
                              area=codes[0] if len(codes) == 1 else user.area_code, rows=count)
        return {"path": str(out), "rows": count, "title": title, "logged": bool(count), "masked": not full}

    @staticmethod
    def _roster_villages(uow, user: User, codes: Sequence[str]) -> list[str]:
        if not codes:
            scope = user.area_code
            if scope is None:
                return [a.code for a in uow.areas.all() if a.level == "village"]
            codes = [scope]
        villages: list[str] = []
        for code in codes:
            area = uow.areas.get(code)
            if area is None:
                raise InputError(f"没有地区「{code}」", "village")
            inside = [area.code] if area.level == "village" else [a.code for a in uow.areas.children(code, "village")]
            for v in inside:
                lookup.check_village_scope(uow, user, v)
            villages.extend(inside)
        if not villages:
            raise DomainError("所选地区没有村（社区）")
        return villages


def _township(uow, user: User) -> str | None:
    area = uow.areas.get(user.area_code) if user.area_code else None
    if area is None:
        return None
    return area.parent_code if area.level == "village" else area.code


def _cell(row: Mapping[str, Any], column: Column, full: bool) -> Any:
    value = row.get(column.key)
    if column.personal and not full and value:
        value = mask_id_number(str(value)) if column.personal == "id_number" else mask_bank_account(str(value))
    return value


def _deadline_text(row: Mapping[str, Any]) -> str:
    left = row.get("days_left")
    if left is None:
        return "已办结" if row.get("closed") else "—"
    if row.get("overdue"):
        return f"逾期 {max(-left, 0)} 个工作日" if left < 0 else "今日已逾期"
    return "今日到期" if left == 0 else f"剩余 {left} 个工作日"


def _kind_label(ctx: AppContext, row: Mapping[str, Any]) -> str:
    engine = ctx.engines.get(row.get("workflow_id", ""))
    kind = {"review": "复核", "change": "变更", "termination": "停保", "import": "历史导入"}.get(
        engine.spec.kind if engine else "", "")
    return f"{row['programme_label']}·{kind}" if kind else row["programme_label"]


def _roster_household(b: Mapping[str, Any], names: Mapping[str, Any], full: bool) -> dict[str, Any]:
    household = b["household"]
    benefit, decision = b["benefit"] or {}, b["decision"] or {}
    members = list(household["members"])
    members.sort(key=lambda m: m["relation"] != "head")  # the head first, the others in their order
    covered = benefit.get("covered") or []
    village = names.get(b["village_code"])
    town = names.get(village.parent_code) if village else None

    def ident(value: str) -> str:
        return value if full else mask_id_number(value)

    amount = Decimal(str(benefit.get("monthly_amount") or decision.get("monthly_amount") or 0))
    return {
        "township": town.name if town else "", "village": village.name if village else "",
        "head": members[0]["name"] if members else "", "head_id_number": ident(members[0]["id_number"]) if members else "",
        "size": len(members), "covered_count": len(covered) if covered else benefit.get("covered_count"),
        "category": benefit.get("category") or "", "monthly_amount": amount,
        "start_month": benefit.get("since_month") or decision.get("start_month") or "",
        "bank_name": household["bank_name"],
        "bank_account": household["bank_account"] if full else mask_bank_account(household["bank_account"]),
        "phone": household["phone"], "address": household["address"],
        "members": [{"name": m["name"], "id_number": ident(m["id_number"]),
                     "relation": RELATIONS.get(m["relation"], m["relation"]),
                     "disability_type": DISABILITY_TYPES.get(m["disability_type"] or "", ""),
                     "disability_grade": GRADES.get(m["disability_grade"] or 0, ""),
                     "serious_illness": "是" if m["serious_illness"] else "否"} for m in members],
    }
