"""`digilead status` and the demo's summary: read-only views of the warehouse.

`digilead status` shows, per municipality, what was loaded and every data-quality count that needs
attention (records that could not be placed or linked, from marts.data_quality), in plain words;
`--json` gives the same as data, `--check` turns it into an exit code for cron and monitoring.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

import duckdb

from pipelines.landing import actionable
from pipelines.settings import Settings
from pipelines.warehouse import FileRecord, Warehouse, current_files

SOURCE_WORDS = {
    "survey_responses": "survey responses",
    "training": "training records",
    "hr_employees": "HR employees",
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# `digilead status --check`, as monitoring plugins (Nagios, Icinga) read exit codes
CHECK_OK, CHECK_WARNING, CHECK_ERROR, CHECK_UNKNOWN = 0, 1, 2, 3


@dataclass(frozen=True)
class Issue:
    """A row of marts.data_quality with issue_count > 0: records of one municipality period that were
    counted instead of placed, linked or used."""

    kommunekode: str
    source: str
    period: str
    check_name: str
    issue_count: int
    out_of: int | None
    description: str
    severity: str  # error | warning | info

    def sentence(self) -> str:
        """In plain words, e.g. '2025H2 survey responses: 3 of 210 unlinked respondents (employee_ref found in
        no HR extract: counted at the survey los_id)'."""
        of = f" of {self.out_of:,}" if self.out_of else ""
        what = self.check_name.replace("_", " ")
        return (
            f"{self.period} {SOURCE_WORDS.get(self.source, self.source)}: {self.issue_count:,}{of} {what} "
            f"({self.description})"
        )


def issue_lines(issues: list[Issue], with_kommunekode: bool) -> list[str]:
    """One line per issue, except that the same check of a municipality over three or more periods is one
    line with the periods' range and totals (twelve months of "2 unlinked completions" are one finding)."""
    groups: dict[tuple, list[Issue]] = {}
    for issue in issues:
        groups.setdefault((issue.kommunekode, issue.severity, issue.source, issue.check_name), []).append(issue)
    lines = []
    for (kommunekode, severity, _source, _check), group in groups.items():
        label = f"{severity.upper() if severity == 'error' else severity:<7} "
        prefix = f"  {kommunekode} " if with_kommunekode else "  "
        if len(group) < 3:
            lines += [prefix + label + issue.sentence() for issue in group]
            continue
        periods = sorted(issue.period for issue in group)
        out_of = sum(issue.out_of or 0 for issue in group)
        total = Issue(
            kommunekode,
            group[0].source,
            f"{periods[0]} to {periods[-1]} ({len(periods)} periods)",
            group[0].check_name,
            sum(issue.issue_count for issue in group),
            out_of or None,
            group[0].description,
            severity,
        )
        lines.append(prefix + label + total.sentence())
    return lines


