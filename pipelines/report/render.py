"""Render one municipality's (or one unit's) report from the published marts into a single HTML file."""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from pipelines.machine import usable_cores
from pipelines.report import charts
from pipelines.report.data import PublishedMarts, ReportError, Scope
from pipelines.report.due import claim_due, put_back
from pipelines.report.html import Block, Column, Section, Table, page
from pipelines.report.i18n import Words

AREAS = ["1", "2", "3", "4", "5", "all"]
LEADERS = "Ledere"  # the staff group of leaders in the HR extracts' personalekategori
MAX_TRAJECTORIES = 12
WORKER_BATCH = 8  # reports per worker process at least: fewer are rendered in the caller's process


def report_path(published: Path, kommunekode: str, los_id: str | None, lang: str, out: Path | None = None) -> Path:
    folder = out if out is not None else published / "reports"
    suffix = f"_{los_id}" if los_id else ""
    return folder / f"digilead_{kommunekode}{suffix}_{lang}.html"


def render_report(
    published: Path,
    kommunekode: str,
    los_id: str | None = None,
    lang: str = "da",
    out: Path | None = None,
    min_cell: int = 5,
) -> Path:
    """Write the report to `out` (default published/reports/) atomically and return its path."""
    with PublishedMarts(published) as marts:
        return _write_report(marts, kommunekode, los_id, lang, out, min_cell)


def _write_report(
    marts: PublishedMarts, kommunekode: str, los_id: str | None, lang: str, out: Path | None, min_cell: int
) -> Path:
    published = marts.folder
    scope = marts.scope(kommunekode, los_id)
    html = ReportBuilder(marts, scope, Words(lang), min_cell).html()
    target = report_path(published, kommunekode, los_id, lang, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".html.tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    return target


def render_due(
    published: Path, lang: str = "da", min_cell: int = 5, workers: int | None = None
) -> tuple[list[Path], dict[str, str]]:
    """The reports a publish makes due (the Dagster asset's work, see due.py): the files written, and why a
    municipality got none (one municipality's problem does not keep the others' reports back).

    A report costs a few tenths of a CPU second, and a worker process a second or so to start (its imports), so
    only a batch of more than WORKER_BATCH reports is shared among `workers` processes (one per core by
    default); each process (or the caller, for a small batch) reads every report of its share through one
    connection to the published copy."""
    with PublishedMarts(published) as marts:
        municipalities = marts.municipalities()
    chosen = claim_due(published, municipalities, lambda k: report_path(published, k, None, lang).exists())
    workers = max(1, min(math.ceil(len(chosen) / WORKER_BATCH), workers or usable_cores()))
    paths, problems = [], {}
    left = set(chosen)
    try:
        for kommunekode, path, problem in _rendered(published, chosen, lang, min_cell, workers):
            left.discard(kommunekode)
            if path is not None:
                paths.append(path)
            else:
                problems[kommunekode] = problem
                put_back(published, kommunekode)
    finally:  # stopped by an unexpected error: what is not rendered stays due
        for kommunekode in sorted(left):
            put_back(published, kommunekode)
    return sorted(paths), problems


def _rendered(published: Path, chosen: list[str], lang: str, min_cell: int, workers: int):
    """(kommunekode, path or None, problem or None) per chosen municipality, as each finishes."""
    if workers == 1:
        with PublishedMarts(published) as marts:
            yield from (_render_due_one(marts, k, lang, min_cell) for k in chosen)
        return
    # spawned, not forked: the caller (a Dagster run) has threads and DuckDB connections of its own
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_open_worker_marts,
        initargs=(published,),
    ) as pool:
        futures = [pool.submit(_render_in_worker, k, lang, min_cell) for k in chosen]
        for future in as_completed(futures):
            yield future.result()


_worker_marts: PublishedMarts | None = None  # a worker process' connection, open while its pool lives


def _open_worker_marts(published: Path) -> None:
    global _worker_marts
    _worker_marts = PublishedMarts(published)


def _render_in_worker(kommunekode: str, lang: str, min_cell: int) -> tuple[str, Path | None, str | None]:
    return _render_due_one(_worker_marts, kommunekode, lang, min_cell)


def _render_due_one(
    marts: PublishedMarts, kommunekode: str, lang: str, min_cell: int
) -> tuple[str, Path | None, str | None]:
    try:
        return kommunekode, _write_report(marts, kommunekode, None, lang, None, min_cell), None
    except ReportError as error:
        return kommunekode, None, str(error)


