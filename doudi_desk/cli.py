"""``doudi-admin``: the headless face of doudi_desk, built on the same services as the window.

Every known error (bad input, refused action, database fault) exits with status 2 and one
Chinese message on stderr; a traceback is never shown for those. Output never fails on what it
prints (a character the terminal cannot show is replaced), every argument is checked like any
other typed text before a command runs, and every JSON file is bounded in size, nesting depth and
the length of its numbers, and must hold a JSON object.
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
from .domain.text import shown, text_problem
from .services.views import as_json

EXIT_REFUSED = 2
MAX_JSON_BYTES = 2 * 1024 * 1024  # a household, a form set or a policy is a few kilobytes
MAX_JSON_DEPTH = 20
MAX_JSON_NUMBER = 40  # characters of one number


def _read_json(path: str) -> dict[str, Any]:
    """A JSON file holding one object, bounded in size, depth and number length."""
    name = shown(path, 200)
    try:
        with Path(path).open("rb") as f:
            raw = f.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"找不到文件：{name}", "FILE") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取文件 {name}：{shown(str(exc), 200)}", "FILE") from None
    if len(raw) > MAX_JSON_BYTES:
        raise InputError(f"{name}: 文件过大（超过 {MAX_JSON_BYTES // 1024 // 1024} MB），不是本程序的数据文件", "FILE")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: 不是 UTF-8 编码的文本文件（第{exc.start + 1}个字节）", "FILE") from None
    try:
        value = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）", "FILE") from None
    except RecursionError:
        raise InputError(f"{name}: JSON 嵌套层次过深（最多 {MAX_JSON_DEPTH} 层）", "FILE") from None
    except InputError as exc:
        raise InputError(f"{name}: {exc.message}", "FILE") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise InputError(f"{name}: JSON 嵌套层次过深（最多 {MAX_JSON_DEPTH} 层）", "FILE")
    if not isinstance(value, dict):
        kind = {list: "列表", str: "文字", int: "数字", float: "数字", bool: "true/false", type(None): "null"}
        raise InputError(f"{name}: 应为一个 JSON 对象（{{…}}），现为{kind.get(type(value), '其他值')}", "FILE")
    return value


def _json_int(text: str) -> int:
    if len(text) > MAX_JSON_NUMBER:
        raise InputError(f"数字过长（{len(text)} 位）：{shown(text)}", "FILE")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_JSON_NUMBER:
        raise InputError(f"数字过长（{len(text)} 个字符）：{shown(text)}", "FILE")
    return float(text)


def _json_constant(text: str) -> Any:
    raise InputError(f"{text} 不是有效的数字", "FILE")


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(as_json(obj), ensure_ascii=False, indent=2, default=str) + "\n")


def cmd_calc(args: argparse.Namespace) -> int:
    _print_json(calc_request(_read_json(args.file)))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        _say(f"{self.prog}: 参数错误：{message}\n")
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


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Every text argument passes the same check as typed text (bytes that are not UTF-8 arrive
    from the operating system as lone surrogates; control characters have no place either)."""
    options = _option_names(parser, args)
    for dest, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                problem = text_problem(item, max_len=2000)
                if problem:
                    name = options.get(dest, dest)
                    raise InputError(f"{name}: 参数{problem}", name)


def _option_names(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, str]:
    """dest -> how the user wrote it (``--comment``, or the positional's name) in the command given."""
    names: dict[str, str] = {}
    current: argparse.ArgumentParser | None = parser
    while current is not None:
        chosen = None
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(args, action.dest, None) or "")
            else:
                names[action.dest] = max(action.option_strings, key=len) if action.option_strings else (
                    action.metavar if isinstance(action.metavar, str) else action.dest)
        current = chosen
    return names


def _say(text: str) -> None:
    """Write a message to stderr; never fails on what the message holds."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # Text from the database or the arguments may hold what the terminal cannot encode
            # (lone surrogates from bytes that were not UTF-8): replace it, never crash on it.
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_arguments(parser, args)
        return int(args.func(args) or 0)
    except DomainError as exc:
        _say(f"错误：{exc.message}\n")
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
        _say(f"内部错误：程序遇到意外问题，详细信息已写入 {log}\n")
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
    with path.open("a", encoding="utf-8", errors="backslashreplace") as f:
        f.write(traceback.format_exc() + "\n")
    return path


if __name__ == "__main__":
    raise SystemExit(main())
