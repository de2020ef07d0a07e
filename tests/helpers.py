"""Helpers shared by tests: expected rows, whole runs (core, flow, command line), samples."""

from __future__ import annotations

import base64
import hashlib
import os
import pickle
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from parsers import ParsedDocument, parse_document
from parsers.model import VALUE_COLUMNS

if TYPE_CHECKING:
    from pipelines.core.run_report import RunReport

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "yueqing-2022-08.txt"
EXPECTED = FIXTURES / "yueqing-2022-08.expected.csv"
SAMPLE_NAME = "2022年8月民生实事项目进展情况.txt"
MONTHS = FIXTURES / "months"
TEXT_MONTHS = sorted((MONTHS / "text").glob("*.txt"))
SECOND_REGION = sorted((MONTHS / "yongjia").glob("*.txt"))

#: The columns compared with the August truth and across formats (``parsers.model``).
COMPARED = list(VALUE_COLUMNS)
TEXT_COLUMNS = ["content", "plan_text", "actual_text", "completion_raw", "department", "leader"]


# The six-page scans read whole: minutes on 2 cores, so run by CI (.ci/run) and on request.
LONG_SCANS = pytest.mark.skipif(
    os.environ.get("MINSHENG_TEST_LONG_SCANS") != "1",
    reason="a long OCR read (minutes on 2 cores): set MINSHENG_TEST_LONG_SCANS=1",
)


def sample_lines() -> list[str]:
    return SAMPLE.read_text("utf-8").splitlines()


def expected_rows() -> pd.DataFrame:
    return pd.read_csv(EXPECTED, dtype=str, keep_default_na=False)


def as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every cell as the string the expected CSV holds ('' for missing)."""
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        series = frame[column]
        out[column] = [
            "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in series
        ]
    return out.reset_index(drop=True)


def without_space(frame: pd.DataFrame) -> pd.DataFrame:
    """Texts with all whitespace removed, for formats that wrap lines inside cells."""
    out = frame.copy()
    for column in TEXT_COLUMNS:
        if column in out:
            out[column] = out[column].map(lambda v: re.sub(r"\s+", "", v))
    return out


def load(paths: list[Path], db: Path, run_id: str = "run") -> list:
    """Check and load ``paths`` into ``db`` with the load step's plain functions."""
    from datetime import datetime

    from pipelines.core.checking import check_document
    from pipelines.core.load_run import load_results
    from pipelines.core.settings import PeriodOptions, RunSettings

    settings = RunSettings.build(
        db=db, reports_dir=db.parent / "reports", raw_dir=db.parent / "raw"
    )
    results = [check_document(p, PeriodOptions()) for p in paths]
    return load_results(results, settings, run_id, datetime.now())


def ingest_report(
    paths: list[str], *, load: bool = True, **settings: str | int | None
) -> RunReport:
    """A whole run through the pipeline core (what ``minsheng ingest`` does without Prefect),
    with the ingest flow's parameters (``db``, ``reports_dir``, ``region``, …); its report."""
    from pipelines.core.discovery import discover_documents
    from pipelines.core.run import run_pipeline
    from pipelines.core.settings import RunSettings

    run_settings = RunSettings.build(**settings)  # type: ignore[arg-type]
    return run_pipeline(discover_documents(list(paths)), run_settings, load=load)


def ingest(paths: list[str], *, load: bool = True, **settings: str | int | None) -> dict:
    """``ingest_report``'s report in its JSON form, as the validation report's file has it
    (with where it was written)."""
    return ingest_report(paths, load=load, **settings).as_json()


def ingest_in_flow(paths: list, tmp_path: Path, **options: object) -> tuple[object, dict]:
    """A run of the real ingest flow into ``tmp_path``: its final state and its report."""
    from pipelines.flows.ingest import ingest_flow
    from pipelines.flows.run_flow import report_of

    state = ingest_flow(
        paths=[str(p) for p in paths],
        db=str(tmp_path / "w.duckdb"),
        reports_dir=str(tmp_path / "reports"),
        raw_dir=str(tmp_path / "raw"),
        return_state=True,
        **options,
    )
    return state, report_of(state).as_json()


