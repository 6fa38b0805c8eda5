"""doudi-admin import and export, through main() as an office would run them."""

from __future__ import annotations

import pytest

from doudi_desk.cli import main
from doudi_desk.services.demo import TOWNSHIPS, VILLAGES
from tests.helpers.office import dump_db
from tests.import_support import BY_HOUSEHOLD, ROSTER_HEADER, household_rows, read_xlsx, write_rows


@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "cli.sqlite3"
    url = f"sqlite:///{path}"
    steps = [["init"], ["area", "add", "139901", "青山县", "--level", "county"]]
    steps += [["area", "add", code, name, "--level", level, "--parent", parent]
              for code, name, level, parent in TOWNSHIPS + VILLAGES]
    steps += [["user", "add", "clerk", "张敏", "--roles", "caseworker"],
              ["user", "add", "approver", "赵军", "--roles", "county_approver"],
              ["policy", "set", "139901", "--from", "2026-01-01"]]
    for argv in steps:
        assert main(["--db", url, *argv]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return url, path, tmp_path


def run(capsys, url, *argv):
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_then_import_then_the_same_file_again(db, capsys):
    url, path, _tmp = db
    before = dump_db(path)
    code, out, _err = run(capsys, url, "import", str(BY_HOUSEHOLD), "--dry-run", "--as", "clerk")
    assert code == 0
    assert "按表头识别为导入格式「花名册（按户）」" in out and "共 60 户 155 人：新增 60 户" in out
    assert out.rstrip().endswith("预览（--dry-run）：没有写入任何内容")
    assert dump_db(path) == before
    code, out, _err = run(capsys, url, "import", str(BY_HOUSEHOLD), "--as", "clerk")
    assert code == 0 and "已导入 60 户（第 1 批）" in out
    code, out, _err = run(capsys, url, "import", str(BY_HOUSEHOLD), "--as", "clerk")
    assert code == 0 and "没有需要导入的新家庭，本次没有写入任何内容：60 户已有且相同" in out


def test_rows_with_errors_refuse_the_file_unless_skipped(db, capsys):
    url, path, tmp = db
    rows = [["花名册"], ROSTER_HEADER]
    rows += household_rows(1, "桃源镇", "西河村", [("甲", "139901195404061009", "户主")])
    rows += household_rows(2, "桃源镇", "西河村", [("乙", "139901197102051074", "户主")], month="2019-13")
    file = write_rows(tmp / "roster.xlsx", rows)
    before = dump_db(path)
    errors = tmp / "errors.xlsx"
    code, out, err = run(capsys, url, "import", str(file), "--as", "clerk", "--errors-out", str(errors))
    assert code == 2 and "整个文件未导入" in err and "--skip-errors" in err
    assert "[错误] 工作表「花名册」第4行J列（保障起始年月）" in out
    assert read_xlsx(errors)[4][9] == "2019-13"
    after = dump_db(path)
    assert {t: v for t, v in after.items() if not t.startswith("audit")} == \
        {t: v for t, v in before.items() if not t.startswith("audit")}  # only the error list's export event
    code, out, _err = run(capsys, url, "import", str(file), "--as", "clerk", "--skip-errors")
    assert code == 0 and "已导入 1 户（第 1 批）；跳过有错误的 1 户" in out


def test_import_is_refused_to_a_county_approver(db, capsys):
    url, _path, _tmp = db
    code, _out, err = run(capsys, url, "import", str(BY_HOUSEHOLD), "--as", "approver")
    assert code == 2 and "无权导入" in err


def test_export_a_list_and_refuse_a_filter_it_does_not_have(db, capsys):
    url, _path, tmp = db
    run(capsys, url, "import", str(BY_HOUSEHOLD), "--as", "clerk")
    out_file = tmp / "在保.xlsx"
    code, out, _err = run(capsys, url, "export", "benefits", "--status", "active", "--out", str(out_file), "--as", "clerk")
    assert code == 0 and "已导出「青山县民政局在保名单」60 条" in out
    assert read_xlsx(out_file)[3][0] == "案件编号"
    code, out, _err = run(capsys, url, "export", "roster", "--village", "139901101", "--out", str(tmp / "r.xlsx"),
                          "--as", "clerk")
    assert code == 0 and "已记入审计记录" in out
    assert read_xlsx(tmp / "r.xlsx")[0][0] == "桃源镇最低生活保障对象花名册"
    code, _out, err = run(capsys, url, "export", "cases", "--month", "2026-01", "--out", str(tmp / "c.xlsx"),
                          "--as", "clerk")
    assert code == 2 and "--month: 名单「案件列表」不能按此筛选" in err
