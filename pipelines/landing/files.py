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


def scan(landing: Path, only: Callable[[str], bool] | None = None) -> list[LandingFile]:
    """Every regular file directly in `landing/` (whose name `only` accepts), by name, with its delivery
    fingerprint (`delivery_fingerprint`).

    Hidden files and files still being written by a transfer tool (`.part`, `.tmp`, `~` names)
    are skipped: they are not deliveries yet.
    """
    if not landing.exists():
        return []
    files = []
    for path in sorted(landing.iterdir(), key=lambda p: p.name):
        if not path.is_file() or _in_transfer(path.name) or (only and not only(path.name)):
            continue
        files.append(LandingFile(path=path, fingerprint=delivery_fingerprint(path), size=path.stat().st_size))
    return files


def _in_transfer(name: str) -> bool:
    lowered = name.lower()
    return (
        name.startswith(".") or name.startswith("~") or lowered.endswith((".part", ".tmp", ".filepart", ".crdownload"))
    )
