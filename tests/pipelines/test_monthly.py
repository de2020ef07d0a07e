"""``minsheng report`` and ``minsheng sql`` tables on four months of 乐清市 and two of 永嘉县."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from pipelines.render.month import print_summary, render_html
from tests.helpers import SECOND_REGION, TEXT_MONTHS, invoke, load
from warehouse import WarehouseError
from warehouse.monthly import month_summary


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("monthly") / "w.duckdb"
    load([*TEXT_MONTHS, *SECOND_REGION], path)
    return path


def printed(db: Path, **period: object) -> str:
    console = Console(file=io.StringIO(), width=80, highlight=False)
    print_summary(month_summary(db, **period), console)  # type: ignore[arg-type]
    return console.file.getvalue()  # type: ignore[attr-defined]


def rows_of(text: str, section: str) -> list[list[str]]:
    """The cells of one section's table (split on runs of 2+ spaces)."""
    block = text.split(f"\n{section}\n", 1)[1].split("\n\n", 1)[0]
    lines = [ln for ln in block.splitlines()[2:] if ln.strip()]
    return [re.split(r"\s{2,}", ln.strip()) for ln in lines]


def test_september_summary_lists_streaks_recoveries_and_movers(db: Path) -> None:
    text = printed(db, region="乐清市", year=2022, month=9)
    assert text.splitlines()[:3] == [
        "乐清市 September 2022 from yueqing-2022-09.txt",
        "47 items, 11 complete, 6 behind schedule, mean completion 83.8%",
        "since August: behind 7 → 6, complete 12 → 11, mean completion +5.4 points",
    ]
    behind = {r[0]: (r[-2], r[-1]) for r in rows_of(text, "Behind schedule")}
    assert behind == {
        "(13)": ("4", "June"),
        "(6)": ("3", "July"),
        "(20)": ("2", "August"),
        "(41)": ("2", "August"),
        "(46)": ("2", "August"),
        "(11)": ("1", "September"),
    }
    assert "Behind in August, no longer in September: (43), (45)" in text
    rises = rows_of(text, "Biggest rises")
    assert [r[0] for r in rises[:3]] == ["(45)", "(43)", "(46)"]
    assert rises[2][-2:] == ["+12", "(47) in August"]  # the renumbered project, by project


def test_an_earlier_month_and_the_other_region(db: Path) -> None:
    august = printed(db, region="乐清市", year=2022, month=8)
    behind = {r[0]: r[-2] for r in rows_of(august, "Behind schedule")}
    assert behind == {
        "(13)": "3",
        "(45)": "3",
        "(6)": "2",
        "(20)": "1",
        "(41)": "1",
        "(43)": "1",
        "(47)": "1",
    }
    yongjia = printed(db, region="永嘉县")  # its latest month by default
    assert yongjia.startswith("永嘉县 August 2022 from yongjia-2022-08.txt\n")
    assert {r[0]: r[-2] for r in rows_of(yongjia, "Behind schedule")} == {"(6)": "2"}
    assert "Behind in June, no longer in August: (3)" in yongjia


def test_a_month_that_is_not_there_says_what_is(db: Path) -> None:
    with pytest.raises(
        WarehouseError,
        match=r"永嘉县 has no report for 2022-07; reported: "
        r"2022-08, 2022-06",
    ):
        month_summary(db, region="永嘉县", year=2022, month=7)
    with pytest.raises(WarehouseError, match=r"several regions; pass --region"):
        month_summary(db)


def test_the_page_has_both_charts_and_no_script(db: Path) -> None:
    page = render_html(month_summary(db, region="乐清市", year=2022, month=9))
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 2 and "<script" not in page and "src=" not in page
    trend, departments = svgs
    # one line per row behind in September, a point per month June–September
    lines = re.findall(r'<polyline points="([^"]+)"', trend)
    assert len(lines) == 6 and all(len(p.split()) == 4 for p in lines)
    assert [m for m in ("Jun", "Jul", "Aug", "Sep") if f">{m}</text>" in trend] == [
        "Jun",
        "Jul",
        "Aug",
        "Sep",
    ]
    # (6): behind in July, August and September: three filled dots of four
    six = re.search(r"<title>\(6\) 全市265家.*?</g>", trend, flags=re.S)
    assert six is not None
    assert len(re.findall(r'<circle [^>]*fill="#ffffff"', six.group(0))) == 1
    assert departments.count("<rect ") == 27  # one bar per department in September
    assert "市老龄办" in departments and "(46)" in page and "+12" in page


def test_report_command_prints_the_month_and_writes_the_page(db: Path, tmp_path: Path) -> None:
    done = invoke(
        "report",
        "--region",
        "乐清市",
        "--year",
        "2022",
        "--month",
        "9",
        "--db",
        str(db),
        "--html",
        "out/9月.html",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("乐清市 September 2022 from yueqing-2022-09.txt\n")
    assert "page: out/9月.html" in done.stdout
    assert (tmp_path / "out" / "9月.html").read_text("utf-8").count("<svg") == 2
    missing = invoke("report", "--region", "温州市", "--db", str(db), cwd=tmp_path)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "no reports for region '温州市'; known: 乐清市, 永嘉县" in missing.stderr


def test_sql_tables_stay_aligned_with_chinese_text_when_piped(db: Path, tmp_path: Path) -> None:
    statement = (
        "SELECT region, item_no, department, content FROM lagging_items ORDER BY region, item_no"
    )
    done = invoke("sql", statement, "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    table = [ln.rstrip() for ln in done.stdout.splitlines()[:-1]]
    header = table[0]
    # every value starts in the column its header starts, counted in terminal cells
    starts = [
        cell_len(header[: header.index(name)]) for name in ("item_no", "department", "content")
    ]
    for line in table[2:]:
        cells = re.split(r"\s{2,}", line.strip())
        department, content = cells[2], cells[3]
        assert cell_len(line[: line.index(department)]) == starts[1]
        assert cell_len(line[: line.index(content)]) == starts[2]
    assert "市综合行政执法局" in done.stdout  # not cut when piped
    assert done.stdout.splitlines()[-1] == "7 rows"
    full = invoke("sql", statement, "--db", str(db), "--full", cwd=tmp_path)
    assert (
        "全市道路交通安全防护工程“1+10+100”项目,即打造1处标准化改造国道路段、10处重点整治改造国道和县乡道路段、100个重点整治路口。"
        in full.stdout
    )
    assert "…" not in full.stdout
