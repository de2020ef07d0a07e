"""Hostile documents made at test time (never committed): zip bombs and huge PDFs.

Each generator takes a second or less: a zip bomb repeats one deflate segment made with a
full flush (it refers to nothing before it, so copies of it are a valid stream), and a PDF of
thousands of pages shares one empty content stream.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.helpers import FIXTURES

_BLOCK = 1 << 20


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _zip_bytes(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive from ``(name, raw deflate data, crc, declared size)`` written by hand."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in members:
        offset = len(out)
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            *fields,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0
    )
    return bytes(out + central + end)


def inflating_docx(path: Path, inflated_bytes: int = 1 << 30, *, lie: bool = False) -> Path:
    """The August .docx with ``word/document.xml`` inflating to ``inflated_bytes``."""
    source = FIXTURES / "yueqing-2022-08.docx"
    return inflating_zip(source, "word/document.xml", path, inflated_bytes, lie=lie)


def inflating_xlsx(path: Path, inflated_bytes: int = 1 << 30, *, lie: bool = False) -> Path:
    """The August .xlsx with its first sheet inflating to ``inflated_bytes``."""
    source = FIXTURES / "xlsx" / "yueqing-2022-08.xlsx"
    return inflating_zip(source, "xl/worksheets/sheet1.xml", path, inflated_bytes, lie=lie)


def inflating_zip(
    source: Path, member: str, path: Path, inflated_bytes: int, *, lie: bool = False
) -> Path:
    """``source`` with its XML part ``member`` padded with spaces to ``inflated_bytes``.

    The zip is about a thousandth of that. With ``lie`` its directory declares the part's
    original small size, so only counting while inflating can catch it.
    """
    members: list[tuple[str, bytes, int, int]] = []
    with zipfile.ZipFile(source) as original:
        for info in original.infolist():
            data = original.read(info)
            if info.filename != member:
                members.append((info.filename, _deflated(data), zlib.crc32(data), len(data)))
                continue
            block = b" " * _BLOCK
            count = inflated_bytes // _BLOCK
            head, tail = data.split(b">", 1)  # spaces after the first tag change nothing
            head += b">"
            finisher = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = (
                _raw_segment(head)
                + _raw_segment(block) * count
                + finisher.compress(tail)
                + finisher.flush()
            )
            crc = zlib.crc32(tail, _crc_of(head, block, count))
            declared = len(data) if lie else len(head) + count * _BLOCK + len(tail)
            members.append((info.filename, packed, crc, declared))
    path.write_bytes(_zip_bytes(members))
    return path


def _raw_segment(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def _crc_of(head: bytes, block: bytes, count: int) -> int:
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return crc


def many_page_pdf(path: Path, pages: int = 2000) -> Path:
    """A valid PDF of ``pages`` empty pages (all sharing one content stream)."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{4 + i} 0 R".encode() for i in range(pages))
        + f"] /Count {pages} >>".encode(),
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 3 0 R >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


#: What the terminal-acting month puts in its cells and name (see ``acting_month``).
CLEAR_AND_TITLE = "\x1b[2J\x1b]0;pwned\x07"
BLINK = "\x1b[5m"
C1_CSI = "\x9b31m"
RLO = "\u202e"
FORMULA = '=HYPERLINK("http://evil.example/","x")'


def acting_month(folder: Path) -> Path:
    """The August sample with cells that would act on a terminal or a spreadsheet: item (1)'s
    completion ``72%`` followed by clear-screen and window-title sequences, item (5)'s
    department with a right-to-left override, item (7)'s project starting with a formula and
    item (2)'s plan with a C1 CSI; the file name holds a blink sequence."""
    lines = (FIXTURES / "yueqing-2022-08.txt").read_text("utf-8").splitlines()
    lines[1] = lines[1].replace("| 72% |", f"| 72%{CLEAR_AND_TITLE} |")
    lines[2] = lines[2].replace("| 5对跨地区", f"| {C1_CSI}5对跨地区")
    lines[5] = lines[5].replace("市卫生健康局", f"市卫生{RLO}健康局")
    lines[7] = lines[7].replace("(7)全年", f"(7){FORMULA}全年")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"2022年8月{BLINK}民生实事.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _august_sheet_rewritten(path: Path, change: Callable[[str], str]) -> Path:
    """The August workbook with its first sheet's XML passed through ``change``."""
    source = FIXTURES / "xlsx" / "yueqing-2022-08.xlsx"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten,
    ):
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            rewritten.writestr(item, data)
    return path


def lying_dimension_xlsx(path: Path) -> Path:
    """The August workbook whose sheet declares ``<dimension ref="A1:XFD1048576"/>`` (every
    cell of a sheet, 17 billion) while holding a few hundred."""
    return _august_sheet_rewritten(
        path,
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml),
    )


def far_cell_xlsx(path: Path) -> Path:
    """The August workbook with one more value, in the sheet's last cell ``XFD1048576``: 14 KB
    that spans the whole sheet."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return _august_sheet_rewritten(
        path, lambda xml: xml.replace("</sheetData>", far + "</sheetData>")
    )


def whole_sheet_merge_xlsx(path: Path) -> Path:
    """The August workbook with a merged range from ``H1`` to the sheet's last cell."""
    return _august_sheet_rewritten(
        path,
        lambda xml: xml.replace("</mergeCells>", '<mergeCell ref="H1:XFD1048576"/></mergeCells>'),
    )


def one_line_text(path: Path, size: int = 95 * 1024 * 1024) -> Path:
    """A text file that is one line of ``|`` (95 MB by default): no line break anywhere, so a
    reader splitting it into cells builds tens of millions of them."""
    with path.open("wb") as out:
        block = b"|" * _BLOCK
        written = 0
        while written < size:
            out.write(block[: min(_BLOCK, size - written)])
            written += _BLOCK
    return path
