"""Zip archives unpacked safely: no member escapes its folder, no archive inflates without limit.

Limits: at most `max_ratio` (200) times the archive's size, and at most DIGILEAD_MAX_UNZIPPED_MB
(200 MB by default) in all, counted while inflating, member by member (the sizes an archive declares
may lie). A padded archive (a few MB inflating to hundreds) is refused before it costs the memory.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable

from pipelines.sources.base import Unreadable

DEFAULT_MAX_UNZIPPED_MB = 200
_CHUNK = 1 << 16


def max_unzipped_bytes() -> int:
    """DIGILEAD_MAX_UNZIPPED_MB as bytes, read when asked (a setting, like the others in settings.py)."""
    raw = os.environ.get("DIGILEAD_MAX_UNZIPPED_MB") or str(DEFAULT_MAX_UNZIPPED_MB)
    try:
        return max(1, int(raw)) * 1024**2
    except ValueError:
        return DEFAULT_MAX_UNZIPPED_MB * 1024**2


def safe_zip_members(data: bytes, *, max_total_bytes: int | None = None, max_ratio: int = 200) -> dict[str, bytes]:
    """Every file in the archive, by its name inside the archive.

    Refuses names that could escape a folder (`../`, absolute paths, drive letters) and archives
    that inflate to more than `max_total_bytes` (default: DIGILEAD_MAX_UNZIPPED_MB), or to more than
    `max_ratio` times the archive's size. Inflated bytes are counted while inflating.
    """
    members: dict[str, bytes] = {}
    _inflate(data, max_total_bytes, max_ratio, lambda name, chunks: members.__setitem__(name, b"".join(chunks)))
    return members


def check_zip_sizes(data: bytes, *, max_total_bytes: int | None = None, max_ratio: int = 200) -> None:
    """safe_zip_members' checks, streaming: nothing inflated is kept (for a reader that inflates itself,
    as openpyxl does, but would trust the sizes the archive declares). Remembered for the last few
    archives, so one workbook read sheet by sheet is checked once."""
    _checked(hashlib.sha256(data).digest(), data, max_total_bytes or max_unzipped_bytes(), max_ratio)


@functools.lru_cache(maxsize=4)
def _checked(digest: bytes, data: bytes, max_total_bytes: int, max_ratio: int) -> bool:
    _inflate(data, max_total_bytes, max_ratio, None)
    return True


def _inflate(
    data: bytes, max_total_bytes: int | None, max_ratio: int, keep: Callable[[str, list[bytes]], None] | None
) -> None:
    max_total_bytes = max_total_bytes or max_unzipped_bytes()
    budget = min(max_total_bytes, max_ratio * len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable("the file is not a readable zip archive") from None
    seen: set[str] = set()
    inflated = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            _check_member_name(info.filename)
            if info.flag_bits & 0x1:
                raise Unreadable(f"the zip archive is password-protected ({info.filename})")
            if info.filename in seen:
                raise Unreadable(f"the zip archive holds two files named {info.filename}")
            seen.add(info.filename)
            chunks: list[bytes] = []
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > budget:
                            raise Unreadable(
                                f"the zip archive inflates to more than {budget:,} bytes "
                                f"(limit: {max_ratio} times its size, at most {max_total_bytes:,}, "
                                "DIGILEAD_MAX_UNZIPPED_MB); refused as a possible zip bomb"
                            )
                        if keep is not None:
                            chunks.append(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                raise Unreadable(f"the zip archive is damaged: {info.filename} cannot be unpacked") from None
            if keep is not None:
                keep(info.filename, chunks)


def _check_member_name(name: str) -> None:
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise Unreadable(f"the zip archive holds a file with an unsafe name ({name!r}): it points outside the archive")
