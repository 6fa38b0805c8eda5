"""``doudi-admin import`` and ``doudi-admin export``: rosters in, lists out (xlsx)."""

from __future__ import annotations

import argparse
from typing import Any

from ..domain.errors import InputError
from .common import add_actor, context

# Which filters each export KIND takes (argparse dest -> service keyword).
EXPORT_FILTERS: dict[str, dict[str, str]] = {
    "cases": {"tab": "tab", "programme": "programme", "state": "state", "village": "village",
              "deadline": "deadline", "search": "search"},
    "queue": {},
    "due_reviews": {"month": "month", "programme": "programme"},
    "benefits": {"status": "status", "programme": "programme"},
    "monitoring": {"flag": "flag"},
    "audit": {"since": "since", "until": "until", "by": "by", "case": "case", "limit": "limit"},
    "roster": {"village": "village", "programme": "programme"},
}
FILTER_FLAGS = {"tab": "--tab", "programme": "--programme", "state": "--state", "village": "--village",
                "deadline": "--deadline", "search": "--search", "month": "--month", "status": "--status",
                "flag": "--flag", "since": "--since", "until": "--until", "by": "--by", "case": "--case",
                "limit": "--limit"}


def _print_issues(report: dict[str, Any], verbose: bool) -> None:
    for issue in report["issues"]:
        if issue["severity"] == "error" or verbose:
            print(f"  [{issue['severity_label']}] {issue['text']}")
    fixed = report["fixed_count"]
    if fixed and not verbose:
        print(f"  另有 {fixed} 处已自动纠正（全角数字、空格、小写x），加 --verbose 查看")


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.importing import ImportService

    if not args.actor:
        raise InputError("--as: 导入须指明操作用户", "as")
    service = ImportService(context(args))
    report = service.preview(args.file, args.actor, profile=args.profile)
    print(report["explanation"])
    for note in report["notes"]:
        print(f"提示：{note}")
    print(report["summary"])
    _print_issues(report, args.verbose)
    for h in report["households"]:
        if h["status"] == "changed":
            print(f"  有变化：第{h['row']}行 {h['head']}（{h['case']}）：{'；'.join(h['changes'])}")
    for g in report["gone"]:
        print(f"  不在名单中：{g['case']} {g['head']}（{g['village']}，月保障金额 {g['monthly_amount']} 元）")
    if args.errors_out:
        written = service.export_errors(args.file, args.actor, args.errors_out, profile=args.profile)
        print(f"错误清单已导出：{written['path']}（{written['rows']} 行）")
    if args.dry_run:
        print("预览（--dry-run）：没有写入任何内容")
        return 0
    if report["counts"]["error"] and not args.skip_errors:
        raise InputError(f"有 {report['counts']['error']} 户有错误（见上），整个文件未导入，没有写入任何内容；"
                         "改正后重新导入，或加 --skip-errors 跳过有错误的户", "FILE")
    result = service.commit(args.file, args.actor, profile=args.profile, skip_errors=args.skip_errors,
                            expected_digest=report["digest"])
    print(result["message"])
    wanted = [a for a in service.offered_actions(result)
              if (a["action"] == "change" and args.start_changes) or (a["action"] == "stop" and args.start_stops)]
    if wanted:
        done = service.start_actions(args.actor, wanted)
        for r in done["results"]:
            label = "变更" if r["action"] == "change" else "停保"
            print(f"  {label} {r['case']}：" + (f"已开立 {r['opened']}" if r["ok"] else f"未开立：{r['message']}"))
    elif result["counts"]["changed"] or result["counts"]["gone"]:
        print("有变化的家庭可加 --start-changes 登记变更，不在名单中的可加 --start-stops 提出停保（每户一个案件）")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..services.exporting import KINDS, ExportService

    if args.kind not in KINDS:
        raise InputError(f"KIND: 没有「{args.kind}」（可选：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}）", "kind")
    allowed = EXPORT_FILTERS[args.kind]
    filters: dict[str, Any] = {}
    for dest, flag in FILTER_FLAGS.items():
        value = getattr(args, dest)
        if value in (None, [], ""):
            continue
        if dest not in allowed:
            usable = "、".join(FILTER_FLAGS[d] for d in allowed) or "无"
            raise InputError(f"{flag}: 名单「{KINDS[args.kind]}」不能按此筛选（可用：{usable}）", dest)
        if dest == "village" and args.kind != "roster":
            if len(value) > 1:
                raise InputError("--village: 此名单只能给一个村（社区）", "village")
            value = value[0]
        filters[allowed[dest]] = value
    result = ExportService(context(args)).export(args.kind, args.actor, args.out, **filters)
    note = "；已记入审计记录（含身份证号码或银行账号）" if result["logged"] else ""
    masked = "；身份证号码、银行账号已按权限遮盖" if result["masked"] else ""
    print(f"已导出「{result['title']}」{result['rows']} 条到 {result['path']}{note}{masked}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="导入花名册（.xlsx、.xls、.csv），先用 --dry-run 预览",
                       description="导入在保家庭：按表头识别格式，逐行核对；有错误的行默认整个文件不导入。")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--profile", help="导入格式（import_profiles 中的 id；默认按表头识别）")
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    p.add_argument("--skip-errors", action="store_true", help="跳过有错误的户，导入其余的（默认整个文件不导入）")
    p.add_argument("--errors-out", metavar="ERRORS.xlsx", help="把有错误的行连同原来的各列导出，改正后可再导入")
    p.add_argument("--start-changes", action="store_true", help="对有变化的在保家庭逐户登记变更")
    p.add_argument("--start-stops", action="store_true", help="对不在名单中的在保家庭逐户提出停保")
    p.add_argument("--verbose", action="store_true", help="也列出已纠正和提示的内容")
    add_actor(p, required=True, help="操作用户（系统管理员，或乡镇经办人、审核人）")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="把名单导出为 Excel（案件列表、审批队列、在保名单、复核到期、监测、审计记录、花名册）",
                       description="KIND：cases 案件列表、queue 审批队列、due_reviews 复核到期、benefits 在保名单、"
                                   "monitoring 低收入监测、audit 审计记录、roster 花名册")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("--out", metavar="FILE.xlsx", required=True)
    p.add_argument("--tab", help="案件列表的页签：todo、all、approval、posting、overdue")
    p.add_argument("--programme", help="dibao、tekun、temporary")
    p.add_argument("--state", help="案件环节（如 county_review）")
    p.add_argument("--village", action="append", metavar="CODE", help="村（社区）代码；花名册也可给乡镇代码，可重复")
    p.add_argument("--deadline", choices=["soon", "overdue"], help="案件列表：3个工作日内到期或已逾期")
    p.add_argument("--search", help="案件列表：身份证号、姓名、拼音首字母或案件编号")
    p.add_argument("--month", help="复核到期名单的月份 YYYY-MM")
    p.add_argument("--status", choices=["active", "phasing_out", "stopped"], help="在保名单的保障状态")
    p.add_argument("--flag", help="低收入监测标记：edge_family、rigid_expense_hardship、monitoring_alert")
    p.add_argument("--since", help="审计记录：起始日期 YYYY-MM-DD")
    p.add_argument("--until", help="审计记录：截止日期 YYYY-MM-DD（含当日）")
    p.add_argument("--by", metavar="USER", help="审计记录：操作人（用户名，system 为系统）")
    p.add_argument("--case", metavar="NUMBER", help="审计记录：案件号")
    p.add_argument("--limit", type=int, help="审计记录条数（默认1000）")
    add_actor(p, required=True)
    p.set_defaults(func=cmd_export)
