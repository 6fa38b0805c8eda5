"""The doudi-admin parser (doudi_desk/cli/): every command's help prints, the parser keeps its own
record of arguments and subcommands (no argparse privates), and the arguments many commands share
are defined once, in cli/common.py."""

import re
from pathlib import Path

import pytest

from doudi_desk.cli import build_parser

CLI = Path(__file__).resolve().parents[2] / "doudi_desk" / "cli"


def _commands(parser, path=()):
    yield path, parser
    for name, child in parser.commands.items():
        yield from _commands(child, (*path, name))


def test_the_parser_knows_every_command_and_how_its_arguments_are_written():
    commands = dict(_commands(build_parser()))
    assert len(commands) > 60
    assert ("user", "add") in commands and ("user", "passwd") in commands  # from cli/cases.py and cli/ops.py
    assert commands[("case", "advance")].written["actor"] == "--as"
    assert commands[("case", "advance")].written["expect_version"] == "--expect-version"
    assert commands[("calc",)].written["file"] == "FILE.json"


@pytest.mark.parametrize("path", [path for path, _ in _commands(build_parser())], ids=" ".join)
def test_every_command_prints_its_help(path, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*path, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: doudi-admin" + "".join(f" {p}" for p in path)), out


def test_no_argparse_privates_in_cli():
    private = re.compile(r"\._actions\b|_SubParsersAction|\._subparsers\b|_option_string_actions|\._registries\b"
                         r"|\._positionals\b|\._optionals\b|\._get_\w+\(")
    found = [f"{path.name}:{n}: {line.strip()}" for path in CLI.glob("*.py")
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if private.search(line)]
    assert found == []


@pytest.mark.parametrize("flag", ["--as", "--date", "--comment", "--json", "--expect-version"])
def test_the_shared_arguments_are_defined_once_in_common(flag):
    defined = {path.name for path in CLI.glob("*.py") if f'add_argument("{flag}"' in path.read_text("utf-8")}
    assert defined == {"common.py"}
