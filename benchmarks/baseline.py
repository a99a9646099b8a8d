"""The limit digilead is measured against: benchmarks/baseline.sql in plain DuckDB over the same files.

    normalise(landing, folder)  the landing files in forms DuckDB reads directly (UTF-8 CSV; SurveyXact
                                ZIPs unpacked; XLSX sheets as CSV): timed on its own, not part of the limit
    run_baseline(folder, db)    baseline.sql into a fresh DuckDB file; returns its wall time
    compare(db, published)      the baseline's three marts against the pipeline's published ones, row by row on
                                the contract's columns (floats within 1e-9), with the first differing rows

`python -m benchmarks.baseline LANDING PUBLISHED_DB` runs all three and prints the result as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import resource
import sys
import time
import zipfile
from pathlib import Path

import duckdb

BASELINE_SQL = Path(__file__).resolve().parent / "baseline.sql"
MART_KEYS = {  # the grain of each mart (contract §5)
    "digital_maturity": ["kommunekode", "wave", "los_id", "competence_area"],
    "training_uptake": ["kommunekode", "month", "los_id", "competence_area"],
    "benefit_realisation": ["kommunekode", "initiative_id", "benefit_id", "month"],
}
MART_COLUMNS = {  # the columns the contract defines (§5); the pipeline's extras are not compared
    "digital_maturity": [
        "respondents",
        "headcount",
        "response_rate",
        "mean_score",
        "share_basic",
        "share_advanced",
        "prev_mean_score",
        "change",
        "suppressed",
    ],
    "training_uptake": [
        "headcount",
        "fte",
        "completions",
        "people_trained",
        "training_hours",
        "hours_per_fte",
        "coverage_12m",
        "suppressed",
    ],
    "benefit_realisation": ["realised_cumulative", "planned_cumulative", "realisation_pct", "status"],
}


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _dialect(name: str, text: str) -> str:
    first = text.split("\n", 1)[0]
    return "qualtrics" if first.startswith("StartDate") else "flat"


def normalise(landing: Path, folder: Path) -> dict[str, int]:
    """Write every landing file DuckDB cannot read as delivered in a form it can; returns counts per kind."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for path in sorted(landing.iterdir()):
        name, suffix = path.name, path.suffix.lower()
        stem = name[: -len(suffix)]
        if suffix == ".csv":
            text = _text(path.read_bytes())
            if name.lower().startswith("survey_responses_"):
                kind = _dialect(name, text)
                (folder / f"{stem}.{kind}.csv").write_text(text, encoding="utf-8")
            else:
                kind = "csv"
                (folder / name).write_text(text, encoding="utf-8")
        elif suffix == ".zip":
            kind = "surveyxact"
            with zipfile.ZipFile(path) as archive:
                for member in ("dataset", "labels"):
                    text = _text(archive.read(f"{member}.csv"))
                    (folder / f"{stem}.{member}.csv").write_text(text, encoding="utf-8")
        elif suffix == ".xlsx":
            kind = _xlsx_to_csv(path, folder, stem)
        else:
            kind = suffix.lstrip(".")
            (folder / name).write_bytes(path.read_bytes())
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _xlsx_to_csv(path: Path, folder: Path, stem: str) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    kind = "forms" if stem.lower().startswith("survey_responses_") else "xlsx"
    for sheet in workbook.worksheets:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(
                ["" if v is None else (v.isoformat(sep=" ") if hasattr(v, "isoformat") else v) for v in row]
            )
        target = f"{stem}.forms.csv" if kind == "forms" else f"{stem}.{sheet.title}.xlsx.csv"
        (folder / target).write_text(buffer.getvalue(), encoding="utf-8")
    workbook.close()
    return kind


SECTION = re.compile(r"^-- section (\S+)\n.*?^-- end section\n", re.M | re.S)
OPTIONAL_COLUMNS = {  # placeholder -> (the files, the optional columns they may all lack)
    "flat_absent_columns": ("survey_responses_*.flat.csv", ("employee_ref", "submitted_at")),
    "surveyxact_absent_columns": ("survey_responses_*.dataset.csv", ("closetime",)),
    "training_csv_absent_columns": ("training_*.csv", ("user_email", "medarbejdernr", "hours")),
}


