"""Shared by the reader and parser tests: a keyed context, file names, and in-memory files."""

from __future__ import annotations

import hashlib
import hmac
import io
import zipfile

import openpyxl
import pandas as pd

from pipelines.sources.base import FileName, Item, ParseContext, ParsedFile

_KEYED = hmac.new(b"test-key", digestmod=hashlib.sha256)


def _hmac(message: str) -> str:
    keyed = _KEYED.copy()
    keyed.update(message.encode())
    return keyed.hexdigest()


def person_key(kommunekode: str, medarbejdernr: str) -> str:
    return _hmac(f"{kommunekode}:{medarbejdernr}")


def link_key(kommunekode: str, ref: str) -> str | None:
    if ref is None or not ref.strip():
        return None
    if "@" in ref:
        return _hmac(f"{kommunekode}:email:{ref.strip().lower()}")
    return _hmac(f"{kommunekode}:empno:{ref.strip()}")


ITEMS = {
    "Q01": Item("Q01", "Jeg kan finde information på intranettet", "1.1", False),
    "Q02": Item("Q02", "Jeg  deler filer sikkert", "2.1", True),
    "Q03": Item("Q03", "Jeg kan beskytte mine data", "4.2", False),
}


def person_keys(kommunekode: str, numbers: list[str]) -> list[str]:
    return [person_key(kommunekode, number) for number in numbers]


def link_keys(kommunekode: str, refs: list[str]) -> list[str | None]:
    return [link_key(kommunekode, ref) for ref in refs]


# the parser, not HMAC: each value is its own key
CHEAP_KEYS = ParseContext(person_keys=lambda k, numbers: list(numbers), link_keys=lambda k, refs: list(refs))


def context(items=ITEMS) -> ParseContext:
    return ParseContext(person_keys=person_keys, link_keys=link_keys, needed=items)


def file_name(source: str, period: str, extension: str = "csv", kommunekode: str = "0751") -> FileName:
    return FileName(f"{source}_{kommunekode}_{period}.{extension}", source, kommunekode, period, extension)


def xlsx_bytes(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def frames_of(parsed: ParsedFile) -> list[pd.DataFrame]:
    return [*parsed.tables.values(), parsed.validation_frame, parsed.not_loaded]


def assert_nothing_in_clear(parsed: ParsedFile, secrets: list[str]) -> None:
    """No secret (name, e-mail, CPR, free text) in any cell of any output frame."""
    for frame in frames_of(parsed):
        cells = []
        for column in frame.columns:
            cells.extend(str(value) for value in frame[column].dropna())
        for secret in secrets:
            assert not [cell for cell in cells if secret.casefold() in cell.casefold()], secret
