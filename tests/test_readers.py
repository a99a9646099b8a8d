"""readers: encodings, delimiters, line ends, Danish numbers and dates, XLSX, safe zip archives."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import struct

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_support import xlsx_bytes, zip_bytes

from pipelines.sources.base import Unreadable
from pipelines.sources.readers import (
    DATE,
    NUMBER,
    STRING,
    TIMESTAMP,
    csv_frame,
    decode_text,
    first_rows,
    parse_danish_number,
    parse_date,
    parse_dates,
    parse_flags,
    parse_numbers,
    parse_timestamp,
    parse_timestamps,
    read_csv_table,
    require_columns,
    safe_zip_members,
    table_frame,
    xlsx_frame,
)

DANISH = "los_id;enhedsnavn\n1;Ældrepleje Øst\n2;Børnehuset Å\n"


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        DANISH.encode("utf-8"),
        codecs.BOM_UTF8 + DANISH.encode("utf-8"),
        DANISH.encode("cp1252"),
        DANISH.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + DANISH.encode("utf-16-be"),
        DANISH.encode("utf-16-le"),  # without BOM
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-bom", "utf16be-bom", "utf16le-no-bom"],
)
def test_decode_text_keeps_danish_letters(encoded):
    assert decode_text(encoded) == DANISH


@pytest.mark.parametrize("undefined", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_bytes_windows_1252_does_not_define_make_the_file_unreadable(undefined):
    with pytest.raises(
        Unreadable, match=r"not valid UTF-8 and contains bytes Windows-1252 does not define.*row 3"
    ) as error:
        decode_text(b"a;b\n1;2\nx" + bytes([undefined]) + b";3\n")
    assert error.value.row == 3


@pytest.mark.parametrize("data", [b"", b"  \r\n", codecs.BOM_UTF8])
def test_an_empty_file_is_unreadable(data):
    with pytest.raises(Unreadable, match="^the file is empty$"):
        csv_frame(data)


def test_a_broken_bom_file_is_unreadable():
    with pytest.raises(Unreadable, match="UTF-8 byte-order mark but is not valid UTF-8"):
        decode_text(codecs.BOM_UTF8 + b"a;b\n\xff\xfe;1\n")


def test_a_workbook_given_as_csv_is_unreadable():
    with pytest.raises(Unreadable, match="zip archive or an Excel workbook, not a CSV"):
        csv_frame(xlsx_bytes([["a"], [1]]))


# --- CSV shape --------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_csv_frame_sniffs_delimiter_and_line_end(delimiter, line_end):
    text = (
        line_end.join(delimiter.join(row) for row in [["id", "navn", "note"], ["1", "Å", ""], ["2", "ø", "x"]])
        + line_end
    )
    frame = csv_frame(text.encode("cp1252"))
    assert list(frame.columns) == ["_row_number", "id", "navn", "note"]
    assert frame["_row_number"].tolist() == [2, 3]
    assert frame["navn"].tolist() == ["Å", "ø"]
    assert frame["note"].isna().tolist() == [True, False]
    assert all(frame[column].dtype == STRING for column in ("id", "navn", "note"))


def test_quoted_fields_may_hold_delimiters_quotes_and_newlines():
    frame = csv_frame(b'id;text\n1;"a;b ""c""\nd"\n2;e\n')
    assert frame["text"].tolist() == ['a;b "c"\nd', "e"]
    assert frame["_row_number"].tolist() == [2, 3]  # a record, not a physical line, is a row


def test_a_delimiter_inside_quotes_in_the_header_does_not_win_the_sniff():
    frame = csv_frame(b'"a,b";c\n1;2\n')
    assert list(frame.columns) == ["_row_number", "a,b", "c"]


def test_cells_and_names_are_stripped_and_blank_lines_still_count_as_rows():
    frame = csv_frame(b" id ; name \n 1 ;  x  \n\n;\n3;y\n\n")
    assert list(frame.columns) == ["_row_number", "id", "name"]
    assert frame["_row_number"].tolist() == [2, 5]
    assert frame["name"].tolist() == ["x", "y"]


def test_several_header_rows_shift_the_row_numbers():
    headers, rows = read_csv_table(b"a,b\nA text,B text\n{x},{y}\n1,2\n3,4\n", header_rows=3)
    assert headers == [["a", "b"], ["A text", "B text"], ["{x}", "{y}"]]
    assert rows == [["1", "2"], ["3", "4"]]
    assert csv_frame(b"a,b\nA,B\n{x},{y}\n1,2\n", header_rows=3)["_row_number"].tolist() == [4]


def test_a_trailing_empty_column_is_dropped():
    frame = csv_frame(b"questionName;variableName;\nq1;Q01;\nq2;Q02;\n")
    assert list(frame.columns) == ["_row_number", "questionName", "variableName"]


def test_an_unnamed_column_with_values_is_kept_under_a_made_up_name():
    assert list(csv_frame(b"a;;c\n1;2;3\n").columns) == ["_row_number", "a", "column 2", "c"]


def test_a_row_with_the_wrong_number_of_fields_is_named_without_quoting_it():
    with pytest.raises(Unreadable) as error:
        csv_frame(b"cpr;navn;email\n010190-1234;Jens;j@x.dk\n020290-1234;Hans Hansen\n")
    assert error.value.row == 3
    assert str(error.value) == "row 3 has 2 fields but the header has 3 (a ';' or a quote out of place?)"


def test_a_header_naming_a_column_twice_is_unreadable():
    with pytest.raises(Unreadable, match="same column twice: a"):
        csv_frame(b"a;b;a\n1;2;3\n")


def test_read_csv_table_keeps_blank_lines_so_row_numbers_follow_the_formula():
    assert read_csv_table(b"a;b\n1;2\n\n3;4\n")[1] == [["1", "2"], ["", ""], ["3", "4"]]


def test_an_unclosed_quote_in_the_header_is_unreadable_without_quoting_the_file():
    with pytest.raises(Unreadable, match=r"^the file cannot be read as CSV \(a quote that is never closed\?\)$"):
        csv_frame(b'"cpr;navn\n')


def test_too_few_rows_for_the_header_is_unreadable():
    with pytest.raises(Unreadable, match="has 2 row.* 3 header row"):
        csv_frame(b"a,b\nA,B\n", header_rows=3)


def test_a_header_only_file_gives_an_empty_frame():
    frame = csv_frame(b"a;b\n")
    assert list(frame.columns) == ["_row_number", "a", "b"] and len(frame) == 0


def test_first_rows_reads_csv_and_xlsx():
    assert first_rows(b"a;b\n\n1;2\n3;4\n", 2) == [["a", "b"], ["1", "2"]]
    assert first_rows(xlsx_bytes([["a", "b"], [1, None]]), 5) == [["a", "b"], ["1"]]


# --- required columns ---------------------------------------------------------------------------


def test_require_columns_matches_case_and_spacing_and_renames():
    frame = require_columns(csv_frame(b"CPR;Los_ID;  Start   time\n1;2;3\n"), ["cpr", "los_id", "Start time"])
    assert list(frame.columns) == ["_row_number", "cpr", "los_id", "Start time"]


def test_require_columns_names_the_missing_columns_but_never_the_header_found():
    frame = csv_frame(b"010190-1234;Jens Hansen\n020290-4321;Hans Jensen\n")  # header row missing
    with pytest.raises(Unreadable) as error:
        require_columns(frame, ["cpr", "navn"])
    message = str(error.value)
    assert message.startswith("the header lacks the required column(s) cpr, navn (is the header row missing")
    assert "Jens" not in message and "010190" not in message


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_frame_reads_the_first_sheet_with_true_row_numbers_and_iso_dates():
    data = xlsx_bytes(
        [
            ["ID", "Completion time", "Dato", "FTE", "Svar", None],
            [1, dt.datetime(2025, 6, 3, 10, 15), dt.datetime(2025, 12, 31), 0.8, 5.0, None],
            [None, None, None, None, None],
            [2, dt.datetime(2025, 6, 4, 0, 0), dt.date(2025, 1, 2), 1, "Helt enig"],
        ]
    )
    frame = xlsx_frame(data)
    assert list(frame.columns) == ["_row_number", "ID", "Completion time", "Dato", "FTE", "Svar"]
    assert frame["_row_number"].tolist() == [2, 4]
    assert frame["Completion time"].tolist() == ["2025-06-03T10:15:00", "2025-06-04"]
    assert frame["Dato"].tolist() == ["2025-12-31", "2025-01-02"]
    assert frame["FTE"].tolist() == ["0.8", "1"]
    assert frame["Svar"].tolist() == ["5", "Helt enig"]
    assert frame["ID"].dtype == STRING


def test_xlsx_frame_finds_a_header_below_empty_rows_and_may_have_no_data():
    assert xlsx_frame(xlsx_bytes([[None], ["a", "b"], [1, 2]]))["_row_number"].tolist() == [3]
    assert list(xlsx_frame(xlsx_bytes([["a", "b"]])).columns) == ["_row_number", "a", "b"]


def test_xlsx_frame_picks_a_sheet_by_name_in_any_case_else_the_first():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["first"])
    workbook.create_sheet("Gevinster").append(["second"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert list(xlsx_frame(buffer.getvalue(), "gevinster").columns) == ["_row_number", "second"]
    assert list(xlsx_frame(buffer.getvalue(), "absent").columns) == ["_row_number", "first"]
    assert list(xlsx_frame(buffer.getvalue()).columns) == ["_row_number", "first"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"ID;Start time\n1;2\n", r"^not an Excel workbook \(it looks like a CSV file renamed \.xlsx\)$"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, r"old \.xls workbook"),
        (zip_bytes({"a.txt": b"hello"}), r"zip archive of other files"),
        (b"\x00\x01\x02\x81\x8d" * 20, r"damaged or in another format"),
        (b"", r"^the file is empty$"),
    ],
    ids=["renamed-csv", "xls", "other-zip", "binary", "empty"],
)
def test_xlsx_frame_rejects_what_is_not_a_workbook_in_plain_words(data, message):
    with pytest.raises(Unreadable, match=message):
        xlsx_frame(data)


def test_table_frame_reads_either_format():
    assert table_frame(b"a;b\n1;2\n")["b"].tolist() == ["2"]
    assert table_frame(xlsx_bytes([["a", "b"], [1, 2]]))["b"].tolist() == ["2"]


# --- zip archives -----------------------------------------------------------------------------


def test_safe_zip_members_returns_the_files():
    assert safe_zip_members(zip_bytes({"x/dataset.csv": b"a;b\n", "labels.csv": b"q;1;x\n"})) == {
        "x/dataset.csv": b"a;b\n",
        "labels.csv": b"q;1;x\n",
    }


@pytest.mark.parametrize("name", ["../evil.csv", "a/../../evil.csv", "/etc/passwd", "C:/evil.csv", "..\\evil.csv"])
def test_safe_zip_members_rejects_names_escaping_the_folder(name):
    with pytest.raises(Unreadable, match="unsafe name"):
        safe_zip_members(zip_bytes({name: b"x"}))


def test_safe_zip_members_rejects_a_zip_bomb_by_ratio():
    with pytest.raises(Unreadable, match="zip bomb"):
        safe_zip_members(zip_bytes({"dataset.csv": b"0" * 5_000_000}))


def test_safe_zip_members_rejects_more_than_the_total_limit():
    with pytest.raises(Unreadable, match="more than 1,000 bytes"):
        safe_zip_members(
            zip_bytes({"a.csv": bytes(range(256)) * 4, "b.csv": bytes(range(256)) * 4}), max_total_bytes=1000
        )


def _with_declared_size(archive: bytes, size: int) -> bytes:
    """The archive with its single member's uncompressed size rewritten in both headers."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, size)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)
    return bytes(data)


