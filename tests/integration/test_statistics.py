"""统计月报 on a small township whose October 2026 is worked out by hand (tests/report_helpers.py).

In force in October 2026 (paid from the month after approval, policy.md §5):
- 前进村 (农村): A 王 4 persons 2,792 (since September); D 赵 单人户, the disabled son alone,
  1,080, new (approved 2026-09-25); B 钱 stopped by a 停保 decided 2026-09-22 — out from October.
  Covered persons of A and D: 王老汉 (76, 老年人), 王小明 (14, 未成年人), 李王兰 (重病),
  赵晨 (21, 残疾人).
- 城关社区 (城市): C 孙 4 persons in 渐退 (July to December) at 2,792.
- 特困: E 刘福 前进村 集中供养 半失能 1,166 (936 + 230, since September); F 周寿 城关社区 分散供养
  全失能 1,626 (936 + 690), new in October.
- 临时救助 approved in October: G 前进村 急难型 5,000 by the township, with 先行救助 3,000 on
  2026-10-06; H 城关社区 支出型 12,000 by the county. I (2,000) was approved in September.
- Process: applications received in October G, H, J, K (前进村 3, 城关社区 1); decided in
  October G, H approved and J refused, each 8 working days after 受理 (国庆 1–7 October, Saturday
  10 October worked); K's 公示 drew an objection on 2026-10-22; L (城关社区) accepted 2026-08-04 is
  still in investigation, past its 30 working days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doudi_desk.domain.errors import DomainError, InputError
from doudi_desk.domain.report_tables import table_rows_text
from tests.helpers.office import BACKEND, open_office
from tests.report_helpers import RURAL, URBAN, build_township, later_changes

TOWN = "130999101"


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """The township as built, October's report taken before the later changes, then the changes."""
    if BACKEND == "postgresql":
        from tests.pg_support import fresh_database

        with fresh_database() as url:
            yield from _town(url, url)
        return
    path = tmp_path_factory.mktemp("stats") / "office.sqlite3"
    yield from _town(f"sqlite:///{path}", path)


def _town(url, path):
    from doudi_desk.services.statistics import StatisticsService

    for ctx in open_office(url, path):
        cases = build_township(ctx)
        before = StatisticsService(ctx).monthly("2026-10", TOWN, "clerk")
        cases |= later_changes(ctx, cases)
        yield ctx, cases, before


def rows(report, table_id):
    t = report.table(table_id)
    return {r["label"]: r for r in t.rows}


def test_october_figures_by_hand(town):
    from doudi_desk.services.statistics import StatisticsService

    office, _cases, _before = town
    report = StatisticsService(office).monthly("2026-10", TOWN, "clerk")
    assert report.amount_label == "应发"
    dibao = rows(report, "dibao")
    keys = ("households", "persons", "elderly", "minors", "disabled", "ill", "single", "phasing", "new", "stopped",
            "amount")

    def pick(row):
        return tuple(row[k] for k in keys)

    assert pick(dibao["前进村"]) == (2, 5, 1, 1, 1, 1, 1, 0, 1, 1, Decimal("3872"))
    assert pick(dibao["城关社区"]) == (1, 4, 1, 1, 0, 1, 0, 1, 0, 0, Decimal("2792"))
    assert pick(dibao["城市小计"]) == pick(dibao["城关社区"]) and pick(dibao["农村小计"]) == pick(dibao["前进村"])
    assert pick(dibao["合计"]) == (3, 9, 2, 2, 1, 2, 1, 1, 1, 1, Decimal("6664"))
    assert (dibao["前进村"]["class"], dibao["城关社区"]["class"]) == ("农村", "城市")

    tekun = rows(report, "tekun")
    tkeys = ("persons", "centralised", "dispersed", "self_care", "partial", "full", "new", "stopped", "amount")
    assert tuple(tekun["前进村"][k] for k in tkeys) == (1, 1, 0, 0, 1, 0, 0, 0, Decimal("1166"))
    assert tuple(tekun["城关社区"][k] for k in tkeys) == (1, 0, 1, 0, 0, 1, 1, 0, Decimal("1626"))
    assert tekun["合计"]["amount"] == Decimal("2792")

    temp = rows(report, "temporary")
    assert (temp["前进村"]["cases"], temp["前进村"]["amount"], temp["前进村"]["urgent"], temp["前进村"]["first_aid"],
            temp["前进村"]["first_aid_amount"], temp["前进村"]["township"]) == (1, Decimal(5000), 1, 1, Decimal(3000), 1)
    assert (temp["城关社区"]["expenditure"], temp["城关社区"]["expenditure_amount"], temp["城关社区"]["county"]) == (
        1, Decimal(12000), 1)
    assert (temp["合计"]["cases"], temp["合计"]["amount"]) == (2, Decimal(17000))  # I is September's

    process = rows(report, "process")
    assert {k: process["前进村"][k] for k in ("received", "decided", "approved", "refused", "objections")} == {
        "received": 3, "decided": 2, "approved": 1, "refused": 1, "objections": 1}
    assert process["合计"]["avg_days"] == Decimal("8.0")
    assert (process["城关社区"]["overdue"], process["前进村"]["overdue"]) == (1, 0)

    # No payroll yet: every amount is 应发 and says so row by row; no 价格临时补贴 payroll, no 两项补贴 here.
    assert {r["label"]: r["basis"] for r in report.table("dibao").rows} == {
        "前进村": "应发", "城关社区": "应发", "城市小计": "应发", "农村小计": "应发", "合计": "应发"}
    assert {r["label"]: r["tekun_basis"] for r in report.table("trend").rows}["2026-10"] == "应发"
    allowances = rows(report, "allowances")  # a row per village, all zero
    assert set(allowances) >= {"前进村", "合计"} and all(allowances["合计"][k] == 0 for k in (
        "dla_persons", "dla_amount", "dca_persons", "dca_amount", "price_persons", "price_amount"))
    note = report.table("allowances").note
    assert "没有价格临时补贴发放名册" in note and "两项补贴为当月在发" in note


