"""The intake page: offices sign in, send their reports, read the validation report at once and
load what passed; the city office sees who has reported this month.

Every route but the sign-in ones needs a signed-in account (``signed_in``); what an office sees
is cut to its own regions (``Account.may_see``). Checks and loads go through ``runs``, which
calls the same entry points as ``minsheng validate`` and ``ingest``.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from argon2 import Parameters
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Receive, Scope, Send

from i18n import _, language, ngettext, normalize, speaking, status_text
from limits import byte_size
from pipelines.core.settings import RunSettings
from pipelines.web.month import month_status, state_text, status_csv
from pipelines.web.runs import Jobs, safe_file_name, url_problem
from pipelines.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    LANG_COOKIE,
    SESSION_COOKIE,
    RateLimit,
    Signer,
    csrf_matches,
    new_csrf_token,
)
from pipelines.web.store import (
    SECRET_HASHING,
    SESSION_HOURS,
    Account,
    Store,
    Submission,
    store_path,
)

#: Files one upload may carry (a month's reports of an office's regions).
MAX_FILES = 20


class SignInRequired(Exception):
    """No account (or an expired session): the sign-in page answers."""


class Forbidden(Exception):
    """An account asking for what is not its own: 403, and the page says so."""


@dataclass(frozen=True)
class WebSettings:
    """What ``minsheng web`` serves: the warehouse and its folders, the day reports are due."""

    run: RunSettings
    #: Reports of a month are due on this day of the month after it.
    due_day: int = 5
    #: What hashing a secret costs (argon2's parameters); tests lower it.
    hashing: Parameters = field(default_factory=lambda: SECRET_HASHING)

    def __post_init__(self) -> None:
        # The page fetches for others: public addresses only, unless the settings name
        # networks (``minsheng web --allow-network``); never any address, as the CLI may.
        if self.run.fetch.networks is None:
            fetch = dataclasses.replace(self.run.fetch, networks=())
            object.__setattr__(self, "run", dataclasses.replace(self.run, fetch=fetch))

    @property
    def uploads_dir(self) -> Path:
        return Path(self.run.db).parent / "web-uploads"


def signed_in(request: Request) -> Account:
    """The request's account; ``SignInRequired`` (the sign-in page) when there is none."""
    account: Account = request.app.state.account_of(request)
    return account


SignedIn = Annotated[Account, Depends(signed_in)]


