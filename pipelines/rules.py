"""Every check by name, in plain words, for people reading a validation report."""

from __future__ import annotations

from schemas.history import HISTORY_CHECKS

#: The rule each check enforces, said so that a department can act on it.
RULES: dict[str, str] = {
    # whole documents
    "format": "a report is a .txt, .docx or .pdf file",
    "readable": "the file can be opened: not empty, damaged, password-protected or a scan",
    "table_found": "the document holds the progress table with its header row naming its "
    "columns in any order (项目内容 and 责任单位 at least; see parsers/layouts.toml)",
    "unknown_column": "each header cell names a known column; other columns are kept in extra "
    "(add their names in a layouts.toml)",
    "table_rows": "the table has at least one row under its header",
    "period": "year, month and region are known, and title, file name and header agree",
    "period_repeated": "one report per region and month in a run",
    "document": "the document can be read as a progress report",
    # rows as read from the table
    "cell_count": "a row has a cell per header column, less the cells merged from above "
    "(department, leader; 序号 and project cell in another row of an item)",
    "item_marker": "a project cell starts with its item number, e.g. (12)",
    "item_continuation": "a row without a project cell continues the item above it",
    "merged_cell": "a merged department or leader cell has a value in a row above",
    "same_as_above": "同上 / 〃 in a cell repeats the value above it, as a merged cell does",
    "empty_cell_merged": "an empty department or leader cell under a filled one is a merged "
    "cell written out empty",
    "serial_mismatch": "the 序号 column and the (N) in the project text give the same number",
    "not_a_row": "lines under the table are table rows (cells separated by |)",
    # error checks: the row is quarantined
    "content_not_blank": "project text (项目内容) is filled in",
    "department_not_blank": "department (责任单位) is filled in",
    "leader_not_blank": "leader (具体分管领导) is filled in",
    "completion_is_percentage": "completion rate (完成率) starts with a percentage, e.g. 72%",
    "item_no_positive": "item numbers start at (1)",
    "sub_no_positive": "rows of an item are numbered from 1",
    "unique_key": "each item row appears once in a month's report",
    # warning checks: the row is loaded
    "completion_at_most_100": "completion rate is at most 100%",
    "department_looks_like_organisation": "a department name ends like an organisation "
    "(局, 委, 中心, …)",
    "leader_looks_like_name": "a leader is a 2–4 character name",
    "item_numbering_gap": "item numbers follow each other without gaps",
    **HISTORY_CHECKS,
}


def describe_rule(check: str) -> str:
    """The rule behind ``check`` in plain words; the check's own name if it is not known."""
    return RULES.get(check, check.replace("_", " "))
