"""``python -m limits``: the table of limits in docs/security.md, from their defaults."""

from limits import readme_table

print(readme_table(), end="")
