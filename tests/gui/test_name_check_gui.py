"""A member's name is checked where it is typed (issue 10 item 16): the application page refuses a
diagnosis in brackets with a message naming the row and saying what a name may hold; a minority
name typed with a full stop is registered with the middle dot."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from doudi_desk.domain.ids import make_id
from tests.helpers.window import (
    choose_cell,
    edit_cell,
    login,
    make_window,
    screenshot,
    settle,
    type_text,
)

HEAD = make_id("130102", dt.date(1970, 3, 15), 31)
SPOUSE = make_id("130102", dt.date(1972, 8, 2), 42)


def test_a_diagnosis_in_a_name_is_refused_where_it_is_typed(qtbot, office):
    window = make_window(qtbot, office)
    login(qtbot, window, "clerk")
    page = window.new_application()
    settle(qtbot, window)
    page.village.setCurrentIndex(page.village.findData("130999101001"))
    type_text(qtbot, page.applied_on.edit, "2026-11-02")
    table = page.members
    edit_cell(qtbot, table, 0, 0, "褚三（尿毒症透析）")
    edit_cell(qtbot, table, 0, 1, HEAD)
    qtbot.mouseClick(page.add_member_button, Qt.MouseButton.LeftButton)
    edit_cell(qtbot, table, 1, 0, "阿依古丽.吐尔逊")
    edit_cell(qtbot, table, 1, 1, SPOUSE)
    choose_cell(qtbot, table, 1, 4, "spouse")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    message = page.message.text()
    assert "第1行" in message and "姓名" in message and "「（」" in message, message
    assert "汉字" in message and "病情" in message
    screenshot(window, "application_name_with_diagnosis_refused")
    shown = table.fontMetrics().horizontalAdvance(table.item(1, 0).text())
    assert shown + 12 <= table.columnWidth(0)  # a minority name is read whole, not "阿依古丽.…"
    assert window.current_page() is page  # nothing registered

    edit_cell(qtbot, table, 0, 0, "褚三")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    case_page = window.current_page()
    assert case_page.objectName() == "case_page", page.message.text()
    with office.db.unit_of_work() as uow:
        case = uow.cases.get(case_page.case_id)
        names = [m.name for m in uow.households.get(case.household_id).members]
    assert names == ["褚三", "阿依古丽·吐尔逊"]
