"""Moving files out of the landing zone, to archive/<source>/ or quarantine/, never overwriting.

Moves are renames within DIGILEAD_HOME (atomic on one file system). A name already taken at the
destination (a corrected file re-delivered under the same name) gets the fingerprint's first
characters added. The caller records the destination before moving, so a crash in between is
finished on the next run rather than repeated.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


def write_json_atomically(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def free_name(folder: Path, name: str, fingerprint: str) -> Path:
    target = folder / name
    if not target.exists():
        return target
    stem, dot, ext = name.partition(".")
    return folder / f"{stem}.{fingerprint[:12]}{dot}{ext}"


def move(path: Path, target: Path) -> Path:
    """Move a file to an exact place; a file already gone (moved before a crash) is left alone."""
    if not path.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(path, target)
    except OSError:  # another file system (a mounted landing share): copy, then remove
        shutil.copy2(path, target)
        path.unlink()
    return target
