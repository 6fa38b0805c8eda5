"""doudi-admin's office and case commands, through main() as a user would run them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from doudi_desk.cli import main
from tests.helpers.office import TODAY, dump_db, fix_cli_clock

START = TODAY - dt.timedelta(days=30)


def d(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def db(tmp_path, capsys, monkeypatch):
    fix_cli_clock(monkeypatch)
    path = tmp_path / "cli.sqlite3"
    url = f"sqlite:///{path}"
    steps = [
        ["init"],
        ["area", "add", "130999", "测试县", "--level", "county"],
        ["area", "add", "130999101", "河东镇", "--level", "township", "--parent", "130999"],
        ["area", "add", "130999101001", "前进村", "--level", "village", "--parent", "130999101"],
        ["user", "add", "clerk", "张敏", "--roles", "caseworker"],
        ["user", "add", "reviewer", "王芳", "--roles", "township_reviewer"],
        ["user", "add", "approver", "赵军", "--roles", "county_approver"],
        ["policy", "set", "130999", "--from", "2026-01-01"],
    ]
    for argv in steps:
        assert main(["--db", url, *argv]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return url, path, tmp_path


def run(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, name, obj):
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False), "utf-8")
    return str(p)


HOUSEHOLD = {
    "village": "130999101001",
    "members": [{"name": "赵德明", "id_number": "130102198011300513", "relation": "head"},
                {"name": "赵晨", "id_number": "130102200509010716", "relation": "child",
                 "disability": {"type": "intellectual", "grade": 3}}],
    "income": [{"type": "wage", "amount": "9000", "member": 0}],
    "assets": {"financial": "1000", "homes": 1},
}


def test_whole_case_from_the_command_line(db, capsys):
    url, _path, tmp = db
    code, out, err = run(capsys, url, "case", "new", "--household", write(tmp, "h.json", HOUSEHOLD),
                         "--programme", "dibao", "--as", "clerk", "--date", d(0), "--json")
    assert code == 0, err
    case = json.loads(out)
    number = case["number"]
    assert number.endswith("-DB-000001") and case["state"] == "applied"
    app = {"application": {"apply_date": d(0), "channel": "self", "reason": "残疾", "pledge_signed": True,
                           "authorization_signed": True}}
    inv = {"verification": {"requested_on": d(2), "result": "consistent"},
           "home_visit": {"visit_date": d(2), "investigators": [{"name": "张敏"}, {"name": "李强"}],
                          "family_present": "户主", "conclusion": "meets"},
           "neighbour_visit": {"visit_date": d(2), "interviewees": [{"name": "邻居"}], "statements": "属实"}}
    steps = [
        ("accept", "clerk", app, d(1)),
        ("start_investigation", "clerk", None, d(2)),
        ("complete_investigation", "clerk", inv, d(3)),
        ("post_notice", "reviewer", {"preliminary_opinion": {"opinion": "approve", "category": "new",
                                                             "comment": "拟同意"}}, d(4)),
        ("submit_to_county", "reviewer", {"posting": {"start_date": d(4), "place": "公开栏"}}, d(11)),
        ("approve", "approver", None, d(12)),
    ]
    for i, (trigger, actor, data, when) in enumerate(steps):
        argv = ["case", "advance", number, trigger, "--as", actor, "--date", when, "--json"]
        if data:
            argv += ["--data", write(tmp, f"d{i}.json", data)]
        code, out, err = run(capsys, url, *argv)
        assert code == 0, f"{trigger}: {err}"
    view = json.loads(out)
    assert view["state"] == "approved"
    assert view["decision"]["monthly_amount"] == view["proposal"]["monthly_amount"]
    code, out, _ = run(capsys, url, "case", "show", number)
    assert code == 0
    assert "确认（在保）" in out and "办理记录" in out and "赵军" in out and "自审批确认的次月起发放" in out
    code, out, _ = run(capsys, url, "case", "show", str(view["id"]), "--json")
    assert json.loads(out)["number"] == number and len(json.loads(out)["history"]) == 7


@pytest.fixture
def accepted(db, capsys):
    url, path, tmp = db
    code, out, err = run(capsys, url, "case", "new", "--household", write(tmp, "h.json", HOUSEHOLD),
                         "--programme", "dibao", "--as", "clerk", "--date", d(0), "--json")
    assert code == 0, err
    app = {"application": {"apply_date": d(0), "channel": "self", "reason": "残疾", "pledge_signed": True,
                           "authorization_signed": True}}
    code, out, err = run(capsys, url, "case", "advance", "1", "accept", "--as", "clerk", "--date", d(1),
                         "--data", write(tmp, "a.json", app))
    assert code == 0, err
    return url, path, tmp


@pytest.mark.parametrize("argv,message", [
    (["case", "advance", "1", "start_investigation", "--as", "approver"], "无权"),
    (["case", "advance", "1", "approve", "--as", "approver"], "不能执行"),
    (["case", "advance", "1", "start_investigation", "--as", "clerk", "--expect-version", "1"], "已被他人修改"),
    (["case", "advance", "1", "start_investigation", "--as", "clerk", "--date", "2999-01-01"], "晚于今天"),
    (["case", "advance", "1", "start_investigation", "--as", "clerk", "--date", "2020-01-01"], "早于上一步"),
    (["case", "advance", "1", "start_investigation", "--as", "ghost"], "没有用户"),
    (["case", "advance", "99", "start_investigation", "--as", "clerk"], "没有案件"),
    (["case", "advance", "1", "start_investigation", "--as", "clerk", "--date", "2026-02-30"], "--date"),
])
def test_refused_command_exits_2_with_reason_and_changes_nothing(accepted, capsys, argv, message):
    url, path, _tmp = accepted
    before = dump_db(path)
    code, out, err = run(capsys, url, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert dump_db(path) == before


def test_failed_guard_is_named(accepted, capsys):
    url, path, tmp = accepted
    assert run(capsys, url, "case", "advance", "1", "start_investigation", "--as", "clerk", "--date", d(2))[0] == 0
    one = {"verification": {"requested_on": d(2), "result": "consistent"},
           "home_visit": {"visit_date": d(2), "investigators": [{"name": "张敏"}], "family_present": "户主",
                          "conclusion": "meets"},
           "neighbour_visit": {"visit_date": d(2), "interviewees": [{"name": "邻居"}], "statements": "属实"}}
    before = dump_db(path)
    code, _out, err = run(capsys, url, "case", "advance", "1", "complete_investigation", "--as", "clerk",
                          "--date", d(3), "--data", write(tmp, "one.json", one))
    assert code == 2 and "入户调查不少于2名调查人员" in err
    assert dump_db(path) == before


def test_show_lists_triggers_for_the_user(accepted, capsys):
    url, _path, _tmp = accepted
    code, out, _ = run(capsys, url, "case", "show", "1", "--as", "clerk", "--json")
    view = json.loads(out)
    assert {t["trigger"]: t["allowed"] for t in view["available_triggers"]} == {
        "start_investigation": True, "withdraw": True}
    assert view["deadline"]["state_working_days_left"] is not None


def test_demo_then_show_a_decided_case(tmp_path, capsys, monkeypatch):
    fix_cli_clock(monkeypatch)
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    code, out, err = run(capsys, url, "demo", "--households", "60")
    assert code == 0, err
    assert "确认（在保）" in out
    for title in ("最低生活保障审核确认", "特困人员救助供养认定", "临时救助审批", "最低生活保障复核"):
        assert title in out
    number = out.split("doudi-admin case show ")[1].split()[0]
    code, out, err = run(capsys, url, "case", "show", number, "--json")
    view = json.loads(out)
    assert view["state"] == "approved"
    triggers = [e["trigger"] for e in view["history"]]
    assert triggers[0] == "create" and "approve" in triggers and "post_notice" in triggers
    assert all(e["actor_name"] for e in view["history"])
    code, _out, err = run(capsys, url, "demo")
    assert code == 2 and "已有示例数据" in err


def test_staff_relative_cases_are_listed_for_the_county(db, capsys):
    url, _path, tmp = db
    relative = dict(HOUSEHOLD, members=[dict(HOUSEHOLD["members"][0], staff_relative=True), HOUSEHOLD["members"][1]])
    assert run(capsys, url, "case", "new", "--household", write(tmp, "r.json", relative), "--programme", "dibao",
               "--as", "clerk", "--date", d(0))[0] == 0
    other = dict(HOUSEHOLD, members=[{"name": "孙丽", "id_number": "130102198204120623", "relation": "head"}])
    assert run(capsys, url, "case", "new", "--household", write(tmp, "o.json", other), "--programme", "dibao",
               "--as", "clerk", "--date", d(0))[0] == 0
    code, out, _ = run(capsys, url, "case", "list", "--staff-relative", "--json")
    rows = json.loads(out)
    assert [r["head"] for r in rows] == ["赵德明"] and rows[0]["staff_relative"]


def test_as_user_needs_the_password_once_passwords_are_in_use(db, capsys, monkeypatch):
    """`--as USER` is not a free pass: once any account has a password (always on a shared server),
    the command needs USER's password (DOUDI_PASSWORD or the terminal), failures count towards the
    lock-out and every attempt is in the office log."""
    import io

    url, path, tmp = db
    new_case = ("case", "new", "--household", write(tmp, "h.json", HOUSEHOLD), "--programme", "dibao",
                "--as", "clerk", "--date", d(0))
    monkeypatch.delenv("DOUDI_PASSWORD", raising=False)
    # No password anywhere yet: --as works as before (a single clerk's PC).
    assert run(capsys, url, *new_case)[0] == 0
    assert run(capsys, url, "user", "add", "admin", "管理员", "--roles", "admin")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Office-key-2026\n"))  # the first password: an admin's
    assert run(capsys, url, "user", "passwd", "admin", "--password-stdin", "--permanent")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Qingshan-2026\n"))
    monkeypatch.setenv("DOUDI_PASSWORD", "Office-key-2026")  # the admin acting is the admin
    code, _out, err = run(capsys, url, "user", "passwd", "clerk", "--password-stdin", "--permanent", "--as", "admin")
    assert code == 0, err
    monkeypatch.delenv("DOUDI_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: nobody to ask
    before = dump_db(path)
    code, _out, err = run(capsys, url, *new_case)
    assert code == 2 and "DOUDI_PASSWORD" in err and "clerk" in err
    assert dump_db(path) == before  # refused before anything was written
    monkeypatch.setenv("DOUDI_PASSWORD", "wrong-password")
    code, _out, err = run(capsys, url, "case", "show", "1", "--as", "clerk")
    assert code == 2 and "用户名或密码不正确" in err and "再错 4 次" in err
    monkeypatch.setenv("DOUDI_PASSWORD", "Qingshan-2026")
    code, out, err = run(capsys, url, "case", "show", "1", "--as", "clerk")
    assert code == 0, err
    # Other users still need their own password: the clerk's does not open the approver's account.
    code, _out, err = run(capsys, url, "case", "show", "1", "--as", "approver")
    assert code == 2 and "尚未设置密码" in err
    code, out, err = run(capsys, url, "audit", "log", "--limit", "10")
    assert code == 0, err
    lines = [line for line in out.splitlines() if "命令行登录" in line]
    assert sum("失败" in line for line in lines) == 2 and sum("失败" not in line for line in lines) == 2
    assert "密码错误（连续第 1 次）" in out and "尚未设置密码" in out


def test_output_cut_short_by_a_pipe_is_not_a_crash(db, capsys, monkeypatch, tmp_path):
    """`doudi-admin case list | head -2`: when the reader closes the pipe, exit 0 quietly (no crash log)."""
    url, _path, tmp = db
    assert run(capsys, url, "case", "new", "--household", write(tmp, "h.json", HOUSEHOLD), "--programme", "dibao",
               "--as", "clerk")[0] == 0

    class ClosedPipe:
        def __init__(self):
            self.file = open(tmp_path / "rest", "w")  # noqa: SIM115 - the rest goes to os.devnull over this fd

        def write(self, _text):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            return self.file.fileno()

        def flush(self):
            pass

    pipe = ClosedPipe()
    monkeypatch.setattr("sys.stdout", pipe)
    monkeypatch.setattr("doudi_desk.cli._log_crash", lambda: pytest.fail("a closed pipe is not a crash"))
    assert main(["--db", url, "case", "list"]) == 0
    pipe.file.close()
