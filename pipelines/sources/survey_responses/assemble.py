"""What the four survey dialects share: one row shape, answer scoring, and the ParsedFile.

A dialect module reads its file into *respondent rows* (see `respondent_rows`):
    _row_number, respondent_id, employee_ref (clear: keyed and dropped here), los_id,
    submitted_at (text), exclusion_reason (<NA> for a response),
then one answer column per catalogue item found in the file, named by its item_id, holding the
answer as text (`4`, `Enig`, `Ved ikke`, ...), together with the headings of the file's answer-like
columns that match no catalogue item (see `Respondents`). `assemble` scores, pseudonymises and
shapes them.

Output (kommunekode and wave from the file name; dialect `flat|qualtrics|forms|surveyxact`):
- tables["survey_responses"]: _row_number, kommunekode, wave, dialect, respondent_id, ref_key,
  los_id, submitted_at (TIMESTAMP), is_response (FLAG), exclusion_reason: every row read.
- tables["survey_answers"]: _row_number, kommunekode, wave, respondent_id, item_id, answer (Int8
  1..5, before reverse scoring; <NA> = no answer): one row per response (not per excluded row)
  and catalogue item present in the file.
- validation_frame: _row_number, respondent_id, los_id, submitted_at, submitted_at__unparsed,
  is_response, has_employee_ref, then for every catalogue item (catalogue order) `<item_id>` (Int8)
  and `<item_id>__unparsed`. Excluded rows (is_response False) are never scored: their item
  columns are <NA>, so answer checks only judge responses. Items of the catalogue missing from
  the file are all <NA> (and listed in notes["items_missing"]).
- tables["survey_item_coverage"]: _row_number (1: the header row), kommunekode, wave, item_id,
  column_heading, status: one row per catalogue item the file has no column for (status
  `item_without_column`, item_id set) and per answer-like column that matches no catalogue item
  (`column_without_item`, column_heading set: the heading where privacy.shown may show it, else
  "a question of N characters"). Their answers are in no table; this is how they are counted
  (docs/files.md; marts.data_quality warns). No rows when every item has its column and back.
- not_loaded: the excluded rows, with their exclusion_reason (they are counted, never scored).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.privacy.shown import can_show
from pipelines.sources.base import FileName, Item, ParseContext, ParsedFile, Unreadable
from pipelines.sources.readers import (
    EMAIL_PATTERN,
    FLAG,
    ROW_NUMBER,
    STRING,
    Converted,
    clean_text,
    constant,
    frame_with_unparsed,
    header_key,
    keyed,
    parse_timestamps,
    stripped_or_null,
)

ANSWER = "Int8"
ANSWER_LABELS = {
    **{str(score): score for score in range(1, 6)},
    "helt uenig": 1,
    "uenig": 2,
    "hverken enig eller uenig": 3,
    "enig": 4,
    "helt enig": 5,
}
NO_ANSWER = {"-", "ved ikke"}  # and an empty cell
COVERAGE = "survey_item_coverage"
ITEM_WITHOUT_COLUMN = "item_without_column"
COLUMN_WITHOUT_ITEM = "column_without_item"


@dataclass
class Respondents:
    """What a dialect module reads: the respondent rows, and the headings (as in the file) of the
    columns that hold answers but match no catalogue item."""

    rows: pd.DataFrame
    answer_columns_without_item: list[str]


def respondent_rows(
    rows: pd.DataFrame,
    *,
    respondent_id: pd.Series,
    employee_ref: pd.Series | None,
    los_id: pd.Series,
    submitted_at: pd.Series | None,
    answers: Mapping[str, pd.Series],
    exclusion_reason: pd.Series | None = None,
    unmatched: Mapping[str, pd.Series] | None = None,
) -> Respondents:
    """The dialect-neutral rows `assemble` takes (None: the file has no such column). unmatched: the
    file's columns that are no metadata of the dialect and head no item (`unmatched_columns`), as
    answer text; those whose cells all read as answers are kept as answer columns without item."""
    missing = constant(pd.NA, rows)
    frame = pd.DataFrame(
        {
            ROW_NUMBER: rows[ROW_NUMBER],
            "respondent_id": clean_text(respondent_id),
            "employee_ref": clean_text(employee_ref if employee_ref is not None else missing),
            "los_id": clean_text(los_id),
            "submitted_at": clean_text(submitted_at if submitted_at is not None else missing),
            "exclusion_reason": exclusion_reason if exclusion_reason is not None else missing,
            # answers are cleaned by answer_scores, once per distinct text
            **{item_id: answer.astype(STRING) for item_id, answer in answers.items()},
        }
    )
    answer_like = [str(heading) for heading, values in (unmatched or {}).items() if _reads_as_answers(values)]
    return Respondents(frame, answer_like)


def unmatched_columns(
    rows: pd.DataFrame, answers: Mapping[str, pd.Series], metadata: Iterable[str]
) -> dict[str, pd.Series]:
    """heading -> column, for the columns of `rows` that are not `metadata` (any case and spacing)
    and head no catalogue item (`answers`: what answers_by_item_id / answers_by_question matched)."""
    skipped = {header_key(name) for name in (ROW_NUMBER, *metadata)}
    matched = {answer.name for answer in answers.values()}
    return {
        column: rows[column] for column in rows.columns if column not in matched and header_key(column) not in skipped
    }


def _reads_as_answers(values: pd.Series) -> bool:
    """Every non-empty cell reads as an answer (1-5, a Danish label, `Ved ikke`, `-`) and at least one
    is a real score: a question the catalogue lacks, not free text or a background variable in words."""
    scores = answer_scores(values)
    return bool(scores.unparsed.isna().all() and scores.values.notna().any())


def shown_heading(heading: str) -> str:
    """A column heading as it may be stored and shown: a code such as `Q05`, else only its length
    (a question text is free text; pipelines/privacy/shown.py)."""
    text = heading.strip()
    return text if can_show(text) else f"a question of {len(text)} characters"


def answers_by_item_id(rows: pd.DataFrame, items: Mapping[str, Item]) -> dict[str, pd.Series]:
    """item_id -> the column headed by that item id (any case); other columns are dropped."""
    return _answers_headed_by(rows, {item_id: item_id for item_id in items})


def answers_by_question(rows: pd.DataFrame, items: Mapping[str, Item]) -> dict[str, pd.Series]:
    """item_id -> the column headed by that item's question text (any case and spacing)."""
    return _answers_headed_by(rows, {item_id: item.question_text for item_id, item in items.items()})


