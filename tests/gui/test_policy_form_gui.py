"""政策参数 as a form (issue 10 item 10): every key of policy.md with its Chinese label, unit and
bounds; tables for tiers, top-ups and per-level amounts; a date picker; Chinese messages next to
the field; the set recorded under the administrator who saved it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QLineEdit, QTableWidgetItem

from tests.helpers.window import login, make_window, screenshot, settle, type_text

POLICY_MD = Path(__file__).resolve().parents[2].parent / "shared" / "domain" / "policy.md"
PYTHON_TEXT = re.compile(r"Invalid|isoformat|Decimal|Error|None|[A-Za-z_]+\(|\[\d\]")


def policy_md_keys() -> list[str]:
    return re.findall(r"^\| `([a-z0-9_]+)` \|", POLICY_MD.read_text("utf-8"), flags=re.MULTILINE)


def _settings(qtbot, office):
    window = make_window(qtbot, office)
    login(qtbot, window, "admin")
    settings = window.settings
    window.tabs.setCurrentWidget(settings)
    settings.setCurrentIndex(0)
    settle(qtbot, window)
    return window, settings


def test_every_key_of_policy_md_has_a_labelled_bounded_field(qtbot, office):
    keys = policy_md_keys()
    assert len(keys) >= 29 and "dibao_standard_monthly" in keys and "price_include_edge" in keys
    window, settings = _settings(qtbot, office)
    form = settings.policy_form
    assert set(form.fields) == set(keys)
    for key in keys:
        fb = form.fields[key]
        f = fb.spec
        assert re.search(r"[\u4e00-\u9fff]", f.label), key
        if f.kind in ("money", "decimal", "int", "tiers", "topups", "care", "grades"):
            assert f.min is not None and f.max is not None and f.min <= f.max, key
        if f.kind in ("money", "int") or key.endswith("_monthly") or key.endswith("_annual"):
            assert f.unit, key  # 元/人·月, 个月, 套 …
        assert fb.editor.isVisibleTo(settings), key
    # tiers, top-ups and per-level amounts are small tables, the date a picker
    assert {k for k, fb in form.fields.items() if fb.table is not None} == {
        "tiers", "topups", "tekun_care_monthly", "dla_monthly", "dca_monthly"}
    assert form.fields["topups"].table.rowCount() == 4 and form.fields["tekun_care_monthly"].table.rowCount() == 3
    assert isinstance(settings.policy_from, QDateEdit) and settings.policy_from.calendarPopup()
    screenshot(window, "policy_form")
    screenshot(form, "policy_form_whole")  # every section, also those below the fold


def test_problems_are_said_in_chinese_next_to_the_field_and_nothing_is_saved(qtbot, office):
    window, settings = _settings(qtbot, office)
    form = settings.policy_form
    before = window.backend.queries.policy_sets()
    standard = form.fields["dibao_standard_monthly"]
    type_text(qtbot, standard.editor, "0")
    assert standard.error.isVisibleTo(settings) and standard.error.text() == "不能小于 0.01 元/人·月"
    type_text(qtbot, form.fields["income_months"].editor, "")
    assert form.fields["income_months"].error.text() == "请填写"
    type_text(qtbot, form.fields["temp_big_case"].editor, "5000")
    assert form.fields["temp_big_case"].error.text() == "不能低于乡镇审批限额（10000 元）"
    care = form.fields["tekun_care_monthly"]
    care.table.item(2, 1).setText("")
    assert care.error.text() == "请填写全失能"
    mode = form.fields["amount_mode"].editor
    mode.setCurrentIndex(mode.findData("tiers"))
    assert form.fields["tiers"].error.text() == "分档方式至少要设置一档"
    qtbot.mouseClick(settings.policy_save, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert "5 处需要修改" in settings.policy_status.text()
    shown = [fb.error.text() for fb in form.fields.values() if fb.error.isVisibleTo(settings)]
    assert len(shown) == 5 and not any(PYTHON_TEXT.search(t) for t in shown), shown
    screenshot(window, "policy_form_problems")
    assert window.backend.queries.policy_sets() == before


def test_a_set_saved_from_the_form_is_the_administrators(qtbot, office):
    window, settings = _settings(qtbot, office)
    form = settings.policy_form
    type_text(qtbot, form.fields["dibao_standard_monthly"].editor, "760")
    mode = form.fields["amount_mode"].editor
    mode.setCurrentIndex(mode.findData("tiers"))
    tiers = form.fields["tiers"]
    for ratio, amount in (("0.3", "600"), ("0.6", "400"), ("1", "200")):
        qtbot.mouseClick(settings.findChild(type(settings.policy_save), "policy_tiers_add"), Qt.MouseButton.LeftButton)
        r = tiers.table.rowCount() - 1
        tiers.table.setItem(r, 0, QTableWidgetItem(ratio))
        tiers.table.setItem(r, 1, QTableWidgetItem(amount))
    topups = form.fields["topups"].table
    topups.item(0, 1).setText("0.4")  # 70周岁以上老年人
    topups.item(1, 1).setText("")  # 未成年人: no top-up
    type_text(qtbot, form.fields["lowincome_line_annual"].editor, "")  # empty: edge line × 12
    settings.policy_from.setDate(QDate(2027, 1, 1))
    type_text(qtbot, settings.policy_note, "2027年起执行新标准")
    assert form.validate() == {}
    qtbot.mouseClick(settings.policy_save, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert settings.policy_status.text().startswith("已保存"), settings.policy_status.text()
    sets = window.backend.queries.policy_sets()
    new = next(s for s in sets if s["effective_from"] == "2027-01-01")
    assert new["created_by"] == "admin" and new["created_by_name"] == "管理员（admin）"
    p = new["params"]
    assert (p["dibao_standard_monthly"], p["amount_mode"], p["lowincome_line_annual"]) == ("760", "tiers", None)
    assert p["tiers"] == [{"max_income_ratio": "0.3", "per_person": "600"}, {"max_income_ratio": "0.6", "per_person": "400"},
                          {"max_income_ratio": "1", "per_person": "200"}]
    assert {t["group"]: t["rate"] for t in p["topups"]} == {"elderly70": "0.4", "severe_disability": "0.50",
                                                            "serious_illness": "0.50"}
    row = next(r for r in range(settings.policy_table.rowCount())
               if settings.policy_table.item(r, 1).text() == "2027-01-01")
    assert settings.policy_table.item(row, 3).text() == "管理员（admin）"
    from doudi_desk.services.audit import AuditService

    [event] = [e for e in AuditService(office).office_log(actions=["policy_set"], limit=5)
               if "2027-01-01" in e["comment"]]
    assert event["actor"] == "admin"
    # the saved set is the form's starting point again, value for value
    settings.policy_table.selectRow(row)
    assert form.values()["tiers"] == p["tiers"] and form.values()["dibao_standard_monthly"] == "760"
    screenshot(window, "policy_form_saved")


def test_the_command_line_names_the_field_in_chinese(office):
    import datetime as dt

    from doudi_desk.domain.errors import InputError
    from doudi_desk.services.admin import AdminService, default_policy

    params = default_policy() | {"dibao_standard_monthly": "0", "job_cost_rate": "1.5"}
    with pytest.raises(InputError) as caught:
        AdminService(office).set_policy("130999", dt.date(2027, 1, 1), params, actor="admin")
    assert "「低保标准」：不能小于 0.01 元/人·月" in str(caught.value)
    assert "「就业成本扣减比例」：不能大于 1" in str(caught.value)
    assert caught.value.field == "policy.dibao_standard_monthly"


def test_date_is_never_empty_text(qtbot, office):
    _window, settings = _settings(qtbot, office)
    assert not isinstance(settings.policy_from, QLineEdit) and settings.policy_from.date().isValid()
