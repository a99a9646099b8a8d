"""Writes the conformance corpus (tests/conformance/landing/) from the hand-decided content below.

The files are checked in; this script only exists because some forms cannot be typed by hand
(Windows-1252, UTF-16, CRLF, XLSX, zip). Every value here is chosen by hand from the contract, never
taken from `digilead generate`; README.md beside it works the expected marts out with a pencil.
Run it after changing the content: `.venv/bin/python tests/conformance/make_files.py`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl

LANDING = Path(__file__).with_name("landing")


def text(lines: list[str], *, encoding: str, newline: str) -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


# --- HR org units: one tree, byte-identical for two municipalities and two months ---------------
ORG = text(
    [
        "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til",
        "100;;Kommunen;Kommune;Administration;01-01-2020;",
        "110;100;Ældreområdet;Område;Ældre;01-01-2020;",
        "120;100;Skoleområdet;Område;Skole;01.01.2020;",
    ],
    encoding="cp1252",
    newline="\r\n",
)

# --- HR employees --------------------------------------------------------------------------------
# 0751: UTF-8 with BOM, comma, LF, columns in another order, header case and spacing varied.
HR_0751 = text(
    [
        "Medarbejdernr, Navn ,EMAIL,CPR,Los_ID,stillingsbetegnelse,personalekategori,Beskaeftigelsesgrad,ansat_fra,ansat_til",
        '1001,Anna Ærø,Anna.Aero@aarhus.dk,010180-1111,110,SOSU-assistent,Omsorg,"1,0",01-02-2019,',
        '1002,Bo Øster,bo@aarhus.dk,0202811112,110,Sygeplejerske,Sundhed,"0,5",2020-03-01,',
        "1003,Carl Å,carl@aarhus.dk,030382-1113,120,Lærer,Undervisning,1,01.08.2018,",
        '1004,Dorte Ø,dorte@aarhus.dk,040483-1114,120,Pædagog,Undervisning,"0,8",01.08.2025,',
        "1005,Erik Ærtebjerg,erik@aarhus.dk,050584-1115,120,Lærer,Undervisning,1,2019-08-01,",
    ],
    encoding="utf-8-sig",
    newline="\n",
)
# 0461: Windows-1252, semicolon, CRLF, Danish decimals and dates.
HR_0461 = text(
    [
        "cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til",
        "050584-2221;2001;Eva Ærenlund;eva@odense.dk;110;Hjemmehjælper;Omsorg;1;01-01-2015;",
        "060685-2222;2002;Finn Søgaard;finn@odense.dk;120;Lærer;Undervisning;0,5;01.01.2016;",
        "0707862223;2003;Gitte Ås;gitte@odense.dk;120;Lærer;Undervisning;1;2017-01-01;31-12-2026",
        "080887-2224;2004;Hans Østergård;hans@odense.dk;110;Hjemmehjælper;Omsorg;1,0;01-01-2018;",
    ],
    encoding="cp1252",
    newline="\r\n",
)

# --- survey item catalogue: one questionnaire, byte-identical for both municipalities and waves --
ITEMS = text(
    [
        "item_id,question_text,competence_code,reverse_scored",
        "Q01,Jeg kan finde information på intranettet,1.1,0",
        "Q02,Jeg har svært ved at dele filer sikkert,2.1,1",
        "Q03,Jeg kan beskytte mine data,4.2,0",
    ],
    encoding="utf-8",
    newline="\n",
)

# --- survey responses ----------------------------------------------------------------------------
# 0751 2025H1, flat: Windows-1252, semicolon, CRLF, Danish timestamps, labels in mixed case.
# r2 answers with the e-mail of employee 1001, who answered as r1 with the employee number: one person.
FLAT_0751_H1 = text(
    [
        "respondent_id;employee_ref;los_id;submitted_at;Q01;Q02;Q03;Kommentar",
        "r1;1001;110;03-06-2025 10:15;HELT ENIG;uenig;4;Godt kursus",
        "r2; ANNA.AERO@aarhus.dk ;110;04.06.2025 09:00;2;Helt uenig;Ved ikke;",
        "r3;1003;120;2025-06-05;Enig;hverken enig ELLER uenig;5;",
        "r4;;110;2025-06-05;1; Uenig ;-;Min chef er træls",
        "r5;1005;120;2025-06-06;4;4;4;",
    ],
    encoding="cp1252",
    newline="\r\n",
)

# 0751 2025H2, SurveyXact without any time variable: dataset tab + UTF-16, labels semicolon +
# Windows-1252, structure comma + Windows-1252. Employee 1001 answered twice: the later row wins.
SX_DATASET = text(
    [
        "respondent\temployee_ref\tlos_id\tq01\tq02\tq03",
        "1\t1001\t110\t4\t2\t6",
        "2\t1003\t120\t5\t1\t6",
        "3\t1001\t110\t5\t1\t4",
        "4\t1004\t120\t3\t3\t6",
        "5\t1002\t110\t2\t4\t2",
    ],
    encoding="utf-16",
    newline="\r\n",
)
SX_CHOICES = [
    ("1", "Helt uenig"),
    ("2", "Uenig"),
    ("3", "Hverken enig eller uenig"),
    ("4", "Enig"),
    ("5", "Helt enig"),
    ("6", "Ved ikke"),
]
SX_LABELS = text(
    [f"{variable};{code};{label}" for variable in ("q01", "q02") for code, label in SX_CHOICES],
    encoding="cp1252",
    newline="\r\n",
)
SX_STRUCTURE = text(
    ["questionName,variableName,questionType,subType,questionText,choiceValue,choiceText,"]
    + [f"S3,q03,single,,Jeg kan beskytte mine data,{code},{label}," for code, label in SX_CHOICES],
    encoding="cp1252",
    newline="\r\n",
)


def surveyxact_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("dataset.csv", SX_DATASET), ("labels.csv", SX_LABELS), ("structure.csv", SX_STRUCTURE)):
            info = zipfile.ZipInfo(name, date_time=(2025, 12, 31, 12, 0, 0))  # fixed: the bytes never change
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# 0461 2025H1, Qualtrics with numeric values: Status codes, Finished 1/0, a Danish second header row,
# metadata and text-analytics columns in odd places, a free-text question.
QUALTRICS_COLUMNS = [
    ("IPAddress", "IP-adresse", "ipAddress"),
    ("Q2 - Topics", "Q2 - Emner", "Q2_Topics"),
    ("StartDate", "Startdato", "startDate"),
    ("EndDate", "Slutdato", "endDate"),
    ("Status", "Svartype", "status"),
    ("Progress", "Fremskridt", "progress"),
    ("Finished", "Afsluttet", "finished"),
    ("ResponseId", "Svar-id", "_recordId"),
    ("RecipientEmail", "Modtagers e-mail", "recipientEmail"),
    ("ExternalReference", "Ekstern reference", "externalDataReference"),
    ("LocationLatitude", "Breddegrad", "locationLatitude"),
    ("Q01", "Jeg kan finde information på intranettet", "QID1"),
    ("Q02", "Jeg har svært ved at dele filer sikkert", "QID2"),
    ("Q03", "Jeg kan beskytte mine data", "QID3"),
    ("Q04_TEXT", "Andet?", "QID4_TEXT"),
    ("DistributionChannel", "Distributionskanal", "distributionChannel"),
    ("los_id", "los_id", "los_id"),
]
# Status, Finished, ResponseId, ExternalReference, los_id, Q01, Q02, Q03
QUALTRICS_ROWS = [
    ("0", "1", "R_1", "2001", "110", "4", "2", "4"),
    ("0", "1", "R_8", "2004", "110", "2", "4", "2"),
    ("1", "1", "R_2", "", "110", "1", "1", "1"),  # a preview
    ("2", "1", "R_3", "", "120", "1", "1", "1"),  # a test
    ("8", "1", "R_4", "", "120", "1", "1", "1"),  # spam
    ("0", "1", "R_5", "2002", "120", "3", "3", "3"),
    ("0", "0", "R_6", "2003", "120", "1", "1", "1"),  # unfinished
    ("0", "1", "R_7", "", "120", "5", "1", "5"),  # anonymous
]


def qualtrics_csv() -> bytes:
    def line(cells) -> str:
        return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)

    names, texts, import_ids = (list(header) for header in zip(*QUALTRICS_COLUMNS, strict=True))
    rows = []
    for number, (status, finished, response_id, reference, los_id, q01, q02, q03) in enumerate(QUALTRICS_ROWS):
        cells = {
            "IPAddress": f"10.0.0.{number + 1}",
            "Q2 - Topics": "Ledelse",
            "StartDate": f"2025-06-{number + 1:02d} 09:00:00",
            "EndDate": f"2025-06-{number + 1:02d} 09:10:00",
            "Status": status,
            "Progress": "100" if finished == "1" else "40",
            "Finished": finished,
            "ResponseId": response_id,
            "RecipientEmail": "eva@odense.dk" if reference == "2001" else "",
            "ExternalReference": reference,
            "LocationLatitude": "55.40",
            "Q01": q01,
            "Q02": q02,
            "Q03": q03,
            "Q04_TEXT": "Mere tid, tak" if number == 0 else "",
            "DistributionChannel": "email",
            "los_id": los_id,
        }
        rows.append(line(cells[name] for name in names))
    headers = [line(names), line(texts), line(f'{{"ImportId":"{import_id}"}}' for import_id in import_ids)]
    return ("\r\n".join(headers + rows) + "\r\n").encode("utf-8-sig")


# 0461 2025H2, Microsoft Forms: questions matched by their text (case and spacing differ).
def forms_xlsx() -> bytes:
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "los_id",
            "jeg kan finde INFORMATION på intranettet",
            "Jeg har  svært ved at dele filer sikkert",
            "Jeg kan beskytte mine data ",
            "Andre kommentarer",
        ]
    )
    sheet.append(
        [
            1,
            dt.datetime(2025, 11, 3, 9, 0),
            dt.datetime(2025, 11, 3, 9, 5),
            "Eva@Odense.dk",
            "Eva Ærenlund",
            110,
            "Enig",
            "Uenig",
            "Helt enig",
            "Fint",
        ]
    )
    sheet.append(
        [
            2,
            dt.datetime(2025, 11, 4, 9, 0),
            dt.datetime(2025, 11, 4, 9, 5),
            "anonymous",
            "anonymous",
            110,
            2,
            "HELT ENIG",
            2,
            None,
        ]
    )
    return _workbook_bytes(workbook)


def _workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    """The workbook as XLSX bytes that do not change between runs of this script (fixed dates)."""
    import datetime as dt

    workbook.properties.created = workbook.properties.modified = dt.datetime(2025, 1, 1)
    saved = io.BytesIO()
    workbook.save(saved)
    fixed = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":  # openpyxl stamps the save time as "modified"
                content = re.sub(
                    rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2025-01-01T00:00:00Z<", content
                )
            info = zipfile.ZipInfo(member.filename, date_time=(2025, 1, 1, 0, 0, 0))
            target.writestr(info, content, zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


# --- training -------------------------------------------------------------------------------------
# One course catalogue, byte-identical for both municipalities.
COURSES = text(
    [
        "course_id;course_name;competence_code;nominal_hours",
        "C1;Sikker fildeling;2.1;1,5",
        "C2;Informationssøgning;1.1;2",
    ],
    encoding="utf-8-sig",
    newline="\r\n",
)
# 0751: an LMS completion report with employee numbers only (no user_email), Windows-1252, semicolon.
TRAINING_0751 = text(
    [
        "medarbejdernr;course_id;status;completed_at;hours",
        "1001;C1;completed;15-09-2025;2,0",
        "1002;C1;completed;16.09.2025;",
        "1003;C2;completed;20.09.2025;3",
        "1005;C2;completed;2025-09-21;",
        "1003;C1;in_progress;;",
        "1004;C1;not_started;;",
    ],
    encoding="cp1252",
    newline="\r\n",
)


def xapi(statement_id: str, email: str, verb: str, course: str, timestamp: str, duration: str | None) -> str:
    statement = {
        "id": statement_id,
        "actor": {"mbox": f"mailto:{email}", "name": "x"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": f"https://lms.odense.dk/courses/{course}"},
        "timestamp": timestamp,
    }
    if duration:
        statement["result"] = {"duration": duration}
    return json.dumps(statement, ensure_ascii=False)


# 0461: xAPI statements. Eva completes C1 twice in October (counts once); Finn attempts C1 (kept, not
# counted) and completes C2; Hans completes C2; Gitte's completion at 23:30 UTC on 31 October is
# 1 November in Copenhagen.
TRAINING_0461 = text(
    [
        xapi("s-1", "eva@odense.dk", "completed", "C1", "2025-10-05T10:00:00Z", "PT1H30M"),
        xapi("s-2", "finn@odense.dk", "attempted", "C1", "2025-10-06T10:00:00Z", None),
        xapi("s-3", "FINN@Odense.dk", "completed", "C2", "2025-10-07T10:00:00Z", None),
        xapi("s-4", "eva@odense.dk", "completed", "C1", "2025-10-20T10:00:00Z", "PT1H30M"),
        xapi("s-6", "hans@odense.dk", "completed", "C2", "2025-10-08T10:00:00Z", "PT1H"),
        xapi("s-5", "gitte@odense.dk", "completed", "C2", "2025-10-31T23:30:00Z", "PT45M"),
    ],
    encoding="utf-8",
    newline="\n",
)

# --- benefit register: one initiative, a flow and a level; XLSX for 0751, a CSV triplet for 0461 ----
INITIATIVER = [
    ["initiative_id", "navn", "sektor", "los_id", "start_dato", "slut_dato", "status", "investering_dkk"],
    ["I1", "Digital vagtplan", "Ældre", "110", "15-01-2025", "31-12-2025", "igang", "50000"],
]
GEVINSTER = [
    ["benefit_id", "initiative_id", "gevinsttype", "beskrivelse", "baseline", "maal", "maal_dato", "budgetvirkning"],
    ["B1", "I1", "oekonomi_dkk", "Færre vikartimer", "0", "1200", "30-04-2025", "ja"],
    ["B2", "I1", "kvalitet_indeks", "Tilfredshed", "50", "60", "28-02-2025", "nej"],
]
MAALINGER = [
    ["benefit_id", "periode", "vaerdi", "maalt_dato"],
    ["B1", "2025-01", "100", "05-02-2025"],
    ["B1", "2025-02", "200", "05-03-2025"],
    ["B1", "2025-02", "300", "20-03-2025"],  # a correction: the newer maalt_dato wins
    ["B1", "2025-03", "400", "05-04-2025"],
    ["B2", "2025-01", "55", "05-02-2025"],
    ["B2", "2025-03", "61", "05-04-2025"],
]


def benefits_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in (("initiativer", INITIATIVER), ("gevinster", GEVINSTER), ("maalinger", MAALINGER)):
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return _workbook_bytes(workbook)


def benefits_csv(rows: list[list[str]]) -> bytes:
    return text([";".join(row) for row in rows], encoding="cp1252", newline="\r\n")


FILES: dict[str, bytes] = {
    "hr_org_units_0751_2025-06.csv": ORG,
    "hr_org_units_0751_2025-12.csv": ORG,
    "hr_org_units_0461_2025-06.csv": ORG,
    "hr_employees_0751_2025-06.csv": HR_0751,
    "HR_EMPLOYEES_0461_2025-06.CSV": HR_0461,
    "survey_items_0751_2025H1.csv": ITEMS,
    "survey_items_0751_2025H2.csv": ITEMS,
    "survey_items_0461_2025H1.csv": ITEMS,
    "survey_items_0461_2025H2.csv": ITEMS,
    "survey_responses_0751_2025H1.csv": FLAT_0751_H1,
    "survey_responses_0751_2025H2.zip": surveyxact_zip(),
    "survey_responses_0461_2025H1.csv": qualtrics_csv(),
    "survey_responses_0461_2025H2.xlsx": forms_xlsx(),
    "courses_0751.csv": COURSES,
    "courses_0461.csv": COURSES,
    "training_0751_2025-09.csv": TRAINING_0751,
    "training_0461_2025-10.jsonl": TRAINING_0461,
    "benefits_0751_2025-06-30.xlsx": benefits_xlsx(),
    "benefits_0461_2025-06-30_initiativer.csv": benefits_csv(INITIATIVER),
    "benefits_0461_2025-06-30_gevinster.csv": benefits_csv(GEVINSTER),
    "benefits_0461_2025-06-30_maalinger.csv": benefits_csv(MAALINGER),
}


def main() -> None:
    LANDING.mkdir(exist_ok=True)
    for old in LANDING.iterdir():
        old.unlink()
    for name, data in FILES.items():
        (LANDING / name).write_bytes(data)
    print(f"wrote {len(FILES)} files to {LANDING}")


if __name__ == "__main__":
    main()
