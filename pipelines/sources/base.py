"""What every source shares: the parsed-file shape, parse context and the errors parsers raise."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


class Unreadable(Exception):
    """The file cannot be read at all (corrupt, wrong encoding, unsafe archive, wrong format).

    The message is shown to users in the quarantine reason: say what is wrong in plain words,
    naming the row where there is one.
    """

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


class WaitingFor(Exception):
    """The file can be read only once another file has been loaded (a survey's item catalogue, the
    sibling part of a benefit register delivered as CSV files): see `ParseContext.needed`.

    The file stays in the landing zone, untouched, and is tried again on the next run (or pass).
    """


@dataclass(frozen=True)
class FileName:
    """What a landing file's name tells: its source, municipality and period."""

    name: str
    source: str
    kommunekode: str
    period: str  # wave '2025H1', month '2025-06', date '2026-06-30', or '' (courses)
    extension: str  # lower case, without the dot
    part: str | None = None  # benefits CSV triplet: 'initiativer' / 'gevinster' / 'maalinger'


@dataclass(frozen=True)
class Item:
    item_id: str
    question_text: str
    competence_code: str
    reverse_scored: bool


@dataclass
class ParseContext:
    """Everything a parser may need beyond the bytes.

    person_keys, link_keys: the privacy room's keyed functions, so parsers never keep a clear identifier;
    each keys a list of values at once (a file's distinct identifiers: see readers.keyed).
    needed: for a source with `SourceSpec.needs`, what that lookup found in the warehouse for this
    file (survey responses: the item catalogue of the municipality and wave, item_id -> Item; a
    benefit register part: its sibling part), or None when it has not been loaded yet: the parser
    then raises WaitingFor, after the checks it can make without it.
    """

    person_keys: Callable[[str, list[str]], list[str]]  # (kommunekode, medarbejdernr values) -> hex each
    link_keys: Callable[[str, list[str]], list[str | None]]  # (kommunekode, e-mails or employee numbers) -> hex each
    needed: Any = None


@dataclass
class ParsedFile:
    """A parsed file: raw-table frames (pseudonymised) plus what validation looks at."""

    tables: dict[str, pd.DataFrame]
    validation_frame: pd.DataFrame
    rows_read: int
    not_loaded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {"_row_number": pd.Series([], dtype="int64"), "reason": pd.Series([], dtype="string")}
        )
    )
    notes: dict[str, object] = field(default_factory=dict)  # non-personal facts for metadata (dialect, encoding)
    item_columns: list[str] = field(default_factory=list)  # validation columns a suite's `{item}` stands for


# ASCII digits only: Python's \d also matches full-width and other scripts' digits (`０７５１`).
KOMMUNEKODE = r"(?P<kommunekode>[0-9]{4})"
WAVE = r"(?P<period>[0-9]{4}H[12])"
MONTH = r"(?P<period>[0-9]{4}-(?:0[1-9]|1[0-2]))"
DAY = r"(?P<period>[0-9]{4}-[0-9]{2}-[0-9]{2})"


def name_pattern(body: str, extensions: tuple[str, ...]) -> re.Pattern[str]:
    """A case-insensitive full-name pattern: `<body>.(ext|ext)`, ending at the end of the name (`\\Z`:
    `$` would also accept a trailing newline)."""
    return re.compile(rf"^{body}\.(?P<extension>{'|'.join(extensions)})\Z", re.IGNORECASE | re.ASCII)
