"""The ``minsheng`` command: ingest, validate, sql, serve.

Every text here is in the language ``pipelines.cli.main`` chose before importing this module
(the help texts are read at import); each command chooses again from ``--lang``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from i18n import _, choose_language, period_or_unknown, status_text, use_language
from limits import DEFAULTS
from parsers.formats.registry import suffix_lists
from parsers.names import printable_path
from pipelines.cli.help_words import CommandInWords, GroupInWords
from pipelines.core.settings import DEFAULT_DB, RunSettings, SettingsError
from pipelines.render.terminal import for_terminal

app = typer.Typer(
    name="minsheng",
    cls=GroupInWords,
    help=_("Monthly progress reports of livelihood projects (民生实事) into DuckDB."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PathsArg = Annotated[
    list[str],
    typer.Argument(
        help=_(
            "Report files, folders, or web pages (https://…): {direct}; scans ({scans}); "
            "{legacy} with LibreOffice; .url files."
        ).format(**dict(zip(("direct", "scans", "legacy"), suffix_lists(), strict=True))),
        metavar=_("PATH"),
        show_default=False,
    ),
]
FetchTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--fetch-timeout",
        help=_("Seconds to wait for a web page [default: {seconds}]").format(
            seconds=f"{DEFAULTS.fetch.timeout_s:g}"
        ),
        show_default=False,
    ),
]
DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=_("DuckDB file [default: $MINSHENG_DB or {default}]").format(default=DEFAULT_DB),
        show_default=False,
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help=_("Region, e.g. 乐清市, when the document does not say.")),
]
YearOpt = Annotated[
    int | None, typer.Option("--year", help=_("Year, when neither title nor file name says."))
]
MonthOpt = Annotated[
    int | None,
    typer.Option("--month", help=_("Month 1–12, when neither title nor file name says.")),
]
LayoutsOpt = Annotated[
    Path | None,
    typer.Option(
        "--layouts",
        help=_(
            "A layouts.toml adding header words to the built-in table layouts [default: "
            "layouts.toml beside the database, if there is one]"
        ),
        show_default=False,
    ),
]
ReportsOpt = Annotated[
    Path | None,
    typer.Option(
        "--reports-dir",
        help=_("Where validation reports go [default: data/reports]"),
        show_default=False,
    ),
]


class Language(StrEnum):
    zh = "zh"
    en = "en"


LangOpt = Annotated[
    Language | None,
    typer.Option(
        "--lang",
        help=_(
            "Language of messages and reports: zh (简体中文) or en [default: $MINSHENG_LANG, else "
            "the locale, else en]"
        ),
        show_default=False,
    ),
]


def _speak(lang: Language | None) -> None:
    """Speak the chosen language in this run and in the processes it starts."""
    from i18n import LanguageError

    try:
        use_language(choose_language(lang.value if lang else None), export=True)
    except LanguageError as exc:
        _fail(str(exc), 2)


#: Set when a run lost its Prefect API: ``pipelines.cli.main`` then leaves without Prefect's
#: exit handlers, which would retry sending events to it for seconds each.
leave_without_prefect_cleanup = False

#: Issues that say which loaded rows a report took the place of: always a line of their own.
_PERIOD_CHANGES = frozenset({"period_replaced", "period_corrected"})

_STATUS_STYLE = {"loaded": "green", "partial": "yellow", "rejected": "red", "unchanged": "dim"}


def _fail_word() -> str:
    """``error:`` before a one-line failure (not inside an f-string: the extractor skips those)."""
    return _("error:")


def _fail(message: str, code: int) -> None:
    err.print(f"[red]{_fail_word()}[/red] {for_terminal(message)}", markup=True, highlight=False)
    raise typer.Exit(code)


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


def _print_document(document: dict[str, Any], loading: bool) -> None:
    from parsers import Location

    status = document["status"]
    where = period_or_unknown(document["region"], document["year"], document["month"])
    detail = (
        _("{loaded} rows loaded, {quarantined} quarantined")
        if loading
        else _("{loaded} rows would load, {quarantined} would be quarantined")
    ).format(loaded=document["rows_loaded"], quarantined=document["rows_quarantined"])
    if status == "unchanged":
        detail = _("same bytes already loaded; nothing changed")
    elif status == "rejected":
        problems = [i["message"] for i in document["issues"] if i["action"] == "document rejected"]
        if problems:
            detail = (
                (
                    _("{problem} ({n} rows quarantined)")
                    if loading
                    else _("{problem} ({n} rows would be quarantined)")
                ).format(problem=problems[0], n=document["rows_quarantined"])
                if document["rows_quarantined"]
                else problems[0]
            )
    out.print(
        f"[{_STATUS_STYLE.get(status, '')}]{_status_word(status, loading)}[/] "
        f"{for_terminal(document['source_name'])}  "
        f"[dim]{for_terminal(where)}[/]  {for_terminal(detail)}"
    )
    for issue in document["issues"]:
        if issue["check"] in _PERIOD_CHANGES and issue["action"] != "document rejected":
            out.print(f"          {for_terminal(issue['message'])}")
    errors = [
        i
        for i in document["issues"]
        if i["severity"] == "error" and i["action"] != "document rejected"
    ]
    for issue in errors[:5]:
        place = Location.of_row(issue).describe()
        line = _("{place}: {problem}").format(
            place=f"[dim]{for_terminal(place)}[/]", problem=for_terminal(issue["message"])
        )
        out.print(f"          {line}")
    if len(errors) > 5:
        more = _("… and {n} more in the report").format(n=len(errors) - 5)
        out.print(f"          [dim]{more}[/]")


def _fail_with_report(failed: Any) -> None:
    """A run that could not write the warehouse (``RunFailed``): its one line, then where its
    validation report is (or why it could not be written), exit 1."""
    err.print(
        f"[red]{_fail_word()}[/red] {for_terminal(failed.message)}", markup=True, highlight=False
    )
    files = failed.report.get("report_files")
    if files:
        out.print(
            _("validation report: {html} (json: {json})").format(
                html=files["html"], json=files["json"]
            ),
            markup=False,
        )
    elif failed.report.get("report_error"):
        err.print(for_terminal(failed.report["report_error"]), markup=False)
    raise typer.Exit(1)


def _where_to_run(prefect: bool | None, parallelism: Any) -> tuple[str, str | None]:
    """``"flow"`` or ``"core"``, and the API a flow run records to (None: a temporary server).
    A flow run is recorded only where the user chose a Prefect API ($PREFECT_API_URL, a
    Prefect profile) or asked for one (``--prefect``, ``--parallel dask``), never because some
    server answers on a port; the first line on stderr then says which. A run in this process
    says nothing about Prefect."""
    from pipelines.flows.api_server import configured_api, is_healthy

    asked = "--prefect" if prefect else "--parallel dask" if parallelism.mode == "dask" else None
    if prefect is False and asked is None:
        return "core", None
    api = configured_api()
    if api is not None:
        if is_healthy(api.url, timeout=5.0):
            said = (
                _("recording a Prefect flow run (API at $PREFECT_API_URL {api})")
                if api.source == "environment"
                else _("recording a Prefect flow run (API of the Prefect profile {profile}: {api})")
            )
            err.print(said.format(api=api.url, profile=api.profile), markup=False)
            return "flow", api.url
        if asked is not None:
            _fail(
                _(
                    "{asked}: the Prefect API {api} does not answer; start that server, or "
                    "unset PREFECT_API_URL (or choose another Prefect profile) to record on a "
                    "temporary server"
                ).format(asked=asked, api=api.url),
                2,
            )
        err.print(
            _(
                "the Prefect API {api} does not answer: running in this process, the run is not "
                "recorded"
            ).format(api=api.url),
            markup=False,
        )
        return "core", None
    if asked is not None:
        err.print(
            _("recording a Prefect flow run on a temporary Prefect server ({why})").format(
                why=asked
            ),
            markup=False,
        )
        return "flow", None
    return "core", None


def _run(paths: list[str], *, load: bool, options: dict[str, Any]) -> None:
    """An ``ingest`` or ``validate`` run; ``options`` are the command's options by name."""
    from pipelines.core.discovery import discover
    from pipelines.core.region_map import mapped_regions
    from pipelines.execution.parallelism import ParallelismError

    try:
        settings = RunSettings.from_options(options)
        # Stage 1 before the run's module is imported: a path that names no report fails
        # here without paying for pandas, pandera and the readers.
        discovered = discover(list(paths))
        regions = mapped_regions(paths)  # a folder's regions.toml, as a scheduled run reads it
        found = discovered.documents
        if not found and not discovered.skipped:
            _fail(
                _("no report files found in {paths}").format(
                    paths=", ".join(printable_path(p) for p in paths)
                ),
                2,
            )
        from parsers.formats.ocr import ocr_pages
        from pipelines.core.run import Run, RunFailed
        from pipelines.execution.parallelism import choose_parallelism

        run = Run.start(settings, "ingest" if load else "validate")
        try:
            run.check_places(discovered)  # before parsing anything
        except RunFailed as exc:
            _fail_with_report(exc)
        pdfs = sum(1 for path in found if str(path).lower().endswith(".pdf"))
        scanned = sum(ocr_pages(path) for path in found if isinstance(path, Path))
        parallelism = choose_parallelism(
            pdfs, options["parallel"], options["workers"], options["dask_address"], scanned
        )
    except (SettingsError, ParallelismError) as exc:
        _fail(str(exc), 2)

    from pipelines.execution.interrupts import forget_commit, stop_on_signals
    from pipelines.render.progress_bar import terminal_progress
    from warehouse import WarehouseError

    where, api_url = _where_to_run(options["prefect"], parallelism)
    forget_commit()
    try:
        with stop_on_signals():
            with terminal_progress(err, len(found), parallelism.describe()) as progress:
                if where == "flow":
                    from pipelines.flows.run_flow import run_ingest_flow

                    # the flow run runs its own stages, from discovery on (as a deployment's
                    # run does): skipped files are reported, not read
                    report = run_ingest_flow(
                        paths,
                        settings,
                        load=load,
                        parallelism=parallelism,
                        progress=progress,
                        regions=regions,
                        api_url=api_url,
                    )
                else:
                    from pipelines.core.run import run_discovered

                    report = run_discovered(
                        run,
                        discovered,
                        parallelism=parallelism,
                        on_wait=lambda m: err.print(m, markup=False),
                        regions=regions,
                        progress=progress,
                    )
    except RunFailed as exc:
        _fail_with_report(exc)
    except WarehouseError as exc:
        _fail(str(exc), 1)
    if report.get("flow_run_unrecorded"):
        err.print(for_terminal(report["flow_run_unrecorded"]), markup=False)
        # Prefect would spend seconds a message at exit trying to send what it still holds.
        global leave_without_prefect_cleanup
        leave_without_prefect_cleanup = True
    from pipelines.render.validation import summary_line

    with stop_on_signals():  # an interrupt now says the load was committed
        for document in report["documents"]:
            _print_document(document, load)
        out.print(summary_line(report), markup=False)
        out.print(
            _("validation report: {html} (json: {json})").format(
                html=report["report_files"]["html"], json=report["report_files"]["json"]
            ),
            markup=False,
        )
    raise typer.Exit(1 if rejected_anything(report) else 0)


