"""Signed cookies, the CSRF token of every form, and the sign-in rate limit."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "minsheng_session"
CSRF_COOKIE = "minsheng_csrf"
LANG_COOKIE = "minsheng_lang"
CSRF_FIELD = "csrf_token"


class Signer:
    """Signs what goes into a cookie, so that a changed cookie is refused, not trusted."""

    def __init__(self, key: str) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="minsheng-web")

    def sign(self, value: str) -> str:
        return self._serializer.dumps(value)

    def unsign(self, signed: str | None, max_age: int) -> str | None:
        if not signed:
            return None
        try:
            value = self._serializer.loads(signed, max_age=max_age)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(cookie_token: str | None, form_token: str | None) -> bool:
    """Double submit: the form carries the token its signed cookie holds. Another site can make
    the browser send the cookie, but cannot read it to put it in the form."""
    return bool(cookie_token and form_token) and hmac.compare_digest(
        str(cookie_token), str(form_token)
    )


@dataclass
class RateLimit:
    """At most ``failures`` failed sign-ins in ``seconds`` per key (an account name, a client
    address); then the key waits until its oldest failure is that old."""

    failures: int = 5
    seconds: float = 60.0

    def __post_init__(self) -> None:
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._seen[key]
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        return seen

    def wait_seconds(self, *keys: str) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.seconds - (now - seen[0])
                for key in keys
                if len(seen := self._recent(key, now)) >= self.failures
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
