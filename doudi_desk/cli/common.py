"""What every ``doudi-admin`` command shares: its context, its JSON in and out, its dates, and the
arguments many commands take (``--as``, ``--date``, ``--comment``, ``--json``, ``--expect-version``),
each defined here once.

Every JSON file is bounded in size, nesting depth and the length of its numbers, and must hold a
JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..domain.errors import InputError
from ..domain.text import shown
from ..services.views import as_json

MAX_JSON_BYTES = 2 * 1024 * 1024  # a household, a form set or a policy is a few kilobytes
MAX_JSON_DEPTH = 20
MAX_JSON_NUMBER = 40  # characters of one number


# -- the context --------------------------------------------------------------------------------

def context(args: argparse.Namespace):
    """The command's context, opened once; the ``--as`` user is authenticated on opening."""
    ctx = getattr(args, "context", None)
    if ctx is None:
        from ..services.context import open_context

        ctx = args.context = open_context(args.db)
        if getattr(args, "actor", None):
            _authenticate(ctx, args.actor)
    return ctx


def _authenticate(ctx, username: str) -> None:
    """Where passwords are required, ``--as USER`` needs USER's password: from DOUDI_PASSWORD,
    else asked on the terminal (never on the command line, where other users could read it)."""
    from ..services.accounts import AccountService

    service = AccountService(ctx)
    password = os.environ.get("DOUDI_PASSWORD")
    if password is None and sys.stdin is not None and sys.stdin.isatty():
        if not service.status()["passwords_required"]:
            return
        import getpass

        password = getpass.getpass(f"用户 {username} 的密码：")
    service.authenticate_command(username, password)


# -- the shared arguments -----------------------------------------------------------------------

def add_actor(parser: argparse.ArgumentParser, *, required: bool = False, help: str | None = None) -> None:
    """``--as USER``: who does it (checked against USER's roles and area; a password where required)."""
    parser.add_argument("--as", dest="actor", required=required, help=help)


def add_date(parser: argparse.ArgumentParser, *, help: str | None = None) -> None:
    """``--date YYYY-MM-DD``: the day it was done (read with :func:`parse_date`)."""
    parser.add_argument("--date", help=help)


def add_comment(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """``--comment``: the reason or note written with the change in the audit record."""
    parser.add_argument("--comment", required=required)


def add_json(parser: argparse.ArgumentParser) -> None:
    """``--json``: print the result as JSON (:func:`output`) instead of text."""
    parser.add_argument("--json", action="store_true")


def add_expect_version(parser: argparse.ArgumentParser, *, help: str | None = None) -> None:
    """``--expect-version N``: act only while the record is still at version N (no double action)."""
    parser.add_argument("--expect-version", type=int, help=help)


# -- values in and out --------------------------------------------------------------------------

def parse_date(raw: str | None, field: str = "--date") -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{field}: 不是有效日期（应为 YYYY-MM-DD）：{shown(raw)}", field) from None


def output(obj: Any) -> None:
    """A result as JSON on stdout (the ``--json`` form of every command)."""
    sys.stdout.write(json.dumps(as_json(obj), ensure_ascii=False, indent=2, default=str) + "\n")


def json_file(path: str | None) -> Any:
    """An optional JSON file argument: {} when not given."""
    return {} if path is None else read_json(path)


def read_json(path: str) -> dict[str, Any]:
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
