"""Reports named by a web address: fetch the page, bounded, as the bytes of a document.

``minsheng ingest https://…/art_….html`` and a ``.url`` file in a folder (the Internet
Shortcut a browser makes when a link is dragged into a folder, or a text file whose first
line is the address) name a page on a government site. The page is fetched once with
httpx: a time limit, a size cap, a few redirects at most, and only a web page
(``text/html``) is accepted. What cannot be fetched is a rejected document with a one-line
reason, like a file that cannot be read.
"""

from __future__ import annotations

import ipaddress
import posixpath
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from i18n import _
from limits import DEFAULTS, FetchLimits
from parsers import DocumentError

__all__ = [
    "FetchError",
    "FetchLimits",
    "address_problem",
    "fetch_page",
    "is_url",
    "page_name",
    "web_address",
]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_USER_AGENT = "minsheng-etl (+monthly livelihood project reports)"


class FetchError(DocumentError):
    """A page that could not be fetched: no answer, an error status, not a web page."""

    check = "fetch"


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as given
    final_url: str  # after redirects
    name: str  # a file name for the page, from its address
    data: bytes


def is_url(value: str | Path) -> bool:
    """``http://…`` or ``https://…`` (a Path never is: it would have lost a slash)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def url_from_shortcut(path: Path) -> str | None:
    """The address a ``.url`` file names: its ``URL=`` line, else its first line that is one."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    lines = [line.strip() for line in text.splitlines()]
    for line in lines:
        if line.lower().startswith("url="):
            return line[4:].strip()
    return next((line for line in lines if is_url(line)), None)


def web_address(source: str | Path) -> str | None:
    """The page a run source names: an ``http(s)://`` address, or a ``.url`` file's; else None."""
    if is_url(str(source)):
        return str(source)
    path = Path(source)
    return url_from_shortcut(path) if path.suffix.lower() == ".url" and path.is_file() else None


def page_name(url: str) -> str:
    """A file name for a page: the last part of its path (``art_1229_5678.html``), else its host."""
    parts = urlsplit(url)
    name = posixpath.basename(unquote(parts.path)).strip() or parts.hostname or "page"
    name = name.replace("/", "_").replace("\\", "_")
    if not name.lower().endswith((".html", ".htm")):
        name += ".html"
    return name


def address_problem(url: str, networks: tuple[str, ...]) -> str | None:
    """Why ``url`` is not fetched for someone else, or None: it must be http(s), and every
    address its host resolves to public or in ``networks`` (``FetchLimits.networks``).

    The host is resolved here, and again when httpx connects: a name whose addresses change
    between the two (DNS rebinding) is not caught.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("{url}: give a web address starting with http:// or https://").format(url=url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return _("{url}: the host {host} is not known; check the address").format(
            url=url, host=parts.hostname
        )
    allowed = [ipaddress.ip_network(n, strict=False) for n in networks]
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not (address.is_global or any(address in network for network in allowed)):
            return _(
                "{url}: {host} is an address of the server's own network; give the address of "
                "the office's public web page"
            ).format(url=url, host=parts.hostname)
    return None


def fetch_page(url: str, limits: FetchLimits = DEFAULTS.fetch) -> FetchedPage:
    """The bytes of the page at ``url`` exactly as sent, or a FetchError saying why not.

    ``limits.timeout_s`` bounds the whole fetch, not each read: a server that sends a byte
    (or a header line) every second never lets httpx's own timeouts expire. The fetch runs in
    a thread of its own, given up at the deadline (its socket closes at httpx's next read
    timeout; the page's bytes are bounded all the while by ``max_bytes``).
    """
    import httpx  # noqa: F401 - imported here (only runs with an address pay), before the clock

    name = page_name(url)
    deadline = time.monotonic() + limits.timeout_s
    outcome: dict[str, object] = {}

    def fetch() -> None:
        try:
            outcome["page"] = _fetch(url, name, limits, deadline)
        except BaseException as exc:  # raised again in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=fetch, name=f"fetch {name}", daemon=True)
    worker.start()
    worker.join(limits.timeout_s + 0.5)  # the thread's own check comes first when it can
    if worker.is_alive():
        raise FetchError(name, _deadline_message(url, limits))
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["page"]  # type: ignore[return-value]


def _deadline_message(url: str, limits: FetchLimits) -> str:
    return _(
        "{url} was not fetched within {timeout_s:g} s (the limit on the whole fetch, "
        "--fetch-timeout): the server is too slow; try again later or pass a longer "
        "--fetch-timeout"
    ).format(url=url, timeout_s=limits.timeout_s)


def _fetch(url: str, name: str, limits: FetchLimits, deadline: float) -> FetchedPage:
    import httpx

    def vet(request: httpx.Request) -> None:
        """Each request, the first and every redirect's, to an allowed address only."""
        if limits.networks is None:
            return
        problem = address_problem(str(request.url), limits.networks)
        if problem is not None:
            if str(request.url) != url:
                problem = _("{url} redirected to {problem}").format(url=url, problem=problem)
            raise FetchError(name, problem)

    try:
        with httpx.Client(
            follow_redirects=True,
            max_redirects=limits.max_redirects,
            timeout=limits.timeout_s,
            headers={"User-Agent": _USER_AGENT},
            event_hooks={"request": [vet]},
        ) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(
                        name,
                        _("{url} answered {status_code} {reason_phrase}: check the address").format(
                            url=url,
                            status_code=response.status_code,
                            reason_phrase=response.reason_phrase,
                        ),
                    )
                media = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if media not in _HTML_TYPES:
                    raise FetchError(
                        name,
                        _(
                            "{url} sent {media}, not a web page: download the file and ingest that"
                        ).format(url=url, media=media or _("something without a content type")),
                    )
                data = _read_capped(response, url, name, limits, deadline)
                final_url = str(response.url)
    except httpx.TimeoutException:
        raise FetchError(
            name,
            _("{url} did not answer within {timeout_s:g} s: try again later").format(
                url=url, timeout_s=limits.timeout_s
            ),
        ) from None
    except httpx.TooManyRedirects:
        raise FetchError(
            name,
            _("{url} redirected more than {max_redirects} times: not fetched").format(
                url=url, max_redirects=limits.max_redirects
            ),
        ) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(
            name,
            _("{url} is not a web address that can be fetched ({exc})").format(url=url, exc=exc),
        ) from None
    except httpx.HTTPError as exc:
        raise FetchError(
            name,
            _("{url} could not be fetched ({name}: {exc})").format(
                url=url, name=type(exc).__name__, exc=exc
            ),
        ) from None
    return FetchedPage(url=url, final_url=final_url, name=name, data=data)


def _read_capped(  # noqa: ANN001
    response, url: str, name: str, limits: FetchLimits, deadline: float
) -> bytes:
    max_bytes = limits.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(name, _too_big(url, max_bytes))
    chunks: list[bytes] = []
    size = 0
    # Decoded from any Content-Encoding, so the cap also bounds a compressed bomb.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(name, _too_big(url, max_bytes))
        if time.monotonic() > deadline:
            raise FetchError(name, _deadline_message(url, limits))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(url: str, max_bytes: int) -> str:
    megabytes = max_bytes // (1024 * 1024)
    return _("{url} is larger than {megabytes} MB, more than a report page: not fetched").format(
        url=url, megabytes=megabytes
    )
