"""大排查: a campaign from creation to closing its problems through new cases (reports.md §3)."""

from __future__ import annotations

import pytest

from doudi_desk.domain.errors import DomainError, InputError
from tests.helpers.office import dump_db
from tests.report_helpers import RURAL, approve_dibao, dibao_steps, gap_household, temporary

TOWN = "130999101"
ITEMS = {"registered_poor": True, "unstable": False, "edge_risk": True, "school_age_children": 1,
         "education_gap": 0, "medical": "ok", "housing": "gap", "housing_note": "房屋漏雨", "water": "ok",
         "social_security": "gap", "social_security_note": "未纳入低保", "dibao_gap": 1, "disability_help": 0,
         "pension": 0}


@pytest.fixture
def town(office):
    from doudi_desk.services.cases import CaseService

    svc = CaseService(office)
    benefit = approve_dibao(svc, gap_household(RURAL, "王", 11), "2026-08-03")
    aid = temporary(svc, RURAL, "冯", 91, "2026-09-03", amount="2000")
    return office, svc, benefit, aid


def test_campaign_from_creation_to_closing_problems_through_new_cases(town):
    from doudi_desk.services.campaigns import CampaignService

    office, svc, benefit, aid = town
    camp = CampaignService(office)
    with pytest.raises(DomainError, match="无权组织大排查"):
        camp.create("大排查", "", TOWN, "clerk")
    phases = [{"name": "全面排查", "start_on": "2026-11-01", "end_on": "2026-11-30"},
              {"name": "集中整改", "start_on": "2026-12-01", "end_on": "2026-12-15"},
              {"name": "总结提升", "start_on": "2026-12-16", "end_on": "2026-12-31"}]
    with pytest.raises(InputError, match="phases\\[2\\].start_on"):
        camp.create("大排查", "", TOWN, "reviewer", phases=[phases[0], dict(phases[1], start_on="2026-11-20")])
    created = camp.create("民政领域巩固拓展脱贫攻坚成果大排查", "承高社管字〔2021〕29号", TOWN, "reviewer",
                          phases=phases, rules=["benefit", "temporary"])
    cid = created["id"]
    assert [p["name"] for p in created["phases"]] == ["全面排查", "集中整改", "总结提升"]
    view = camp.show(cid, "clerk")
    targets = {t["head_name"]: t for t in view["targets"]}
    assert set(targets) == {"王建国", "冯大山"}
    assert targets["王建国"]["reasons"] == ["benefit"] and targets["冯大山"]["reasons"] == ["temporary"]
    assert view["total"] == {"targets": 2, "checked": 0, "open": 0, "fixed": 0}

    camp.assign(cid, RURAL, "clerk", "reviewer")
    before = dump_db(office.db_path)
    with pytest.raises(InputError, match="items.housing_note"):
        camp.record_check(targets["冯大山"]["id"], dict(ITEMS, housing_note=""), "clerk", checked_on="2026-11-10")
    assert dump_db(office.db_path) == before
    camp.record_check(targets["冯大山"]["id"], ITEMS, "clerk", checked_by="张敏、李强", checked_on="2026-11-10")
    camp.record_check(targets["王建国"]["id"], {"school_age_children": 1, "pension": 1}, "clerk",
                      checked_on="2026-11-11")

    # 应保未保: the temporary recipient earns 500 a month, below the 720 standard.
    missed = camp.raise_problem(cid, "clerk", kind="missed", target_id=targets["冯大山"]["id"], topic="社会保障",
                                finding="家庭人均收入低于低保标准，未纳入低保", deadline="2026-12-15")
    assert missed["state"] == "pending" and missed["task"].startswith("重点查看农村低收入人口")
    opened = camp.open_case(missed["id"], "clerk", effective_date="2026-11-12")
    new_case = svc.show(opened["case_id"])
    assert (new_case["programme"], new_case["state"], new_case["household"]["head"]) == ("dibao", "applied", "冯大山")
    assert "大排查" in new_case["history"][0]["comment"]
    assert opened["problem"]["state"] == "in_progress" and opened["problem"]["case_id"] == opened["case_id"]
    with pytest.raises(DomainError, match="已开立案件"):
        camp.open_case(missed["id"], "clerk")
    with pytest.raises(DomainError, match="无权确认整改完成"):
        camp.advance_problem(missed["id"], "fixed", "clerk", outcome="已纳入低保")
    dibao_steps(svc, opened["case_id"], "2026-11-12")
    approved = svc.advance(opened["case_id"], "approve", "approver", effective_date="2026-11-23")
    assert approved["state"] == "approved"
    fixed = camp.advance_problem(missed["id"], "fixed", "reviewer", outcome=f"已纳入低保（{approved['number']}）",
                                 fixed_on="2026-11-23")
    assert (fixed["state"], fixed["confirmed_by"], fixed["fixed_on"].isoformat()) == ("fixed", "reviewer", "2026-11-23")
    with pytest.raises(DomainError, match="已整改完毕"):
        camp.advance_problem(missed["id"], "in_progress", "reviewer")

    # 错保: the covered family turns out to have hidden income: a 停保 case on its benefit.
    wrong = camp.raise_problem(cid, "clerk", kind="wrongly_covered", target_id=targets["王建国"]["id"],
                               finding="隐瞒经营收入")
    with pytest.raises(DomainError, match="只能由「待整改」变为「整改中」"):
        camp.advance_problem(wrong["id"], "fixed", "reviewer", outcome="x")
    stop = camp.open_case(wrong["id"], "clerk", reason="fraud", effective_date="2026-11-13")
    term = svc.show(stop["case_id"])
    assert term["kind"] == "termination" and term["parent_case"] == benefit["number"]
    svc.advance(stop["case_id"], "submit_to_county", "clerk", effective_date="2026-11-13")
    svc.advance(stop["case_id"], "terminate", "approver", effective_date="2026-11-14")
    assert svc.show(benefit["id"])["benefit"]["stopped_from"] == "2026-12"
    camp.advance_problem(wrong["id"], "fixed", "reviewer", outcome="已停保", fixed_on="2026-11-20")

    # A third problem without a case, followed by hand.
    other = camp.raise_problem(cid, "clerk", village=RURAL, topic="防贫监测", finding="监测对象台账未及时更新")
    camp.advance_problem(other["id"], "in_progress", "clerk", measures="补录监测台账")
    view = camp.show(cid, "reviewer")
    village = next(r for r in view["progress"] if r["village"] == RURAL)
    assert (village["targets"], village["checked"], village["open"], village["fixed"], village["assigned"]) == (
        2, 2, 1, 2, "clerk")
    problems = {p["id"]: p for p in view["problems"]}
    assert problems[missed["id"]]["case_number"] == approved["number"]

    # Every step is in the audit trail, under who did it.
    from doudi_desk.services.audit import AuditService

    log = [e for e in AuditService(office).office_log("admin", limit=200) if e["subject"] == f"大排查#{cid}"]
    actions = [e["action"] for e in reversed(log)]
    assert actions[:3] == ["campaign_created", "campaign_assigned", "campaign_check"]
    assert actions.count("campaign_case_opened") == 2 and actions.count("campaign_problem_state") == 3

    camp.close(cid, "reviewer")
    with pytest.raises(DomainError, match="已结束"):
        camp.raise_problem(cid, "clerk", village=RURAL, finding="x")


