"""The monthly flow: ingest the documents of an inbox folder that the warehouse has not seen."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from i18n import _, status_text
from pipelines.core.inbox import loaded_periods_of, scan_inbox
from pipelines.core.settings import RunSettings
from pipelines.flows.deployment import FLOW_NAME
from pipelines.flows.ingest import final_state, ingest_steps
from warehouse import export_periods


@flow(name=FLOW_NAME, validate_parameters=False)
def inbox_flow(
    inbox: str = "data/inbox",
    db: str | None = None,
    reports_dir: str | None = None,
    raw_dir: str | None = None,
    export_dir: str | None = None,
    region: str | None = None,
) -> Any:
    """Ingest the inbox's new documents (by sha256); export their periods as Parquet if asked.

    Files of the inbox that are not read (links out of it, FIFOs, devices) are rejected
    documents of the run, each with its reason, in the validation report and the summary.

    The documents are read, checked and loaded by tasks of this run, which holds their
    artifacts and ends Failed, with the summary as its message, when anything was rejected.
    """
    logger = get_run_logger()
    settings = RunSettings.build(db=db, reports_dir=reports_dir, raw_dir=raw_dir, region=region)
    found = scan_inbox(inbox, settings.db)
    if not found.documents and not found.skipped:
        logger.info(_("nothing new in {inbox}").format(inbox=inbox))
        return {"documents": [], "inbox": inbox}
    logger.info(_("{inbox}: {n} new documents").format(inbox=inbox, n=len(found.documents)))
    if found.skipped:
        # Reported every run, as the command line does, until someone removes them.
        logger.warning(
            _("{inbox}: {n} files not read (links out of it, FIFOs, devices)").format(
                inbox=inbox, n=len(found.skipped)
            )
        )
    report = ingest_steps(
        [str(p) for p in found.documents], settings, load=True, skipped=found.skipped
    )
    for document in report["documents"]:
        logger.info(
            _("{status} {name}: {loaded} rows loaded, {quarantined} quarantined").format(
                status=status_text(document["status"]),
                name=document["source_name"],
                loaded=document["rows_loaded"],
                quarantined=document["rows_quarantined"],
            )
        )
    if export_dir:
        folders = export_periods(settings.db, export_dir, loaded_periods_of(report))
        logger.info(
            _("exported {n} periods as Parquet under {folder}").format(
                n=len(folders), folder=export_dir
            )
        )
    return final_state(report)
