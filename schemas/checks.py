"""Every check the pipeline can report, with its severity and its rule in plain words.

The one table of checks: the validation report, ``validation_issues`` and the messages of the
schema checks all read it. A test runs the bad-input corpus and the month fixtures and
requires every check they emit to be here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from i18n import N_, _


class Status(StrEnum):
    """What became of a document. The first three are ``reports.status`` in the warehouse."""

    LOADED = "loaded"
    PARTIAL = "partial"  # some rows quarantined
    REJECTED = "rejected"
    #: a run's outcome only, never stored: the same bytes again; a period another took
    UNCHANGED = "unchanged"
    REFUSED = "refused"


#: The statuses a ``reports`` row can have (the schema's CHECK constraint).
STORED_STATUSES = (Status.LOADED, Status.PARTIAL, Status.REJECTED)


class Severity(StrEnum):
    """How bad an issue is (``validation_issues.severity``)."""

    ERROR = "error"  # the row is quarantined or the document rejected
    WARNING = "warning"  # loaded, with something to look at
    INFO = "info"  # only informs: nothing was wrong, the report says what was read


class Action(StrEnum):
    """What was done about an issue (``validation_issues.action``), as the parsers and checks
    write it; ``i18n.action_text`` puts it in words."""

    DOCUMENT_REJECTED = "document rejected"
    DOCUMENT_READ = "document read"
    ROW_QUARANTINED = "row quarantined"
    ROW_LOADED = "row loaded"
    ROW_LOADED_CORRECTED = "row loaded (corrected)"
    ROW_KEPT = "row kept"
    ROWS_REPLACED = "rows replaced"
    VALUE_INHERITED = "value inherited"
    COLUMN_KEPT_IN_EXTRA = "column kept in extra"
    COLUMN_CHOSEN = "column chosen"
    COLUMN_READ = "column read"
    TITLE_USED = "title used"
    OPTION_USED = "option used"
    LINE_IGNORED = "line ignored"
    LINES_JOINED = "lines joined"
    TABLE_IGNORED = "table ignored"
    CELL_NOT_READ = "cell not read"
    TEXT_NOT_READ = "text not read"
    SHEET_READ = "sheet read"
    SHEET_NOT_READ = "sheet not read"
    PAGE_READ_BY_OCR = "page read by OCR"
    PAGE_NOT_READ = "page not read"
    CHANGES_ACCEPTED = "changes accepted"
    NOTED = "noted"
    NOT_LOADED = "not loaded"


ERROR = frozenset({Severity.ERROR})
WARNING = frozenset({Severity.WARNING})
INFO = frozenset({Severity.INFO})
EITHER = frozenset({Severity.ERROR, Severity.WARNING})


@dataclass(frozen=True)
class Check:
    """One check: what a department must do to pass it (``rule``), and how bad a failure is.

    ``rule`` and ``message`` are English message ids (``N_``), translated where they are shown.
    ``message`` is the template of a failure's message for the schema checks, which only know
    the value (``{value}``) and the item (``{item}``, ``{sub}``); other checks write their own.
    ``fix`` says what the department does to the report (or that nothing needs fixing), for
    the clerk who reads the validation report.
    """

    name: str
    severities: frozenset[Severity]
    rule: str
    message: str | None = None
    fix: str | None = None


_TABLE = (
    # whole documents: the document is rejected
    Check(
        "format",
        ERROR,
        N_(
            "a report is a .txt, .tsv, .csv, .docx, .pdf, .html or .xlsx file, a scan (.png, "
            ".jpg, .tif), or (with LibreOffice) .doc, .xls, .wps, .et, .odt, .ods or .rtf"
        ),
        fix=N_("save the report as one of these formats and send it again"),
    ),
    Check(
        "readable",
        ERROR,
        N_("the file can be opened: not empty, damaged, password-protected or a scan"),
        fix=N_(
            "open the file yourself; send an undamaged copy without a password, or the Word/PDF "
            "original of a scan"
        ),
    ),
    Check(
        "table_found",
        ERROR,
        N_(
            "the document holds the progress table with its header row naming its columns in "
            "any order (项目内容 and 责任单位 at least; the words are in parsers/layouts.toml)"
        ),
        fix=N_(
            "keep the table's header row (项目内容, 责任单位, …) above the rows, or add the "
            "header words in a layouts.toml"
        ),
    ),
    Check(
        "unknown_column",
        WARNING,
        N_(
            "each header cell names a known column; another column is kept in extra (add its "
            "name in a layouts.toml)"
        ),
        fix=N_(
            "nothing to fix if the column is meant; to load it as a known column, add its header "
            "in a layouts.toml"
        ),
    ),
    Check(
        "no_completion_column",
        WARNING,
        N_("the table has a completion-rate column (完成率 or a name in a layouts.toml)"),
        fix=N_(
            "name the rate column 完成率 in the header, or add its header word to "
            "[columns.completion] in a layouts.toml, and ingest the file again"
        ),
    ),
    Check(
        "regular_file",
        ERROR,
        N_(
            "a report is a regular file inside the folder given: links out of it, FIFOs, devices "
            "and sockets are not read"
        ),
        fix=N_("copy the report itself into the folder, not a link to it"),
    ),
    Check(
        "within_limits",
        ERROR,
        N_(
            "the document stays within the limits on file size, zip inflation, PDF pages and "
            "parse time (README: Security and limits)"
        ),
        fix=N_(
            "send the monthly table alone, or raise the limit named (--max-pages, "
            "--parse-timeout) if the file is genuine"
        ),
    ),
    Check(
        "table_rows",
        ERROR,
        N_("the table has at least one row under its header"),
        fix=N_("fill in the table's rows under the header and send it again"),
    ),
    Check(
        "column_plausible",
        ERROR,
        N_(
            "each column holds its own kind of value (a department an organisation, a leader "
            "personal names, a completion rate a percentage, an item its number); a column "
            "whose cells are mostly another column's means the cells are shifted against the "
            "header, and the document is rejected"
        ),
        fix=N_(
            "put each value under its own column's header: check the separators or the cells "
            "of the rows named"
        ),
    ),
    Check(
        "warehouse_writable",
        ERROR,
        N_(
            "the warehouse (--db) is on a disk the run can write, with space left; when it is "
            "not, nothing is loaded and the validation report says so"
        ),
        fix=N_("free disk space or choose a writable --db, then run again"),
    ),
    Check(
        "fetch",
        ERROR,
        N_("a web address answers with its page (text/html) within the time and size limits"),
        fix=N_("check the address in a browser, or save the page and ingest the file"),
    ),
    # an error rejects the document; a warning says an option overrode the document
    Check(
        "period",
        EITHER,
        N_("year, month and region are known, and title, file name and header agree"),
        fix=N_(
            "write the year, month and region in the title "
            "(2022年乐清市民生实事项目8月份进展情况), or pass --region, --year, --month"
        ),
    ),
    Check(
        "period_repeated",
        ERROR,
        N_("one report per region and month in a run"),
        fix=N_(
            "send one report per region and month; ingest the other one on its own if it is the "
            "right one"
        ),
    ),
    Check(
        "document",
        ERROR,
        N_("the document can be read as a progress report"),
        fix=N_("send the report again as Word or PDF"),
    ),
    # a report of a period already loaded (warehouse/replacement.py)
    Check(
        "period_coverage",
        ERROR,
        N_(
            "a report of a month already loaded holds nearly all (90 %) of its items, or its "
            "file name says it is a correction (更正, 修订, 补充 …); else pass --replace"
        ),
        fix=N_(
            "send the whole month's table, name a correction as one (…更正.txt), or pass "
            "--replace to replace the month with this file on purpose"
        ),
    ),
    Check(
        "period_replaced",
        frozenset({Severity.INFO, Severity.WARNING}),
        N_(
            "a report of a month already loaded replaces its rows; the rows it takes the place "
            "of are kept in replaced_rows (a warning when some items leave the month)"
        ),
        fix=N_("nothing to fix if this file is meant to replace the month"),
    ),
    Check(
        "period_corrected",
        INFO,
        N_(
            "a correction updates exactly the items it holds; their earlier rows are kept in "
            "replaced_rows"
        ),
        fix=N_("nothing to fix if these are the items meant to change"),
    ),
    # rows as read from the table
    Check(
        "cell_count",
        ERROR,
        N_(
            "a row has a cell per header column, less the cells merged from above (department, "
            "leader; 序号 and project cell in another row of an item)"
        ),
        fix=N_("fill in the missing cell, or delete the extra cell"),
    ),
    Check(
        "item_marker",
        ERROR,
        N_("a project cell starts with its item number, e.g. (12)"),
        fix=N_("start the project text with its number, e.g. (12)"),
    ),
    Check(
        "items_in_one_row",
        ERROR,
        N_("a project cell holds one item: not also the number of the next, which has no row"),
        fix=N_("write each item, with its (N), in a row of its own"),
    ),
    Check(
        "item_continuation",
        ERROR,
        N_("a row without a project cell continues the item above it"),
        fix=N_("write the project cell with its (N), or merge the row into the item above"),
    ),
    Check(
        "merged_cell",
        ERROR,
        N_("a merged department or leader cell has a value in a row above"),
        fix=N_("fill in the department and leader in the first row of the merge"),
    ),
    Check(
        "same_as_above",
        INFO,
        N_("同上 / 〃 in a cell repeats the value above it, as a merged cell does"),
        fix=N_("nothing to fix"),
    ),
    Check(
        "empty_cell_merged",
        WARNING,
        N_(
            "in a document that writes its merged cells as empty cells (most of its merged "
            "rows do), an empty department or leader cell under a filled one is merged from "
            "above; where merged cells are left out or really merged, an empty cell is missing"
        ),
        fix=N_(
            "check that the row has the department and leader above; merge the cells or fill them "
            "in"
        ),
    ),
    Check(
        "merged_from_quarantined",
        EITHER,
        N_(
            "a merged cell takes the value of the row right above it: under a quarantined row "
            "it takes that row's cell (a warning), and where that cell cannot be read, or is "
            "empty, the row is quarantined too"
        ),
        fix=N_("correct the row above first, or fill in this row's department and leader"),
    ),
    Check(
        "lagging_disagrees",
        WARNING,
        N_(
            "a row is behind schedule where its completion rate or a note column (备注, 存在问题) "
            "says 滞后; the rate and the note agree (no 滞后 note beside 100%)"
        ),
        fix=N_("make the completion rate and the note say the same"),
    ),
    Check(
        "several_rates",
        WARNING,
        N_("a completion cell holds one percentage, the rate"),
        fix=N_("keep this month's completion rate alone in the cell, other figures in 备注"),
    ),
    Check(
        "serial_mismatch",
        WARNING,
        N_("the 序号 column and the (N) in the project text give the same number"),
        fix=N_("correct the 序号 or the (N) so that they agree"),
    ),
    Check(
        "merged_cell_unclear",
        ERROR,
        N_(
            "a department or leader cell that may be merged over a PDF page break shows by its "
            "ruling which rows it covers"
        ),
        fix=N_("fill in the department and leader on both sides of the page break"),
    ),
    Check(
        "row_cut_incomplete",
        WARNING,
        N_("a PDF row cut by a page break has text in each of its cells once joined"),
        fix=N_("check the row's text on both sides of the page break against the original"),
    ),
    Check(
        "cell_unsettled",
        ERROR,
        N_(
            "in a PDF table without rules, every character stands inside one column and the "
            "cells are top-aligned, so that each row starts on one line"
        ),
        fix=N_("export the table with ruling lines, or align its cells to the top"),
    ),
    Check(
        "row_unaccounted",
        ERROR,
        N_(
            "every row the document shows (an item number, a text line, a Word table row) is "
            "read as a table row"
        ),
        fix=N_("check this row in the original and send it again as a table row"),
    ),
    Check(
        "cell_filled",
        WARNING,
        N_(
            "a PDF's table cell shows all its text: a cell whose text fills it to its right and "
            "bottom edges may have been cut where it ends (a spreadsheet printed with rows too "
            "low for their text shows only the lines that fit)"
        ),
        fix=N_("print the sheet again with each row's height fitted to its text"),
    ),
    Check(
        "merged_across",
        WARNING,
        N_(
            "a cell of a data row spans one column; a cell merged across columns is read into "
            "its first column"
        ),
        fix=N_("split the cell so that each column has its own"),
    ),
    Check(
        "split_cell",
        WARNING,
        N_(
            "a column of the table has one cell a row; where a cell is split into several "
            "under one header cell (Word's Split Cells), their texts are joined and read as "
            "that column's"
        ),
        fix=N_("merge the split cells again, or give each part a header cell of its own"),
    ),
    Check(
        "wrapped_row",
        INFO,
        N_(
            "a row of a text table is one line; a row wrapped over several lines (a chat or "
            "e-mail paste) is joined when the joined line fits the header"
        ),
        fix=N_("nothing to fix; check that the joined row reads as in the original"),
    ),
    Check(
        "tab_as_bar",
        WARNING,
        N_(
            "the cells of a row of a '|' table are separated by '|'; a tab between two of its "
            "cells (typed for a bar) is read as a '|'"
        ),
        fix=N_("put '|' where the tab is, so that the row reads the same in any editor"),
    ),
    Check(
        "not_a_row",
        WARNING,
        N_(
            "everything under the table header is a table row (cells separated by |, tabs or "
            "commas); notes and later tables are not read"
        ),
        fix=N_("nothing to fix if it is a note; a table row needs its cells separated by |"),
    ),
    Check(
        "hidden_cells",
        WARNING,
        N_(
            "rows, columns and sheets of a spreadsheet and the text of a Word file are visible; "
            "a hidden column or row of the table is read and named, a hidden sheet is read only "
            "when no visible one has the table, text formatted hidden in Word or hidden by a "
            "web page, text in a cell's background colour and a value its number format does "
            "not show are not read"
        ),
        fix=N_("delete hidden rows, columns and text that do not belong to this month"),
    ),
    Check(
        "page_turned",
        INFO,
        N_(
            "a PDF page's text reads left to right; a page turned in the file (its text "
            "sideways or upside down) is read turned upright"
        ),
        fix=N_("nothing to fix; turn the page in the original to print it upright"),
    ),
    Check(
        "stamp_text",
        WARNING,
        N_(
            "a PDF's table holds the report's text only; text drawn at an angle over it (a "
            "seal, a stamp such as 已审核), what it encloses in its colour, and text in another "
            "font drawn over the table's text (a print header or footer) are not read"
        ),
        fix=N_("check the cells under the stamp; send a copy without stamps if they hide text"),
    ),
    Check(
        "formula_value",
        WARNING,
        N_(
            "a formula's value is the one it computes; where the file stores none, or one that "
            "is not the formula's (0 from a program that does not calculate), an arithmetic "
            "formula is computed and read, any other is not read"
        ),
        fix=N_("open the file in Excel, WPS or LibreOffice, recalculate it (F9) and save it again"),
    ),
    Check(
        "struck_text",
        WARNING,
        N_(
            "text struck through in a Word file or a web page is a replaced value: it is not "
            "read, and the row it was in is named"
        ),
        fix=N_("delete struck-out old values, or remove the strikethrough from the value"),
    ),
    Check(
        "tracked_changes",
        WARNING,
        N_(
            "a Word file is sent with its tracked changes accepted or rejected; pending ones "
            "are read as accepted"
        ),
        fix=N_("accept or reject the tracked changes in Word and send the file again"),
    ),
    Check(
        "other_month_table",
        WARNING,
        N_(
            "a page that shows the tables of several months (last month's beside this "
            "month's) is read from the table of the month its title names; the others are "
            "named, not read"
        ),
        fix=N_("publish each month's table on a page of its own, or delete the old table"),
    ),
    Check(
        "several_columns",
        EITHER,
        N_(
            "each field has one column; where several name it (7月完成率, 8月完成率) the one of "
            "the report's month is read, and the document is rejected when none is clearly it"
        ),
        fix=N_("keep only this month's column of the field, or delete last month's"),
    ),
    Check(
        "outside_table",
        WARNING,
        N_(
            "a spreadsheet's cells beside the table are under a column of its header; others "
            "are not read"
        ),
        fix=N_("move the cell into the table or delete it"),
    ),
    # schema errors: the row is quarantined
    Check(
        "content_not_blank",
        ERROR,
        N_("project text (项目内容) is filled in"),
        N_("project text is empty"),
        fix=N_("fill in the project text (项目内容)"),
    ),
    Check(
        "department_not_blank",
        ERROR,
        N_("department (责任单位) is filled in"),
        N_("department (责任单位) is empty"),
        fix=N_("fill in the department (责任单位), or delete the extra cell"),
    ),
    Check(
        "leader_not_blank",
        ERROR,
        N_("leader (具体分管领导) is filled in"),
        N_("leader (具体分管领导) is empty"),
        fix=N_("fill in the leader (具体分管领导), or delete the extra cell"),
    ),
    Check(
        "completion_is_percentage",
        ERROR,
        N_("completion rate (完成率) starts with a percentage, e.g. 72%"),
        N_("completion rate {value!r} is not a percentage"),
        fix=N_(
            "write the completion rate as a percentage (72%), with any remark after it "
            "(63%,滞后进度)"
        ),
    ),
    Check(
        "item_no_positive",
        ERROR,
        N_("item numbers start at (1)"),
        N_("item number {value} is not 1 or more"),
        fix=N_("number the items from (1)"),
    ),
    Check(
        "sub_no_positive",
        ERROR,
        N_("rows of an item are numbered from 1"),
        N_("row number {value} within the item is not 1 or more"),
        fix=N_("number the rows of an item from 1"),
    ),
    Check(
        "unique_key",
        ERROR,
        N_("each item row appears once in a month's report"),
        N_("item ({item}) row {sub} appears more than once in this period"),
        fix=N_("delete the repeated row, or correct its item number"),
    ),
    # schema warnings: the row is loaded
    Check(
        "repeated_key_kept",
        WARNING,
        N_(
            "of an item row that appears twice, the first is loaded and the other quarantined; "
            "the loaded one is named too, since either may be last month's row left in"
        ),
        fix=N_(
            "delete the row that is not this month's (a row hidden in a sheet is still in its "
            "CSV export), or correct its item number"
        ),
    ),
    Check(
        "repeated_row",
        WARNING,
        N_(
            "the rows of one item are its parts, each with its own progress: two rows of an "
            "item with the same actual progress, department and leader are named"
        ),
        fix=N_(
            "delete the row that is not this month's (a row hidden in a sheet is still in its "
            "CSV export)"
        ),
    ),
    Check(
        "completion_at_most_100",
        WARNING,
        N_("completion rate is at most 100%"),
        N_("completion rate {value} is above 100%"),
        fix=N_("check the completion rate; for a finished item, write 100%"),
    ),
    Check(
        "department_looks_like_organisation",
        WARNING,
        N_("a department name ends like an organisation (局, 委, 中心, …)"),
        N_("department {value!r} does not end like an organisation (局, 委, 中心, …): truncated?"),
        fix=N_("check the department's full name (e.g. 市教育局)"),
    ),
    Check(
        "leader_looks_like_name",
        WARNING,
        N_("a leader is a 2–4 character name"),
        N_("leader {value!r} is not a 2–4 character name"),
        fix=N_("write the leader's name only (2–4 characters)"),
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
        fix=N_("delete the invisible characters from the cell and send the file again"),
    ),
    Check(
        "item_numbering_gap",
        WARNING,
        N_("item numbers follow each other without gaps"),
        N_("item ({value}) follows a gap in the numbering: was a row lost?"),
        fix=N_("check that no item is missing between the numbers"),
    ),
    # across months (warnings): against the previous reported month of the region and year
    Check(
        "completion_went_down",
        WARNING,
        N_("completion rate is lower than in the previous reported month"),
        fix=N_("check the completion rate against last month's"),
    ),
    Check(
        "item_vanished",
        WARNING,
        N_("an item of the previous reported month is missing"),
        fix=N_("check whether the item was left out of this month's table"),
    ),
    Check(
        "item_appeared",
        WARNING,
        N_("an item not in the previous reported month"),
        fix=N_("nothing to fix if the item is new this month"),
    ),
    Check(
        "department_changed",
        WARNING,
        N_("department (责任单位) differs from the previous reported month"),
        fix=N_("nothing to fix if the department really changed; otherwise correct it"),
    ),
    Check(
        "leader_changed",
        WARNING,
        N_("leader (具体分管领导) differs from the previous reported month"),
        fix=N_("nothing to fix if the leader really changed; otherwise correct it"),
    ),
    Check(
        "item_count_changed",
        WARNING,
        N_("number of items differs from the previous reported month"),
        fix=N_("check that no item is missing or repeated"),
    ),
    Check(
        "item_renumbered",
        WARNING,
        N_("an item keeps its number from month to month; months are compared by project"),
        fix=N_("keep each project's number from month to month"),
    ),
    Check(
        "item_text_changed",
        WARNING,
        N_("an item number names the same project as in the previous reported month"),
        fix=N_("check that the number names the same project as last month"),
    ),
    # scans read by OCR
    Check(
        "ocr_pages",
        INFO,
        N_("pages without a text layer are read by OCR"),
        fix=N_("nothing to fix; a Word or PDF original reads without OCR"),
    ),
    Check(
        "ocr_page_without_table",
        INFO,
        N_(
            "a scanned page of a report holds its ruled table; a page without one (a cover "
            "letter, an annex) adds no rows"
        ),
        fix=N_(
            "nothing to fix for a cover letter; a page of the table whose lines do not show is "
            "scanned again"
        ),
    ),
    Check(
        "text_layer_unused",
        frozenset({Severity.WARNING, Severity.INFO}),
        N_(
            "a PDF page's text layer reads as Chinese text from mapped glyphs and is not an "
            "invisible OCR layer over the page image; otherwise the page is read by OCR"
        ),
        fix=N_("nothing to fix; a PDF exported from the original has a readable text layer"),
    ),
    Check(
        "ocr_low_confidence",
        WARNING,
        N_(
            "OCR reads an item number, completion rate, department and leader with confidence "
            "0.9 or more; below that, check the cell against the scan"
        ),
        fix=N_("compare the value with the cell image and correct it if it was misread"),
    ),
    Check(
        "ocr_unsure",
        ERROR,
        N_(
            "a department, leader or completion rate OCR reads with confidence below 0.8 loads "
            "only when the same value is read surely elsewhere in the document; otherwise its "
            "row is quarantined with the cell cut from the scan"
        ),
        fix=N_("check the cell shown against the paper and correct it, or send a sharper scan"),
    ),
    Check(
        "ocr_corrected",
        INFO,
        N_(
            "a department or leader OCR misread by one character is loaded as the known name "
            "(from the previous month, or elsewhere in the same document)"
        ),
        fix=N_("check that the name loaded is the right one"),
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


def describe_fix(check: str) -> str | None:
    """What to do about a failed ``check``, in the current language; None if not known."""
    found = CHECKS.get(check)
    return _(found.fix) if found is not None and found.fix is not None else None
