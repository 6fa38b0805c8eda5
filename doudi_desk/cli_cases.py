"""Office and case commands of ``doudi-admin``: the same services the window uses."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from .domain.errors import InputError
from .domain.programmes import REGISTRY
from .domain.text import shown
from .services.views import as_json


def _ctx(args: argparse.Namespace):
    """The command's context, opened once; the ``--as`` user is authenticated on opening."""
    ctx = getattr(args, "context", None)
    if ctx is None:
        from .services.context import open_context

        ctx = args.context = open_context(args.db)
        if getattr(args, "actor", None):
            _authenticate(ctx, args.actor)
    return ctx


def _authenticate(ctx, username: str) -> None:
    """Where passwords are required, ``--as USER`` needs USER's password: from DOUDI_PASSWORD,
    else asked on the terminal (never on the command line, where other users could read it)."""
    from .services.accounts import AccountService

    service = AccountService(ctx)
    password = os.environ.get("DOUDI_PASSWORD")
    if password is None and sys.stdin is not None and sys.stdin.isatty():
        if not service.status()["passwords_required"]:
            return
        import getpass

        password = getpass.getpass(f"用户 {username} 的密码：")
    service.authenticate_command(username, password)


def _json_file(path: str | None) -> Any:
    if path is None:
        return {}
    from .cli import _read_json

    return _read_json(path)


def _date(raw: str | None, field: str = "--date") -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{field}: 不是有效日期（应为 YYYY-MM-DD）：{shown(raw)}", field) from None


def _out(obj: Any) -> None:
    sys.stdout.write(json.dumps(as_json(obj), ensure_ascii=False, indent=2, default=str) + "\n")