def _answers_headed_by(rows: pd.DataFrame, headings: Mapping[str, str]) -> dict[str, pd.Series]:
    columns = {header_key(column): column for column in reversed(rows.columns)}  # the first of equals wins
    matched = {item_id: columns.get(header_key(heading)) for item_id, heading in headings.items()}
    return {item_id: rows[column] for item_id, column in matched.items() if column is not None}


def answer_scores(answers: pd.Series) -> Converted:
    """Int8 1..5 from `1`-`5` or the Danish labels; `Ved ikke`, `-` and empty are no answer (<NA>).

    Anything else is unparsed (a validation failure for that cell). A column holds a handful of
    distinct texts: each is interpreted once (Arrow's dictionary encoding finds them) and spread to
    its rows with one `take` (pandas work per column was most of the time of parsing a survey).
    """
    cells = pa.array(answers.astype(STRING).array)
    encoded = pc.dictionary_encode(cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells)
    text = stripped_or_null(encoded.dictionary)
    # casefold as Python does it, then spaces collapsed by Arrow's regex (as pandas' str methods did)
    folded = pa.array([None if value is None else value.casefold() for value in text.to_pylist()], pa.string())
    labels = pc.replace_substring_regex(folded, r"\s+", " ").to_pylist()
    scores = [ANSWER_LABELS.get(label) if label is not None else None for label in labels]
    failed = pa.array(
        [
            score is None and label is not None and label not in NO_ANSWER
            for score, label in zip(scores, labels, strict=True)
        ],
        pa.bool_(),
    )
    unparsed = pc.replace_substring_regex(
        pc.if_else(failed, text, pa.scalar(None, pa.string())), EMAIL_PATTERN, "<e-mail>"
    )
    values = pc.take(pa.array(scores, pa.int8()), encoded.indices)  # a missing cell (null index) stays <NA>
    return Converted(
        pd.Series(values.to_pandas(types_mapper={pa.int8(): pd.Int8Dtype()}.get).array, index=answers.index),
        pd.Series(
            pc.take(unparsed, encoded.indices).to_pandas(types_mapper={pa.string(): STRING}.get).array,
            index=answers.index,
        ),
    )