def test_a_past_month_keeps_its_figures_after_later_decisions(town):
    from doudi_desk.services.statistics import StatisticsService

    office, cases, before = town
    assert cases["A_phase"]["decision"]["effective_month"] == "2026-12"
    assert cases["D_lower"]["decision"]["monthly_amount"] == "830"
    after = StatisticsService(office).monthly("2026-10", TOWN, "clerk")
    for t in before.tables:
        assert table_rows_text(after.table(t.id)) == table_rows_text(t), t.title
    # Made in January, December shows the November decisions: A in 渐退, D lowered to 830.
    office.today = lambda: dt.date(2027, 1, 5)
    try:
        december = StatisticsService(office).monthly("2026-12", TOWN, "clerk")
    finally:
        office.today = lambda: dt.date(2026, 11, 23)
    dibao = rows(december, "dibao")
    assert (dibao["前进村"]["phasing"], dibao["前进村"]["amount"]) == (1, Decimal(2792 + 830))
    assert dibao["城关社区"]["households"] == 1  # C's 渐退 runs to December inclusive
    trend = {r["label"]: r for r in december.table("trend").rows}
    assert trend["2026-10"]["dibao_amount"] == Decimal(6664) and trend["2026-12"]["dibao_amount"] == Decimal(6414)


def test_the_twelve_months_and_the_county(town):
    from doudi_desk.services.statistics import StatisticsService

    office, _cases, _before = town
    report = StatisticsService(office).monthly("2026-10", "130999", "approver")
    assert [r["label"] for r in report.table("dibao").rows] == ["河东镇", "河西乡", "城市小计", "农村小计", "合计"]
    assert report.unit_label == "乡镇（街道）"
    trend = {r["label"]: r for r in report.table("trend").rows}
    assert list(trend)[0] == "2025-11" and list(trend)[-1] == "2026-10"
    # June: C alone; September: A, B, C and E; October: A, C, D and E, F; B stopped.
    assert (trend["2026-06"]["dibao_households"], trend["2026-06"]["new"]) == (1, 1)
    assert (trend["2026-09"]["dibao_households"], trend["2026-09"]["dibao_persons"], trend["2026-09"]["tekun_persons"],
            trend["2026-09"]["new"]) == (3, 12, 1, 3)
    assert (trend["2026-10"]["new"], trend["2026-10"]["stopped"]) == (2, 1)
    charts = {c.id: c for c in report.charts}
    assert charts["persons_by_unit"].categories == ("河东镇", "河西乡")
    assert charts["persons_by_unit"].series[0].values == (9.0, 0.0)
    assert charts["new_stopped"].series[1].values[-1] == 1.0
    village = StatisticsService(office).monthly("2026-10", RURAL, "clerk")
    assert [r["label"] for r in village.table("dibao").rows] == ["前进村", "城市小计", "农村小计", "合计"]


