"""One run of the broken August report in Chinese and one in English (``LANG=C``): what the
terminal, the validation report and the month page say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_NAME
from tests.helpers import Invoked, broken_sample, invoke

CHINESE = {"MINSHENG_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}
POSIX = {"MINSHENG_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C"}


@dataclass
class Run:
    folder: Path
    ingest: Invoked


def _run(folder: Path, env: dict[str, str | None]) -> Run:
    folder.mkdir()
    broken_sample(folder / "in")
    done = invoke(
        "ingest", "in", "--region", "乐清市", "--db", "w.duckdb", "--reports-dir", "reports",
        cwd=folder, env=env,
    )  # fmt: skip
    return Run(folder, done)


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(tmp_path_factory.mktemp("languages") / "zh", CHINESE)


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(tmp_path_factory.mktemp("languages") / "en", POSIX)


def test_a_chinese_locale_prints_the_run_in_chinese(chinese: Run) -> None:
    lines = chinese.ingest.stdout.splitlines()
    assert chinese.ingest.returncode == 1
    assert lines[:5] == [
        f"部分入库  {SAMPLE_NAME}  乐清市 2022年8月  入库 45 行，隔离 3 行",
        "          第2行：具体分管领导为空",
        "          第3行：完成率“待核实”不是百分数",
        "          第7行：该行有 7 个单元格；表头有 6 列，每行可有 3，4，5，6 个单元格",
        "共 1 个文件，入库 45 行，隔离 3 行，警告 2 条",
    ]
    assert lines[5].startswith("校验报告：reports/") and lines[5].endswith(".json）")
    assert chinese.ingest.stderr.splitlines()[0].startswith("在本进程内运行：未配置或未监听")


def test_lang_c_prints_the_run_in_english(english: Run) -> None:
    lines = english.ingest.stdout.splitlines()
    assert english.ingest.returncode == 1
    assert lines[:5] == [
        f"partial   {SAMPLE_NAME}  乐清市 2022-08  45 rows loaded, 3 quarantined",
        "          line 2: leader (具体分管领导) is empty",
        "          line 3: completion rate '待核实' is not a percentage",
        "          line 7: row has 7 cells; the header has 6 columns and a row may have 3, 4, 5, 6",
        "1 documents, 45 rows loaded, 3 quarantined, 2 warnings",
    ]
    assert lines[5].startswith("validation report: reports/")


def test_the_json_report_keeps_machine_fields_and_speaks_the_language(
    chinese: Run, english: Run
) -> None:
    import json

    def issues(run: Run) -> list[dict]:
        [path] = (run.folder / "reports").glob("*.json")
        return json.loads(path.read_text("utf-8"))["documents"][0]["issues"]

    zh, en = issues(chinese), issues(english)
    machine = ["check", "severity", "action", "column", "value", "source_line"]
    assert [{k: i[k] for k in machine} for i in zh] == [{k: i[k] for k in machine} for i in en]
    by_check = {i["check"]: i for i in zh}
    assert by_check["completion_is_percentage"]["message"] == "完成率“待核实”不是百分数"
    assert by_check["completion_is_percentage"]["rule"] == "完成率以百分数开头，如 72%"
    assert by_check["completion_is_percentage"]["action"] == "row quarantined"
    assert {i["check"]: i for i in en}["completion_is_percentage"]["rule"] == (
        "completion rate (完成率) starts with a percentage, e.g. 72%"
    )
