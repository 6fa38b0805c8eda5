"""``doudi-admin payroll …`` and ``price-index …`` as an office would run them, end to end: build,
check, approve, bank file, results, close; lines and ledger to xlsx (read back); the three payroll
documents printed (text read back, first pages saved as PNG to look at)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from doudi_desk.cli import main
from tests.helpers.office import dump_db, fix_cli_clock
from tests.payment_helpers import TOWN, gap_benefit, services, single_benefit
from tests.printing_helpers import flat, fonts_not_embedded, pages_text, save_png


@pytest.fixture
def cli(office, monkeypatch, capsys):
    """Run doudi-admin on the office's database, with the office's 'today'."""
    fix_cli_clock(monkeypatch)
    url = f"sqlite:///{office.db_path}"

    def run(*argv):
        code = main(["--db", url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def xlsx_rows(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_a_month_paid_from_the_command_line(office, cli, tmp_path):
    svc, *_ = services(office)
    gap = gap_benefit(svc)
    single_benefit(svc)
    code, out, err = cli("payroll", "build", "--area", TOWN, "--group", "dibao", "--month", "2026-06",
                         "--since", "2026-06", "--as", "clerk")
    assert code == 0, err
    assert "河东镇2026-06低保发放名册（编号 1" in out and "前进村：2 户 5 人 2 笔" in out
    code, out, err = cli("payroll", "lines", "1", "--as", "clerk", "--xlsx", str(tmp_path / "lines.xlsx"))
    assert code == 0, err
    rows = xlsx_rows((tmp_path / "lines.xlsx").read_bytes())
    assert rows[1][:6] == ["序号", "村（社区）", "收款人", "身份证号码", "开户银行", "银行账号"]
    assert {r[3] for r in rows[2:]} == {"130102197203150316", "130102198011300513"}  # 18 digits kept as text
    assert sum(Decimal(repr(r[9])) for r in rows[2:]) == Decimal("3872")  # 2792 + 1080
    for step, who in (("submit", "clerk"), ("review", "reviewer")):
        assert cli("payroll", step, "1", "--as", who)[0] == 0
    before = dump_db(office.db_path)
    code, _out, err = cli("payroll", "approve", "1", "--as", "clerk")  # the builder
    assert code == 2 and "无权审批通过" in err and "Traceback" not in err
    assert dump_db(office.db_path) == before
    code, out, err = cli("payroll", "approve", "1", "--as", "approver", "--expect-version", "4")
    assert code == 0, err
    assert "已审批" in out and "审批摘要" in out
    code, out, err = cli("payroll", "export", "1", "--format", "gbk_txt", "--out", str(tmp_path), "--as", "clerk")
    assert code == 0, err
    assert "2 笔，合计 3872.00 元" in out
    sent = (tmp_path / "DF130999101202606.txt").read_bytes()
    assert sent.decode("gbk").splitlines()[0].endswith("00000002000000000387200")
    from doudi_desk.services.bank_io import BankFileService

    result = tmp_path / "回盘.txt"
    result.write_bytes(BankFileService(office).sample_result(1, "gbk_txt", {2: "账户冻结"}))
    code, out, err = cli("payroll", "import-result", "1", str(result), "--format", "gbk_txt", "--as", "clerk")
    assert code == 0, err
    assert "成功 1 笔" in out and "失败 1 笔" in out
    assert cli("payroll", "close", "1", "--as", "reviewer")[0] == 0
    code, out, _ = cli("payroll", "verify", "1")
    assert code == 0 and "一致" in out
    code, out, _ = cli("payroll", "list", "--as", "reviewer")
    assert "已结账" in out
    code, out, err = cli("payroll", "ledger", gap["number"], "--year", "2026", "--as", "clerk",
                         "--xlsx", str(tmp_path / "ledger.xlsx"))
    assert code == 0, err
    rows = xlsx_rows((tmp_path / "ledger.xlsx").read_bytes())
    assert "王建国户2026年救助资金发放台账" in rows[0][0]
    code, out, err = cli("payroll", "ledger", "--person", "130102195001090176", "--as", "clerk")  # 王老汉
    assert code == 0, err
    assert "已发 2792.00 元" in out and "2026-DB-000001" in out
    assert [r[:5] for r in rows[2:]] in ([["2026-06", "低保金", "当月", 2792.0, "成功"]],
                                          [["2026-06", "低保金", "当月", 2792, "成功"]])


def test_price_index_commands(office, cli):
    code, out, err = cli("price-index", "set", "130999", "2026-06", "--cpi", "3.8", "--food", "4.1", "--as", "admin")
    assert code == 0, err
    assert "达到启动条件，每人 27 元" in out
    code, out, err = cli("price-index", "set", "130999", "2026-07", "--cpi", "abc", "--food", "1", "--as", "admin")
    assert code == 2 and "cpi_yoy" in err
    code, _out, err = cli("price-index", "set", "130999", "2026-07", "--cpi", "3", "--food", "1", "--as", "clerk")
    assert code == 2 and "系统管理员" in err
    code, out, _ = cli("price-index", "list")
    assert "2026-06 测试县 CPI 3.80% 食品 4.10% 启动 每人 27 元" in out


def test_payroll_documents_print_and_the_roster_is_an_export(office, cli, tmp_path):
    from doudi_desk.services.audit import AuditService

    svc, _life, pay, _bank = services(office)
    gap_benefit(svc)
    single_benefit(svc, account={})  # held: listed with its reason
    view = pay.build(TOWN, "dibao", "2026-06", "clerk", since="2026-06")
    for step, who in (("submit", "clerk"), ("review", "reviewer"), ("approve", "approver")):
        pay.step(view["id"], step, who)
    texts = {}
    for kind in ("payroll_roster", "payroll_summary", "payroll_changes"):
        path = tmp_path / f"{kind}.pdf"
        code, _out, err = cli("payroll", "print", str(view["id"]), kind, "--out", str(path), "--as", "reviewer")
        assert code == 0, err
        pdf = path.read_bytes()
        assert fonts_not_embedded(pdf) == []
        texts[kind] = flat("".join(pages_text(pdf)))
        save_png(pdf, kind)
    roster = texts["payroll_roster"]
    assert "河东镇2026年6月最低生活保障金发放花名册" in roster
    assert "130102197203150316" in roster and "6230580112345678" in roster and "未登记开户银行、银行账号" in roster
    summary = texts["payroll_summary"]
    assert "发放汇总表" in summary and "贰仟柒佰玖拾贰元整" in summary
    assert "经办人" in summary and "审核人" in summary and "审批人" in summary and "赵军" in summary
    assert "130102197203150316" not in summary and "6230580112345678" not in summary
    assert "新增（2户）" in texts["payroll_changes"] and "王建国" in texts["payroll_changes"]
    exports = [r for r in AuditService(office).office_log(limit=20) if r["action"] == "export"]
    assert len(exports) == 1 and "发放花名册" in exports[0]["subject"]
    code, _out, err = cli("print", "payroll_roster", "--village", "130999101001", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and "payroll print" in err
