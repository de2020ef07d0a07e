"""The run's report as typed records: its id, its documents, its totals and where it was written.

``RunReport.as_json`` is the report in the shape CONTRACT.md fixes: what is written to disk,
attached to the Prefect flow run and kept by the intake page. The renderers
(``pipelines/render/validation.py``) draw that JSON form, as a reader of the file would: they
sit below this package and do not import it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pipelines.core.load_run import DocumentOutcome


def new_run_id(now: datetime | None = None) -> str:
    """``20260805T090000-1a2b3c``: sorts by time, unique across concurrent runs."""
    import secrets

    now = now or datetime.now()
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Totals:
    """The run's counts; rows of documents found ``unchanged`` are not counted again."""

    documents: int
    loaded: int
    partial: int
    rejected: int
    unchanged: int
    rows_loaded: int
    rows_quarantined: int
    errors: int
    warnings: int

    @classmethod
    def of(cls, outcomes: Sequence[DocumentOutcome]) -> Totals:
        statuses = Counter(o.status for o in outcomes)
        changed = [o for o in outcomes if o.status != "unchanged"]
        severities = Counter(i["severity"] for o in outcomes for i in o.issues)
        return cls(
            documents=len(outcomes),
            loaded=statuses["loaded"],
            partial=statuses["partial"],
            rejected=statuses["rejected"],
            unchanged=statuses["unchanged"],
            rows_loaded=sum(o.rows_loaded for o in changed),
            rows_quarantined=sum(o.rows_quarantined for o in changed),
            errors=severities["error"],
            warnings=severities["warning"],
        )

    @property
    def rejected_anything(self) -> bool:
        """Whether a row or a document was rejected: exit status 1, a Failed flow run."""
        return self.rejected + self.partial > 0 or self.rows_quarantined > 0


@dataclass(frozen=True)
class ReportFiles:
    """Where the report was written."""

    json: str
    html: str


@dataclass(frozen=True)
class RunReport:
    """One run's validation report.

    ``committed`` is false for a ``validate`` run and for a run that could not write the
    warehouse (``error`` says why). ``report_files`` is None until the report is written, and
    stays None when it could not be (``report_error`` says why, unless ``error`` does);
    ``flow_run_unrecorded`` says why a run meant as a Prefect flow run finished unrecorded.
    """

    run_id: str
    started_at: str
    finished_at: str
    command: str
    database: str | None
    documents: tuple[DocumentOutcome, ...]
    totals: Totals
    committed: bool
    error: str | None = None
    report_files: ReportFiles | None = None
    report_error: str | None = None
    flow_run_unrecorded: str | None = None

    @classmethod
    def of(
        cls,
        run_id: str,
        started_at: datetime,
        command: str,
        outcomes: Sequence[DocumentOutcome],
        *,
        database: str | None = None,
        committed: bool = False,
    ) -> RunReport:
        """The report of ``outcomes``, finished now."""
        return cls(
            run_id=run_id,
            started_at=started_at.isoformat(timespec="seconds"),
            finished_at=datetime.now().isoformat(timespec="seconds"),
            command=command,
            database=database,
            documents=tuple(outcomes),
            totals=Totals.of(outcomes),
            committed=committed,
        )

    def as_json(self, *, as_written: bool = False) -> dict[str, Any]:
        """The report in the shape CONTRACT.md fixes, with a few extra keys.

        ``as_written``: the file's content, which cannot say where it is nor how its writing
        went (no ``report_files``, ``report_error``, ``flow_run_unrecorded``).
        """
        out: dict[str, Any] = {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "command": self.command,
            "database": self.database,
            "documents": [document_record(outcome) for outcome in self.documents],
            "totals": asdict(self.totals),
            "committed": self.committed,
        }
        if self.error is not None:
            out["error"] = self.error
        if as_written:
            return out
        out["report_files"] = asdict(self.report_files) if self.report_files else None
        if self.report_error is not None:
            out["report_error"] = self.report_error
        if self.flow_run_unrecorded is not None:
            out["flow_run_unrecorded"] = self.flow_run_unrecorded
        return out

    def loaded_periods(self) -> list[tuple[str, int, int]]:
        """The periods the run wrote rows for."""
        return sorted(
            {
                (str(d.region), d.year, d.month)
                for d in self.documents
                if d.status in ("loaded", "partial") and d.year is not None and d.month is not None
            }
        )


def document_record(outcome: DocumentOutcome) -> dict[str, Any]:
    """A document's entry in the report, its keys in the order the report has always had."""
    source = outcome.source
    return {
        "source_name": source.name,
        "status": outcome.status,
        "rows_loaded": outcome.rows_loaded,
        "rows_quarantined": outcome.rows_quarantined,
        "report_id": outcome.report_id,
        "region": source.region,
        "year": source.year,
        "month": source.month,
        "source_format": source.format,
        "issues": [dict(issue) for issue in outcome.issues],
        "replaced_report": outcome.replaced_report,
        "archived": outcome.archived,
        "source_url": source.url,
        "load_kind": outcome.load_kind,
        "rows_replaced": outcome.rows_replaced,
    }
