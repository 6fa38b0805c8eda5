"""大排查 campaigns (reports.md §3, seed 004): target rules, the check items of the seed's
排查情况统计表, problems and their states, and the two output tables in the seed's layout.

Pure: plain values in, plain values out. ``services/campaigns.py`` stores and audits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import DomainError, InputError
from .report_tables import Column, Table

RULES: dict[str, str] = {
    "benefit": "低保、特困在保家庭",
    "temporary": "近12个月临时救助对象",
    "edge_family": "低保边缘家庭",
    "rigid_expense_hardship": "刚性支出困难家庭",
    "monitoring_alert": "防返贫监测对象",
    "severe_disability": "有重度残疾人的家庭",
}
DEFAULT_PHASES = ("全面排查", "集中整改", "总结提升")

STATUS = {"ok": "到位", "gap": "不到位"}
# (key, label, kind): bool, int (a number of persons), status (到位 / 不到位 with a note)
CHECK_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("registered_poor", "建档立卡户", "bool"),
    ("unstable", "脱贫不稳定户", "bool"),
    ("edge_risk", "边缘易致贫户", "bool"),
    ("school_age_children", "适龄少年儿童人数", "int"),
    ("education_gap", "义务教育保障不到位人数", "int"),
    ("medical", "基本医疗", "status"),
    ("medical_gap", "基本医疗保障不到位人数", "int"),
    ("housing", "住房安全", "status"),
    ("water", "饮水安全", "status"),
    ("social_security", "社会保障", "status"),
    ("dibao_gap", "兜底保障不到位人数", "int"),
    ("disability_help", "残疾人帮扶落实到位人数", "int"),
    ("pension", "养老政策落实到位人数", "int"),
)

PROBLEM_STATES = {"pending": "待整改", "in_progress": "整改中", "fixed": "已整改"}
NEXT_STATE = {"pending": "in_progress", "in_progress": "fixed"}
PROBLEM_KINDS = {"missed": "应保未保", "wrongly_covered": "错保", "other": "其他问题"}
# 主要内容 and 重点任务 of the seed's 核查问题清单 (附件2), offered as defaults.
TOPICS: dict[str, str] = {
    "防贫监测": "健全防止返贫动态监测和帮扶机制，对防止返贫动态监测管理机制建立情况、运行情况，以及可能导致返贫的"
            "遗漏点、风险点进行重点排查。",
    "社会保障": "重点查看农村低收入人口常态化帮扶机制建立运行情况，最低生活保障政策、特困人员救助供养政策、临时救助"
            "政策、困难家庭残疾人扶持措施、养老保障措施等落实情况，对失能特困老人、孤儿、残疾人是否做到应保尽保、"
            "应兜尽兜。",
}


def parse_phases(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Phases with names and dates, in order, each ending on or after it starts and after the one before."""
    if not raw:
        raise InputError("phases: 至少需要一个阶段（如 全面排查、集中整改、总结提升）", "phases")
    out = []
    for i, p in enumerate(raw, 1):
        name = str(p.get("name") or "").strip()
        if not name:
            raise InputError(f"phases[{i}].name: 第{i}个阶段须有名称", f"phases[{i}].name")
        dates = []
        for key, label in (("start_on", "开始日期"), ("end_on", "结束日期")):
            value = p.get(key)
            try:
                dates.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
            except ValueError:
                raise InputError(f"phases[{i}].{key}: 「{name}」的{label}应为 YYYY-MM-DD，现为「{value}」",
                                 f"phases[{i}].{key}") from None
        if dates[1] < dates[0]:
            raise InputError(f"phases[{i}].end_on: 「{name}」的结束日期早于开始日期", f"phases[{i}].end_on")
        if out and dates[0] <= out[-1]["end_on"]:
            raise InputError(f"phases[{i}].start_on: 「{name}」应在上一阶段结束之后开始", f"phases[{i}].start_on")
        out.append({"name": name, "start_on": dates[0], "end_on": dates[1]})
    return out


def parse_rules(raw: Iterable[str]) -> list[str]:
    rules = [r.strip() for r in raw if str(r).strip()]
    unknown = [r for r in rules if r not in RULES]
    if unknown or not rules:
        options = "、".join(f"{k}（{v}）" for k, v in RULES.items())
        raise InputError(f"rules: 排查对象规则只能是 {options}" + (f"，「{unknown[0]}」无效" if unknown else ""), "rules")
    return list(dict.fromkeys(rules))