def test_safe_zip_members_never_trusts_the_declared_sizes():
    bomb = zip_bytes({"dataset.csv": b"0" * 5_000_000})
    for declared in (10, 2**32 - 1):  # claims to be tiny, or claims to be anything
        with pytest.raises(Unreadable, match="zip bomb|damaged"):
            safe_zip_members(_with_declared_size(bomb, declared), max_ratio=10**6, max_total_bytes=1_000_000)


def test_safe_zip_members_rejects_what_is_not_a_zip():
    with pytest.raises(Unreadable, match="not a readable zip archive"):
        safe_zip_members(b"a;b\n1;2\n")


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0,8", 0.8),
        ("0.8", 0.8),
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1234,5", 1234.5),
        ("1234.5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567),
        ("12", 12),
        ("-3,25", -3.25),
        (",5", 0.5),
        ("0.800", 0.8),
        ("1,234", 1.234),
        (" 37 ", 37),
    ],
)
def test_parse_numbers_reads_danish_plain_and_english_forms(text, number):
    assert parse_danish_number(text) == pytest.approx(number)


def test_parse_numbers_reports_what_it_cannot_read_and_leaves_empty_cells_missing():
    result = parse_numbers(pd.Series(["0,8", "", None, "otte", "1,2,3", "1.2.3", "-"]))
    assert result.values.dtype == NUMBER
    assert result.values.isna().tolist() == [False, True, True, True, True, True, True]
    assert result.unparsed.tolist()[3:] == ["otte", "1,2,3", "1.2.3", "-"]
    assert result.unparsed.iloc[:3].isna().all()


