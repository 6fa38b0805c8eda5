"""Start-up loads only what the log-in page and the case list need: the other work tabs are built
(and their modules imported) when first shown, in their place in the tab bar."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt

from tests.helpers.window import demo_context, login, make_window, screenshot, settle


def _labels(window) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_work_tabs_are_built_when_first_shown(qtbot, demo_url):
    from doudi_desk.ui.statistics_page import StatisticsPage
    from doudi_desk.ui.work_tabs import Placeholder

    window = make_window(qtbot, demo_context(demo_url))
    login(qtbot, window, "wangfang")  # 乡镇审核: queue, 动态管理, 资金发放, 统计, 台账, 大排查
    labels = _labels(window)
    assert labels[:2] == ["案件", "审批队列"] and {"动态管理", "资金发放", "统计", "台账", "大排查"} <= set(labels)
    assert window.lazy_tabs.pages == {}  # nothing but the list and the queue was built at log-in
    index = labels.index("统计")
    assert isinstance(window.tabs.widget(index), Placeholder)

    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    settle(qtbot, window)
    page = window.tabs.widget(index)
    assert isinstance(page, StatisticsPage) and window.tabs.currentWidget() is page
    assert _labels(window) == labels  # same place, same label
    assert bar.tabButton(index, bar.ButtonPosition.RightSide) is None  # no close button
    window.close_tab(index)
    assert window.tabs.widget(index) is page  # a work tab is never closed
    assert window.report_pages["statistics"] is page and set(window.lazy_tabs.pages) == {"statistics"}
    screenshot(window, "lazy_tab_statistics_built")

    ledgers = window.report_pages["ledgers"]  # asked for by code: built without switching to it
    assert window.tabs.currentWidget() is page and window.tabs.indexOf(ledgers) == labels.index("台账")
    assert window.dynamic is window.tabs.widget(labels.index("动态管理"))
    settle(qtbot, window)

    window.logout()
    settle(qtbot, window)
    assert window.lazy_tabs.pages == {} and window.dynamic is None
    login(qtbot, window, "admin")  # 管理员: no queue, 动态管理 or 大排查; a fresh set of unbuilt tabs
    assert _labels(window) == ["案件", "资金发放", "设置", "统计", "台账", "审计记录"] and window.supervisor is None
    assert window.lazy_tabs.pages == {} and window.dynamic is None
    assert window.report_pages.get("campaigns") is None and window.settings is not None
    assert set(window.lazy_tabs.pages) == {"settings"}
    window.close()


def test_starting_the_window_does_not_import_the_other_pages_or_pypinyin():
    code = (
        "import sys\n"
        "import doudi_desk.ui.application\n"
        "from doudi_desk.ui.backend import Backend\n"
        "heavy = ('pypinyin', 'reportlab', 'alembic', 'jinja2', 'doudi_desk.ui.payroll_page',"
        " 'doudi_desk.ui.statistics_page', 'doudi_desk.ui.case_page', 'doudi_desk.services.batch',"
        " 'doudi_desk.services.printing', 'doudi_desk.ui.audit_page', 'doudi_desk.ui.dynamic_page',"
        " 'doudi_desk.printing', 'openpyxl', 'xlsxwriter', 'python_calamine')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_name_still_gets_its_initials_when_pypinyin_loads_late():
    from doudi_desk.storage.initials import name_initials

    assert name_initials("曾小明") == "zxm" and name_initials("") == ""


def test_the_window_lets_the_gui_thread_take_the_gil_back_within_a_millisecond():
    """A worker running Python holds the GIL up to the switch interval each time the GUI thread asks
    for it; painting a table asks hundreds of times (ui/application.py)."""
    code = "import sys\nfrom doudi_desk.ui.application import make_app\nmake_app()\nprint(sys.getswitchinterval())\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip().splitlines()[-1]) <= 0.001


def test_after_log_in_the_worker_reads_the_case_list_first_and_the_queue_last(qtbot, demo_url):
    """The worker runs jobs in order: the list the user waits for is asked for first, once; the
    queue (a reviewer's second tab) comes after the list's counts and filter choices."""
    window = make_window(qtbot, demo_context(demo_url))
    asked: list[str] = []
    submit = window.executor.submit

    def recording(fn, *args, **kwargs):
        asked.append(getattr(fn, "__name__", ""))
        return submit(fn, *args, **kwargs)

    window.executor.submit = recording
    login(qtbot, window, "wangfang")  # 乡镇审核: the case list and the queue
    assert window.supervisor is not None
    after = asked[asked.index("log_in") + 1:]
    assert after[:4] == ["case_page", "tab_counts", "filter_options", "queue_page"], after
    window.close()
