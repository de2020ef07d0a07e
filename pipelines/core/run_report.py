"""The run's report as data, in the shape CONTRACT.md fixes: its id, its documents and totals.

Built here from the run's outcomes; ``pipelines/render/validation.py`` draws it (JSON, HTML,
Markdown) and writes it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from pipelines.core.load_run import DocumentOutcome


def new_run_id(now: datetime | None = None) -> str:
    """``20260805T090000-1a2b3c``: sorts by time, unique across concurrent runs."""
    import secrets

    now = now or datetime.now()
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def build_run_report(
    run_id: str,
    started_at: datetime,
    command: str,
    outcomes: list[DocumentOutcome],
    *,
    database: str | None = None,
) -> dict[str, Any]:
    """The report in the shape CONTRACT.md fixes, with a few extra keys."""
    documents = [document_record(outcome) for outcome in outcomes]
    return {
        "run_id": run_id,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "command": command,
        "database": database,
        "documents": documents,
        "totals": totals(outcomes),
    }


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


def totals(outcomes: list[DocumentOutcome]) -> dict[str, int]:
    statuses = Counter(o.status for o in outcomes)
    changed = [o for o in outcomes if o.status != "unchanged"]
    return {
        "documents": len(outcomes),
        "loaded": statuses["loaded"],
        "partial": statuses["partial"],
        "rejected": statuses["rejected"],
        "unchanged": statuses["unchanged"],
        "rows_loaded": sum(o.rows_loaded for o in changed),
        "rows_quarantined": sum(o.rows_quarantined for o in changed),
        "errors": sum(1 for o in outcomes for i in o.issues if i["severity"] == "error"),
        "warnings": sum(1 for o in outcomes for i in o.issues if i["severity"] == "warning"),
    }
