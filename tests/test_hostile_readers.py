"""Readers tell the truth about broken text: mixed encodings, NUL bytes, UTF-32, very long records."""

from __future__ import annotations

import codecs
import io
import os

import pytest

from pipelines.sources.base import Unreadable
from pipelines.sources.readers import csv_frame, decode_text, safe_zip_members

UTF8 = "los_id;stillingsbetegnelse\n1;Pædagog\n2;Sygeplejerske\n".encode()


def test_a_utf8_file_with_one_windows_1252_row_is_refused_naming_the_row_never_garbled():
    data = UTF8 + "3;Pædagog\n".encode("cp1252") + "4;Pædagog\n".encode()
    with pytest.raises(Unreadable, match="mixes encodings: it is UTF-8, but row 4 is not") as error:
        decode_text(data)
    assert error.value.row == 4


def test_a_wholly_windows_1252_file_is_still_read():
    assert "Pædagog" in decode_text("los_id;x\n1;Pædagog\n".encode("cp1252"))


@pytest.mark.parametrize("bom", [codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE], ids=["le", "be"])
def test_utf32_with_a_byte_order_mark_is_read(bom):
    text = "los_id;enhedsnavn\n1;Ældrepleje\n"
    encoding = "utf-32-le" if bom == codecs.BOM_UTF32_LE else "utf-32-be"
    frame = csv_frame(bom + text.encode(encoding))
    assert frame["enhedsnavn"].tolist() == ["Ældrepleje"]


def test_nul_bytes_past_the_start_are_named_as_such_not_as_a_quote_problem():
    data = UTF8 + b"x" * 5000 + b"\n3;Pa\x00dagog\n"
    with pytest.raises(Unreadable, match="contains NUL bytes \\(first in row 5\\)"):
        csv_frame(data)


def test_a_record_longer_than_arrows_block_is_read():
    long_text = "x" * (2 << 20)
    frame = csv_frame(f'a;b\n1;"{long_text}"\n2;y\n'.encode())
    assert frame["b"].str.len().tolist() == [len(long_text), 1]


# --- zip archives: an absolute limit, inflated once ----------------------------------------------


def _padded_zip(inflated_bytes: int) -> bytes:
    import zipfile as zf

    buffer = io.BytesIO()
    with zf.ZipFile(buffer, "w", compression=zf.ZIP_DEFLATED) as archive:
        archive.writestr("dataset.csv", b"employee_ref;los_id;Q01\n" + os.urandom(inflated_bytes))
    return buffer.getvalue()


def test_a_padded_archive_within_the_ratio_is_refused_by_the_absolute_limit(monkeypatch):
    monkeypatch.setenv("DIGILEAD_MAX_UNZIPPED_MB", "1")
    data = _padded_zip(3 * 1024**2)  # 3 MB that do not compress: far under 200 times the archive's size
    assert 200 * len(data) > 3 * 1024**2
    with pytest.raises(Unreadable, match="refused as a possible zip bomb"):
        safe_zip_members(data)


def test_the_absolute_limit_defaults_to_200_mb(monkeypatch):
    monkeypatch.delenv("DIGILEAD_MAX_UNZIPPED_MB", raising=False)
    from pipelines.sources.readers.zip import max_unzipped_bytes

    assert max_unzipped_bytes() == 200 * 1024**2


def test_a_surveyxact_archive_is_inflated_once(monkeypatch):
    import zipfile as zf

    from parser_support import context, file_name
    from test_parsers_survey_responses import surveyxact_zip

    from pipelines.sources import survey_responses

    data = surveyxact_zip()  # written before counting: writing opens members too
    opened: list[str] = []
    real_open = zf.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zf.ZipFile, "open", counting_open)
    parsed = survey_responses.parse(data, file_name("survey_responses", "2025H1", "zip"), context())
    assert parsed.rows_read == 3
    assert sorted(opened) == sorted(set(opened)), f"members inflated more than once: {sorted(opened)}"


# --- a formula never calculated -------------------------------------------------------------------


def _workbook_with_formula(cached: str | None) -> bytes:
    import zipfile as zf

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["los_id", "fte"])
    book.active.append([1, "=37/37"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zf.ZipFile(io.BytesIO(plain.getvalue())) as source, zf.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                content = content.replace(b"<v />", f"<v>{cached}</v>".encode())
            target.writestr(item, content)
    return out.getvalue()


def test_a_formula_without_a_cached_value_is_named_not_read_as_empty():
    from pipelines.sources.readers import xlsx_frame

    with pytest.raises(Unreadable, match="cell B2 holds a formula whose value was never calculated") as error:
        xlsx_frame(_workbook_with_formula(None))
    assert error.value.row == 2


def test_a_formula_with_its_cached_value_is_read_as_that_value():
    from pipelines.sources.readers import xlsx_frame

    assert xlsx_frame(_workbook_with_formula("1"))["fte"].tolist() == ["1"]