def assemble(read: Respondents, *, dialect: str, file: FileName, context: ParseContext) -> ParsedFile:
    respondents = read.rows
    catalogue = list(context.needed)
    found = [item_id for item_id in catalogue if item_id in respondents.columns]
    if not found:
        raise Unreadable(
            f"none of the {len(catalogue)} items of the survey_items catalogue appears as a column "
            f"(read as a {dialect} export; columns are matched by item id, in Microsoft Forms by question text)"
        )
    kommunekode, wave = file.kommunekode, file.period
    is_response = respondents["exclusion_reason"].isna()
    employee_ref = respondents["employee_ref"]

    checked = frame_with_unparsed(
        {
            ROW_NUMBER: respondents[ROW_NUMBER],
            "respondent_id": respondents["respondent_id"],
            "los_id": respondents["los_id"],
            "submitted_at": parse_timestamps(respondents["submitted_at"]),
            "is_response": is_response.astype(FLAG),
            "has_employee_ref": employee_ref.notna().astype(FLAG),
            **{item_id: _scores_of_responses(respondents.get(item_id), is_response) for item_id in catalogue},
        }
    )
    responses = pd.DataFrame(
        {
            ROW_NUMBER: checked[ROW_NUMBER],
            "kommunekode": constant(kommunekode, checked),
            "wave": constant(wave, checked),
            "dialect": constant(dialect, checked),
            "respondent_id": checked["respondent_id"],
            "ref_key": keyed(employee_ref, partial(context.link_keys, kommunekode)),
            "los_id": checked["los_id"],
            "submitted_at": checked["submitted_at"],
            "is_response": checked["is_response"],
            "exclusion_reason": respondents["exclusion_reason"].astype(STRING),
        }
    )
    excluded = pd.DataFrame(
        {
            ROW_NUMBER: responses.loc[~is_response, ROW_NUMBER],
            "reason": responses.loc[~is_response, "exclusion_reason"],
        }
    ).reset_index(drop=True)
    missing = [item_id for item_id in catalogue if item_id not in found]
    return ParsedFile(
        tables={
            "survey_responses": responses,
            "survey_answers": _answers_long(checked[is_response], found, kommunekode, wave),
            COVERAGE: _coverage(missing, read.answer_columns_without_item, kommunekode, wave),
        },
        validation_frame=checked,
        rows_read=len(respondents),
        not_loaded=excluded,
        notes={
            "dialect": dialect,
            "responses": int(is_response.sum()),
            "items_found": len(found),
            "items_missing": missing,
            "answer_columns_without_item": len(read.answer_columns_without_item),
        },
    )


def _coverage(missing: list[str], unmatched: list[str], kommunekode: str, wave: str) -> pd.DataFrame:
    """The survey_item_coverage rows of a file (see the module docstring)."""
    rows = len(missing) + len(unmatched)
    return pd.DataFrame(
        {
            ROW_NUMBER: pd.Series([1] * rows, dtype="int64"),  # the header row, where the columns are
            "kommunekode": pd.Series([kommunekode] * rows, dtype=STRING),
            "wave": pd.Series([wave] * rows, dtype=STRING),
            "item_id": pd.Series([*missing, *[None] * len(unmatched)], dtype=STRING),
            "column_heading": pd.Series([*[None] * len(missing), *map(shown_heading, unmatched)], dtype=STRING),
            "status": pd.Series(
                [ITEM_WITHOUT_COLUMN] * len(missing) + [COLUMN_WITHOUT_ITEM] * len(unmatched), dtype=STRING
            ),
        }
    )


def _scores_of_responses(answers: pd.Series | None, is_response: pd.Series) -> Converted:
    if answers is None:
        return Converted(pd.Series(pd.NA, index=is_response.index, dtype=ANSWER), constant(pd.NA, is_response))
    scores = answer_scores(answers)
    if is_response.all():  # nothing excluded (a flat export): no masking needed
        return scores
    return Converted(scores.values.where(is_response), scores.unparsed.where(is_response))


def _answers_long(responses: pd.DataFrame, item_ids: list[str], kommunekode: str, wave: str) -> pd.DataFrame:
    """One row per response and item: respondent by respondent, items in catalogue order.

    The wide item columns are stacked as one (respondents x items) array read row by row, so the long
    table is built by NumPy in a few passes instead of a melt and a sort."""
    respondents, items = len(responses), len(item_ids)
    answers = [responses[item_id].array for item_id in item_ids]
    values = np.stack([answer.to_numpy(dtype="int8", na_value=0) for answer in answers], axis=1).ravel()
    missing = np.stack([answer.isna() for answer in answers], axis=1).ravel()
    each_item = np.repeat(np.arange(respondents), items)
    rows = pd.DataFrame(index=pd.RangeIndex(len(each_item)))
    return pd.DataFrame(
        {
            ROW_NUMBER: responses[ROW_NUMBER].to_numpy(dtype="int64")[each_item],
            "kommunekode": constant(kommunekode, rows),
            "wave": constant(wave, rows),
            "respondent_id": pd.Series(responses["respondent_id"].astype(STRING).array.take(each_item)),
            "item_id": pd.Series(pd.array(item_ids * respondents, dtype=STRING)),
            "answer": pd.Series(pd.arrays.IntegerArray(values, missing)),
        }
    )
