"""Reports named by a web address, fetched from a local server on 127.0.0.1 only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checking import check_document
from pipelines.core.discovery import discover_documents
from pipelines.core.fetching import FetchError, FetchLimits, fetch_page, page_name
from pipelines.core.settings import PeriodOptions
from tests.helpers import FIXTURES
from tests.pipelines.test_cli import minsheng

PAGE = (FIXTURES / "html" / "yueqing-2022-08.html").read_bytes()
GBK_PAGE = (FIXTURES / "html" / "yueqing-2022-08-gb2312.html").read_bytes()
SLOW_S = 3.0
TRICKLE_S = 2.0


class _Site(BaseHTTPRequestHandler):
    """The city site as the tests need it: the article, errors, a slow page, a redirect loop."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        routes = {
            "/art/2022/9/16/art_1229_5678.html": (200, "text/html; charset=utf-8", PAGE),
            "/gbk/art_8.html": (200, "text/html", GBK_PAGE),
            "/report.json": (200, "application/json", b'{"rows": []}'),
        }
        if self.path == "/moved":
            self._send(301, "text/html", b"", location="/art/2022/9/16/art_1229_5678.html")
        elif self.path == "/to-private":  # to a router's page on the server's own network
            self._send(302, "text/html", b"", location="http://10.255.255.1/art_1.html")
        elif self.path == "/loop":
            self._send(302, "text/html", b"", location="/loop")
        elif self.path == "/slow.html":
            time.sleep(SLOW_S)
            self._send(200, "text/html", PAGE)
        elif self.path == "/trickle-body.html":
            self._trickle(headers_first=True)
        elif self.path == "/trickle-headers.html":
            self._trickle(headers_first=False)
        elif self.path in routes:
            self._send(*routes[self.path])
        else:
            self._send(404, "text/html", b"<h1>404</h1>")

    def _send(self, status: int, ctype: str, body: bytes, location: str | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def _trickle(self, *, headers_first: bool) -> None:
        """One byte of the page (or one header line) every ``TRICKLE_S``, for a minute: each
        read is quick, the whole never ends."""
        try:
            self.send_response(200)
            if headers_first:
                self.send_header("Content-Type", "text/html")
                self.end_headers()
            for n in range(30):
                time.sleep(TRICKLE_S)
                if headers_first:
                    self.wfile.write(PAGE[n : n + 1])
                else:
                    self.send_header(f"X-Slow-{n}", "x")
                    self.flush_headers()
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.process
def test_the_page_is_fetched_byte_for_byte_and_redirects_are_followed(site: str) -> None:
    page = fetch_page(f"{site}/moved")
    assert page.data == PAGE
    assert page.final_url == f"{site}/art/2022/9/16/art_1229_5678.html"
    assert page.name == "moved.html"
    assert fetch_page(f"{site}/gbk/art_8.html").data == GBK_PAGE


@pytest.mark.parametrize(
    ("path", "limits", "message"),
    [
        ("/art_404.html", FetchLimits(), r"answered 404 Not Found: check the address"),
        ("/report.json", FetchLimits(), r"sent application/json, not a web page"),
        ("/loop", FetchLimits(max_redirects=3), r"redirected more than 3 times"),
        ("/slow.html", FetchLimits(timeout_s=0.5), r"did not answer within 0\.5 s"),
        ("/gbk/art_8.html", FetchLimits(max_bytes=1000), r"larger than 0 MB"),
    ],
)
def test_what_cannot_be_fetched_says_why_in_one_line(
    site: str, path: str, limits: FetchLimits, message: str
) -> None:
    with pytest.raises(FetchError, match=message) as caught:
        fetch_page(site + path, limits)
    assert "\n" not in str(caught.value)


def test_a_fetch_for_others_checks_the_address_again_at_every_redirect(site: str) -> None:
    """The intake page fetches with ``networks`` set: public addresses and those networks
    only. A page on an allowed address that redirects elsewhere is checked again there."""
    here = FetchLimits(networks=("127.0.0.1/32",))
    assert fetch_page(f"{site}/moved", here).data == PAGE  # a redirect within 127.0.0.1
    with pytest.raises(FetchError) as caught:
        fetch_page(f"{site}/to-private", here)
    assert str(caught.value).endswith(
        f"{site}/to-private redirected to http://10.255.255.1/art_1.html: 10.255.255.1 is an "
        "address of the server's own network; give the address of the office's public web page"
    )
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is an address of the server's own"):
        fetch_page(f"{site}/moved", FetchLimits(networks=()))  # public ones only
    with pytest.raises(ValueError, match="10.x is not a network"):
        FetchLimits(networks=("10.x",))


def test_a_closed_port_is_a_fetch_error_not_a_traceback() -> None:
    with pytest.raises(FetchError, match="could not be fetched"):
        fetch_page("http://127.0.0.1:9/x.html", FetchLimits(timeout_s=2))


def test_page_names_come_from_the_address() -> None:
    assert page_name("https://www.yueqing.gov.cn/art/2022/9/16/art_1229_5678.html") == (
        "art_1229_5678.html"
    )
    assert page_name("https://www.yueqing.gov.cn/") == "www.yueqing.gov.cn.html"
    assert page_name("https://x.cn/col/%E6%B0%91%E7%94%9F.htm") == "民生.htm"


@pytest.mark.process
def test_a_url_file_in_a_folder_is_an_entry_that_is_fetched(site: str, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shortcut = inbox / "八月进展.url"
    shortcut.write_text(
        f"[InternetShortcut]\r\nURL={site}/art/2022/9/16/art_1229_5678.html\r\n", encoding="utf-8"
    )
    (inbox / "plain.url").write_text(f"{site}/gbk/art_8.html\n", encoding="utf-8")
    found = discover_documents([inbox])
    assert found == [inbox / "plain.url", shortcut]  # sorted by name
    result = check_document(shortcut, PeriodOptions())
    assert (result.status, result.source_name, len(result.rows)) == (
        "loaded",
        "art_1229_5678.html",
        48,
    )
    assert result.source_url == f"{site}/art/2022/9/16/art_1229_5678.html"
    assert result.source_bytes == PAGE
    assert (result.region, result.year, result.month) == ("乐清市", 2022, 8)


@pytest.mark.process
def test_ingest_of_addresses_loads_the_page_and_rejects_what_cannot_be_fetched(
    site: str, tmp_path: Path
) -> None:
    good = f"{site}/art/2022/9/16/art_1229_5678.html"
    bad = [f"{site}/art_404.html", f"{site}/slow.html", f"{site}/report.json"]
    done = minsheng("ingest", good, *bad, "--db", "w.duckdb", "--fetch-timeout", "1", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    lines = done.stdout.splitlines()
    assert any(
        line.startswith("loaded    art_1229_5678.html") and "乐清市 2022-08  48 rows loaded" in line
        for line in lines
    ), output
    for url, says in zip(
        bad, ["answered 404", "did not answer within 1 s", "not a web page"], strict=True
    ):
        line = next(line for line in lines if url in line)
        assert line.startswith("rejected") and says in line, line

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        reports = conn.execute(
            "SELECT source_url, source_name, source_format, status, rows_loaded, archived_as "
            "FROM reports ORDER BY source_url"
        ).fetchall()
    by_url = {row[0]: row for row in reports}
    assert set(by_url) == {good, *bad}
    assert by_url[good][1:5] == ("art_1229_5678.html", "html", "loaded", 48)
    assert (tmp_path / "raw" / by_url[good][5]).read_bytes() == PAGE  # raw/ beside the db
    assert [by_url[url][3] for url in bad] == ["rejected"] * 3
    from schemas.checks import CHECKS

    assert "fetch" in CHECKS  # the rule the report shows for a page that could not be fetched
    report = json.loads(
        Path(
            tmp_path
            / next(line for line in lines if line.startswith("validation report:"))
            .split("(json: ")[1]
            .rstrip(")")
        ).read_text(encoding="utf-8")
    )
    assert {d["source_url"] for d in report["documents"]} == {good, *bad}


@pytest.mark.waits
@pytest.mark.parametrize("path", ["/trickle-body.html", "/trickle-headers.html"])
def test_the_fetch_timeout_bounds_the_whole_fetch(site: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(site + path, FetchLimits(timeout_s=3))
    # the trickle lasts a minute: well under it is the limit at work, also on a busy machine
    assert time.monotonic() - started < 20
    assert str(caught.value).endswith(
        "was not fetched within 3 s (the limit on the whole fetch, --fetch-timeout): the server "
        "is too slow; try again later or pass a longer --fetch-timeout"
    )


@pytest.mark.waits
def test_a_server_sending_a_byte_every_two_seconds_is_given_up_at_the_fetch_timeout(
    site: str, tmp_path: Path
) -> None:
    from tests.helpers import invoke

    started = time.monotonic()
    done = invoke(
        "ingest", f"{site}/trickle-body.html", "--fetch-timeout", "4", "--db", "w.duckdb",
        "--reports-dir", "reports", cwd=tmp_path,
    )  # fmt: skip
    assert time.monotonic() - started < 30  # the trickle lasts a minute
    assert done.returncode == 1
    assert "trickle-body.html was not fetched within 4 s (the limit on the whole fetch" in (
        done.stdout
    )
