"""Files exchanged with banks and offices: bank 代发 files by layout and their result files
(``bank_formats/*.yaml``), and plain xlsx tables (payroll lines, the household ledger).

Takes and returns plain data and bytes; imports neither the database nor the window.
"""

from .bankfile import (
           BankFileError,
           Parsed,
           amount_text,
           file_name,
           parse_amount,
           read_result,
           write,
)
from .layouts import LINE_FIELDS, Layout, LayoutError, load_layouts
from .xlsx import write_table

__all__ = ["LINE_FIELDS", "BankFileError", "Layout", "LayoutError", "Parsed", "amount_text", "file_name",
           "load_layouts", "parse_amount", "read_result", "write", "write_table"]
