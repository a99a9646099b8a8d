"""Benefit register (gevinstrealisering, docs/files.md) -> `raw.benefit_initiativer`,
`raw.benefit_gevinster`, `raw.benefit_maalinger` and `raw.benefit_register_parts`.

A register is a full snapshot dated by its file name. It arrives either as one XLSX workbook with
the sheets `initiativer`, `gevinster` and `maalinger` (a missing sheet makes the file unreadable),
or as three CSV files `benefits_<k>_<date>_<part>.csv`, one per part. Each file goes through the
lifecycle on its own; a part is checked against the part it refers to:

    gevinster.initiative_id -> initiativer   (and maal_dato not before the initiative's start_dato)
    maalinger.benefit_id    -> gevinster

In a workbook the sibling sheet is in the same file. A CSV part gets its snapshot's loaded sibling
part through `ParseContext.needed` (the `benefit_register` warehouse lookup) and waits in landing
(WaitingFor) until that part is loaded; the file's readability is checked first, so a broken file is
quarantined at once rather than waiting.

tables (every table: _row_number, kommunekode, snapshot_date DATE):
    benefit_initiativer     initiative_id, navn, sektor, los_id, start_dato, slut_dato (DATE),
                            status (lower case), investering_dkk (NUMBER)
    benefit_gevinster       benefit_id, initiative_id, gevinsttype (lower case), beskrivelse,
                            baseline, maal (NUMBER), maal_dato (DATE), budgetvirkning (FLAG, ja/nej)
    benefit_maalinger       benefit_id, periode (DATE, first day of the month), vaerdi (NUMBER),
                            maalt_dato (DATE)
    benefit_register_parts  part, part_rows: one row per part the file delivers (also an empty one),
                            so the warehouse knows which snapshots are complete

validation_frame: the parts' rows stacked, with `sheet` (the part) and `key` (the row's id, for
reason files), each converted column's `<col>__unparsed`, and the cross-part flags
`initiative_known`, `maal_dato_not_before_start` (gevinster) and `benefit_known` (maalinger).
Row numbers are per sheet (or per CSV file), as a spreadsheet shows them.
Nothing in the register is personal data: no column is pseudonymised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipelines.sources.base import FileName, ParseContext, ParsedFile, Unreadable, WaitingFor
from pipelines.sources.readers import (
    DATE,
    FLAG,
    ROW_NUMBER,
    STRING,
    Converted,
    clean_text,
    constant,
    csv_frame,
    ensure_xlsx,
    extract_groups,
    frame_with_unparsed,
    parse_dates,
    parse_flags,
    parse_numbers,
    require_columns,
    unparsed_text,
    xlsx_frame,
    xlsx_sheet_names,
)

PARTS = ("initiativer", "gevinster", "maalinger")
TABLES = {"initiativer": "benefit_initiativer", "gevinster": "benefit_gevinster", "maalinger": "benefit_maalinger"}
PARTS_TABLE = "benefit_register_parts"
CHECKED_AGAINST = {"gevinster": "initiativer", "maalinger": "gevinster"}  # a part -> the part it refers to

COLUMNS = {
    "initiativer": (
        "initiative_id",
        "navn",
        "sektor",
        "los_id",
        "start_dato",
        "slut_dato",
        "status",
        "investering_dkk",
    ),
    "gevinster": (
        "benefit_id",
        "initiative_id",
        "gevinsttype",
        "beskrivelse",
        "baseline",
        "maal",
        "maal_dato",
        "budgetvirkning",
    ),
    "maalinger": ("benefit_id", "periode", "vaerdi", "maalt_dato"),
}
LEAD = (ROW_NUMBER, "kommunekode", "snapshot_date")


def sibling_needed(file: FileName) -> dict[str, str] | None:
    """What a register file needs from the warehouse (SourceSpec.needs): a gevinster or maalinger CSV
    part its snapshot's initiativer or gevinster part; a whole register (XLSX) or an initiativer part
    nothing (None)."""
    sibling = CHECKED_AGAINST.get(file.part or "")
    if sibling is None:
        return None
    return {"kommunekode": file.kommunekode, "snapshot_date": file.period, "part": sibling}


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    snapshot = _snapshot_date(file)
    rows = _read_parts(data, file)
    siblings: dict[str, Mapping[str, Any]] = {}
    for part in rows:
        sibling = CHECKED_AGAINST.get(part)
        if sibling and sibling not in rows:
            if context.needed is None:
                raise WaitingFor(f"benefits {file.kommunekode} {file.period} {sibling}")
            siblings[sibling] = context.needed

    typed: dict[str, pd.DataFrame] = {}
    for part in PARTS:  # in this order: a part is checked against the one before it
        if part not in rows:
            continue
        frame = rows[part]
        lead = {
            ROW_NUMBER: frame[ROW_NUMBER],
            "kommunekode": constant(file.kommunekode, frame),
            "snapshot_date": constant(snapshot, frame, DATE),
        }
        if part == "initiativer":
            typed[part] = _initiatives(frame, lead)
        elif part == "gevinster":
            starts = siblings["initiativer"] if "initiativer" in siblings else _starts(typed["initiativer"])
            typed[part] = _benefits(frame, lead, starts)
        else:
            known = (
                siblings["gevinster"]
                if "gevinster" in siblings
                else dict.fromkeys(typed["gevinster"]["benefit_id"].dropna())
            )
            typed[part] = _measurements(frame, lead, known)

    tables = {TABLES[part]: frame[[*LEAD, *COLUMNS[part]]] for part, frame in typed.items()}
    tables[PARTS_TABLE] = pd.DataFrame(
        {
            ROW_NUMBER: pd.Series([1] * len(typed), dtype="int64"),  # the part's header row
            "kommunekode": pd.Series([file.kommunekode] * len(typed), dtype=STRING),
            "snapshot_date": pd.Series([snapshot] * len(typed), dtype=DATE),
            "part": pd.Series(list(typed), dtype=STRING),
            "part_rows": pd.Series([len(frame) for frame in typed.values()], dtype="int64"),
        }
    )
    # the suite sees every part's columns, also of the parts this file does not hold (no rows there)
    checked = {part: typed[part] if part in typed else _empty(part) for part in PARTS}
    return ParsedFile(
        tables=tables,
        validation_frame=_stacked({part: frame.assign(sheet=part) for part, frame in checked.items()}),
        rows_read=sum(len(frame) for frame in typed.values()),
        notes={"parts": ",".join(typed), "format": file.extension},
    )


def _empty(part: str) -> pd.DataFrame:
    """A typed frame of `part` with no rows."""
    rows = pd.DataFrame(
        {ROW_NUMBER: pd.Series([], dtype="int64"), **{c: pd.Series([], dtype=STRING) for c in COLUMNS[part]}}
    )
    lead = {
        ROW_NUMBER: rows[ROW_NUMBER],
        "kommunekode": rows["benefit_id" if part != "initiativer" else "initiative_id"],
        "snapshot_date": pd.Series([], dtype=DATE),
    }
    build = {
        "initiativer": lambda: _initiatives(rows, lead),
        "gevinster": lambda: _benefits(rows, lead, {}),
        "maalinger": lambda: _measurements(rows, lead, {}),
    }
    return build[part]()


def _snapshot_date(file: FileName) -> dt.date:
    try:
        return dt.date.fromisoformat(file.period)
    except ValueError:
        raise Unreadable(f"the register date in the file name ({file.period}) is not a real date") from None


def _read_parts(data: bytes, file: FileName) -> dict[str, pd.DataFrame]:
    """The raw text frames of the parts this file holds, each with its required columns."""
    if file.extension == "xlsx":
        ensure_xlsx(data)  # a CSV renamed .xlsx is refused, not guessed at
        names = {name.casefold(): name for name in xlsx_sheet_names(data)}
        if file.part:  # one part as a workbook: its sheet by name, else the first sheet
            parts = {file.part: xlsx_frame(data, names.get(file.part))}
        else:
            missing = [part for part in PARTS if part not in names]
            if missing:
                raise Unreadable(
                    f"the workbook lacks the sheet(s) {', '.join(missing)} (a register has the sheets "
                    f"{', '.join(PARTS)})"
                )
            parts = {part: xlsx_frame(data, names[part]) for part in PARTS}
    else:
        if not file.part:
            raise Unreadable(
                "a register as CSV comes as three files named benefits_<kommunekode>_<date>_initiativer.csv, "
                "..._gevinster.csv and ..._maalinger.csv; this name says no part"
            )
        parts = {file.part: csv_frame(data)}
    return {part: _required(frame, part, file) for part, frame in parts.items()}


def _required(frame: pd.DataFrame, part: str, file: FileName) -> pd.DataFrame:
    try:
        return require_columns(frame, COLUMNS[part])
    except Unreadable as error:
        where = f"sheet {part}: " if file.extension == "xlsx" else ""
        raise Unreadable(f"{where}{error}", row=error.row) from None


def _initiatives(rows: pd.DataFrame, lead: dict) -> pd.DataFrame:
    return frame_with_unparsed(
        {
            **lead,
            "initiative_id": clean_text(rows["initiative_id"]),
            "navn": clean_text(rows["navn"]),
            "sektor": clean_text(rows["sektor"]),
            "los_id": clean_text(rows["los_id"]),
            "start_dato": parse_dates(rows["start_dato"]),
            "slut_dato": parse_dates(rows["slut_dato"]),
            "status": clean_text(rows["status"]).str.lower(),
            "investering_dkk": parse_numbers(rows["investering_dkk"]),
            "key": clean_text(rows["initiative_id"]),
        }
    )


def _starts(initiatives: pd.DataFrame) -> dict[str, object]:
    """initiative_id -> start_dato of the file's own initiativer sheet (first row of an id)."""
    known = initiatives.dropna(subset=["initiative_id"]).drop_duplicates("initiative_id")
    return dict(zip(known["initiative_id"], known["start_dato"], strict=True))


