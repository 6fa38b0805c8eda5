"""Payment commands of ``doudi-admin`` (payments.md): the same services as the window's 资金发放 tab.

    doudi-admin payroll build --area TOWNSHIP --group dibao --month 2026-12 [--since 2026-12] --as USER
    doudi-admin payroll list [--area CODE] [--group G] --as USER
    doudi-admin payroll show PAYROLL --as USER [--json]
    doudi-admin payroll lines PAYROLL [--state held] [--village CODE] [--search 姓名] [--xlsx FILE] --as USER
    doudi-admin payroll submit|review|approve|close PAYROLL --as USER [--expect-version N]
    doudi-admin payroll return PAYROLL --comment 理由 --as USER
    doudi-admin payroll export PAYROLL --format generic_xlsx --out FOLDER_OR_FILE --as USER
    doudi-admin payroll import-result PAYROLL FILE --format gbk_txt --as USER
    doudi-admin payroll verify PAYROLL
    doudi-admin payroll formats
    doudi-admin payroll print PAYROLL payroll_roster|payroll_summary|payroll_changes --out FILE.pdf --as USER
    doudi-admin payroll account CASE --bank 开户银行 --account 账号 --reason 理由 --as USER
    doudi-admin payroll ledger CASE | --person ID [--year 2026] [--xlsx FILE] --as USER
    doudi-admin payroll settle-owed ID --status recovered|written_off --note 说明 --as USER
    doudi-admin price-index set AREA YYYY-MM --cpi 3.6 --food 2.0 [--note 说明] [--as admin]
    doudi-admin price-index list [--area CODE]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..domain.errors import InputError
from ..domain.payroll import GROUPS
from .common import add_actor, add_comment, add_expect_version, add_json, context, output


def _need_actor(args: argparse.Namespace) -> str:
    if not args.actor:
        raise InputError("--as: 请指明办理人（用户名）", "as")
    return args.actor


def _payments(args):
    from ..services.payments import PaymentService

    return PaymentService(context(args))


def _print_summary(view: dict[str, Any]) -> None:
    print(f"{view['label']}（编号 {view['id']}，版本 {view['version']}）：{view['state_label']}")
    print(f"  应发 {view['count'] - view['held_count']} 笔 {view['total']} 元；暂缓 {view['held_count']} 笔 "
          f"{view['held_total']} 元；自 {view['covers_from']} 起经本程序发放")
    for t in view["totals"]["by_village"]:
        print(f"  {t['label']}：{t['households']} 户 {t['persons']} 人 {t['lines']} 笔 {t['amount']} 元"
              + (f"；暂缓 {t['held_lines']} 笔 {t['held_amount']} 元" if t["held_lines"] else ""))
    for t in view["totals"]["by_item"]:
        print(f"  {t['label']}：{t['lines']} 笔 {t['amount']} 元")
    if view.get("changes"):
        c = view["changes"]
        print(f"  与上期（{c['previous'] or '无'}）相比：新增 {c['counts']['new']}，停发 {c['counts']['stopped']}，"
              f"调整 {c['counts']['changed']}")
    for o in view.get("owed") or []:
        print(f"  追缴 {o['month']} {o['amount']} 元（{o['status_label']}）：{o['reason']}")
    if view.get("digest"):
        print(f"  审批摘要 {view['digest']}")
    for a in view.get("actions", []):
        print(f"  可办理：{a['label']}" if a["allowed"] else f"  不可{a['label']}：{a['reason']}")


def cmd_build(args: argparse.Namespace) -> int:
    view = _payments(args).build(args.area, args.group, args.month, _need_actor(args), since=args.since,
                                 expected_version=args.expect_version)
    output(view) if args.json else _print_summary(view)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for r in _payments(args).list(_need_actor(args), area_code=args.area, group_code=args.group):
        print(f"{r['id']:>6}  {r['label']}  {r['state_label']}  {r['count']} 笔  {r['total']} 元")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    view = _payments(args).show(args.payroll, _need_actor(args))
    output(view) if args.json else _print_summary(view)
    return 0


def cmd_lines(args: argparse.Namespace) -> int:
    pay = _payments(args)
    actor = _need_actor(args)
    rows: list[dict[str, Any]] = []
    after = 0
    while True:
        page = pay.lines(args.payroll, actor, state=args.state, village=args.village, search=args.search or "",
                         after_seq=after, limit=5000)["rows"]
        rows.extend(page)
        if len(page) < 5000:
            break
        after = page[-1]["seq"]
    if args.xlsx:
        from ..services.payment_export import lines_xlsx

        Path(args.xlsx).write_bytes(lines_xlsx(context(args), args.payroll, actor, rows))
        print(f"已导出 {len(rows)} 行到 {args.xlsx}")
        return 0
    for r in rows:
        print(f"{r['seq']:>6} {r['village_name']} {r['payee']} {r['id_number']} {r['bank_account']} {r['item_label']} "
              f"{r['month']} {r['kind_label']} {r['amount']} {r['state_label']}" + (f"：{r['reason']}" if r["reason"] else ""))
    return 0


def cmd_step(args: argparse.Namespace) -> int:
    view = _payments(args).step(args.payroll, args.step, _need_actor(args), expected_version=args.expect_version,
                                comment=getattr(args, "comment", "") or "")
    _print_summary(view)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..services.bank_io import BankFileService

    out = BankFileService(context(args)).export(args.payroll, _need_actor(args), args.format,
                                             expected_version=args.expect_version)
    target = Path(args.out)
    path = target / out["file_name"] if target.is_dir() else target
    path.write_bytes(out["data"])
    print(f"已生成银行代发文件 {path}：{out['count']} 笔，合计 {out['total']} 元，SHA-256 {out['sha256']}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.bank_io import BankFileService

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"FILE: 无法读取 {path}：{exc}", "file") from None
    summary = BankFileService(context(args)).import_result(args.payroll, _need_actor(args), args.format, data, path.name,
                                                        expected_version=args.expect_version)
    print(f"已导入回盘文件 {path.name}：成功 {summary['paid']} 笔 {summary['paid_total']} 元，"
          f"失败 {summary['failed']} 笔 {summary['failed_total']} 元")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    result = _payments(args).verify(args.payroll)
    print(result["message"])
    return 0 if result["ok"] is not False else 3


def cmd_formats(args: argparse.Namespace) -> int:
    from ..services.bank_io import BankFileService

    for f in BankFileService(context(args)).layouts():
        print(f"{f['id']:<16} {f['title']}（{f['file_type']}，{f['encoding']}，{'元' if f['amount'] == 'yuan' else '分'}）")
    return 0


def cmd_print(args: argparse.Namespace) -> int:
    from ..services.payment_print import PayrollPrintService

    pdf = PayrollPrintService(context(args)).render(args.payroll, args.kind, _need_actor(args))
    Path(args.out).write_bytes(pdf)
    print(f"已生成 {args.out}")
    return 0


def cmd_account(args: argparse.Namespace) -> int:
    from ..services.payment_accounts import PaymentAccountService

    out = PaymentAccountService(context(args)).set_account(args.case, _need_actor(args), args.bank, args.account,
                                                        args.reason or "")
    print(f"已更正 {out['case']} 的发放账户：{out['bank_name']} {out['bank_account']}")
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    from ..services.payment_ledger import PaymentLedgerService

    service = PaymentLedgerService(context(args))
    if args.case is None and not args.person:
        raise InputError("CASE: 请给出案件编号，或用 --person 给出身份证号码", "case")
    if args.person:
        ledger = service.for_person(args.person, _need_actor(args), year=args.year)
        _print_ledger(ledger, args)
        return 0
    if args.xlsx:
        name, data = service.export_xlsx(args.case, _need_actor(args), year=args.year)
        Path(args.xlsx).write_bytes(data)
        print(f"已导出台账 {args.xlsx}")
        return 0
    _print_ledger(service.for_case(args.case, _need_actor(args), year=args.year), args)
    return 0


def _print_ledger(ledger: dict[str, Any], args: argparse.Namespace) -> None:
    if args.json:
        output(ledger)
        return
    t = ledger["totals"]
    print(f"{ledger['title']}{'' if args.year is None else f'{args.year}年'}台账：已发 {t['received']} 元，待发 {t['pending']} 元，"
          f"失败 {t['failed']} 元，暂缓 {t['held']} 元，待追缴 {t['owed_open']} 元")
    for r in ledger["rows"]:
        print(f"  {r['month']} {r['item']} {r['kind']} {r['amount']} {r['state_label']} {r['case']}"
              + (f"：{r['reason']}" if r["reason"] else ""))


def cmd_settle(args: argparse.Namespace) -> int:
    out = _payments(args).settle_owed(args.id, _need_actor(args), args.status, args.note or "")
    print(f"追缴记录 {out['id']}（{out['month']} {out['amount']} 元）：{out['status_label']}")
    return 0


def cmd_price_set(args: argparse.Namespace) -> int:
    from ..services.price_indices import PriceIndexService

    view = PriceIndexService(context(args)).set(args.area, args.month, args.cpi, args.food, actor=args.actor,
                                             note=args.note or "")
    state = {True: f"达到启动条件，每人 {view['per_person']} 元", False: "未达到启动条件",
             None: f"无法判断：{view['policy'] or '没有生效的政策参数'}"}[view["triggered"]]
    print(f"{view['area_name']} {view['month']}：CPI 同比 {view['cpi_yoy']}%，食品 {view['food_yoy']}%，{state}")
    return 0


def cmd_price_list(args: argparse.Namespace) -> int:
    from ..services.price_indices import PriceIndexService

    for v in PriceIndexService(context(args)).list(args.area):
        state = "启动" if v["triggered"] else ("未启动" if v["triggered"] is False else "—")
        print(f"{v['month']} {v['area_name']} CPI {v['cpi_yoy']}% 食品 {v['food_yoy']}% {state}"
              + (f" 每人 {v['per_person']} 元" if v["triggered"] else ""))
    return 0


def register(sub: Any) -> None:
    groups = [g.code for g in GROUPS]
    payroll = sub.add_parser("payroll", help="资金发放：发放名册的编制、审核、审批、银行文件、回盘、结账").add_subparsers(
        dest="payroll_command", required=True)

    def add(name: str, help_: str, func, *, payroll_arg: bool = True, version: bool = False):
        p = payroll.add_parser(name, help=help_)
        if payroll_arg:
            p.add_argument("payroll", type=int, metavar="PAYROLL", help="发放名册编号")
        add_actor(p)
        if version:
            add_expect_version(p, help="只在名册仍是这个版本时办理（防止重复审批）")
        p.set_defaults(func=func)
        return p

    p = add("build", "编制（或在编制中时重新编制）一期发放名册", cmd_build, payroll_arg=False, version=True)
    p.add_argument("--area", required=True, help="乡镇（街道）代码，县级发放时为县代码")
    p.add_argument("--group", required=True, choices=groups)
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--since", help="第一次编制时：自哪个月起经本程序发放（更早的月份不补发）")
    add_json(p)
    p = add("list", "发放名册列表", cmd_list, payroll_arg=False)
    p.add_argument("--area")
    p.add_argument("--group", choices=groups)
    p = add("show", "名册状态、分村分项合计、与上期相比的变动、追缴", cmd_show)
    add_json(p)
    p = add("lines", "名册明细（可筛选、导出 xlsx）", cmd_lines)
    p.add_argument("--state", choices=["pending", "held", "paid", "failed"])
    p.add_argument("--village")
    p.add_argument("--search", help="姓名、身份证号码开头，或完整账号")
    p.add_argument("--xlsx", help="导出到 xlsx 文件")
    for step, label in (("submit", "提交审核"), ("review", "审核通过"), ("approve", "审批通过（冻结并生成摘要）"),
                        ("close", "结账")):
        add(step, label, cmd_step, version=True).set_defaults(step=step)
    p = add("return", "退回重编（须写明理由）", cmd_step, version=True)
    p.set_defaults(step="return")
    add_comment(p, required=True)
    p = add("export", "生成银行代发文件（记录为导出）", cmd_export, version=True)
    p.add_argument("--format", required=True, help="银行格式，见 payroll formats")
    p.add_argument("--out", required=True, help="文件或文件夹")
    p = add("import-result", "导入银行回盘文件（不符时整份拒绝并列出不符之处）", cmd_import, version=True)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", required=True)
    add("verify", "核对名册是否与审批时的摘要一致", cmd_verify)
    add("formats", "可用的银行格式（bank_formats/*.yaml）", cmd_formats, payroll_arg=False)
    p = add("print", "打印发放花名册、发放汇总表或变动名单", cmd_print)
    p.add_argument("kind", choices=["payroll_roster", "payroll_summary", "payroll_changes"])
    p.add_argument("--out", required=True)
    p = add("account", "更正在保案件的发放账户（开户银行、银行账号）", cmd_account, payroll_arg=False)
    p.add_argument("case", metavar="CASE")
    p.add_argument("--bank", required=True)
    p.add_argument("--account", required=True)
    p.add_argument("--reason")
    p = add("ledger", "一户（或一人）的发放台账（每月每项、状态、追缴）", cmd_ledger, payroll_arg=False)
    p.add_argument("case", metavar="CASE", nargs="?")
    p.add_argument("--person", help="按身份证号码查一个人的台账")
    p.add_argument("--year", type=int)
    p.add_argument("--xlsx")
    add_json(p)
    p = add("settle-owed", "追缴款已追回或核销（须写明说明）", cmd_settle, payroll_arg=False)
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--status", required=True, choices=["recovered", "written_off"])
    p.add_argument("--note")

    price = sub.add_parser("price-index", help="价格临时补贴：各月居民消费价格指数").add_subparsers(
        dest="price_command", required=True)
    p = price.add_parser("set", help="录入（或修改）某地某月的 CPI 和食品价格同比涨幅（%%）")
    p.add_argument("area")
    p.add_argument("month", metavar="YYYY-MM")
    p.add_argument("--cpi", required=True)
    p.add_argument("--food", required=True)
    p.add_argument("--note")
    add_actor(p)
    p.set_defaults(func=cmd_price_set)
    p = price.add_parser("list", help="已录入的价格指数和是否启动")
    p.add_argument("--area")
    p.set_defaults(func=cmd_price_list)
