"""The landing zone and the file lifecycle (docs/files.md): scan, fingerprint, archive, quarantine."""

from pipelines.landing.files import (
    ARRIVING,
    NOT_A_FILE,
    SETTLE_SECONDS,
    SYMLINK,
    UNREADABLE,
    LandingFile,
    actionable,
    delivery_fingerprint,
    delivery_identity,
    fingerprint_of,
    fingerprint_of_bytes,
    scan,
)
from pipelines.landing.moves import free_name, make_private_folder, move, reason_path, write_json_atomically

__all__ = [
    "ARRIVING",
    "NOT_A_FILE",
    "SETTLE_SECONDS",
    "SYMLINK",
    "UNREADABLE",
    "LandingFile",
    "delivery_fingerprint",
    "delivery_identity",
    "actionable",
    "fingerprint_of",
    "fingerprint_of_bytes",
    "free_name",
    "make_private_folder",
    "move",
    "reason_path",
    "scan",
    "write_json_atomically",
]