def broken_sample(folder: Path) -> Path:
    """The August sample with three rows an error check quarantines (lines 2, 3 and 7)."""
    lines = sample_lines()
    lines[2] = lines[2].replace("| 72% |", "| 待核实 |")  # line 3, item (2)
    lines[6] = lines[6].rstrip().rstrip("|") + "| 多余 |"  # line 7, item (6): 7 cells
    # line 2, item (1): no leader (the sample leaves its merged cells out, so an empty cell is
    # a missing value, not a merge); lines 4 and 5 take its department, with a warning each
    lines[1] = lines[1].replace("| 王旭良 |", "|  |")
    path = folder / SAMPLE_NAME
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines), "utf-8")
    return path


def minsheng(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``minsheng`` as a real process, for what needs one (signals, locks, exit paths)."""
    environment = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "COLUMNS": "200", **env}
    environment.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@dataclass
class Invoked:
    """What an in-process ``minsheng`` run printed, like a finished subprocess."""

    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, cwd: Path, env: dict[str, str | None] | None = None) -> Invoked:
    """``minsheng`` in this process (typer's CliRunner), run in ``cwd``; ``env`` adds to
    (or, with ``None`` values, removes from) the environment for the run."""
    from pipelines.cli import app

    saved = Path.cwd()
    os.chdir(cwd)
    try:
        # No Prefect API unless the test gives one (the session's PREFECT_HOME has no profile).
        result = CliRunner().invoke(
            app, list(args), env={"COLUMNS": "200", "PREFECT_API_URL": None, **(env or {})}
        )
    finally:
        os.chdir(saved)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Invoked(result.exit_code, result.stdout, result.stderr)


PAUSE_LINE = "fault injection: pausing"
TABLES = ("reports", "progress", "quarantine", "validation_issues", "runs")


def start_minsheng(
    *args: str, cwd: Path, pause: float = 0, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``minsheng`` as a real process in its own group; ``pause`` holds the load open;
    ``env`` adds to its environment."""
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "COLUMNS": "200", **(env or {})}
    env.pop("PREFECT_API_URL", None)
    if pause:
        env["MINSHENG_FAULT_PAUSE_BEFORE_COMMIT"] = str(pause)
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", *args],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Its own process group, so that a crash takes the whole tree down, the temporary
        # Prefect server it starts included, as when the machine loses power.
        start_new_session=True,
    )


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float) -> list[str]:
    """Read the process's stderr until a line contains ``text``; the lines read so far.

    Read a byte at a time from the pipe itself: a buffered ``readline`` takes in whatever the
    pipe holds, so on a loaded machine, where the process writes two lines before this one
    reads, the awaited line sits in the reader's buffer while ``select`` waits on an empty
    pipe. Nothing past that line is taken: ``communicate()`` still gets the rest."""
    assert process.stderr is not None
    fd = process.stderr.fileno()
    seen: list[str] = []
    line = bytearray()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        byte = os.read(fd, 1)
        if byte:
            line += byte
        if byte == b"\n" or (not byte and line):
            seen.append(line.decode("utf-8", "replace"))
            line.clear()
            if text in seen[-1]:
                return seen
        if not byte:  # the other end closed: the process ended without saying it
            code = process.wait(timeout=60)
            raise AssertionError(f"exited {code} without {text!r}: {seen}")
    raise AssertionError(f"no {text!r} within {timeout} s: {seen}")


