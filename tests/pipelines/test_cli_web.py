"""``minsheng web add-office`` / ``add-admin``: the secret printed once signs in."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.web.store import Store, store_path
from tests.helpers import invoke


def test_add_office_prints_a_secret_and_a_link_that_sign_in(tmp_path: Path) -> None:
    db = tmp_path / "data" / "minsheng.duckdb"
    done = invoke(
        "web", "add-office", "乐清市政府办", "--region", "乐清市", "--db", str(db),
        "--url", "https://intake.example.org/", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    secret = re.search(r"sign-in secret: (\S+)", done.stdout)
    link = re.search(r"https://intake\.example\.org/signin/link/(\S+)", done.stdout)
    assert secret and link, done.stdout
    store = Store(store_path(db))
    account = store.check_password("乐清市政府办", secret[1])
    assert account is not None and account.regions == ("乐清市",) and not account.is_admin
    assert store.use_link(link[1]) == account and store.use_link(link[1]) is None
    again = invoke(
        "web", "add-office", "乐清市政府办", "--region", "乐清市", "--db", str(db), cwd=tmp_path
    )
    assert again.returncode == 2 and "exists already" in again.stderr


def test_add_admin_sees_every_region(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    done = invoke("web", "add-admin", "市府办", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    secret = re.search(r"sign-in secret: (\S+)", done.stdout)
    assert secret
    account = Store(store_path(db)).check_password("市府办", secret[1])
    assert account is not None and account.is_admin and account.may_see(["永嘉县", "乐清市"])
