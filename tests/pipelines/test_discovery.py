"""The folder scan: links out of the folder and special files are skipped, each with a reason."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from pipelines.core.discovery import discover
from pipelines.core.settings import SettingsError


def test_links_out_of_the_folder_and_special_files_are_skipped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("a")
    (inbox / "sub" / "b.txt").write_text("b")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (inbox / "out.txt").symlink_to(outside)
    (inbox / "in.txt").symlink_to(inbox / "a.txt")
    (inbox / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (inbox / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(inbox / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(inbox / "sock.txt"))
    try:
        found = discover([inbox])
    finally:
        server.close()
    assert found.documents == [inbox / "a.txt", inbox / "in.txt", inbox / "sub" / "b.txt"]
    reasons = {path.name: reason for path, reason in found.skipped}
    assert reasons == {
        "gone.txt": "a link to a file that does not exist: skipped",
        "out.txt": f"a link to {outside}, outside the folder given ({inbox}): not followed",
        "pipe.txt": "a FIFO (named pipe), not a file: skipped",
        "sock.txt": "a socket, not a file: skipped",
    }


def test_a_file_named_on_purpose_is_read_even_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("x")
    (tmp_path / "link.txt").symlink_to(target)
    assert discover([tmp_path / "link.txt"]).documents == [tmp_path / "link.txt"]
    os.mkfifo(tmp_path / "named.txt")
    assert discover([tmp_path / "named.txt"]).skipped == [
        (tmp_path / "named.txt", "a FIFO (named pipe), not a file: skipped")
    ]


def test_a_name_that_is_not_utf8_is_found_and_said_readably(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/r\xff.txt"))
    odd.write_text("x")
    assert discover([tmp_path]).documents == [odd]
    with pytest.raises(SettingsError, match=r"r\\xfe\.txt: no such file or folder"):
        discover([Path(os.fsdecode(os.fsencode(tmp_path) + b"/r\xfe.txt"))])


def test_sheets_saved_as_text_or_csv_are_found_in_a_folder(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.tsv", "b.CSV", "c.txt", "d.json"):
        (inbox / name).write_text("x")
    assert discover([inbox]).documents == [inbox / "a.tsv", inbox / "b.CSV", inbox / "c.txt"]