def _number_forms(value) -> list[str]:
    integer, _, fraction = f"{abs(value):.2f}".partition(".")
    sign = "-" if value < 0 else ""
    danish_grouped = f"{int(integer):,}".replace(",", ".")
    return [
        f"{sign}{danish_grouped},{fraction}",
        f"{sign}{integer},{fraction}",
        f"{sign}{integer}.{fraction}",
        f"{sign}{int(integer):,}.{fraction}",
    ]


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2), min_size=1, max_size=30))
def test_danish_numbers_round_trip(values):
    texts = [text for value in values for text in _number_forms(value)]
    expected = [float(value) for value in values for _ in range(4)]
    result = parse_numbers(pd.Series(texts))
    assert result.unparsed.isna().all()
    assert result.values.tolist() == pytest.approx(expected)


@given(st.lists(st.text(max_size=20), min_size=1, max_size=30))
def test_parse_numbers_reports_every_nonempty_text_it_cannot_read(texts):
    result = parse_numbers(pd.Series(texts))
    empty = pd.Series([text.strip() == "" for text in texts])
    assert (result.values.isna() & ~empty).equals(result.unparsed.notna())


def test_scalar_parsers_return_none_for_empty_and_raise_for_nonsense():
    assert parse_danish_number("") is None and parse_date(None) is None and parse_timestamp(" ") is None
    with pytest.raises(ValueError):
        parse_danish_number("otte")
    with pytest.raises(ValueError):
        parse_date("31-02-2025")


