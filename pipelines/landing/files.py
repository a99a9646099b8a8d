"""Files in the landing zone and their fingerprints.

A file means its name *and* its bytes: the same bytes delivered for another source, municipality,
period or register part are another delivery (an org tree two municipalities share, a catalogue kept
from wave to wave), loaded for that municipality and period; only the same bytes under the same
source, municipality, period and part are a duplicate. So a file of a known source is fingerprinted
as SHA-256 of one line naming that identity followed by its bytes; a file whose name matches no
source (quarantined as such) by the SHA-256 of its bytes alone.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20  # fingerprinting streams the file: memory stays flat whatever its size
SETTLE_SECONDS = 2.0  # a file modified this recently may still be being written (the sensor's rule too)

# Why a landing entry cannot be processed as a delivery (LandingFile.problem).
SYMLINK = "symlink"  # never followed: the link itself is quarantined, its target left alone
UNREADABLE = "unreadable"  # permissions or an I/O error: quarantined with the reason
ARRIVING = "arriving"  # still being written: left in landing for the next run
NOT_A_FILE = "not a file"  # a directory (or device, socket) with a delivery's name: reported, left alone


@dataclass(frozen=True)
class LandingFile:
    path: Path
    fingerprint: str
    size: int
    problem: str | None = None  # None: a regular, settled, readable file
    detail: str = ""  # for a problem: what exactly, in plain words (never the file's content)

    @property
    def name(self) -> str:
        return self.path.name


def fingerprint_of(path: Path, identity: str = "") -> str:
    """SHA-256 of `identity` (a line, if given) followed by the file's bytes."""
    digest = hashlib.sha256()
    if identity:
        digest.update(identity.encode() + b"\n")
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def delivery_identity(name: str) -> str:
    """What a file's name says it delivers: source, municipality, period and part ('' for an unknown name).
    Case and extension do not matter: `HR_ORG_UNITS_0751_2025-06.CSV` delivers what its lower-case twin does."""
    from pipelines.sources.registry import detect  # the registry names the sources; landing/ only moves files

    detected = detect(name)
    if detected is None:
        return ""
    _, file_name = detected
    return f"{file_name.source}:{file_name.kommunekode}:{file_name.period}:{file_name.part or ''}"


def delivery_fingerprint(path: Path, name: str | None = None) -> str:
    """The fingerprint of the delivery `path` holds under `name` (default: its own name): see the module doc."""
    return fingerprint_of(path, delivery_identity(name or path.name))


def fingerprint_of_bytes(data: bytes, identity: str = "") -> str:
    """As fingerprint_of, for bytes already read."""
    return hashlib.sha256((identity.encode() + b"\n" if identity else b"") + data).hexdigest()


def scan(landing: Path, only: Callable[[str], bool] | None = None, *, settle_seconds: float = 0.0) -> list[LandingFile]:
    """Every entry directly in `landing/` (whose name `only` accepts), by name, with its delivery
    fingerprint (`delivery_fingerprint`).

    Hidden files and files still being written by a transfer tool (`.part`, `.tmp`, `~` names)
    are skipped: they are not deliveries yet. Entries that are no deliverable file come back with a
    `problem` (symlink, unreadable, not a file) so the caller can settle or report them.

    With `settle_seconds`, a file modified that recently is watched once for that long (one wait
    for all of them): a file whose size or modification time changed meanwhile is `ARRIVING`.
    """
    if not landing.exists():
        return []
    entries = []
    for path in sorted(landing.iterdir(), key=_delivery_order):
        if _in_transfer(path.name) or (only and not only(path.name)):
            continue
        try:
            entries.append((path, path.lstat()))
        except FileNotFoundError:  # moved away by another process between listing and looking
            continue
    changed = _still_changing([(p, s) for p, s in entries if stat.S_ISREG(s.st_mode)], settle_seconds)
    return [file for path, status in entries if (file := _landing_file(path, status, path in changed))]


def _still_changing(files: list[tuple[Path, os.stat_result]], settle_seconds: float) -> set[Path]:
    now = time.time()
    recent = [(path, status) for path, status in files if now - status.st_mtime < settle_seconds]
    if not recent:
        return set()
    newest = max(status.st_mtime for _, status in recent)
    time.sleep(max(0.0, min(settle_seconds, settle_seconds - (now - newest))))
    changing = set()
    for path, before in recent:
        try:
            after = path.lstat()
        except FileNotFoundError:
            continue
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            changing.add(path)
    return changing


def _landing_file(path: Path, status: os.stat_result, changing: bool) -> LandingFile | None:
    if stat.S_ISLNK(status.st_mode):
        # the link is identified by its own text, never by what it points to
        return LandingFile(path, _pseudo_fingerprint("symlink", path, status), 0, SYMLINK, "a symbolic link")
    if not stat.S_ISREG(status.st_mode):
        kind = "a directory" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        return LandingFile(path, "", 0, NOT_A_FILE, kind)
    if changing:
        return LandingFile(path, "", status.st_size, ARRIVING, "still being written")
    try:
        return LandingFile(path, delivery_fingerprint(path), status.st_size)
    except FileNotFoundError:
        return None
    except OSError as error:
        detail = "permission denied" if isinstance(error, PermissionError) else f"{os.strerror(error.errno or 5)}"
        return LandingFile(path, _pseudo_fingerprint("unreadable", path, status), status.st_size, UNREADABLE, detail)


def _pseudo_fingerprint(kind: str, path: Path, status: os.stat_result) -> str:
    """A stable identity for an entry whose bytes cannot (or must not) be read: it is recorded like a file."""
    identity = f"{kind}\t{path.name}\t{status.st_size}\t{status.st_mtime_ns}\t{status.st_ino}"
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()


def _delivery_order(path: Path) -> tuple[str, bool, str]:
    """Names as the registry matches them (case-insensitive), the lower-case spelling first: of two
    spellings of one delivery arriving together, `hr_employees_0751_2025-06.csv` is the delivery and
    `HR_EMPLOYEES_0751_2025-06.CSV` its duplicate."""
    return path.name.casefold(), path.name != path.name.casefold(), path.name


def actionable(name: str) -> bool:
    """A delivery a run acts on: every file but those still being written (a name matching no source is
    acted on too: it is quarantined)."""
    return not _in_transfer(name)


def _in_transfer(name: str) -> bool:
    lowered = name.lower()
    return (
        name.startswith(".") or name.startswith("~") or lowered.endswith((".part", ".tmp", ".filepart", ".crdownload"))
    )
