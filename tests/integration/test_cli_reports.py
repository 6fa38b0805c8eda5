"""doudi-admin report / ledger / campaign through main(), as a user would run them."""

from __future__ import annotations

import json

from doudi_desk.cli import main
from tests.report_helpers import RURAL, URBAN, approve_dibao, gap_household, temporary


def run(capsys, url, *argv) -> tuple[int, str, str]:
    code = main(["--db", url, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_monthly_report_ledgers_books_and_a_campaign_from_the_command_line(office, tmp_path, capsys):
    from doudi_desk.services.cases import CaseService

    url = f"sqlite:///{office.db_path}"
    svc = CaseService(office)
    approve_dibao(svc, gap_household(RURAL, "王", 11), "2026-08-03")
    temporary(svc, RURAL, "冯", 91, "2026-09-03", amount="2000")
    office.db.dispose()

    code, out, err = run(capsys, url, "area", "add", URBAN, "城关社区", "--level", "village", "--parent", "130999101")
    assert code == 0, err
    code, out, _ = run(capsys, url, "area", "class", URBAN, "rural")
    assert out.strip() == f"{URBAN} 城关社区：农村"
    xlsx, pdf = tmp_path / "月报.xlsx", tmp_path / "月报.pdf"
    assert run(capsys, url, "report", "monthly", "--month", "2026-10", "--area", "130999101", "--out", str(xlsx))[0] == 0
    assert run(capsys, url, "report", "monthly", "--month", "2026-10", "--area", "130999101", "--out", str(pdf),
               "--as", "clerk")[0] == 0
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx)["低保"]
    assert [sheet.cell(5, c).value for c in (1, 2, 3, 4, 13)] == ["前进村", "农村", 1, 4, 2792]
    assert pdf.read_bytes().startswith(b"%PDF")
    code, _, err = run(capsys, url, "report", "monthly", "--month", "2026-13", "--area", "130999101",
                       "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and "--month" in err and not (tmp_path / "x.xlsx").exists()

    code, out, err = run(capsys, url, "ledger", "table", "--village", RURAL, "--programme", "dibao", "--month", "2026-10",
                         "--out", str(tmp_path / "台账.xlsx"), "--as", "clerk")
    assert code == 0, err
    code, out, err = run(capsys, url, "ledger", "book", "--village", RURAL, "--out", str(tmp_path / "一户一册.pdf"),
                         "--as", "clerk")
    assert code == 0 and "一户一册 2 户" in out, err

    code, out, err = run(capsys, url, "campaign", "create", "--name", "大排查", "--doc", "承高社管字〔2021〕29号",
                         "--area", "130999101", "--phase", "全面排查:2026-11-01:2026-11-30",
                         "--phase", "集中整改:2026-12-01:2026-12-15", "--rules", "benefit,temporary", "--as", "reviewer")
    assert code == 0 and "已建立排查活动 #1" in out, err
    code, out, err = run(capsys, url, "campaign", "show", "1", "--json", "--as", "clerk")
    view = json.loads(out)
    target = next(t for t in view["targets"] if t["head_name"] == "冯大山")
    items = tmp_path / "items.json"
    items.write_text(json.dumps({"social_security": "gap", "social_security_note": "未纳入低保", "dibao_gap": 1}),
                     encoding="utf-8")
    assert run(capsys, url, "campaign", "check", str(target["id"]), "--items", str(items), "--date", "2026-11-10",
               "--as", "clerk")[0] == 0
    code, out, err = run(capsys, url, "campaign", "problem", "1", "--finding", "未纳入低保", "--kind", "missed",
                         "--target", str(target["id"]), "--as", "clerk")
    assert code == 0 and "已登记问题 1" in out, err
    code, out, err = run(capsys, url, "campaign", "open-case", "1", "--date", "2026-11-12", "--as", "clerk")
    assert code == 0 and "已开立案件 2026-DB-" in out, err
    code, out, err = run(capsys, url, "campaign", "advance", "1", "fixed", "--outcome", "已纳入", "--as", "clerk")
    assert code == 2 and "无权确认整改完成" in err
    code, out, err = run(capsys, url, "campaign", "show", "1", "--as", "reviewer")
    assert "前进村：已核查 1/2 户，问题 未整改 1、已整改 0" in out, out
    code, out, err = run(capsys, url, "campaign", "export", "1", "--table", "problems", "--out",
                         str(tmp_path / "清单.xlsx"), "--as", "reviewer")
    assert code == 0, err
    sheet = openpyxl.load_workbook(tmp_path / "清单.xlsx").active
    assert sheet["B4"].value == "社会保障" and "整改中" in sheet["E4"].value
