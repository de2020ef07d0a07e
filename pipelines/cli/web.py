"""``minsheng web``: serve the intake page; ``web add-office`` / ``web add-admin`` make accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from i18n import _
from pipelines.cli.help_words import CommandInWords, GroupInWords
from pipelines.cli.shared import DbOpt, LangOpt, ReportsOpt, err, fail, out, speak
from pipelines.core.settings import RunSettings, SettingsError

DEFAULT_PORT = 8765

web_app = typer.Typer(
    cls=GroupInWords,
    help=_("The intake page: offices send their reports and read the validation report at once."),
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

AddressOpt = Annotated[
    str,
    typer.Option(
        "--url",
        help=_("The address offices open the page at, for the sign-in link it prints."),
    ),
]


@web_app.callback()
def web(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help=_("Address to listen on (0.0.0.0: every network)."))
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=_("Port to listen on."))] = DEFAULT_PORT,
    db: DbOpt = None,
    reports_dir: ReportsOpt = None,
    due_day: Annotated[
        int,
        typer.Option(
            "--due-day", help=_("Day of the next month by which a month's reports are due.")
        ),
    ] = 5,
    allow_network: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-network",
            help=_(
                "A private network (10.1.0.0/16) whose web pages may be fetched, such as "
                "an intranet's; public addresses always may (repeat for more)."
            ),
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Serve the intake page until Ctrl-C (127.0.0.1 unless --host says otherwise)."""
    if ctx.invoked_subcommand is not None:
        return
    speak(lang)
    import uvicorn

    from pipelines.web.app import WebSettings, create_app

    if not 1 <= due_day <= 28:
        fail(_("--due-day {day}: give a day from 1 to 28").format(day=due_day), 2)
    try:
        run = RunSettings.build(
            db=db, reports_dir=reports_dir, fetch_networks=tuple(allow_network or ())
        )
        settings = WebSettings(run, due_day)
    except SettingsError as exc:
        fail(str(exc), 2)
    application = create_app(settings)
    out.print(
        _("serving the intake page on http://{host}:{port}/ (warehouse {db}); Ctrl-C stops").format(
            host=host, port=port, db=settings.run.db
        ),
        markup=False,
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _store(db: Path | None):  # noqa: ANN202
    from pipelines.web.store import Store, store_path

    try:
        settings = RunSettings.build(db=db)
    except SettingsError as exc:
        fail(str(exc), 2)
    return Store(store_path(settings.db))


def _print_secret(name: str, secret: str, link: str, url: str) -> None:
    out.print(_("account {name} made; give it these once, they are not shown again:").format(
        name=name), markup=False)  # fmt: skip
    out.print(_("  sign-in secret: {secret}").format(secret=secret), markup=False)
    out.print(
        _("  single-use sign-in link: {url}/signin/link/{token}").format(
            url=url.rstrip("/"), token=link
        ),
        markup=False,
    )


@web_app.command("add-office", cls=CommandInWords)
def add_office(
    name: Annotated[str, typer.Argument(help=_("The office's name, e.g. 乐清市政府办公室."))],
    region: Annotated[
        list[str],
        typer.Option("--region", help=_("A region the office reports for (repeat for more).")),
    ],
    db: DbOpt = None,
    url: AddressOpt = f"http://127.0.0.1:{DEFAULT_PORT}",
    lang: LangOpt = None,
) -> None:
    """Make an office's account: it sees and sends only its regions' reports."""
    speak(lang)
    from pipelines.web.store import AccountError

    store = _store(db)
    try:
        secret = store.add_account(name, "office", region)
    except AccountError as exc:
        fail(str(exc), 2)
    store.audit(None, "add office", f"{name.strip()}: {', '.join(region)}", "command line")
    _print_secret(name.strip(), secret, store.new_link(name.strip()), url)


@web_app.command("add-admin", cls=CommandInWords)
def add_admin(
    name: Annotated[str, typer.Argument(help=_("The administrator's account name."))],
    db: DbOpt = None,
    url: AddressOpt = f"http://127.0.0.1:{DEFAULT_PORT}",
    lang: LangOpt = None,
) -> None:
    """Make an administrator's account: every region, the month's status, the audit log."""
    speak(lang)
    from pipelines.web.store import AccountError

    store = _store(db)
    try:
        secret = store.add_account(name, "admin")
    except AccountError as exc:
        fail(str(exc), 2)
    store.audit(None, "add admin", name.strip(), "command line")
    _print_secret(name.strip(), secret, store.new_link(name.strip()), url)
    err.print(
        _("keep the administrator's secret safe: it sees every office's reports"), markup=False
    )
