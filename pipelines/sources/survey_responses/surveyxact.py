"""The SurveyXact dialect: a zip of `dataset.csv`, `labels.csv` and `structure.csv`.

Each member may be semicolon + Windows-1252, comma + Windows-1252 or tab + UTF-16 (the readers
detect both). `dataset.csv` holds numeric codes under variable names: the item ids (any case) and
the background variables `employee_ref` (optional) and `los_id`. A code is scored through its
label, never as a number (`6` may mean `Ved ikke`): labels come from `labels.csv` (no header:
variableName, value, valueLabel), and, for variables it does not list, from the choices in
`structure.csv` (variableName, choiceValue, choiceText) when that file is there. A code with no
label is kept as unparsed, saying so.

respondent_id: the first variable present of RESPONDENT_ID_VARIABLES, else the file row number.
submitted_at: the first of SUBMITTED_AT_VARIABLES present (SurveyXact's close time), else empty.
Another variable whose labels all read as answers is counted as an answer column without item
(assemble.Respondents); a background variable (`køn`: Mand/Kvinde) or one without labels is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

import pandas as pd

from pipelines.sources.base import Item, Unreadable
from pipelines.sources.readers import ROW_NUMBER, STRING, csv_frame, read_csv_table, require_columns, safe_zip_members
from pipelines.sources.survey_responses.assemble import (
    Respondents,
    answers_by_item_id,
    respondent_rows,
    unmatched_columns,
)

RESPONDENT_ID_VARIABLES = ("respondent_id", "respondentid", "respondent")
SUBMITTED_AT_VARIABLES = ("submitted_at", "closetime", "endtime", "end_time")
LABELS_HEADER = ("variablename", "value", "valuelabel")

Labels = dict[str, dict[str, str]]  # variable name (casefolded) -> code -> label


def read(data: bytes, items: Mapping[str, Item]) -> Respondents:
    return read_members(safe_zip_members(data), items)


def read_members(archive_members: Mapping[str, bytes], items: Mapping[str, Item]) -> Respondents:
    """`read`, from the archive's members already unpacked (by safe_zip_members)."""
    members = _members_by_file_name(dict(archive_members))
    for required in ("dataset.csv", "labels.csv"):
        if required not in members:
            raise Unreadable(f"the SurveyXact archive has no {required}")
    rows = require_columns(
        csv_frame(members["dataset.csv"]),
        ("los_id",),
        optional=("employee_ref", *RESPONDENT_ID_VARIABLES, *SUBMITTED_AT_VARIABLES),
    )
    labels = _labels_from_labels_file(members["labels.csv"])
    if "structure.csv" in members:
        labels = {**_labels_from_structure(members["structure.csv"]), **labels}  # labels.csv wins, per variable
    answers = answers_by_item_id(rows, items)
    metadata = ("los_id", "employee_ref", *RESPONDENT_ID_VARIABLES, *SUBMITTED_AT_VARIABLES)
    return respondent_rows(
        rows,
        respondent_id=_first_present(rows, RESPONDENT_ID_VARIABLES, default=rows[ROW_NUMBER].astype(STRING)),
        employee_ref=rows.get("employee_ref"),
        los_id=rows["los_id"],
        submitted_at=_first_present(rows, SUBMITTED_AT_VARIABLES, default=None),
        answers={item_id: _labelled(codes, labels) for item_id, codes in answers.items()},
        unmatched={
            heading: _labelled(codes, labels) for heading, codes in unmatched_columns(rows, answers, metadata).items()
        },
    )


def _members_by_file_name(members: Mapping[str, bytes]) -> dict[str, bytes]:
    return {PurePosixPath(name).name.casefold(): content for name, content in members.items()}


def _first_present(rows: pd.DataFrame, names: Iterable[str], default: pd.Series | None) -> pd.Series | None:
    return next((rows[name] for name in names if name in rows.columns), default)


def _labelled(codes: pd.Series, labels: Labels) -> pd.Series:
    """The label of each code; a code without one is marked, so scoring reports it as unparsed."""
    labelled = codes.map(labels.get(codes.name.casefold(), {})).astype(STRING)
    no_label = codes.notna() & labelled.isna()
    return labelled.mask(no_label, codes + " (a code without a label in labels.csv)")


def _labels_from_labels_file(data: bytes) -> Labels:
    _, rows = read_csv_table(data, header_rows=0)
    rows = [row for row in rows if any(row)]
    if rows and tuple(cell.casefold() for cell in rows[0][:3]) == LABELS_HEADER:
        rows = rows[1:]  # tolerated, though SurveyXact writes no header
    if rows and len(rows[0]) < 3:
        raise Unreadable("labels.csv should have three columns: variableName, value, valueLabel")
    return _by_variable((variable, code, label) for variable, code, label, *_ in rows)


def _labels_from_structure(data: bytes) -> Labels:
    choice_columns = ["variableName", "choiceValue", "choiceText"]
    structure = require_columns(csv_frame(data), (), optional=choice_columns)
    if not set(choice_columns) <= set(structure.columns):
        return {}  # a structure without choices: labels.csv alone must do
    return _by_variable(structure[choice_columns].dropna().itertuples(index=False))


def _by_variable(triples: Iterable[tuple[str, str, str]]) -> Labels:
    labels: Labels = {}
    for variable, code, label in triples:
        labels.setdefault(variable.casefold(), {})[code] = label
    return labels
