"""Every check the pipeline can report, with its severity and its rule in plain words.

The one table of checks: the validation report, ``validation_issues`` and the messages of the
schema checks all read it. A test runs the bad-input corpus and the month fixtures and
requires every check they emit to be here.
"""

from __future__ import annotations

from dataclasses import dataclass

from i18n import N_, _

ERROR = frozenset({"error"})
WARNING = frozenset({"warning"})
INFO = frozenset({"info"})  # only informs: nothing was wrong, the report says what was read
EITHER = frozenset({"error", "warning"})
INFO = frozenset({"info"})  # only informs: nothing was wrong, the report says what was read


@dataclass(frozen=True)
class Check:
    """One check: what a department must do to pass it (``rule``), and how bad a failure is.

    ``rule`` and ``message`` are English message ids (``N_``), translated where they are shown.
    ``message`` is the template of a failure's message for the schema checks, which only know
    the value (``{value}``) and the item (``{item}``, ``{sub}``); other checks write their own.
    """

    name: str
    severities: frozenset[str]
    rule: str
    message: str | None = None


_TABLE = (
    # whole documents: the document is rejected
    Check(
        "format",
        ERROR,
        N_(
            "a report is a .txt, .docx, .pdf, .html or .xlsx file, a scan (.png, .jpg, .tif), or "
            "(with LibreOffice) .doc, .xls, .wps, .et, .odt, .ods or .rtf"
        ),
    ),
    Check(
        "readable",
        ERROR,
        N_("the file can be opened: not empty, damaged, password-protected or a scan"),
    ),
    Check(
        "table_found",
        ERROR,
        N_(
            "the document holds the progress table with its header row naming its columns in "
            "any order (项目内容 and 责任单位 at least; the words are in parsers/layouts.toml)"
        ),
    ),
    Check(
        "unknown_column",
        WARNING,
        N_(
            "each header cell names a known column; another column is kept in extra (add its "
            "name in a layouts.toml)"
        ),
    ),
    Check(
        "regular_file",
        ERROR,
        N_(
            "a report is a regular file inside the folder given: links out of it, FIFOs, devices "
            "and sockets are not read"
        ),
    ),
    Check(
        "within_limits",
        ERROR,
        N_(
            "the document stays within the limits on file size, zip inflation, PDF pages and "
            "parse time (README: Security and limits)"
        ),
    ),
    Check("table_rows", ERROR, N_("the table has at least one row under its header")),
    Check(
        "warehouse_writable",
        ERROR,
        N_(
            "the warehouse (--db) is on a disk the run can write, with space left; when it is "
            "not, nothing is loaded and the validation report says so"
        ),
    ),
    Check(
        "fetch",
        ERROR,
        N_("a web address answers with its page (text/html) within the time and size limits"),
    ),
    # an error rejects the document; a warning says an option overrode the document
    Check(
        "period",
        EITHER,
        N_("year, month and region are known, and title, file name and header agree"),
    ),
    Check("period_repeated", ERROR, N_("one report per region and month in a run")),
    # a report of a period already loaded (warehouse/replacement.py)
    Check(
        "period_coverage",
        ERROR,
        N_(
            "a report of a month already loaded holds nearly all (90 %) of its items, or its "
            "file name says it is a correction (更正, 修订, 补充 …); else pass --replace"
        ),
    ),
    Check(
        "period_replaced",
        frozenset({"info", "warning"}),
        N_(
            "a report of a month already loaded replaces its rows; the rows it takes the place "
            "of are kept in replaced_rows (a warning when some items leave the month)"
        ),
    ),
    Check(
        "period_corrected",
        INFO,
        N_(
            "a correction updates exactly the items it holds; their earlier rows are kept in "
            "replaced_rows"
        ),
    ),
    Check("document", ERROR, N_("the document can be read as a progress report")),
    # rows as read from the table
    Check(
        "cell_count",
        ERROR,
        N_(
            "a row has a cell per header column, less the cells merged from above (department, "
            "leader; 序号 and project cell in another row of an item)"
        ),
    ),
    Check("item_marker", ERROR, N_("a project cell starts with its item number, e.g. (12)")),
    Check(
        "item_continuation", ERROR, N_("a row without a project cell continues the item above it")
    ),
    Check(
        "merged_cell", ERROR, N_("a merged department or leader cell has a value in a row above")
    ),
    Check(
        "same_as_above",
        INFO,
        N_("同上 / 〃 in a cell repeats the value above it, as a merged cell does"),
    ),
    Check(
        "empty_cell_merged",
        WARNING,
        N_(
            "an empty department or leader cell under a filled one is a merged cell written "
            "out empty"
        ),
    ),
    Check(
        "serial_mismatch",
        WARNING,
        N_("the 序号 column and the (N) in the project text give the same number"),
    ),
    Check(
        "merged_cell_unclear",
        ERROR,
        N_(
            "a department or leader cell that may be merged over a PDF page break shows by its "
            "ruling which rows it covers"
        ),
    ),
    Check(
        "row_unaccounted",
        ERROR,
        N_(
            "every row the document shows (an item number, a text line, a Word table row) is "
            "read as a table row"
        ),
    ),
    Check(
        "merged_across",
        WARNING,
        N_(
            "a cell of a data row spans one column; a cell merged across columns is read into "
            "its first column"
        ),
    ),
    Check(
        "not_a_row",
        WARNING,
        N_(
            "everything under the table header is a table row (cells separated by |); "
            "notes and later tables are not read"
        ),
    ),
    Check(
        "hidden_cells",
        WARNING,
        N_("rows and columns of a spreadsheet's table are visible; hidden ones are read too"),
    ),
    Check(
        "outside_table",
        WARNING,
        N_(
            "a spreadsheet's cells beside the table are under a column of its header; others "
            "are not read"
        ),
    ),
    # schema errors: the row is quarantined
    Check(
        "content_not_blank",
        ERROR,
        N_("project text (项目内容) is filled in"),
        N_("project text is empty"),
    ),
    Check(
        "department_not_blank",
        ERROR,
        N_("department (责任单位) is filled in"),
        N_("department (责任单位) is empty"),
    ),
    Check(
        "leader_not_blank",
        ERROR,
        N_("leader (具体分管领导) is filled in"),
        N_("leader (具体分管领导) is empty"),
    ),
    Check(
        "completion_is_percentage",
        ERROR,
        N_("completion rate (完成率) starts with a percentage, e.g. 72%"),
        N_("completion rate {value!r} is not a percentage"),
    ),
    Check(
        "item_no_positive",
        ERROR,
        N_("item numbers start at (1)"),
        N_("item number {value} is not 1 or more"),
    ),
    Check(
        "sub_no_positive",
        ERROR,
        N_("rows of an item are numbered from 1"),
        N_("row number {value} within the item is not 1 or more"),
    ),
    Check(
        "unique_key",
        ERROR,
        N_("each item row appears once in a month's report"),
        N_("item ({item}) row {sub} appears more than once in this period"),
    ),
    # schema warnings: the row is loaded
    Check(
        "completion_at_most_100",
        WARNING,
        N_("completion rate is at most 100%"),
        N_("completion rate {value} is above 100%"),
    ),
    Check(
        "department_looks_like_organisation",
        WARNING,
        N_("a department name ends like an organisation (局, 委, 中心, …)"),
        N_("department {value!r} does not end like an organisation (局, 委, 中心, …): truncated?"),
    ),
    Check(
        "leader_looks_like_name",
        WARNING,
        N_("a leader is a 2–4 character name"),
        N_("leader {value!r} is not a 2–4 character name"),
    ),
    Check(
        "cell_control_characters",
        WARNING,
        N_(
            "a cell holds text only: no control characters (escape sequences) or direction "
            "overrides, which the reports show as escapes (\\x1b, \\u202e)"
        ),
        N_(
            "the cell holds control characters or direction overrides, shown escaped: "
            "{value!r}; the value loaded as written: check it in the document"
        ),
    ),
    Check(
        "item_numbering_gap",
        WARNING,
        N_("item numbers follow each other without gaps"),
        N_("item ({value}) follows a gap in the numbering: was a row lost?"),
    ),
    # across months (warnings): against the previous reported month of the region and year
    Check(
        "completion_went_down",
        WARNING,
        N_("completion rate is lower than in the previous reported month"),
    ),
    Check("item_vanished", WARNING, N_("an item of the previous reported month is missing")),
    Check("item_appeared", WARNING, N_("an item not in the previous reported month")),
    Check(
        "department_changed",
        WARNING,
        N_("department (责任单位) differs from the previous reported month"),
    ),
    Check(
        "leader_changed",
        WARNING,
        N_("leader (具体分管领导) differs from the previous reported month"),
    ),
    Check(
        "item_count_changed",
        WARNING,
        N_("number of items differs from the previous reported month"),
    ),
    Check(
        "item_renumbered",
        WARNING,
        N_("an item keeps its number from month to month; months are compared by project"),
    ),
    Check(
        "item_text_changed",
        WARNING,
        N_("an item number names the same project as in the previous reported month"),
    ),
    # scans read by OCR
    Check("ocr_pages", INFO, N_("pages without a text layer are read by OCR")),
    Check(
        "ocr_low_confidence",
        WARNING,
        N_(
            "OCR reads an item number, completion rate, department and leader with confidence "
            "0.9 or more; below that, check the cell against the scan"
        ),
    ),
    Check(
        "ocr_corrected",
        INFO,
        N_(
            "a department or leader OCR misread by one character is loaded as the known name "
            "(from the previous month, or elsewhere in the same document)"
        ),
    ),
)

#: Every check by name.
CHECKS: dict[str, Check] = {check.name: check for check in _TABLE}


def describe_rule(check: str) -> str:
    """The rule behind ``check`` in plain words, in the current language; the check's own name
    if it is not known."""
    found = CHECKS.get(check)
    return _(found.rule) if found is not None else check.replace("_", " ")


def failure_message(check: str, *, value: str, item: object = None, sub: object = None) -> str:
    """The message of a failed schema check, from its template in the table."""
    found = CHECKS.get(check)
    if found is None or found.message is None:
        return _("check {check} failed").format(check=check)
    return _(found.message).format(value=value, item=item, sub=sub)
