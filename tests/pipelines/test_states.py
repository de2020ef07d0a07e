"""What a Failed flow run's state message says: what was rejected and the first reasons why."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.core.run_report import RunReport
from tests.helpers import SAMPLE, broken_sample, ingest_report, month_file


def _report(paths: list[Path], tmp_path: Path, **options: str) -> RunReport:
    return ingest_report(
        [str(p) for p in paths],
        db=str(tmp_path / "w.duckdb"),
        reports_dir=str(tmp_path / "reports"),
        raw_dir=str(tmp_path / "raw"),
        **options,
    )


def test_a_rejected_document_says_why_without_the_advice_for_the_command_line(
    tmp_path: Path,
) -> None:
    from pipelines.flows.ingest import failure_message

    nameless = tmp_path / "in" / "2022年8月.txt"  # neither title nor file name says the region
    nameless.parent.mkdir()
    shutil.copyfile(SAMPLE, nameless)
    report = _report([nameless], tmp_path)
    [issue] = report.documents[0].issues
    assert issue["message"].endswith(": pass --region NAME")  # the report says what to do
    assert failure_message(report) == (
        "1 document rejected (no region found in the title or the file name), 0 rows loaded, "
        "0 quarantined, 0 warnings"
    )


def test_rows_quarantined_in_several_documents_name_the_document_and_the_place(
    tmp_path: Path,
) -> None:
    from pipelines.flows.ingest import failure_message

    broken = broken_sample(tmp_path / "in")
    september = month_file(tmp_path / "in", 9)
    empty = tmp_path / "in" / "2022年10月.txt"
    empty.write_text("", "utf-8")
    report = _report([broken, september, empty], tmp_path, region="乐清市")
    assert failure_message(report) == (
        "1 of 3 documents rejected (the file is empty), 93 rows loaded, 3 quarantined "
        "(2022年8月民生实事项目进展情况.txt line 2: leader (具体分管领导) is empty; "
        "2022年8月民生实事项目进展情况.txt line 3: completion rate '待核实' is not a percentage; "
        "… and 1 more), 10 warnings"
    )


def test_the_state_message_speaks_the_run_language(tmp_path: Path) -> None:
    from i18n import use_language
    from pipelines.flows.ingest import failure_message

    use_language("zh")
    report = _report([broken_sample(tmp_path / "in")], tmp_path, region="乐清市")
    message = failure_message(report)
    assert message.startswith("共 1 个文件，入库 45 行，隔离 3 行（第2行：")
    assert message.endswith("；……另有 1 条），警告 4 条")