def _absent(value) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts, a missing value as None (column by column: to_dict("records") cost more than the
    rest of a table's rendering)."""
    if frame.empty:
        return []
    names = list(frame.columns)
    columns = [frame[name].tolist() for name in names]
    return [
        {name: (None if _absent(value) else value) for name, value in zip(names, row, strict=True)}
        for row in zip(*columns, strict=True)
    ]


def _month(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m") if value is not None else "–"


class ReportBuilder:
    def __init__(self, marts: PublishedMarts, scope: Scope, words: Words, min_cell: int):
        self.marts = marts
        self.scope = scope
        self.w = words
        self.min_cell = min_cell
        self.chart_count = 0

    # ------------------------------------------------------------------ formatting helpers

    def score(self, value) -> str:
        return self.w.number(value, 2)

    def pct(self, value) -> str:
        return self.w.percent(value, 1)

    def count(self, value) -> str:
        return self.w.number(value, 0)

    def one(self, value) -> str:
        return self.w.number(value, 1)

    def svg(self, figure, label: str) -> str:
        self.chart_count += 1
        return charts.render(figure, label, f"c{self.chart_count}")

    def hidden(self) -> str:
        return self.w("suppressed")

    def hiding_table(self, *args, hidden_columns: list[str], **kwargs) -> Table:
        """A table of a mart with small-cell suppression: a suppressed row's measures are written as hidden."""
        return Table(
            *args,
            hidden_word=self.hidden(),
            hidden_when=lambda r: bool(r.get("suppressed")),
            hidden_columns=hidden_columns,
            **kwargs,
        )

    def unit_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The scope unit's row and its direct children's (rolled-up rows: each covers its subtree)."""
        if frame.empty:
            return frame
        mask = (frame["los_id"] == self.scope.los_id) | (frame["parent_los_id"] == self.scope.los_id)
        chosen = frame[mask].copy()
        chosen["_order"] = (chosen["los_id"] != self.scope.los_id).astype(int)
        return chosen.sort_values(["_order", "enhedsnavn"]).drop(columns="_order")

    # ------------------------------------------------------------------ the page

    def html(self) -> str:
        w = self.w
        municipality_name = self._municipality_name()
        title = w("title", name=municipality_name)
        header = []
        if not self.scope.is_root:
            header.append(w("subtitle_unit", unit=f"{self.scope.unit_name} ({self.scope.los_id})"))
        published = self.marts.published_at().strftime("%Y-%m-%d %H:%M UTC")
        header.append(w("generated", published=published, min_cell=self.min_cell))
        sections = [
            self.maturity_section(),
            self.staff_group_section(),
            self.training_section(),
            self.benefits_section(),
            self.benchmark_section(),
            self.quality_section(),
        ]
        footer = f"digilead · {self.scope.kommunekode} · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        return page(w.lang, title, header, sections, w("contents"), w("skip"), footer)

    def _municipality_name(self) -> str:
        root = self.marts.rows("dim_org_unit", "kommunekode = ? and is_root and is_current", [self.scope.kommunekode])
        name = str(root.iloc[0]["enhedsnavn"]) if not root.empty else self.scope.kommunekode
        return f"{name} ({self.scope.kommunekode})"

    # ------------------------------------------------------------------ maturity

    def maturity_section(self) -> Section:
        w, s = self.w, self.scope
        rows = self.marts.rows(
            "digital_maturity", "kommunekode = ?", [s.kommunekode], order="wave, los_id, competence_area"
        )
        section = Section("maturity", w("maturity"), [], w("no_data"))
        if rows.empty:
            return section
        waves = sorted(rows["wave"].unique())
        newest = waves[-1]
        current = rows[rows["wave"] == newest]
        units = self.unit_rows(current)
        if units.empty:
            return section
        section.blocks.append(self._heatmap(units, newest))
        section.blocks.append(self._trend(rows, waves))
        section.blocks.append(self._change(units, newest))
        section.blocks.append(self._response(units, newest))
        section.blocks.append(self._levels(units, newest))
        return section

    def _maturity_table(self, records: list[dict], caption: str, extra: list[Column] | None = None) -> Table:
        w = self.w
        columns = [
            Column("enhedsnavn", w("unit")),
            Column("wave", w("wave")),
            Column("competence_area", w("area"), w.area, raw=True),
            Column("respondents", w("respondents"), self.count, numeric=True),
            Column("headcount", w("headcount"), self.count, numeric=True),
            Column("response_rate", w("response_rate"), self.pct, numeric=True),
            Column("mean_score", w("mean_score"), self.score, numeric=True),
            Column("share_basic", w("share_basic"), self.pct, numeric=True),
            Column("share_advanced", w("share_advanced"), self.pct, numeric=True),
            *(extra or []),
        ]
        return self.hiding_table(
            caption,
            columns,
            records,
            mart="digital_maturity",
            key=["kommunekode", "wave", "los_id", "competence_area"],
            hidden_columns=["mean_score", "share_basic", "share_advanced", "prev_mean_score", "change"],
        )

    def _heatmap(self, units: pd.DataFrame, wave: str) -> Block:
        w = self.w
        names = list(dict.fromkeys(units["enhedsnavn"]))
        scores = self._values(units, ["enhedsnavn", "competence_area"], "mean_score")
        values = [[scores.get((name, area)) for area in AREAS] for name in names]
        figure = charts.heatmap(
            names, [w.area(a) for a in AREAS], values, self.hidden(), self.score, colorbar_label=w("mean_score")
        )
        # compare the sub-units (the unit's own row is their total), or the unit alone when it has none
        compared = list(zip(names, values, strict=False))
        compared = compared[1:] if len(compared) > 1 else compared
        known = [(row[-1], name) for name, row in compared if row[-1] is not None]
        if known:
            best, worst = max(known), min(known)
            reading = w(
                "heatmap_reading",
                best=best[1],
                best_value=self.score(best[0]),
                worst=worst[1],
                worst_value=self.score(worst[0]),
            )
        else:
            reading = w("suppressed_note", min_cell=self.min_cell)
        title = w("heatmap", wave=wave)
        return Block(
            "maturity-heatmap",
            title,
            reading,
            self.svg(figure, title),
            [self._maturity_table(_records(units), title)],
            w("table"),
            notes=[w("suppressed_note", min_cell=self.min_cell)],
        )

    @staticmethod
    def _values(frame: pd.DataFrame, key_columns: list[str], column: str) -> dict[tuple, float | None]:
        """`column` by the key columns' values (the first row of each key): one pass over the frame, where a
        filtered frame per looked-up cell cost a report about a CPU second."""
        found: dict[tuple, float | None] = {}
        for *key, value in zip(*(frame[c] for c in key_columns), frame[column], strict=True):
            found.setdefault(tuple(key), None if pd.isna(value) else float(value))
        return found

    @classmethod
    def _value(cls, frame: pd.DataFrame, key_column: str, key, column: str) -> float | None:
        return cls._values(frame, [key_column], column).get((key,))

    def _trend(self, rows: pd.DataFrame, waves: list[str]) -> Block:
        w = self.w
        own = rows[rows["los_id"] == self.scope.los_id]
        scores = self._values(own, ["wave", "competence_area"], "mean_score")
        series = {w.area(area): [scores.get((wave, area)) for wave in waves] for area in AREAS}
        figure = charts.lines(waves, series, w("mean_score"), self.score, y_limits=(1, 5))
        overall = series[w.area("all")]
        known = [(wave, v) for wave, v in zip(waves, overall, strict=False) if v is not None]
        if known:
            reading = w(
                "trend_reading",
                first=self.score(known[0][1]),
                first_wave=known[0][0],
                last=self.score(known[-1][1]),
                last_wave=known[-1][0],
            )
        else:
            reading = w("suppressed_note", min_cell=self.min_cell)
        title = w("trend")
        table = self._maturity_table(_records(own.sort_values(["competence_area", "wave"])), title)
        return Block("maturity-trend", title, reading, self.svg(figure, title), [table], w("table"))

    def _change(self, units: pd.DataFrame, wave: str) -> Block:
        w = self.w
        own = units[units["los_id"] == self.scope.los_id]
        values = [self._value(own, "competence_area", area, "change") for area in AREAS]
        title = w("change", wave=wave)
        extra = [
            Column("prev_mean_score", w("prev_mean_score"), self.score, numeric=True),
            Column("change", w("change_col"), lambda v: self.w.signed(v, 2), numeric=True),
        ]
        table = self._maturity_table(_records(own), title, extra)
        known = [(v, w.area(a)) for v, a in zip(values, AREAS, strict=False) if v is not None and a != "all"]
        if not known:
            return Block("maturity-change", title, w("change_none"), None, [table], w("table"))
        best, worst = max(known), min(known)
        reading = w(
            "change_reading", best=best[1], best_value=w.signed(best[0]), worst=worst[1], worst_value=w.signed(worst[0])
        )
        figure = charts.bars(
            [w.area(a) for a in AREAS], values, w("change_col"), lambda v: w.signed(v, 2), self.hidden(), signed=True
        )
        return Block("maturity-change", title, reading, self.svg(figure, title), [table], w("table"))

    def _response(self, units: pd.DataFrame, wave: str) -> Block:
        w = self.w
        overall = units[units["competence_area"] == "all"]
        labels = list(overall["enhedsnavn"])
        values = [None if pd.isna(v) else float(v) for v in overall["response_rate"]]
        own = overall[overall["los_id"] == self.scope.los_id].iloc[0]
        reading = w(
            "response_reading",
            respondents=self.count(own["respondents"]),
            headcount=self.count(own["headcount"]),
            rate=self.pct(own["response_rate"]),
        )
        figure = charts.bars(
            labels,
            values,
            w("response_rate"),
            lambda v: w.percent(v, 0),
            "–",
            limits=(0, max([1.0] + [v for v in values if v is not None])),
        )
        title = w("response", wave=wave)
        table = self._maturity_table(_records(overall), title)
        return Block("maturity-response", title, reading, self.svg(figure, title), [table], w("table"))

    def _levels(self, units: pd.DataFrame, wave: str) -> Block:
        w = self.w
        own = units[units["los_id"] == self.scope.los_id]
        basic = [self._value(own, "competence_area", a, "share_basic") for a in AREAS]
        advanced = [self._value(own, "competence_area", a, "share_advanced") for a in AREAS]
        middle = [
            None if b is None or a is None else max(0.0, 1.0 - b - a) for b, a in zip(basic, advanced, strict=False)
        ]
        figure = charts.stacked_shares(
            [w.area(a) for a in AREAS],
            {w("basic"): basic, w("middle"): middle, w("advanced"): advanced},
            self.hidden(),
            lambda v: w.percent(v, 0),
        )
        title = w("levels", wave=wave)
        reading = w("levels_reading", basic=self.pct(basic[-1]), advanced=self.pct(advanced[-1]))
        table = self._maturity_table(_records(own), title)
        return Block("maturity-levels", title, reading, self.svg(figure, title), [table], w("table"))

    # ------------------------------------------------------------------ staff groups

    def staff_group_section(self) -> Section:
        w = self.w
        section = Section("staff-groups", w("staff_groups"), [], w("no_data"))
        for block in (self._groups_maturity(), self._groups_training()):
            if block is not None:
                section.blocks.append(block)
        return section

    def _unit_value(self, mart: str, where: str, params: list, column: str) -> float | None:
        """The scope unit's own figure in a unit mart (its row covers its subtree)."""
        row = self.marts.rows(
            mart, f"kommunekode = ? and los_id = ? and {where}", [self.scope.kommunekode, self.scope.los_id, *params]
        )
        return None if row.empty or pd.isna(row.iloc[0][column]) else float(row.iloc[0][column])

    def _group_block(
        self,
        block_id: str,
        title: str,
        groups: pd.DataFrame,
        column: str,
        fmt,
        unit_value,
        limits,
        reading_key: str,
        ungrouped: int,
        table: Table,
    ) -> Block:
        """Leaders against every staff group and the whole unit: one bar per group, the unit as a reference line."""
        w = self.w
        values = [None if pd.isna(v) else float(v) for v in groups[column]]
        figure = charts.bars(
            list(groups["personalekategori"]),
            values,
            w(column),
            fmt,
            self.hidden(),
            reference=unit_value,
            reference_label=w("whole_unit"),
            limits=limits,
        )
        leaders = groups[groups["personalekategori"] == LEADERS]
        if leaders.empty:
            leaders_text = "–"
        elif bool(leaders.iloc[0]["suppressed"]):
            leaders_text = self.hidden()
        else:
            leaders_text = fmt(leaders.iloc[0][column])
        reading = w(reading_key, leaders=leaders_text, unit_value=fmt(unit_value), ungrouped=self.count(ungrouped))
        return Block(
            block_id,
            title,
            reading,
            self.svg(figure, title),
            [table],
            w("table"),
            notes=[w("suppressed_note", min_cell=self.min_cell)],
        )

    def _groups_maturity(self) -> Block | None:
        w, s = self.w, self.scope
        rows = self.marts.rows(
            "digital_maturity_by_staff_group",
            "kommunekode = ? and los_id = ?",
            [s.kommunekode, s.los_id],
            order="wave, competence_area, personalekategori",
        )
        if rows.empty:
            return None
        newest = sorted(rows["wave"].unique())[-1]
        current = rows[rows["wave"] == newest]
        overall = current[current["competence_area"] == "all"].sort_values("personalekategori")
        unit_value = self._unit_value(
            "digital_maturity", "wave = ? and competence_area = 'all'", [newest], "mean_score"
        )
        title = w("groups", wave=newest)
        columns = [
            Column("personalekategori", w("personalekategori")),
            Column("competence_area", w("area"), w.area, raw=True),
            Column("respondents", w("respondents"), self.count, numeric=True),
            Column("headcount", w("headcount"), self.count, numeric=True),
            Column("response_rate", w("response_rate"), self.pct, numeric=True),
            Column("mean_score", w("mean_score"), self.score, numeric=True),
            Column("share_basic", w("share_basic"), self.pct, numeric=True),
            Column("share_advanced", w("share_advanced"), self.pct, numeric=True),
            Column("unit_respondents", w("whole_unit"), self.count, numeric=True),
            Column("ungrouped_respondents", w("ungrouped"), self.count, numeric=True),
        ]
        table = self.hiding_table(
            title,
            columns,
            _records(current.sort_values(["competence_area", "personalekategori"])),
            mart="digital_maturity_by_staff_group",
            key=["kommunekode", "wave", "los_id", "competence_area", "personalekategori"],
            hidden_columns=["mean_score", "share_basic", "share_advanced"],
        )
        ungrouped = int(overall.iloc[0]["ungrouped_respondents"]) if not overall.empty else 0
        return self._group_block(
            "staff-groups-maturity",
            title,
            overall,
            "mean_score",
            self.score,
            unit_value,
            (0, 5),
            "groups_reading",
            ungrouped,
            table,
        )

    def _groups_training(self) -> Block | None:
        w, s = self.w, self.scope
        rows = self.marts.rows(
            "training_uptake_by_staff_group",
            "kommunekode = ? and los_id = ?",
            [s.kommunekode, s.los_id],
            order="month, personalekategori",
        )
        if rows.empty:
            return None
        newest = rows["month"].max()
        current = rows[rows["month"] == newest].sort_values("personalekategori")
        unit_value = self._unit_value(
            "training_uptake", "month = ? and competence_area = 'all'", [newest], "coverage_12m"
        )
        title = w("groups_training", month=_month(newest))
        columns = [
            Column("personalekategori", w("personalekategori")),
            Column("month", w("month"), _month, raw=True),
            Column("headcount", w("headcount"), self.count, numeric=True),
            Column("people_trained_12m", w("people_trained_12m"), self.count, numeric=True),
            Column("coverage_12m", w("coverage_12m"), self.pct, numeric=True),
            Column("unit_headcount", w("unit_headcount"), self.count, numeric=True),
            Column("ungrouped_headcount", w("ungrouped"), self.count, numeric=True),
        ]
        table = self.hiding_table(
            title,
            columns,
            _records(current),
            mart="training_uptake_by_staff_group",
            key=["kommunekode", "month", "los_id", "personalekategori"],
            hidden_columns=["people_trained_12m", "coverage_12m"],
        )
        ungrouped = int(current.iloc[0]["ungrouped_headcount"])
        return self._group_block(
            "staff-groups-training",
            title,
            current,
            "coverage_12m",
            lambda v: w.percent(v, 0),
            unit_value,
            (0, 1),
            "groups_training_reading",
            ungrouped,
            table,
        )

    # ------------------------------------------------------------------ training

    def training_section(self) -> Section:
        w, s = self.w, self.scope
        section = Section("training", w("training"), [], w("no_data"))
        rows = self.marts.rows(
            "training_uptake", "kommunekode = ? and competence_area = 'all'", [s.kommunekode], order="month, los_id"
        )
        if not rows.empty:
            own = rows[rows["los_id"] == s.los_id].sort_values("month")
            months = [_month(m) for m in own["month"]]
            section.blocks.append(self._monthly(own, months))
            section.blocks.append(self._hours(own, months))
            newest = rows["month"].max()
            section.blocks.append(self._coverage(self.unit_rows(rows[rows["month"] == newest]), _month(newest)))
        after = self.marts.rows(
            "training_after_maturity",
            "kommunekode = ? and los_id = ?",
            [s.kommunekode, s.los_id],
            order="wave, competence_area",
        )
        if not after.empty:
            section.blocks.append(self._after(after))
        return section

    def _training_table(self, records: list[dict], caption: str, only: Sequence[str] | None = None) -> Table:
        w = self.w
        columns = [
            Column("enhedsnavn", w("unit")),
            Column("month", w("month"), _month, raw=True),
            Column("headcount", w("headcount"), self.count, numeric=True),
            Column("fte", w("fte"), self.one, numeric=True),
            Column("completions", w("completions"), self.count, numeric=True),
            Column("people_trained", w("people_trained"), self.count, numeric=True),
            Column("training_hours", w("training_hours"), self.one, numeric=True),
            Column("hours_per_fte", w("hours_per_fte"), self.score, numeric=True),
            Column("coverage_12m", w("coverage_12m"), self.pct, numeric=True),
        ]
        if only is not None:
            columns = [c for c in columns if c.name in ("enhedsnavn", "month", *only)]
        return self.hiding_table(
            caption,
            columns,
            records,
            mart="training_uptake",
            key=["kommunekode", "month", "los_id", "competence_area"],
            hidden_columns=["completions", "people_trained", "training_hours", "hours_per_fte", "coverage_12m"],
        )

    def _monthly(self, own: pd.DataFrame, months: list[str]) -> Block:
        w = self.w
        completions = [None if pd.isna(v) else float(v) for v in own["completions"]]
        people = [None if pd.isna(v) else float(v) for v in own["people_trained"]]
        figure = charts.bars_and_line(
            months, completions, w("completions"), people, w("people_trained"), self.count, self.hidden()
        )
        known = [(v, m) for v, m in zip(completions, months, strict=False) if v is not None]
        total = sum(v for v, _ in known)
        best = max(known) if known else (None, "–")
        reading = w(
            "monthly_reading",
            completions=self.count(total),
            months=len(months),
            best=best[1],
            best_value=self.count(best[0]),
        )
        title = w("monthly")
        notes = [w("suppressed_note", min_cell=self.min_cell)] if len(known) < len(months) else []
        return Block(
            "training-monthly",
            title,
            reading,
            self.svg(figure, title),
            [self._training_table(_records(own), title, ["headcount", "completions", "people_trained"])],
            w("table"),
            notes=notes,
        )

    def _hours(self, own: pd.DataFrame, months: list[str]) -> Block:
        w = self.w
        values = [None if pd.isna(v) else float(v) for v in own["hours_per_fte"]]
        figure = charts.lines(months, {w("hours_per_fte"): values}, w("hours_per_fte"), self.score, height_in=2.6)
        known = [(m, v) for m, v in zip(months, values, strict=False) if v is not None]
        reading = (
            w("hours_fte_reading", month=known[-1][0], value=self.score(known[-1][1]))
            if known
            else w("suppressed_note", min_cell=self.min_cell)
        )
        title = w("hours_fte")
        return Block(
            "training-hours",
            title,
            reading,
            self.svg(figure, title),
            [self._training_table(_records(own), title, ["fte", "training_hours", "hours_per_fte"])],
            w("table"),
        )

    def _coverage(self, units: pd.DataFrame, month: str) -> Block:
        w = self.w
        labels = list(units["enhedsnavn"])
        values = [None if pd.isna(v) else float(v) for v in units["coverage_12m"]]
        figure = charts.bars(labels, values, w("coverage_12m"), lambda v: w.percent(v, 0), self.hidden(), limits=(0, 1))
        own = units[units["los_id"] == self.scope.los_id]
        value = None if own.empty or pd.isna(own.iloc[0]["coverage_12m"]) else own.iloc[0]["coverage_12m"]
        reading = (
            w("coverage_reading", value=self.pct(value))
            if value is not None
            else w("suppressed_note", min_cell=self.min_cell)
        )
        title = w("coverage", month=month)
        return Block(
            "training-coverage",
            title,
            reading,
            self.svg(figure, title),
            [self._training_table(_records(units), title, ["headcount", "coverage_12m"])],
            w("table"),
        )

    def _after(self, after: pd.DataFrame) -> Block:
        w = self.w
        complete = after[after["followup_complete"]]
        wave = sorted((complete if not complete.empty else after)["wave"].unique())[-1]
        rows = after[after["wave"] == wave]
        basic = [self._value(rows, "competence_area", a, "share_basic_trained_6m") for a in AREAS]
        everyone = [self._value(rows, "competence_area", a, "share_trained_6m") for a in AREAS]
        figure = charts.grouped_bars(
            [w.area(a) for a in AREAS],
            {w("share_basic_trained_6m"): basic, w("share_trained_6m"): everyone},
            w("share_trained_6m"),
            lambda v: w.percent(v, 0),
            self.hidden(),
            limits=(0, 1),
        )
        reading = w("after_reading", basic=self.pct(basic[-1]), all=self.pct(everyone[-1]))
        notes = []
        overall = rows[rows["competence_area"] == "all"]
        if not overall.empty and not bool(overall.iloc[0]["followup_complete"]):
            notes.append(w("after_incomplete", months=int(overall.iloc[0]["followup_months_loaded"])))
        title = w("after", wave=wave)
        columns = [
            Column("competence_area", w("area"), w.area, raw=True),
            Column("linked_respondents", w("linked_respondents"), self.count, numeric=True),
            Column("basic_respondents", w("basic_respondents"), self.count, numeric=True),
            Column("share_basic_trained_6m", w("share_basic_trained_6m"), self.pct, numeric=True),
            Column("share_trained_6m", w("share_trained_6m"), self.pct, numeric=True),
        ]
        table = self.hiding_table(
            title,
            columns,
            _records(rows),
            mart="training_after_maturity",
            key=["kommunekode", "wave", "los_id", "competence_area"],
            hidden_columns=["basic_respondents", "share_basic_trained_6m", "share_trained_6m"],
        )
        return Block(
            "training-after-maturity", title, reading, self.svg(figure, title), [table], w("table"), notes=notes
        )

    # ------------------------------------------------------------------ benefits

    def benefits_section(self) -> Section:
        w, s = self.w, self.scope
        section = Section("benefits", w("benefits"), [], w("no_data"))
        realisation = self.marts.rows(
            "benefit_realisation",
            "kommunekode = ? and not is_future",
            [s.kommunekode],
            order="initiative_id, benefit_id, month",
        )
        if realisation.empty:
            return section
        if not s.is_root:
            realisation = realisation[realisation["los_id"].isin(s.subtree)]
        if not realisation.empty:
            section.blocks.append(self._trajectories(realisation))
            section.blocks.append(self._status(set(realisation["benefit_id"])))
        if s.is_root and self.marts.has("benefit_realisation_by_sektor"):
            block = self._sektor()
            if block is not None:
                section.blocks.append(block)
        return section

    def _trajectories(self, realisation: pd.DataFrame) -> Block:
        w = self.w
        realisation = realisation[realisation["unit"].isin(["DKK", "hours"])]
        per_month = realisation.groupby(["initiative_id", "initiative_name", "unit", "month"], as_index=False)[
            ["planned_cumulative", "realised_cumulative", "target"]
        ].sum()
        newest = per_month.sort_values("month").groupby(["initiative_id", "unit"]).tail(1)
        initiatives = sorted(set(per_month["initiative_id"]))
        panels = []
        on_track = 0
        for initiative in initiatives:
            mine = newest[newest["initiative_id"] == initiative]
            if any(r["realised_cumulative"] >= 0.9 * r["planned_cumulative"] for _, r in mine.iterrows()):
                on_track += 1
        for initiative in initiatives[:MAX_TRAJECTORIES]:
            frame = per_month[per_month["initiative_id"] == initiative]
            unit = "DKK" if (frame["unit"] == "DKK").any() else "hours"
            frame = frame[frame["unit"] == unit].sort_values("month")
            name = str(frame.iloc[0]["initiative_name"])
            panels.append(
                (
                    f"{initiative} {name}"[:38],
                    [_month(m) for m in frame["month"]],
                    list(frame["planned_cumulative"]),
                    list(frame["realised_cumulative"]),
                    "kr." if unit == "DKK" else w("training_hours"),
                )
            )
        figure = charts.trajectories(panels, w("planned"), w("realised"), self.count)
        month = _month(per_month["month"].max())
        reading = w("trajectory_reading", on_track=on_track, total=len(initiatives), month=month)
        title = w("trajectory")
        columns = [
            Column("initiative_id", w("initiative")),
            Column("initiative_name", w("initiative")),
            Column("benefit_id", w("benefit")),
            Column("unit", w("benefit_unit")),
            Column("month", w("month"), _month, raw=True),
            Column("target", w("target"), self.one, numeric=True),
            Column("planned_cumulative", w("planned"), self.one, numeric=True),
            Column("realised_cumulative", w("realised"), self.one, numeric=True),
            Column("realisation_pct", w("realisation_pct"), self.pct, numeric=True),
            Column("status", w("status"), w.status, raw=True),
        ]
        latest = (
            realisation.sort_values("month")
            .groupby(["benefit_id"])
            .tail(1)
            .sort_values(["initiative_id", "benefit_id"])
        )
        table = Table(
            title,
            columns,
            _records(latest),
            mart="benefit_realisation",
            key=["kommunekode", "snapshot_date", "initiative_id", "benefit_id", "month"],
        )
        notes = []
        if len(initiatives) > MAX_TRAJECTORIES:
            notes.append(w("trajectory_more", shown=MAX_TRAJECTORIES, total=len(initiatives)))
        return Block("benefits-trajectory", title, reading, self.svg(figure, title), [table], w("table"), notes=notes)

    def _status(self, benefit_ids: set[str]) -> Block:
        w = self.w
        changes = self.marts.rows(
            "benefit_status_changes",
            "kommunekode = ? and is_newest",
            [self.scope.kommunekode],
            order="initiative_id, benefit_id",
        )
        changes = changes[changes["benefit_id"].isin(benefit_ids)] if not changes.empty else changes
        records = _records(changes)
        if not records:
            return Block("benefits-status", w("status_changes", date="–"), w("status_first"), None, [], w("table"))
        snapshot = str(records[0]["snapshot_date"])[:10]
        previous = records[0].get("previous_snapshot_date")
        changed = sum(1 for r in records if r.get("previous_status") != r.get("status"))
        reading = (
            w("status_reading", changed=changed, total=len(records), previous=str(previous)[:10])
            if previous
            else w("status_first")
        )
        title = w("status_changes", date=snapshot)
        columns = [
            Column("initiative_id", w("initiative")),
            Column("benefit_id", w("benefit")),
            Column("gevinsttype", w("benefit_type")),
            Column("previous_status", w("previous_status"), w.status, raw=True),
            Column("status", w("status"), w.status, raw=True),
            Column("previous_realisation_pct", w("previous_status") + " %", self.pct, numeric=True),
            Column("realisation_pct", w("realisation_pct"), self.pct, numeric=True),
        ]
        table = Table(
            title, columns, records, mart="benefit_status_changes", key=["kommunekode", "benefit_id", "snapshot_date"]
        )
        return Block("benefits-status", title, reading, None, [table], w("table"))

    def _sektor(self) -> Block | None:
        w = self.w
        rows = self.marts.rows(
            "benefit_realisation_by_sektor",
            "kommunekode = ? and not is_future",
            [self.scope.kommunekode],
            order="month, sektor, unit",
        )
        if rows.empty:
            return None
        newest = rows["month"].max()
        rows = rows[rows["month"] == newest].sort_values(["unit", "sektor"])
        labels, planned, realised = [], [], []
        for _, r in rows.iterrows():
            labels.append(f"{r['sektor']} ({'kr.' if r['unit'] == 'DKK' else w('training_hours').lower()})")
            planned.append(float(r["planned_cumulative"]) / (float(r["target"]) or 1))
            realised.append(float(r["realised_cumulative"]) / (float(r["target"]) or 1))
        figure = charts.grouped_bars(
            labels,
            {w("planned"): planned, w("realised"): realised},
            w("realisation_pct"),
            lambda v: w.percent(v, 0),
            self.hidden(),
        )
        dkk = rows[rows["unit"] == "DKK"]
        hours = rows[rows["unit"] == "hours"]
        reading = w(
            "sektor_reading",
            dkk=self.count(dkk["realised_cumulative"].sum()),
            dkk_target=self.count(dkk["target"].sum()),
            hours=self.count(hours["realised_cumulative"].sum()),
            hours_target=self.count(hours["target"].sum()),
        )
        title = w("sektor_totals", month=_month(newest))
        columns = [
            Column("sektor", w("sektor")),
            Column("unit", w("benefit_unit")),
            Column("benefits", w("benefit"), self.count, numeric=True),
            Column("target", w("target"), self.count, numeric=True),
            Column("planned_cumulative", w("planned"), self.count, numeric=True),
            Column("realised_cumulative", w("realised"), self.count, numeric=True),
            Column("realisation_pct", w("realisation_pct"), self.pct, numeric=True),
        ]
        table = Table(
            title,
            columns,
            _records(rows),
            mart="benefit_realisation_by_sektor",
            key=["kommunekode", "month", "sektor", "unit"],
        )
        return Block("benefits-sektor", title, reading, self.svg(figure, title), [table], w("table"))

    # ------------------------------------------------------------------ benchmark

    def benchmark_section(self) -> Section:
        w = self.w
        section = Section("benchmark", w("benchmark"), [], w("bench_single"))
        rows = self.marts.rows(
            "benchmark_municipality",
            "kommunekode = ? and municipalities > 1",
            [self.scope.kommunekode],
            order="measure, period, dimension",
        )
        if rows.empty:
            return section
        for measure, title_key, fmt, unit_label in [
            ("maturity_mean_score", "bench", self.score, w("mean_score")),
            ("training_coverage_12m", "bench_training", lambda v: w.percent(v, 0), w("coverage_12m")),
            ("benefit_realisation_pct", "bench_benefits", lambda v: w.percent(v, 0), w("realisation_pct")),
        ]:
            mine = rows[rows["measure"] == measure]
            if mine.empty:
                continue
            period = sorted(mine["period"].unique())[-1]
            mine = mine[mine["period"] == period]
            dimensions = [d for d in AREAS + ["DKK", "hours"] if d in set(mine["dimension"])]
            mine = mine.set_index("dimension").loc[dimensions].reset_index()
            labels = [w.area(d) if d in AREAS else d for d in dimensions]
            stats = [
                {"min": r["min_value"], "p25": r["p25"], "median": r["median"], "p75": r["p75"], "max": r["max_value"]}
                for _, r in mine.iterrows()
            ]
            figure = charts.distribution(labels, stats, list(mine["value"]), w("this_municipality"), unit_label, fmt)
            above = int((mine["value"] > mine["median"]).sum())
            reading = w("bench_reading", n=int(mine["municipalities"].max()), above=above, total=len(mine))
            title = w(title_key, period=period)
            columns = [
                Column("dimension", w("dimension"), lambda d: w.area(d) if d in AREAS else str(d), raw=True),
                Column("value", w("value"), fmt, numeric=True),
                Column("municipalities", w("municipalities"), self.count, numeric=True),
                Column("rank_desc", w("rank_desc"), self.count, numeric=True),
                Column("p25", w("p25"), fmt, numeric=True),
                Column("median", w("median"), fmt, numeric=True),
                Column("p75", w("p75"), fmt, numeric=True),
            ]
            table = Table(
                title,
                columns,
                _records(mine),
                mart="benchmark_municipality",
                key=["kommunekode", "measure", "period", "dimension"],
            )
            section.blocks.append(
                Block(f"benchmark-{measure}", title, reading, self.svg(figure, title), [table], w("table"))
            )
        return section

    # ------------------------------------------------------------------ data quality

    def quality_section(self) -> Section:
        w, k = self.w, self.scope.kommunekode
        section = Section("quality", w("quality"), [], w("no_data"))
        files = self.marts.rows("dq_files", "kommunekode = ?", [k], order="source, file_name")
        if not files.empty:
            statuses = [s for s in ["accepted", "quarantined", "duplicate", "withdrawn"] if s in set(files["status"])]
            sources = sorted(set(files["source"].fillna("?")))
            counts = {
                w(s): [int(((files["source"].fillna("?") == src) & (files["status"] == s)).sum()) for src in sources]
                for s in statuses
            }
            figure = charts.stacked_counts(sources, counts, w("files"))
            totals = files["status"].value_counts()
            reading = w(
                "files_reading",
                accepted=int(totals.get("accepted", 0)),
                quarantined=int(totals.get("quarantined", 0)),
                duplicate=int(totals.get("duplicate", 0)),
            )
            quarantined = files[files["status"] == "quarantined"]
            columns = [
                Column("file_name", w("file")),
                Column("source", w("source")),
                Column(
                    "status",
                    w("status"),
                    lambda s: w(s) if s in ("accepted", "quarantined", "duplicate", "withdrawn") else str(s),
                    raw=True,
                ),
                Column("rows_read", w("rows"), self.count, numeric=True),
                Column("reason", w("reason"), lambda r: r or ""),
            ]
            tables = [
                Table(
                    w("quarantine_table"),
                    columns,
                    _records(quarantined),
                    mart="dq_files",
                    key=["fingerprint", "status"],
                )
            ]
            notes = [] if not quarantined.empty else [w("none_quarantined")]
            section.blocks.append(
                Block(
                    "quality-files",
                    w("files"),
                    reading,
                    self.svg(figure, w("files")),
                    tables,
                    w("quarantine_table"),
                    notes=notes,
                )
            )
        checks = self.marts.rows(
            "data_quality", "kommunekode = ? and issue_count > 0", [k], order="source, check_name, period"
        )
        if not checks.empty:
            totals = checks.groupby(["source", "check_name"], as_index=False)["issue_count"].sum()
            labels = [f"{r.source}: {r.check_name}" for r in totals.itertuples()]
            figure = charts.bars(labels, list(totals["issue_count"].astype(float)), w("issue_count"), self.count, "–")
            columns = [
                Column("source", w("source")),
                Column("period", w("period")),
                Column("check_name", w("check")),
                Column("issue_count", w("issue_count"), self.count, numeric=True),
                Column("out_of", w("out_of"), self.count, numeric=True),
                Column("description", w("description")),
            ]
            table = Table(
                w("dq_checks"),
                columns,
                _records(checks),
                mart="data_quality",
                key=["kommunekode", "source", "period", "check_name"],
            )
            reading = w("dq_reading", issues=len(totals), records=self.count(totals["issue_count"].sum()))
            section.blocks.append(
                Block("quality-checks", w("dq_checks"), reading, self.svg(figure, w("dq_checks")), [table], w("table"))
            )
        freshness = self.marts.mart_freshness()
        columns = [
            Column("mart", w("mart")),
            Column("built", w("built"), lambda t: t.strftime("%Y-%m-%d %H:%M")),
            Column("rows", w("rows"), self.count, numeric=True),
        ]
        table = Table(w("freshness"), columns, _records(freshness))
        newest = freshness["built"].max() if not freshness.empty else None
        reading = w(
            "generated",
            published=newest.strftime("%Y-%m-%d %H:%M UTC") if newest is not None else "–",
            min_cell=self.min_cell,
        )
        section.blocks.append(Block("quality-freshness", w("freshness"), reading, None, [table], w("table")))
        return section


__all__ = ["ReportError", "render_due", "render_report", "report_path"]
