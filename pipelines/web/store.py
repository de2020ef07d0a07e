"""The intake page's own small store: accounts, sign-in links, sessions, submissions, audit log.

A SQLite file beside the warehouse (``web.sqlite``), not the warehouse itself: the page writes
here on every sign-in while an ingest may hold the warehouse's single writer, and none of it
is report data. Secrets are kept only as hashes (argon2 for passwords, sha256 for the random
sign-in links and session ids).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from i18n import _

#: An office's sign-in link works once, within this time.
LINK_DAYS = 7
#: A session ends this long after sign-in.
SESSION_HOURS = 12
#: What hashing one secret costs: argon2-cffi's default, RFC 9106's profile for machines
#: short of memory (argon2id, 64 MiB, 3 passes, 4 lanes; about half a second here). Tests
#: pass ``argon2.profiles.CHEAPEST``: the same code, with no time spent.
SECRET_HASHING = RFC_9106_LOW_MEMORY

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('office', 'admin')),
    password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account_regions (
    name TEXT NOT NULL REFERENCES accounts(name), region TEXT NOT NULL,
    PRIMARY KEY (name, region));
CREATE TABLE IF NOT EXISTS signin_links (
    token_sha256 TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES accounts(name),
    expires_at TEXT NOT NULL, used_at TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    sid_sha256 TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES accounts(name),
    expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, sources TEXT NOT NULL,
    state TEXT NOT NULL, check_report TEXT, load_report TEXT, problem TEXT);
CREATE TABLE IF NOT EXISTS audit (
    at TEXT NOT NULL, name TEXT, action TEXT NOT NULL, detail TEXT NOT NULL, client TEXT);
CREATE TABLE IF NOT EXISTS secret (key TEXT NOT NULL);
"""


