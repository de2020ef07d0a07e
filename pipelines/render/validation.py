"""The validation report of a run: JSON for machines, a self-contained HTML page for people.

Everything here draws the report's JSON form (``pipelines.core.run_report.RunReport.as_json``),
as the file on disk and the intake page's stored copy hold it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    PackageLoader,
    select_autoescape,
)
from markupsafe import Markup

from i18n import (
    _,
    action_text,
    column_text,
    command_text,
    language,
    ngettext,
    period_or_unknown,
    severity_text,
    status_text,
)
from parsers import Location
from parsers.controls import LAYOUT, show_controls
from parsers.limits import shorten
from pipelines.render.markdown import markdown_text
from schemas.checks import describe_rule


def summary_line(report: dict[str, Any]) -> str:
    """The run in one line: the command line's last words and a failed flow run's message."""
    t = report["totals"]
    said = (
        _(
            "{documents} documents, {rows} rows loaded, {quarantined} quarantined, {warnings} "
            "warnings"
        )
        if report.get("command", "ingest") == "ingest"
        else _(
            "{documents} documents, {rows} rows would load, {quarantined} would be quarantined, "
            "{warnings} warnings"
        )
    )
    return said.format(
        documents=t["documents"],
        rows=t["rows_loaded"],
        quarantined=t["rows_quarantined"],
        warnings=t["warnings"],
    )


def _place(issue: dict[str, Any]) -> str:
    return Location.of_row(issue).describe() or _("whole document")


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def issue_groups(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A document's issues grouped by item, as a clerk fixes them: the whole document's first,
    then the items with an error, then the others, each in document order; in a group the
    errors first. Each group carries its rows as read (``rows``: place, cells, and the
    indexes of the cells its issues are about)."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for order, issue in enumerate(issues):
        place = (issue["source_page"], issue["source_row"], issue["source_line"])
        if issue.get("item_no") is not None:
            key: tuple[Any, ...] = ("item", issue["item_no"])
        elif issue.get("row_cells") is not None:
            key = ("row", *place)
        else:
            key = ("document",)
        group = groups.setdefault(
            key,
            {
                "item_no": issue.get("item_no"),
                "content": issue.get("content"),
                "place": _place(issue) if key[0] == "row" else None,
                "whole_document": key == ("document",),
                "first": order,
                "issues": [],
                "rows": {},
            },
        )
        group["issues"].append(issue)
        cells = issue.get("row_cells")
        if cells is not None:
            row = group["rows"].setdefault(
                place, {"place": _place(issue), "cells": cells, "flagged": set()}
            )
            row["flagged"] |= _cells_meant(issue, cells)
    out = []
    for group in groups.values():
        group["issues"].sort(key=lambda i: _SEVERITY_ORDER.get(i["severity"], 9))
        group["rows"] = list(group["rows"].values())
        group["has_error"] = any(i["severity"] == "error" for i in group["issues"])
        out.append(group)
    out.sort(key=lambda g: (not g["whole_document"], not g["has_error"], g["first"]))
    return out


def _cells_meant(issue: dict[str, Any], cells: list[str]) -> set[int]:
    """Which cells of a row an issue is about: the extra cells at the end of a row with a cell
    too many, the one empty cell of a row missing a value, else the first cell holding the
    value as written."""
    value = (issue.get("value") or "").strip()
    if not value and issue["check"].endswith("_not_blank"):
        empty = {index for index, cell in enumerate(cells) if not cell.strip()}
        return empty if len(empty) == 1 else set()
    if not value:
        return set()
    if issue["check"] == "cell_count":
        extra = len(value.split(" | "))
        return set(range(max(len(cells) - extra, 0), len(cells)))
    for index, cell in enumerate(cells):
        if cell.strip() == value:
            return {index}
    return set()


def _visible(value: Any) -> Any:
    """A value printed in a report page: text with its controls escaped (line breaks kept)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return show_controls(value, keep=LAYOUT)
    return value


