"""Survey responses in all four dialects: detection, scoring, exclusions, privacy."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from parser_support import ITEMS, assert_nothing_in_clear, context, file_name, link_key, xlsx_bytes, zip_bytes

from pipelines.sources import survey_responses
from pipelines.sources.base import Unreadable, WaitingFor
from pipelines.sources.readers import FLAG, STRING, TIMESTAMP
from pipelines.sources.survey_responses import detect_dialect
from pipelines.sources.survey_responses.assemble import answer_scores

FREE_TEXT = "Min chef Jens Hansen (jens.hansen@aarhus.dk) er træls"


def parse(data: bytes, extension: str = "csv", items=ITEMS):
    return survey_responses.parse(data, file_name("survey_responses", "2025H1", extension), context(items))


def answers_of(parsed) -> dict[tuple[str, str], object]:
    answers = parsed.tables["survey_answers"]
    return {(row.respondent_id, row.item_id): row.answer for row in answers.itertuples()}


# --- answer scoring -----------------------------------------------------------------------------


def test_answer_scores_reads_numbers_and_danish_labels_and_knows_no_answer():
    texts = [
        "1",
        "5",
        "Helt uenig",
        " uenig ",
        "HVERKEN  ENIG eller uenig",
        "Enig",
        "helt enig",
        "Ved ikke",
        "-",
        "",
        None,
        "6",
        "0",
        "Meget enig",
        "4,0",
    ]
    scores = answer_scores(pd.Series(texts))
    assert scores.values.dtype == "Int8"
    assert scores.values.tolist()[:7] == [1, 5, 1, 2, 3, 4, 5]
    assert scores.values.iloc[7:].isna().all()
    assert scores.unparsed.iloc[:11].isna().all()
    assert scores.unparsed.tolist()[11:] == ["6", "0", "Meget enig", "4,0"]


# --- flat ---------------------------------------------------------------------------------------

FLAT = f"""respondent_id;employee_ref;los_id;submitted_at;Q01;q02;Kommentar
r1;1001;200;03-06-2025 10:15;5;Helt uenig;"{FREE_TEXT}"
r2; Jens.Hansen@Aarhus.dk ;201;2025-06-04T09:00:00Z; enig ;-;
r3;;200;2025-06-05;7;måske;
"""


def test_flat_csv_tables_and_types():
    parsed = parse(FLAT.encode("cp1252"))
    responses = parsed.tables["survey_responses"]
    assert list(responses.columns) == [
        "_row_number",
        "kommunekode",
        "wave",
        "dialect",
        "respondent_id",
        "ref_key",
        "los_id",
        "submitted_at",
        "is_response",
        "exclusion_reason",
    ]
    assert responses.dtypes.to_dict() == {
        "_row_number": "int64",
        "kommunekode": STRING,
        "wave": STRING,
        "dialect": STRING,
        "respondent_id": STRING,
        "ref_key": STRING,
        "los_id": STRING,
        "submitted_at": TIMESTAMP,
        "is_response": FLAG,
        "exclusion_reason": STRING,
    }
    assert responses["dialect"].tolist() == ["flat"] * 3 and responses["wave"].iloc[0] == "2025H1"
    assert responses["ref_key"].tolist()[:2] == [link_key("0751", "1001"), link_key("0751", "jens.hansen@aarhus.dk")]
    assert pd.isna(responses["ref_key"].iloc[2])
    assert responses["submitted_at"].tolist() == [
        pd.Timestamp("2025-06-03 10:15"),
        pd.Timestamp("2025-06-04 11:00"),
        pd.Timestamp("2025-06-05"),
    ]
    assert responses["is_response"].all() and responses["exclusion_reason"].isna().all()

    answers = parsed.tables["survey_answers"]
    assert list(answers.columns) == ["_row_number", "kommunekode", "wave", "respondent_id", "item_id", "answer"]
    assert answers["answer"].dtype == "Int8" and answers["item_id"].dtype == STRING
    assert answers[["respondent_id", "item_id"]].values.tolist() == [
        ["r1", "Q01"],
        ["r1", "Q02"],
        ["r2", "Q01"],
        ["r2", "Q02"],
        ["r3", "Q01"],
        ["r3", "Q02"],
    ]
    assert answers["_row_number"].tolist() == [2, 2, 3, 3, 4, 4]
    assert answers_of(parsed)[("r1", "Q01")] == 5 and answers_of(parsed)[("r2", "Q01")] == 4
    assert pd.isna(answers_of(parsed)[("r2", "Q02")])
    assert parsed.notes["items_missing"] == ["Q03"]


def test_flat_validation_frame_is_wide_with_unparsed_answers():
    frame = parse(FLAT.encode("utf-8")).validation_frame
    assert list(frame.columns) == [
        "_row_number",
        "respondent_id",
        "los_id",
        "submitted_at",
        "submitted_at__unparsed",
        "is_response",
        "has_employee_ref",
        "Q01",
        "Q01__unparsed",
        "Q02",
        "Q02__unparsed",
        "Q03",
        "Q03__unparsed",
    ]
    assert frame["has_employee_ref"].tolist() == [True, True, False]
    assert frame["Q01"].tolist()[:2] == [5, 4] and frame["Q02"].iloc[0] == 1
    assert frame["Q01__unparsed"].tolist()[2] == "7" and frame["Q02__unparsed"].tolist()[2] == "måske"
    assert frame["Q03"].isna().all() and frame["Q03__unparsed"].isna().all()  # not in the file


def test_flat_drops_free_text_and_keeps_no_reference_in_clear():
    parsed = parse(FLAT.encode("utf-8"))
    assert_nothing_in_clear(parsed, [FREE_TEXT, "træls", "jens.hansen", "@aarhus.dk"])
    assert "employee_ref" not in parsed.tables["survey_responses"].columns


def test_flat_without_employee_ref_is_anonymous():
    parsed = parse(b"respondent_id,los_id,submitted_at,Q01\n1,200,2025-06-01,4\n")
    assert parsed.tables["survey_responses"]["ref_key"].isna().all()
    assert parsed.validation_frame["has_employee_ref"].tolist() == [False]


def test_flat_xlsx():
    data = xlsx_bytes(
        [
            ["respondent_id", "employee_ref", "los_id", "submitted_at", "Q01", "Q03"],
            ["r1", 1001, 200, dt.datetime(2025, 6, 3, 10, 15), 5, "Ved ikke"],
        ]
    )
    assert detect_dialect(data) == "flat"
    parsed = parse(data, "xlsx")
    assert parsed.tables["survey_responses"]["submitted_at"].tolist() == [pd.Timestamp("2025-06-03 10:15")]
    assert parsed.tables["survey_responses"]["ref_key"].tolist() == [link_key("0751", "1001")]
    assert parsed.validation_frame["Q01"].tolist() == [5] and pd.isna(parsed.validation_frame["Q03"].iloc[0])


def test_responses_wait_for_their_catalogue():
    with pytest.raises(WaitingFor, match="^survey_items 0751 2025H1$"):
        parse(FLAT.encode("utf-8"), items=None)


def test_a_file_without_any_catalogue_item_is_unreadable():
    with pytest.raises(Unreadable, match="none of the 3 items"):
        parse(b"respondent_id;los_id;submitted_at;X1\n1;2;2025-06-01;4\n")


def test_flat_missing_metadata_columns_are_named():
    with pytest.raises(Unreadable, match="required column.* los_id$"):
        parse(b"respondent_id;Q01\n1;4\n")


def test_flat_needs_no_submission_time():
    parsed = parse(b"respondent_id;los_id;Q01\nr1;200;4\nr2;201;Enig\n")
    assert parsed.tables["survey_responses"]["submitted_at"].isna().all()
    assert parsed.tables["survey_responses"]["is_response"].tolist() == [True, True]
    assert answers_of(parsed) == {("r1", "Q01"): 4, ("r2", "Q01"): 4}


# --- qualtrics ----------------------------------------------------------------------------------

QUALTRICS_COLUMNS = [
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Finished", "Finished", "finished"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("Q01", "Jeg kan finde information,\npå intranettet", "QID1"),
    ("Q02", "Jeg deler filer sikkert", "QID2"),
    ("Q03", "Jeg kan beskytte mine data", "QID3"),
    ("Q04_TEXT", "Kommentar", "QID4_TEXT"),
    ("los_id", "los_id", "los_id"),
]
QUALTRICS_ROWS = [
    # StartDate, EndDate, Status, IP, Progress, Finished, ResponseId, last, first, email, ref, Q01, Q02, Q03, text, los_id
    [
        "2025-06-01 09:00:00",
        "2025-06-01 09:05:00",
        "IP Address",
        "10.0.0.1",
        "100",
        "True",
        "R_1",
        "Hansen",
        "Jens",
        "jens.hansen@aarhus.dk",
        "1001",
        "Helt enig",
        "Uenig",
        "3",
        FREE_TEXT,
        "200",
    ],
    [
        "2025-06-01 10:00:00",
        "2025-06-01 10:01:00",
        "Survey Preview",
        "",
        "100",
        "True",
        "R_2",
        "",
        "",
        "",
        "",
        "1",
        "1",
        "1",
        "",
        "200",
    ],
    [
        "2025-06-01 11:00:00",
        "2025-06-01 11:01:00",
        "Spam",
        "10.0.0.9",
        "100",
        "1",
        "R_3",
        "",
        "",
        "",
        "",
        "2",
        "2",
        "2",
        "",
        "201",
    ],
    [
        "2025-06-02 11:00:00",
        "2025-06-02 11:01:00",
        "IP Address",
        "10.0.0.2",
        "40",
        "False",
        "R_4",
        "Ågård",
        "Søs",
        "soes@aarhus.dk",
        "1002",
        "nonsense",
        "",
        "",
        "",
        "201",
    ],
    [
        "2025-06-02 12:00:00",
        "2025-06-02 12:30:00",
        "IP Address",
        "10.0.0.3",
        "100",
        "1",
        "R_5",
        "",
        "",
        "",
        "",
        "Ved ikke",
        "4",
        "Meget enig",
        "",
        "201",
    ],
]


def _csv_line(cells) -> str:
    return ",".join('"' + str(cell).replace('"', '""') + '"' for cell in cells)


def qualtrics_csv(rows=QUALTRICS_ROWS) -> bytes:
    header = [_csv_line(names) for names in zip(*QUALTRICS_COLUMNS, strict=True)]
    header[2] = _csv_line(f'{{"ImportId":"{import_id}"}}' for import_id in header[2].replace('"', "").split(","))
    return ("\r\n".join([*header, *map(_csv_line, rows)]) + "\r\n").encode("utf-8-sig")


def test_qualtrics_is_detected_by_its_third_header_row():
    assert detect_dialect(qualtrics_csv()) == "qualtrics"


def test_qualtrics_excludes_previews_spam_and_unfinished_without_scoring_them():
    parsed = parse(qualtrics_csv())
    responses = parsed.tables["survey_responses"]
    assert responses["_row_number"].tolist() == [4, 5, 6, 7, 8]  # three header rows
    assert responses["respondent_id"].tolist() == ["R_1", "R_2", "R_3", "R_4", "R_5"]
    assert responses["is_response"].tolist() == [True, False, False, False, True]
    assert responses["exclusion_reason"].tolist()[1:4] == [
        "Status is Survey Preview",
        "Status is Spam",
        "not finished (Finished is false)",
    ]
    assert responses["submitted_at"].iloc[0] == pd.Timestamp("2025-06-01 09:05:00")
    assert responses["ref_key"].iloc[0] == link_key("0751", "1001") and pd.isna(responses["ref_key"].iloc[4])

    assert set(parsed.tables["survey_answers"]["respondent_id"]) == {"R_1", "R_5"}
    assert answers_of(parsed)[("R_1", "Q01")] == 5 and answers_of(parsed)[("R_1", "Q02")] == 2
    assert parsed.not_loaded["_row_number"].tolist() == [5, 6, 7]
    assert parsed.not_loaded["reason"].tolist() == [
        "Status is Survey Preview",
        "Status is Spam",
        "not finished (Finished is false)",
    ]
    assert parsed.rows_read == 5 and parsed.notes["responses"] == 2


def test_qualtrics_validation_judges_only_responses():
    frame = parse(qualtrics_csv()).validation_frame
    assert frame["Q01__unparsed"].isna().tolist() == [True] * 5  # R_4's "nonsense" is not a response
    assert frame["Q03__unparsed"].tolist()[4] == "Meget enig"
    assert frame.loc[~frame["is_response"], ["Q01", "Q02", "Q03"]].isna().all().all()


def test_qualtrics_keeps_no_recipient_data():
    assert_nothing_in_clear(
        parse(qualtrics_csv()), ["Hansen", "Jens", "Ågård", "Søs", "@aarhus.dk", "10.0.0.1", "træls"]
    )


def test_qualtrics_unreadable_finished_names_the_row():
    rows = [row.copy() for row in QUALTRICS_ROWS]
    rows[1][5] = "maybe"
    with pytest.raises(Unreadable, match="^row 5: Finished should be true/false or 1/0$"):
        parse(qualtrics_csv(rows))


def _numeric_qualtrics_csv(statuses_and_finished, second_header=None, extra_front=False) -> bytes:
    """A Qualtrics export with numeric values: Status codes, Finished 1/0, answers as codes, metadata and
    text-analytics columns in odd places, a second header row in English (or what is given)."""
    columns = [
        ("IPAddress", "IP Address", "ipAddress"),
        ("Q2 - Topics", "Q2 - Topics", "Q2_Topics"),
        ("StartDate", "Start Date", "startDate"),
        ("Status", "Response Type", "status"),
        ("Finished", "Finished", "finished"),
        ("ResponseId", "Response ID", "_recordId"),
        ("LocationLatitude", "Location Latitude", "locationLatitude"),
        ("ExternalReference", "External Data Reference", "externalDataReference"),
        ("Q01", "I can find information", "QID1"),
        ("DistributionChannel", "Distribution Channel", "distributionChannel"),
        ("Q02", "I share files safely", "QID2"),
        ("Q03", "I protect my data", "QID3"),
        ("Q04", "What else?", "QID4_TEXT"),
        ("los_id", "los_id", "los_id"),
    ]
    if extra_front:
        columns.insert(0, ("Q2 - Sentiment", "Q2 - Sentiment", "Q2_Sentiment"))
    names, texts, import_ids = (list(header) for header in zip(*columns, strict=True))
    texts = second_header or texts
    rows = []
    for number, (status, finished) in enumerate(statuses_and_finished, start=1):
        row = {
            "IPAddress": "10.0.0.7",
            "Q2 - Topics": "Ledelse",
            "Q2 - Sentiment": "Negative",
            "StartDate": "2025-06-01 09:00:00",
            "Status": status,
            "Finished": finished,
            "ResponseId": f"R_{number}",
            "LocationLatitude": "56.15",
            "ExternalReference": f"{1000 + number}",
            "Q01": "4",
            "DistributionChannel": "anonymous",
            "Q02": "2",
            "Q03": "5",
            "Q04": FREE_TEXT,
            "los_id": "200",
        }
        rows.append([row[name] for name in names])
    lines = [_csv_line(names), _csv_line(texts), _csv_line(f'{{"ImportId":"{i}"}}' for i in import_ids)]
    return ("\n".join([*lines, *map(_csv_line, rows)]) + "\n").encode("utf-8")


def test_qualtrics_numeric_export_excludes_previews_tests_and_spam_by_their_codes():
    # 8 responses (codes 0, 4, 16, 32, 48 and labels), a preview, a test, spam of every kind, one unfinished
    statuses = [
        ("0", "1"),
        ("0", "1"),
        ("4", "1"),
        ("16", "1"),
        ("32", "1"),
        ("48", "1"),
        ("IP Address", "True"),
        ("0.0", "1"),
        ("1", "1"),
        ("2", "1"),
        ("8", "1"),
        ("9", "1"),
        ("12", "1"),
        ("17", "1"),
        ("40", "1"),
        ("0", "0"),
        ("survey preview", "True"),
        ("Survey Test", "1"),
    ]
    parsed = parse(_numeric_qualtrics_csv(statuses))
    responses = parsed.tables["survey_responses"]
    assert responses["is_response"].tolist() == [True] * 8 + [False] * 10
    assert responses["exclusion_reason"].tolist()[8:] == [
        "Status is 1 (Survey Preview)",
        "Status is 2 (Survey Test)",
        "Status is 8 (Spam)",
        "Status is 9 (Survey Preview Spam)",
        "Status is 12 (Imported Spam)",
        "Status is 17 (Offline Survey Preview)",
        "Status is 40 (EX Spam)",
        "not finished (Finished is false)",
        "Status is Survey Preview",
        "Status is Survey Test",
    ]
    assert parsed.notes["responses"] == 8 and len(parsed.not_loaded) == 10
    assert set(parsed.tables["survey_answers"]["respondent_id"]) == {f"R_{n}" for n in range(1, 9)}
    assert pd.isna(responses["submitted_at"]).all()  # this export has no EndDate: no submission time


def test_qualtrics_extra_columns_anywhere_and_a_second_header_in_any_language_are_ignored():
    danish = [
        "IP-adresse",
        "Q2 - Emner",
        "Startdato",
        "Svartype",
        "Afsluttet",
        "Svar-id",
        "Breddegrad",
        "Ekstern reference",
        "Jeg kan finde information",
        "Distributionskanal",
        "Jeg deler filer sikkert",
        "Jeg beskytter mine data",
        "Hvad ellers?",
        "los_id",
    ]
    english = parse(_numeric_qualtrics_csv([("0", "1")]))
    other = parse(_numeric_qualtrics_csv([("0", "1")], second_header=danish))
    shifted = parse(_numeric_qualtrics_csv([("0", "1")], extra_front=True))
    for parsed in (english, other, shifted):
        assert answers_of(parsed) == {("R_1", "Q01"): 4, ("R_1", "Q02"): 2, ("R_1", "Q03"): 5}
        assert parsed.tables["survey_responses"]["ref_key"].tolist() == [link_key("0751", "1001")]
        # free text, IP address, location and text analytics never leave the parser
        assert_nothing_in_clear(parsed, ["træls", "Jens", "10.0.0.7", "56.15", "Ledelse", "Negative"])


def test_qualtrics_a_numeric_status_that_is_no_qualtrics_code_names_the_row():
    with pytest.raises(Unreadable, match="^row 5: Status 3 is no Qualtrics response type code"):
        parse(_numeric_qualtrics_csv([("0", "1"), ("3", "1")]))


# --- forms --------------------------------------------------------------------------------------


def forms_xlsx() -> bytes:
    return xlsx_bytes(
        [
            [
                "ID",
                "Start time",
                "Completion time",
                "Email",
                "Name",
                "los_id",
                "jeg kan finde INFORMATION på intranettet ",
                "Jeg deler filer sikkert",
                "Andre kommentarer",
            ],
            [
                1,
                dt.datetime(2025, 6, 3, 10, 0),
                dt.datetime(2025, 6, 3, 10, 7, 30),
                "Jens.Hansen@aarhus.dk",
                "Jens Hansen",
                200,
                "Helt enig",
                "Hverken enig eller uenig",
                FREE_TEXT,
            ],
            [
                2,
                dt.datetime(2025, 6, 4, 8, 0),
                dt.datetime(2025, 6, 4, 8, 3),
                "anonymous",
                "anonymous",
                201,
                2,
                "Ved ikke",
                None,
            ],
        ]
    )


def test_forms_needs_no_completion_time():
    rows = [[cell for index, cell in enumerate(row) if index != 2] for row in _rows_of(forms_xlsx())]
    data = xlsx_bytes(rows)
    assert detect_dialect(data) == "forms"
    parsed = parse(data, "xlsx")
    assert parsed.tables["survey_responses"]["submitted_at"].isna().all()
    assert answers_of(parsed)[("1", "Q01")] == 5


def _rows_of(xlsx: bytes) -> list[list[object]]:
    import io

    import openpyxl

    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)]


def test_forms_is_detected_and_matches_questions_by_text():
    data = forms_xlsx()
    assert detect_dialect(data) == "forms"
    parsed = parse(data, "xlsx")
    responses = parsed.tables["survey_responses"]
    assert responses["respondent_id"].tolist() == ["1", "2"] and responses["dialect"].iloc[0] == "forms"
    assert responses["submitted_at"].tolist() == [pd.Timestamp("2025-06-03 10:07:30"), pd.Timestamp("2025-06-04 08:03")]
    assert responses["ref_key"].iloc[0] == link_key("0751", "jens.hansen@aarhus.dk")
    assert pd.isna(responses["ref_key"].iloc[1])  # Forms' "anonymous"
    assert answers_of(parsed) == {("1", "Q01"): 5, ("1", "Q02"): 3, ("2", "Q01"): 2, ("2", "Q02"): pd.NA}
    assert parsed.notes["items_missing"] == ["Q03"]


def test_forms_keeps_no_name_email_or_free_text():
    assert_nothing_in_clear(parse(forms_xlsx(), "xlsx"), ["Jens", "Hansen", "@aarhus.dk", "træls", "anonymous"])


def test_a_csv_named_xlsx_or_zip_is_refused_in_plain_words():
    assert detect_dialect(FLAT.encode("utf-8")) == "flat"
    with pytest.raises(Unreadable, match=r"^not an Excel workbook \(it looks like a CSV file renamed \.xlsx\)$"):
        parse(FLAT.encode("utf-8"), "xlsx")
    with pytest.raises(Unreadable, match="not a zip archive, though its name ends in .zip"):
        parse(FLAT.encode("utf-8"), "zip")


# --- surveyxact ---------------------------------------------------------------------------------

DATASET = [
    ["respondentid", "employee_ref", "los_id", "closetime", "q01", "Q02", "Q03", "s_99"],
    ["501", "1001", "200", "03-06-2025 10:15", "5", "6", "2", "fritekst"],
    ["502", "jens.hansen@aarhus.dk", "201", "04-06-2025 11:00", "1", "4", "9", ""],
    ["503", "", "201", "", "", "1", "", "x"],
]
LABELS = [  # no header; Q02 codes are numbers as labels, 6 = "Ved ikke"
    ["q01", "1", "Helt uenig"],
    ["q01", "2", "Uenig"],
    ["q01", "3", "Hverken enig eller uenig"],
    ["q01", "4", "Enig"],
    ["q01", "5", "Helt enig"],
    ["Q02", "1", "1"],
    ["Q02", "4", "4"],
    ["Q02", "6", "Ved ikke"],
]
STRUCTURE = [
    ["questionName", "variableName", "questionType", "subType", "questionText", "choiceValue", "choiceText", ""],
    ["Q3", "Q03", "single", "", "Jeg kan beskytte mine data", "1", "Helt uenig", ""],
    ["Q3", "Q03", "single", "", "Jeg kan beskytte mine data", "2", "Uenig", ""],
    ["Q1", "q01", "single", "", "Jeg kan finde information", "5", "Enig", ""],  # labels.csv wins for q01
]
ENCODINGS = {"semicolon-cp1252": (";", "cp1252"), "comma-cp1252": (",", "cp1252"), "tab-utf16": ("\t", "utf-16")}


def _table(rows, delimiter: str, encoding: str) -> bytes:
    return ("\r\n".join(delimiter.join(row) for row in rows) + "\r\n").encode(encoding)


def surveyxact_zip(
    encoding: str = "semicolon-cp1252", dataset=DATASET, members=("dataset.csv", "labels.csv", "structure.csv")
) -> bytes:
    delimiter, text_encoding = ENCODINGS[encoding]
    files = {"dataset.csv": dataset, "labels.csv": LABELS, "structure.csv": STRUCTURE}
    return zip_bytes({f"export/{name}": _table(files[name], delimiter, text_encoding) for name in members})


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_surveyxact_scores_through_labels_in_every_encoding(encoding):
    data = surveyxact_zip(encoding)
    assert detect_dialect(data) == "surveyxact"
    parsed = parse(data, "zip")
    responses = parsed.tables["survey_responses"]
    assert responses["respondent_id"].tolist() == ["501", "502", "503"]
    assert responses["submitted_at"].tolist()[:2] == [
        pd.Timestamp("2025-06-03 10:15"),
        pd.Timestamp("2025-06-04 11:00"),
    ]
    assert responses["ref_key"].tolist()[:2] == [link_key("0751", "1001"), link_key("0751", "jens.hansen@aarhus.dk")]
    answers = answers_of(parsed)
    assert answers[("501", "Q01")] == 5 and answers[("502", "Q01")] == 1
    assert pd.isna(answers[("501", "Q02")])  # code 6 is "Ved ikke", not 6
    assert answers[("502", "Q02")] == 4 and answers[("503", "Q02")] == 1
    assert answers[("501", "Q03")] == 2  # labelled by structure.csv
    frame = parsed.validation_frame
    assert frame["Q03__unparsed"].tolist()[1] == "9 (a code without a label in labels.csv)"
    assert frame.drop(index=1).filter(like="__unparsed").isna().all().all()


def test_surveyxact_without_a_respondent_variable_uses_the_row_number():
    dataset = [[cell for cell, keep in zip(row, [0, 1, 1, 0, 1, 1, 1, 1], strict=True) if keep] for row in DATASET]
    parsed = parse(surveyxact_zip(dataset=dataset), "zip")
    assert parsed.tables["survey_responses"]["respondent_id"].tolist() == ["2", "3", "4"]
    assert parsed.tables["survey_responses"]["submitted_at"].isna().all()


def test_surveyxact_keeps_no_reference_or_free_text():
    assert_nothing_in_clear(parse(surveyxact_zip(), "zip"), ["@aarhus.dk", "fritekst"])


def test_surveyxact_without_labels_is_unreadable():
    with pytest.raises(Unreadable, match="^the SurveyXact archive has no labels.csv$"):
        parse(surveyxact_zip(members=("dataset.csv", "structure.csv")), "zip")


def test_surveyxact_structure_is_optional():
    parsed = parse(surveyxact_zip(members=("dataset.csv", "labels.csv")), "zip")
    assert parsed.validation_frame["Q03__unparsed"].tolist()[0] == "2 (a code without a label in labels.csv)"


def test_an_unsafe_archive_is_unreadable():
    with pytest.raises(Unreadable, match="unsafe name"):
        parse(zip_bytes({"../dataset.csv": b"a;b\n"}), "zip")


# --- items without a column, answer columns without an item (counted, never dropped silently) ------


def coverage_of(parsed) -> list[tuple[object, object, str]]:
    coverage = parsed.tables["survey_item_coverage"]
    assert coverage["_row_number"].eq(1).all()  # the header row: where a column is or is not
    assert coverage["kommunekode"].eq("0751").all() and coverage["wave"].eq("2025H1").all()
    return [
        (
            None if pd.isna(row.item_id) else row.item_id,
            None if pd.isna(row.column_heading) else row.column_heading,
            row.status,
        )
        for row in coverage.itertuples()
    ]


def test_flat_counts_an_answer_column_the_catalogue_lacks_but_not_free_text_or_background_variables():
    data = (
        "respondent_id;los_id;Q01;Q02;Q03;Q05;Kommentar;køn;anciennitet\n"
        f'r1;200;5;2;4;Enig;"{FREE_TEXT}";Mand;Over 10 år\n'
        "r2;200;3;1;2;Ved ikke;;Kvinde;2-5 år\n"
        "r3;201;4;4;4;;;;\n"
    ).encode()
    parsed = parse(data)
    assert coverage_of(parsed) == [(None, "Q05", "column_without_item")]
    assert parsed.notes["answer_columns_without_item"] == 1
    assert set(parsed.tables["survey_answers"]["item_id"]) == {"Q01", "Q02", "Q03"}  # Q05 has no item: not loaded


def test_flat_counts_a_catalogue_item_without_a_column():
    parsed = parse(FLAT.encode("utf-8"))  # Q01, q02 and a free-text Kommentar; the catalogue also has Q03
    assert coverage_of(parsed) == [("Q03", None, "item_without_column")]


def test_forms_with_a_reworded_question_counts_both_sides_and_shows_no_question_text():
    rows = _rows_of(forms_xlsx())
    rows[0][7] = "Jeg deler filer sikkert via OneDrive"  # the catalogue says "Jeg  deler filer sikkert"
    parsed = parse(xlsx_bytes(rows), "xlsx")
    assert coverage_of(parsed) == [
        ("Q02", None, "item_without_column"),
        ("Q03", None, "item_without_column"),
        (None, "a question of 36 characters", "column_without_item"),
    ]
    assert_nothing_in_clear(parsed, ["OneDrive", "træls"])


def test_forms_qualtrics_and_surveyxact_as_delivered_count_no_extra_column():
    assert coverage_of(parse(forms_xlsx(), "xlsx")) == [("Q03", None, "item_without_column")]
    # Qualtrics' own columns (Progress 100, Finished 1, coordinates) and text analytics are no answers
    assert coverage_of(parse(_numeric_qualtrics_csv([("0", "1"), ("1", "1")], extra_front=True))) == []
    assert coverage_of(parse(qualtrics_csv(QUALTRICS_ROWS))) == []
    assert coverage_of(parse(surveyxact_zip(), "zip")) == []  # s_99: free text


def test_surveyxact_counts_a_labelled_answer_variable_without_item_but_not_a_background_variable():
    dataset = [
        [*row, extra, gender]
        for row, extra, gender in zip(DATASET, ["q05", "4", "1", ""], ["kon", "1", "2", "1"], strict=True)
    ]
    labels = [*LABELS, ["q05", "1", "Uenig"], ["q05", "4", "Enig"], ["kon", "1", "Mand"], ["kon", "2", "Kvinde"]]
    delimiter, encoding = ENCODINGS["semicolon-cp1252"]
    files = {"dataset.csv": dataset, "labels.csv": labels}
    parsed = parse(zip_bytes({name: _table(rows, delimiter, encoding) for name, rows in files.items()}), "zip")
    assert coverage_of(parsed) == [(None, "q05", "column_without_item")]
