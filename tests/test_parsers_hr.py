"""HR employees and org units: typed raw tables, validation frames, and no clear identifiers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from parser_support import CHEAP_KEYS, assert_nothing_in_clear, context, file_name, link_key, person_key

from pipelines.sources import hr_employees, hr_org_units
from pipelines.sources.base import Unreadable
from pipelines.sources.readers import DATE, FLAG, NUMBER, STRING

EMPLOYEES_HEADER = (
    "cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;beskaeftigelsesgrad;ansat_fra;ansat_til"
)
EMPLOYEES = (
    EMPLOYEES_HEADER
    + """
010190-1234;1001;Jens Ærø Hansen;Jens.Hansen@Aarhus.dk;200;Social- og sundhedshjælper;SOSU;0,8;01-02-2015;
3102851234;1002;Søs Ågård;soes@aarhus.dk;201;Pædagog;PÆD;1;31.12.2019;30-06-2025
320190-1234;1003;Bo Bøgh;bo@aarhus.dk;201;Lærer;LÆR;0.75;2020-08-01;
010190-12;;Ib Ørn;ib@aarhus.dk;200;Leder;ADM;fuld tid;1. maj 2020;31-02-2025
"""
)


def parse_employees(text: str = EMPLOYEES, encoding: str = "cp1252"):
    return hr_employees.parse(text.encode(encoding), file_name("hr_employees", "2025-06"), context())


def test_employees_table_has_exactly_the_raw_columns_and_types():
    table = parse_employees().tables["hr_employees"]
    assert list(table.columns) == [
        "_row_number",
        "kommunekode",
        "snapshot_month",
        "person_key",
        "empno_key",
        "email_key",
        "los_id",
        "stillingsbetegnelse",
        "personalekategori",
        "beskaeftigelsesgrad",
        "ansat_fra",
        "ansat_til",
    ]
    assert table.dtypes.to_dict() == {
        "_row_number": "int64",
        "kommunekode": STRING,
        "snapshot_month": DATE,
        "person_key": STRING,
        "empno_key": STRING,
        "email_key": STRING,
        "los_id": STRING,
        "stillingsbetegnelse": STRING,
        "personalekategori": STRING,
        "beskaeftigelsesgrad": NUMBER,
        "ansat_fra": DATE,
        "ansat_til": DATE,
    }
    assert table["_row_number"].tolist() == [2, 3, 4, 5]
    assert set(table["kommunekode"]) == {"0751"} and set(table["snapshot_month"]) == {dt.date(2025, 6, 1)}


def test_employees_are_pseudonymised_with_the_context_keys():
    table = parse_employees().tables["hr_employees"]
    assert table["person_key"].iloc[0] == person_key("0751", "1001")
    assert table["empno_key"].iloc[0] == link_key("0751", "1001")
    assert table["email_key"].iloc[0] == link_key("0751", "jens.hansen@aarhus.dk")  # case does not matter
    assert pd.isna(table["person_key"].iloc[3]) and pd.isna(table["empno_key"].iloc[3])  # no employee number


def test_employees_values_are_converted_and_failures_kept_for_validation():
    frame = parse_employees().validation_frame
    assert frame["beskaeftigelsesgrad"].tolist()[:3] == [0.8, 1.0, 0.75]
    assert frame["ansat_fra"].tolist()[:3] == [dt.date(2015, 2, 1), dt.date(2019, 12, 31), dt.date(2020, 8, 1)]
    assert pd.isna(frame["ansat_til"].iloc[0]) and frame["ansat_til"].iloc[1] == dt.date(2025, 6, 30)
    assert frame["beskaeftigelsesgrad__unparsed"].tolist()[3] == "fuld tid"
    assert frame["ansat_fra__unparsed"].tolist()[3] == "1. maj 2020"
    assert frame["ansat_til__unparsed"].tolist()[3] == "31-02-2025"
    assert (
        frame.loc[:2, ["beskaeftigelsesgrad__unparsed", "ansat_fra__unparsed", "ansat_til__unparsed"]]
        .isna()
        .all()
        .all()
    )


def test_employees_validation_frame_columns():
    frame = parse_employees().validation_frame
    assert list(frame.columns) == [
        "_row_number",
        "kommunekode",
        "snapshot_month",
        "person_key",
        "empno_key",
        "email_key",
        "los_id",
        "stillingsbetegnelse",
        "personalekategori",
        "beskaeftigelsesgrad",
        "beskaeftigelsesgrad__unparsed",
        "ansat_fra",
        "ansat_fra__unparsed",
        "ansat_til",
        "ansat_til__unparsed",
        "cpr_wellformed",
        "ansat_fra_plausible",
    ]
    assert frame["cpr_wellformed"].dtype == FLAG


@pytest.mark.parametrize(
    ("cpr", "wellformed"),
    [
        ("010190-1234", True),
        ("0101901234", True),
        ("290200-1234", True),
        ("310185-1234", True),
        ("610190-1234", True),  # replacement number: day + 60
        ("310485-1234", False),
        ("320190-1234", False),
        ("011390-1234", False),
        ("000190-1234", False),
        ("010190-12", False),
        ("01019O-1234", False),
        ("", False),
    ],
)
def test_cpr_wellformed(cpr, wellformed):
    assert hr_employees.cpr_wellformed(pd.Series([cpr])).tolist() == [wellformed]


def test_employees_never_keep_cpr_name_or_email():
    parsed = parse_employees()
    assert_nothing_in_clear(parsed, ["010190-1234", "3102851234", "Jens", "Ærø", "Søs", "Bøgh", "Ib Ørn", "@aarhus.dk"])
    for frame in [*parsed.tables.values(), parsed.validation_frame]:
        assert not {"cpr", "navn", "email", "medarbejdernr"} & set(frame.columns)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_employees_read_alike_in_every_encoding_delimiter_and_line_end(encoding, delimiter, line_end):
    text = EMPLOYEES.replace(",", ".").replace(";", delimiter).replace("\n", line_end)  # no decimal commas with ','
    table = parse_employees(text, encoding).tables["hr_employees"]
    assert table["stillingsbetegnelse"].tolist()[:2] == ["Social- og sundhedshjælper", "Pædagog"]
    assert table["beskaeftigelsesgrad"].tolist()[:3] == [0.8, 1.0, 0.75]


def test_employees_with_quoted_decimal_commas_in_a_comma_file():
    text = EMPLOYEES_HEADER.replace(";", ",") + '\n010190-1234,1,J,j@x.dk,200,"Leder, skole",ADM,"0,8",01-02-2015,\n'
    table = parse_employees(text).tables["hr_employees"]
    assert table["stillingsbetegnelse"].iloc[0] == "Leder, skole" and table["beskaeftigelsesgrad"].iloc[0] == 0.8


def test_employees_missing_columns_are_named():
    with pytest.raises(Unreadable, match="lacks the required column.* beskaeftigelsesgrad, ansat_til$"):
        parse_employees("cpr;medarbejdernr;navn;email;los_id;stillingsbetegnelse;personalekategori;ansat_fra\n")


def test_employees_header_only_gives_empty_tables():
    parsed = parse_employees(EMPLOYEES_HEADER + "\n")
    assert parsed.rows_read == 0 and len(parsed.tables["hr_employees"]) == 0


def test_a_100k_row_employee_file_parses_whole():
    rows = [EMPLOYEES_HEADER] + [
        f"0101{i % 90 + 10:02d}-{i % 10000:04d};{i};Navn Navnesen;n{i}@aarhus.dk;{1000 + i % 300};Pædagog;PÆD;0,{i % 10};01-0{1 + i % 9}-2015;"
        for i in range(100_000)
    ]
    data = ("\r\n".join(rows) + "\r\n").encode("cp1252")
    parsed = hr_employees.parse(data, file_name("hr_employees", "2025-06"), CHEAP_KEYS)
    # its speed is measured by `make bench` (stage timings), not asserted here
    assert parsed.rows_read == 100_000 and parsed.validation_frame["ansat_fra__unparsed"].isna().all()


# --- org units ----------------------------------------------------------------------------------

ORG_HEADER = "los_id;parent_los_id;enhedsnavn;enhedstype;sektor;gyldig_fra;gyldig_til"
ORG_UNITS = (
    ORG_HEADER
    + """
