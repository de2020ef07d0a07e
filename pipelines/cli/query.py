"""``minsheng sql``: one statement on a read-only, sandboxed connection, printed as a table,
CSV or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from i18n import _
from limits import DEFAULTS
from pipelines.cli.shared import DbOpt, LangOpt, described, err, fail, out, speak
from pipelines.core.settings import RunSettings, SettingsError


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@described(_("Run one query on a read-only connection that reaches no other file or setting."))
def sql(
    statement: Annotated[
        str,
        typer.Argument(
            help=_('One SQL statement, e.g. "SELECT * FROM lagging_items".'),
            metavar=_("STATEMENT"),
        ),
    ],
    db: DbOpt = None,
    format: Annotated[
        OutputFormat, typer.Option("--format", help=_("Output format."))
    ] = OutputFormat.table,
    full: Annotated[
        bool, typer.Option("--full", help=_("Show long texts whole in a table."))
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help=_("Stop the query after this many seconds."))
    ] = DEFAULTS.query.timeout_seconds,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help=_("Print at most this many rows."))
    ] = DEFAULTS.query.max_rows,
    formula_guard: Annotated[
        bool,
        typer.Option(
            "--formula-guard/--no-formula-guard",
            help=_(
                "CSV: start a text cell that a spreadsheet would run as a formula (=, +, -, @) "
                "with ' (--no-formula-guard for machine readers)."
            ),
        ),
    ] = True,
    lang: LangOpt = None,
) -> None:
    speak(lang)
    import io

    from pipelines.render.tables import print_frame
    from warehouse import QueryLimits, WarehouseError, run_analysis_query
    from warehouse.bounded import run_bounded

    try:
        settings = RunSettings.build(db=db)
        try:
            limits = QueryLimits(timeout_seconds=timeout, max_rows=max_rows)
        except ValueError as exc:
            raise SettingsError(f"--timeout/--max-rows: {exc}") from None

        def query_and_render() -> tuple[str, str | None]:
            # in the bounded process: the query and the printing of its result, both timed
            result = run_analysis_query(
                settings.db, statement, limits, on_wait=lambda m: err.print(m, markup=False)
            )
            page = io.StringIO()
            console = Console(
                file=page,
                width=out.width,
                force_terminal=out.is_terminal,
                color_system="auto" if out.color_system else None,
                highlight=False,
                soft_wrap=True,
            )
            print_frame(result.frame, format.value, console, full=full, formula_guard=formula_guard)
            return page.getvalue(), result.cut

        text, cut = run_bounded(query_and_render, limits)
    except (WarehouseError, SettingsError) as exc:
        fail(str(exc), 1)
    out.file.write(text)
    out.file.flush()
    if cut:
        err.print(cut, markup=False)
