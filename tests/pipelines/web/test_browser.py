"""The intake page walked through in a real Chromium (headless), against a real ``minsheng web``
process: what a clerk sees, and what another office or a visitor without an account does not."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.helpers import (
    FIXTURES,
    LONG_SCANS,
    MONTHS,
    SAMPLE,
    WEB_ACCOUNTS,
    broken_sample,
    browser_drop,
    browser_load,
    browser_send,
    browser_sign_in,
    browser_upload,
    invoke,
    web_server,
)

#: The office's web page as the city site publishes it, and where a test's server has it.
PAGE = (FIXTURES / "html" / "yueqing-2022-08.html").read_bytes()
ARTICLE = "/art/2022/9/16/art_1229_5678.html"

CHROMIUM = shutil.which("chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.process,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_an_office_sends_the_broken_report_fixes_it_and_loads_it_in_chromium(
    tmp_path: Path, browser: Any
) -> None:
    with web_server(tmp_path) as server:
        office = browser.new_context(locale="en-US")
        page = office.new_page()
        browser_sign_in(page, server, "yueqing")
        assert "Send reports" in _text(page)

        broken = browser_upload(page, server, broken_sample(tmp_path / "sent"))
        main = _text(page)
        assert "What would not load" in main and "Load what passed" in main
        report = page.frame_locator("iframe.report").locator("body").inner_text()
        checked = page.request.get(f"{server.url}/submissions/{broken}/report.json").json()
        issues = checked["documents"][0]["issues"]
        assert {i["severity"] for i in issues} == {"error", "warning"}
        for issue in issues:  # each issue, by its item, with the row as read
            assert issue["message"] in report, issue
        for item in ("(1)", "(2)", "(6)"):
            assert item in report
        assert "待核实" in report and "多余" in report  # the rows as read
        assert "line 3" in report and "line 7" in report, report
        errors = [i for i in issues if i["severity"] == "error"]
        assert len(errors) == 3 and all(i["message"] in main for i in errors)

        browser_load(page)
        assert "Loaded into the warehouse." in _text(page)

        fixed = browser_upload(page, server, SAMPLE)
        assert "This month is already loaded" in _text(page)
        browser_load(page, confirm=True)
        with duckdb.connect(str(server.db), read_only=True) as conn:
            assert conn.execute("SELECT count(*) FROM progress").fetchone() == (48,)

        page.goto(f"{server.url}/month?year=2022&month=8")
        row = page.locator("tr", has_text="乐清市")
        assert row.locator("td.state-loaded").inner_text() == "loaded"
        assert "48" in row.inner_text() and "yueqing-2022-08.txt" in row.inner_text()
        row.get_by_role("link").click()
        assert page.url == f"{server.url}/submissions/{fixed}"

        other = browser.new_context(locale="en-US")
        them = other.new_page()
        browser_sign_in(them, server, "yongjia")
        home = _text(them)
        assert "Nothing sent yet." in home and WEB_ACCOUNTS["yueqing"] not in home
        for path in (f"/submissions/{fixed}", f"/submissions/{broken}/report"):
            reply = them.goto(server.url + path)
            assert reply.status == 403, path
            assert "another office" in _text(them) and "待核实" not in them.content()
        them.goto(f"{server.url}/month?year=2022&month=8")
        month = _text(them)
        assert "永嘉县" in month and "乐清市" not in month and fixed not in them.content()

        visitor = browser.new_context(locale="en-US").new_page()
        for path in ("/", "/month", f"/submissions/{fixed}", f"/submissions/{fixed}/report"):
            visitor.goto(server.url + path)
            assert visitor.locator("h1").inner_text() == "Sign in", path
            assert "待核实" not in visitor.content() and "乐清市" not in visitor.content()


class _Site(BaseHTTPRequestHandler):
    """The city's site: the August article, and a link that redirects to a private address."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == ARTICLE:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        elif self.path == "/to-private":  # a router's page on the server's own network
            self.send_response(302)
            self.send_header("Location", "http://10.255.255.1/art_1.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def site() -> Iterator[str]:
    """The site on 127.0.0.1, in a thread of this process, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _rows(db: Path) -> list[tuple]:
    """Every loaded row, without the ids a run gives its reports."""
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(
            "SELECT * EXCLUDE (report_id) FROM progress ORDER BY year, month, item_no, sub_no"
        ).fetchall()


def _ingested(paths: list[Path], folder: Path) -> Path:
    """``minsheng ingest PATH… --region 乐清市`` into a warehouse of its own: the rows to match."""
    db = folder / "cli.duckdb"
    done = invoke(
        "ingest", *map(str, paths), "--region", "乐清市", "--db", str(db),
        "--reports-dir", str(folder / "cli-reports"), "--no-prefect", "--lang", "en",
        cwd=folder,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return db


def test_files_dropped_on_the_page_and_a_web_address_load_as_ingest_loads_them(
    tmp_path: Path, browser: Any, site: str
) -> None:
    months = [MONTHS / "text" / "yueqing-2022-07.txt", MONTHS / "text" / "yueqing-2022-09.txt"]
    # The test's site is on 127.0.0.1: the page refuses such addresses unless told otherwise.
    with web_server(tmp_path, "--allow-network", "127.0.0.1/32") as server:
        page = browser.new_context(locale="en-US").new_page()
        browser_sign_in(page, server, "yueqing")

        browser_drop(page, "#drop", *months)  # two files at once, as from a file manager
        chosen = page.eval_on_selector("#files", "input => [...input.files].map(f => f.name)")
        assert chosen == [m.name for m in months]
        dropped = browser_send(page)
        checked = page.request.get(f"{server.url}/submissions/{dropped}/report.json").json()
        assert [d["source_name"] for d in checked["documents"]] == [m.name for m in months]
        browser_load(page)

        page.goto(f"{server.url}/")
        page.fill("input[name=url]", site + ARTICLE)
        fetched = browser_send(page)
        checked = page.request.get(f"{server.url}/submissions/{fetched}/report.json").json()
        (document,) = checked["documents"]
        assert document["source_name"] == "art_1229_5678.html" and document["rows_loaded"] > 0
        assert (document["region"], document["year"], document["month"]) == ("乐清市", 2022, 8)
        browser_load(page)
        assert "Loaded into the warehouse." in _text(page)

        # A public-looking link that redirects into the server's network is not followed there.
        page.goto(f"{server.url}/")
        page.fill("input[name=url]", f"{site}/to-private")
        browser_send(page)
        report = page.frame_locator("iframe.report").locator("body").inner_text()
        assert "redirected to http://10.255.255.1/art_1.html" in report, report
        assert "server's own network" in report and "Load" not in _text(page)

        rows = _rows(server.db)
    as_ingest = _rows(_ingested([*months, FIXTURES / "html" / "yueqing-2022-08.html"], tmp_path))
    assert {(r[0], r[1], r[2]) for r in rows} == {("乐清市", 2022, m) for m in (7, 8, 9)}
    assert rows == as_ingest


@pytest.mark.heavy
@LONG_SCANS
def test_a_multi_page_scan_sent_through_the_page_shows_its_pages_read_and_loads_as_ingest(
    tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Minutes of OCR: the scan is read when it is checked, then loaded as ingest loads it."""
    # Pages the run's OCR cache holds (the corpus test reads this scan too) come back at once:
    # the server reads them itself, so that the test watches them being read.
    monkeypatch.delenv("MINSHENG_OCR_CACHE", raising=False)
    scan = FIXTURES / "scan" / "yueqing-2022-08-with-cover.pdf"  # a cover letter + six pages
    seen: list[str] = []
    with web_server(tmp_path) as server:
        context = browser.new_context(locale="en-US")
        # Every text the progress line shows, as the page writes it (not sampled by polling).
        context.expose_binding("progressShown", lambda _source, text: seen.append(text))
        context.add_init_script(
            """document.addEventListener("DOMContentLoaded", () => {
                const done = document.getElementById("done");
                if (done) new MutationObserver(() => window.progressShown(done.textContent))
                    .observe(done, {childList: true, characterData: true, subtree: true});
            });"""
        )
        page = context.new_page()
        browser_sign_in(page, server, "yueqing")
        page.goto(f"{server.url}/")
        page.set_input_files("#files", str(scan))
        sent = browser_send(page, timeout_s=900)
        pages = [t for t in seen if t.startswith("page ")]
        assert all(t.endswith(" of 7 of yueqing-2022-08-with-cover.pdf") for t in pages), pages
        read = [int(t.split()[1]) for t in pages]
        # The bar moved page by page, forwards, before the report came (a busy machine may
        # skip a page between two polls, never all of them).
        assert len(set(read)) >= 2 and read == sorted(read), seen
        checked = page.request.get(f"{server.url}/submissions/{sent}/report.json").json()
        assert checked["documents"][0]["rows_loaded"] >= 40
        browser_load(page, timeout_s=900)
        rows = _rows(server.db)
    assert rows == _rows(_ingested([scan], tmp_path))
