"""docs/analysis.sql, the documented analyses, run as an analyst's SQL client runs them: on
the bundled months, through a plain read-only DuckDB connection, each giving the rows
docs/analysis.md shows."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.helpers import SECOND_REGION, TEXT_MONTHS, load

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _one_line(sql: str) -> str:
    return " ".join(sql.split()).rstrip(";")


def documented_queries() -> dict[str, int]:
    """Each ``minsheng sql "…"`` of docs/analysis.md, with the number of rows its output
    block shows (an ``N rows`` line, or the lines after a CSV header)."""
    text = (DOCS / "analysis.md").read_text("utf-8")
    found = {}
    pattern = r'minsheng sql "(?P<sql>[^"]+)"[^\n]*\n```\n\n```\n(?P<out>.*?)```'
    for match in re.finditer(pattern, text, re.S):
        out = match["out"].splitlines()
        rows = re.fullmatch(r"(\d+) rows?", out[-1])
        found[_one_line(match["sql"])] = int(rows[1]) if rows else len(out) - 1
    return found


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("months") / "months.duckdb"
    load([*TEXT_MONTHS, *SECOND_REGION], db)
    return db


def test_every_analysis_is_documented_and_gives_the_documented_rows(months: Path) -> None:
    documented = documented_queries()
    assert len(documented) == 5
    conn = duckdb.connect(str(months), read_only=True)  # as docs/warehouse.md shows
    try:
        sql = (DOCS / "analysis.sql").read_text("utf-8")
        statements = conn.extract_statements(sql)
        assert len(statements) == len(documented)
        for statement in statements:
            query = _one_line(re.sub(r"--[^\n]*", "", statement.query))
            assert query in documented, query
            rows = conn.execute(statement.query).fetchall()
            assert len(rows) == documented[query], query
        latest = "SELECT region, month, count(*) AS rows, round(avg(completion_pct), 1) AS avg_pct"
        assert conn.execute(
            f"{latest} FROM latest_progress GROUP BY ALL ORDER BY 1"
        ).fetchall() == [
            ("乐清市", 9, 48, 83.8),
            ("永嘉县", 8, 12, 78.3),
        ]
        # a read-only client changes nothing
        with pytest.raises(duckdb.Error, match="read-only"):
            conn.execute("DELETE FROM progress")
    finally:
        conn.close()