def month_file(folder: Path, month: int, *, bump: int = 0) -> Path:
    """The sample as another month (title, header), optionally with other completion rates."""
    lines = sample_lines()
    lines[0] = lines[0].replace("8月计划进度", f"{month}月计划进度")
    if bump:
        lines = [line.replace("| 72% |", f"| {72 + bump}% |") for line in lines]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"2022年{month}月民生实事项目进展情况{'-v2' if bump else ''}.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def table_rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of the warehouse's tables, sorted: equal before and after means unchanged."""
    with duckdb.connect(str(db), read_only=True) as conn:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in TABLES
        }


# A cell of a sheet saved as text may be in double quotes: ``"(1)…"``.
_MARKER_LINE = re.compile(r"(?m)^\s*\"?[(（]\s*(\d{1,3})\s*[)）]")


def markers_in(path: Path) -> set[int]:
    """Item numbers ``(N)`` that start a line of the document, read without the parsers:
    pdfium's text for a PDF, python-docx for Word, openpyxl's cells for a workbook, the
    lines of a text file or of a web page without its tags."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(path)
        try:
            texts = [page.get_textpage().get_text_range() for page in document]
        finally:
            document.close()
    elif suffix == ".docx":
        import docx

        word = docx.Document(str(path))
        texts = [p.text for p in word.paragraphs]
        texts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    elif suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        texts = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        book.close()
    else:
        data = path.read_bytes()
        try:
            texts = [data.decode("utf-8-sig")]
        except UnicodeDecodeError:
            texts = [data.decode("gb18030")]
        if suffix in (".html", ".htm"):
            texts = [re.sub(r"<[^>]*>", "\n", text) for text in texts]
    return {int(n) for text in texts for n in _MARKER_LINE.findall(text)}


def parsed(path: Path, **options: Any) -> ParsedDocument:
    """``parse_document(path, **options)`` read once per test run.

    Many tests look at the same committed fixture (the reconciliation test reads them all); a
    PDF takes a second or two to read. The first test to ask parses it, and the others, on any
    worker, get a copy of that result: the parser's real output of this run, never a stored one.
    """
    run_dir = os.environ.get("MINSHENG_TEST_RUN_DIR")
    if run_dir is None:
        return parse_document(path, **options)
    # The language and fault settings (MINSHENG_*) change what a parse gives: part of the key.
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("MINSHENG_"))
    key = hashlib.sha256(
        Path(path).read_bytes() + repr((sorted(options.items()), settings)).encode()
    )
    cached = Path(run_dir) / "parsed" / f"{key.hexdigest()}.pickle"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    doc = parse_document(path, **options)
    cached.parent.mkdir(exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}")
    partial.write_bytes(pickle.dumps(doc))
    partial.replace(cached)  # whole or absent for a worker reading it at the same moment
    return doc


def assert_nothing_lost(path: Path, doc: ParsedDocument) -> None:
    """Every item the document shows is in the rows or the quarantined rows, and the parser's
    own reconciliation found nothing unaccounted for. Every parser test calls this."""
    accounted = {int(n) for n in doc.rows["item_no"].dropna()}
    accounted |= {r.item_no for r in doc.rejected if r.item_no is not None}
    assert markers_in(path) <= accounted, sorted(markers_in(path) - accounted)
    unaccounted = [r for r in doc.rejected if any(i.check == "row_unaccounted" for i in r.issues)]
    assert unaccounted == [], [r.reasons for r in unaccounted]


def soffice_missing() -> bool:
    from parsers.formats.legacy import soffice_path

    return soffice_path() is None


#: For tests that convert with LibreOffice: skipped, with the reason shown, where it is missing.
needs_soffice = pytest.mark.skipif(
    soffice_missing(),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer "
    "libreoffice-calc",
)


# Linux keeps a process's peak-memory mark across fork and exec, so a child of a big test
# process reports the parent's size. A small launcher in between starts the command from a
# fresh, small process and reports only the peak of what it started (and their children).
_PEAK_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(str(peak))\n"
    "sys.exit(code)\n"
)


def process_gone(pid: int) -> bool:
    """Whether no process ``pid`` is left. A child that ended but is not yet reaped still
    answers: the pools and the fork server reap their own."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def run_measuring_peak(argv: list[str], peak_file: Path, **popen: object) -> tuple[int, int]:
    """Run ``argv`` to its end; its exit code and the peak resident memory, in bytes, of it
    and every process it started."""
    code = subprocess.call([sys.executable, "-c", _PEAK_LAUNCHER, str(peak_file), *argv], **popen)  # type: ignore[arg-type]
    return code, int(peak_file.read_text()) * 1024


