"""Where the warehouse may live, checked before a run parses anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse import WarehouseError, check_warehouse_place
from warehouse.locking import writer_lock
from warehouse.place import filesystem_type


def test_a_normal_folder_is_fine_and_created_later(tmp_path: Path) -> None:
    check_warehouse_place(tmp_path / "new" / "w.duckdb")


def test_proc_is_refused_at_once() -> None:
    assert filesystem_type(Path("/proc/self")) == "proc"
    with pytest.raises(WarehouseError, match="on a proc filesystem, not a disk"):
        check_warehouse_place("/proc/w.duckdb")


def test_a_full_disk_is_said_before_parsing(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match=r"w\.duckdb: no space left on its disk"):
        check_warehouse_place(tmp_path / "w.duckdb", min_free_bytes=1 << 62)


def test_a_lock_file_that_cannot_be_made_is_no_reason_to_wait() -> None:
    with pytest.raises(WarehouseError, match="cannot create the lock file /proc/w.duckdb.lock"):
        with writer_lock("/proc/w.duckdb", wait_seconds=300):
            pass
