"""`digilead` commands (docs/usage.md). `run` starts the same Dagster jobs the landing sensor starts.

Output: results on stdout; the run log (progress, the writer lock's wait, what dbt recomputes) on stderr through
the `digilead` logger, compact by default; `--verbose` adds Dagster's and dbt's full logs. Another helper's
command is one `add_<name>_parser(commands)` function and one `if` in `main`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import time
import warnings
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_QUARANTINED = 0, 1, 3

EPILOG = """\
settings (environment variables, read when a command starts):
  DIGILEAD_HOME            root of landing/, archive/, quarantine/, published/ (default ./data)
  DIGILEAD_WAREHOUSE       the DuckDB warehouse (default $DIGILEAD_HOME/warehouse.duckdb)
  DIGILEAD_PSEUDONYM_KEY   secret key for pseudonymising people; run and reprocess refuse to start without it
                           (demo makes one in $DIGILEAD_HOME/pseudonym.key)
  DIGILEAD_MIN_CELL        smallest group whose person-level figures are published (default 5)
  DIGILEAD_SETTLE_SECONDS  a landing file changed this recently is still being written (default 3)
  DIGILEAD_POSTGRES_URL    optional: also publish the marts to this PostgreSQL database

exit codes of run, reprocess and demo:
  0  done: every file accepted
  1  failure: a setting is missing, a step failed, a test of the marts failed, or a municipality
     period's people cannot be placed at all (what is sound is published first)
  3  some files were quarantined; the rest were processed and published
exit codes of status --check (as monitoring plugins read them):
  0  nothing needs attention   1  some records could not be placed or linked (warning)
  2  a municipality period's people cannot be placed at all (error)   3  the warehouse cannot be read

