"""Which region, year and month a document reports on, and from where that was read.

The command-line option comes first, then the document's title, then its file name; the
month is also read from the table header (``8月计划进度``). Title, file name and header
must agree with each other; an option overrides title and file name (with a warning) but
never the header, which is what the rows themselves were planned against.

**The title** is the line above the table that names the report (``choose_title``): year,
region, month, ``进展`` / ``民生实事``. Other text there (a web page's breadcrumb, a browser's
print header) is passed over, and a line with a publication label (``发布日期``, ``来源``,
``浏览次数``) never gives a period. When the title and the header agree on the month, a
file name with another date (a page saved on its publication day) is warned about, not
trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from i18n import N_, _
from parsers.errors import PeriodError
from parsers.model import Issue
from parsers.normalize import normalize_text

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)(20\d{2})\s*(?:年|[-_.])\s*(\d{1,2})(?!\d)")
_MONTH = re.compile(r"(?<![\d\-~])(\d{1,2})\s*月")
_REGION = re.compile(
    r"([^\W\d_年月份日度]{2,10}?[省市县区州旗])(?:人民政府)?\s*(?:20\d{2}\s*年度?)?\s*民生"
)
_HEADER_MONTH = re.compile(r"(\d{1,2})\s*月\s*(?:份)?\s*计划")
# Reports that cover more than a month: the year (年度完成情况, 全年, 年终), a quarter
# (第三季度, 三季度), a half year (上半年), or the months from January (1-9月, 1至9月).
_YEAR_END = re.compile(r"年度(?:完成|进展|工作|实施|推进)?情况|全年|年终|年底|年度总结")
_QUARTER = re.compile(r"(?:第|前)?([一二三四1-4])\s*季度")
_HALF_YEAR = re.compile(r"上半年")
_FROM_JANUARY = re.compile(r"(?<!\d)1\s*(?:月份?)?\s*[-~－—至到]\s*(\d{1,2})\s*月")
_QUARTER_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

#: What one report covers: ``month`` (a monthly report), ``quarter``, ``half_year``, ``year``.
PERIOD_KINDS: tuple[str, ...] = ("month", "quarter", "half_year", "year")


@dataclass(frozen=True)
class PeriodHint:
    """What one source says about the period; ``None`` where it says nothing.

    ``kind`` is what the report covers (see ``PERIOD_KINDS``; None: a month); ``month`` is
    then the period's last month: 12 for a year-end report, 9 for the third quarter or 1-9月.
    """

    region: str | None = None
    year: int | None = None
    month: int | None = None
    kind: str | None = None


def _longer_period(text: str) -> tuple[int, str] | None:
    """(last month, kind) of a title naming a year, quarter, half year or months from January."""
    months = _FROM_JANUARY.search(text)
    if months is not None:
        last = int(months.group(1))
        if 2 <= last <= 12:
            kind = {12: "year", 6: "half_year"}.get(last, "quarter" if last % 3 == 0 else "month")
            return last, kind
    quarter = _QUARTER.search(text)
    if quarter is not None:
        return 3 * _QUARTER_NUMBER[quarter.group(1)], "quarter"
    if _HALF_YEAR.search(text):
        return 6, "half_year"
    if _YEAR_END.search(text) and _MONTH.search(text) is None:
        return 12, "year"
    return None


def _normal(text: str) -> str:
    return normalize_text(text)


def _valid_month(value: str) -> int | None:
    month = int(value)
    return month if 1 <= month <= 12 else None


def hint_from_title(text: str) -> PeriodHint:
    """``'2022年乐清市民生实事项目8月份进展情况'`` → 乐清市, 2022, 8."""
    text = _normal(text)
    year_month = _YEAR_MONTH.search(text)
    year = _YEAR.search(text)
    month = _MONTH.search(text)
    region = _REGION.search(text)
    longer = _longer_period(text)
    if longer is not None:
        return PeriodHint(
            region=region.group(1) if region else None,
            year=int(year.group(1)) if year else None,
            month=longer[0],
            kind=longer[1],
        )
    return PeriodHint(
        region=region.group(1) if region else None,
        year=int(year.group(1)) if year else None,
        month=(
            _valid_month(year_month.group(2))
            if year_month
            else _valid_month(month.group(1))
            if month
            else None
        ),
    )


def period_kind(*hints: PeriodHint) -> str:
    """What a report covers, from the first hint (title, then file name) that says: a year,
    a quarter, a half year, else a month."""
    for hint in hints:
        if hint.kind is not None:
            return hint.kind
    return "month"


# A publication line, or a line with a clock time: a chat's or an e-mail's sender line
# (``张晓明 2022/9/15 10:02``) tells when it was sent, not the period.
_PUBLICATION = re.compile(
    r"发布日期|发布时间|日期[:：]|来源[:：]|浏览|字号|点击|(?<!\d)[0-2]?\d[:：][0-5]\d(?!\d)"
)
_NAMES_A_REPORT = re.compile(r"进展|进度|民生实事|民生")


def _title_score(line: str) -> int:
    if _PUBLICATION.search(line):
        return 0
    hint = hint_from_title(line)
    found = sum(value is not None for value in (hint.region, hint.year, hint.month))
    return found + 1 if found and _NAMES_A_REPORT.search(line) else found


def choose_title(lines: list[str]) -> str | None:
    """The line that names the report: the most of year, region, month and 进展/民生实事.

    Ties go to the shorter line (a title rather than a line that also holds a date, a
    site name or a URL). A line with a publication label scores nothing. Without any
    candidate, None.
    """
    best: tuple[int, int] | None = None
    chosen: str | None = None
    for line in lines:
        text = line.strip()
        score = _title_score(text) if text else 0
        if score and (best is None or (score, -len(text)) > best):
            best, chosen = (score, -len(text)), text
    return chosen


def hint_from_filename(name: str) -> PeriodHint:
    """``'2022年8月….txt'``, ``'2022-08 ….docx'``, ``'乐清市民生实事2022年9月.txt'``."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return hint_from_title(stem)


