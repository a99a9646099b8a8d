"""What the `digilead` commands print and how they exit: --help with settings and exit codes, --version,
`status` per municipality in plain words (and --json, --check), the run summary's data-quality lines, the
writer lock's wait made visible. Hand-made warehouses, no pipeline run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines import cli
from pipelines.run import RunOutcome
from pipelines.settings import Settings
from pipelines.status import Issue
from pipelines.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[1]

DATA_QUALITY = [
    # kommunekode, source, period, check_name, issue_count, out_of, description, severity
    (
        "0751",
        "survey_responses",
        "2025H2",
        "unlinked_respondents",
        3,
        210,
        "employee_ref found in no HR extract",
        "warning",
    ),
    ("0751", "survey_responses", "2025H2", "duplicate_submissions_merged", 2, 213, "the latest counts", "info"),
    ("0751", "training", "2025-07", "unlinked_completions", 0, 40, "learner found in no HR extract", "warning"),
    (
        "0101",
        "survey_responses",
        "2026H1",
        "respondents_at_unknown_unit",
        80,
        80,
        "los_id not in the org tree",
        "error",
    ),
]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    for name in ("DIGILEAD_WAREHOUSE", "DIGILEAD_PSEUDONYM_KEY", "DIGILEAD_MIN_CELL", "DIGILEAD_POSTGRES_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIGILEAD_HOME", str(tmp_path))
    return tmp_path


def _warehouse(home: Path, data_quality: list[tuple]) -> None:
    """A warehouse as a run leaves it: two accepted files, one quarantined, a run, marts.data_quality."""
    warehouse = Warehouse(home / "warehouse.duckdb")
    warehouse.ensure_schema()
    with warehouse.connect() as con:
        con.execute(
            """insert into meta.files (fingerprint, file_name, source, kommunekode, period, status, rows_read,
                                       rows_loaded, rows_rejected, reason, processed_at)
               values ('a', 'survey_responses_0751_2025H2.csv', 'survey_responses', '0751', '2025H2', 'accepted',
                       213, 213, 0, null, '2026-01-02 10:00:00'),
                      ('b', 'hr_employees_0101_2026-06.csv', 'hr_employees', '0101', '2026-06', 'accepted',
                       5, 5, 0, null, '2026-07-02 10:00:00'),
                      ('c', 'survey_responses_0101_2026H1.csv', 'survey_responses', '0101', '2026H1', 'quarantined',
                       9, 0, 9, 'row 4 breaks the rule ''answers are 1-5''', '2026-07-02 10:00:01')"""
        )
        con.execute(
            "insert into meta.runs values ('r1', '2026-07-02 10:00:00', '2026-07-02 10:00:30', 'quarantined', 1, 1, 0, 0)"
        )
        con.execute("create schema marts")
        con.execute(
            """create table marts.data_quality (kommunekode varchar, source varchar, period varchar,
               check_name varchar, issue_count bigint, out_of bigint, description varchar, severity varchar)"""
        )
        if data_quality:
            con.executemany("insert into marts.data_quality values (?, ?, ?, ?, ?, ?, ?, ?)", data_quality)


def test_help_names_the_settings_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for words in (
        "DIGILEAD_HOME",
        "DIGILEAD_PSEUDONYM_KEY",
        "DIGILEAD_MIN_CELL",
        "exit codes",
        "quarantined",
        "--check",
    ):
        assert words in text, words


def test_the_command_returns_mains_exit_code_and_leaves_the_collector_nothing_at_exit(monkeypatch):
    """The console script is cli.console: main's exit code, with every object frozen (the process ends next)."""
    import gc
    import tomllib

    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["digilead"] == "pipelines.cli:console"
    monkeypatch.setattr(cli, "main", lambda: cli.EXIT_QUARANTINED)
    gc.unfreeze()
    try:
        assert cli.console() == cli.EXIT_QUARANTINED
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test's process goes on


def test_a_run_freezes_the_collector_once_per_process(monkeypatch, tmp_path):
    """`digilead run` freezes what loading its definitions made, once: `reprocess` runs again in the same process,
    and a second freeze would keep the first run's garbage for good."""
    import gc

    import pipelines.definitions
    import pipelines.defs.execution
    import pipelines.run

    monkeypatch.setattr(pipelines.definitions, "loaded", lambda: object())
    monkeypatch.setattr(pipelines.defs.execution, "InProcessJobs", lambda definitions, verbose: None)
    monkeypatch.setattr(pipelines.run, "run_pipeline", lambda settings, jobs, progress: RunOutcome())
    settings = Settings.from_env({"DIGILEAD_HOME": str(tmp_path), "DIGILEAD_PSEUDONYM_KEY": "not-secret"})
    gc.unfreeze()
    try:
        assert cli.command_run(settings) == cli.EXIT_OK
        frozen = gc.get_freeze_count()
        assert frozen > 0
        made_after = [[] for _ in range(1000)]  # objects the first run left, tracked by the collector
        assert cli.command_run(settings) == cli.EXIT_OK
        assert gc.get_freeze_count() == frozen, len(made_after)
    finally:
        gc.unfreeze()  # this test's process goes on


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip().startswith("digilead ")


def test_status_without_a_warehouse_cannot_tell(home, capsys):
    assert cli.main(["status", "--check"]) == 3
    assert "nothing has been processed" in capsys.readouterr().out
    assert cli.main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["attention"] == "unknown"


