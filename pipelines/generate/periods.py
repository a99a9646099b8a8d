"""Months, waves and Copenhagen local time, without any time-zone database (so output never
depends on the machine's tzdata)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache

WAVE_PATTERN = re.compile(r"^(\d{4})H([12])$")


class Month:
    """A calendar month. Light on purpose: HR snapshots compare months millions of times."""

    __slots__ = ("year", "month", "index")

    def __init__(self, year: int, month: int):
        self.year, self.month = year, month
        self.index = year * 12 + month - 1

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"

    def __str__(self) -> str:
        return _month_text(self.index)

    def __hash__(self) -> int:
        return self.index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Month) and self.index == other.index

    def __lt__(self, other: Month) -> bool:
        return self.index < other.index

    def __le__(self, other: Month) -> bool:
        return self.index <= other.index

    def __gt__(self, other: Month) -> bool:
        return self.index > other.index

    def __ge__(self, other: Month) -> bool:
        return self.index >= other.index

    def plus(self, months: int) -> Month:
        index = self.index + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """Whole months from `other` to self."""
        return self.index - other.index

    @property
    def first_day(self) -> date:
        return _first_day(self.index)

    @property
    def last_day(self) -> date:
        return _last_day(self.index)

    @property
    def days(self) -> int:
        return self.last_day.day

    @classmethod
    def of(cls, day: date | datetime) -> Month:
        return cls(day.year, day.month)


@cache
def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@cache
def _first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@cache
def _last_day(index: int) -> date:
    return _first_day(index + 1) - timedelta(days=1)


def check_wave(wave: str) -> tuple[int, int]:
    match = WAVE_PATTERN.match(wave)
    if not match:
        raise ValueError(f"wave must look like 2025H1 or 2025H2, not {wave!r}")
    return int(match.group(1)), int(match.group(2))


def shift_wave(wave: str, waves: int) -> str:
    year, half = check_wave(wave)
    index = year * 2 + (half - 1) + waves
    return f"{index // 2}H{index % 2 + 1}"


def wave_months(wave: str) -> list[Month]:
    year, half = check_wave(wave)
    start = 1 if half == 1 else 7
    return [Month(year, start + i) for i in range(6)]


def _last_sunday(year: int, month: int) -> date:
    last = Month(year, month).last_day
    return last - timedelta(days=(last.weekday() + 1) % 7)


def copenhagen_offset_of_utc(moment_utc: datetime) -> timedelta:
    """UTC offset of Europe/Copenhagen at a naive UTC instant (EU rule: summer time from the last
    Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC)."""
    year = moment_utc.year
    summer_from = datetime.combine(_last_sunday(year, 3), datetime.min.time()) + timedelta(hours=1)
    summer_to = datetime.combine(_last_sunday(year, 10), datetime.min.time()) + timedelta(hours=1)
    return timedelta(hours=2) if summer_from <= moment_utc < summer_to else timedelta(hours=1)


def copenhagen_offset_of_local(moment_local: datetime) -> timedelta:
    """UTC offset for a naive Copenhagen wall-clock time (the generator avoids the ambiguous hour)."""
    return copenhagen_offset_of_utc(moment_local - timedelta(hours=1))


def iso_with_offset(moment_local: datetime, offset: timedelta) -> str:
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    return f"{moment_local.isoformat(timespec='seconds')}{'+' if hours >= 0 else '-'}{abs(hours):02d}:{rest // 60:02d}"