def test_bad_requests_are_refused_by_name(town):
    from doudi_desk.services.admin import AdminService
    from doudi_desk.services.statistics import StatisticsService

    office, _cases, _before = town
    stats = StatisticsService(office)
    with pytest.raises(InputError, match="^应为 YYYY-MM") as info:
        stats.monthly("2026-13", TOWN, "clerk")
    assert info.value.field == "month"  # the CLI names it --month when it prints
    with pytest.raises(InputError, match="尚未到来"):
        stats.monthly("2026-12", TOWN, "clerk")
    with pytest.raises(InputError, match="^没有地区") as info:
        stats.monthly("2026-10", "999", "clerk")
    assert info.value.field == "area"
    AdminService(office).add_user("hexi", "河西乡经办", ["caseworker"], "130999102")
    with pytest.raises(DomainError, match="不在用户"):
        stats.monthly("2026-10", TOWN, "hexi")
    assert [a["code"] for a in stats.report_areas("hexi")] == ["130999102", "130999102001"]
    with pytest.raises(InputError, match="文件名应以 .xlsx 或 .pdf 结尾") as info:
        stats.export("2026-10", TOWN, "/tmp/report.doc", "clerk")
    assert info.value.field == "out"


def test_xlsx_opened_back_cell_by_cell(town, tmp_path):
    import openpyxl

    from doudi_desk.services.statistics import StatisticsService

    office, _cases, _before = town
    path = tmp_path / "月报.xlsx"
    StatisticsService(office).export("2026-10", TOWN, str(path), "clerk")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["低保", "特困", "临时救助", "两项补贴和价格补贴", "办理情况", "近12个月"]
    sheet = book["低保"]
    assert sheet["A1"].value == "河东镇社会救助统计月报　最低生活保障情况"
    assert "统计期：2026-10" in sheet["A2"].value
    # Header rows 3–4: 村（社区） and 城乡 span both rows, 保障对象 spans 户数 and 人数.
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "C3:D3", "E3:H3", "M3:M4"} <= merged
    assert [sheet.cell(4, c).value for c in range(3, 9)] == ["户数", "人数", "老年人", "未成年人", "残疾人", "重病患者"]
    body = [[sheet.cell(r, c).value for c in range(1, 14)] for r in range(5, 10)]
    assert body[0] == ["前进村", "农村", 2, 5, 1, 1, 1, 1, 1, 0, 1, 1, 3872]
    assert body[1] == ["城关社区", "城市", 1, 4, 1, 1, 0, 1, 0, 1, 0, 0, 2792]
    assert body[4] == ["合计", None, 3, 9, 2, 2, 1, 2, 1, 1, 1, 1, 6664]
    temp = book["临时救助"]
    assert temp["C3"].value == "合计" and temp["E3"].value == "急难型" and temp["I3"].value == "先行救助"
    assert [temp.cell(9, c).value for c in range(1, 5)] == ["合计", None, 2, 17000]
    assert sheet.cell(3, 14).value == "金额口径" and [sheet.cell(r, 14).value for r in (5, 9)] == ["应发", "应发"]
    allowances = book["两项补贴和价格补贴"]
    cells = [c.value for row in allowances.iter_rows() for c in row if c.value is not None]
    assert "前进村" in cells and "困难残疾人生活补贴" in cells and any("两项补贴为当月在发" in str(v) for v in cells)


def test_pdf_has_every_table_and_the_charts(town, tmp_path):
    from doudi_desk.services.statistics import StatisticsService
    from tests.printing_helpers import OUTPUT, flat, fonts_not_embedded, pages_text

    office, _cases, _before = town
    path = tmp_path / "月报.pdf"
    StatisticsService(office).export("2026-10", TOWN, str(path), "clerk")
    pdf = path.read_bytes()
    text = flat("".join(pages_text(pdf)))
    for title in ("最低生活保障情况", "特困人员救助供养情况", "临时救助情况", "残疾人两项补贴和价格临时补贴情况",
                  "审核确认办理情况", "近12个月保障情况", "各村保障人数", "近12个月应发金额", "各村逾期案件"):
        assert title in text, title
    assert "前进村农村2511111011" in text  # 户数…停保户数 of 前进村 in one row
    assert fonts_not_embedded(pdf) == []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "monthly_report.pdf").write_bytes(pdf)
    import shutil
    import subprocess

    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(OUTPUT / "monthly_report.pdf"),
                        str(OUTPUT / "monthly_report")], check=True, timeout=120)


