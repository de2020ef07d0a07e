"""``--layouts FILE`` and ``layouts.toml`` beside the warehouse: checked once, then used."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.core.checking import check_document
from pipelines.core.settings import PeriodOptions, RunSettings, SettingsError

TABLE = (
    "2022年乐清市民生实事项目8月份进展情况\n"
    "项目内容 | 当前进度 | 承办单位 |\n"
    "(1)吸收60所 | 已完成 | 市教育局 |\n"
    "(2)组建教共体 | 已完成 | 市教育局 |\n"
)
NAMES = '[columns.department]\nnames = ["承办单位"]\n'


def test_a_layouts_file_beside_the_warehouse_is_used(tmp_path: Path) -> None:
    report = tmp_path / "in" / "report.txt"
    report.parent.mkdir()
    report.write_text(TABLE, encoding="utf-8")
    without = check_document(report, RunSettings.build(db=tmp_path / "w.duckdb").period)
    assert without.status == "rejected"
    assert "no 责任单位 column" in (without.problem or "")

    (tmp_path / "layouts.toml").write_text(NAMES, encoding="utf-8")
    settings = RunSettings.build(db=tmp_path / "w.duckdb")
    assert settings.period.layouts == str(tmp_path / "layouts.toml")
    result = check_document(report, settings.period)
    assert result.status == "loaded"
    assert list(result.rows.department) == ["市教育局", "市教育局"]
    assert result.rows.leader.isna().all()


def test_a_bad_layouts_file_is_a_settings_error(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text("[columns.departmnet]\nnames = ['承办单位']\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"^--layouts .*mine\.toml: columns\.departmnet: "):
        RunSettings.build(db=tmp_path / "w.duckdb", layouts=bad)
    assert PeriodOptions().layouts is None


def test_the_command_refuses_a_bad_layouts_file_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text("[columns.leader\n", encoding="utf-8")
    report = tmp_path / "2022年8月乐清市民生实事.txt"
    report.write_text(TABLE, encoding="utf-8")
    done = CliRunner().invoke(
        app, ["validate", str(report), "--layouts", str(bad), "--db", str(tmp_path / "w.duckdb")]
    )
    assert done.exit_code == 2
    assert "mine.toml: not valid TOML (Expected ']' at the end of a table declaration" in (
        done.output
    )
    assert "Traceback" not in done.output