def parse_check(items: Mapping[str, Any]) -> dict[str, Any]:
    """The items of one household's check, normalised; refused naming the first wrong item."""
    if not isinstance(items, Mapping):
        raise InputError("items: 应为各核查项目的值", "items")
    known = {k for k, _l, _t in CHECK_ITEMS} | {f"{k}_note" for k, _l, t in CHECK_ITEMS if t == "status"}
    extra = sorted(set(items) - known)
    if extra:
        raise InputError(f"items.{extra[0]}: 没有这个核查项目", f"items.{extra[0]}")
    out: dict[str, Any] = {}
    for key, label, kind in CHECK_ITEMS:
        value = items.get(key)
        if kind == "bool":
            if value not in (None, True, False, "true", "false", "是", "否"):
                raise InputError(f"items.{key}: 「{label}」应为 是 或 否", f"items.{key}")
            out[key] = value in (True, "true", "是")
        elif kind == "int":
            try:
                number = int(value or 0)
            except (TypeError, ValueError):
                raise InputError(f"items.{key}: 「{label}」应为人数（整数），现为「{value}」", f"items.{key}") from None
            if number < 0 or number > 99:
                raise InputError(f"items.{key}: 「{label}」应在 0–99 之间", f"items.{key}")
            out[key] = number
        else:
            status = value or "ok"
            if status not in STATUS:
                raise InputError(f"items.{key}: 「{label}」只能是 ok（到位）或 gap（不到位）", f"items.{key}")
            note = str(items.get(f"{key}_note") or "").strip()
            if status == "gap" and not note:
                raise InputError(f"items.{key}_note: 「{label}」不到位，须写明情况", f"items.{key}_note")
            out[key], out[f"{key}_note"] = status, note
    if out["education_gap"] > out["school_age_children"]:
        raise InputError("items.education_gap: 义务教育保障不到位人数不能多于适龄少年儿童人数", "items.education_gap")
    return out


def next_problem_state(current: str, wanted: str) -> str:
    """待整改 → 整改中 → 已整改, one step at a time; refused otherwise."""
    if current == "fixed":
        raise DomainError("问题已整改完毕，不能再变更状态")
    if NEXT_STATE.get(current) != wanted:
        raise DomainError(f"问题状态只能由「{PROBLEM_STATES[current]}」变为「{PROBLEM_STATES[NEXT_STATE[current]]}」")
    return wanted


# --------------------------------------------------------------------------- the seed's tables

NOT_CIVIL = ("产业就业帮扶", "资金项目管理", "社会帮扶", "涉贫舆情")  # filled by other departments


def summary_columns(unit_label: str) -> tuple[Column, ...]:
    """The 排查情况统计表's column groups (附件1), as far as its layout can be read from the seed."""
    g3 = "“3+1”保障"
    return (
        Column("no", "序号", kind="text"),
        Column("label", unit_label, kind="text"),
        Column("registered_households", "户数", ("辖区内建档立卡总数",)),
        Column("registered_persons", "人数", ("辖区内建档立卡总数",)),
        Column("unstable_households", "户数", ("防贫监测", "脱贫不稳定户")),
        Column("unstable_persons", "人数", ("防贫监测", "脱贫不稳定户")),
        Column("edge_households", "户数", ("防贫监测", "边缘易致贫户")),
        Column("edge_persons", "人数", ("防贫监测", "边缘易致贫户")),
        Column("school_age", "适龄少年儿童人数", (g3, "义务教育")),
        Column("education_gap", "保障不到位人数", (g3, "义务教育")),
        Column("medical_gap", "保障不到位人数", (g3, "基本医疗")),
        Column("housing_gap", "保障不到位户数", (g3, "住房安全")),
        Column("water_gap", "保障不到位户数", (g3, "饮水安全")),
        Column("social_gap", "保障不到位户数", (g3, "社会保障")),
        Column("dibao_gap", "兜底保障不到位人数", (g3, "社会保障")),
        Column("disability_help", "残疾人帮扶落实到位人数", (g3, "社会保障")),
        Column("pension", "养老政策落实到位人数", (g3, "社会保障")),
        Column("industry_ok", "正常带贫项目数", ("产业就业帮扶", "产业帮扶"), kind="text"),
        Column("industry_bad", "无法正常带贫项目数", ("产业就业帮扶", "产业帮扶"), kind="text"),
        Column("employed", "稳岗就业人数", ("产业就业帮扶", "就业帮扶"), kind="text"),
        Column("unemployed", "未稳岗就业人数", ("产业就业帮扶", "就业帮扶"), kind="text"),
        Column("fiscal_yes", "是", ("资金项目管理", "财政扶贫项目是否规范、是否发挥效益"), kind="text"),
        Column("fiscal_no", "否", ("资金项目管理", "财政扶贫项目是否规范、是否发挥效益"), kind="text"),
        Column("microcredit", "户数", ("资金项目管理", "扶贫小额信贷累计发放户数"), kind="text"),
        Column("ledger_yes", "是", ("资金项目管理", "是否建立扶贫台账"), kind="text"),
        Column("ledger_no", "否", ("资金项目管理", "是否建立扶贫台账"), kind="text"),
        Column("village_team", "人数", ("社会帮扶", "驻村帮扶"), kind="text"),
        Column("consumption", "人数", ("社会帮扶", "消费扶贫"), kind="text"),
        Column("plan_yes", "是", ("社会帮扶", "是否制定方案"), kind="text"),
        Column("plan_no", "否", ("社会帮扶", "是否制定方案"), kind="text"),
        Column("team_yes", "是", ("社会帮扶", "是否成立专班"), kind="text"),
        Column("team_no", "否", ("社会帮扶", "是否成立专班"), kind="text"),
        Column("opinion_found", "发现涉贫舆情条数", ("涉贫舆情",), kind="text"),
        Column("opinion_handled", "处置涉贫舆情条数", ("涉贫舆情",), kind="text"),
    )


