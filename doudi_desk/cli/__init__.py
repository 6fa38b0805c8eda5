"""``doudi-admin``: the headless face of doudi_desk, built on the same services as the window.

Every known error (bad input, refused action, database fault) exits with status 2 and one
Chinese message on stderr; a traceback is never shown for those. Output never fails on what it
prints (a character the terminal cannot show is replaced), every argument is checked like any
other typed text before a command runs, and every JSON file is bounded in size, nesting depth and
the length of its numbers, and must hold a JSON object.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from ..domain.errors import InputError, KnownError
from ..domain.text import text_problem
from .common import output, read_json

EXIT_REFUSED = 2


def cmd_calc(args: argparse.Namespace) -> int:
    from ..domain.calc import calc_request

    output(calc_request(read_json(args.file)))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        _say(f"{self.prog}: 参数错误：{message}\n")
        raise SystemExit(EXIT_REFUSED)

    # It also keeps, in its own dicts and through argparse's public methods only, how each argument
    # is written and which parser each subcommand has: a bad argument is named as the user wrote it.
    # (An argument group's add_argument goes around this record: add arguments to the parser.)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.written: dict[str, str] = {}  # dest -> ``--comment``, or the positional's name
        self.commands: dict[str, _Parser] = {}  # subcommand name -> its parser
        self.command_dest: str | None = None
        self.subcommands: _Commands | None = None
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.written[action.dest] = max(action.option_strings, key=len) if action.option_strings else (
            action.metavar if isinstance(action.metavar, str) else action.dest)
        return action

    def add_subparsers(self, **kwargs: Any) -> _Commands:  # type: ignore[override]
        self.command_dest = kwargs.get("dest")
        self.subcommands = _Commands(super().add_subparsers(**kwargs), self.commands)
        return self.subcommands


class _Commands:
    """The subcommands of one parser: argparse's own, each also kept in the parser's ``commands``."""

    def __init__(self, group: Any, commands: dict[str, _Parser]) -> None:
        self._group, self._commands = group, commands

    def add_parser(self, name: str, **kwargs: Any) -> _Parser:
        parser = self._commands[name] = self._group.add_parser(name, **kwargs)
        return parser

    def __getitem__(self, name: str) -> _Parser:
        """A subcommand added before (to add subcommands of its own)."""
        return self._commands[name]


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
    # `print` here is cli/print.py; importing it also rebinds the name `print` in this package's
    # namespace, so nothing in this module calls the builtin print().
    from . import cases, import_export, ops, payroll, print, reports

    cases.register(sub)
    print.register(sub)
    reports.register(sub)  # report monthly, ledger, campaign
    payroll.register(sub)  # payroll, price-index
    import_export.register(sub)  # import, export
    ops.register(sub)  # audit, backup, restore, user passwd/set/unlock (after cases' "user")


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


def _option_names(parser: _Parser, args: argparse.Namespace) -> dict[str, str]:
    """dest -> how the user wrote it (``--comment``, or the positional's name) in the command given."""
    names: dict[str, str] = {}
    current: _Parser | None = parser
    while current is not None:
        names.update(current.written)
        dest = current.command_dest
        current = current.commands.get(getattr(args, dest, None) or "") if dest else None
    return names


def _with_place(exc: KnownError, options: dict[str, str]) -> str:
    """The message with the argument it is about first, as the user wrote it (``--village: …``,
    ``KIND: …``). A field that is no argument of this command (a data path) is left to the message;
    so is a message of the CLI's own that names its arguments itself (``--list-batches 须与 …``)."""
    field = exc.field or ""
    for dest, name in options.items():
        if field and (dest == field.replace("-", "_") or (name.startswith("--") and name in (field, f"--{field}"))):
            text = exc.sentence()
            return exc.message if text.startswith(("--", f"{name}: ")) else f"{name}: {text}"
    return exc.message


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
        try:
            return int(args.func(args) or 0)
        finally:
            _close(args)
    except KnownError as exc:
        _say(f"错误：{_with_place(exc, _option_names(parser, args))}\n")
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


def _close(args: argparse.Namespace) -> None:
    """Close the command's database (its connections checkpoint and remove SQLite's -wal file)."""
    ctx = getattr(args, "context", None)
    if ctx is not None:
        ctx.db.dispose()


def run() -> NoReturn:
    """The installed ``doudi-admin``: :func:`main`, then the process ends.

    The objects the command loaded (SQLAlchemy, the models, the definitions: some 70,000) are frozen
    out of the collector first: the final collection as Python exits would only walk them all to
    find nothing it need free before the process is gone (0.1 to 0.2 s, of a backup of 10,000
    households' 2 s). The command's database is closed by then, and files are closed where written."""
    code = main()
    gc.freeze()
    sys.exit(code)


def _log_crash() -> Path:
    import tempfile
    import traceback

    from ..paths import user_folders

    try:
        folder = user_folders().logs
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    path = folder / "doudi-admin-crash.log"
    with path.open("a", encoding="utf-8", errors="backslashreplace") as f:
        f.write(traceback.format_exc() + "\n")
    return path