1;;Aarhus Kommune;Kommune;Administration;01-01-2007;
10;1;Sundhed og Omsorg;Magistrat;Ældre;01.01.2007;31.12.9999
100;10;Plejehjem Øst;Enhed;Ældre;2015-03-01;
"""
)


def parse_org_units(text: str):
    return hr_org_units.parse(text.encode("cp1252"), file_name("hr_org_units", "2025-06"), context())


def test_org_units_table_and_types():
    parsed = parse_org_units(ORG_UNITS)
    table = parsed.tables["hr_org_units"]
    assert list(table.columns) == [
        "_row_number",
        "kommunekode",
        "snapshot_month",
        "los_id",
        "parent_los_id",
        "enhedsnavn",
        "enhedstype",
        "sektor",
        "gyldig_fra",
        "gyldig_til",
    ]
    assert table.dtypes[["gyldig_fra", "gyldig_til", "snapshot_month"]].tolist() == [DATE] * 3
    assert table["sektor"].tolist() == ["Administration", "Ældre", "Ældre"]
    assert pd.isna(table["parent_los_id"].iloc[0]) and table["gyldig_til"].iloc[1] == dt.date(9999, 12, 31)
    assert list(parsed.validation_frame.columns)[-6:] == [
        "gyldig_fra",
        "gyldig_fra__unparsed",
        "gyldig_til",
        "gyldig_til__unparsed",
        "parent_in_file",
        "ancestry_ok",
    ]
    assert parsed.validation_frame["ancestry_ok"].all()


def test_org_units_flag_orphans_and_cycles_by_row():
    frame = parse_org_units(
        ORG_UNITS
        + """200;999;Forældreløs;Enhed;Skole;01-01-2020;