# --- dates and timestamps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["31-12-2025", "31.12.2025", "2025-12-31", "46022", "2025-12-31 00:00:00", "2025-12-31T00:00:00"]
)
def test_parse_dates_reads_danish_iso_and_excel_forms(text):
    assert parse_date(text) == dt.date(2025, 12, 31)


def test_parse_dates_reads_single_digit_parts_and_far_future_ends():
    assert parse_date("1-2-2025") == dt.date(2025, 2, 1)
    assert parse_date("31-12-9999") == dt.date(9999, 12, 31)  # the usual "no end" in payroll systems


def test_parse_dates_reports_impossible_dates_and_other_forms():
    texts = ["29-02-2024", "29-02-2025", "2025-13-01", "12/31/2025", "31-12-25", "i går", "2025", ""]
    result = parse_dates(pd.Series(texts))
    assert result.values.dtype == DATE
    assert result.values.iloc[0] == dt.date(2024, 2, 29)
    assert result.unparsed.tolist()[1:7] == texts[1:7]
    assert pd.isna(result.unparsed.iloc[7]) and pd.isna(result.values.iloc[7])


def test_parse_dates_gives_every_row_of_a_repeated_date_its_value():
    # each distinct text is converted once: rows sharing one must still each get it, in place
    texts = ["31-12-2025", "", "29-02-2025", "31-12-2025", None, "01-01-2020", "29-02-2025", "31-12-2025"]
    result = parse_dates(pd.Series(texts, index=range(10, 18)))
    assert result.values.index.tolist() == list(range(10, 18))
    assert [None if pd.isna(value) else value for value in result.values] == [
        dt.date(2025, 12, 31),
        None,
        None,
        dt.date(2025, 12, 31),
        None,
        dt.date(2020, 1, 1),
        None,
        dt.date(2025, 12, 31),
    ]
    assert [None if pd.isna(text) else text for text in result.unparsed] == [
        None,
        None,
        "29-02-2025",
        None,
        None,
        None,
        "29-02-2025",
        None,
    ]


