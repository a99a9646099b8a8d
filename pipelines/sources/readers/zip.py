"""Zip archives unpacked safely: no member escapes its folder, no archive inflates without limit."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from pipelines.sources.base import Unreadable


def safe_zip_members(data: bytes, *, max_total_bytes: int = 2 * 1024**3, max_ratio: int = 200) -> dict[str, bytes]:
    """Every file in the archive, by its name inside the archive.

    Refuses names that could escape a folder (`../`, absolute paths, drive letters) and archives
    that inflate to more than `max_total_bytes`, or to more than `max_ratio` times the archive's
    size. Inflated bytes are counted while inflating: the sizes an archive declares may lie.
    """
    budget = min(max_total_bytes, max_ratio * len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Unreadable("the file is not a readable zip archive") from None
    members: dict[str, bytes] = {}
    inflated = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            _check_member_name(info.filename)
            if info.flag_bits & 0x1:
                raise Unreadable(f"the zip archive is password-protected ({info.filename})")
            if info.filename in members:
                raise Unreadable(f"the zip archive holds two files named {info.filename}")
            chunks = []
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 16):
                        inflated += len(chunk)
                        if inflated > budget:
                            raise Unreadable(
                                f"the zip archive inflates to more than {budget:,} bytes "
                                f"(limit: {max_ratio} times its size, at most {max_total_bytes:,}); "
                                "refused as a possible zip bomb"
                            )
                        chunks.append(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
                raise Unreadable(f"the zip archive is damaged: {info.filename} cannot be unpacked") from None
            members[info.filename] = b"".join(chunks)
    return members


def _check_member_name(name: str) -> None:
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise Unreadable(f"the zip archive holds a file with an unsafe name ({name!r}): it points outside the archive")
