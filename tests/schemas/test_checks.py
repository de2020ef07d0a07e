"""The one table of checks: every check the pipeline emits is in it, with its severity."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.core.checking import check_document, reject_repeated_periods
from pipelines.core.dry_run import dry_run
from pipelines.core.settings import PeriodOptions, RunSettings
from schemas.checks import CHECKS, Action, Severity, Status, describe_rule
from tests.helpers import FIXTURES


def _fixture_documents() -> list[Path]:
    """Bad inputs, Word layouts and two regions' months: what reaches every kind of check."""
    folders = ["months/text", "months/yongjia", "bad", "docx"]  # months first: they load
    return [
        *(path for folder in folders for path in sorted((FIXTURES / folder).iterdir())),
        FIXTURES / "yueqing-2022-08.docx",  # August again: repeated
        FIXTURES / "README.md",  # a format that is not read
    ]


def test_every_check_emitted_on_the_fixtures_is_in_the_table(tmp_path: Path) -> None:
    results = reject_repeated_periods(
        [check_document(path, PeriodOptions()) for path in _fixture_documents()]
    )
    # A spreadsheet's own warnings, from a month the others already report: checked alone.
    results.append(check_document(FIXTURES / "xlsx" / "hidden-rows.xlsx", PeriodOptions()))
    outcomes = dry_run(results, RunSettings.build(db=tmp_path / "none.duckdb"))
    # Each table layout on its own (they are all August 2022 of one region).
    for path in sorted((FIXTURES / "layouts").iterdir()):
        if path.suffix in {".txt", ".docx"}:
            alone = [check_document(path, PeriodOptions(region="乐清市"))]
            outcomes += dry_run(alone, RunSettings.build(db=tmp_path / "none.duckdb"))
    # A real fall: the same projects, lower in September than in August (the months'
    # fixtures have none: what fell there by number was another project).
    from tests.helpers import month_file

    falling = [
        check_document(
            month_file(tmp_path / "fall", m, bump=10 if m == 8 else 0),
            PeriodOptions(region="乐清市"),
        )
        for m in (8, 9)
    ]
    outcomes += dry_run(falling, RunSettings.build(db=tmp_path / "none.duckdb"))
    emitted = {(i["check"], i["severity"]) for o in outcomes for i in o.issues}
    actions = {i["action"] for o in outcomes for i in o.issues}
    assert {o.status for o in outcomes} <= set(Status)
    # other layouts of August, each on its own (together they would repeat one period)
    for folder in ("xlsx", "html", "text", "delimited"):
        for path in sorted((FIXTURES / folder).glob("*.*")):
            if path.suffix in {".xlsx", ".html", ".htm", ".txt", ".tsv", ".csv"}:
                found = check_document(path, PeriodOptions())
                emitted |= {(i.check, i.severity) for i in found.issues}
                actions |= {i.action for i in found.issues}
    # the fixtures reach the checks of every layer: whole documents, rows, schema, months
    names = {check for check, _ in emitted}
    assert {"readable", "period", "period_repeated", "table_found", "format"} <= names
    assert {"hidden_cells", "outside_table"} <= names
    assert {"completion_went_down", "item_renumbered", "item_text_changed"} <= names
    assert {"same_as_above", "empty_cell_merged", "unknown_column"} <= names
    for check, severity in sorted(emitted):
        assert check in CHECKS, f"{check} is emitted but not in schemas/checks.py"
        assert severity in CHECKS[check].severities, (check, severity)
    rules = {i["rule"] for o in outcomes for i in o.issues}
    assert rules <= {c.rule for c in CHECKS.values()}
    assert {severity for _, severity in emitted} <= set(Severity)
    assert actions <= set(Action), sorted(actions - set(Action))
    assert {"document rejected", "row loaded", "value inherited"} <= actions


def test_every_action_the_code_writes_is_in_the_enum() -> None:
    """The actions written as words in the code (``action="row kept"``) are ``Action``s:
    the values are stored in ``validation_issues.action``, so a new one is added there."""
    root = Path(__file__).parents[2]
    written: dict[str, Path] = {}
    for package in ("parsers", "schemas", "pipelines", "warehouse"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text("utf-8")
            for value in re.findall(r'\baction(?:: str)? ?= ?"([^"]+)"', text):
                written.setdefault(value, path)
            for value in re.findall(r'\baction=(?:[^,)]* if [^,)]* else )?"([^"]+)"', text):
                written.setdefault(value, path)
    written.pop("ignore", None)  # pandas' ``na_action="ignore"``
    assert len(written) > 10
    missing = {value: str(path.relative_to(root)) for value, path in written.items()}
    for value in set(Action):
        missing.pop(value, None)
    assert missing == {}


def test_each_rule_is_plain_words() -> None:
    for name, check in CHECKS.items():
        assert check.name == name
        assert check.severities and check.severities <= {"error", "warning", "info"}
        assert check.rule and check.rule != name.replace("_", " ")
        assert describe_rule(name) == check.rule
    assert describe_rule("no_such_check") == "no such check"


def test_each_check_says_what_to_do() -> None:
    """The validation report's "what to do" comes from the table: every check has it."""
    from schemas.checks import describe_fix

    for name, check in CHECKS.items():
        assert check.fix, f"{name} has no fix in schemas/checks.py"
        assert check.fix != check.rule
        assert describe_fix(name) == check.fix
    assert describe_fix("no_such_check") is None