def rejected_anything(report: dict[str, Any]) -> bool:
    """Whether a run rejected a row or a document: exit status 1, a Failed flow run."""
    totals = report["totals"]
    return totals["rejected"] + totals["partial"] > 0 or totals["rows_quarantined"] > 0


ParallelOpt = Annotated[
    str,
    typer.Option(
        "--parallel",
        help=_(
            "Where documents are parsed: auto (processes for many PDFs), threads, processes or "
            "dask."
        ),
    ),
]
OcrConfidenceOpt = Annotated[
    float | None,
    typer.Option(
        "--ocr-min-confidence",
        help=_(
            "Scans: warn about every item number, completion rate, department and leader OCR "
            "read with less confidence than this (0-1) [default: 0.9]"
        ),
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help=_("Parsing processes or Dask workers [default: one per CPU]"),
        show_default=False,
    ),
]
RawOpt = Annotated[
    Path | None,
    typer.Option(
        "--raw-dir",
        help=_("Where originals are archived [default: raw/ beside the database]"),
        show_default=False,
    ),
]
PrefectOpt = Annotated[
    bool | None,
    typer.Option(
        "--prefect/--no-prefect",
        help=_(
            "Record a Prefect flow run even when no Prefect API is configured (starts a "
            "temporary server), or run in this process even when one is [default: a flow run "
            "when $PREFECT_API_URL or the Prefect profile names an API]"
        ),
        show_default=False,
    ),
]
DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        help=_(
            "Parse on this Dask scheduler, e.g. tcp://10.0.0.5:8786 (--parallel dask without it "
            "starts a local cluster)."
        ),
    ),
]


