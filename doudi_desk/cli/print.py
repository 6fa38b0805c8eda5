"""``doudi-admin print`` and ``doudi-admin office``: documents as PDF, office details and print fonts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..domain import documents
from ..domain.errors import InputError
from ..domain.programmes import DEFAULT, REGISTRY
from .common import add_actor, context


def cmd_print(args: argparse.Namespace) -> int:
    from ..services.printing import PrintService

    service = PrintService(context(args))
    if args.list_batches:
        if not args.village:
            raise InputError("--list-batches 须与 --village 一起使用", "village")
        for village in args.village:
            for b in service.posting_batches(village, args.programme, actor=args.actor):
                print(f"{village}  批次 {b['batch']}  公示期 {b['start']} 至 {b['end']}  {b['households']} 户"
                      + (f"（{b['in_posting']} 户公示中）" if b["in_posting"] else "")
                      + ("  已结束" if b["ended"] else "  公示中") + ("  〔默认打印〕" if b["current"] else ""))
        return 0
    if not args.kind:
        raise InputError("KIND: 请指定文书种类", "kind")
    if not args.out:
        raise InputError("--out: 请指定输出的 PDF 文件", "out")
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise InputError(f"--out: 输出文件应以 .pdf 结尾：{out}", "out")
    if args.blank:
        if args.case or args.village:
            raise InputError("--blank: 空白表不按案件或村打印，不能与 --case、--village 一起使用", "blank")
        pdf = service.blank_document(args.kind, args.programme, actor=args.actor)
    else:
        pdf = service.render_kind(args.kind, case=args.case, villages=args.village or [], batch=args.batch,
                                  actor=args.actor, programme=args.programme)
        if args.kind == "posting_list" and args.village and not args.case:
            for village in args.village:
                ended = [b for b in service.posting_batches(village, args.programme, actor=args.actor)
                         if (b["batch"] == args.batch if args.batch else b["current"]) and b["ended"]]
                for b in ended:
                    print(f"注意：{village} 批次 {b['batch']} 的公示期已于 {b['end']} 结束，打印件注明为存档打印。")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(pdf)
        tmp.replace(out)  # a half-written PDF never replaces a good one
    except OSError as exc:
        raise InputError(f"--out: 无法写入 {out}：{exc.strerror or exc}", "out") from None
    print(f"已生成 {out}（{len(pdf) // 1024 + 1} KB）")
    return 0


def cmd_office_show(args: argparse.Namespace) -> int:
    from ..services.office import OFFICE_FIELDS, OfficeService
    from ..services.printing import PrintService

    ctx = context(args)
    details = OfficeService(ctx).details(args.township)
    for key, label in OFFICE_FIELDS.items():
        print(f"{label}：{details[key] or '（未设置）'}")
    report = PrintService(ctx).font_report()
    for role, face in report["faces"].items():
        print(f"打印字体 {role}：{face['label']}（{face['path']}#{face['index']}）")
    for note in report["notes"]:
        print(f"提示：{note}")
    return 0


def cmd_office_set(args: argparse.Namespace) -> int:
    from ..services.office import OFFICE_FIELDS, OfficeService

    values = {key: getattr(args, key) for key in OFFICE_FIELDS if getattr(args, key) is not None}
    service = OfficeService(context(args))
    if values:
        details = service.set_details(values, args.township, args.actor)
        print("已保存单位信息：" + "，".join(f"{OFFICE_FIELDS[k]} {details[k] or '（空）'}" for k in values))
    if args.font is not None:
        fonts = service.set_font(args.font_role, args.font or None, args.actor)
        print("打印字体设置：" + ("，".join(f"{k}={v}" for k, v in fonts.items()) or "使用系统字体"))
    if args.templates is not None:
        folder = service.set_templates_dir(args.templates or None, args.actor)
        print(f"打印模板文件夹：{folder or '使用内置模板'}")
    if not values and args.font is None and args.templates is None:
        raise InputError("office set: 请至少给出一项要设置的内容", "office")
    return 0


# Every kind printed for a case, a village or an area, as domain/documents.py titles it (the payroll
# documents are printed by ``doudi-admin payroll print``).
KIND_HELP = ", ".join(f"{kind} {name}" for kind, name in documents.of_scope("case", "village", "area").items())
BLANK_HELP = "、".join(f"{kind} {documents.title(kind)}" for kind in ("application_form", "income_statement"))


def register(sub: Any) -> None:
    # No printing import here: ReportLab loads only when something is printed.
    p = sub.add_parser("print", help="打印文书为 PDF（公示名单、通知书、调查表、花名册、案件档案）",
                       description=f"文书种类：{KIND_HELP}")
    p.add_argument("kind", metavar="KIND", nargs="?", help="文书种类（见上）")
    p.add_argument("--case", help="案件号或编号（按案件打印的文书）")
    p.add_argument("--village", action="append", metavar="CODE",
                   help="村（社区）代码；花名册也可给乡镇代码；公示名单可重复给出以批量打印多个村")
    p.add_argument("--batch", help="初审公示批次：公示开始日期 YYYY-MM-DD（默认为正在公示的最新一批）")
    p.add_argument("--list-batches", action="store_true", help="列出村的初审公示批次")
    p.add_argument("--programme", default=DEFAULT, choices=list(REGISTRY),
                   help=f"名单和空白表的救助项目（默认 {DEFAULT}）")
    p.add_argument("--blank", action="store_true",
                   help=f"打印空白表（{BLANK_HELP}），供申请人手填")
    p.add_argument("--out", metavar="FILE.pdf")
    add_actor(p, help="打印人：名单和案件按其辖区核对（花名册的制表人）")
    p.set_defaults(func=cmd_print)

    office = sub.add_parser("office", help="单位信息和打印设置").add_subparsers(dest="office_command", required=True)
    q = office.add_parser("show", help="查看单位信息和打印字体")
    q.add_argument("--township")
    q.set_defaults(func=cmd_office_show)
    q = office.add_parser("set", help="设置单位信息（打印在文书上）、打印字体或模板文件夹")
    q.add_argument("--township", help="只为这个乡镇设置（默认为全部乡镇）")
    q.add_argument("--name", help="单位名称（落款），如 桃源镇人民政府")
    q.add_argument("--seal-text", dest="seal_text", help="印章文字")
    q.add_argument("--phone", help="联系电话（公示异议渠道）")
    q.add_argument("--address", help="联系地址")
    q.add_argument("--county-office", dest="county_office", help="县级民政部门，如 青山县民政局")
    q.add_argument("--county-government", dest="county_government", help="行政复议机关")
    q.add_argument("--court", help="行政诉讼管辖法院")
    q.add_argument("--font", help="TrueType 字体文件（.ttc 可写 路径#序号）；给空字符串则恢复系统字体")
    q.add_argument("--font-role", default="*", choices=["*", "title", "hei", "fang", "kai", "song"],
                   help="字体用途（默认全部）")
    q.add_argument("--templates", help="本单位打印模板文件夹；给空字符串则只用内置模板")
    add_actor(q)
    q.set_defaults(func=cmd_office_set)