def test_status_shows_each_municipality_and_what_needs_attention_in_plain_words(home, capsys):
    _warehouse(home, DATA_QUALITY)
    assert cli.main(["status"]) == 0
    text = capsys.readouterr().out
    assert "municipality 0101" in text and "municipality 0751" in text
    assert "ERROR   2026H1 survey responses: 80 of 80 respondents at unknown unit (los_id not in the org tree)" in text
    assert (
        "warning 2025H2 survey responses: 3 of 210 unlinked respondents (employee_ref found in no HR extract)" in text
    )
    assert "unlinked completions" not in text  # a zero count needs no attention
    assert "survey_responses_0101_2026H1.csv: row 4 breaks the rule" in text  # quarantined, with its reason
    assert "=" not in text.replace("==", "")  # no key=value dump
    assert len(text.splitlines()) < 25


@pytest.mark.parametrize(
    "rows, code",
    [
        (DATA_QUALITY, 2),  # an error: people of 0101 2026H1 cannot be placed
        (DATA_QUALITY[:3], 1),  # warnings only
        (DATA_QUALITY[1:3], 0),  # info and zero counts: nothing needs attention
    ],
    ids=["error", "warning", "ok"],
)
def test_status_check_exits_by_the_worst_severity(home, capsys, rows, code):
    _warehouse(home, rows)
    assert cli.main(["status", "--check"]) == code
    capsys.readouterr()
    assert cli.main(["status", "--json"]) == 0  # --json alone always exits 0
    document = json.loads(capsys.readouterr().out)
    assert document["attention"] == {2: "error", 1: "warning", 0: "ok"}[code]
    assert {issue["check_name"] for issue in document["issues"]} == {row[3] for row in rows if row[4] > 0}


def test_the_run_summary_lists_what_could_not_be_placed_and_fails_on_unplaceable_people():
    issues = [Issue(*row) for row in DATA_QUALITY if row[7] != "info" and row[4] > 0]
    outcome = RunOutcome(accepted=["hr_employees_0101_2026-06.csv"], issues=issues)
    text = outcome.summary()
    assert "0751 warning 2025H2 survey responses: 3 of 210 unlinked respondents" in text
    assert "ERROR: the people of 0101 2026H1 cannot be placed at all" in text
    assert outcome.unplaceable and not RunOutcome(issues=issues[:1]).unplaceable


def test_run_exits_1_after_publishing_when_people_cannot_be_placed(home, monkeypatch, capsys):
    """The exit code of `digilead run` follows its outcome: an unplaceable municipality period is a failure
    even when every file was accepted; warnings alone are not."""
    import pipelines.definitions
    import pipelines.defs.execution
    import pipelines.run

    monkeypatch.setenv("DIGILEAD_PSEUDONYM_KEY", "k" * 64)
    monkeypatch.setattr(pipelines.definitions, "loaded", lambda: None)
    monkeypatch.setattr(pipelines.defs.execution, "InProcessJobs", lambda defs, verbose=False: None)
    for issues, code in (
        ([Issue(*DATA_QUALITY[3])], cli.EXIT_FAILURE),
        ([Issue(*DATA_QUALITY[0])], cli.EXIT_OK),
    ):
        monkeypatch.setattr(pipelines.run, "run_pipeline", lambda *a, issues=issues, **k: RunOutcome(issues=issues))
        assert cli.main(["run"]) == code
    assert "cannot be placed at all" in capsys.readouterr().out


def test_the_writer_lock_wait_is_printed(home, capsys):
    warehouse = home / "warehouse.duckdb"
    code = textwrap.dedent(f"""
        import time
        from pipelines.warehouse.lock import writer_lock
        with writer_lock({str(warehouse)!r}):
            print("held", flush=True)
            time.sleep(2)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    try:
        cli.output.configure(verbose=False)
        with Warehouse(warehouse).connect() as con:
            con.execute("select 1")
    finally:
        holder.wait(timeout=30)
    assert "another digilead process is writing" in capsys.readouterr().err


def test_progress_counts_files_done():
    import logging

    progress = cli.Progress(total=2, every_seconds=3600)
    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())
    logger = logging.getLogger("digilead")
    logger.addHandler(handler)
    try:
        for name in ("a.csv", "b.csv"):
            progress.emit(logging.makeLogRecord({"msg": name, "finished_file": name}))
    finally:
        logger.removeHandler(handler)
    assert said == ["2 of 2 files done"]  # nothing between: the interval had not passed


def test_the_same_check_over_many_periods_is_one_line_with_the_range_and_totals():
    from pipelines.status import Issue, issue_lines

    monthly = [
        Issue(
            "0751",
            "training",
            f"2025-{month:02d}",
            "unlinked_completions",
            2,
            90,
            "learner in no HR extract",
            "warning",
        )
        for month in range(1, 13)
    ]
    two = [
        Issue("0751", "survey_responses", wave, "unlinked_respondents", 3, 210, "in no HR extract", "warning")
        for wave in ("2025H1", "2025H2")
    ]
    lines = issue_lines(monthly + two, with_kommunekode=True)
    assert lines == [
        "  0751 warning 2025-01 to 2025-12 (12 periods) training records: 24 of 1,080 unlinked completions "
        "(learner in no HR extract)",
        "  0751 warning 2025H1 survey responses: 3 of 210 unlinked respondents (in no HR extract)",
        "  0751 warning 2025H2 survey responses: 3 of 210 unlinked respondents (in no HR extract)",
    ]
