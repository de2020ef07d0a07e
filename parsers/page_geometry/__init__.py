"""A table read from the geometry of its pages, shared by the PDF reader and the scan reader.

A page is a ``PageLayout`` (characters, rules, ruled tables): the PDF reader fills it from a
text layer (``parsers.formats.pdf.page``), the scan reader from OCR (``parsers.formats.ocr``).
From there the steps are the same: the header and the column borders (``header``, ``words``),
each page's part of the table (``ruled``, ``words``, ``found.layouts_to_found``), the rows
joined over the page breaks (``stitch``, ``found.fragments_to_table``). ``text`` joins a
cell's characters and lines.
"""