MaxPagesOpt = Annotated[
    int | None,
    typer.Option(
        "--max-pages",
        help=_("Reject a PDF with more pages than this [default: {pages}]").format(
            pages=DEFAULTS.parse.max_pages
        ),
        show_default=False,
    ),
]

ParseTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--parse-timeout",
        help=_(
            "Stop and reject a document still parsing after this many seconds [default: {seconds}]"
        ).format(seconds=f"{DEFAULTS.parse.parse_seconds:g}"),
        show_default=False,
    ),
]

ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace",
        help=_(
            "Replace the period's loaded rows with the report even when it holds fewer items "
            "(or the same file again: bringing a replaced month back); the old rows are kept "
            "in replaced_rows."
        ),
    ),
]


def _run_command(load: bool, doc: str) -> Any:
    """The ``ingest`` (``load``) or ``validate`` command: the same options, one run."""

    def command(
        paths: PathsArg,
        db: DbOpt = None,
        region: RegionOpt = None,
        year: YearOpt = None,
        month: MonthOpt = None,
        reports_dir: ReportsOpt = None,
        raw_dir: RawOpt = None,
        parallel: ParallelOpt = "auto",
        workers: WorkersOpt = None,
        dask_address: DaskOpt = None,
        prefect: PrefectOpt = None,
        layouts: LayoutsOpt = None,
        max_pages: MaxPagesOpt = None,
        parse_timeout: ParseTimeoutOpt = None,
        ocr_min_confidence: OcrConfidenceOpt = None,
        fetch_timeout: FetchTimeoutOpt = None,
        replace_periods: ReplaceOpt = False,
        lang: LangOpt = None,
    ) -> None:
        options = dict(locals())  # the command's options by name, before anything else
        _speak(lang)
        _run(paths, load=load, options=options)

    command.__doc__ = doc
    return command


