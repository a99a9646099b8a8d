"""Files in the landing zone and their fingerprints (SHA-256 of the bytes)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20  # fingerprinting streams the file: memory stays flat whatever its size


@dataclass(frozen=True)
class LandingFile:
    path: Path
    fingerprint: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def fingerprint_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan(landing: Path, only: Callable[[str], bool] | None = None) -> list[LandingFile]:
    """Every regular file directly in `landing/` (whose name `only` accepts), by name, fingerprinted.

    Hidden files and files still being written by a transfer tool (`.part`, `.tmp`, `~` names)
    are skipped: they are not deliveries yet.
    """
    if not landing.exists():
        return []
    files = []
    for path in sorted(landing.iterdir(), key=lambda p: p.name):
        if not path.is_file() or _in_transfer(path.name) or (only and not only(path.name)):
            continue
        files.append(LandingFile(path=path, fingerprint=fingerprint_of(path), size=path.stat().st_size))
    return files


def actionable(name: str) -> bool:
    """A delivery a run acts on: every file but those still being written (a name matching no source is
    acted on too: it is quarantined)."""
    return not _in_transfer(name)


def _in_transfer(name: str) -> bool:
    lowered = name.lower()
    return (
        name.startswith(".") or name.startswith("~") or lowered.endswith((".part", ".tmp", ".filepart", ".crdownload"))
    )