docs/ in the repository describes every command, file and mart.
"""


class Output:
    """How much the commands print: the `digilead` logger on stderr, compact unless --verbose."""

    def __init__(self) -> None:
        self.verbose = False

    def configure(self, verbose: bool) -> None:
        self.verbose = verbose
        logger = logging.getLogger("digilead")
        if not any(isinstance(handler, _Stderr) for handler in logger.handlers):
            handler = _Stderr()
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
        for handler in logger.handlers:
            if isinstance(handler, _Stderr):
                handler.setLevel(logging.DEBUG if verbose else logging.INFO)  # per-file lines only with --verbose
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        logging.getLogger("digilead.files").setLevel(logging.DEBUG)  # counted by Progress even when not shown
        # dagster-dbt relays dbt's own lines ("Running with dbt=...") through the `dagster` logger: --verbose only
        logging.getLogger("dagster").setLevel(logging.INFO if verbose else logging.ERROR)
        if not sys.stderr.isatty():
            os.environ.setdefault("DBT_USE_COLORS", "false")  # no colour codes in a redirected log
        if not verbose:
            warnings.simplefilter("ignore")  # library warnings (Dagster's preview notes ...) are for --verbose


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (tests capture it, callers may replace it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


output = Output()


class Progress(logging.Handler):
    """'12 of 40 files done', from the `digilead.files` records: every few seconds and at the end."""

    def __init__(self, total: int, every_seconds: float = 5.0):
        super().__init__(logging.DEBUG)
        self.total, self.done, self.every = total, 0, every_seconds
        self.last: float | None = None  # the first interval starts with the first file done

    def emit(self, record: logging.LogRecord) -> None:
        if not getattr(record, "finished_file", None):
            return
        self.done += 1
        now = time.monotonic()
        self.last = now if self.last is None else self.last
        if self.done >= self.total or now - self.last >= self.every:
            self.last = now
            logging.getLogger("digilead").info(f"{self.done} of {self.total} files done")


def console() -> int:
    """The `digilead` command: main(), then nothing left for the garbage collector. The process ends next, and
    Python's shutdown would otherwise search every object a run made (Dagster's definitions, dbt's manifest, the
    modules) for reference cycles: 1.9 s after a national run, for memory the system takes back anyway."""
    code = main()
    gc.freeze()
    return code


def main(argv: list[str] | None = None) -> int:
    from importlib.metadata import version

    parser = argparse.ArgumentParser(
        prog="digilead",
        description="Municipal digitalisation data: landing files to trusted marts.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digilead {version('digilead')}")
    talkative = argparse.ArgumentParser(add_help=False)
    talkative.add_argument(
        "-v", "--verbose", action="store_true", help="also print Dagster's and dbt's full logs (and library warnings)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        parents=[talkative],
        help="process every file waiting in the landing zone, rebuild the marts, exit",
        description="Processes every file in $DIGILEAD_HOME/landing/, rebuilds and publishes the marts, prints what "
        "became of each file and the records that could not be placed or linked.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status = commands.add_parser(
        "status",
        help="what the warehouse holds per municipality, data quality that needs attention, files, marts",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status.add_argument("--json", action="store_true", help="the same as JSON")
    status.add_argument(
        "--check",
        action="store_true",
        help="exit 0 when nothing needs attention, 1 on warnings, 2 when a municipality period's people cannot be "
        "placed, 3 when the warehouse cannot be read (for cron and monitoring)",
    )
    reprocess = commands.add_parser(
        "reprocess",
        parents=[talkative],
        help="take a municipality's files out of the warehouse, process them again, rebuild the marts",
        description="Withdraws the municipality's accepted files (their rows leave the raw tables; the files go back from "
        "archive/ to landing/), then runs the pipeline so they are loaded again and the marts rebuilt.",
    )
    reprocess.add_argument(
        "kommunekode", nargs="?", help="4-digit kommunekode, with its leading zero (e.g. 0751); or --all"
    )
    reprocess.add_argument(
        "--all",
        action="store_true",
        help="every municipality's files (how the pseudonym key is changed: README, 'Changing the pseudonym key')",
    )
    reprocess.add_argument(
        "--source", action="append", default=[], help="only this source (repeatable), e.g. hr_employees"
    )
    reprocess.add_argument(
        "--period",
        action="append",
        default=[],
        help="only this period as in the file name (repeatable): 2025-03, 2025H1, 2026-06-30",
    )
    reprocess.add_argument(
        "--include-quarantined", action="store_true", help="also quarantined files (after fixing a rule)"
    )
    demo = commands.add_parser(
        "demo", parents=[talkative], help="generate a synthetic municipality, process it, summarise the marts"
    )
    demo.add_argument("--employees", type=int, default=3000)
    demo.add_argument("--waves", type=int, default=2)
    generate = commands.add_parser("generate", help="write synthetic source files in the contract's formats")
    generate.add_argument("--municipality", default="0751", help="4-digit kommunekode, with its leading zero")
    generate.add_argument("--employees", type=int, default=3000)
    generate.add_argument("--waves", type=int, default=2, help="survey waves (half-years) from --first-wave on")
    generate.add_argument("--first-wave", default="2025H1")
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument(
        "--out", type=Path, required=True, help="folder to write into (usually $DIGILEAD_HOME/landing)"
    )
    generate.add_argument("--bad-files", action="store_true", help="also write one file per kind of bad input")
    generate.add_argument("--truth", type=Path, help="also write what the files mean, as clean CSV (for tests)")
    generate.add_argument("--no-training", action="store_true")
    generate.add_argument("--no-benefits", action="store_true")
    generate.add_argument(
        "--scale",
        choices=["S", "M", "L"],
        help="many municipalities instead of --municipality/--employees: S = 3,000 employees, M = 25,000, "
        "L = the 98 municipalities with 500,000 (12 months of every source, optional columns varied)",
    )
    generate.add_argument("--classic", action="store_true", help="with --scale: vary nothing the contract leaves free")
    generate.add_argument(
        "--vary",
        action="store_true",
        help="one municipality written with every optional form the contract allows: flat exports without "
        "employee_ref and submitted_at, SurveyXact without close time, Qualtrics numeric values with extra columns",
    )
    generate.add_argument(
        "--dialect", choices=["surveyxact", "qualtrics", "forms", "flat"], help="with --scale: every survey in this one"
    )
    add_grant_reader_parser(commands)
    add_report_command(commands)
    args = parser.parse_args(argv)
    output.configure(getattr(args, "verbose", False))

    from pipelines.settings import SettingsError

    try:
        if args.command == "generate":
            try:
                return command_generate(args)
            except ValueError as error:  # an argument out of range: say which, no traceback
                print(f"digilead generate: {error}", file=sys.stderr)
                return EXIT_FAILURE
        if args.command == "run":
            from pipelines.settings import Settings

            return command_run(Settings.from_env())
        if args.command == "status":
            return command_status(args)
        if args.command == "reprocess":
            from pipelines.settings import Settings

            return command_reprocess(Settings.from_env(), args)
        if args.command == "demo":
            return command_demo(args)
        if args.command == "grant-reader":
            return command_grant_reader(args)
        if args.command == "report":
            return command_report(args)
    except SettingsError as error:
        print(f"digilead: {error}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_FAILURE


def command_generate(args: argparse.Namespace) -> int:
    from pipelines.generate import Variation, generate, generate_scale

    started = time.monotonic()
    if args.scale:
        if args.bad_files:
            print("digilead: --bad-files is for one municipality, not with --scale", file=sys.stderr)
            return EXIT_FAILURE
        plans, files = generate_scale(
            args.out,
            args.scale,
            seed=args.seed,
            waves=args.waves,
            first_wave=args.first_wave,
            truth=args.truth,
            training=not args.no_training,
            benefits=not args.no_benefits,
            classic=args.classic,
            dialect=args.dialect,
        )
        employees = sum(p.employees for p in plans)
        print(
            f"wrote {len(files)} files for {len(plans)} municipalities ({employees:,} employees) to {args.out} "
            f"in {time.monotonic() - started:.1f} s"
        )
        return EXIT_OK
    summary = generate(
        args.out,
        variation=Variation.every_freedom() if args.vary else Variation(),
        municipality=args.municipality,
        employees=args.employees,
        waves=args.waves,
        seed=args.seed,
        first_wave=args.first_wave,
        bad_files=args.bad_files,
        truth=args.truth,
        training=not args.no_training,
        benefits=not args.no_benefits,
    )
    print(f"wrote {len(summary.files)} files to {args.out} in {time.monotonic() - started:.1f} s")
    return EXIT_OK


def command_run(settings) -> int:
    from pipelines.definitions import loaded
    from pipelines.defs.execution import InProcessJobs
    from pipelines.landing import actionable
    from pipelines.run import run_pipeline

    settings.require_key()
    log = logging.getLogger("digilead")
    waiting = [p for p in settings.landing.iterdir() if actionable(p.name)] if settings.landing.exists() else []
    log.info(f"digilead run: {len(waiting)} file(s) in {settings.landing}")
    progress = Progress(total=len(waiting))
    files_log = logging.getLogger("digilead.files")
    files_log.addHandler(progress)
    # dagster-dbt echoes every dbt line to stdout (for Dagster's captured logs): --verbose only
    with open(os.devnull, "w") as devnull:
        echo = contextlib.nullcontext() if output.verbose else contextlib.redirect_stdout(devnull)
        try:
            with echo:
                definitions = loaded()
                # the modules and definitions live as long as the process: the collector's full passes during
                # the run need not search them again and again (a national run spent 2 s in them). Once per
                # process: `reprocess` runs again, and a later freeze would keep an earlier run's garbage for good
                if not gc.get_freeze_count():
                    gc.freeze()
                outcome = run_pipeline(settings, InProcessJobs(definitions, verbose=output.verbose), progress=log.info)
        finally:
            files_log.removeHandler(progress)
    print(outcome.summary(), flush=True)
    if outcome.failed or outcome.unplaceable:
        return EXIT_FAILURE
    return EXIT_QUARANTINED if outcome.quarantined else EXIT_OK


def command_reprocess(settings, args: argparse.Namespace) -> int:
    """Withdraw, run, and repeat while files of the same name wait their turn (landing/ holds one per name)."""
    import uuid

    from pipelines.reprocess import ReprocessError, withdraw

    if bool(args.all) == bool(args.kommunekode):
        print("digilead reprocess: give one kommunekode (e.g. 0751) or --all", file=sys.stderr)
        return EXIT_FAILURE
    municipality = None if args.all else args.kommunekode
    settings.require_key()
    run_id = f"cli-reprocess-{uuid.uuid4().hex[:12]}"  # one id for every pass: a file is withdrawn once per command
    codes: list[int] = []
    while True:
        try:
            names = withdraw(
                settings,
                municipality,
                sources=args.source,
                periods=args.period,
                include_quarantined=args.include_quarantined,
                run_id=run_id,
                progress=logging.getLogger("digilead").info,
            )
        except ReprocessError as error:
            print(f"digilead reprocess: {error}", file=sys.stderr)
            return EXIT_FAILURE
        if not names:
            break
        whose = municipality or "every municipality"
        print(f"withdrew {len(names)} file(s) of {whose} for re-processing: {', '.join(names)}", flush=True)
        codes.append(command_run(settings))
        if codes[-1] == EXIT_FAILURE:
            return EXIT_FAILURE
    if not codes:
        what = " ".join(
            filter(
                None,
                [
                    f"source {', '.join(args.source)}" if args.source else "",
                    f"period {', '.join(args.period)}" if args.period else "",
                ],
            )
        )
        kinds = "accepted or quarantined" if args.include_quarantined else "accepted"
        print(
            f"digilead reprocess: no {kinds} file of {'municipality ' + municipality if municipality else 'any municipality'}{' with ' + what if what else ''} "
            "in the warehouse: nothing to re-process (see `digilead status`)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_QUARANTINED if EXIT_QUARANTINED in codes else EXIT_OK


def command_status(args: argparse.Namespace) -> int:
    from pipelines.settings import Settings
    from pipelines.status import collect_status

    status = collect_status(Settings.from_env())
    print(status.as_json() if args.json else status.render())
    return status.check_code() if args.check else EXIT_OK


def command_demo(args: argparse.Namespace) -> int:
    from pipelines.generate import generate
    from pipelines.settings import Settings
    from pipelines.status import benefits_summary, maturity_summary, training_summary

    settings = Settings.from_env().with_demo_key()
    os.environ["DIGILEAD_PSEUDONYM_KEY"] = settings.pseudonym_key  # the run's resources read the environment
    settings.make_dirs()
    started = time.monotonic()
    summary = generate(settings.landing, employees=args.employees, waves=args.waves)
    print(f"generated {len(summary.files)} files for municipality 0751 into {settings.landing}")
    code = command_run(settings)
    print(maturity_summary(settings))
    print(training_summary(settings))
    print(benefits_summary(settings))
    print(
        f"demo finished in {time.monotonic() - started:.1f} s (warehouse: {settings.warehouse}, serving copy: {settings.published})"
    )
    if code != EXIT_FAILURE:
        from pipelines.report import render_report, report_path

        report = report_path(settings.published, "0751", None, "da")  # the run's published/reports asset wrote it
        if not report.exists():
            report = render_report(settings.published, "0751", min_cell=settings.min_cell)
        print(f"report: {report}")
    return code


# --- grant-reader: a read-only PostgreSQL role for BI users (pipelines/serving/postgres.py) ----------------------
def add_grant_reader_parser(commands) -> None:
    grant = commands.add_parser(
        "grant-reader",
        help="create or update a read-only PostgreSQL role for BI users (needs DIGILEAD_POSTGRES_URL)",
        description="Creates the role if it does not exist (else updates it): it may log in, read the marts and "
        "their documentation (schemas marts and marts_doc, also marts published later) and nothing else. "
        "Grants survive every publish.",
    )
    grant.add_argument("role", help="the role's name, e.g. bi_reader")
    grant.add_argument(
        "--password-env",
        metavar="VARIABLE",
        help="set the role's password from this environment variable (never on the command line)",
    )


def command_grant_reader(args: argparse.Namespace) -> int:
    from pipelines.serving.postgres import grant_reader
    from pipelines.settings import Settings, SettingsError

    url = Settings.from_env().postgres_url
    if not url:
        raise SettingsError("DIGILEAD_POSTGRES_URL is not set: grant-reader creates the role in that database")
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise SettingsError(f"--password-env {args.password_env}: that environment variable is empty or not set")
    grant_reader(url, args.role, password)
    print(f"role {args.role} may now read the marts (schemas marts, marts_doc) and nothing else")
    return EXIT_OK


# --------------------------------------------------------------------------- digilead report


def add_report_command(commands) -> None:
    report = commands.add_parser(
        "report",
        help="render a municipality's (or one unit's) offline HTML report from the published marts",
        description="Writes one self-contained HTML file (charts, tables, no scripts or fonts to fetch) from "
        "$DIGILEAD_HOME/published/, by default to $DIGILEAD_HOME/published/reports/.",
    )
    report.add_argument("--municipality", required=True, help="4-digit kommunekode, with its leading zero (e.g. 0751)")
    report.add_argument("--unit", help="los_id of an org unit: the report for that unit and its sub-units")
    report.add_argument("--out", type=Path, help="folder to write into (default $DIGILEAD_HOME/published/reports)")
    report.add_argument("--lang", choices=["da", "en"], default="da", help="language (default Danish)")


def command_report(args: argparse.Namespace) -> int:
    from pipelines.report import ReportError, render_report
    from pipelines.settings import Settings

    settings = Settings.from_env()
    try:
        path = render_report(
            settings.published, args.municipality, args.unit, args.lang, args.out, min_cell=settings.min_cell
        )
    except ReportError as error:
        print(f"digilead report: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(path)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(console())
