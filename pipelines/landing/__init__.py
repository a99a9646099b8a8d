"""The landing zone and the file lifecycle (contract §3): scan, fingerprint, archive, quarantine."""

from pipelines.landing.files import LandingFile, delivery_fingerprint, fingerprint_of, scan
from pipelines.landing.moves import free_name, move, write_json_atomically

__all__ = [
    "LandingFile",
    "delivery_fingerprint",
    "fingerprint_of",
    "free_name",
    "move",
    "scan",
    "write_json_atomically",
]
