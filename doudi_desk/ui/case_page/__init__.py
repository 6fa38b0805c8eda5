"""The case page (ui/case_page/page.py) and its parts, one job per module."""

from .page import ActionDialog, CasePage, ConflictDialog, StepBar, document_label, main_path

__all__ = ["ActionDialog", "CasePage", "ConflictDialog", "StepBar", "document_label", "main_path"]
