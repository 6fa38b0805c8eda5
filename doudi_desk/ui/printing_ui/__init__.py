"""Printing from the window, one job per module."""

from .desk import (
    BatchPrintDialog,
    CasePrintPanel,
    OfficeSettings,
    PrintDesk,
    PrintedFile,
    ResultPanel,
    copy_pdf,
    default_print_folder,
    write_pdf,
)

__all__ = ["BatchPrintDialog", "CasePrintPanel", "OfficeSettings", "PrintDesk", "PrintedFile", "ResultPanel",
           "copy_pdf", "default_print_folder", "write_pdf"]