class _Language:
    """Each request in its reader's language: the ``minsheng_lang`` cookie (the page's switch),
    else the browser's Accept-Language, else Chinese."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with speaking(_request_language(scope)):
            await self.app(scope, receive, send)


def _request_language(scope: Scope) -> str:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    for part in headers.get("cookie", "").split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == LANG_COOKIE and value in ("zh", "en"):
            return value
    for choice in headers.get("accept-language", "").split(","):
        tag = choice.split(";")[0].strip()
        try:
            return normalize(tag)
        except ValueError:
            continue
    return "zh"


@cache
def _templates() -> Environment:
    from pipelines.render.validation import template_environment

    env = Environment(
        loader=PackageLoader("pipelines.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(_, ngettext, newstyle=False)  # type: ignore[attr-defined]
    # The report's own words for statuses, severities, columns and actions.
    env.filters.update(template_environment().filters)
    env.filters["status_word"] = status_text
    env.filters["state_word"] = state_text
    return env


def create_app(settings: WebSettings, *, rate_limit: RateLimit | None = None) -> FastAPI:
    """The application, its store beside the warehouse ``settings.run.db``."""
    store = Store(store_path(settings.run.db), settings.hashing)
    signer = Signer(store.signing_key())
    jobs = Jobs(store, settings.run)
    limiter = rate_limit or RateLimit()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store, app.state.jobs, app.state.settings = store, jobs, settings
    app.add_middleware(_Language)  # type: ignore[arg-type]

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "?"

    def account_of(request: Request) -> Account:
        sid = signer.unsign(request.cookies.get(SESSION_COOKIE), SESSION_HOURS * 3600)
        account = store.session_account(sid) if sid else None
        if account is None:
            raise SignInRequired()
        return account

    app.state.account_of = account_of

    def csrf_token(request: Request) -> tuple[str, bool]:
        """The visitor's CSRF token, and whether it is new (then the response sets it)."""
        token = signer.unsign(request.cookies.get(CSRF_COOKIE), 7 * 24 * 3600)
        return (token, False) if token else (new_csrf_token(), True)

    def secure(request: Request) -> bool:
        return request.url.scheme == "https"

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        token, new = csrf_token(request)
        nonce = secrets.token_urlsafe(12)
        html = (
            _templates()
            .get_template(name)
            .render(
                html_lang="zh-CN" if language() == "zh" else "en",
                lang=language(),
                csrf_field=CSRF_FIELD,
                csrf_token=token,
                nonce=nonce,
                path=request.url.path,
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'self'; form-action 'self'"
        )
        if new:
            response.set_cookie(
                CSRF_COOKIE, signer.sign(token), httponly=True, samesite="strict",
                secure=secure(request), max_age=7 * 24 * 3600,
            )  # fmt: skip
        return response

    async def posted(request: Request, **limits: int) -> Any:
        """The POSTed form, once its CSRF token matches the visitor's cookie."""
        form = await request.form(**limits)
        cookie = signer.unsign(request.cookies.get(CSRF_COOKIE), 7 * 24 * 3600)
        field = form.get(CSRF_FIELD)
        if not csrf_matches(cookie, field if isinstance(field, str) else None):
            raise Forbidden(
                _(
                    "the form is out of date or came from another site: reload the page and "
                    "send it again"
                )
            )
        return form

    def start_session(request: Request, account: Account, how: str) -> Response:
        store.audit(account.name, "sign in", how, client_of(request))
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, signer.sign(store.new_session(account.name)), httponly=True,
            samesite="lax", secure=secure(request), max_age=SESSION_HOURS * 3600,
        )  # fmt: skip
        return response

    def own_submission(sid: str, account: Account) -> Submission:
        submission = store.submission(sid)
        if submission is None:
            raise Forbidden(_("no such submission"))
        if not (account.is_admin or submission.name == account.name):
            raise Forbidden(_("this submission is another office's"))
        return submission

    @app.exception_handler(SignInRequired)
    async def _to_sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method == "GET" and request.url.path not in ("/", "/signin"):
            return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
        return page(request, "signin.html.j2", status_code=401, next="/", message=None)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        sid = signer.unsign(request.cookies.get(SESSION_COOKIE), SESSION_HOURS * 3600)
        account = store.session_account(sid) if sid else None
        store.audit(
            account.name if account else None, "refused", f"{request.method} {request.url.path}",
            client_of(request),
        )  # fmt: skip
        return page(request, "message.html.j2", 403, account=account, message=str(exc))

    # --- signing in ---------------------------------------------------------------------------
    @app.get("/signin", response_class=HTMLResponse)
    async def signin_page(request: Request, next: str = "/") -> Response:
        return page(request, "signin.html.j2", next=_local(next), message=None)

    @app.post("/signin", response_class=HTMLResponse)
    async def signin(request: Request) -> Response:
        form = await posted(request, max_files=0, max_fields=5, max_part_size=4096)
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        keys = (f"account:{name}", f"client:{client_of(request)}")
        wait = limiter.wait_seconds(*keys)
        if wait > 0:
            store.audit(name, "sign in refused", "rate limit", client_of(request))
            message = _("too many failed sign-ins: try again in {seconds} seconds").format(
                seconds=int(wait) + 1
            )
            return page(request, "signin.html.j2", 429, next="/", message=message)
        account = store.check_password(name, password)
        if account is None:
            limiter.failed(*keys)
            store.audit(name, "sign in failed", "", client_of(request))
            message = _("the name or the secret is wrong")
            return page(request, "signin.html.j2", 401, next="/", message=message)
        return start_session(request, account, "secret")

    @app.get("/signin/link/{token}")
    async def signin_link(request: Request, token: str) -> Response:
        account = store.use_link(token)
        if account is None:
            store.audit(None, "sign in failed", "link", client_of(request))
            message = _("this sign-in link was used already or has expired: ask for a new one")
            return page(request, "signin.html.j2", 401, next="/", message=message)
        return start_session(request, account, "link")

    @app.post("/signout")
    async def signout(request: Request, account: SignedIn) -> Response:
        await posted(request, max_files=0, max_fields=5)
        sid = signer.unsign(request.cookies.get(SESSION_COOKIE), SESSION_HOURS * 3600)
        if sid:
            store.end_session(sid)
        store.audit(account.name, "sign out", "", client_of(request))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/lang/{code}")
    async def switch_language(request: Request, code: str, next: str = "/") -> Response:
        response = RedirectResponse(_local(next), status_code=303)
        if code in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 24 * 3600)
        return response

    # --- sending reports -----------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request, account: SignedIn) -> Response:
        mine = [s for s in store.submissions() if account.is_admin or s.name == account.name]
        return page(
            request, "home.html.j2", account=account, submissions=mine[:50],
            max_files=MAX_FILES, max_bytes=byte_size(settings.run.limits.max_file_bytes),
        )  # fmt: skip

    @app.post("/submissions")
    async def submit(request: Request, account: SignedIn) -> Response:
        max_bytes = settings.run.limits.max_file_bytes
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_FILES * max_bytes + 1024 * 1024:
            return _refused(request, account, page, _too_big(max_bytes))
        form = await posted(request, max_files=MAX_FILES, max_fields=10, max_part_size=8192)
        sources, problems = [], []
        folder = settings.uploads_dir / secrets.token_urlsafe(9)
        for upload in form.getlist("files"):
            if not isinstance(upload, UploadFile) or not upload.filename:
                continue
            name = safe_file_name(upload.filename)
            if name is None:
                problems.append(_("{name}: not a file name").format(name=upload.filename))
                continue
            if (upload.size or 0) > max_bytes:
                problems.append(f"{name}: {_too_big(max_bytes)}")
                continue
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            target.write_bytes(await upload.read())
            sources.append(str(target))
        url = str(form.get("url") or "").strip()
        if url:
            problem = url_problem(url, settings.run.fetch.networks or ())
            if problem:
                problems.append(problem)
            else:
                sources.append(url)
        if problems or not sources:
            message = "; ".join(problems) or _("choose a report file, or give a web address")
            return _refused(request, account, page, message)
        sid = store.add_submission(account.name, sources)
        store.audit(
            account.name, "upload", ", ".join(Path(s).name for s in sources), client_of(request)
        )
        submission = store.submission(sid)
        assert submission is not None
        jobs.check(submission, account, language())
        return RedirectResponse(f"/submissions/{sid}", status_code=303)

    @app.get("/submissions/{sid}", response_class=HTMLResponse)
    async def submission_page(request: Request, sid: str, account: SignedIn) -> Response:
        submission = own_submission(sid, account)
        return page(
            request,
            "submission.html.j2",
            account=account,
            s=submission,
            decision=load_decision(submission, account),
        )

    @app.get("/submissions/{sid}/progress")
    async def submission_progress(request: Request, sid: str, account: SignedIn) -> Response:
        submission = own_submission(sid, account)
        progress = jobs.progress.get(sid)
        return JSONResponse({"state": submission.state, **(progress.as_dict() if progress else {})})

    @app.get("/submissions/{sid}/report", response_class=HTMLResponse)
    async def submission_report(request: Request, sid: str, account: SignedIn) -> Response:
        from pipelines.render.validation import render_html

        submission = own_submission(sid, account)
        if submission.report is None:
            raise Forbidden(_("this submission has no validation report yet"))
        response = HTMLResponse(render_html(submission.report))
        # The report is the same page as the file: no scripts, images inline only.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
        )
        return response

    @app.get("/submissions/{sid}/report.json")
    async def submission_report_json(request: Request, sid: str, account: SignedIn) -> Response:
        submission = own_submission(sid, account)
        return JSONResponse(submission.report)

    @app.post("/submissions/{sid}/load")
    async def load(request: Request, sid: str, account: SignedIn) -> Response:
        form = await posted(request, max_files=0, max_fields=5)
        submission = own_submission(sid, account)
        decision = load_decision(submission, account)
        if not decision["allowed"]:
            raise Forbidden(decision["why"] or _("this submission cannot be loaded"))
        if decision["confirm"] and form.get("confirm") != "yes":
            return page(
                request, "submission.html.j2", 409, account=account, s=submission,
                decision=decision, message=_("tick the box to confirm the replacement first"),
            )  # fmt: skip
        store.audit(account.name, "load asked", ", ".join(submission.sources), client_of(request))
        jobs.load(submission, account, language(), replace=decision["replace"])
        return RedirectResponse(f"/submissions/{sid}", status_code=303)

    # --- the month at a glance ----------------------------------------------------------------
    @app.get("/month", response_class=HTMLResponse)
    async def month(
        request: Request, account: SignedIn, year: int | None = None,
        month: int | None = None,
    ) -> Response:  # fmt: skip
        status = month_status(store, settings, account, year, month, date.today())
        return page(request, "month.html.j2", account=account, m=status)

    @app.get("/month.csv")
    async def month_csv(
        request: Request, account: SignedIn, year: int | None = None,
        month: int | None = None,
    ) -> Response:  # fmt: skip
        status = month_status(store, settings, account, year, month, date.today())
        name = f"minsheng-{status['year']}-{status['month']:02d}.csv"
        return Response(
            status_csv(status),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # --- the audit log ---------------------------------------------------------------------
    @app.get("/audit", response_class=HTMLResponse)
    async def audit(request: Request, account: SignedIn) -> Response:
        if not account.is_admin:
            raise Forbidden(_("the audit log is the administrator's"))
        return page(request, "audit.html.j2", account=account, log=store.audit_log())

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")  # sign-in links stay here
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def load_decision(submission: Submission, account: Account) -> dict[str, Any]:
    """Whether the checked submission may be loaded, and what the page must ask first.

    ``confirm``: loading changes a month already loaded (the replacement rules name it in
    the report); ``replace``: the month would be refused as a fragment, and loading it is
    the command line's ``--replace``, asked for on purpose.
    """
    report = submission.check_report
    decision: dict[str, Any] = dict(
        allowed=False, why=None, confirm=False, replace=False, quarantined=[], clean=False
    )
    if submission.state != "checked" or report is None:
        return decision
    documents = report["documents"]
    # A region the document names itself, where the office's region was used in its place.
    named = [
        i["value"]
        for d in documents
        for i in d["issues"]
        if i["check"] == "period" and i.get("column") == "region" and i["action"] == "option used"
    ]
    regions = [d.get("region") for d in documents] + named
    if not account.may_see(regions):
        decision["why"] = _(
            "a document is of a region that is not this office's ({regions}): nothing can be "
            "loaded from this submission"
        ).format(regions=", ".join(sorted({str(r) for r in regions if r not in account.regions})))
        return decision
    checks = {i["check"] for d in documents for i in d["issues"]}
    decision["confirm"] = bool(checks & {"period_replaced", "period_corrected", "period_coverage"})
    decision["replace"] = "period_coverage" in checks
    decision["quarantined"] = [
        (d["source_name"], i)
        for d in documents
        for i in d["issues"]
        if i["action"] in ("row quarantined", "document rejected")
    ]
    decision["clean"] = not decision["quarantined"]
    decision["allowed"] = any(d["rows_loaded"] for d in documents) or decision["replace"]
    if not decision["allowed"]:
        decision["why"] = _(
            "no row of this submission passed the checks: fix the file and send it again"
        )
    return decision


def _local(target: str) -> str:
    """A path on this site only: a sign-in never sends the browser elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _too_big(max_bytes: int) -> str:
    return _(
        "larger than {limit}, the largest report file accepted (the limit of minsheng ingest)"
    ).format(limit=byte_size(max_bytes))


def _refused(request: Request, account: Account, page: Any, message: str) -> Response:
    return page(request, "message.html.j2", 400, account=account, message=message, back="/")


__all__ = ["WebSettings", "create_app", "load_decision"]