def _benefits(rows: pd.DataFrame, lead: dict, starts: Mapping[str, object]) -> pd.DataFrame:
    frame = frame_with_unparsed(
        {
            **lead,
            "benefit_id": clean_text(rows["benefit_id"]),
            "initiative_id": clean_text(rows["initiative_id"]),
            "gevinsttype": clean_text(rows["gevinsttype"]).str.lower(),
            "beskrivelse": clean_text(rows["beskrivelse"]),
            "baseline": parse_numbers(rows["baseline"]),
            "maal": parse_numbers(rows["maal"]),
            "maal_dato": parse_dates(rows["maal_dato"]),
            "budgetvirkning": parse_flags(rows["budgetvirkning"]),
            "key": clean_text(rows["benefit_id"]),
        }
    )
    initiative = frame["initiative_id"]
    frame["initiative_known"] = initiative.isin(list(starts)).astype(FLAG).mask(initiative.isna())
    start = pd.Series(
        [_as_date(starts.get(value)) if isinstance(value, str) else None for value in initiative],
        index=frame.index,
        dtype=DATE,
    )
    frame["maal_dato_not_before_start"] = (frame["maal_dato"] >= start).astype(FLAG)  # <NA> where either is unknown
    return frame


def _measurements(rows: pd.DataFrame, lead: dict, benefits: Mapping[str, object]) -> pd.DataFrame:
    frame = frame_with_unparsed(
        {
            **lead,
            "benefit_id": clean_text(rows["benefit_id"]),
            "periode": parse_periods(rows["periode"]),
            "vaerdi": parse_numbers(rows["vaerdi"]),
            "maalt_dato": parse_dates(rows["maalt_dato"]),
            "key": (clean_text(rows["benefit_id"]).fillna("?") + " " + clean_text(rows["periode"]).fillna("?")).astype(
                STRING
            ),
        }
    )
    benefit = frame["benefit_id"]
    frame["benefit_known"] = benefit.isin(list(benefits)).astype(FLAG).mask(benefit.isna())
    return frame


