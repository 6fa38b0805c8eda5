"""The report tabs of the work area — 统计, 台账, 大排查 — added after log-in by role
(main_window calls :func:`add_report_tabs`). Each page is ``permanent`` (no close button)."""

from __future__ import annotations

# Statistics and ledgers: the township office and the county; campaigns: the staff who run them.
REPORT_ROLES = {"caseworker", "township_reviewer", "county_approver", "admin"}
CAMPAIGN_ROLES = {"caseworker", "township_reviewer", "county_approver"}


def add_report_tabs(window, roles: set[str]) -> None:
    from .campaign_page import CampaignPage
    from .ledger_page import LedgerPage
    from .statistics_page import StatisticsPage

    window.report_pages = {}
    if roles & REPORT_ROLES:
        for key, page, label in (("statistics", StatisticsPage(window), "统计"), ("ledgers", LedgerPage(window), "台账")):
            window.report_pages[key] = page
            window.tabs.addTab(page, label)
    if roles & CAMPAIGN_ROLES:
        page = CampaignPage(window)
        page.open_case.connect(window.open_case)
        page.changed.connect(window._changed)
        window.report_pages["campaigns"] = page
        window.tabs.addTab(page, "大排查")
