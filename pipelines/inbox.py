"""The monthly run: ingest the documents of an inbox folder that the warehouse has not seen."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from pipelines.documents import discover_documents
from pipelines.flow import ingest_flow
from pipelines.schedule import FLOW_NAME
from pipelines.settings import RunSettings, SettingsError
from warehouse import export_periods, seen_sha256s


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unseen_documents(inbox: str | Path, db: str | Path) -> list[Path]:
    """Report files under ``inbox`` whose bytes the warehouse has not loaded; files stay put."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise SettingsError(f"inbox {inbox} is not a folder")
    seen = seen_sha256s(db)
    return [path for path in discover_documents([inbox]) if file_sha256(path) not in seen]


def loaded_periods_of(report: dict[str, Any]) -> list[tuple[str, int, int]]:
    """The periods a run wrote rows for."""
    return sorted(
        {
            (d["region"], d["year"], d["month"])
            for d in report["documents"]
            if d["status"] in ("loaded", "partial") and d["year"] is not None
        }
    )


@flow(name=FLOW_NAME, validate_parameters=False)
def inbox_flow(
    inbox: str = "data/inbox",
    db: str | None = None,
    reports_dir: str | None = None,
    raw_dir: str | None = None,
    export_dir: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """Ingest the inbox's new documents (by sha256); export their periods as Parquet if asked."""
    logger = get_run_logger()
    settings = RunSettings.build(db=db, reports_dir=reports_dir, raw_dir=raw_dir, region=region)
    new = unseen_documents(inbox, settings.db)
    if not new:
        logger.info("nothing new in %s", inbox)
        return {"documents": [], "inbox": inbox}
    logger.info("%s: %d new documents", inbox, len(new))
    report = ingest_flow(
        paths=[str(p) for p in new],
        db=str(settings.db),
        reports_dir=str(settings.reports_dir),
        raw_dir=str(settings.raw_dir),
        region=settings.period.region,
    )
    for document in report["documents"]:
        logger.info(
            "%s %s: %s rows loaded, %s quarantined",
            document["status"],
            document["source_name"],
            document["rows_loaded"],
            document["rows_quarantined"],
        )
    if export_dir:
        folders = export_periods(settings.db, export_dir, loaded_periods_of(report))
        logger.info("exported %d periods as Parquet under %s", len(folders), export_dir)
    return report
