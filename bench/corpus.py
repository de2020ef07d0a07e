"""A realistic corpus made from the August sample: regions, years of months, three formats.

Each document keeps the sample's structure (items, merged department and leader cells, the
two-row item) and varies what changes month to month: completion rates, lagging marks, how
many items are reported, how long the progress texts are (and so where lines wrap and pages
break). Word files are written with real vertical merges; PDFs are exported from them by
LibreOffice when it is installed, as offices do.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import make_fixtures as fx

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "yueqing-2022-08.txt"
REGIONS = ("乐清市", "瑞安市", "永嘉县", "平阳县")
FORMATS = ("txt", "docx", "pdf")


@dataclass(frozen=True)
class Document:
    path: Path
    fmt: str
    region: str
    year: int
    month: int


def _vary_line(cells: list[str], rng: random.Random, month: int) -> list[str]:
    """New completion and lagging mark; progress text lengthened or shortened."""
    if not cells[0].startswith("("):
        return cells  # the item's second row: vary only through its completion below
    cells = list(cells)
    pct = rng.choice([45, 63, 72, 81, 90, 100, 100, min(100, 8 * month + rng.randint(0, 9))])
    lagging = pct < 70 and rng.random() < 0.7
    cells[3] = f"{pct}%,工程进度未达节点要求,滞后进度" if lagging else f"{pct}%"
    if rng.random() < 0.3:
        cells[2] = cells[2] + "下一步将加快推进项目建设,确保按期完成年度目标任务。" * rng.randint(
            1, 4
        )
    return cells


def month_text(region: str, year: int, month: int, seed: int) -> str:
    """The sample rewritten as ``region``'s report of ``year``-``month``."""
    rng = random.Random(seed)
    lines = SAMPLE.read_text("utf-8").splitlines()
    header = lines[0].replace("8月计划进度", f"{month}月计划进度")
    last_item = rng.randint(38, 47)
    body: list[str] = []
    for line in lines[1:]:
        cells = fx.split_line(line)
        match = fx.ITEM_RE.match(cells[0])
        if match and int(match.group(1)) > last_item:
            break
        body.append(" | ".join(_vary_line(cells, rng, month)) + " |")
    title = f"{year}年{region}民生实事项目{month}月份进展情况"
    return "\n".join([title, header, *body]) + "\n"


def _write_docx(text: str, path: Path, title: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        table_text = Path(tmp) / "t.txt"
        table_text.write_text("\n".join(text.splitlines()[1:]), "utf-8")
        header, rows = fx.read_sample(table_text)
    doc = fx.new_document()
    fx.add_title(doc, text=title)
    fx.add_report_table(doc, header, rows)
    doc.save(path)


def _export_pdfs(docx_paths: list[Path], out_dir: Path) -> bool:
    if not docx_paths:
        return False
    try:
        fx.convert_to_pdf(docx_paths, out_dir)
    except FileNotFoundError:
        return False
    return True


def build_corpus(out_dir: Path, documents: int, *, seed: int = 2022) -> list[Document]:
    """Write ``documents`` reports to ``out_dir`` (formats in turn), or reuse a built one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    periods = [
        (region, year, month)
        for region in REGIONS
        for year in (2021, 2022, 2023)
        for month in range(1, 13)
    ]
    chosen = periods[:documents] if documents <= len(periods) else periods
    made: list[Document] = []
    pdf_sources: list[tuple[Path, Document]] = []
    for index, (region, year, month) in enumerate(chosen):
        fmt = FORMATS[index % len(FORMATS)]
        stem = f"{region}民生实事{year}年{month}月"
        text = month_text(region, year, month, seed + index)
        title = text.splitlines()[0]
        target = out_dir / f"{stem}.{fmt}"
        doc = Document(target, fmt, region, year, month)
        if target.exists():
            made.append(doc)
            continue
        if fmt == "txt":
            target.write_text(text, "utf-8")
        else:
            docx_path = (
                target.with_suffix(".docx")
                if fmt == "docx"
                else (out_dir / "pdf-src" / f"{stem}.docx")
            )
            docx_path.parent.mkdir(exist_ok=True)
            _write_docx(text, docx_path, title)
            if fmt == "pdf":
                pdf_sources.append((docx_path, doc))
                continue
        made.append(doc)
    if pdf_sources:
        if _export_pdfs([p for p, _ in pdf_sources], out_dir):
            made.extend(doc for _, doc in pdf_sources)
        else:
            print(
                "LibreOffice (soffice) not found, so the corpus has no PDFs: PDF parsing is "
                "timed on the committed fixtures. To include them: "
                "apt-get install libreoffice-writer-nogui fonts-wqy-zenhei"
            )
    return sorted(made, key=lambda d: (d.region, d.year, d.month))