@given(st.lists(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)), min_size=1, max_size=30))
def test_dates_round_trip_in_every_form(days):
    texts = [text for day in days for text in (f"{day:%d-%m-%Y}", f"{day:%d.%m.%Y}", day.isoformat())]
    result = parse_dates(pd.Series(texts))
    assert result.unparsed.isna().all()
    assert result.values.tolist() == [day for day in days for _ in range(3)]


@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2200, 1, 1)), min_size=1, max_size=30
    )
)
def test_timestamps_round_trip(moments):
    moments = [moment.replace(microsecond=0) for moment in moments]
    texts = [text for moment in moments for text in (f"{moment:%d-%m-%Y %H:%M:%S}", moment.isoformat(sep="T"))]
    result = parse_timestamps(pd.Series(texts))
    assert result.unparsed.isna().all()
    assert [value.to_pydatetime() for value in result.values] == [moment for moment in moments for _ in range(2)]


@given(st.lists(st.text(max_size=25), min_size=1, max_size=30))
def test_parse_timestamps_reports_every_nonempty_text_it_cannot_read(texts):
    result = parse_timestamps(pd.Series(texts))
    empty = pd.Series([text.strip() == "" for text in texts])
    assert (result.values.isna() & ~empty).equals(result.unparsed.notna())


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2025-06-03 10:15", dt.datetime(2025, 6, 3, 10, 15)),
        ("03-06-2025 10:15:22", dt.datetime(2025, 6, 3, 10, 15, 22)),
        ("03.06.2025 10.15", dt.datetime(2025, 6, 3, 10, 15)),
        ("2025-06-03T10:15:22.5", dt.datetime(2025, 6, 3, 10, 15, 22, 500000)),
        ("2025-06-03T08:15:22Z", dt.datetime(2025, 6, 3, 10, 15, 22)),  # summer time: UTC+2
        ("2025-01-03T08:15:22Z", dt.datetime(2025, 1, 3, 9, 15, 22)),  # winter time: UTC+1
        ("2025-06-03T10:15:22+02:00", dt.datetime(2025, 6, 3, 10, 15, 22)),
        ("2025-06-03T04:15:22-0400", dt.datetime(2025, 6, 3, 10, 15, 22)),
        ("45811.5", dt.datetime(2025, 6, 3, 12, 0)),
        ("2025-06-03", dt.datetime(2025, 6, 3)),
    ],
)
def test_parse_timestamps_reads_times_and_offsets_into_danish_local_time(text, local):
    assert parse_timestamp(text) == local


def test_parse_timestamps_type_and_failures():
    result = parse_timestamps(pd.Series(["2025-06-03 25:00", "2025-06-03 10:15", "kl. 10"]))
    assert result.values.dtype == TIMESTAMP
    assert result.unparsed.tolist()[0] == "2025-06-03 25:00" and result.unparsed.iloc[2] == "kl. 10"


def test_parse_flags():
    result = parse_flags(pd.Series(["1", "0", "TRUE", "false", "Ja", "nej", "", "måske"]))
    assert result.values.tolist()[:6] == [True, False, True, False, True, False]
    assert pd.isna(result.values.iloc[6]) and result.unparsed.iloc[7] == "måske"


def test_unparsed_text_never_shows_an_email_address():
    assert parse_numbers(pd.Series(["ring til jens@aarhus.dk"])).unparsed.iloc[0] == "ring til <e-mail>"
