"""Many monthly text reports made from the August sample, for backfill tests and benchmarks."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import SAMPLE

REGIONS = ("乐清市", "瑞安市", "永嘉县", "平阳县")


def write_reports(folder: Path, count: int) -> list[Path]:
    """Write ``count`` reports for distinct (region, year, month) periods under ``folder``.

    Each has a title naming its period and the header's month set to match. Every fifth
    report has a completion rate that is not a percentage (one row quarantined), and the
    first report is also copied under a second name (rejected as identical in one run), so
    a backfill exercises loaded, partial and rejected documents alike.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lines = SAMPLE.read_text("utf-8").splitlines()
    written: list[Path] = []
    for i in range(count):
        region = REGIONS[i % len(REGIONS)]
        year = 2019 + (i // len(REGIONS)) // 12
        month = (i // len(REGIONS)) % 12 + 1
        body = [lines[0].replace("8月计划进度", f"{month}月计划进度"), *lines[1:]]
        if i % 5 == 4:
            body[2] = body[2].replace("| 72% |", "| 待核实 |", 1)
        title = f"{year}年{region}民生实事项目{month}月份进展情况"
        path = folder / region / str(year) / f"{region}-{year}-{month:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([title, "", *body]) + "\n", "utf-8")
        written.append(path)
    if written:
        copy = written[0].with_name("copy-of-" + written[0].name)
        shutil.copyfile(written[0], copy)
        written.append(copy)
    return written
