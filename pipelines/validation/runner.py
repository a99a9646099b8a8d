"""Running a suite over a file's validation frame, batch by batch, and saying what failed in plain words.

GE is fed bounded batches (Arrow record batches, concatenated without copying and turned into one
Arrow-backed pandas frame per batch), so memory follows the batch size, not the file size. Each batch
is checked twice at most: first for success only (GE's cheapest result format), then, only if some
expectation failed, those expectations again with every failing row (the costly format, which
filters the whole frame several times per expectation). Results of all batches are merged per
expectation.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.privacy.shown import masked
from pipelines.privacy.shown import shown as shown_or_kind
from pipelines.validation.suites import SuiteSpec

BATCH_ROWS = 100_000  # rows per validation batch: bounds GE's memory whatever the file size

EXAMPLES_PER_CHECK = 5
ROW = "_row_number"


@dataclass
class FailedCheck:
    expectation: str
    column: str | None
    rule: str
    failing_rows: int = 0
    examples: list[dict] = field(default_factory=list)  # {"row": n, "value": ... or None, "kind": ...}
    rows: list[int] = field(default_factory=list)  # every failing file row (for the rejected-rows count)

    def sentence(self) -> str:
        where = ", ".join(_describe(example) for example in self.examples)
        more = f" and {self.failing_rows - len(self.examples)} more" if self.failing_rows > len(self.examples) else ""
        rows = "1 row breaks" if self.failing_rows == 1 else f"{self.failing_rows} rows break"
        subject = rows if self.failing_rows else "the file breaks"
        return f"{subject} the rule '{self.rule}'" + (f": {where}{more}" if where else "")

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "check": self.expectation,
            "column": self.column,
            "failing_rows": self.failing_rows,
            "examples": self.examples,
        }


@dataclass
class ValidationOutcome:
    suite: str
    rows_validated: int
    failed: list[FailedCheck]

    @property
    def success(self) -> bool:
        return not self.failed

    def rejected_rows(self) -> dict[int, str]:
        """File row -> the first rule it broke."""
        rejected: dict[int, str] = {}
        for check in self.failed:
            for row in check.rows:
                rejected.setdefault(row, check.rule)
        return rejected


def _describe(example: dict) -> str:
    """`row 14 ('6')`, `row 15 (text, 31 characters)`, or for a yes/no rule flag the row's label:
    `row 4 (los_id 1203)`. Values that could be personal are never shown, only their kind."""
    value = example.get("value")
    kinds = example.get("label_kind", {})
    label = ", ".join(
        f"{column} {kinds[column] if column in kinds else _show(shown)}"
        for column, shown in example.get("label", {}).items()
    )
    if isinstance(value, bool):
        return f"row {example['row']}" + (f" ({label})" if label else "")
    what = example["kind"] if "kind" in example else _show(value)
    return f"row {example['row']} ({what}" + (f"; {label})" if label else ")")


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "empty"
    return repr(value) if isinstance(value, str) else str(value)


def _example(row: int, value: object, label: dict[str, object], verbatim: tuple[str, ...] = ()) -> dict:
    """An example row for a reason: the value and label only where they cannot be personal (see privacy.shown)."""
    shown_value, kind = shown_or_kind(_plain(value))
    example: dict = {"row": row, "value": shown_value}
    if kind:
        example["kind"] = kind
    if label:
        example["label"], label_kinds = {}, {}
        for column, label_value in label.items():
            plain = _plain(label_value)
            example["label"][column], label_kind = (plain, None) if column in verbatim else shown_or_kind(plain)
            if label_kind:
                label_kinds[column] = label_kind
        if label_kinds:
            example["label_kind"] = label_kinds
    return example


_context_lock = threading.Lock()  # one context per process, also when a warm-up thread is still making it


def prepare_in_background() -> None:
    """Import Great Expectations and make its context in a thread of this process, for a caller that is about
    to wait anyway (on parse workers): the import is seconds of one core, on the validation's path otherwise."""
    threading.Thread(target=_context, name="digilead-validation-warm-up", daemon=True).start()


def _context():
    with _context_lock:
        return _new_context()


