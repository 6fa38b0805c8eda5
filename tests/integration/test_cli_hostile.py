"""doudi-admin against hostile arguments and files (issue 11 items 2, 3, 4, 8, 13).

Arguments that are not UTF-8 go through the real entry point (the installed ``doudi-admin``
script) in a subprocess, as a shell would pass them; JSON files go through ``main()``. Every one:
exit status 2, a Chinese message on stderr that is valid UTF-8 and no traceback, and every row of
every table unchanged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from doudi_desk.cli import main
from doudi_desk.services.cases import CaseService
from doudi_desk.services.lifecycle import LifecycleService
from tests.helpers.arrange import DEFS, PAST, arrange, household, place
from tests.helpers.office import TODAY, dump_db, open_office

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENTRY = Path(sys.executable).with_name("doudi-admin")


@pytest.fixture(scope="module")
def template_db(tmp_path_factory):
    """An office on a SQLite file with one open 低保 application and one approved benefit, made once
    and copied for each test."""
    path = tmp_path_factory.mktemp("cli-template") / "office.sqlite3"
    gen = open_office(f"sqlite:///{path}", path)
    ctx = next(gen)
    cases = CaseService(ctx)
    life = LifecycleService(cases)
    open_case = cases.create_case(household("dibao"), "dibao", "clerk", applied_on=PAST)
    spec = DEFS.workflows["dibao_review"]
    review = arrange(ctx, cases, life, spec, spec.transitions_from("opened")[0], "opened")
    parent = cases.show(review)["parent_case"]
    place(ctx, review, closed=True)
    next(gen, None)  # disposes the engine: the WAL is checkpointed into the file
    return path, open_case["number"], parent


@pytest.fixture
def office_db(template_db, tmp_path):
    source, case, benefit = template_db
    path = tmp_path / "office.sqlite3"
    shutil.copyfile(source, path)
    return {"url": f"sqlite:///{path}", "path": path, "case": case, "benefit": benefit}


def run_entry(url: str, *argv: str | bytes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DOUDI_DEBUG"} | {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    return subprocess.run([str(ENTRY), "--db", url, *argv], capture_output=True, env=env, timeout=120)


def refused_by_the_entry_point(office_db, *argv: str | bytes) -> str:
    before = dump_db(office_db["path"])
    proc = run_entry(office_db["url"], *argv)
    err = proc.stderr.decode("utf-8")  # strict: the printer wrote valid UTF-8
    assert proc.returncode == 2, (proc.returncode, err)
    assert CHINESE.search(err) and "Traceback" not in err and "内部错误" not in err, err
    assert dump_db(office_db["path"]) == before
    return err


def test_the_entry_point_is_the_installed_script():
    assert ENTRY.exists(), ENTRY


@pytest.mark.parametrize("where", ["trigger", "comment", "date", "case", "actor", "household", "programme"])
def test_arguments_that_are_not_utf8_are_refused_cleanly(office_db, where):
    case = office_db["case"]
    bad = b"\xff\xfe\xc3"
    argv: dict[str, list[str | bytes]] = {
        "trigger": ["case", "advance", case, b"accept" + bad, "--as", "clerk"],
        "comment": ["case", "advance", case, "withdraw", "--as", "clerk", "--comment", b"\xe6\x92\xa4" + bad],
        "date": ["case", "advance", case, "withdraw", "--as", "clerk", "--comment", "撤回", "--date",
                 b"2026-11-01" + bad],
        "case": ["case", "show", case.encode() + bad],
        "actor": ["case", "advance", case, "withdraw", "--as", b"clerk" + bad, "--comment", "撤回"],
        "household": ["case", "new", "--household", b"/tmp/" + bad + b".json", "--programme", "dibao", "--as", "clerk"],
        "programme": ["case", "new", "--household", "h.json", "--programme", b"dibao" + bad, "--as", "clerk"],
    }[where]
    err = refused_by_the_entry_point(office_db, *argv)
    assert "参数" in err or "错误" in err


def test_a_surrogate_in_an_argument_is_named_by_its_option(office_db, capsys):
    before = dump_db(office_db["path"])
    code = main(["--db", office_db["url"], "case", "show", "2026-\udcff"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("错误：case: 参数第6个字符无法识别"), err
    code = main(["--db", office_db["url"], "case", "advance", "1", "withdraw", "--as", "clerk", "--comment", "\udcff"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("错误：--comment: 参数第1个字符无法识别"), err
    assert dump_db(office_db["path"]) == before


def test_the_error_printer_never_fails(office_db, capsys, monkeypatch):
    """Whatever a refusal's message holds (here a lone surrogate), it is printed, escaped, exit 2."""
    from doudi_desk.cli import cases as cli_cases
    from doudi_desk.domain.errors import DomainError

    def refuse(_args):
        raise DomainError("没有案件「2026-\udcff」")

    monkeypatch.setattr(cli_cases, "cmd_case_show", refuse)
    code = main(["--db", office_db["url"], "case", "show", "x"])
    err = capsys.readouterr().err
    assert code == 2 and "\\udcff" in err and "没有案件" in err, err


