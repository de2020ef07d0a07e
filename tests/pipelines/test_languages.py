"""One run of the broken August report in Chinese and one in English (``LANG=C``): what the
terminal, the validation report (HTML, JSON, Markdown) and ``minsheng report`` say.

The Chinese outputs are scanned for English: once file names, paths, run ids, check codes,
values from the document, option and variable names and a few product names are taken out,
no ASCII word may be left in what a reader sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from i18n import use_language
from pipelines.render.validation import issues_markdown
from schemas.checks import CHECKS
from tests.conftest import SAMPLE_NAME
from tests.helpers import Invoked, broken_sample, invoke

CHINESE = {"MINSHENG_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}
POSIX = {"MINSHENG_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C"}


@dataclass
class Run:
    folder: Path
    ingest: Invoked
    month: Invoked

    @property
    def report(self) -> dict:
        [path] = (self.folder / "reports").glob("*.json")
        return json.loads(path.read_text("utf-8"))

    @property
    def report_html(self) -> str:
        [path] = (self.folder / "reports").glob("*.html")
        return path.read_text("utf-8")

    @property
    def month_html(self) -> str:
        return (self.folder / "month.html").read_text("utf-8")


def _run(folder: Path, env: dict[str, str | None]) -> Run:
    folder.mkdir()
    broken_sample(folder / "in")
    ingest = invoke(
        "ingest", "in", "--region", "乐清市", "--db", "w.duckdb", "--reports-dir", "reports",
        cwd=folder, env=env,
    )  # fmt: skip
    month = invoke("report", "--db", "w.duckdb", "--html", "month.html", cwd=folder, env=env)
    return Run(folder, ingest, month)


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(tmp_path_factory.mktemp("languages") / "zh", CHINESE)


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _run(tmp_path_factory.mktemp("languages") / "en", POSIX)


def visible_text(page: str) -> str:
    """What a browser shows of a page: its text (SVG labels and tooltips included), the
    title, and the tooltip and alternative text of elements; no style sheet."""
    root = lxml.html.fromstring(page.encode("utf-8"))
    for style in root.xpath("//style|//script"):
        style.drop_tree()
    shown = [root.text_content()]
    shown += [str(value) for value in root.xpath("//@title|//@alt")]
    return "\n".join(shown)


# Product names and acronyms a Chinese office writes as they are.
PROPER_NAMES = ("Prefect",)
_NOT_WORDS = re.compile(r"--[a-z][a-z-]*|\$?\b[A-Z][A-Z0-9_]+\b")
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def english_words(text: str, run: Run) -> list[str]:
    """The ASCII words of ``text`` other than names, codes and values."""
    report = run.report
    allowed = {SAMPLE_NAME, "乐清市", report["run_id"], str(run.folder), "w.duckdb"}
    allowed |= {"reports/" + p.name for p in (run.folder / "reports").iterdir()}
    allowed |= set(CHECKS) | set(PROPER_NAMES) | {"month.html"}
    for document in report["documents"]:
        allowed |= {document["source_format"] or ""}
        for issue in document["issues"]:
            allowed |= {str(issue["value"] or ""), str(issue["column"] or "")}
    source = (run.folder / "in" / SAMPLE_NAME).read_text("utf-8")
    allowed |= set(_ASCII_WORD.findall(source))  # what the document itself says
    for name in sorted(filter(None, allowed), key=len, reverse=True):
        # whole words only: the column ``row`` does not excuse the word "rows"
        text = re.sub(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", " ", text)
    return sorted(set(_ASCII_WORD.findall(_NOT_WORDS.sub(" ", text))))


def test_a_chinese_locale_prints_the_run_in_chinese(chinese: Run) -> None:
    lines = chinese.ingest.stdout.splitlines()
    assert chinese.ingest.returncode == 1
    assert lines[:5] == [
        f"部分入库  {SAMPLE_NAME}  乐清市 2022年8月  入库 45 行，隔离 3 行",
        "          第2行：具体分管领导为空",
        "          第3行：完成率“待核实”不是百分数",
        "          第7行：第6项：该行有 7 个单元格；表头有 6 列，"
        "每行可有 3，4，5，6 个单元格：请按列用“|”分隔，每列一个单元格"
        "（空单元格写作“| |”），并去掉单元格文字中的“|”",
        "共 1 个文件，入库 45 行，隔离 3 行，警告 4 条",
    ]
    assert lines[5].startswith("校验报告：reports/") and lines[5].endswith(".json）")
    assert "（机读版：reports/" in lines[5]
    assert "Prefect" not in chinese.ingest.stderr  # in this process: no word about Prefect


def test_lang_c_prints_the_run_in_english(english: Run) -> None:
    lines = english.ingest.stdout.splitlines()
    assert english.ingest.returncode == 1
    assert lines[:5] == [
        f"partial   {SAMPLE_NAME}  乐清市 2022-08  45 rows loaded, 3 quarantined",
        "          line 2: leader (具体分管领导) is empty",
        "          line 3: completion rate '待核实' is not a percentage",
        "          line 7: item (6): row has 7 cells; the header has 6 columns and a row may have "
        "3, 4, 5, 6: give it one cell per column between '|' (an empty cell is written '| |'), "
        "and take out any '|' inside a cell's text",
        "1 documents, 45 rows loaded, 3 quarantined, 4 warnings",
    ]
    assert lines[5].startswith("validation report: reports/")


def test_the_json_report_keeps_machine_fields_and_speaks_the_language(
    chinese: Run, english: Run
) -> None:
    zh = chinese.report["documents"][0]["issues"]
    en = english.report["documents"][0]["issues"]
    machine = ["check", "severity", "action", "column", "value", "source_line"]
    assert [{k: i[k] for k in machine} for i in zh] == [{k: i[k] for k in machine} for i in en]
    by_check = {i["check"]: i for i in zh}
    assert by_check["completion_is_percentage"]["message"] == "完成率“待核实”不是百分数"
    assert by_check["completion_is_percentage"]["rule"] == "完成率以百分数开头，如 72%"
    assert by_check["completion_is_percentage"]["action"] == "row quarantined"
    assert {i["check"]: i for i in en}["completion_is_percentage"]["rule"] == (
        "completion rate (完成率) starts with a percentage, e.g. 72%"
    )


def test_the_validation_report_page_is_chinese(chinese: Run) -> None:
    page = chinese.report_html
    root = lxml.html.fromstring(page.encode("utf-8"))
    assert root.get("lang") == "zh-CN"
    assert root.findtext(".//h1") == "民生实事校验报告"
    headings = [" ".join(th.text_content().split()) for th in root.iter("th")]
    assert ["位置", "列", "原文", "问题", "违反的规则", "处理办法", "级别", "处理"] == headings[-8:]
    rows = [[" ".join(td.text_content().split()) for td in tr.iter("td")] for tr in root.iter("tr")]
    assert [
        "第3行",
        "完成率",
        "待核实",
        "完成率“待核实”不是百分数",
        "完成率以百分数开头，如 72%",
        "将完成率写成百分数（如 72%），说明文字写在其后（如 63%,滞后进度）",
        "错误",
        "该行已隔离（未入库）",
    ] in rows
    assert english_words(visible_text(page), chinese) == []


def test_the_month_report_is_chinese_on_the_terminal_and_the_page(chinese: Run) -> None:
    assert chinese.month.returncode == 0, chinese.month.stderr
    lines = chinese.month.stdout.splitlines()
    assert lines[:3] == [
        f"乐清市 2022年8月（来源：{SAMPLE_NAME}）",
        "共 44 项，已完成 12 项，滞后 6 项，平均完成率 79.5%",
        "本年首个报送月：无可比较的月份",
    ]
    assert "滞后项目" in lines and "各责任单位" in lines
    assert lines[-1] == "网页：month.html"
    page = chinese.month_html
    assert lxml.html.fromstring(page.encode("utf-8")).get("lang") == "zh-CN"
    assert "<title>乐清市2022年8月民生实事进度</title>" in page
    assert "第1个月" in page and ">8月</text>" in page
    assert english_words(chinese.month.stdout, chinese) == []
    assert english_words(visible_text(page), chinese) == []


def test_no_english_in_any_chinese_output(chinese: Run) -> None:
    use_language("zh")
    markdown = issues_markdown(chinese.report)
    assert markdown.startswith(f"# 校验报告 {chinese.report['run_id']}")
    shown = [chinese.ingest.stdout, chinese.ingest.stderr, markdown]
    shown += [f"{i['message']} {i['rule']}" for i in chinese.report["documents"][0]["issues"]]
    assert [english_words(text, chinese) for text in shown] == [[]] * len(shown)


def test_the_english_pages_are_english(english: Run) -> None:
    report = lxml.html.fromstring(english.report_html.encode("utf-8"))
    assert report.get("lang") == "en" and report.findtext(".//h1") == "民生实事 validation report"
    assert english.month.stdout.startswith(f"乐清市 August 2022 from {SAMPLE_NAME}\n")
    assert "<title>乐清市 August 2022 民生实事 progress</title>" in english.month_html
    # the scan that finds nothing in Chinese finds the English words here
    assert {"validation", "report", "rows", "loaded", "quarantined"} <= set(
        english_words(visible_text(english.report_html), english)
    )
    assert {"behind", "schedule"} <= set(english_words(visible_text(english.month_html), english))


@pytest.mark.process
def test_help_is_chinese_when_the_locale_is(tmp_path: Path) -> None:
    """The help texts are read when the commands are defined: a process of its own."""
    from tests.helpers import minsheng

    done = minsheng("ingest", "--help", cwd=tmp_path, MINSHENG_LANG="zh")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "解析、校验报表并入库；生成校验报告。" in text
    assert "地区，如 乐清市，文件中未写明时使用。" in text
    assert "─ 选项 ─" in done.stdout and "─ 参数 ─" in done.stdout
    english = minsheng("ingest", "--help", "--lang", "en", cwd=tmp_path, MINSHENG_LANG="zh")
    assert "Parse, validate and load reports into the warehouse" in english.stdout


def test_validate_says_what_would_load_never_that_it_loaded(tmp_path: Path) -> None:
    """validate writes nothing: its words are what ingest would do, in both languages."""
    broken_sample(tmp_path / "in")
    args = ("validate", "in", "--region", "乐清市", "--db", "w.duckdb", "--reports-dir", "r")
    zh = invoke(*args, cwd=tmp_path, env=CHINESE)
    assert zh.stdout.splitlines()[0].startswith("可部分导入 ")
    assert "可导入 45 行，将隔离 3 行" in zh.stdout
    assert "共 1 个文件，可导入 45 行，将隔离 3 行，警告 4 条" in zh.stdout
    [page] = (tmp_path / "r").glob("*.html")
    shown = visible_text(page.read_text("utf-8"))
    assert "导入时该行将被隔离" in shown and "可导入行数" in shown
    for said in (zh.stdout, shown):
        assert "入库" not in said.replace("未入库", ""), said
    en = invoke(*args, "--lang", "en", cwd=tmp_path, env=POSIX)
    assert en.stdout.splitlines()[0].startswith("would load in part ")
    assert "45 rows would load, 3 would be quarantined" in en.stdout
    assert " loaded" not in en.stdout


def test_a_missing_region_is_said_to_be_the_region(tmp_path: Path) -> None:
    """The period was read from the file name; only the region is unknown."""
    from i18n import period_or_unknown

    path = broken_sample(tmp_path / "in")  # 2022年8月….txt, no region in title or name
    args = ("validate", str(path), "--db", "w.duckdb", "--reports-dir", "r")
    zh = invoke(*args, cwd=tmp_path, env=CHINESE)
    assert f"{SAMPLE_NAME}  2022年8月，地区不明  标题和文件名中均未找到地区" in zh.stdout
    assert "期间不明" not in zh.stdout
    en = invoke(*args, "--lang", "en", cwd=tmp_path, env=POSIX)
    assert f"{SAMPLE_NAME}  2022-08, region unknown  no region found" in en.stdout
    [report] = [json.loads(p.read_text("utf-8")) for p in sorted((tmp_path / "r").glob("*.json"))][
        -1:
    ]
    [document] = report["documents"]
    assert (document["region"], document["year"], document["month"]) == (None, 2022, 8)

    use_language("zh")
    try:
        assert period_or_unknown(None, 2022, 8) == "2022年8月，地区不明"
        assert period_or_unknown(None, None, None) == "期间不明"
        assert period_or_unknown("乐清市", 2022, 8) == "乐清市 2022年8月"
    finally:
        use_language("en")
    assert period_or_unknown(None, 2022, 8) == "2022-08, region unknown"
