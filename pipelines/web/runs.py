"""Checking and loading what an office sent, through the stages ``validate`` and ``ingest``
run, one run at a time in a worker thread that the page polls for progress.

One at a time: a run already spreads its parsing over the machine's cores, and the warehouse
has one writer. A load reuses what the check read (``Checked``): a scan is not OCR'd twice,
and what loads is what the office saw in the report, as long as the stored files still hold
the bytes that were checked.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from i18n import _, speaking
from parsers.formats.ocr import PageDone
from pipelines.core.fetching import address_problem
from pipelines.core.settings import PeriodOptions, RunSettings, SettingsError
from pipelines.execution.progress import SILENT
from pipelines.execution.progress import Progress as RunProgress
from pipelines.web.store import Account, Store, Submission

if TYPE_CHECKING:
    from pipelines.core.checking import DocumentResult
    from pipelines.core.run_report import RunReport


@dataclass
class Progress:
    """What the page shows while a run works: documents parsed, pages of a scan read."""

    documents_done: int = 0
    documents: int = 0
    pages_done: int = 0
    pages: int = 0
    current: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Checked:
    """What a submission's check read: each document's result by path, and the period options
    (an office's region) it was read with."""

    period: PeriodOptions
    results: dict[str, DocumentResult]

    def reusable(
        self, documents: Sequence[str | Path], period: PeriodOptions
    ) -> list[DocumentResult] | None:
        """The results for a load of ``documents`` with ``period``, in their order; None when
        the load would read them otherwise or any file changed since (read them again)."""
        from pipelines.core.checking import checked_from_same_bytes

        if period != self.period:
            return None
        return checked_from_same_bytes(documents, self.results)


#: How many submissions' checks are kept for their load (the latest ones).
CHECKS_KEPT = 16


@dataclass
class Jobs:
    """The runs asked for by the page: one worker thread, each run's progress by submission,
    and the latest checks for the loads that follow them."""

    store: Store
    settings: RunSettings
    progress: dict[str, Progress] = field(default_factory=dict)
    checked: OrderedDict[str, Checked] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minsheng-web-run")
        self._lock = threading.Lock()

    def _keep_check(self, sid: str, checked: Checked) -> None:
        self.checked[sid] = checked
        self.checked.move_to_end(sid)
        while len(self.checked) > CHECKS_KEPT:
            self.checked.popitem(last=False)

    def check(self, submission: Submission, account: Account, language: str) -> Future[None]:
        self.progress[submission.id] = Progress(documents=len(submission.sources))
        return self._pool.submit(self._run, submission.id, account, language, False, False)

    def load(
        self, submission: Submission, account: Account, language: str, replace: bool
    ) -> Future[None]:
        self.progress[submission.id] = Progress(documents=len(submission.sources))
        self.store.update_submission(submission.id, state="loading")
        return self._pool.submit(self._run, submission.id, account, language, True, replace)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, sid: str, account: Account, language: str, load: bool, replace: bool) -> None:
        from pipelines.core.run import RunFailed
        from warehouse import WarehouseError

        progress = self.progress[sid]

        def parsed(done: int, total: int, name: str) -> None:
            progress.documents_done, progress.documents, progress.current = done, total, name

        def page(done: PageDone) -> None:
            progress.pages_done, progress.pages = done.page, done.pages
            progress.current = done.source_name

        submission = self.store.submission(sid)
        assert submission is not None
        told = RunProgress(document_done=parsed, page_done=page)
        settings = run_settings(self.settings, office_region(account), replace)
        with speaking(language):
            try:
                if load:
                    report = load_sources(
                        list(submission.sources), settings, told, self.checked.pop(sid, None)
                    )
                else:
                    report, checked = check_sources(list(submission.sources), settings, told)
                    self._keep_check(sid, checked)
            except RunFailed as exc:
                self.store.update_submission(
                    sid, state="failed", problem=exc.message, **{_key(load): exc.report.as_json()}
                )
                return
            except (WarehouseError, SettingsError) as exc:
                self.store.update_submission(sid, state="failed", problem=str(exc))
                return
            except Exception as exc:  # a bug: the page says so, the server goes on
                self.store.update_submission(
                    sid,
                    state="failed",
                    problem=_("unexpected failure: {kind}: {problem}").format(
                        kind=type(exc).__name__, problem=exc
                    ),
                )
                return
        self.store.update_submission(
            sid, state="loaded" if load else "checked", **{_key(load): report.as_json()}
        )
        self.store.audit(
            account.name,
            "load" if load else "check",
            _audit_detail(report),
            None,
        )