def test_campaign_tables_in_the_seeds_layout(town, tmp_path):
    import openpyxl

    from doudi_desk.services.campaigns import CampaignService
    from tests.printing_helpers import flat, pages_text, save_png

    office, _svc, _benefit, _aid = town
    camp = CampaignService(office)
    cid = camp.create("大排查", "承高社管字〔2021〕29号", TOWN, "reviewer")["id"]
    targets = {t["head_name"]: t for t in camp.show(cid, "clerk")["targets"]}
    camp.record_check(targets["冯大山"]["id"], ITEMS, "clerk", checked_on="2026-11-10")
    camp.record_check(targets["王建国"]["id"], dict(ITEMS, unstable=True, housing="ok", housing_note="",
                                                  medical="gap", medical_note="未参保", medical_gap=2), "clerk",
                      checked_on="2026-11-10")
    camp.raise_problem(cid, "clerk", kind="missed", target_id=targets["冯大山"]["id"], finding="未纳入低保")
    _view, summary, problems = camp.tables(cid, "reviewer")
    row = summary.rows[0]
    assert row["label"] == "前进村"
    # 建档立卡 both (1 + 4 persons), 脱贫不稳定 王 (4), 边缘易致贫 both, housing gap 冯 only, medical 王 2.
    assert (row["registered_households"], row["registered_persons"], row["unstable_households"],
            row["unstable_persons"], row["edge_households"], row["housing_gap"], row["medical_gap"],
            row["social_gap"], row["dibao_gap"]) == (2, 5, 1, 4, 2, 1, 2, 2, 2)
    assert summary.rows[-1]["label"] == "合计" and summary.rows[-1]["registered_persons"] == 5
    path = tmp_path / "统计表.xlsx"
    camp.export(cid, "summary", str(path), "reviewer")
    sheet = openpyxl.load_workbook(path)["排查情况统计表"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["C3"].value == "辖区内建档立卡总数" and {"C3:D3", "C4:C5", "A3:A5"} <= merged
    assert sheet["E3"].value == "防贫监测" and "E3:H3" in merged and sheet["E4"].value == "脱贫不稳定户"
    assert sheet["I3"].value == "“3+1”保障" and sheet["R3"].value == "产业就业帮扶"
    assert [sheet.cell(6, c).value for c in range(1, 9)] == [1, "前进村", 2, 5, 1, 4, 2, 5]
    assert sheet.cell(6, 18).value is None  # 产业帮扶: another department's column, left empty
    pdf_path = tmp_path / "清单.pdf"
    camp.export(cid, "problems", str(pdf_path), "reviewer")
    pdf = pdf_path.read_bytes()
    text = flat("".join(pages_text(pdf)))
    for heading in ("序号", "主要内容", "重点任务", "责任单位", "重点任务完成情况", "发现问题情况", "整改措施", "整改成效",
                    "完成时限", "前进村冯大山：应保未保，未纳入低保", "待整改"):
        assert heading in text, heading
    save_png(pdf, "campaign_problems")
    summary_pdf = tmp_path / "统计表.pdf"
    camp.export(cid, "summary", str(summary_pdf), "reviewer")
    save_png(summary_pdf.read_bytes(), "campaign_summary")
    assert problems.rows[0]["progress"] == "待整改"