@lru_cache(maxsize=1)
def _new_context():
    # GE must not phone home (no internet here, and no reason to) nor draw progress bars in logs.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GE fingerprints every DataFrame batch with an MD5 of pandas' row hashes, which only labels the batch in
    # its results; over Arrow-backed strings it was most of the validation's time (4.0 of 6.8 s for 500,000
    # HR rows). A file is identified by its own SHA-256 here, so frames of any size are left unhashed.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas("digilead_files")
        .add_dataframe_asset("file_batch")
        .add_batch_definition_whole_dataframe("batch")
    )
    return context, batch_definition


@cache  # never evicted: GE refuses to add a suite name twice (a few per source and column set)
def _validation_definition(suite_name: str, expectations_json: str):
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite

    context, batch_definition = _context()
    digest = hashlib.sha256(expectations_json.encode()).hexdigest()[:12]
    suite = context.suites.add(
        ExpectationSuite(name=f"{suite_name}-{digest}", expectations=json.loads(expectations_json))
    )
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite_name}-{digest}", data=batch_definition, suite=suite)
    )


Batch = pd.DataFrame | pa.RecordBatch | pa.Table


def validate_batches(
    spec: SuiteSpec, batches: Iterable[Batch], item_columns: list[str] | None = None
) -> ValidationOutcome:
    """Validate one file, batch by batch; an empty file is validated as one empty batch."""
    [outcome] = validate_files(spec, [batches], item_columns)
    return outcome


def validate_files(
    spec: SuiteSpec, files: list[Iterable[Batch]], item_columns: list[str] | None = None
) -> list[ValidationOutcome]:
    """Validate several files of one source (with the same columns) in few GE runs, one outcome per file.

    GE's fixed cost per run dominates small files, so rows of successive files share batches of
    up to BATCH_ROWS rows, each row tagged with its file; uniqueness rules get the file added to
    their key, so they still mean "unique within a file".
    """
    failed: list[dict[int, FailedCheck]] = [{} for _ in files]
    rows = [0] * len(files)
    definition = None
    expectations: list[dict] = []
    positions: dict[tuple, int] = {}
    for batch in _tagged_batches(files):
        if definition is None:
            columns = [column for column in batch.columns if column != FILE]
            expectations = [_within_file(e) for e in spec.expand(columns, item_columns or [])]
            definition = _validation_definition(spec.name, json.dumps(expectations, sort_keys=True))
            # GE does not keep the suite's order in its results: match each result to its expectation
            positions = {_identity(expectation): index for index, expectation in enumerate(expectations)}
        present = [int(f) for f in batch[FILE].unique()]
        for file, count in batch[FILE].value_counts().items():
            rows[int(file)] += int(count)
        first = definition.run(batch_parameters={"dataframe": batch}, result_format={"result_format": "BOOLEAN_ONLY"})
        failing = sorted(_position(positions, result) for result in first.results if not result.success)
        if not failing:
            continue
        label = [column for column in spec.row_label if column in batch.columns]
        rerun = _validation_definition(spec.name, json.dumps([expectations[i] for i in failing], sort_keys=True))
        result = rerun.run(
            batch_parameters={"dataframe": batch},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [ROW, FILE, *label],
                "partial_unexpected_count": EXAMPLES_PER_CHECK,
            },
        )
        for expectation_result in result.results:
            if expectation_result.success:
                continue
            index = _position(positions, expectation_result)
            details = expectation_result.to_json_dict()
            entries = (details.get("result") or {}).get("unexpected_index_list") or []
            by_file: dict[int, list[dict]] = {}
            for entry in entries:
                by_file.setdefault(int(entry[FILE]), []).append(entry)
            for file in by_file or present:  # a failure naming no rows concerns every file of the batch
                _merge(
                    failed[file], index, expectations[index], details, label, by_file.get(file, []), spec.shown_verbatim
                )
    for i in range(len(files)):
        if rows[i] < spec.min_rows:
            failed[i][-1] = FailedCheck(expectation="min_rows", column=None, rule=spec.min_rows_rule)
    return [
        ValidationOutcome(suite=spec.name, rows_validated=rows[i], failed=[failed[i][k] for k in sorted(failed[i])])
        for i in range(len(files))
    ]