def web_client(tmp_path: Path, **web: Any) -> Any:
    """A TestClient on the real intake page over a warehouse file in ``tmp_path`` (not yet
    made: the first load makes it), with an office of 乐清市, one of 永嘉县 and an admin; the
    browser asks for English. ``client.secrets`` holds each account's sign-in secret.

    Secrets are hashed with argon2's cheapest parameters (the same code; the production cost
    is half a second a hash, and a test signs in several times)."""
    from argon2.profiles import CHEAPEST
    from fastapi.testclient import TestClient

    from pipelines.core.settings import RunSettings
    from pipelines.web.app import WebSettings, create_app
    from pipelines.web.store import Store, store_path

    run = web.pop("run", None) or RunSettings.build(
        db=tmp_path / "data" / "minsheng.duckdb", reports_dir=tmp_path / "reports"
    )
    web.setdefault("hashing", CHEAPEST)
    store = Store(store_path(run.db), web["hashing"])
    secrets = {
        "yueqing": store.add_account("乐清市政府办", "office", ["乐清市"]),
        "yongjia": store.add_account("永嘉县政府办", "office", ["永嘉县"]),
        "admin": store.add_account("市府办", "admin"),
    }
    client = TestClient(
        create_app(WebSettings(run, **web)),
        follow_redirects=False,
        headers={"Accept-Language": "en"},  # tests read English; the page's default is Chinese
    )
    client.secrets = secrets  # type: ignore[attr-defined]
    client.names = {"yueqing": "乐清市政府办", "yongjia": "永嘉县政府办", "admin": "市府办"}  # type: ignore[attr-defined]
    return client


def csrf_of(client: Any) -> str:
    """The CSRF token the page puts in its forms (the sign-in page hands one out)."""
    page = client.get("/signin")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found[1]


def web_sign_in(client: Any, who: str) -> None:
    """Sign ``who`` (``yueqing``, ``yongjia``, ``admin``) in with its secret."""
    client.cookies.clear()
    reply = client.post(
        "/signin",
        data={
            "name": client.names[who],
            "password": client.secrets[who],
            "csrf_token": csrf_of(client),
        },
    )
    assert reply.status_code == 303, reply.text


