"""HR employees, the monthly payroll extract (docs/files.md) -> `raw.hr_employees`.

tables["hr_employees"]: _row_number, kommunekode, snapshot_month (DATE, 1st of the file's month),
person_key, empno_key, email_key, los_id, stillingsbetegnelse, personalekategori,
beskaeftigelsesgrad (NUMBER), ansat_fra, ansat_til (DATE; ansat_til <NA> = still employed).

validation_frame: the same columns, each converted one followed by `<col>__unparsed`, plus
`cpr_wellformed`. The CPR number, name, e-mail and employee number are never kept in clear:
the employee number only as person_key / empno_key (both <NA> when it is empty, which the
suite catches), the e-mail only as email_key. `navn` is not read at all, so it is not required.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from pipelines.sources.base import FileName, ParseContext, ParsedFile
from pipelines.sources.readers import (
    DATE,
    FLAG,
    ROW_NUMBER,
    clean_text,
    constant,
    csv_frame,
    extract_groups,
    frame_with_unparsed,
    keyed,
    month_start,
    parse_dates,
    parse_numbers,
    require_columns,
)

TABLE = "hr_employees"
TEXT_COLUMNS = ("los_id", "stillingsbetegnelse", "personalekategori")
REQUIRED = ("cpr", "medarbejdernr", "email", *TEXT_COLUMNS, "beskaeftigelsesgrad", "ansat_fra", "ansat_til")
TABLE_COLUMNS = (
    ROW_NUMBER,
    "kommunekode",
    "snapshot_month",
    "person_key",
    "empno_key",
    "email_key",
    *TEXT_COLUMNS,
    "beskaeftigelsesgrad",
    "ansat_fra",
    "ansat_til",
)


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    rows = require_columns(csv_frame(data), REQUIRED)
    kommunekode = file.kommunekode
    checked = frame_with_unparsed(
        {
            ROW_NUMBER: rows[ROW_NUMBER],
            "kommunekode": constant(kommunekode, rows),
            "snapshot_month": constant(month_start(file.period), rows, DATE),
            "person_key": keyed(rows["medarbejdernr"], partial(context.person_keys, kommunekode)),
            "empno_key": keyed(rows["medarbejdernr"], partial(context.link_keys, kommunekode)),
            "email_key": keyed(rows["email"], partial(context.link_keys, kommunekode)),
            **{column: rows[column] for column in TEXT_COLUMNS},
            "beskaeftigelsesgrad": parse_numbers(rows["beskaeftigelsesgrad"]),
            "ansat_fra": parse_dates(rows["ansat_fra"]),
            "ansat_til": parse_dates(rows["ansat_til"]),
            "cpr_wellformed": cpr_wellformed(rows["cpr"]),
        }
    )
    checked["ansat_fra_plausible"] = ansat_fra_plausible(checked["ansat_fra"], file.period)
    return ParsedFile(tables={TABLE: checked[list(TABLE_COLUMNS)]}, validation_frame=checked, rows_read=len(rows))


FUTURE_HIRES_DAYS = 366  # starters registered ahead of their first day: up to a year after the extract's month


def ansat_fra_plausible(ansat_fra: pd.Series, period: str) -> pd.Series:
    """FLAG: `ansat_fra` at most a year after the extract's month end (a later date is a typo, not a hire)."""
    month_end = pd.Timestamp(month_start(period)) + pd.DateOffset(months=1, days=-1)
    limit = (month_end + pd.Timedelta(days=FUTURE_HIRES_DAYS)).date()
    return (ansat_fra.isna() | (ansat_fra <= limit)).fillna(True).astype(FLAG)


_CPR = r"^(?P<day>\d{2})(?P<month>\d{2})\d{2}-?\d{4}$"  # DDMMYY-SSSS or DDMMYYSSSS
_DAYS_IN_MONTH = pd.Series([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], index=range(1, 13))


def cpr_wellformed(cpr: pd.Series) -> pd.Series:
    """FLAG: the CPR number has the right shape and a real day of month.

    The century is not in the number, so 29 February is always allowed; replacement numbers
    (erstatningspersonnumre: day + 60) count as well formed.
    """
    parts = extract_groups(clean_text(cpr), _CPR).astype("Int64")
    day = parts["day"].mask(parts["day"] > 60, parts["day"] - 60)
    month = parts["month"]
    longest = month.map(_DAYS_IN_MONTH).astype("Int64")
    return ((day >= 1) & (month >= 1) & (month <= 12) & (day <= longest)).fillna(False).astype(FLAG)
