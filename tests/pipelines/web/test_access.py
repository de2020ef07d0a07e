"""No page and no file of the intake page without the right account; sign-in, CSRF, limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from pipelines.web.security import RateLimit
from tests.helpers import SAMPLE, csrf_of, web_client, web_sign_in, web_upload

#: The only routes open without an account: signing in and the language switch.
PUBLIC = {("GET", "/signin"), ("POST", "/signin"), ("GET", "/signin/link/{token}"),
          ("GET", "/lang/{code}")}  # fmt: skip


def _routes(client) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in client.app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    )


def _fill(path: str, submission: str) -> str:
    return path.replace("{sid}", submission).replace("{token}", "x").replace("{code}", "en")


def test_every_route_but_signing_in_needs_an_account(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    submission = web_upload(client, SAMPLE)
    client.cookies.clear()
    token = csrf_of(client)  # a valid form token: the refusal is for the account alone
    routes = _routes(client)
    assert set(PUBLIC) <= set(routes)
    walked = 0
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        url = _fill(path, submission)
        reply = client.request(
            method, url, data={"csrf_token": token} if method == "POST" else None
        )
        walked += 1
        assert reply.status_code in (303, 401), (method, url, reply.status_code)
        if reply.status_code == 303:
            assert reply.headers["location"].startswith("/signin"), (method, url)
        else:
            assert 'action="/signin"' in reply.text, (method, url)
        assert "乐清" not in reply.text and "yueqing" not in reply.text, (method, url)
    assert walked >= 10


def test_another_office_gets_403_for_every_route_of_a_submission(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    submission = web_upload(client, SAMPLE)
    assert client.get(f"/submissions/{submission}/report").status_code == 200
    web_sign_in(client, "yongjia")
    token = csrf_of(client)
    for method, path in _routes(client):
        if "{sid}" not in path:
            continue
        url = _fill(path, submission)
        reply = client.request(
            method, url, data={"csrf_token": token} if method == "POST" else None
        )
        assert reply.status_code == 403, (method, url, reply.status_code)
        assert "2022年8月民生实事" not in reply.text and SAMPLE.name not in reply.text
    home = client.get("/")
    assert submission not in home.text and SAMPLE.name not in home.text
    month = client.get("/month?year=2022&month=8")
    assert "乐清市" not in month.text.split("<main>", 1)[1]
    assert client.get("/audit").status_code == 403  # the admin's only
    web_sign_in(client, "admin")
    assert client.get(f"/submissions/{submission}/report").status_code == 200
    assert client.get("/audit").status_code == 200


def test_a_secret_signs_in_and_a_link_signs_in_once(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    store = client.app.state.store
    link = store.new_link("乐清市政府办")
    assert client.get(f"/signin/link/{link}").status_code == 303
    assert client.get("/").status_code == 200
    client.cookies.clear()
    again = client.get(f"/signin/link/{link}")
    assert again.status_code == 401 and "used already" in again.text
    assert client.get("/").status_code == 401
    wrong = client.post(
        "/signin", data={"name": "乐清市政府办", "password": "nope", "csrf_token": csrf_of(client)}
    )
    assert wrong.status_code == 401 and "wrong" in wrong.text
    web_sign_in(client, "yueqing")
    assert "乐清市政府办" in client.get("/").text
    stored = Path(store.path).read_bytes()
    assert client.secrets["yueqing"].encode() not in stored and b"$argon2id$" in stored


def test_sign_in_is_refused_after_five_failures_a_minute(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    token = csrf_of(client)
    for _ in range(5):
        reply = client.post(
            "/signin", data={"name": "乐清市政府办", "password": "guess", "csrf_token": token}
        )
        assert reply.status_code == 401
    right = {"name": "乐清市政府办", "password": client.secrets["yueqing"], "csrf_token": token}
    refused = client.post("/signin", data=right)
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text
    # the same client with another account's name: the client's own count refuses it too
    other = {"name": "永嘉县政府办", "password": client.secrets["yongjia"], "csrf_token": token}
    assert client.post("/signin", data=other).status_code == 429
    log = client.app.state.store.audit_log()
    assert [e["action"] for e in log[:2]] == ["sign in refused", "sign in refused"]


def test_a_failure_a_minute_old_counts_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the limit's own clock, moved by hand: a busy machine's pause between two lines
    must not age the failures (with a real 0.2 s window it could)."""
    import types

    from pipelines.web import security

    now = [1000.0]
    monkeypatch.setattr(security, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    limit = RateLimit(failures=2, seconds=60)
    limit.failed("a")
    now[0] += 30
    limit.failed("a")
    assert limit.wait_seconds("a") == 30 and limit.wait_seconds("b") == 0
    now[0] += 29.5
    assert limit.wait_seconds("a") == 0.5
    now[0] += 0.5
    assert limit.wait_seconds("a") == 0


def test_a_form_without_its_csrf_token_is_refused(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    web_sign_in(client, "yueqing")
    files = [("files", (SAMPLE.name, SAMPLE.read_bytes(), "text/plain"))]
    reply = client.post("/submissions", data={"csrf_token": "forged"}, files=files)
    assert reply.status_code == 403 and "another site" in reply.text
    assert client.app.state.store.submissions() == []
    no_token = client.post(
        "/signin", data={"name": "乐清市政府办", "password": client.secrets["yueqing"]}
    )
    assert no_token.status_code == 403


def test_cookies_are_httponly_samesite_and_secure_over_https(tmp_path: Path) -> None:
    client = web_client(tmp_path)
    plain = client.get("/signin").headers["set-cookie"]
    assert "httponly" in plain.lower() and "samesite=strict" in plain.lower()
    assert "secure" not in plain.lower()
    client.base_url = "https://testserver"  # type: ignore[misc]
    client.cookies.clear()
    over_https = client.get("https://testserver/signin").headers["set-cookie"]
    assert "secure" in over_https.lower()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("https://testserver/signin").text
    )
    assert token
    signed_in = client.post(
        "https://testserver/signin",
        data={"name": "市府办", "password": client.secrets["admin"], "csrf_token": token[1]},
    )
    session = signed_in.headers["set-cookie"].lower()
    assert "minsheng_session" in session and "secure" in session and "httponly" in session
    assert "samesite=lax" in session


def test_secrets_are_kept_as_argon2id_hashes_at_the_production_cost(tmp_path: Path) -> None:
    import sqlite3

    from pipelines.web.store import Store, store_path

    store = Store(store_path(tmp_path / "minsheng.duckdb"))  # as minsheng web makes it
    secret = store.add_account("乐清市政府办", "office", ["乐清市"])
    with sqlite3.connect(store.path) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
    # RFC 9106's low-memory profile, argon2-cffi's default: 64 MiB, 3 passes, 4 lanes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and secret not in stored
    assert store.check_password("乐清市政府办", secret) is not None
