"""``doudi-admin report``, ``ledger`` and ``campaign``: the 统计月报, 台账 and 一户一册, and the
大排查 campaigns (reports.md), headless, on the same services as the window.

```
doudi-admin report monthly --month 2026-10 --area 130999101 --out 月报.xlsx|.pdf [--as USER]
doudi-admin ledger table --village CODE --programme dibao|tekun|temporary [--month YYYY-MM] --out F --as USER
doudi-admin ledger book (--case CASE | --village CODE) --out FILE.pdf --as USER
doudi-admin campaign create --name 名称 --area CODE [--doc 文号] [--phase 名称:开始:结束 …] [--rules a,b] --as USER
doudi-admin campaign list|show ID --as USER
doudi-admin campaign assign ID --village CODE --user USERNAME --as USER
doudi-admin campaign check TARGET --items FILE.json [--checked-by 姓名] [--date YYYY-MM-DD] --as USER
doudi-admin campaign problem ID --finding 问题 [--target T | --village CODE] [--kind missed|wrongly_covered|other] …
doudi-admin campaign advance PROBLEM in_progress|fixed [--measures …] [--outcome …] [--date …] --as USER
doudi-admin campaign open-case PROBLEM [--programme dibao|tekun] [--reason REASON] --as USER
doudi-admin campaign close ID --as USER
doudi-admin campaign export ID --table summary|problems --out FILE.xlsx|.pdf --as USER
```
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..domain.errors import InputError
from ..domain.programmes import DEFAULT, LEDGER_PROGRAMMES, REGISTRY
from .common import add_actor, add_date, add_json, context, output, read_json


def _progress(done: int, total: int, text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{text} {done}/{total}" + " " * 10)
        if done >= total:
            sys.stderr.write("\n")


def cmd_report_monthly(args: argparse.Namespace) -> int:
    from ..services.statistics import StatisticsService

    result = StatisticsService(context(args)).export(args.month, args.area, args.out, args.actor, progress=_progress)
    print(f"已生成 {result['area']} {result['month']} 统计月报：{result['path']}")
    return 0


def cmd_ledger_table(args: argparse.Namespace) -> int:
    from ..services.ledger_books import LedgerBookService

    path = LedgerBookService(context(args)).export_ledger(args.village, args.programme, args.out, args.actor, args.month)
    print(f"已生成台账：{path}")
    return 0


def cmd_ledger_book(args: argparse.Namespace) -> int:
    from ..services.ledger_books import LedgerBookService

    count = LedgerBookService(context(args)).save_books(args.out, args.actor, village=args.village, case=args.case,
                                                 progress=_progress)
    print(f"已生成一户一册 {count} 户：{args.out}")
    return 0


def _phase(text: str) -> dict[str, str]:
    parts = text.split(":")
    if len(parts) != 3:
        raise InputError(f"--phase: 应为 名称:开始日期:结束日期，现为「{text}」", "phase")
    return {"name": parts[0], "start_on": parts[1], "end_on": parts[2]}


def _print_campaign(view: dict[str, Any]) -> None:
    print(f"#{view['id']} {view['name']}（{view['doc_number'] or '无文号'}）  范围：{view['area_name']}  "
          f"{'进行中' if view['status'] == 'open' else '已结束'}")
    print("  阶段：" + "；".join(f"{p['name']} {p['start_on']} 至 {p['end_on']}" for p in view["phases"]))
    print("  排查对象：" + "、".join(view["rule_labels"]))


def cmd_campaign(args: argparse.Namespace) -> int:
    from ..services.campaigns import CampaignService

    service = CampaignService(context(args))
    action = args.campaign_command
    if action == "create":
        rules = [r for r in (args.rules or "").split(",") if r] or None
        view = service.create(args.name, args.doc or "", args.area, args.actor,
                              phases=[_phase(p) for p in args.phase] or None,
                              **({"rules": rules} if rules else {}))
        _print_campaign(view)
        print(f"已建立排查活动 #{view['id']}")
    elif action == "list":
        for view in service.campaigns(args.actor):
            _print_campaign(view)
    elif action == "show":
        view = service.show(args.id, args.actor)
        if args.json:
            output(view)
            return 0
        _print_campaign(view)
        for r in view["progress"]:
            print(f"  {r['village_name']}：已核查 {r['checked']}/{r['targets']} 户，问题 未整改 {r['open']}、已整改 "
                  f"{r['fixed']}，排查人 {r['assigned_name'] or '未分配'}")
        t = view["total"]
        print(f"  合计：已核查 {t['checked']}/{t['targets']} 户，问题 未整改 {t['open']}、已整改 {t['fixed']}")
        for target in view["targets"]:
            print(f"  对象 {target['id']}  {target['village_name']} {target['head_name']}（{target['members']}人）"
                  f"  {'、'.join(target['reason_labels'])}  {'已核查' if target['checked'] else '未核查'}")
        for p in view["problems"]:
            print(f"  问题 {p['id']}  {p['village_name']} {p['head']}  {p['kind_label']}：{p['finding']}  "
                  f"【{p['state_label']}】" + (f"  案件 {p['case_number']}" if p["case_number"] else ""))
    elif action == "assign":
        service.assign(args.id, args.village, args.user, args.actor)
        print(f"已分配：{args.village} 由 {args.user} 排查")
    elif action == "check":
        target = service.record_check(args.target, read_json(args.items), args.actor, checked_by=args.checked_by or "",
                                      checked_on=args.date, note=args.note or "")
        print(f"已登记入户核查：{target['head_name']}（{target['check']['checked_on']}）")
    elif action == "problem":
        p = service.raise_problem(args.id, args.actor, finding=args.finding, topic=args.topic, kind=args.kind,
                                  target_id=args.target, village=args.village, responsible=args.responsible or "",
                                  measures=args.measures or "", deadline=args.deadline)
        print(f"已登记问题 {p['id']}（待整改）")
    elif action == "advance":
        p = service.advance_problem(args.problem, args.state, args.actor, measures=args.measures, outcome=args.outcome,
                                    fixed_on=args.date)
        print(f"问题 {p['id']}：{ {'in_progress': '整改中', 'fixed': '已整改'}[p['state']] }")
    elif action == "open-case":
        result = service.open_case(args.problem, args.actor, programme=args.programme, reason=args.reason,
                                   effective_date=args.date)
        print(f"问题 {args.problem} 已开立案件 {result['case']}")
    elif action == "close":
        service.close(args.id, args.actor)
        print(f"排查活动 #{args.id} 已结束")
    elif action == "export":
        path = service.export(args.id, args.table, args.out, args.actor)
        print(f"已生成：{path}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="统计月报").add_subparsers(dest="report_command", required=True)
    q = p.add_parser("monthly", help="某月某地区的统计月报（xlsx 每表一页，或含图表的 PDF）")
    q.add_argument("--month", required=True, help="统计月份 YYYY-MM")
    q.add_argument("--area", required=True, help="村（社区）、乡镇或县的代码")
    q.add_argument("--out", required=True, help="输出文件 .xlsx 或 .pdf")
    add_actor(q)
    q.set_defaults(func=cmd_report_monthly)

    p = sub.add_parser("ledger", help="台账和一户一册").add_subparsers(dest="ledger_command", required=True)
    q = p.add_parser("table", help="一个村的低保、特困或临时救助台账")
    q.add_argument("--village", required=True)
    q.add_argument("--programme", required=True, choices=list(LEDGER_PROGRAMMES))
    q.add_argument("--month", help="在保月份 YYYY-MM，默认本月")
    q.add_argument("--out", required=True, help="输出文件 .xlsx 或 .pdf")
    add_actor(q, required=True)
    q.set_defaults(func=cmd_ledger_table)
    q = p.add_parser("book", help="一户一册：一户（--case）或全村各户（--village）")
    q.add_argument("--case", help="该户任一案件的编号")
    q.add_argument("--village")
    q.add_argument("--out", required=True, help="输出的 PDF 文件")
    add_actor(q, required=True)
    q.set_defaults(func=cmd_ledger_book)

    p = sub.add_parser("campaign", help="大排查").add_subparsers(dest="campaign_command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        q = p.add_parser(name, help=help_text)
        add_actor(q, required=True)
        q.set_defaults(func=cmd_campaign)
        return q

    q = add("create", "建立排查活动并按规则确定排查对象")
    q.add_argument("--name", required=True)
    q.add_argument("--doc", help="文号，如 承高社管字〔2021〕29号")
    q.add_argument("--area", required=True, help="乡镇或县的代码")
    q.add_argument("--phase", action="append", default=[], help="名称:开始日期:结束日期（可多次）")
    q.add_argument("--rules", help="benefit,temporary,edge_family,rigid_expense_hardship,monitoring_alert,"
                                   "severe_disability（默认全部）")
    add("list", "排查活动")
    q = add("show", "进度、排查对象和问题")
    q.add_argument("id", type=int)
    add_json(q)
    q = add("assign", "分配一个村的排查人员")
    q.add_argument("id", type=int)
    q.add_argument("--village", required=True)
    q.add_argument("--user", required=True)
    q = add("check", "登记一户的入户核查")
    q.add_argument("target", type=int)
    q.add_argument("--items", required=True, metavar="FILE.json")
    q.add_argument("--checked-by")
    add_date(q)
    q.add_argument("--note")
    q = add("problem", "登记发现的问题")
    q.add_argument("id", type=int)
    q.add_argument("--finding", required=True)
    q.add_argument("--topic", default="社会保障")
    q.add_argument("--kind", default="other", choices=["missed", "wrongly_covered", "other"])
    q.add_argument("--target", type=int)
    q.add_argument("--village")
    q.add_argument("--responsible")
    q.add_argument("--measures")
    q.add_argument("--deadline")
    q = add("advance", "问题整改：in_progress（整改中）或 fixed（已整改）")
    q.add_argument("problem", type=int)
    q.add_argument("state", choices=["in_progress", "fixed"])
    q.add_argument("--measures")
    q.add_argument("--outcome")
    add_date(q)
    q = add("open-case", "由问题开立案件（应保未保→申请，错保→停保）")
    q.add_argument("problem", type=int)
    q.add_argument("--programme", default=DEFAULT, choices=[c for c, p in REGISTRY.items() if p.monthly])
    q.add_argument("--reason", default="other", help="停保原因（见停保表单），默认 other")
    add_date(q)
    q = add("close", "结束排查活动")
    q.add_argument("id", type=int)
    q = add("export", "排查情况统计表或核查问题清单")
    q.add_argument("id", type=int)
    q.add_argument("--table", required=True, choices=["summary", "problems"])
    q.add_argument("--out", required=True)