def web_wait(client: Any, submission: str, timeout: float = 120.0) -> dict[str, Any]:
    """Poll a submission's progress, as the page does, until its run is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = client.get(f"/submissions/{submission}/progress").json()
        if progress["state"] not in ("checking", "loading"):
            return progress
        time.sleep(0.1)
    raise AssertionError(f"submission {submission} still running after {timeout} s")


def web_upload(client: Any, *paths: Path, url: str = "") -> str:
    """Send files through the page's form; the new submission's id, its check finished."""
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    reply = client.post(
        "/submissions", data={"csrf_token": csrf_of(client), "url": url}, files=files
    )
    assert reply.status_code == 303, reply.text
    submission = reply.headers["location"].rsplit("/", 1)[1]
    web_wait(client, submission)
    return submission


@dataclass
class WebServer:
    """A real ``minsheng web`` process on a free port over a warehouse in a temp folder."""

    url: str
    db: Path
    secrets: dict[str, str]  # account name -> sign-in secret, as ``web add-office`` printed it


#: The accounts a browser walk uses: 乐清市's office, 永嘉县's office and the city office.
WEB_ACCOUNTS = {"yueqing": "乐清市政府办", "yongjia": "永嘉县政府办", "admin": "市府办"}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def web_server(folder: Path, *options: str) -> Iterator[WebServer]:
    """Make the accounts with ``minsheng web add-office`` / ``add-admin`` (in this process: a
    start-up each would cost seconds) and serve the page (``minsheng web``, a process of its
    own, given ``options`` too) until the block ends; the process is stopped whatever
    happens."""
    import socket

    db = folder / "data" / "minsheng.duckdb"
    secrets: dict[str, str] = {}
    made = [
        ("add-office", WEB_ACCOUNTS["yueqing"], "--region", "乐清市"),
        ("add-office", WEB_ACCOUNTS["yongjia"], "--region", "永嘉县"),
        ("add-admin", WEB_ACCOUNTS["admin"]),
    ]
    for command, name, *regions in made:
        done = invoke("web", command, name, *regions, "--db", str(db), "--lang", "en", cwd=folder)
        found = re.search(r"sign-in secret: (\S+)", done.stdout)
        assert done.returncode == 0 and found, done.stdout + done.stderr
        secrets[name] = found[1]
    port = _free_port()
    environment = {**os.environ, "PREFECT_HOME": str(folder / ".prefect"), "COLUMNS": "200"}
    environment.pop("PREFECT_API_URL", None)
    argv = [sys.executable, "-m", "pipelines", "web", "--port", str(port), "--db", str(db)]
    argv += ["--reports-dir", str(folder / "reports"), "--due-day", "5", *options]
    log = (folder / "web.log").open("wb")
    process = subprocess.Popen(argv, cwd=folder, env=environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 180  # its imports, on a loaded machine
        while True:
            assert process.poll() is None, (folder / "web.log").read_text("utf-8", "replace")
            assert time.monotonic() < deadline, "minsheng web did not listen within 180 s"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield WebServer(f"http://127.0.0.1:{port}", db, secrets)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def browser_sign_in(page: Any, server: WebServer, who: str) -> None:
    """Sign ``who`` (a key of ``WEB_ACCOUNTS``) in through the sign-in form, as a clerk does."""
    name = WEB_ACCOUNTS[who]
    page.goto(f"{server.url}/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", server.secrets[name])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")


def browser_upload(page: Any, server: WebServer, path: Path) -> str:
    """Choose ``path`` on the home page and send it; wait (the page polls its progress and
    reloads) until the validation report is shown. The submission's id."""
    page.goto(f"{server.url}/")
    page.set_input_files("#files", str(path))
    return browser_send(page)


def browser_send(page: Any, timeout_s: float = 120) -> str:
    """Press the home page's Check button and wait until the validation report is shown (the
    page polls its progress and reloads). The submission's id."""
    page.click("#send button[type=submit]")
    page.wait_for_url(re.compile(r".*/submissions/[^/]+$"))
    page.wait_for_selector("iframe.report", timeout=timeout_s * 1000)
    return str(page.url.rsplit("/", 1)[1])


def browser_drop(page: Any, selector: str, *paths: Path) -> None:
    """Drag ``paths`` onto ``selector`` as a file manager does: ``dragenter``, ``dragover``
    and ``drop`` events carrying a DataTransfer made in the page with the files' bytes."""
    files = [
        {"name": p.name, "data": base64.b64encode(p.read_bytes()).decode("ascii")} for p in paths
    ]
    transfer = page.evaluate_handle(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name));
            }
            return transfer;
        }""",
        files,
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": transfer})


def browser_load(page: Any, *, confirm: bool = False, timeout_s: float = 120) -> None:
    """Press the submission page's load button (ticking the replacement box first if asked)
    and wait until the page says it is loaded."""
    if confirm:
        page.check("input[name=confirm]")
    page.click("form[action$='/load'] button[type=submit]")
    page.wait_for_selector("p.state-loaded", timeout=timeout_s * 1000)