def test_ledgers_of_a_village(town, tmp_path):
    import openpyxl

    from doudi_desk.services.ledger_books import LedgerBookService

    office, cases, _before = town
    ledgers = LedgerBookService(office)
    dibao = ledgers.ledger(RURAL, "dibao", "clerk", "2026-10")
    assert table_rows_text(dibao) == [
        ["1", "王建国", cases["A"]["number"], "整户", "4", "4", "2792", "2026-09", "在保", "", ""],
        ["2", "赵德明", cases["D"]["number"], "单人户", "3", "1", "1080", "2026-10", "在保", "", "2027-12-01"],
        ["", "合计", "", "", "7", "5", "3872", "", "", "", ""],
    ]
    # December (made in January): A in 渐退, D at its lowered amount; B never again.
    office.today = lambda: dt.date(2027, 1, 5)
    try:
        december = ledgers.ledger(RURAL, "dibao", "clerk", "2026-12")
    finally:
        office.today = lambda: dt.date(2026, 11, 23)
    assert [(r[1], r[6], r[8]) for r in table_rows_text(december)[:-1]] == [("王建国", "2792", "渐退期"),
                                                                           ("赵德明", "830", "在保")]
    tekun = ledgers.ledger(URBAN, "tekun", "clerk", "2026-10")
    assert table_rows_text(tekun)[0][1:7] == ["周寿", cases["F"]["number"], "分散供养、全失能", "1", "1", "1626"]
    temp = ledgers.ledger(RURAL, "temporary", "clerk", "2026-10")
    assert [r[1:9] for r in table_rows_text(temp)] == [
        ["吴大山", cases["G"]["number"], "急难型", "房屋火灾", "5000", "乡镇审批", "2026-10-17", "3000"],
        ["冯大山", cases["I"]["number"], "急难型", "房屋火灾", "2000", "乡镇审批", "2026-09-15", "—"],
        ["合计", "", "", "", "7000", "", "", "3000"]]
    path = tmp_path / "台账.xlsx"
    ledgers.export_ledger(RURAL, "dibao", str(path), "clerk", "2026-10")
    sheet = openpyxl.load_workbook(path).active
    assert [sheet.cell(4, c).value for c in range(1, 8)] == [1, "王建国", cases["A"]["number"], "整户", 4, 4, 2792]
    pdf = tmp_path / "台账.pdf"
    ledgers.export_ledger(RURAL, "temporary", str(pdf), "clerk", "2026-10")
    from tests.printing_helpers import flat, pages_text, save_png

    assert "前进村临时救助台账" in flat("".join(pages_text(pdf.read_bytes())))
    save_png(pdf.read_bytes(), "ledger_temporary")
    with pytest.raises(InputError, match="只能是 dibao") as info:
        ledgers.ledger(RURAL, "other", "clerk")
    assert info.value.field == "programme"
    with pytest.raises(InputError) as info:
        ledgers.ledger(TOWN, "dibao", "clerk")
    assert info.value.field == "village" and not info.value.message.startswith("--")


def test_household_book_of_one_family_and_of_a_village(town):
    from doudi_desk.services.audit import AuditService
    from doudi_desk.services.ledger_books import LedgerBookService
    from tests.printing_helpers import flat, pages_text, save_png

    office, cases, _before = town
    ledgers = LedgerBookService(office)
    pdf = ledgers.household_book(cases["A_phase"]["number"], "clerk")  # any case of the family
    text = flat("".join(pages_text(pdf)))
    assert "王建国家庭一户一册" in text and "130102197203150113" in text  # the clerk sees full ID numbers
    assert text.index(cases["A"]["number"]) < text.index(cases["A_phase"]["number"])
    for words in ("一、家庭成员", "二、案件和决定", "三、保障金额变化", "四、办理经过", "渐退", "2026-12",
                  "材料：入户调查", "本户尚无发放记录"):
        assert words in text, words
    # Date order: registered 2026-08-03 … the 渐退 decision of 2026-11-07 last.
    dates = [d for d in ("2026-08-03", "2026-08-14", "2026-11-03", "2026-11-07") if d in text]
    assert [text.index(d) for d in dates] == sorted(text.index(d) for d in dates)
    save_png(pdf, "household_book")
    masked = flat("".join(pages_text(ledgers.household_book(cases["K"]["number"], "approver"))))
    assert "卫建国家庭一户一册" in masked and "130102********" in masked and "公示异议登记" in masked
    books, families = ledgers.village_books(RURAL, "clerk")
    assert families == len(ledgers.families(RURAL, "clerk")) == 8
    assert flat("".join(pages_text(books))).count("家庭一户一册") == 8
    exports = AuditService(office).office_log(actions=("export",))
    assert exports[0]["subject"].startswith("一户一册（前进村，8户）")
