"""Bytes to text: UTF-16 (with or without byte-order mark), UTF-8 (with or without BOM), else Windows-1252."""

from __future__ import annotations

import codecs
import re

from pipelines.sources.base import Unreadable

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 .xls format


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-16 (BOM), UTF-8 with BOM, UTF-8, else Windows-1252."""
    if not data.strip():
        raise Unreadable("the file is empty")
    if data.startswith(ZIP_MAGIC):
        raise Unreadable("the file is a zip archive or an Excel workbook, not a CSV text file")
    if data.startswith(OLE2_MAGIC):
        raise Unreadable("the file is an old Excel (.xls) workbook, not a CSV text file")
    text = _decode(data)
    if not text.strip():
        raise Unreadable("the file is empty")
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise Unreadable(
            f"the file contains NUL bytes (first in row {row}): it is damaged, or not a text file", row=row
        )
    return text


# A UTF-8 sequence for a letter beyond ASCII (æ is C3 A6): Windows-1252 text almost never holds one.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE starts both
        return _decode_strictly(data, "utf-32", "it starts with a UTF-32 byte-order mark but is not valid UTF-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_strictly(data, "utf-16", "it starts with a UTF-16 byte-order mark but is not valid UTF-16")
    if data.startswith(codecs.BOM_UTF8):
        return _decode_strictly(data, "utf-8-sig", "it starts with a UTF-8 byte-order mark but is not valid UTF-8")
    if b"\x00" in data[:4096]:
        # Text never holds NUL bytes, but UTF-16 written without a byte-order mark is full of them.
        return _decode_strictly(data, _utf16_byte_order(data), "it contains NUL bytes, so it is not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_MULTIBYTE.search(data):
            # UTF-8 letters elsewhere: rows saved in two encodings. Read as either, some rows would
            # be garbled (`PÃ¦dagog`); the file must be saved again in one encoding.
            row = data[: error.start].count(b"\n") + 1
            raise Unreadable(
                f"the file mixes encodings: it is UTF-8, but row {row} is not (byte 0x{data[error.start]:02X}, "
                "probably Windows-1252); save the whole file as UTF-8",
                row=row,
            ) from None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise Unreadable(
            f"the file is not valid UTF-8 and contains bytes Windows-1252 does not define "
            f"(byte 0x{data[error.start]:02X} in row {row}); save it as UTF-8",
            row=row,
        ) from None


def _decode_strictly(data: bytes, encoding: str, complaint: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise Unreadable(f"the file cannot be read: {complaint}") from None


def _utf16_byte_order(data: bytes) -> str:
    """'utf-16-le' when the NULs sit in odd positions (ASCII text as little-endian UTF-16), else '-be'."""
    sample = data[:4096]
    return "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"


def looks_like_text(data: bytes) -> bool:
    try:
        text = decode_text(data)
    except Unreadable:
        return False
    return "".join(text.split()).isprintable()  # binary data decodes to control characters
