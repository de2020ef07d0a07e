"""The monthly flow: ingest the documents of an inbox folder that the warehouse has not seen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.states import Completed, Failed

from i18n import _, status_text
from pipelines.core.inbox import scan_inbox
from pipelines.core.region_map import read_region_map
from pipelines.core.settings import RunSettings, SettingsError
from pipelines.flows.deployment import FLOW_NAME
from pipelines.flows.ingest import ExpectedFailure, final_state, ingest_steps
from pipelines.render.markdown import markdown_text
from warehouse import export_periods


class InboxMisconfigured(ExpectedFailure):
    """The inbox's settings (its ``regions.toml``) cannot be used; the message says where."""


@flow(name=FLOW_NAME, validate_parameters=False)
def inbox_flow(
    inbox: str = "data/inbox",
    db: str | None = None,
    reports_dir: str | None = None,
    raw_dir: str | None = None,
    export_dir: str | None = None,
    region: str | None = None,
    year: int | None = None,
    month: int | None = None,
) -> Any:
    """Ingest the inbox's new documents (by sha256); export their periods as Parquet if asked.

    ``region``, ``year`` and ``month`` act as ``--region``, ``--year`` and ``--month`` for
    every document; the inbox's ``regions.toml`` gives the documents it covers their own
    region. Files of the inbox that are not read (links out of it, FIFOs, devices) are
    rejected documents of the run, each with its reason, in the validation report and the
    summary.

    The documents are read, checked and loaded by tasks of this run, which holds their
    artifacts and ends Failed, with what was rejected and why as its message, when anything
    was rejected.
    """
    options = dict(locals())  # the parameters, before anything else
    logger = get_run_logger()
    try:
        settings = RunSettings.from_options(options)
        mapping = read_region_map(inbox)
        found = scan_inbox(inbox, settings.db)
    except SettingsError as exc:
        logger.error(str(exc))
        return Failed(message=str(exc), data=InboxMisconfigured(str(exc)))
    if not found.documents and not found.skipped:
        said = _("nothing new in {inbox}: every report in it is loaded already").format(inbox=inbox)
        logger.info(said)
        # Said where the operator looks (the state, the Artifacts tab), not only in the log.
        create_markdown_artifact(markdown=markdown_text(said), description=said)
        return Completed(message=said, data={"documents": [], "inbox": inbox})
    logger.info(_("{inbox}: {n} new documents").format(inbox=inbox, n=len(found.documents)))
    if found.skipped:
        # Reported every run, as the command line does, until someone removes them.
        logger.warning(
            _("{inbox}: {n} files not read (links out of it, FIFOs, devices)").format(
                inbox=inbox, n=len(found.skipped)
            )
        )
    regions = {
        str(path): mapped
        for path in found.documents
        if (mapped := mapping.region_of(Path(path), Path(inbox))) is not None
    }
    report = ingest_steps(
        [str(p) for p in found.documents],
        settings,
        load=True,
        skipped=found.skipped,
        regions=regions,
    )
    for document in report.documents:
        logger.info(
            _("{status} {name}: {loaded} rows loaded, {quarantined} quarantined").format(
                status=status_text(document.status),
                name=document.source_name,
                loaded=document.rows_loaded,
                quarantined=document.rows_quarantined,
            )
        )
    if export_dir:
        folders = export_periods(settings.db, export_dir, report.loaded_periods())
        logger.info(
            _("exported {n} periods as Parquet under {folder}").format(
                n=len(folders), folder=export_dir
            )
        )
    return final_state(report)
