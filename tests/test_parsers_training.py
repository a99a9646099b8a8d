"""Course catalogue and training records (LMS CSV and xAPI JSON lines): typed raw tables, the
validation suites on good and bad input, unreadable files, and no clear identifiers."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from parser_support import CHEAP_KEYS, assert_nothing_in_clear, context, file_name, link_key

from pipelines.sources import courses, training
from pipelines.sources.base import Unreadable
from pipelines.sources.readers import DATE, NUMBER, STRING, TIMESTAMP
from pipelines.sources.registry import detect
from pipelines.validation import load_suite_spec, validate_batches

TRAINING_COLUMNS = [
    "_row_number",
    "kommunekode",
    "file_month",
    "record_format",
    "statement_id",
    "email_key",
    "empno_key",
    "course_id",
    "status",
    "verb_id",
    "completed_at",
    "completed_month",
    "hours",
    "duration_hours",
]


def failed_rules(parsed, suite: str) -> dict[str, list[int]]:
    outcome = validate_batches(load_suite_spec(suite), [parsed.validation_frame])
    return {check.rule: check.rows for check in outcome.failed}


# --- courses ------------------------------------------------------------------------------------

COURSES = """course_id;course_name;competence_code;nominal_hours
K101;Informationssøgning og kildekritik;1.2;3
K102;Fil- og dokumenthåndtering i SharePoint;1,3;2,5
K103;Microsoft Teams for begyndere;2.1;1.000,0
"""


def parse_courses(text: str = COURSES, encoding: str = "cp1252"):
    return courses.parse(text.encode(encoding), file_name("courses", ""), context())


def test_courses_table_columns_types_and_values():
    table = parse_courses().tables["courses"]
    assert list(table.columns) == [
        "_row_number",
        "kommunekode",
        "course_id",
        "course_name",
        "competence_code",
        "nominal_hours",
    ]
    assert table.dtypes.to_dict() == {
        "_row_number": "int64",
        "kommunekode": STRING,
        "course_id": STRING,
        "course_name": STRING,
        "competence_code": STRING,
        "nominal_hours": NUMBER,
    }
    assert table["course_name"].tolist()[1] == "Fil- og dokumenthåndtering i SharePoint"  # æ, ø, å survive cp1252
    assert table["competence_code"].tolist() == ["1.2", "1.3", "2.1"]  # Excel's decimal comma
    assert table["nominal_hours"].tolist() == [3.0, 2.5, 1000.0]
    assert failed_rules(parse_courses(), "courses") == {}


def test_courses_name_has_no_period():
    spec, name = detect("Courses_0751.CSV")
    assert spec.name == "courses" and name.kommunekode == "0751" and name.period == ""
    assert spec.raw_tables == ("courses",)


def test_courses_bad_values_fail_the_suite():
    bad = COURSES + "K101;Igen;9.9;x\n;Uden id;2.1;-1\n"
    rules = failed_rules(parse_courses(bad), "courses")
    assert rules["a course_id appears once in a catalogue"] == [2, 5]
    assert rules["competence_code is a DigComp 2.2 competence, 1.1 ... 5.4"] == [5]
    assert rules["every value of nominal_hours must be readable"] == [5]
    assert rules["every course has a course_id"] == [6]
    assert rules["nominal_hours is between 0 and 1000"] == [6]


def test_courses_without_a_required_column_is_unreadable():
    with pytest.raises(Unreadable, match="nominal_hours"):
        parse_courses("course_id;course_name;competence_code\nK1;Kursus;1.1\n")


# --- training: LMS completion report (CSV) -----------------------------------------------------

LMS = """user_email;medarbejdernr;course_id;status;completed_at;hours
Jens.Hansen@Aarhus.dk ;1001;K101;Completed;31-12-2025 14:05;1,5
søs@aarhus.dk;;K102;in progress;;
;1003;K103;not-started;;
bo@aarhus.dk;1004;K104;completed;;0
ib@aarhus.dk;;K105;completed;2025-12-01T08:00:00;
"""


def parse_lms(text: str = LMS, encoding: str = "cp1252", period: str = "2025-12"):
    return training.parse(text.encode(encoding), file_name("training", period), context())


def test_lms_table_columns_and_types():
    table = parse_lms().tables["training_records"]
    assert list(table.columns) == TRAINING_COLUMNS
    assert table.dtypes.to_dict() == {
        "_row_number": "int64",
        "kommunekode": STRING,
        "file_month": DATE,
        "record_format": STRING,
        "statement_id": STRING,
        "email_key": STRING,
        "empno_key": STRING,
        "course_id": STRING,
        "status": STRING,
        "verb_id": STRING,
        "completed_at": TIMESTAMP,
        "completed_month": DATE,
        "hours": NUMBER,
        "duration_hours": NUMBER,
    }
    assert table["_row_number"].tolist() == [2, 3, 4, 5, 6]
    assert set(table["record_format"]) == {"lms_csv"} and set(table["file_month"]) == {dt.date(2025, 12, 1)}
    assert table["statement_id"].isna().all() and table["verb_id"].isna().all() and table["duration_hours"].isna().all()


def test_lms_values():
    table = parse_lms().tables["training_records"]
    assert table["status"].tolist() == ["completed", "in_progress", "not_started", "completed", "completed"]
    assert table["completed_at"].tolist()[0] == pd.Timestamp("2025-12-31 14:05")
    assert table["completed_month"].tolist()[0] == dt.date(2025, 12, 1)
    assert pd.isna(table["completed_at"].iloc[1]) and pd.isna(table["completed_month"].iloc[1])
    assert table["hours"].tolist()[0] == 1.5 and table["hours"].tolist()[3] == 0.0 and pd.isna(table["hours"].iloc[4])


def test_lms_learners_are_link_keys_by_either_column():
    table = parse_lms().tables["training_records"]
    assert table["email_key"].iloc[0] == link_key("0751", "jens.hansen@aarhus.dk")  # case and spaces ignored
    assert table["empno_key"].iloc[0] == link_key("0751", "1001")
    assert pd.isna(table["empno_key"].iloc[1]) and pd.isna(table["email_key"].iloc[2])
    assert table["empno_key"].iloc[2] == link_key("0751", "1003")
    assert_nothing_in_clear(parse_lms(), ["jens.hansen", "søs@", "bo@aarhus", "ib@aarhus", "@"])


def test_lms_with_only_one_learner_column_reads():
    only_numbers = "medarbejdernr,course_id,status,completed_at,hours\n1001,K101,completed,2025-12-01,2\n"
    table = parse_lms(only_numbers).tables["training_records"]
    assert table["empno_key"].tolist() == [link_key("0751", "1001")] and table["email_key"].isna().all()
    only_emails = (
        "user_email,course_id,status,completed_at\nA@B.dk,K101,completed,01.12.2025\n"  # no hours column at all
    )
    table = parse_lms(only_emails).tables["training_records"]
    assert table["email_key"].tolist() == [link_key("0751", "a@b.dk")] and table["hours"].isna().all()


def test_lms_without_any_learner_column_is_unreadable():
    with pytest.raises(Unreadable, match="neither user_email nor medarbejdernr"):
        parse_lms("course_id;status;completed_at;hours\nK1;completed;;\n")


@pytest.mark.parametrize(
    "encoding, line_end, delimiter",
    [
        ("utf-8", "\n", ";"),
        ("utf-8-sig", "\r\n", ","),
        ("cp1252", "\r\n", ";"),
        ("utf-16", "\n", "\t"),
    ],
)
def test_lms_encodings_delimiters_and_line_ends(encoding, line_end, delimiter):
    quoted = LMS.replace(";1,5", ';"1,5"') if delimiter == "," else LMS  # a decimal comma in a comma file is quoted
    text = line_end.join(line.replace(";", delimiter) for line in quoted.splitlines()) + line_end
    parsed = training.parse(text.encode(encoding), file_name("training", "2025-12"), context())
    table = parsed.tables["training_records"]
    assert len(table) == 5 and table["email_key"].iloc[1] == link_key("0751", "søs@aarhus.dk")
    assert failed_rules(parsed, "training") == {}


def test_lms_bad_rows_fail_the_suite_naming_rows():
    bad = (
        LMS
        + ";;K106;completed;;\nx@y.dk;;;completed;;\nx@y.dk;;K107;done;;\nx@y.dk;;K108;completed;32-12-2025;\nx@y.dk;;K109;completed;;-2\n"
    )
    rules = failed_rules(parse_lms(bad), "training")
    assert rules == {
        "every record names its learner: user_email or medarbejdernr (LMS CSV), actor.mbox (xAPI)": [7],
        "every record names its course: course_id (LMS CSV), object.id ending in the course id (xAPI)": [8],
        "status is completed, in_progress or not_started": [9],
        "every value of completed_at must be readable": [10],
        "hours is between 0 and 1000": [11],
    }


def test_lms_reason_examples_never_show_an_email():
    parsed = parse_lms(LMS + "x@y.dk;;K1;completed;someone@example.dk;\n")
    outcome = validate_batches(load_suite_spec("training"), [parsed.validation_frame])
    assert "@" not in json.dumps([check.as_dict() for check in outcome.failed])


# --- training: xAPI statements (JSON lines) -----------------------------------------------------

VERB = "http://adlnet.gov/expapi/verbs/"


def statement(**fields) -> dict:
    base = {
        "id": "11111111-1111-4111-8111-111111111111",
        "actor": {"objectType": "Agent", "name": "Jens Hansen", "mbox": "mailto:jens.hansen@aarhus.dk"},
        "verb": {"id": VERB + "completed", "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": "https://lms.aarhus.dk/xapi/activities/course/K101",
            "definition": {"name": {"da-DK": "Informationssøgning"}},
        },
        "result": {"completion": True, "duration": "PT1H30M"},
        "timestamp": "2025-03-10T09:00:00Z",
    }
    base.update(fields)
    return base


def jsonl(*statements: dict, separator: str = "\n") -> bytes:
    return (separator.join(json.dumps(s, ensure_ascii=False) for s in statements) + "\n").encode("utf-8")


def parse_xapi(data: bytes, period: str = "2025-03", extension: str = "jsonl"):
    return training.parse(data, file_name("training", period, extension), context())


def xapi_file() -> bytes:
    return jsonl(
        statement(),
        statement(
            id="2",
            actor={"mbox": "MAILTO: Søs@Aarhus.DK "},
            verb={"id": VERB + "attempted"},
            result={},
            timestamp="2025-03-31T23:30:00.000Z",
        ),
        statement(
            id="3",
            object={"id": "urn:lms:course:K103/"},
            result={"duration": "PT45M"},
            timestamp="2025-03-31T10:00:00+02:00",
        ),
        statement(
            id="4", object={"id": "https://lms/x#K104"}, result={"duration": "PT5400S"}, timestamp="2025-06-30T23:30:00"
        ),
    )


def test_xapi_table_columns_and_values():
    parsed = parse_xapi(xapi_file())
    table = parsed.tables["training_records"]
    assert list(table.columns) == TRAINING_COLUMNS and parsed.notes["record_format"] == "xapi"
    assert table["_row_number"].tolist() == [1, 2, 3, 4]
    assert set(table["record_format"]) == {"xapi"} and table["empno_key"].isna().all() and table["hours"].isna().all()
    assert table["statement_id"].tolist() == ["11111111-1111-4111-8111-111111111111", "2", "3", "4"]
    assert table["course_id"].tolist() == ["K101", "K101", "K103", "K104"]
    assert table["status"].tolist() == ["completed", "attempted", "completed", "completed"]
    assert table["verb_id"].tolist()[1] == VERB + "attempted"
    assert table["email_key"].tolist()[0] == link_key("0751", "jens.hansen@aarhus.dk")
    assert table["email_key"].tolist()[1] == link_key("0751", "søs@aarhus.dk")  # mailto:, case, spaces
    assert table["duration_hours"].tolist()[:1] == [1.5] and pd.isna(table["duration_hours"].iloc[1])
    assert table["duration_hours"].tolist()[2:] == [0.75, 1.5]
    assert failed_rules(parsed, "training") == {}
    assert_nothing_in_clear(parsed, ["jens.hansen", "Jens Hansen", "søs@", "@"])


def test_xapi_timestamps_in_copenhagen_time():
    table = parse_xapi(xapi_file()).tables["training_records"]
    assert table["completed_at"].tolist() == [
        pd.Timestamp("2025-03-10 10:00"),  # CET, +01:00
        pd.Timestamp("2025-04-01 01:30"),  # 23:30Z on 31 March is 1 April in Copenhagen (CEST since 30 March)
        pd.Timestamp("2025-03-31 10:00"),  # given with its offset (CEST): kept as written
        pd.Timestamp("2025-07-01 01:30"),  # no offset: UTC (xAPI), so July in Copenhagen
    ]
    assert table["completed_month"].tolist() == [
        dt.date(2025, 3, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 3, 1),
        dt.date(2025, 7, 1),
    ]


@pytest.mark.parametrize(
    "duration, hours",
    [
        ("PT1H30M", 1.5),
        ("PT45M", 0.75),
        ("PT5400S", 1.5),
        ("P1DT2H", 26.0),
        ("PT1,5H", 1.5),
        ("pt2h", 2.0),
        ("P1W", 168.0),
        ("PT0S", 0.0),
        ("PT1H0.5M", 1 + 0.5 / 60),
    ],
)
def test_iso_durations(duration, hours):
    converted = training.iso_durations(pd.Series([duration]))
    assert converted.values.tolist() == [pytest.approx(hours)] and converted.unparsed.isna().all()


@pytest.mark.parametrize("duration", ["P1M", "P1Y", "PT", "P", "1H", "PT1H30", "90 min", "T1H"])
def test_iso_durations_not_readable(duration):
    converted = training.iso_durations(pd.Series([duration]))
    assert converted.values.isna().all() and converted.unparsed.tolist() == [duration]


def test_xapi_blank_lines_keep_row_numbers_and_both_readers_agree():
    data = jsonl(statement(id="a"), statement(id="b"), statement(id="c"), separator="\n\n")
    parsed = parse_xapi(b"\n" + data)
    assert parsed.tables["training_records"]["_row_number"].tolist() == [2, 4, 6]
    text = xapi_file().decode("utf-8")
    fast, slow = training._statements(text), training._statements_line_by_line(text)
    pd.testing.assert_frame_equal(fast, slow)


def test_xapi_wrong_value_types_are_shown_not_crashed():
    parsed = parse_xapi(jsonl(statement(result={"duration": 5400}), statement(id=7, timestamp=None)))
    rules = failed_rules(parsed, "training")
    assert rules["every value of duration_hours must be readable"] == [1]
    assert rules["every xAPI statement has its timestamp"] == [2]
    assert parsed.validation_frame["statement_id"].tolist() == ["11111111-1111-4111-8111-111111111111", "7"]


def test_xapi_bad_statements_fail_the_suite():
    data = jsonl(
        statement(),
        statement(),  # the same id again
        statement(id="x2", actor={"name": "Anonym"}),
        statement(id="x3", verb={}),
        statement(id="x4", object={"id": ""}),
        statement(id=None),
        statement(id="x6", result={"duration": "P1M"}),
        statement(id="x7", timestamp="i går"),
    )
    rules = failed_rules(parse_xapi(data), "training")
    assert rules == {
        "an xAPI statement id appears once in a file": [1, 2],
        "every record names its learner: user_email or medarbejdernr (LMS CSV), actor.mbox (xAPI)": [3],
        "every record has a status (LMS CSV) or verb.id (xAPI)": [4],
        "every record names its course: course_id (LMS CSV), object.id ending in the course id (xAPI)": [5],
        "every xAPI statement has its id": [6],
        "every value of duration_hours must be readable": [7],
        "every value of completed_at must be readable": [8],
    }


def test_xapi_invalid_json_is_unreadable_without_quoting_the_line():
    data = jsonl(statement()) + b'{"id": "2", "actor": {"mbox": "mailto:secret@aarhus.dk"}\n'
    with pytest.raises(Unreadable) as raised:
        parse_xapi(data)
    assert "row 2" in str(raised.value) and "secret" not in str(raised.value) and raised.value.row == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"[" + json.dumps(statement()).encode() + b"]", "JSON array"),
        (b'{"id": "1"}\n[1, 2]\n', "row 2 is not a JSON object"),
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
    ],
)
def test_unreadable_training_files(data, message):
    with pytest.raises(Unreadable, match=message):
        parse_xapi(data)


def test_the_form_is_judged_from_the_content():
    parsed = parse_xapi(jsonl(statement()), extension="csv")
    assert parsed.tables["training_records"]["record_format"].tolist() == ["xapi"]
    parsed = parse_xapi(LMS.encode("utf-8"), extension="jsonl")
    assert set(parsed.tables["training_records"]["record_format"]) == {"lms_csv"}


def test_training_names():
    spec, name = detect("TRAINING_0751_2025-03.JSONL")
    assert spec.name == "training" and name.period == "2025-03" and name.extension == "jsonl"
    assert spec.raw_tables == ("training_records",)
    assert detect("training_0751_2025-13.csv") is None


# --- scale ------------------------------------------------------------------------------------------


def test_a_200k_row_lms_report_parses_whole():
    rows = ["user_email;medarbejdernr;course_id;status;completed_at;hours"] + [
        f"p{i % 50_000}@aarhus.dk;{i % 50_000};K{100 + i % 15};completed;{1 + i % 28:02d}-03-2025 10:{i % 60:02d};{i % 7},5"
        for i in range(200_000)
    ]
    data = ("\r\n".join(rows) + "\r\n").encode("cp1252")
    parsed = training.parse(data, file_name("training", "2025-03"), CHEAP_KEYS)
    assert parsed.rows_read == 200_000 and parsed.validation_frame["completed_at__unparsed"].isna().all()


def test_a_200k_statement_xapi_file_parses_whole():
    line = json.dumps(statement(id="ID", actor={"mbox": "mailto:pNN@aarhus.dk"}))
    data = "\n".join(line.replace('"ID"', f'"s{i}"').replace("pNN", f"p{i % 50_000}") for i in range(200_000)).encode(
        "utf-8"
    )
    parsed = training.parse(data, file_name("training", "2025-03", "jsonl"), CHEAP_KEYS)
    assert parsed.rows_read == 200_000 and parsed.validation_frame["duration_hours"].eq(1.5).all()