def cmd_init(args: argparse.Namespace) -> int:
    ctx = _ctx(args)
    print(f"数据库已就绪：{ctx.db.location()}（结构版本 {ctx.db.revision()}）")
    if ctx.upgrade is not None:
        print(f"已从结构版本 {ctx.upgrade.from_revision} 升级到 {ctx.upgrade.to_revision}；"
              f"升级前的备份：{ctx.upgrade.backup}")
    print(f"已加载办理流程：{'、'.join(f'{s.title}（{s.id} v{s.version}）' for s in ctx.definitions.workflows.values())}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if args.fresh:
        _remove_sqlite_file(args.db)
    ctx = _ctx(args)
    from .services.demo import build_demo
    from .services.reports import summary_text

    build_demo(ctx, households=args.households, with_other_programmes=True)
    print(summary_text(ctx))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from .services.reports import summary_text

    print(summary_text(_ctx(args)))
    return 0


def cmd_case_new(args: argparse.Namespace) -> int:
    from .services.cases import CaseService

    view = CaseService(_ctx(args)).create_case(
        _json_file(args.household), args.programme, args.actor, village_code=args.village,
        applied_on=_date(args.date), allow_duplicate=args.allow_duplicate, comment=args.comment or "",
        repeat_reason=args.repeat_reason or "",
    )
    _print_case(view, args.json)
    return 0


def cmd_case_advance(args: argparse.Namespace) -> int:
    from .services.cases import CaseService

    view = CaseService(_ctx(args)).advance(
        args.case, args.trigger, args.actor, data=_json_file(args.data), effective_date=_date(args.date),
        comment=args.comment or "", expected_version=args.expect_version,
    )
    _print_case(view, args.json)
    return 0


def cmd_case_save(args: argparse.Namespace) -> int:
    from .services.cases import CaseService

    view = CaseService(_ctx(args)).save_forms(args.case, args.actor, _json_file(args.data),
                                              effective_date=_date(args.date), expected_version=args.expect_version)
    _print_case(view, args.json)
    return 0


def cmd_case_household(args: argparse.Namespace) -> int:
    from .services.cases import CaseService

    view = CaseService(_ctx(args)).update_household(
        args.case, args.actor, _json_file(args.household), effective_date=_date(args.date),
        comment=args.comment or "", expected_version=args.expect_version)
    _print_case(view, args.json)
    return 0


def cmd_case_extend(args: argparse.Namespace) -> int:
    from .services.cases import CaseService

    view = CaseService(_ctx(args)).extend_deadline(args.case, args.actor, args.reason, comment=args.comment or "",
                                                   effective_date=_date(args.date),
                                                   expected_version=args.expect_version)
    _print_case(view, args.json)
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    from .services.cases import CaseService

    _print_case(CaseService(_ctx(args)).show(args.case, args.actor), args.json)
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    from .services.reports import list_cases

    rows = list_cases(_ctx(args), state=args.state, village=args.village, limit=args.limit,
                      staff_relative=args.staff_relative)
    if args.json:
        _out(rows)
    else:
        for r in rows:
            print(f"{r['id']:>5}  {r['number']}  {r['state_label']:<10}  {r['head']:<6}  {r['village']}  "
                  f"期限 {r['deadline'] or '—'}")
    return 0


def _print_case(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _out(view)
        return
    from .services.reports import case_text

    print(case_text(view))


def cmd_flags(args: argparse.Namespace) -> int:
    from .services.monitoring import household_flags

    rows = household_flags(_ctx(args), flag=args.flag, village=args.village, on=_date(args.date))
    if args.json:
        _out(rows)
        return 0
    rows = [r for r in rows if r["flags"]] if args.flag is None else rows
    for r in rows:
        print(f"{r['case']}  {r['head']:<6} {r['members']}人  人均月收入 {r['per_capita_monthly']:>8}  "
              f"{'、'.join(r['flag_labels'])}")
    print(f"共 {len(rows)} 户")
    return 0


def _lifecycle(args: argparse.Namespace):
    from .services.cases import CaseService
    from .services.lifecycle import LifecycleService

    return LifecycleService(CaseService(_ctx(args)))


def cmd_review_start(args: argparse.Namespace) -> int:
    view = _lifecycle(args).start_review(args.case, args.actor, effective_date=_date(args.date),
                                         comment=args.comment or "")
    _print_case(view, args.json)
    return 0


def cmd_review_due(args: argparse.Namespace) -> int:
    rows = _lifecycle(args).due_reviews(args.month, args.village)
    if args.json:
        _out(rows)
        return 0
    for r in rows:
        flag = "【已逾期】" if r["overdue"] else ""
        doing = f"  复核中：{r['review_case']}" if r["review_case"] else ""
        print(f"{r['next_review_on']}  {r['case']}  {r['head']:<6} 每月 {r['monthly_amount']} 元{flag}{doing}")
    print(f"共 {len(rows)} 户")
    return 0


def cmd_change(args: argparse.Namespace) -> int:
    view = _lifecycle(args).start_change(args.case, args.actor, _json_file(args.data),
                                         effective_date=_date(args.date), comment=args.comment or "")
    _print_case(view, args.json)
    return 0


def cmd_terminate(args: argparse.Namespace) -> int:
    view = _lifecycle(args).start_termination(args.case, args.actor, args.reason, args.reasons,
                                              rule=args.rule or "", effective_date=_date(args.date))
    _print_case(view, args.json)
    return 0


def cmd_benefits(args: argparse.Namespace) -> int:
    rows = _lifecycle(args).benefits(args.village, args.status)
    if args.json:
        _out(rows)
        return 0
    for r in rows:
        extra = (f"  渐退至 {r['phase_out_until']}" if r["phase_out_until"] else "") + (
            f"  自 {r['stopped_from']} 停发" if r["stopped_from"] else "")
        print(f"{r['case']}  {r['head']:<6} {r['status_label']}  每月 {r['monthly_amount']} 元"
              f"  下次复核 {r['next_review_on'] or '—'}{extra}")
    print(f"共 {len(rows)} 户")
    return 0


def cmd_area_add(args: argparse.Namespace) -> int:
    from .services.admin import AdminService

    area = AdminService(_ctx(args)).add_area(args.code, args.name, args.level, args.parent, args.actor,
                                             urban_rural=args.urban_rural)
    print(f"已添加地区 {area.code} {area.name}")
    return 0


def cmd_area_class(args: argparse.Namespace) -> int:
    from .domain.model import URBAN_RURAL
    from .services.admin import AdminService

    area = AdminService(_ctx(args)).set_urban_rural(args.code, args.urban_rural, args.actor)
    print(f"{area.code} {area.name}：{URBAN_RURAL[area.urban_rural]}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from .services.admin import AdminService

    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    user = AdminService(_ctx(args)).add_user(args.username, args.name, roles, args.area, args.actor)
    print(f"已添加用户 {user.username}（{user.full_name}）")
    return 0


def cmd_policy_set(args: argparse.Namespace) -> int:
    from .services.admin import AdminService, default_policy

    params = default_policy() if args.file is None else _json_file(args.file)
    set_id = AdminService(_ctx(args)).set_policy(args.area, _date(args.effective_from, "--from"), params,
                                                  args.actor, args.note or "")
    print(f"已保存政策参数（编号 {set_id}），{args.area} 自 {args.effective_from} 起生效")
    return 0


def cmd_calendar_set(args: argparse.Namespace) -> int:
    from .services.admin import AdminService

    AdminService(_ctx(args)).set_calendar_day(_date(args.day, "DAY"), args.kind == "working", args.note or "", args.actor)
    print(f"已设置 {args.day} 为{'工作日' if args.kind == 'working' else '休息日'}")
    return 0


def cmd_delegate(args: argparse.Namespace) -> int:
    from .services.admin import AdminService

    towns = AdminService(_ctx(args)).set_delegation(args.township, args.mode == "on", args.actor)
    print("已授权乡镇审批确认的乡镇：" + ("、".join(towns) or "无"))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="创建或升级数据库")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="建立示例乡镇（约200户，各办理环节都有案件）并打印概况")
    p.add_argument("--households", type=int, default=200)
    p.add_argument("--fresh", action="store_true", help="先删除已有的 SQLite 数据库文件")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("summary", help="打印案件概况")
    p.set_defaults(func=cmd_summary)

    case = sub.add_parser("case", help="案件办理").add_subparsers(dest="case_command", required=True)
    _case_commands(case)

    review = sub.add_parser("review", help="复核").add_subparsers(dest="review_command", required=True)
    p = review.add_parser("start", help="对在保案件开展复核（家庭情况从上次认定带入）")
    p.add_argument("case")
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--date")
    p.add_argument("--comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review_start)
    p = review.add_parser("due", help="某月到期（含逾期）的复核")
    p.add_argument("--month", help="YYYY-MM，默认本月")
    p.add_argument("--village")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review_due)

    p = sub.add_parser("change", help="登记在保家庭的情况变化（出生、死亡、迁入迁出、就业、购车、房产）")
    p.add_argument("case")
    p.add_argument("--data", required=True, metavar="CHANGE.json",
                   help='{"change_type": "death", "change_date": "YYYY-MM-DD", "member": "姓名", "detail": "…"}')
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--date")
    p.add_argument("--comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_change)

    p = sub.add_parser("terminate", help="提出停保（终止救助供养），须写明理由")
    p.add_argument("case")
    p.add_argument("--reason", required=True, choices=["death", "moved", "income_over", "assets_over", "work_ability",
                                                       "prison", "supporter_able", "voluntary", "fraud", "other"])
    p.add_argument("--reasons", required=True, help="具体理由")
    p.add_argument("--rule")
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--date")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_terminate)

    p = sub.add_parser("benefits", help="在保、渐退、已停保的低保和特困案件")
    p.add_argument("--status", choices=["active", "phasing_out", "stopped"])
    p.add_argument("--village")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_benefits)

    p = sub.add_parser("flags", help="低收入监测：低保边缘、刚性支出困难、防返贫监测预警家庭")
    p.add_argument("--flag", choices=["edge_family", "rigid_expense_hardship", "monitoring_alert"])
    p.add_argument("--village")
    p.add_argument("--date", help="按该日的政策参数和年龄计算，默认今天")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_flags)

    p = sub.add_parser("area", help="地区（县、乡镇、村）").add_subparsers(dest="area_command", required=True)
    q = p.add_parser("add", help="添加地区")
    q.add_argument("code")
    q.add_argument("name")
    q.add_argument("--level", required=True, choices=["county", "township", "village"])
    q.add_argument("--parent")
    q.add_argument("--class", dest="urban_rural", choices=["urban", "rural"],
                   help="村（社区）的城乡分类：urban 城市、rural 农村（默认：社区为城市，村为农村）")
    q.add_argument("--as", dest="actor")
    q.set_defaults(func=cmd_area_add)
    q = p.add_parser("class", help="设置村（社区）的城乡分类（统计月报按城市、农村分列）")
    q.add_argument("code")
    q.add_argument("urban_rural", choices=["urban", "rural"], metavar="urban|rural")
    q.add_argument("--as", dest="actor")
    q.set_defaults(func=cmd_area_class)

    p = sub.add_parser("user", help="用户").add_subparsers(dest="user_command", required=True)
    q = p.add_parser("add", help="添加用户")
    q.add_argument("username")
    q.add_argument("name")
    q.add_argument("--roles", required=True, help="caseworker,township_reviewer,county_approver,admin")
    q.add_argument("--area")
    q.add_argument("--as", dest="actor")
    q.set_defaults(func=cmd_user_add)

    p = sub.add_parser("policy", help="政策参数").add_subparsers(dest="policy_command", required=True)
    q = p.add_parser("set", help="为地区设置自某日起生效的政策参数（不给文件则用内置示例参数）")
    q.add_argument("area")
    q.add_argument("--from", dest="effective_from", required=True)
    q.add_argument("--file")
    q.add_argument("--note")
    q.add_argument("--as", dest="actor")
    q.set_defaults(func=cmd_policy_set)

    p = sub.add_parser("calendar", help="工作日历调整").add_subparsers(dest="calendar_command", required=True)
    q = p.add_parser("set", help="把某天设为工作日或休息日")
    q.add_argument("day")
    q.add_argument("kind", choices=["working", "holiday"])
    q.add_argument("--note")
    q.add_argument("--as", dest="actor")
    q.set_defaults(func=cmd_calendar_set)

    p = sub.add_parser("delegate", help="县级授权乡镇审批确认（on/off）")
    p.add_argument("township")
    p.add_argument("mode", choices=["on", "off"])
    p.add_argument("--as", dest="actor")
    p.set_defaults(func=cmd_delegate)


