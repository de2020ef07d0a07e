"""The ``minsheng`` command and what it prints on the terminal."""

from __future__ import annotations

from pipelines.cli.commands import app, main

__all__ = ["app", "main"]
