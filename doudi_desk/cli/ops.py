"""Operations commands of ``doudi-admin``: audit trail, backups, restores, passwords.

    doudi-admin audit verify                 # walk the hash chain; exit 3 and name the first broken link
    doudi-admin audit log [--limit N]        # log-ins, account changes, exports, backups
    doudi-admin backup FILE [--overwrite]    # while the program runs; checked before it is kept
    doudi-admin verify-backup FILE           # integrity, audit chain and manifest of a backup file
    doudi-admin --db URL restore FILE        # into an empty database only; checked row by row
    doudi-admin user passwd USERNAME [--password-stdin] [--permanent]
    doudi-admin user set USERNAME [--name 姓名] [--roles r1,r2] [--area CODE] [--active yes|no]
    doudi-admin user unlock USERNAME
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from ..domain.errors import InputError
from .common import add_actor, context

EXIT_BROKEN_CHAIN = 3


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from ..services.audit import AuditService

    result = AuditService(context(args)).verify(args.actor)
    print(result["message"])
    return 0 if result["ok"] else EXIT_BROKEN_CHAIN


def cmd_audit_log(args: argparse.Namespace) -> int:
    from ..services.audit import AuditService

    for r in AuditService(context(args)).office_log(args.actor, limit=args.limit):
        print(f"{r['chain_seq']:>7}  {r['recorded_at']}  {r['actor']:<12} {r['action_label']:<10} "
              f"{r['subject']}  {r['comment']}")
    return 0


def _print_summary(result: dict[str, Any]) -> None:
    rows = result["rows"]
    main = ("cases", "households", "members", "audit_events", "users")
    print("  " + "，".join(f"{name} {rows[name]} 行" for name in main if name in rows)
          + f"；共 {len(rows)} 张表 {sum(rows.values())} 行")
    chain = result.get("chain")
    if chain:
        print(f"  审计记录链完整，链头 {chain['seq']} 号，哈希 {chain['hash']}")
    elif not result.get("chain_verified", True):
        print("  （备份来自尚无审计记录链的旧版本）")


def cmd_backup(args: argparse.Namespace) -> int:
    from ..services.early_backup import start_early_copy

    # SQLite's C code copies the file on the other core while the services load
    early = start_early_copy(args.db, args.file, overwrite=args.overwrite)
    try:
        from ..services.backup import BackupService

        result = BackupService(context(args)).backup(args.file, actor=args.actor, overwrite=args.overwrite,
                                                     early=early)
    finally:
        if early is not None:
            early.discard()
    checked = ("审计记录链逐条核对无误" if result.get("chain_checked") == "hashes" else
               "审计记录链各条记录首尾相接、链头一致（逐条核对哈希请运行 doudi-admin verify-backup）")
    print(f"已备份到 {result['file']}，副本已通过完整性检查，{checked}：")
    _print_summary(result)
    return 0


def cmd_verify_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..services.backup import inspect_backup

    result = inspect_backup(Path(args.file).expanduser())
    rows = {name: t["rows"] for name, t in result["tables"].items()}
    kind = "SQLite 数据库文件" if result["kind"] == "sqlite" else "PostgreSQL 备份包"
    print(f"{args.file}：{kind}，数据库结构版本 {result.get('schema_version')}，可以恢复：")
    _print_summary({"rows": rows, "chain": result.get("chain"), "chain_verified": result.get("chain_verified", True)})
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..services.backup import restore

    result = restore(args.db, args.file)
    print(f"已从 {result['file']} 恢复，每张表的行数和内容摘要都与备份一致：")
    _print_summary(result)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise InputError("请在终端中输入密码，或用 --password-stdin 从标准输入读取", "password")
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise InputError("两次输入的密码不一致", "password")
    return first


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from ..services.admin import AdminService

    password = _read_password(args)
    AdminService(context(args)).set_password(args.username, password, actor=args.actor, temporary=not args.permanent)
    note = "" if args.permanent else "（初始密码：该用户下次登录时须改为自己的密码）"
    print(f"已为用户 {args.username} 设置密码{note}")
    return 0


def cmd_user_set(args: argparse.Namespace) -> int:
    from ..services.admin import AdminService

    roles = None if args.roles is None else [r.strip() for r in args.roles.split(",") if r.strip()]
    active = None if args.active is None else args.active == "yes"
    user = AdminService(context(args)).update_user(args.username, args.name, roles, args.area or None, active,
                                                actor=args.actor, clear_area=args.area == "")
    print(f"已修改用户 {user.username}（{user.full_name}）：角色 {','.join(user.roles)}，地区 {user.area_code or '—'}，"
          f"{'启用' if user.active else '停用'}")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    from ..services.admin import AdminService

    AdminService(context(args)).unlock_user(args.username, actor=args.actor)
    print(f"已解除用户 {args.username} 的登录锁定")
    return 0


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="审计记录（哈希链校验、办公事件）").add_subparsers(
        dest="audit_command", required=True)
    p = audit.add_parser("verify", help="校验审计记录链，指出第一处断开（被改动或删除）的记录")
    add_actor(p)
    p.set_defaults(func=cmd_audit_verify)
    p = audit.add_parser("log", help="登录、账户、导出、备份等办公事件（最新的在前）")
    p.add_argument("--limit", type=int, default=50)
    add_actor(p)
    p.set_defaults(func=cmd_audit_log)

    p = sub.add_parser("backup", help="备份数据库（程序运行时也可以；SQLite 在线备份或 pg_dump）")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--overwrite", action="store_true", help="覆盖已有的同名文件")
    add_actor(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("verify-backup", help="检查备份文件（完整性、审计记录链、各表行数）")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_verify_backup)

    p = sub.add_parser("restore", help="把备份恢复到空数据库（--db），并逐表核对")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)

    users = sub["user"].subcommands  # "user add" is in cli/cases.py, registered before this
    p = users.add_parser("passwd", help="设置用户密码（默认为初始密码，下次登录须修改）")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取一行作为密码")
    p.add_argument("--permanent", action="store_true", help="不要求用户下次登录时修改")
    add_actor(p)
    p.set_defaults(func=cmd_user_passwd)
    p = users.add_parser("set", help="修改用户的姓名、角色、地区或启用状态")
    p.add_argument("username")
    p.add_argument("--name")
    p.add_argument("--roles", help="caseworker,township_reviewer,county_approver,admin")
    p.add_argument("--area", help="地区代码（空字符串表示不限地区）")
    p.add_argument("--active", choices=["yes", "no"])
    add_actor(p)
    p.set_defaults(func=cmd_user_set)
    p = users.add_parser("unlock", help="解除因密码输错被锁定的账户")
    p.add_argument("username")
    add_actor(p)
    p.set_defaults(func=cmd_user_unlock)
