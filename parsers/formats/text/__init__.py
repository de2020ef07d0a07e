"""Text reports: ``|`` tables (``bar_table``), tab- and comma-separated ones (``delimited``)."""
