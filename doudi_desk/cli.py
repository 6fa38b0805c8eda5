"""``doudi-admin``: the headless face of doudi_desk, built on the same services as the window.

Every known error (bad input, refused action, database fault) exits with status 2 and one
Chinese message on stderr; a traceback is never shown for those.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from .domain.calc import calc_request
from .domain.errors import DomainError, InputError

EXIT_REFUSED = 2


def _read_json(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}", "FILE") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取文件 {path}：{exc}", "FILE") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）", "FILE") from None


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def cmd_calc(args: argparse.Namespace) -> int:
    _print_json(calc_request(_read_json(args.file)))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 参数错误：{message}\n")
        raise SystemExit(EXIT_REFUSED)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="doudi-admin", description="兜底 Desk 管理命令（无界面）")
    parser.add_argument("--db", help="数据库地址（SQLAlchemy URL），默认为用户数据目录中的 SQLite 文件")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("calc", help="按政策参数测算一户的资格与金额（calc-contract.md）")
    p.add_argument("file", metavar="FILE.json")
    p.set_defaults(func=cmd_calc)
    _add_case_commands(sub)
    return parser


def _add_case_commands(sub: Any) -> None:
    from . import cli_cases, cli_import, cli_ops, cli_payroll, cli_print, cli_reports

    cli_cases.register(sub)
    cli_print.register(sub)
    cli_reports.register(sub)  # report monthly, ledger, campaign
    cli_payroll.register(sub)  # payroll, price-index
    cli_import.register(sub)  # import, export
    cli_ops.register(sub)  # audit, backup, restore, user passwd/set/unlock (after cli_cases' "user")


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DomainError as exc:
        sys.stderr.write(f"错误：{exc.message}\n")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:  # `doudi-admin case list | head`: the reader has had enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception:  # a bug: keep the traceback in the log, show a short Chinese message
        if os.environ.get("DOUDI_DEBUG"):
            raise
        log = _log_crash()
        sys.stderr.write(f"内部错误：程序遇到意外问题，详细信息已写入 {log}\n")
        return 1


def _log_crash() -> Path:
    import tempfile
    import traceback

    from .paths import user_folders

    try:
        folder = user_folders().logs
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    path = folder / "doudi-admin-crash.log"
    with path.open("a", encoding="utf-8") as f:
        f.write(traceback.format_exc() + "\n")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