CIVIL_KEYS = ("registered_households", "registered_persons", "unstable_households", "unstable_persons",
              "edge_households", "edge_persons", "school_age", "education_gap", "medical_gap", "housing_gap",
              "water_gap", "social_gap", "dibao_gap", "disability_help", "pension")


def check_figures(checks: Iterable[tuple[Mapping[str, Any], int]]) -> dict[str, int]:
    """The civil-affairs columns from checks (each with the household's number of members)."""
    out = dict.fromkeys(CIVIL_KEYS, 0)
    for items, members in checks:
        for flag, prefix in (("registered_poor", "registered"), ("unstable", "unstable"), ("edge_risk", "edge")):
            if items.get(flag):
                out[f"{prefix}_households"] += 1
                out[f"{prefix}_persons"] += members
        out["school_age"] += int(items.get("school_age_children") or 0)
        out["education_gap"] += int(items.get("education_gap") or 0)
        out["medical_gap"] += int(items.get("medical_gap") or 0) if items.get("medical") == "gap" else 0
        out["housing_gap"] += items.get("housing") == "gap"
        out["water_gap"] += items.get("water") == "gap"
        out["social_gap"] += items.get("social_security") == "gap"
        for key in ("dibao_gap", "disability_help", "pension"):
            out[key] += int(items.get(key) or 0)
    return out


@dataclass(frozen=True)
class SummaryUnit:
    code: str
    name: str
    checks: tuple[tuple[Mapping[str, Any], int], ...]


def summary_table(title: str, unit_label: str, units: Sequence[SummaryUnit]) -> Table:
    """排查情况统计表: one row per unit (township, or village in a township's campaign), then 合计;
    the columns of other departments stay empty for them to fill."""
    rows = []
    every: list[tuple[Mapping[str, Any], int]] = []
    for n, u in enumerate(units, 1):
        rows.append({"_kind": "unit", "no": n, "label": u.name, "code": u.code} | check_figures(u.checks))
        every.extend(u.checks)
    rows.append({"_kind": "total", "no": "", "label": "合计"} | check_figures(every))
    return Table("campaign_summary", title, summary_columns(unit_label), tuple(rows),
                 note="产业就业帮扶、资金项目管理、社会帮扶、涉贫舆情各栏由相关部门填报。"
                      "民政各栏按已登记的入户核查汇总。", sheet="排查情况统计表")


PROBLEM_COLUMNS = (
    Column("no", "序号", kind="text"),
    Column("topic", "主要内容", kind="text"),
    Column("task", "重点任务", kind="text"),
    Column("responsible", "责任单位", kind="text"),
    Column("progress", "重点任务完成情况", kind="text"),
    Column("finding", "发现问题情况（问题表述及数量）", kind="text"),
    Column("measures", "整改措施", kind="text"),
    Column("outcome", "整改成效", kind="text"),
    Column("deadline", "完成时限", kind="text"),
)


def problem_rows(problems: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """核查问题清单 rows: one per problem, its state, who confirmed it and the case it opened."""
    rows = []
    for n, p in enumerate(problems, 1):
        progress = PROBLEM_STATES[p["state"]]
        if p["state"] == "fixed":
            progress += f"（{p['fixed_on']}，{p.get('confirmed_by_name') or p.get('confirmed_by') or ''}确认）"
        if p.get("case_number"):
            progress += f"；已开立案件 {p['case_number']}"
        where = "".join(x for x in (p.get("village_name", ""), " " + p["head"] if p.get("head") else "") if x)
        rows.append({
            "_kind": "unit", "no": n, "topic": p["topic"], "task": p.get("task", ""), "responsible": p.get("responsible", ""),
            "progress": progress,
            "finding": f"{where}：{PROBLEM_KINDS.get(p['kind'], '')}，{p['finding']}" if where else p["finding"],
            "measures": p.get("measures", ""), "outcome": p.get("outcome", ""),
            "deadline": p["deadline"].isoformat() if isinstance(p.get("deadline"), dt.date) else (p.get("deadline") or ""),
        })
    return tuple(rows)