def data_quality_issues(con, kommuner: list[str] | None = None) -> list[Issue]:
    """marts.data_quality's rows with issue_count > 0 (of these municipalities), errors first."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = 'data_quality'"
        ).fetchall()
    }
    if not columns:
        return []  # not built yet
    severity = "severity" if "severity" in columns else "'warning'"
    rows = con.execute(
        f"""select kommunekode, source, period, check_name, issue_count, out_of, description, {severity}
            from marts.data_quality
            where issue_count > 0 and ($kommuner is null or kommunekode in (select unnest($kommuner)))
            order by kommunekode, period, source, check_name""",
        {"kommuner": kommuner},
    ).fetchall()
    issues = [Issue(*row) for row in rows]
    return sorted(issues, key=lambda issue: (issue.kommunekode, SEVERITY_ORDER.get(issue.severity, 3)))


@dataclass
class Status:
    """What `digilead status` shows (and `--json` prints as it is)."""

    home: str
    warehouse: str
    note: str | None = None  # why the warehouse could not be read (no warehouse yet, a run holds it)
    last_run: dict | None = None
    files: list[dict] = field(default_factory=list)  # one per file: its newest record; each duplicate copy
    in_landing: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    marts: dict[str, int] = field(default_factory=dict)

    @property
    def attention(self) -> str:
        """'error' (people of a municipality period cannot be placed), 'warning', 'ok', or 'unknown'."""
        if self.note:
            return "unknown"
        severities = {issue.severity for issue in self.issues}
        return "error" if "error" in severities else ("warning" if "warning" in severities else "ok")

    def check_code(self) -> int:
        return {"ok": CHECK_OK, "warning": CHECK_WARNING, "error": CHECK_ERROR}.get(self.attention, CHECK_UNKNOWN)

    def as_json(self) -> str:
        document = asdict(self)
        document["attention"] = self.attention
        return json.dumps(document, indent=2, ensure_ascii=False, default=str)

    def render(self) -> str:
        lines = [f"digilead status: DIGILEAD_HOME {self.home} (warehouse {self.warehouse})"]
        if self.note:
            lines.append(self.note)
        if self.last_run:
            run = self.last_run
            lines.append(
                f"last run: {run['started_at']:%Y-%m-%d %H:%M} UTC, {run['seconds']:.0f} s, {run['outcome']} "
                f"({run['accepted']} accepted, {run['quarantined']} quarantined, {run['duplicates']} duplicates)"
            )
        elif not self.note:
            lines.append("last run: none recorded")
        counts = Counter(file["status"] for file in self.files)
        lines.append(
            "files: "
            + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none processed yet")
            + f"; {len(self.in_landing)} in landing/"
        )
        attention = {
            "ok": "data quality: nothing needs attention",
            "warning": "data quality: some records could not be placed or linked (below)",
            "error": "data quality: ERROR: a municipality period's people cannot be placed at all (below)",
        }
        if self.attention in attention:
            lines.append(attention[self.attention])
        for kommunekode in sorted({f["kommunekode"] for f in self.files if f["kommunekode"]}):
            lines += ["", f"municipality {kommunekode}: " + _files_by_source(self.files, kommunekode)]
            issues = [issue for issue in self.issues if issue.kommunekode == kommunekode]
            lines += issue_lines([issue for issue in issues if issue.severity != "info"], with_kommunekode=False)
            informational = sum(1 for issue in issues if issue.severity == "info")
            if informational:
                lines.append(
                    f"  info    {informational} expected count(s) (merged duplicates, previews, redeliveries ...): "
                    "`digilead status --json` lists them"
                )
        quarantined = [f for f in self.files if f["status"] == "quarantined"]
        if quarantined:
            lines += ["", "quarantined (fix the file and drop it into landing/ again; docs/files.md):"]
            lines += [f"  {f['file_name']}: {without_name(f['reason'] or '', f['file_name'])}" for f in quarantined]
        if self.in_landing:
            lines += ["", "in landing/:"] + [f"  {f['file_name']}: {f['why']}" for f in self.in_landing]
        if self.marts:
            lines += ["", "marts (rows): " + ", ".join(f"{name} {rows:,}" for name, rows in self.marts.items())]
        elif not self.note:
            lines += ["", "marts: not built yet"]
        return "\n".join(lines)


def without_name(reason: str, name: str) -> str:
    """A reason's summary starts with the file's name (reason files stand alone); a list naming it drops that."""
    return reason[len(name) :].lstrip(" :,") if reason.startswith(name) else reason


def collect_status(settings: Settings) -> Status:
    status = Status(home=str(settings.home), warehouse=str(settings.warehouse))
    # every entry, also a directory with a delivery's name: it must not sit there unnoticed
    landing = sorted(p.name for p in settings.landing.iterdir()) if settings.landing.exists() else []
    status.in_landing = [{"file_name": name, "why": _why_in_landing(settings, name)} for name in landing]
    warehouse = Warehouse(settings.warehouse)
    if not warehouse.path.exists():
        status.note = "no warehouse yet: nothing has been processed (run `digilead run`)"
        return status
    try:
        with warehouse.connect(read_only=True) as con:
            status.files = _files(con)
            status.last_run = _last_run(con)
            status.issues = data_quality_issues(con)
            status.marts = _marts(con)
    except duckdb.Error as error:  # most often: a run holds the write lock right now
        status.note = (
            f"cannot read the warehouse right now ({error.__class__.__name__}): is a run in progress? try again shortly"
        )
    return status


def status_report(settings: Settings) -> str:
    return collect_status(settings).render()


def _files_by_source(files: list[dict], kommunekode: str) -> str:
    by_source: dict[str, list[str]] = defaultdict(list)
    for file in files:
        if file["kommunekode"] == kommunekode and file["status"] == "accepted":
            by_source[file["source"]].append(file["period"] or "")
    if not by_source:
        return "no file accepted yet"
    parts = []
    for source, periods in sorted(by_source.items()):
        known = sorted(p for p in periods if p)
        span = f" {known[0]}" if len(set(known)) == 1 else (f" {known[0]} to {known[-1]}" if known else "")
        parts.append(f"{source} {len(periods)}{span}")
    return "accepted " + ", ".join(parts)


def _files(con) -> list[dict]:
    # A file counts once, by its state (its newest record); each duplicate record is a copy of its own in
    # archive/duplicates/.
    records = [(state.processed_at, state.record, state.times_withdrawn) for state in current_files(con)] + [
        (processed_at, FileRecord(*row), 0)
        for *row, processed_at in con.execute(
            """select fingerprint, file_name, source, kommunekode, period, status, rows_read, rows_loaded,
                      rows_rejected, reason, moved_to, run_id, processed_at
               from meta.files where status = 'duplicate'"""
        ).fetchall()
    ]
    records.sort(key=lambda item: (item[0], item[1].file_name))
    return [
        {
            "file_name": record.file_name,
            "source": record.source,
            "kommunekode": record.kommunekode,
            "period": record.period,
            "status": record.status,
            "rows_read": record.rows_read,
            "rows_loaded": record.rows_loaded,
            "rows_rejected": record.rows_rejected,
            "reason": record.reason,
            "times_reprocessed": reprocessed,
            "processed_at": processed_at,
        }
        for processed_at, record, reprocessed in records
    ]


def _why_in_landing(settings: Settings, name: str) -> str:
    path = settings.landing / name
    if path.is_symlink():
        return "a symbolic link: the next run quarantines it, links are never followed"
    if not path.is_file():
        return "not a file but a directory or device: digilead leaves it alone; remove it"
    if not actionable(name):
        return "still being written (a transfer in progress)"
    return "waiting to be processed (or for data it needs, or withdrawn for re-processing)"


def _last_run(con) -> dict | None:
    row = con.execute(
        """select run_id, started_at, finished_at, outcome, files_accepted, files_quarantined, files_duplicate
           from meta.runs order by started_at desc limit 1"""
    ).fetchone()
    if not row:
        return None
    return {
        "run_id": row[0],
        "started_at": row[1],
        "seconds": (row[2] - row[1]).total_seconds(),
        "outcome": row[3],
        "accepted": row[4],
        "quarantined": row[5],
        "duplicates": row[6],
    }


def _marts(con) -> dict[str, int]:
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
    ).fetchall()
    return {name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for (name,) in tables}


def maturity_summary(settings: Settings) -> str:
    """A few headline numbers of marts.digital_maturity, read from the published serving copy."""
    published = Warehouse(settings.published / "digilead.duckdb")
    try:
        with published.connect(read_only=True) as con:
            rows, units, waves, suppressed = con.execute(
                """select count(*), count(distinct los_id), count(distinct wave), count(*) filter (where suppressed)
                   from marts.digital_maturity"""
            ).fetchone()
            headline = con.execute(
                """select kommunekode, wave, respondents, headcount, response_rate, mean_score,
                          share_basic, share_advanced, change
                   from marts.digital_maturity
                   where is_root and competence_area = 'all' order by kommunekode, wave"""
            ).fetchall()
    except Exception as error:
        return f"marts.digital_maturity is not available yet ({error})"
    lines = [
        f"marts.digital_maturity: {rows:,} rows, {units} units, {waves} waves, {suppressed:,} rows suppressed (small cells: README 'Small cells and secondary suppression')",
        "whole municipality, all competence areas:",
    ]
    for kommune, wave, respondents, headcount, rate, mean, basic, advanced, change in headline:
        lines.append(
            f"  {kommune} {wave}: {respondents} respondents of {headcount} employees ({_pct(rate)}), mean score {_num(mean)}, "
            f"basic {_pct(basic)}, advanced {_pct(advanced)}, change {_num(change, signed=True)}"
        )
    return "\n".join(lines)


def benefits_summary(settings: Settings) -> str:
    """Headline of marts.benefit_realisation (the register in force), read from the published copy."""
    published = Warehouse(settings.published / "digilead.duckdb")
    try:
        with published.connect(read_only=True) as con:
            rows = con.execute(
                """with latest as (  -- each benefit's row for the register's own month (or its last month before)
                       select * from marts.benefit_realisation where not is_future and benefit_kind = 'flow'
                       qualify month = max(month) over (partition by kommunekode, benefit_id))
                   select kommunekode, max(snapshot_date), unit, sum(realised_cumulative), sum(target),
                          count(*) filter (where status = 'stopped'), count(*)
                   from latest group by kommunekode, unit order by 1, 3"""
            ).fetchall()
            changes = con.execute("select count(*) from marts.benefit_status_changes where is_newest").fetchone()[0]
    except Exception as error:
        return f"marts.benefit_realisation is not available yet ({error})"
    lines = ["benefit realisation (the newest register, flows, as of its date):"]
    for kommune, day, unit, realised, target, stopped, benefits in rows:
        lines.append(
            f"  {kommune} register {day}: {realised:,.0f} of {target:,.0f} {unit} realised "
            f"({_pct(realised / target if target else None)}) over {benefits} benefits, {stopped} stopped"
        )
    lines.append(f"  {changes} benefit(s) changed status since the previous register")
    return "\n".join(lines)


def training_summary(settings: Settings) -> str:
    """Headline of marts.training_uptake for the whole municipality, newest months first."""
    published = Warehouse(settings.published / "digilead.duckdb")
    try:
        with published.connect(read_only=True) as con:
            rows = con.execute(
                """select kommunekode, strftime(month, '%Y-%m'), completions, people_trained, training_hours,
                          hours_per_fte, coverage_12m
                   from marts.training_uptake where is_root and competence_area = 'all'
                   order by kommunekode, month desc limit 3"""
            ).fetchall()
    except Exception as error:
        return f"marts.training_uptake is not available yet ({error})"
    lines = ["training uptake (whole municipality, all areas, newest months):"]
    for kommune, month, completions, people, hours, per_fte, coverage in rows:
        lines.append(
            f"  {kommune} {month}: {completions} completions by {people} people, {_num(hours)} hours "
            f"({_num(per_fte)} per FTE), 12-month coverage {_pct(coverage)}"
        )
    return "\n".join(lines)


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _num(value, signed: bool = False) -> str:
    return "-" if value is None else (f"{value:+.2f}" if signed else f"{value:.2f}")
