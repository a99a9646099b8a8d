"""HR org units, the monthly org-tree extract (docs/files.md) -> `raw.hr_org_units`.

tables["hr_org_units"]: _row_number, kommunekode, snapshot_month (DATE, 1st of the file's month),
los_id, parent_los_id (<NA> for the root), enhedsnavn, enhedstype, sektor, gyldig_fra,
gyldig_til (DATE).

validation_frame: the same columns, each date followed by `<col>__unparsed`, plus
- `parent_in_file`: the row is a root, or its parent is a los_id of this file (False: an orphan);
- `ancestry_ok`: walking up the parents ends at a root of this file without a cycle;
- `only_root`: the row is no root, or the file's only one (two roots would make two municipalities).
A file with any `ancestry_ok` False is quarantined by the suite (contract: no cycles, no orphans);
the two flags together tell an orphan (or a unit under one) from a cycle.
"""

from __future__ import annotations

import pandas as pd

from pipelines.sources.base import FileName, ParseContext, ParsedFile
from pipelines.sources.readers import (
    DATE,
    FLAG,
    ROW_NUMBER,
    constant,
    csv_frame,
    frame_with_unparsed,
    month_start,
    parse_dates,
    require_columns,
)

TABLE = "hr_org_units"
TEXT_COLUMNS = ("los_id", "parent_los_id", "enhedsnavn", "enhedstype", "sektor")
REQUIRED = (*TEXT_COLUMNS, "gyldig_fra", "gyldig_til")
TABLE_COLUMNS = (ROW_NUMBER, "kommunekode", "snapshot_month", *TEXT_COLUMNS, "gyldig_fra", "gyldig_til")


def parse(data: bytes, file: FileName, context: ParseContext) -> ParsedFile:
    rows = require_columns(csv_frame(data), REQUIRED)
    checked = frame_with_unparsed(
        {
            ROW_NUMBER: rows[ROW_NUMBER],
            "kommunekode": constant(file.kommunekode, rows),
            "snapshot_month": constant(month_start(file.period), rows, DATE),
            **{column: rows[column] for column in TEXT_COLUMNS},
            "only_root": only_root(rows["parent_los_id"]),
            "gyldig_fra": parse_dates(rows["gyldig_fra"]),
            "gyldig_til": parse_dates(rows["gyldig_til"]),
            "parent_in_file": parent_in_file(rows["los_id"], rows["parent_los_id"]),
            "ancestry_ok": ancestry_ok(rows["los_id"], rows["parent_los_id"]),
        }
    )
    return ParsedFile(tables={TABLE: checked[list(TABLE_COLUMNS)]}, validation_frame=checked, rows_read=len(rows))


def only_root(parent_los_id: pd.Series) -> pd.Series:
    """FLAG per row: not a root, or the file's only root (the marts roll up to one municipality row)."""
    roots = parent_los_id.isna()
    return (~roots | (int(roots.sum()) == 1)).astype(FLAG)


def parent_in_file(los_id: pd.Series, parent_los_id: pd.Series) -> pd.Series:
    """FLAG per row: a root, or a unit whose parent is a unit of this file."""
    return (parent_los_id.isna() | parent_los_id.isin(los_id.dropna())).astype(FLAG)


def ancestry_ok(los_id: pd.Series, parent_los_id: pd.Series) -> pd.Series:
    """FLAG per row: following parents from this row reaches a root (empty parent) of the file.

    Grows the set of grounded units from the roots down, one tree level per step: rows in a
    cycle, with a parent missing from the file, or below such a row, are never reached.
    """
    grounded = parent_los_id.isna()
    while True:
        newly = ~grounded & parent_los_id.isin(los_id[grounded].dropna())
        if not newly.any():
            return grounded.astype(FLAG)
        grounded |= newly