def _compiled_templates() -> BytecodeCache | None:
    """jinja2's cache of compiled templates in the user's temporary folder (a folder only
    they can read, checked by jinja2; keyed by each template's source): compiling the
    report's template was 0.14 s of every ``validate``, loading it from there 1 ms. None
    (compile each time) where that folder cannot be made."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@cache
def template_environment() -> Environment:
    """The report templates, with filters that put stable codes (status, severity, action,
    column) into words.

    One per process, so each template is compiled once (compiling took a third of a desk
    ingest). It holds no language: ``_``/``ngettext`` read the current one at each call, and
    ``render_template`` passes the page's ``html_lang``. The compiled templates are kept
    between processes too (``_compiled_templates``).
    """
    env = Environment(
        loader=PackageLoader("pipelines.render", "templates"),
        bytecode_cache=_compiled_templates(),
        autoescape=select_autoescape(["html", "j2"]),
        # every value printed shows its control characters and direction marks as escapes
        # (then autoescape writes HTML's own characters as entities); our Markup is ours
        finalize=_visible,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(_, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters.update(
        status=lambda status, would=False: status_text(status, would=would),
        severity=severity_text,
        action=lambda action, would=False: action_text(action, would=would),
        issue_groups=issue_groups,
        column=column_text,
        command=command_text,
        period=lambda d: period_or_unknown(d["region"], d["year"], d["month"]),
        place=_place,
        # A cell kept whole in the warehouse is shortened here: one huge value must not make
        # the page unusable.
        shorten=lambda value: shorten(str(value)),
        # Archived originals are named by their sha256: the first characters identify one.
        archive_name=lambda path: Path(str(path)).name[:12] + "…",
    )
    return env


def render_template(name: str, **context: Any) -> str:
    """The template ``name`` rendered with ``context``, in the current language."""
    html_lang = "zh-CN" if language() == "zh" else "en"
    return template_environment().get_template(name).render(html_lang=html_lang, **context)


def render_html(report: dict[str, Any]) -> str:
    documents = sorted(report["documents"], key=lambda d: _STATUS_ORDER.get(d["status"], 9))
    unreadable = [
        (d, i) for d in documents for i in d["issues"] if i["action"] == "document rejected"
    ]
    return render_template(
        "report.html.j2",
        report=report,
        documents=documents,
        unreadable=unreadable,
        rule_counts=rule_counts(report),
    )


# Documents that need someone's attention come first.
_STATUS_ORDER = {"rejected": 0, "partial": 1, "loaded": 2, "unchanged": 3}


def rule_counts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Problems per rule (and severity): how many, in how many documents; most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    documents: dict[tuple[str, str], set[str]] = {}
    rules: dict[str, str] = {}
    for d in report["documents"]:
        for i in d["issues"]:
            key = (i["check"], i["severity"])
            counts[key] += 1
            documents.setdefault(key, set()).add(d["source_name"])
            rules[i["check"]] = i.get("rule") or describe_rule(i["check"])
    return [
        {
            "check": check,
            "severity": severity,
            "rule": rules[check],
            "count": count,
            "documents": len(documents[(check, severity)]),
        }
        for (check, severity), count in sorted(
            counts.items(), key=lambda kv: (kv[0][1] != "error", -kv[1], kv[0][0])
        )
    ]


def write_report(report: dict[str, Any], reports_dir: str | Path) -> tuple[Path, Path]:
    """Write ``<run_id>.json`` and ``<run_id>.html``; return both paths."""
    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{report['run_id']}.json"
    html_path = folder / f"{report['run_id']}.html"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), "utf-8")
    html_path.write_text(_page_of(report), "utf-8")
    return json_path, html_path


# The last page rendered, by what it shows. A load writes its report before the COMMIT and
# again after it: the same page (it does not say whether the load committed; the JSON
# does), and a backfill's page of 1,800 issues took a tenth of a second to render.
_last_page: dict[str, str] = {}


def _page_of(report: dict[str, Any]) -> str:
    content = language() + json.dumps({**report, "committed": None}, default=str)
    shown = hashlib.sha256(content.encode()).hexdigest()
    page = _last_page.get(shown)
    if page is None:
        page = render_html(report)
        _last_page.clear()
        _last_page[shown] = page
    return page


def issues_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown, for the Prefect artifact."""
    t = report["totals"]

    def row(cells: Sequence[object]) -> str:
        return "| " + " | ".join(markdown_text(c) for c in cells) + " |"

    lines = [
        "# " + _("Validation report {run_id}").format(run_id=report["run_id"]),
        "",
        _(
            "{documents} documents: {loaded} loaded, {partial} partial, {rejected} rejected, "
            "{unchanged} unchanged; {rows_loaded} rows loaded, {rows_quarantined} quarantined, "
            "{errors} errors, {warnings} warnings."
        ).format(**t),
        "",
        row([_("document"), _("status"), _("loaded"), _("quarantined")]),
        "|---|---|---:|---:|",
    ]
    for d in report["documents"]:
        lines.append(
            row(
                [
                    d["source_name"],
                    status_text(d["status"]),
                    d["rows_loaded"],
                    d["rows_quarantined"],
                ]
            )
        )
    problems = [(d, i) for d in report["documents"] for i in d["issues"]]
    if problems:
        would = report.get("command") == "validate"
        header = [_("document"), _("place"), _("item"), _("column"), _("value"), _("severity")]
        header += [_("problem"), _("rule"), _("what to do"), _("what was done")]
        lines += ["", row(header), "|---|---|---|---|---|---|---|---|---|---|"]
        for d, i in problems:
            item = i.get("item_no")
            cells = [
                d["source_name"],
                _place(i),
                f"({item}) {i.get('content') or ''}".strip() if item is not None else "",
                column_text(i["column"]),
                i["value"] or "",
                severity_text(i["severity"]),
                i["message"],
                i.get("rule") or "",
                i.get("fix") or "",
                action_text(i["action"], would=would),
            ]
            lines.append(row(cells))
    return "\n".join(lines)
