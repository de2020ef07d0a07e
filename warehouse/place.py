"""Whether a path can hold the warehouse, checked before a run parses anything.

Without this a run given a read-only disk, a full disk or a path under ``/proc`` parsed every
document first and then failed while writing (or waited five minutes on a "lock" that was
really a permission error). Each problem is one line naming the path.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from i18n import _
from limits import DEFAULTS
from warehouse.db import WarehouseError

#: Kernel and pseudo filesystems: nothing there can hold a database.
SPECIAL_FILESYSTEMS = frozenset(
    {
        "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "securityfs",
        "tracefs", "configfs", "fusectl", "pstore", "bpf", "mqueue", "hugetlbfs", "autofs",
        "binfmt_misc", "efivarfs", "rpc_pipefs", "nsfs",
    }
)  # fmt: skip
#: Free space a run needs at the least (``limits.WarehouseLimits``).
MIN_FREE_BYTES = DEFAULTS.warehouse.min_free_bytes


def filesystem_type(path: Path) -> str | None:
    """The type of the filesystem holding ``path`` (from /proc/self/mounts), if known."""
    try:
        mounts = Path("/proc/self/mounts").read_text("utf-8", "replace").splitlines()
    except OSError:
        return None
    best, kind = "", None
    target = str(path)
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _existing_parent(path: Path) -> Path:
    for candidate in [path, *path.parents]:
        if candidate.exists():
            return candidate
    return Path("/")


def check_warehouse_place(db: str | Path, *, min_free_bytes: int | None = None) -> None:
    """Raise WarehouseError if ``db`` cannot be created or written; say where and why."""
    if min_free_bytes is None:
        min_free_bytes = MIN_FREE_BYTES
    db = Path(db)
    absolute = Path(os.path.abspath(db))
    kind = filesystem_type(absolute)
    if kind in SPECIAL_FILESYSTEMS:
        raise WarehouseError(
            _("{db}: this is on a {kind} filesystem, not a disk: choose another --db").format(
                db=db, kind=kind
            )
        )
    folder = _existing_parent(absolute.parent)
    if not folder.is_dir():
        raise WarehouseError(_("{db}: {folder} is not a folder").format(db=db, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        reason = (
            _("read-only filesystem") if _read_only(folder) else _("no permission to write there")
        )
        raise WarehouseError(
            _("{db}: cannot write in {folder} ({reason})").format(
                db=db, folder=folder, reason=reason
            )
        )
    if db.exists() and not os.access(db, os.W_OK):
        raise WarehouseError(_("{db}: the file is not writable (no permission)").format(db=db))
    free = shutil.disk_usage(folder).free
    if free < min_free_bytes:
        raise WarehouseError(
            _("{db}: no space left on its disk ({free:,} KB free; a run needs {needed} MB)").format(
                db=db, free=free // 1024, needed=min_free_bytes // (1024 * 1024)
            )
        )


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
