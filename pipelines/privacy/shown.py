"""What a message may show of a value read from a file: a code or a number, else only its kind.

Reasons (reason files, `meta.files.reason`, logs, Dagster metadata) point a person to the cell that
broke a rule. A cell can hold anything, a name or a CPR number typed in the wrong column included,
so a value is shown only where it looks like a code, a number or a date; of anything else only its
kind and length are told ("text, 31 characters"), which is enough to find the cell by its row.
"""

from __future__ import annotations

import re
import traceback

_CODE = re.compile(r"[A-Za-z0-9_.:/+-]{1,16}", re.ASCII)  # K101, Q01, INI-404-G1, 1203, -2, 0,8 (below)
_NUMBER = re.compile(r"[+-]?[0-9]{1,7}(?:[.,][0-9]+)?", re.ASCII)
_DATE = re.compile(r"[0-9]{1,4}[-./][0-9]{1,2}[-./][0-9]{1,4}(?:T[0-9:.,+Z-]{1,20})?", re.ASCII)
_YEAR_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}", re.ASCII)
_MOST_DIGITS = 7  # a CPR number has 10 digits, a phone number 8: never shown


def can_show(text: str) -> bool:
    """Whether `text` may appear in a message: numbers, dates and short codes with a digit in them
    (`K101`, `INI-404-G1 2024-09`), with at most seven digits outside the dates."""
    parts = text.split(" ")
    if not text or len(text) > 40 or not all(parts):
        return False
    digits = 0
    for part in parts:
        if _DATE.fullmatch(part) or _YEAR_MONTH.fullmatch(part):
            continue
        if not (_NUMBER.fullmatch(part) or (_CODE.fullmatch(part) and any(char.isdigit() for char in part))):
            return False
        digits += sum(char.isdigit() for char in part)
    return digits <= _MOST_DIGITS


def kind_of(text: str) -> str:
    """`text, 31 characters`, `digits, 10 characters`, `an e-mail address`: what it is, not what it says."""
    if "@" in text:
        return "an e-mail address"
    stripped = text.strip()
    if stripped and all(char.isdigit() or char in " -+./" for char in stripped):
        return f"digits, {len(text)} characters"
    return f"text, {len(text)} characters"


def shown(value: object) -> tuple[object, str | None]:
    """(the value to show, or None; the kind to tell instead, or None)."""
    if value is None or isinstance(value, bool) or value == "":
        return value, None
    if isinstance(value, (int, float)):
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return (value, None) if can_show(text.replace("e+", "")) else (None, f"a number of {len(text)} characters")
    text = str(value)
    return (value, None) if can_show(text) else (None, kind_of(text))


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def masked(message: str) -> str:
    """A library's message with every quoted value it cannot show replaced by its kind: messages such
    as `Could not convert string 'Jens Hansen' to INT32` quote the offending cell."""

    def replace(match: re.Match) -> str:
        value = match.group(1) if match.group(1) is not None else match.group(2)
        return match.group(0) if can_show(value) else f"<{kind_of(value)}>"

    return _QUOTED.sub(replace, message)


def described(error: BaseException) -> str:
    """An unexpected error for the log, without its message (it may quote a cell): its type and where
    it was raised, innermost frame last, enough to find the bug while the file waits in quarantine."""
    frames = [
        f"{'/'.join(frame.filename.split('/')[-2:])}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
    ]
    return f"{type(error).__name__} (message withheld: it may quote the file) at " + " <- ".join(reversed(frames[-6:]))