def baseline_sql(folder: Path, min_cell: int = 5) -> str:
    """baseline.sql for the files in `folder`: sections of absent dialects dropped, absent columns added."""
    sql = SECTION.sub(lambda m: m.group(0) if any(folder.glob(m.group(1))) else "", BASELINE_SQL.read_text())
    for placeholder, (pattern, columns) in OPTIONAL_COLUMNS.items():
        headers = [_header(path) for path in folder.glob(pattern)]
        absent = [c for c in columns if not any(c in header for header in headers)]
        sql = sql.replace("{" + placeholder + "}", "".join(f", null::varchar as {c}" for c in absent))
    return sql.replace("{files}", str(folder)).replace("{min_cell}", str(min_cell))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        first = handle.readline()
    delimiter = max(";,\t", key=first.count)
    return [name.strip().lower() for name in first.rstrip("\r\n").split(delimiter)]


def run_baseline(folder: Path, database: Path, min_cell: int = 5) -> dict[str, float]:
    """baseline.sql over `folder` into a fresh `database`: its wall time and CPU time (DuckDB's threads
    included) in seconds, and the process's peak resident set."""
    database.unlink(missing_ok=True)
    sql = baseline_sql(folder, min_cell)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    with duckdb.connect(str(database)) as con:
        # a session setting: DuckDB 2 refuses it as a connect() option once another database is open
        con.execute("set enable_progress_bar = false")
        con.execute(sql)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "max_rss_mb": round(after.ru_maxrss / 1024, 1)}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def compare(database: Path, published: Path, marts: list[str] | None = None) -> dict[str, dict]:
    """Row by row, the baseline's marts against the pipeline's published ones (contract columns)."""
    result = {}
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute(f"attach '{published}' as pipeline (read_only)")
        for mart in marts or list(MART_KEYS):
            keys, columns = MART_KEYS[mart], MART_COLUMNS[mart]
            select = ", ".join(f"cast({c} as varchar) as {c}" for c in keys) + ", " + ", ".join(columns)
            order = ", ".join(keys)
            ours = con.execute(f"select {select} from main.{mart} order by {order}").fetchall()
            theirs = con.execute(f"select {select} from pipeline.marts.{mart} order by {order}").fetchall()
            ours_by_key = {row[: len(keys)]: row[len(keys) :] for row in ours}
            theirs_by_key = {row[: len(keys)]: row[len(keys) :] for row in theirs}
            only_ours = sorted(set(ours_by_key) - set(theirs_by_key))
            only_theirs = sorted(set(theirs_by_key) - set(ours_by_key))
            differing = [
                (key, column, ours_by_key[key][i], theirs_by_key[key][i])
                for key in sorted(set(ours_by_key) & set(theirs_by_key))
                for i, column in enumerate(columns)
                if not _same(ours_by_key[key][i], theirs_by_key[key][i])
            ]
            result[mart] = {
                "rows": len(ours),
                "pipeline_rows": len(theirs),
                "equal": not only_ours and not only_theirs and not differing,
                "only_baseline": [list(k) for k in only_ours[:5]],
                "only_pipeline": [list(k) for k in only_theirs[:5]],
                "differing": [[list(k), c, repr(a), repr(b)] for k, c, a, b in differing[:10]],
                "differing_count": len(differing),
                "differing_by_column": {c: n for c in columns if (n := sum(d[1] == c for d in differing))},
            }
    return result


def main(argv: list[str]) -> int:
    landing, published = Path(argv[0]), Path(argv[1])
    work = Path(argv[2]) if len(argv) > 2 else landing.parent / "baseline"
    started = time.monotonic()
    counts = normalise(landing, work / "files")
    normalise_s = time.monotonic() - started
    report = {
        "normalise_s": round(normalise_s, 2),
        "files": counts,
        "baseline": run_baseline(work / "files", work / "baseline.duckdb"),
    }
    report["compare"] = compare(work / "baseline.duckdb", published)
    print(json.dumps(report, indent=2))
    return 0 if all(c["equal"] for c in report["compare"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
