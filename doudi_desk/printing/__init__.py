"""Printing: Jinja2 print templates rendered to PDF with ReportLab (the only package importing them).

Takes plain document data and returns PDF bytes; ``doudi_desk.services.printing`` gathers the data
from the case and office records. See ``print_templates/README.md`` for the template markup.
"""

from .errors import MissingGlyphError, PrintError, PrivacyError, TemplateError
from .fonts import ROLES as FONT_ROLES
from .posted import CATEGORIES, PostedList, PostedOffice, PostedRow
from .render import KINDS, Kind, Part, PrintConfig, fonts_for, render, render_case_file
from .report_kinds import REPORT_KINDS, render_report, render_reports

__all__ = [
    "CATEGORIES", "FONT_ROLES", "KINDS", "Kind", "MissingGlyphError", "Part", "PostedList", "PostedOffice",
    "PostedRow", "PrintConfig", "PrintError", "PrivacyError", "TemplateError", "fonts_for", "render",
    "render_case_file", "REPORT_KINDS", "render_report", "render_reports",
]
