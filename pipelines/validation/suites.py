"""Suites are data: `expectations/<source>.json`, one per source, in Great Expectations 1.x form.

Each expectation carries `meta.rule`: the rule in plain words, shown to users in reason files.
`row_label` (optional) names columns that help a person find a failing row besides its number.
Two small additions to GE's format, expanded here into ordinary expectations:
- a column name `{item}` is repeated for every survey item column of the file (items vary by wave);
- every `<column>__unparsed` column the parser left (values it could not read as a date, number or
  answer) must be empty: that rule holds for every source, so it is added here once.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

UNPARSED_SUFFIX = "__unparsed"


def expectations_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "expectations"


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    expectations: tuple[dict, ...]
    row_label: tuple[str, ...] = ()  # columns shown beside the row number in examples (e.g. los_id)
    # columns the parser itself fills (a workbook's sheet name): shown as they are; every other
    # value is shown only where it cannot be personal (pipelines/privacy/shown.py)
    shown_verbatim: tuple[str, ...] = ()
    # a file with fewer data rows breaks `min_rows_rule` (a table-level rule: files share GE batches)
    min_rows: int = 0
    min_rows_rule: str = ""

    def expand(self, columns: list[str], item_columns: list[str]) -> list[dict]:
        """Concrete GE expectation configurations for a frame with these columns."""
        concrete: list[dict] = []
        for expectation in self.expectations:
            if expectation.get("kwargs", {}).get("column") == "{item}":
                for item in item_columns:
                    one = copy.deepcopy(expectation)
                    one["kwargs"]["column"] = item
                    concrete.append(one)
            else:
                concrete.append(copy.deepcopy(expectation))
        for column in columns:
            if column.endswith(UNPARSED_SUFFIX):
                readable = column[: -len(UNPARSED_SUFFIX)]
                concrete.append(
                    {
                        "type": "expect_column_values_to_be_null",
                        "kwargs": {"column": column},
                        "meta": {"rule": f"every value of {readable} must be readable", "shows_column": column},
                    }
                )
        return concrete


def load_suite_spec(name: str, folder: Path | None = None) -> SuiteSpec:
    path = (folder or expectations_dir()) / f"{name}.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("name") != name:
        raise ValueError(f"{path}: suite name {payload.get('name')!r} does not match the file name")
    for expectation in payload["expectations"]:
        if not expectation.get("meta", {}).get("rule"):
            raise ValueError(f"{path}: every expectation needs meta.rule in plain words ({expectation['type']})")
    return SuiteSpec(
        name=name,
        expectations=tuple(payload["expectations"]),
        row_label=tuple(payload.get("row_label", ())),
        shown_verbatim=tuple(payload.get("shown_verbatim", ())),
        min_rows=int(payload.get("min_rows", {}).get("rows", 0)),
        min_rows_rule=payload.get("min_rows", {}).get("rule", ""),
    )
