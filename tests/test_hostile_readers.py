"""Readers tell the truth about broken text: mixed encodings, NUL bytes, UTF-32, very long records."""

from __future__ import annotations

import codecs

import pytest

from pipelines.sources.base import Unreadable
from pipelines.sources.readers import csv_frame, decode_text

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
