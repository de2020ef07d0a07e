"""The ``minsheng`` command: its subcommands, registered in the order ``--help`` lists them.

Each lives in the module of its role: ``run_commands`` (``ingest``, ``validate``, and
``run_output`` for what they print), ``query`` (``sql``), ``periods`` (``report``, ``export``),
``serve``, ``web``; what they share (the app, the consoles, the common options) is in
``shared``. Every text is in the language ``pipelines.cli.main`` chose before importing this
module (the help texts are read at import); each command chooses again from ``--lang``.
"""

from __future__ import annotations

from pipelines.cli import periods, query, run_commands, serve
from pipelines.cli.help_words import CommandInWords
from pipelines.cli.shared import app, err, out
from pipelines.cli.web import web_app

__all__ = ["app", "err", "ingest", "out", "validate"]

ingest = app.command("ingest", cls=CommandInWords)(run_commands.ingest)
validate = app.command("validate", cls=CommandInWords)(run_commands.validate)
app.command("sql", cls=CommandInWords)(query.sql)
app.command("report", cls=CommandInWords)(periods.report)
app.command("serve", cls=CommandInWords)(serve.serve)
app.command("export", cls=CommandInWords)(periods.export)
app.add_typer(web_app, name="web")