def office_region(account: Account) -> str | None:
    """The region a document of ``account`` is of when it names none: an office's only one."""
    return account.regions[0] if not account.is_admin and len(account.regions) == 1 else None


def _key(load: bool) -> str:
    return "load_report" if load else "check_report"


def _audit_detail(report: RunReport) -> str:
    return "; ".join(
        f"{d.source_name} {d.region or '?'} {d.year or '?'}-{d.month or '?'} {d.status} "
        f"{d.rows_loaded}/{d.rows_quarantined}"
        for d in report.documents
    )


def run_settings(base: RunSettings, region: str | None, replace: bool) -> RunSettings:
    """The page's settings for one office's run: ``region`` (an office's only region) passed
    as ``--region`` would be, for documents that do not say theirs (one that names another
    region is warned about, the option wins, and ``load_decision`` refuses to load it);
    ``replace`` as ``--replace``."""
    return dataclasses.replace(
        base, period=dataclasses.replace(base.period, region=region), replace_periods=replace
    )


def check_sources(
    sources: list[str], settings: RunSettings, progress: RunProgress = SILENT
) -> tuple[RunReport, Checked]:
    """``validate`` of ``sources``: its validation report, written to the reports folder as
    the command line writes it, and what it read, for the load; ``progress`` is told of each
    document and scanned page done."""
    from pipelines.core.run import Run, read_documents

    run = Run.start(settings, "validate")
    found = run.discover(sources)
    run.check_places(found)
    parsed = read_documents(run, found, progress=progress)
    report = run.after_reading(parsed, found.skipped)
    return report, Checked(settings.period, {result.path: result for result in parsed})


def load_sources(
    sources: list[str],
    settings: RunSettings,
    progress: RunProgress = SILENT,
    checked: Checked | None = None,
) -> RunReport:
    """``ingest`` of ``sources``, through the same lock, archive and run record as the command
    line's (a recorded Prefect flow run when an API is configured); its validation report.

    The documents ``checked`` read are loaded as they were checked, not read again, when the
    stored files still hold the bytes that were checked (their sha256) and the period options
    are the same; otherwise (a file changed, no check kept since the server started) they are
    read and checked again, as ``ingest`` does.
    """
    from pipelines.core.discovery import discover

    reused = None
    if checked is not None:
        reused = checked.reusable(discover(list(sources)).documents, settings.period)
    for done, result in enumerate(reused or [], start=1):  # the page shows them read already
        progress.document_done(done, len(reused or []), result.path)
    if _flow_api() is not None:
        from pipelines.flows.run_flow import run_ingest_flow

        return run_ingest_flow(sources, settings, load=True, progress=progress, checked=reused)
    from pipelines.core.run import load_checked, run_pipeline

    if reused is not None:
        return load_checked(sources, reused, settings)
    return run_pipeline(sources, settings, load=True, progress=progress)


def _flow_api() -> str | None:
    """The Prefect API a load is recorded on, as ``ingest`` chooses it: only one the user
    configured ($PREFECT_API_URL, a profile) that answers; else the load runs in this process."""
    from pipelines.flows.api_server import CONFIGURED_API_SECONDS, configured_api, is_healthy

    api = configured_api()
    if api is not None and is_healthy(api.url, timeout=CONFIGURED_API_SECONDS):
        return api.url
    return None


def url_problem(url: str, networks: tuple[str, ...] = ()) -> str | None:
    """Why the server will not fetch ``url`` for an office, or None (said at once, before the
    run; the fetch checks again at every redirect).

    The page fetches on the server's side: an address on the server's own network (its
    Prefect API, a router) must not be reachable through it, unless ``networks`` (``minsheng
    web --allow-network``) names it.
    """
    return address_problem(url, networks)


def safe_file_name(name: str | None) -> str | None:
    """An uploaded file's own name, without any folder part; None when nothing is left."""
    if not name:
        return None
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base in (".", "..") or base.startswith("."):
        return None
    return base[:200]
