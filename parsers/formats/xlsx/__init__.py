"""Excel workbooks (.xlsx, .xlsm): the reader (``reader``), a cell as Excel shows it
(``cells``), and formulas whose stored value is not theirs (``formulas``)."""

from __future__ import annotations

from parsers.formats.xlsx.reader import open_workbook, read_xlsx, sheet_to_table

__all__ = ["open_workbook", "read_xlsx", "sheet_to_table"]
