"""``minsheng sql`` in-process: refusals exit 1 with one line, data is printed as written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipelines.cli import app
from tests.warehouse.test_analysis import FIVE_MINUTE_QUERY
from warehouse import connect

runner = CliRunner()

HOSTILE = "[/] [red]red[/red] :x: [x](javascript:alert(1)) a|b\nnext line <script>alert(1)</script>"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    return path


def _sql(db: Path, *args: str) -> Result:
    return runner.invoke(app, ["sql", *args, "--db", str(db)])


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("COPY (SELECT 1) TO '{tmp}/x.csv'", "COPY statements are refused"),
        ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
        ("ATTACH '{tmp}/other.duckdb' AS w (READ_WRITE)", "ATTACH statements are refused"),
        ("INSTALL httpfs", "INSTALL and LOAD statements are refused"),
        ("SET enable_external_access = true", "SET statements are refused"),
        ("SELECT 1; SELECT 2", "2 statements given"),
    ],
)
def test_refused_with_a_message_and_exit_1(
    db: Path, tmp_path: Path, statement: str, says: str
) -> None:
    done = _sql(db, statement.format(tmp=tmp_path))
    assert done.exit_code == 1
    assert done.stdout == ""
    assert done.stderr.startswith("error: ") and says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()


@pytest.mark.waits
def test_a_five_minute_query_stops_at_the_timeout(db: Path) -> None:
    done = _sql(db, FIVE_MINUTE_QUERY, "--timeout", "1")
    assert done.exit_code == 1
    assert done.stderr == (
        "error: query stopped after 1 s (the timeout): narrow it with WHERE or LIMIT, "
        "or pass a longer --timeout\n"
    )


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_markup_and_html_in_data_print_as_written(db: Path, fmt: str) -> None:
    literal = HOSTILE.replace("'", "''").replace("\n", "' || chr(10) || '")
    done = _sql(db, f"SELECT '{literal}' AS \"[/]\"", "--format", fmt, "--full")
    assert done.exit_code == 0, done.stderr
    if fmt == "json":
        assert json.loads(done.stdout) == [{"[/]": HOSTILE}]
    elif fmt == "csv":
        assert done.stdout == f'[/]\n"{HOSTILE}"\n'
    else:
        lines = [line.strip() for line in done.stdout.splitlines()]
        assert lines[0] == "[/]"
        assert lines[2] == HOSTILE.splitlines()[0]
        assert lines[3] == HOSTILE.splitlines()[1]
        assert lines[-1] == "1 row"


def test_the_row_cap_is_said_on_stderr(db: Path) -> None:
    done = _sql(db, "SELECT range AS n FROM range(10)", "--max-rows", "3", "--format", "csv")
    assert done.exit_code == 0
    assert done.stdout == "n\n0\n1\n2\n"
    assert done.stderr == (
        "output stopped at 3 rows; the query returned more: narrow it (WHERE, LIMIT) "
        "or pass --max-rows\n"
    )
