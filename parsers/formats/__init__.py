"""The format readers: one module (or package) per kind of file, each turning bytes into rows.

What they share (the grid of cells, the header, the period, the checks of a row) is in
``parsers`` itself; ``parsers.document`` picks the reader for a file.
"""