def _as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, dt.date) else None


_MONTH = r"^(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})|(?P<m2>\d{1,2})[-./](?P<y2>\d{4}))$"  # 2025-07  7-2025  07.2025  07/2025


def parse_periods(series: pd.Series) -> Converted:
    """DATE, the first day of the month, from `2025-07` (also `07-2025`, `07.2025`, `07/2025`) or from
    any date parse_dates reads (a spreadsheet often turns `2025-07` into the date 2025-07-01)."""
    text = clean_text(series)
    parts = extract_groups(text, _MONTH)
    year, month = parts["y1"] + parts["y2"], parts["m1"] + parts["m2"]
    months = pd.to_datetime(year + "-" + month.str.pad(2, fillchar="0") + "-01", format="%Y-%m-%d", errors="coerce")
    days = parse_dates(text).values.astype("datetime64[s]")
    values = months.astype("datetime64[s]").fillna(days.dt.to_period("M").dt.start_time.astype("datetime64[s]"))
    values = values.astype(DATE)
    return Converted(values, unparsed_text(text, values.isna() & text.notna()))


def _stacked(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame of every part's rows: the union of their columns, each keeping its type."""
    dtypes: dict[str, object] = {"sheet": STRING}
    for frame in frames.values():
        for column, dtype in frame.dtypes.items():
            dtypes.setdefault(column, dtype)
    aligned = []
    for frame in frames.values():
        missing = {
            column: pd.Series(pd.NA, index=frame.index, dtype=dtype)
            for column, dtype in dtypes.items()
            if column not in frame
        }
        aligned.append(frame.assign(**missing).astype({"sheet": STRING})[list(dtypes)])
    return (
        pd.concat(aligned, ignore_index=True)
        if aligned
        else pd.DataFrame({column: pd.Series([], dtype=t) for column, t in dtypes.items()})
    )