def _position(positions: dict[tuple, int], result) -> int:
    """The index in the expanded suite of the expectation a GE result belongs to."""
    config = result.expectation_config
    return positions[_identity({"type": config.type, "kwargs": config.kwargs, "meta": config.meta or {}})]


FILE = "_file"


def _tagged_batches(files: list[Iterable[Batch]], batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The files' batches, each row tagged with its file's index, regrouped into frames of ≤ batch_rows
    (about: a file's batch is never split). Batches are gathered as Arrow tables, which concatenate
    without copying; each frame is converted to pandas once."""
    pending: list[pa.Table] = []
    size = 0
    for index, batches in enumerate(files):
        for batch in batches:
            table = _arrow_table(batch)
            pending.append(table.append_column(FILE, pa.array(np.full(table.num_rows, index, dtype="int64"))))
            size += table.num_rows
            if size >= batch_rows:
                yield _frame(pending)
                pending, size = [], 0
    if pending:
        yield _frame(pending)


def _arrow_table(batch: Batch) -> pa.Table:
    if isinstance(batch, pa.Table):
        return batch
    if isinstance(batch, pa.RecordBatch):
        return pa.Table.from_batches([batch])
    return pa.Table.from_pandas(batch, preserve_index=False)


def _frame(tables: list[pa.Table]) -> pd.DataFrame:
    # Arrow-backed strings and nullable numbers keep GE's input close to the file, cheaply.
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    return table.to_pandas(
        types_mapper=lambda t: pd.ArrowDtype(t) if not pa.types.is_integer(t) and not pa.types.is_boolean(t) else None
    )


def _within_file(expectation: dict) -> dict:
    """Uniqueness holds within one file: add the file to the key (other rules are row by row)."""
    kwargs = expectation["kwargs"]
    if expectation["type"] == "expect_column_values_to_be_unique":
        return {
            **expectation,
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {
                **{k: v for k, v in kwargs.items() if k != "column"},
                "column_list": [FILE, kwargs["column"]],
                "ignore_row_if": "any_value_is_missing",
            },
            "meta": {**expectation["meta"], "shows_column": kwargs["column"]},
        }
    if expectation["type"] == "expect_compound_columns_to_be_unique":
        return {**expectation, "kwargs": {**kwargs, "column_list": [FILE, *kwargs["column_list"]]}}
    return expectation


def _identity(expectation: dict) -> tuple:
    """What tells one expectation of an expanded suite from another: its type, rule and columns."""
    kwargs = expectation.get("kwargs", {})
    columns = tuple(str(kwargs.get(key)) for key in ("column", "column_A", "column_B", "column_list"))
    return expectation["type"], expectation.get("meta", {}).get("rule"), columns


def _merge(
    failed: dict[int, FailedCheck],
    index: int,
    expectation: dict,
    result: dict,
    label: list[str],
    entries: list[dict],
    verbatim: tuple[str, ...] = (),
) -> None:
    meta = expectation.get("meta", {})
    shown = meta.get("shows_column") or expectation.get("kwargs", {}).get("column")
    check = failed.setdefault(index, FailedCheck(expectation=expectation["type"], column=shown, rule=meta["rule"]))
    exception = _exception_message(result.get("exception_info") or {})
    if exception:  # e.g. a column the suite needs is missing from the file
        if "could not be checked" not in check.rule:
            check.rule = f"{check.rule} (could not be checked: {masked(exception.splitlines()[0])})"
        return
    check.failing_rows += len(entries)
    for entry in entries:
        row = int(entry[ROW])
        check.rows.append(row)
        if len(check.examples) < EXAMPLES_PER_CHECK:
            check.examples.append(
                _example(row, entry.get(shown), {column: entry.get(column) for column in label}, verbatim)
            )


def _exception_message(info: dict) -> str | None:
    """GE reports an expectation it could not evaluate either flat or per metric; find the message."""
    if info.get("raised_exception") and info.get("exception_message"):
        return str(info["exception_message"])
    for nested in info.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return str(nested.get("exception_message"))
    return None


def _plain(value: object) -> object:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
