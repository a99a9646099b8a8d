"""`digilead status` and the demo's summary: read-only views of the warehouse."""

from __future__ import annotations

from pipelines.landing import actionable
from pipelines.settings import Settings
from pipelines.warehouse import FileRecord, Warehouse, current_files


def status_report(settings: Settings) -> str:
    warehouse = Warehouse(settings.warehouse)
    lines = [f"DIGILEAD_HOME {settings.home}", f"warehouse     {settings.warehouse}"]
    # every entry, also a directory with a delivery's name: it must not sit there unnoticed
    landing = sorted(p.name for p in settings.landing.iterdir()) if settings.landing.exists() else []
    if not warehouse.path.exists():
        lines.append("no warehouse yet: nothing has been processed (run `digilead run`)")
        lines += [f"in landing: {name}" + _not_a_file(settings, name) for name in landing]
        return "\n".join(lines)
    try:
        with warehouse.connect(read_only=True) as con:
            lines += _files(con) + _landing(settings, landing) + _runs(con) + _data_quality(con) + _marts(con)
    except Exception as error:  # most often: a run holds the write lock right now
        lines.append(
            f"cannot read the warehouse right now ({error.__class__.__name__}): is a run in progress? try again shortly"
        )
    return "\n".join(lines)


def _files(con) -> list[str]:
    # A file counts once, by its state (its newest record); each duplicate record is a copy of its own in
    # archive/duplicates/.
    files = [(state.processed_at, state.record, state.times_withdrawn) for state in current_files(con)] + [
        (processed_at, FileRecord(*row), 0)
        for *row, processed_at in con.execute(
            """select fingerprint, file_name, source, kommunekode, period, status, rows_read, rows_loaded,
                      rows_rejected, reason, moved_to, run_id, processed_at
               from meta.files where status = 'duplicate'"""
        ).fetchall()
    ]
    files.sort(key=lambda file: (file[0], file[1].file_name))
    counts: dict[str, int] = {}
    for _, record, _ in files:
        counts[record.status] = counts.get(record.status, 0) + 1
    lines = ["", "files seen: " + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none")]
    for _, record, reprocessed in files:
        detail = (
            f"{record.rows_loaded}/{record.rows_read} rows loaded"
            if record.status == "accepted"
            else (record.reason or "")
        )
        if reprocessed and record.status != "withdrawn":
            detail += f" (re-processed {reprocessed}x)"
        lines.append(f"  {record.status:<11} {record.file_name:<48} {record.source or '-':<17} {detail}")
    return lines


def _not_a_file(settings: Settings, name: str) -> str:
    path = settings.landing / name
    if path.is_symlink():
        return " (a symbolic link: the next run quarantines it, links are never followed)"
    if not path.is_file():
        return " (not a file but a directory or device: digilead leaves it alone; remove it)"
    return ""


def _landing(settings: Settings, landing: list[str]) -> list[str]:
    if not landing:
        return []
    lines = ["", "still in landing:"]
    for name in landing:
        why = _not_a_file(settings, name).strip(" ()") or (
            "waiting to be processed (or for data it needs, or withdrawn for re-processing)"
            if actionable(name)
            else "still being written (a transfer in progress)"
        )
        lines.append(f"  {name:<48} {why}")
    return lines


def _runs(con) -> list[str]:
    row = con.execute(
        "select run_id, started_at, finished_at, outcome, files_accepted, files_quarantined, files_duplicate from meta.runs order by started_at desc limit 1"
    ).fetchone()
    if not row:
        return ["", "last run: none recorded"]
    return [
        "",
        f"last run: {row[1]:%Y-%m-%d %H:%M:%S} UTC, {(row[2] - row[1]).total_seconds():.1f} s, {row[3]} "
        f"({row[4]} accepted, {row[5]} quarantined, {row[6]} duplicates)",
    ]


def _data_quality(con) -> list[str]:
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    if "data_quality" not in tables:
        return []
    rows = con.execute("select * from marts.data_quality order by all").fetchall()
    columns = [c[0] for c in con.execute("select * from marts.data_quality limit 0").description]
    return ["", "data quality:"] + [
        "  " + ", ".join(f"{column}={value}" for column, value in zip(columns, row)) for row in rows
    ]


def _marts(con) -> list[str]:
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
    ).fetchall()
    if not tables:
        return ["", "marts: not built yet"]
    lines = ["", "marts (rows):"]
    for (name,) in tables:
        count = con.execute(f"select count(*) from marts.{name}").fetchone()[0]
        lines.append(f"  marts.{name:<28} {count:>10,}")
    return lines


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