def month_from_header(cell: str) -> int | None:
    """``'8月计划进度'`` → 8."""
    match = _HEADER_MONTH.search(_normal(cell).replace(" ", ""))
    return _valid_month(match.group(1)) if match else None


_WHAT = {
    "region": (N_("region"), "--region NAME"),
    "year": (N_("year"), "--year YYYY"),
    "month": (N_("month"), "--month M"),
}
_WHERE = {
    "title": N_("the title"),
    "filename": N_("the file name"),
    "header": N_("the table header"),
}


def resolve_period(
    source_name: str,
    *,
    option: PeriodHint,
    title: PeriodHint,
    filename: PeriodHint,
    header_month: int | None,
) -> tuple[str, int, int, list[Issue]]:
    """Region, year and month of a document, or a PeriodError that says what to pass."""
    warnings: list[Issue] = []
    resolved: dict[str, str | int] = {}
    missing_region: str | None = None
    stray = (
        title.month is not None
        and title.month == header_month
        and filename.month is not None
        and filename.month != title.month
    )
    for field in ("region", "year", "month"):
        sources = [("title", getattr(title, field))]
        if (
            stray
            and field in ("year", "month")
            and getattr(title, field) is not None
            and getattr(filename, field) not in (None, getattr(title, field))
        ):
            # The title and the header agree: another date in the file name is not the period.
            warnings.append(
                Issue(
                    source_name,
                    "period",
                    severity="warning",
                    column=field,
                    value=str(getattr(filename, field)),
                    action="title used",
                    message=_(
                        "the file name says {what} {value}; using the title's {title}, which the "
                        "table header confirms"
                    ).format(
                        what=_(_WHAT[field][0]),
                        value=getattr(filename, field),
                        title=getattr(title, field),
                    ),
                )
            )
        else:
            sources.append(("filename", getattr(filename, field)))
        if field == "month":
            sources.append(("header", header_month))
        found = [(where, value) for where, value in sources if value is not None]
        given = getattr(option, field)
        label, flag = _(_WHAT[field][0]), _WHAT[field][1]
        if given is not None:
            for where, value in found:
                if value == given:
                    continue
                if where == "header":
                    raise PeriodError(
                        source_name,
                        _(
                            "{option} {given} disagrees with the table header's {month}月计划进度: "
                            "check which month this report is"
                        ).format(option=flag.split()[0], given=given, month=header_month),
                    )
                warnings.append(
                    Issue(
                        source_name,
                        "period",
                        severity="warning",
                        column=field,
                        value=str(value),
                        action="option used",
                        message=_("{where} says {what} {value}; using {option} {given}").format(
                            where=_(_WHERE[where]),
                            what=label,
                            value=value,
                            option=flag.split()[0],
                            given=given,
                        ),
                    )
                )
            resolved[field] = given
            continue
        if not found and field == "region":
            # said once the year and month are read, so the rejection names what is known
            missing_region = _("no {what} found in the title or the file name: pass {option}")
            missing_region = missing_region.format(what=label, option=flag)
            continue
        if not found:
            raise PeriodError(
                source_name,
                _(
                    "no {what} found in the title or the file name: pass {option} or name the "
                    "file like 2022年8月….txt"
                ).format(what=label, option=flag),
            )
        first_where, first = found[0]
        for where, value in found[1:]:
            if value != first:
                raise PeriodError(
                    source_name,
                    _(
                        "{first_where} says {what} {first} but {where} says {value}: correct the "
                        "document or pass {option}"
                    ).format(
                        first_where=_(_WHERE[first_where]),
                        what=label,
                        first=first,
                        where=_(_WHERE[where]),
                        value=value,
                        option=flag,
                    ),
                )
        resolved[field] = first
    if missing_region is not None:
        raise PeriodError(
            source_name,
            missing_region,
            period=(None, int(resolved["year"]), int(resolved["month"])),
        )
    return (
        str(resolved["region"]),
        int(resolved["year"]),
        int(resolved["month"]),
        warnings,
    )  # type: ignore[call-overload]