# --- items 3 and 4: files -------------------------------------------------------------------------

def run(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


FILES = {  # name: (content, what the refusal says)
    "a 5,000-digit integer": ('{"application": {"reason": ' + "9" * 5000 + "}}", "数字过长"),
    "a 5,000-digit float": ('{"application": {"reason": 0.' + "9" * 5000 + "}}", "数字过长"),
    "deep nesting": ('{"a": ' * 100_000 + "1" + "}" * 100_000, "嵌套层次过深"),
    "nesting beyond 20": ('{"application": ' * 25 + "1" + "}" * 25, "嵌套层次过深"),
    "NaN": ('{"application": {"reason": NaN}}', "不是有效的数字"),
    "not UTF-8": (b'{"application": {"reason": "\xff\xfe"}}', "不是 UTF-8"),
    "a lone surrogate escaped": ('{"application": {"reason": "\\udfff"}}', "无法识别"),
    "a NUL escaped": ('{"application": {"reason": "\\u0000"}}', "空字符"),
    "a control character escaped": ('{"application": {"reason": "\\u001b[31m"}}', "控制字符"),
    "too big": ('{"application": {"reason": "' + "x" * (3 * 1024 * 1024) + '"}}', "文件过大"),
    "a reason of 10,000 characters": ('{"application": {"reason": "' + "因" * 10_000 + '"}}', "不能超过 5000 个字"),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_malformed_data_files_are_refused(office_db, capsys, tmp_path, name):
    content, why = FILES[name]
    path = tmp_path / "data.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    before = dump_db(office_db["path"])
    code, _out, err = run(capsys, office_db["url"], "case", "save", office_db["case"], "--as", "clerk", "--data",
                          str(path))
    assert code == 2 and why in err and "Traceback" not in err, err
    err.encode("utf-8")
    assert dump_db(office_db["path"]) == before


@pytest.mark.parametrize("content", ["0", '""', "[]", "null", "false"])
def test_a_data_file_that_is_not_an_object_is_not_no_data(office_db, capsys, tmp_path, content):
    """Item 4: ``--data`` holding 0, "", [] or null was taken as "no data" and the action done."""
    path = tmp_path / "data.json"
    path.write_text(content, "utf-8")
    before = dump_db(office_db["path"])
    code, _out, err = run(capsys, office_db["url"], "case", "advance", office_db["case"], "withdraw", "--as", "clerk",
                          "--comment", "本人撤回", "--data", str(path))
    assert code == 2 and "应为一个 JSON 对象" in err, err
    assert dump_db(office_db["path"]) == before


@pytest.mark.parametrize("content", ["[]", '[{"change_type": "death"}]', "0", "null", '"death"'])
def test_a_change_file_that_is_not_an_object_is_refused(office_db, capsys, tmp_path, content):
    path = tmp_path / "change.json"
    path.write_text(content, "utf-8")
    before = dump_db(office_db["path"])
    code, _out, err = run(capsys, office_db["url"], "change", office_db["benefit"], "--data", str(path), "--as", "clerk")
    assert code == 2 and "应为一个 JSON 对象" in err, err
    assert dump_db(office_db["path"]) == before


@pytest.mark.parametrize("amount", ['"1e30"', "1e30", "1e308", '"' + "9" * 40 + '"', "1e999999999", "9" * 5000])
def test_case_new_refuses_huge_amounts(office_db, capsys, tmp_path, amount):
    h = household("temporary")
    text = json.dumps(h, ensure_ascii=False).replace('"amount": "3000"', f'"amount": {amount}')
    path = tmp_path / "h.json"
    path.write_text(text, "utf-8")
    before = dump_db(office_db["path"])
    code, _out, err = run(capsys, office_db["url"], "case", "new", "--household", str(path), "--programme",
                          "temporary", "--as", "clerk")
    assert code == 2 and CHINESE.search(err) and "Traceback" not in err, err
    assert dump_db(office_db["path"]) == before


@pytest.mark.parametrize("member", [
    {"relation": {"a": 1}}, {"relation": ["head"]}, {"excluded": {}}, {"disability": {"type": [], "grade": 1}},
    {"id_number": "¹³⁰¹⁰²¹⁹⁸⁰¹¹³⁰⁰⁵¹x"}, {"name": "\udfff"}, {"name": "褚三（尿毒症透析）"}])
def test_calc_and_case_new_refuse_members_of_the_wrong_shape(office_db, capsys, tmp_path, member):
    h = household("dibao")
    h["members"][0].update(member)
    path = tmp_path / "h.json"
    path.write_text(json.dumps(h, ensure_ascii=True), "utf-8")
    before = dump_db(office_db["path"])
    code, _out, err = run(capsys, office_db["url"], "case", "new", "--household", str(path), "--programme", "dibao",
                          "--as", "clerk")
    assert code == 2 and "household.members[0]" in err and "Traceback" not in err, err
    assert dump_db(office_db["path"]) == before
    request = {"decision_date": "2026-11-01", "programme": "dibao", "household": h,
               "policy": json.loads(json.dumps(__import__("doudi_desk.services.admin", fromlist=["x"]).default_policy(),
                                               default=str))}
    path.write_text(json.dumps(request, ensure_ascii=True), "utf-8")
    code, _out, err = run(capsys, office_db["url"], "calc", str(path))
    assert code == 2 and "household.members[0]" in err, err


# --- item 8 through the command line ----------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["review", "start", "{benefit}", "--as", "clerk", "--date", "2018-07-23"],
    ["terminate", "{benefit}", "--reason", "other", "--reasons", "测试", "--as", "clerk", "--date", "2018-07-23"],
    ["change", "{benefit}", "--data", "{change}", "--as", "clerk", "--date", "2018-07-23"],
])
def test_back_dated_commands_on_a_benefit_exit_2(office_db, capsys, tmp_path, argv):
    change = tmp_path / "change.json"
    change.write_text(json.dumps({"change_type": "other", "change_date": "2018-07-20", "detail": "测试"}), "utf-8")
    argv = [a.format(benefit=office_db["benefit"], change=change) for a in argv]
    before = dump_db(office_db["path"])
    code, _out, err = run(capsys, office_db["url"], *argv)
    assert code == 2 and "早于上一步的办理日期" in err and office_db["benefit"] in err, err
    assert dump_db(office_db["path"]) == before


def test_case_show_prints_the_decision_in_chinese(office_db, capsys):
    url = office_db["url"]
    code, _out, err = run(capsys, url, "case", "advance", office_db["case"], "withdraw", "--as", "clerk",
                          "--comment", "本人撤回", "--date", TODAY.isoformat())
    assert code == 0, err
    code, out, _err = run(capsys, url, "case", "show", office_db["case"])
    assert code == 0 and "决定：撤回" in out and "withdrawn" not in out, out
