"""``minsheng ingest`` and ``validate``: one run of the pipeline, in this process or recorded
as a Prefect flow run, with the same options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from i18n import _
from limits import DEFAULTS
from parsers.names import printable_path
from pipelines.cli.run_output import fail_with_report, print_document
from pipelines.cli.shared import (
    DbOpt,
    FetchTimeoutOpt,
    LangOpt,
    LayoutsOpt,
    MonthOpt,
    PathsArg,
    RegionOpt,
    ReportsOpt,
    YearOpt,
    err,
    fail,
    out,
    speak,
)
from pipelines.core.settings import RunSettings, SettingsError
from pipelines.render.terminal import for_terminal

#: Set when a run lost its Prefect API: ``pipelines.cli.main`` then leaves without Prefect's
#: exit handlers, which would retry sending events to it for seconds each.
leave_without_prefect_cleanup = False


def _where_to_run(prefect: bool | None, parallelism: Any) -> tuple[str, str | None]:
    """``"flow"`` or ``"core"``, and the API a flow run records to (None: a temporary server).
    A flow run is recorded only where the user chose a Prefect API ($PREFECT_API_URL, a
    Prefect profile) or asked for one (``--prefect``, ``--parallel dask``), never because some
    server answers on a port; the first line on stderr then says which. A run in this process
    says nothing about Prefect."""
    from pipelines.flows.api_server import CONFIGURED_API_SECONDS, configured_api, is_healthy

    asked = "--prefect" if prefect else "--parallel dask" if parallelism.mode == "dask" else None
    if prefect is False and asked is None:
        return "core", None
    api = configured_api()
    if api is not None:
        if is_healthy(api.url, timeout=CONFIGURED_API_SECONDS):
            said = (
                _("recording a Prefect flow run (API at $PREFECT_API_URL {api})")
                if api.source == "environment"
                else _("recording a Prefect flow run (API of the Prefect profile {profile}: {api})")
            )
            err.print(said.format(api=api.url, profile=api.profile), markup=False)
            return "flow", api.url
        if asked is not None:
            fail(
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
            fail(
                _("no report files found in {paths}").format(
                    paths=", ".join(printable_path(p) for p in paths)
                ),
                2,
            )
        from parsers.formats.ocr import ocr_pages
        from pipelines.execution.parallelism import choose_parallelism, start_parse_server

        pdfs = sum(1 for path in found if str(path).lower().endswith(".pdf"))
        choice = (options["parallel"], options["workers"], options["dask_address"])
        # The parse server warms up while this process counts scanned pages and imports the
        # run's modules, as soon as the PDFs alone choose processes (scans only add to it).
        start_parse_server(choose_parallelism(pdfs, *choice), found)
        scanned = sum(ocr_pages(path) for path in found if isinstance(path, Path))
        parallelism = choose_parallelism(pdfs, *choice, scanned)
        start_parse_server(parallelism, found)
        from pipelines.core.run import Run, RunFailed

        run = Run.start(settings, "ingest" if load else "validate")
        try:
            run.check_places(discovered)  # before parsing anything
        except RunFailed as exc:
            fail_with_report(exc)
    except (SettingsError, ParallelismError) as exc:
        fail(str(exc), 2)

    from pipelines.execution.interrupts import (
        FLOW_RUN_GRACE_SECONDS,
        GRACE_SECONDS,
        forget_commit,
        stop_on_signals,
    )
    from pipelines.render.progress_bar import terminal_progress
    from warehouse import WarehouseError

    where, api_url = _where_to_run(options["prefect"], parallelism)
    forget_commit()
    try:
        with stop_on_signals(FLOW_RUN_GRACE_SECONDS if where == "flow" else GRACE_SECONDS):
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
        fail_with_report(exc)
    except WarehouseError as exc:
        fail(str(exc), 1)
    if report.flow_run_unrecorded:
        err.print(for_terminal(report.flow_run_unrecorded), markup=False)
        # Prefect would spend seconds a message at exit trying to send what it still holds.
        global leave_without_prefect_cleanup
        leave_without_prefect_cleanup = True
    from pipelines.render.validation import summary_line

    with stop_on_signals():  # an interrupt now says the load was committed
        for document in report.documents:
            print_document(document, load)
        out.print(summary_line(report.as_json()), markup=False)
        assert report.report_files is not None  # the run wrote it, or raised RunFailed
        out.print(
            _("validation report: {html} (json: {json})").format(
                html=report.report_files.html, json=report.report_files.json
            ),
            markup=False,
        )
    raise typer.Exit(1 if report.totals.rejected_anything else 0)


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
OcrCacheOpt = Annotated[
    bool,
    typer.Option(
        "--ocr-cache/--no-ocr-cache",
        help=_(
            "Scans: keep the pages read by OCR beside the database and take a page read before "
            "from there, or read every page again [default: keep]"
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
        ocr_cache: OcrCacheOpt = True,
        fetch_timeout: FetchTimeoutOpt = None,
        replace_periods: ReplaceOpt = False,
        lang: LangOpt = None,
    ) -> None:
        options = dict(locals())  # the command's options by name, before anything else
        speak(lang)
        _run(paths, load=load, options=options)

    command.__doc__ = doc
    return command


ingest = _run_command(
    True, _("Parse, validate and load reports into the warehouse; write a validation report.")
)
validate = _run_command(
    False,
    _("Parse and validate exactly as ingest does, load nothing, write the validation report."),
)