class AccountError(ValueError):
    """An account that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    name: str
    kind: str  # office | admin
    regions: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    def may_see(self, regions: Sequence[str | None]) -> bool:
        """An admin sees everything; an office only what is all of its own regions."""
        return self.is_admin or (bool(regions) and all(r in self.regions for r in regions))


@dataclass(frozen=True)
class Submission:
    id: str
    name: str
    created_at: str
    sources: tuple[str, ...]
    #: checking | checked | loading | loaded | failed
    state: str
    check_report: dict[str, Any] | None
    load_report: dict[str, Any] | None
    problem: str | None

    @property
    def report(self) -> dict[str, Any] | None:
        """The latest validation report: the load's when it was loaded, else the check's."""
        return self.load_report or self.check_report

    def regions(self) -> list[str | None]:
        report = self.check_report or {}
        return [d.get("region") for d in report.get("documents", [])]


def store_path(db: str | Path) -> Path:
    """The store of the warehouse ``db``: beside it, as its ``raw/`` archive is."""
    return Path(db).parent / "web.sqlite"


def _now() -> datetime:
    return datetime.now(UTC)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    """One SQLite file; every method opens its own short transaction (threads share it)."""

    def __init__(self, path: str | Path, hashing: Parameters = SECRET_HASHING) -> None:
        self.path = Path(path)
        self._hasher = PasswordHasher.from_parameters(hashing)
        self._dummy_hash: str | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connection() as conn:
            conn.executescript(_SCHEMA)
        self.path.chmod(0o600)  # password hashes and session ids: the owner's only

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = sqlite3.connect(self.path, timeout=10)
            try:
                with conn:
                    conn.execute("PRAGMA foreign_keys = ON")
                    yield conn
            finally:
                conn.close()

    # --- the key that signs cookies ---------------------------------------------------------
    def signing_key(self) -> str:
        """The key cookies are signed with, made once: sessions survive a restart."""
        with self._connection() as conn:
            row = conn.execute("SELECT key FROM secret").fetchone()
            if row:
                return str(row[0])
            key = secrets.token_urlsafe(32)
            conn.execute("INSERT INTO secret VALUES (?)", (key,))
            return key

    # --- accounts ----------------------------------------------------------------------------
    def add_account(self, name: str, kind: str, regions: Sequence[str] = ()) -> str:
        """Make the account ``name`` and return its sign-in secret (shown once, kept hashed)."""
        name = name.strip()
        if not name:
            raise AccountError(_("the account name is empty"))
        if kind == "office" and not [r for r in regions if r.strip()]:
            raise AccountError(
                _("office {name}: give its region with --region (one or more)").format(name=name)
            )
        secret = secrets.token_urlsafe(15)
        with self._connection() as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise AccountError(
                    _("an account named {name} exists already; choose another name").format(
                        name=name
                    )
                )
            conn.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, ?)",
                (name, kind, self._hasher.hash(secret), _now().isoformat()),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO account_regions VALUES (?, ?)",
                [(name, r.strip()) for r in regions if r.strip()],
            )
        return secret

    def account(self, name: str) -> Account | None:
        with self._connection() as conn:
            row = conn.execute("SELECT name, kind FROM accounts WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            regions = conn.execute(
                "SELECT region FROM account_regions WHERE name = ? ORDER BY region", (name,)
            ).fetchall()
        return Account(row[0], row[1], tuple(r[0] for r in regions))

    def check_password(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is its secret, else None (the same time either way)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT password_hash FROM accounts WHERE name = ?", (name,)
            ).fetchone()
        stored = row[0] if row else self._dummy()
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return self.account(name) if row else None

    def _dummy(self) -> str:
        """A hash verified against when the account does not exist, made at this store's cost
        once: a wrong name takes as long as a wrong secret (no telling names apart by time)."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(15))
        return self._dummy_hash

    def office_regions(self) -> list[str]:
        """Every region some office reports for: the regions the month's status lists."""
        with self._connection() as conn:
            rows = conn.execute("SELECT DISTINCT region FROM account_regions ORDER BY region")
            return [r[0] for r in rows.fetchall()]

    # --- single-use sign-in links ----------------------------------------------------------
    def new_link(self, name: str) -> str:
        token = secrets.token_urlsafe(24)
        expires = _now() + timedelta(days=LINK_DAYS)
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO signin_links VALUES (?, ?, ?, NULL)",
                (_sha(token), name, expires.isoformat()),
            )
        return token

    def use_link(self, token: str) -> Account | None:
        """The link's account, once: the link is spent by this call."""
        with self._connection() as conn:
            row = conn.execute(
                "UPDATE signin_links SET used_at = ? WHERE token_sha256 = ? AND used_at IS NULL "
                "AND expires_at > ? RETURNING name",
                (_now().isoformat(), _sha(token), _now().isoformat()),
            ).fetchone()
        return self.account(row[0]) if row else None

    # --- sessions ----------------------------------------------------------------------------
    def new_session(self, name: str) -> str:
        sid = secrets.token_urlsafe(32)
        expires = _now() + timedelta(hours=SESSION_HOURS)
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?)", (_sha(sid), name, expires.isoformat())
            )
        return sid

    def session_account(self, sid: str) -> Account | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT name FROM sessions WHERE sid_sha256 = ? AND expires_at > ?",
                (_sha(sid), _now().isoformat()),
            ).fetchone()
        return self.account(row[0]) if row else None

    def end_session(self, sid: str) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM sessions WHERE sid_sha256 = ?", (_sha(sid),))

    # --- submissions -------------------------------------------------------------------------
    def add_submission(self, name: str, sources: Sequence[str]) -> str:
        sid = secrets.token_urlsafe(12)
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, 'checking', NULL, NULL, NULL)",
                (sid, name, _now().isoformat(timespec="seconds"), json.dumps(list(sources))),
            )
        return sid

    def update_submission(self, sid: str, **fields: Any) -> None:
        allowed = {"state", "check_report", "load_report", "problem"}
        assert set(fields) <= allowed, fields
        values = [
            json.dumps(v, ensure_ascii=False, default=str) if k.endswith("_report") else v
            for k, v in fields.items()
        ]
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._connection() as conn:
            conn.execute(f"UPDATE submissions SET {sets} WHERE id = ?", (*values, sid))

    def submission(self, sid: str) -> Submission | None:
        with self._connection() as conn:
            row = conn.execute("SELECT * FROM submissions WHERE id = ?", (sid,)).fetchone()
        return _submission(row) if row else None

    def submissions(self) -> list[Submission]:
        """Every submission, the latest first."""
        with self._connection() as conn:
            rows = conn.execute("SELECT * FROM submissions ORDER BY created_at DESC, rowid DESC")
            return [_submission(r) for r in rows.fetchall()]

    # --- audit log ---------------------------------------------------------------------------
    def audit(self, name: str | None, action: str, detail: str, client: str | None) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO audit VALUES (?, ?, ?, ?, ?)",
                (_now().isoformat(timespec="seconds"), name, action, detail, client),
            )

    def audit_log(self, limit: int = 500) -> list[dict[str, Any]]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT at, name, action, detail, client FROM audit ORDER BY rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            dict(zip(("at", "name", "action", "detail", "client"), r, strict=True)) for r in rows
        ]


def _submission(row: tuple[Any, ...]) -> Submission:
    return Submission(
        id=row[0],
        name=row[1],
        created_at=row[2],
        sources=tuple(json.loads(row[3])),
        state=row[4],
        check_report=json.loads(row[5]) if row[5] else None,
        load_report=json.loads(row[6]) if row[6] else None,
        problem=row[7],
    )
