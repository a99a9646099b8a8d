"""What the Dagster UI shows about each step: counts per file, never personal data.

`file_counts` reads the file registry (`meta.files`) for the files a load step has just loaded, so
the raw assets carry rows read / loaded / rejected and the fingerprint of every file. It runs inside
the loading step, which holds the warehouse (the `digilead_warehouse` pool), so it opens no second
writer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg

from pipelines.warehouse import Warehouse, current_files

log = logging.getLogger("digilead")


def tell(context) -> Callable[[str], None]:
    """A line for the run's Dagster log and for the `digilead` logger, whose handler `digilead run` prints in its
    compact log (the Dagster log is printed only with --verbose)."""

    def say(message: str) -> None:
        context.log.info(message)
        log.info(message)

    return say


@contextmanager
def stage_timer(context, stage: str, source: str | None = None) -> Iterator[dict[str, float]]:
    """Time one stage of the lifecycle: a line in the run log ("stage timing: parse survey_responses 1.23 s",
    what `make bench` sums per stage) and `seconds` for the step's metadata."""
    timing: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield timing
    finally:
        timing["seconds"] = round(time.perf_counter() - started, 3)
        context.log.info(f"stage timing: {stage}{f' {source}' if source else ''} {timing['seconds']:.2f} s")


def file_counts(warehouse: Warehouse, fingerprints: list[str]) -> dict[str, object]:
    if not fingerprints:
        return {"rows_read": 0, "rows_rejected": 0}
    with warehouse.connect() as con:
        files = sorted(
            (state.record for state in current_files(con, fingerprints) if state.record.status == "accepted"),
            key=lambda record: record.file_name,
        )
    rows = [(r.file_name, r.fingerprint, r.rows_read, r.rows_loaded, r.rows_rejected) for r in files]
    return {
        "rows_read": sum(row[2] or 0 for row in rows),
        "rows_rejected": sum(row[4] or 0 for row in rows),
        "files": dg.MetadataValue.table(
            records=[
                dg.TableRecord(
                    {
                        "file": r[0],
                        "fingerprint": r[1],
                        "rows_read": r[2] or 0,
                        "rows_loaded": r[3] or 0,
                        "rows_rejected": r[4] or 0,
                    }
                )
                for r in rows
            ],
            schema=dg.TableSchema(
                columns=[
                    dg.TableColumn("file", "string"),
                    dg.TableColumn("fingerprint", "string"),
                    dg.TableColumn("rows_read", "int"),
                    dg.TableColumn("rows_loaded", "int"),
                    dg.TableColumn("rows_rejected", "int"),
                ]
            ),
        ),
    }


def check_failures(failures: dict[str, str]) -> str | None:
    """One line per failing file, naming the file, the rule and the rows (the check's description)."""
    return "; ".join(f"{name}: {sentence}" for name, sentence in sorted(failures.items())) or None
