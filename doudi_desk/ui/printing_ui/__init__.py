"""Printing from the window: a case's documents, village lists in batches, office details and fonts.

Every PDF is produced by :class:`~doudi_desk.services.printing.PrintService` on the executor's
worker thread and written there to the print folder (``print`` in the user cache folder; files
older than a week are removed). The window then shows the result where the clerk clicked: the
file, 预览 and 打印… (the program's own preview and print dialog, ui/pdf_preview.py: no PDF viewer
needed), 另存为… and 用系统阅读器打开 (where one is installed). A known error — a character
the print font lacks (𠮷), a document the case has no data for, a village without a 公示 batch —
shows the service's Chinese message in the same place; nothing is printed then.

Tests replace :attr:`PrintDesk.folder`, :attr:`PrintDesk.opener` and :attr:`PrintDesk.save_dir`,
and answer the non-blocking save dialog (``ResultPanel.file_dialog``) or call ``save_to``.
"""

from .batch_dialog import BatchPrintDialog
from .case_panel import CasePrintPanel
from .desk import PrintDesk
from .files import PrintedFile, copy_pdf, default_print_folder, write_pdf
from .office_settings import OfficeSettings
from .result_panel import ResultPanel

__all__ = ["BatchPrintDialog", "CasePrintPanel", "OfficeSettings", "PrintDesk", "PrintedFile", "ResultPanel",
           "copy_pdf", "default_print_folder", "write_pdf"]
