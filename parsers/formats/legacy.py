"""Old and other office formats (.doc, .xls, .wps, .et, .odt, .ods, .rtf) via LibreOffice.

When ``soffice`` is on PATH the document is converted headless into a temporary folder, to
.docx or .xlsx, and read by that format's reader; the original stays the archived and cited
source. Each conversion gets its own LibreOffice user profile (parallel runs would otherwise
fight over one) and a time limit, after which the whole process group is killed. Without
LibreOffice the message says how to save the file in a format read directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from i18n import N_, _
from parsers.errors import UnreadableDocument, UnsupportedFormat

#: Seconds a conversion may take; a first run creates the profile and takes a few seconds.
CONVERT_TIMEOUT_S = 120.0

#: Suffix → (what it is, the format it is converted to).
LEGACY_FORMATS: dict[str, tuple[str, str]] = {
    ".doc": (N_("an old Word 97-2003 (.doc) file"), "docx"),
    ".wps": (N_("a WPS Writer (.wps) file"), "docx"),
    ".rtf": (N_("an RTF file"), "docx"),
    ".odt": (N_("an OpenDocument text (.odt) file"), "docx"),
    ".xls": (N_("an old Excel 97-2003 (.xls) file"), "xlsx"),
    ".et": (N_("a WPS Spreadsheets (.et) file"), "xlsx"),
    ".ods": (N_("an OpenDocument spreadsheet (.ods) file"), "xlsx"),
}

INSTALL_HINT = "apt-get install libreoffice-writer libreoffice-calc"


def soffice_path() -> str | None:
    """LibreOffice's command on PATH, if it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def convert(
    data: bytes,
    source_name: str,
    *,
    timeout: float = CONVERT_TIMEOUT_S,
    temp_root: str | Path | None = None,
) -> tuple[str, bytes]:
    """A legacy document's bytes → (``'docx'`` or ``'xlsx'``, the converted bytes).

    The work happens in a new temporary folder (under ``temp_root`` if given), removed after.
    """
    suffix = Path(source_name).suffix.lower()
    what, target = LEGACY_FORMATS[suffix]
    soffice = soffice_path()
    if soffice is None:
        save_as = ".docx" if target == "docx" else ".xlsx"
        raise UnsupportedFormat(
            source_name,
            _(
                "{what}, and LibreOffice is not installed to convert it: open it in {program} "
                "and save it as {save_as} (or install LibreOffice: {hint})"
            ).format(
                what=_(what),
                program=_("Word or WPS") if target == "docx" else _("Excel or WPS"),
                save_as=save_as,
                hint=INSTALL_HINT,
            ),
        )
    if not data:
        raise UnreadableDocument(source_name, _("the file is empty"))
    with tempfile.TemporaryDirectory(prefix="minsheng-soffice-", dir=temp_root) as tmp:
        folder = Path(tmp)
        original = folder / f"document{suffix}"  # a plain name: LibreOffice chokes on some
        original.write_bytes(data)
        out = folder / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(original),
        ]
        # Its own session, so that on a timeout the whole group (oosplash, soffice.bin) dies.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise UnreadableDocument(
                source_name,
                _(
                    "LibreOffice did not convert it within {timeout:g} s: save it as .{target} "
                    "and send that"
                ).format(timeout=timeout, target=target),
            ) from None
        except BaseException:  # interrupted: nothing of the conversion may outlive it
            _kill_group(process)
            raise
        converted = out / f"document.{target}"
        if not converted.is_file():
            said = output.decode("utf-8", "replace").strip().splitlines()
            detail = f" ({said[-1][:200]})" if said else ""
            raise UnreadableDocument(
                source_name,
                _(
                    "LibreOffice could not convert it{detail}: the file may be damaged or "
                    "password-protected; open it and save it as .{target}"
                ).format(detail=detail, target=target),
            )
        return target, converted.read_bytes()