201;200;Under forældreløs;Enhed;Skole;01-01-2020;
300;301;Ring A;Enhed;Skole;01-01-2020;
301;300;Ring B;Enhed;Skole;01-01-2020;
302;302;Sin egen forælder;Enhed;Skole;01-01-2020;
"""
    ).validation_frame.set_index("los_id")
    assert frame["ancestry_ok"].to_dict() == {
        "1": True,
        "10": True,
        "100": True,
        "200": False,
        "201": False,
        "300": False,
        "301": False,
        "302": False,
    }
    assert frame["parent_in_file"].to_dict() == {
        "1": True,
        "10": True,
        "100": True,
        "200": False,
        "201": True,
        "300": True,
        "301": True,
        "302": True,
    }
    assert frame.loc["200", "_row_number"] == 5


def test_org_units_bad_dates_are_kept_for_validation():
    frame = parse_org_units(ORG_HEADER + "\n1;;K;Kommune;Administration;2007-13-01;\n").validation_frame
    assert frame["gyldig_fra__unparsed"].tolist() == ["2007-13-01"]


def test_a_person_with_two_posts_is_two_rows_of_one_extract_and_passes_validation():
    """The contract's headcount counts distinct employees and sums FTE over their posts: an employee
    number listed twice (posts in two units, 0,5 each) is not a broken extract (the models count the
    person once and place them in both units)."""
    from pipelines.validation import load_suite_spec, validate_batches

    two_posts = (
        EMPLOYEES_HEADER
        + "\n010190-1234;1001;Jens Hansen;jens@aarhus.dk;200;Pædagog;PÆD;0,5;01-02-2015;"
        + "\n010190-1234;1001;Jens Hansen;jens@aarhus.dk;201;Pædagog;PÆD;0,5;01-08-2020;\n"
    )
    parsed = parse_employees(two_posts)
    outcome = validate_batches(load_suite_spec("hr_employees"), [parsed.validation_frame])
    assert outcome.success, [check.sentence() for check in outcome.failed]
    table = parsed.tables["hr_employees"]
    assert table["person_key"].nunique() == 1 and sorted(table["los_id"]) == ["200", "201"]
