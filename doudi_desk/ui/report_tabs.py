"""The report tabs of the work area — 统计, 台账, 大排查 — added after log-in by role
(main_window calls :func:`add_report_tabs`). Each page is ``permanent`` (no close button)."""

from __future__ import annotations

# Statistics and ledgers: the township office and the county; campaigns: the staff who run them.
REPORT_ROLES = {"caseworker", "township_reviewer", "county_approver", "admin"}
CAMPAIGN_ROLES = {"caseworker", "township_reviewer", "county_approver"}


def add_report_tabs(window, roles: set[str]) -> None:
    from .statistics_page import StatisticsPage

    window.report_pages = {}
    if roles & REPORT_ROLES:
        page = StatisticsPage(window)
        window.report_pages["statistics"] = page
        window.tabs.addTab(page, "统计")