def _case_commands(case: Any) -> None:
    p = case.add_parser("new", help="登记申请")
    p.add_argument("--household", required=True, metavar="FILE.json")
    p.add_argument("--programme", required=True, choices=list(REGISTRY))
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--village")
    p.add_argument("--date")
    p.add_argument("--comment")
    p.add_argument("--allow-duplicate", action="store_true", help="成员已在其他案件中仍登记（须 --comment 说明）")
    p.add_argument("--repeat-reason", help="临时救助：同一事由本年度再次救助的理由（重复救助理由）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_new)

    p = case.add_parser("advance", help="办理一个环节")
    p.add_argument("case")
    p.add_argument("trigger")
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--data", metavar="FILE.json")
    p.add_argument("--date", help="实际办理日期（补录纸质办理），不能晚于今天，不能早于上一步")
    p.add_argument("--comment")
    p.add_argument("--expect-version", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_advance)

    p = case.add_parser("save", help="保存本环节表单（不改变环节），如分次录入的入户调查表")
    p.add_argument("case")
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--data", required=True, metavar="FILE.json")
    p.add_argument("--date")
    p.add_argument("--expect-version", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_save)

    p = case.add_parser("household", help="修改家庭情况（受理前或调查中），须写明原因")
    p.add_argument("case")
    p.add_argument("--household", required=True, metavar="FILE.json")
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--comment", required=True)
    p.add_argument("--date")
    p.add_argument("--expect-version", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_household)

    p = case.add_parser("extend", help="延长总办理期限（低保最长45个工作日）")
    p.add_argument("case")
    p.add_argument("--reason", required=True,
                   choices=["objection", "household_split", "outside_hukou", "hard_investigation"])
    p.add_argument("--as", dest="actor", required=True)
    p.add_argument("--comment")
    p.add_argument("--date")
    p.add_argument("--expect-version", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_extend)

    p = case.add_parser("show", help="查看案件")
    p.add_argument("case")
    p.add_argument("--as", dest="actor")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_show)

    p = case.add_parser("list", help="列出案件")
    p.add_argument("--state")
    p.add_argument("--village")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--staff-relative", action="store_true", help="只列近亲属备案案件（县级须入户核查）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_case_list)


def _remove_sqlite_file(url: str | None) -> None:
    """--fresh: delete the SQLite file (and its WAL side files) so the demo starts empty."""
    if url is None:
        raise InputError("--fresh: 只能与 --db sqlite:///文件路径 一起使用，以免删除正式数据库", "--fresh")
    if not url.startswith("sqlite:///") or url in ("sqlite://", "sqlite:///:memory:"):
        raise InputError("--fresh: 只适用于 SQLite 数据库文件", "--fresh")
    path = Path(url[len("sqlite:///"):])
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()
