"""Moving files out of the landing zone, to archive/<source>/ or quarantine/, never overwriting.

Moves are renames within DIGILEAD_HOME (atomic on one file system). A name already taken at the
destination (a corrected file re-delivered under the same name) gets the fingerprint's first
characters added. The caller records the destination before moving, so a crash in between is
finished on the next run rather than repeated.

Archived and quarantined files hold raw personal data: they are made owner-only (0600) as they
arrive, whatever mode the delivering tool gave them. A name too long for the file system once
`.reason.json` is added is shortened (keeping its extension and the fingerprint's first characters).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

NAME_MAX = 255  # bytes in one file name (ext4, xfs, btrfs, APFS)
REASON_SUFFIX = ".reason.json"
_ROOM = len(REASON_SUFFIX) + 13  # a reason file beside it, and `.<fingerprint[:12]>` for a taken name
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700


def reason_path(target: Path) -> Path:
    """The reason file beside a quarantined file."""
    return target.with_name(target.name + REASON_SUFFIX)


def write_json_atomically(path: Path, payload: dict) -> None:
    make_private_folder(path.parent)
    descriptor, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")  # 0600, a short name
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fitting_name(name: str, fingerprint: str) -> str:
    """`name`, or a shortened one that leaves room for `.reason.json` and a fingerprint within NAME_MAX."""
    if len(name.encode("utf-8", "surrogateescape")) <= NAME_MAX - _ROOM:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 8 else ""
    head = name[: len(name) - len(suffix)]
    budget = NAME_MAX - _ROOM - len(suffix.encode("utf-8", "surrogateescape")) - 13
    while len(head.encode("utf-8", "surrogateescape")) > budget:
        head = head[:-1]
    return f"{head}~{fingerprint[:12]}{suffix}"


def free_name(folder: Path, name: str, fingerprint: str) -> Path:
    target = folder / fitting_name(name, fingerprint)
    if not os.path.lexists(target):
        return target
    stem, dot, ext = target.name.partition(".")
    return folder / f"{stem}.{fingerprint[:12]}{dot}{ext}"


def make_private_folder(folder: Path) -> None:
    """`folder` (and missing parents) created owner-only; an existing one made owner-only."""
    folder.mkdir(mode=OWNER_ONLY_FOLDER, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(OWNER_ONLY_FOLDER)


def move(path: Path, target: Path) -> Path:
    """Move a file (or a symbolic link itself, never its target) to an exact place, owner-only; a file
    already gone (moved before a crash) is left alone."""
    if not os.path.lexists(path):
        return target
    make_private_folder(target.parent)
    try:
        os.replace(path, target)
    except OSError:  # another file system (a mounted landing share): copy, then remove
        shutil.copy2(path, target, follow_symlinks=False)
        path.unlink()
    if not target.is_symlink():
        target.chmod(OWNER_ONLY_FILE)
    return target
