"""First start on an empty database: create the office through the set-up page, then log in."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers.window import login, screenshot, settle, type_text


def test_first_start_creates_the_office(qtbot, tmp_path):
    from doudi_desk.services.context import open_context
    from doudi_desk.ui.main_window import MainWindow

    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    window = MainWindow(url)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window.setup_page is not None and window.setup_page.isVisible(), timeout=10000)
    setup = window.setup_page
    screenshot(window, "first_start")
    for widget, text in ((setup.county_code, "130999"), (setup.county_name, "测试县"), (setup.town_code, "130999101"),
                         (setup.town_name, "河东镇"), (setup.admin_name, "刘管理")):
        type_text(qtbot, widget, text)
    type_text(qtbot, setup.villages, "130999101001 前进村\n130999101002 红星村")
    qtbot.mouseClick(setup.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.login_page is not None and window.login_page.users.count() == 1, timeout=10000)
    login(qtbot, window, "admin")
    assert window.settings is not None
    settle(qtbot, window)
    window.close()
    ctx = open_context(url)
    with ctx.db.unit_of_work() as uow:
        assert [a.name for a in uow.areas.all()] == ["测试县", "河东镇", "前进村", "红星村"]
        assert uow.users.get("admin").roles == ("admin",)
    ctx.db.dispose()
