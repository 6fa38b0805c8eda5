"""Spreadsheets in and out: rosters read into plain household records, lists written as xlsx.

Pure file work, no database and no Qt (import-linter contracts in pyproject.toml): the services
decide what a record means for the office (new, already there, changed) and write it.

- :mod:`.reader`   — .xlsx / .xls (python-calamine) and .csv (UTF-8 or GBK) into sheets of cells;
  a password-protected file or one that is not a spreadsheet is refused with a Chinese message.
- :mod:`.profiles` — layouts as data (``import_profiles/*.yaml``): header synonyms, household
  layout; the profile is guessed from the header and the choice explained.
- :mod:`.table`    — finds the header (title rows above, multi-row headers), skips total and
  footer rows, maps columns to fields.
- :mod:`.cells`    — one cell into one value: ID numbers, amounts, months, yes/no, with what was
  fixed (full-width digits, spaces, a lower-case x) and what is refused (an ID stored as a number).
- :mod:`.records`  — rows into households (merged household cells or a household key), every
  problem an :class:`~.issues.Issue` naming sheet, row and column.
- :mod:`.workbook` — xlsx out with XlsxWriter: title rows, Chinese headers, text columns, widths.
"""
