"""The report tabs of the work area — 统计, 台账, 大排查 — added after log-in by role
(main_window calls :func:`add_report_tabs`). Each page is ``permanent`` (no close button)."""

from __future__ import annotations

# Statistics and ledgers: the township office and the county; campaigns: the staff who run them.
REPORT_ROLES = {"caseworker", "township_reviewer", "county_approver", "admin"}
CAMPAIGN_ROLES = {"caseworker", "township_reviewer", "county_approver"}


def add_report_tabs(window, roles: set[str]) -> None:
    """Register the tabs; each page is built (and its module imported) when first shown."""
    def statistics():
        from .statistics_page import StatisticsPage

        return StatisticsPage(window)

    def ledgers():
        from .ledger_page import LedgerPage

        return LedgerPage(window)

    def campaigns():
        from .campaign_page import CampaignPage

        page = CampaignPage(window)
        page.open_case.connect(window.open_case)
        return page

    if roles & REPORT_ROLES:
        window.lazy_tabs.add("statistics", "统计", statistics)
        window.lazy_tabs.add("ledgers", "台账", ledgers)
    if roles & CAMPAIGN_ROLES:
        window.lazy_tabs.add("campaigns", "大排查", campaigns)
