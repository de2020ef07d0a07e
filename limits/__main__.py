"""``python -m limits``: the README's table of limits, from their defaults."""

from limits import readme_table

print(readme_table(), end="")
