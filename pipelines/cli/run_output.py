"""What ``ingest`` and ``validate`` print: a line per document, its period changes and first
errors, and where the validation report is."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from i18n import _, period_or_unknown, status_text
from pipelines.cli.shared import err, fail_word, out
from pipelines.render.terminal import for_terminal

if TYPE_CHECKING:
    from pipelines.core.load_run import DocumentOutcome
    from pipelines.core.run import RunFailed

#: Issues that say which loaded rows a report took the place of: always a line of their own.
_PERIOD_CHANGES = frozenset({"period_replaced", "period_corrected"})

_STATUS_STYLE = {"loaded": "green", "partial": "yellow", "rejected": "red", "unchanged": "dim"}


def _padded(text: str, width: int) -> str:
    """``text`` filled with spaces to ``width`` terminal cells (a CJK character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(width - cell_len(text), 0)


def _status_word(status: str, loading: bool) -> str:
    """A document's status in words, padded to the longest status word (``validate``'s words
    say what ingest would do: nothing was loaded)."""
    from rich.cells import cell_len

    width = max(9, *(cell_len(status_text(s, would=not loading)) for s in _STATUS_STYLE))
    return _padded(status_text(status, would=not loading), width)


def print_document(document: DocumentOutcome, loading: bool) -> None:
    from parsers import Location

    status = document.status
    where = period_or_unknown(document.region, document.year, document.month)
    detail = (
        _("{loaded} rows loaded, {quarantined} quarantined")
        if loading
        else _("{loaded} rows would load, {quarantined} would be quarantined")
    ).format(loaded=document.rows_loaded, quarantined=document.rows_quarantined)
    if status == "unchanged":
        detail = _("same bytes already loaded; nothing changed")
    elif status == "rejected":
        problems = [
            str(i["message"]) for i in document.issues if i["action"] == "document rejected"
        ]
        if problems:
            detail = (
                (
                    _("{problem} ({n} rows quarantined)")
                    if loading
                    else _("{problem} ({n} rows would be quarantined)")
                ).format(problem=problems[0], n=document.rows_quarantined)
                if document.rows_quarantined
                else problems[0]
            )
    out.print(
        f"[{_STATUS_STYLE.get(status, '')}]{_status_word(status, loading)}[/] "
        f"{for_terminal(document.source_name)}  "
        f"[dim]{for_terminal(where)}[/]  {for_terminal(detail)}"
    )
    for issue in document.issues:
        if issue["check"] in _PERIOD_CHANGES and issue["action"] != "document rejected":
            out.print(f"          {for_terminal(str(issue['message']))}")
    errors = [
        i
        for i in document.issues
        if i["severity"] == "error" and i["action"] != "document rejected"
    ]
    for issue in errors[:5]:
        place = Location.of_row(issue).describe()
        line = _("{place}: {problem}").format(
            place=f"[dim]{for_terminal(place)}[/]", problem=for_terminal(str(issue["message"]))
        )
        out.print(f"          {line}")
    if len(errors) > 5:
        more = _("… and {n} more in the report").format(n=len(errors) - 5)
        out.print(f"          [dim]{more}[/]")


def fail_with_report(failed: RunFailed) -> None:
    """A run that could not write the warehouse: its one line, then where its validation
    report is (or why it could not be written), exit 1."""
    err.print(
        f"[red]{fail_word()}[/red] {for_terminal(failed.message)}", markup=True, highlight=False
    )
    files = failed.report.report_files
    if files:
        out.print(
            _("validation report: {html} (json: {json})").format(html=files.html, json=files.json),
            markup=False,
        )
    elif failed.report.report_error:
        err.print(for_terminal(failed.report.report_error), markup=False)
    raise typer.Exit(1)
