"""An inbox's ``regions.toml``: which region the reports in it are from, where their names
do not say.

A scheduled run cannot take ``--region`` per file, and one inbox often collects the reports of
several counties under names like ``2022年8月进展.docx``. The mapping says it once::

    [folders]            # a sub-folder of the inbox, and everything below it
    yueqing = "乐清市"
    "wenzhou/yongjia" = "永嘉县"

    [files]              # a file-name pattern (* ? [..]), matched against the name alone
    "yj-*" = "永嘉县"

A file-name pattern is tried first, in the order written; then the deepest sub-folder. The
region found acts as ``--region`` does for that file (a title that says otherwise is
overridden, with a warning); files it does not cover take the deployment's ``region``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from i18n import _
from pipelines.core.settings import SettingsError

REGION_MAP_NAME = "regions.toml"
_TABLES = ("folders", "files")


@dataclass(frozen=True)
class RegionMap:
    """The checked contents of an inbox's ``regions.toml`` (empty when there is none)."""

    folders: tuple[tuple[PurePosixPath, str], ...] = ()
    files: tuple[tuple[str, str], ...] = ()

    def region_of(self, path: Path, inbox: Path) -> str | None:
        """The region ``path`` (a file below ``inbox``) is mapped to, or None."""
        for pattern, region in self.files:
            if fnmatchcase(path.name, pattern):
                return region
        try:
            parents = PurePosixPath(path.relative_to(inbox).as_posix()).parents
        except ValueError:
            return None
        for folder in parents:  # the deepest first
            for mapped, region in self.folders:
                if folder == mapped:
                    return region
        return None


def read_region_map(inbox: str | Path) -> RegionMap:
    """``inbox/regions.toml`` checked, or an empty map when the inbox has none.

    A file that cannot be used raises ``SettingsError`` naming the file and the entry: a run
    must not guess which county a report is from.
    """
    path = Path(inbox) / REGION_MAP_NAME
    if not path.is_file():
        return RegionMap()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(
            _("{path}: cannot read the region mapping ({problem})").format(path=path, problem=exc)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            _("{path}: not valid TOML ({problem})").format(path=path, problem=exc)
        ) from None
    unknown = [key for key in data if key not in _TABLES]
    if unknown:
        raise SettingsError(
            _("{path}: unknown entry {key!r}; a region mapping has [folders] and [files]").format(
                path=path, key=unknown[0]
            )
        )
    entries: dict[str, list[tuple[str, str]]] = {}
    for table in _TABLES:
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise SettingsError(
                _("{path}: {table} must be a table, e.g. [{table}]").format(path=path, table=table)
            )
        entries[table] = []
        for key, region in section.items():
            if not isinstance(region, str) or not region.strip():
                raise SettingsError(
                    _(
                        "{path}: [{table}] {key!r} = {region!r}: give the region's name, "
                        'e.g. "乐清市"'
                    ).format(path=path, table=table, key=key, region=region)
                )
            entries[table].append((key, region.strip()))
    folders = []
    for key, region in entries["folders"]:
        folder = PurePosixPath(key.strip().strip("/"))
        if not key.strip() or folder.is_absolute() or ".." in folder.parts or key.startswith("/"):
            raise SettingsError(
                _(
                    "{path}: [folders] {key!r}: give a sub-folder of the inbox, such as "
                    '"yueqing" or "wenzhou/yongjia"'
                ).format(path=path, key=key)
            )
        folders.append((folder, region))
    for key, _region in entries["files"]:
        if "/" in key or "\\" in key or not key.strip():
            raise SettingsError(
                _(
                    "{path}: [files] {key!r}: a file-name pattern has no folder in it "
                    '("yj-*.docx"); map folders under [folders]'
                ).format(path=path, key=key)
            )
    return RegionMap(folders=tuple(folders), files=tuple(entries["files"]))


def mapped_regions(paths: Sequence[str | Path]) -> dict[str, str]:
    """The documents below each folder of ``paths`` that the folder's ``regions.toml`` maps:
    path (as discovery gives it) → region. A mapping that cannot be used raises
    ``SettingsError``: a run must not guess."""
    from pipelines.core.discovery import discover

    regions: dict[str, str] = {}
    for given in paths:
        if not isinstance(given, Path) and "://" in str(given):
            continue  # a web address
        folder = Path(given)
        if not folder.is_dir():
            continue
        mapping = read_region_map(folder)
        if not (mapping.folders or mapping.files):
            continue
        for document in discover([folder]).documents:
            region = mapping.region_of(Path(document), folder)
            if region is not None:
                regions[str(document)] = region
    return regions