ingest = app.command("ingest", cls=CommandInWords)(
    _run_command(
        True, _("Parse, validate and load reports into the warehouse; write a validation report.")
    )
)
validate = app.command("validate", cls=CommandInWords)(
    _run_command(
        False,
        _("Parse and validate exactly as ingest does, load nothing, write the validation report."),
    )
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command(
    cls=CommandInWords,
    help=_("Run one query on a read-only connection that reaches no other file or setting."),
)
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
    _speak(lang)
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
        _fail(str(exc), 1)
    out.file.write(text)
    out.file.flush()
    if cut:
        err.print(cut, markup=False)


@app.command(
    cls=CommandInWords,
    help=_("Print a region's month: items, complete, behind with streaks, movers, departments."),
)
def report(
    region: RegionOpt = None,
    year: Annotated[
        int | None, typer.Option("--year", help=_("Year [default: the latest reported]."))
    ] = None,
    month: Annotated[
        int | None,
        typer.Option("--month", help=_("Month 1–12 [default: the latest reported].")),
    ] = None,
    db: DbOpt = None,
    html: Annotated[
        Path | None, typer.Option("--html", help=_("Also write the month as a page with charts."))
    ] = None,
    lang: LangOpt = None,
) -> None:
    _speak(lang)
    from pipelines.render.month import print_summary, write_html
    from warehouse import WarehouseError
    from warehouse.monthly import month_summary

    try:
        settings = RunSettings.build(db=db, region=region, year=year, month=month)
        summary = month_summary(settings.db, region, year, month)
    except SettingsError as exc:
        _fail(str(exc), 2)
    except WarehouseError as exc:
        _fail(str(exc), 1)
    print_summary(summary, out)
    if html is not None:
        page = write_html(summary, html, database=str(settings.db))
        out.print("\n" + _("page: {path}").format(path=page), markup=False)


def _say_now(text: str) -> None:
    # Flushed at once: the served runs write their logs to the same stream from other threads.
    out.print(text, markup=False)
    out.file.flush()


@app.command(
    cls=CommandInWords,
    help=_("Serve the monthly deployment of prefect.yaml on its cron schedule, until Ctrl-C."),
)
def serve(
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help=_("Folder the monthly run scans [default: from prefect.yaml, data/inbox]"),
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    reports_dir: ReportsOpt = None,
    region: RegionOpt = None,
    year: YearOpt = None,
    month: MonthOpt = None,
    export_dir: Annotated[
        Path | None,
        typer.Option(
            "--export", help=_("Also write each loaded period as Parquet under this folder.")
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help=_("Deployment file [default: ./prefect.yaml]"), show_default=False
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    _speak(lang)
    from pipelines.core.region_map import REGION_MAP_NAME, read_region_map
    from pipelines.flows.api_server import ServerError
    from pipelines.flows.deployment import read_deployment
    from pipelines.flows.serving import deployment_parameters, serve_monthly

    try:
        settings = RunSettings.build(
            db=db, reports_dir=reports_dir, region=region, year=year, month=month
        )
        spec = read_deployment(config)
        parameters = deployment_parameters(spec, inbox, settings, export_dir)
        mapping = read_region_map(parameters["inbox"])  # checked now, not at the 5th's run
        if mapping.folders or mapping.files:
            _say_now(
                _(
                    "regions of the inbox's reports from {path}: {folders} folders, {files} "
                    "file-name patterns"
                ).format(
                    path=Path(parameters["inbox"]) / REGION_MAP_NAME,
                    folders=len(mapping.folders),
                    files=len(mapping.files),
                )
            )
        serve_monthly(spec, parameters, log_dir=settings.db.parent, say=_say_now)
    except (SettingsError, ServerError) as exc:
        _fail(str(exc), 2)


@app.command(
    cls=CommandInWords,
    help=_(
        "Write progress rows as Parquet partitioned by region/year/month (all periods, or some)."
    ),
)
def export(
    out_dir: Annotated[
        Path, typer.Argument(help=_("Folder for the Parquet files."), metavar=_("FOLDER"))
    ],
    db: DbOpt = None,
    region: RegionOpt = None,
    year: YearOpt = None,
    month: MonthOpt = None,
    lang: LangOpt = None,
) -> None:
    _speak(lang)
    from warehouse import WarehouseError, export_periods, loaded_periods

    try:
        settings = RunSettings.build(db=db, region=region, year=year, month=month)
        period = settings.period
        periods = [
            p
            for p in loaded_periods(settings.db)
            if (
                period.region in (None, p[0])
                and period.year in (None, p[1])
                and period.month in (None, p[2])
            )
        ]
        folders = export_periods(settings.db, out_dir, periods)
    except (WarehouseError, SettingsError) as exc:
        _fail(str(exc), 1)
    out.print(
        _("{n} periods written as Parquet under {folder}").format(n=len(folders), folder=out_dir),
        markup=False,
    )


def _add_web() -> None:
    from pipelines.cli.web import web_app

    app.add_typer(web_app, name="web")


_add_web()
