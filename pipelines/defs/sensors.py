"""One sensor over the landing zone, for every source: a delivery in, one run out.

How a tick decides (nothing here opens the DuckDB warehouse: the sensor runs beside the single
writer and must never take its lock; it looks at the file system only):

- A file counts once it has *settled* (not modified for `SETTLE_SECONDS`) and is not a transfer
  leftover (`.part`, `.tmp`, hidden, ...). Sources this version does not load yet are ignored.
- The cursor remembers every file already handed to a run, by its identity in the landing zone
  (name, size, mtime, inode) and its SHA-256 fingerprint, so an unchanged file is never hashed or
  requested again, however often the sensor ticks or the daemon restarts.
- The files not requested yet are one *delivery*: one RunRequest whose run key is derived from their
  fingerprints and identities. Dagster never launches two runs with one key, so a tick evaluated twice
  (a daemon restart between launching and storing the cursor) still makes one run. A later copy of the
  same bytes is another delivery (a new identity, so a new key): its run archives it as a duplicate.
- Many files arriving together make one run, not one each: while any file of a delivery is still being
  written the delivery waits, for at most `MAX_BATCH_WAIT_SECONDS` (so a steady trickle still flows).

Runs are serialised by the `digilead_warehouse` pool (run granularity, see deploy/dagster.yaml); a run
processes everything waiting in landing/, so a delivery whose files an earlier run already took only
rebuilds and publishes. A run that fails (a blocking check quarantined files, or a crash) is retried
by the instance's run retries, which loads the rest and rebuilds the marts.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.landing import fingerprint_of
from pipelines.landing.files import _in_transfer
from pipelines.settings import Settings
from pipelines.sources.registry import detect

SENSOR_NAME = "landing_zone_sensor"
MINIMUM_INTERVAL_SECONDS = 10
SETTLE_SECONDS = 3  # a file modified this recently may still be being written
MAX_BATCH_WAIT_SECONDS = 60  # a delivery waits this long at most for its last files to settle
MAX_NAMES_IN_TAG = 8


def actionable(name: str) -> bool:
    """Files a run would act on: those of loaded sources, and unknown names (to quarantine)."""
    if _in_transfer(name):
        return False
    detected = detect(name)
    return detected is None or detected[0].loaded


@dataclass(frozen=True)
class Seen:
    """A file in landing/ as the sensor last saw it."""

    size: int
    mtime_ns: int
    inode: int
    fingerprint: str

    def same_file(self, stat) -> bool:
        return (self.size, self.mtime_ns, self.inode) == (stat.st_size, stat.st_mtime_ns, stat.st_ino)

    def identity(self, name: str) -> str:
        return f"{name}\t{self.fingerprint}\t{self.size}\t{self.mtime_ns}\t{self.inode}"


@dataclass
class Cursor:
    requested: dict[str, Seen]  # files already handed to a run, still in landing/
    waiting_since: float | None = None  # when a delivery first had to wait for files still arriving

    @classmethod
    def parse(cls, text: str | None) -> "Cursor":
        if not text:
            return cls({})
        data = json.loads(text)
        if "requested" not in data:  # the cursor of an earlier version: start afresh (run keys still dedupe)
            return cls({})
        return cls({name: Seen(*entry) for name, entry in data["requested"].items()}, data.get("waiting_since"))

    def dump(self) -> str:
        payload = {
            "requested": {name: [s.size, s.mtime_ns, s.inode, s.fingerprint] for name, s in sorted(self.requested.items())},
            "waiting_since": self.waiting_since,
        }
        return json.dumps(payload, sort_keys=True)


def run_key_of(delivery: dict[str, Seen]) -> str:
    """Derived from the delivery's fingerprints and identities: the same delivery always has the same key."""
    lines = sorted(seen.identity(name) for name, seen in delivery.items())
    return "delivery-" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


def evaluate(landing: Path, cursor: Cursor, now: float | None = None) -> tuple[dict[str, Seen], Cursor, str | None]:
    """One tick, without Dagster: (the delivery to request, the next cursor, why nothing was requested)."""
    now = time.time() if now is None else now
    requested: dict[str, Seen] = {}
    new: dict[str, Seen] = {}
    arriving = 0
    for path in sorted(landing.iterdir()) if landing.exists() else []:
        if not actionable(path.name):
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:  # moved away by a run between listing and looking
            continue
        if not path.is_file():
            continue
        known = cursor.requested.get(path.name)
        if known and known.same_file(stat):
            requested[path.name] = known
            continue
        if now - stat.st_mtime_ns / 1e9 < SETTLE_SECONDS:
            arriving += 1
            continue
        try:
            new[path.name] = Seen(stat.st_size, stat.st_mtime_ns, stat.st_ino, fingerprint_of(path))
        except FileNotFoundError:
            continue
    if arriving and new:
        waiting_since = cursor.waiting_since or now
        if now - waiting_since < MAX_BATCH_WAIT_SECONDS:
            why = f"{len(new)} file(s) ready, {arriving} still arriving: waiting for the whole delivery"
            return {}, Cursor(requested, waiting_since), why
    if not new:
        why = f"{arriving} file(s) still arriving" if arriving else "nothing new in the landing zone"
        return {}, Cursor(requested, cursor.waiting_since if arriving else None), why
    return new, Cursor({**requested, **new}, None), None


def landing_sensor_for(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR_NAME,
        job_name=job_name,
        minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Watches $DIGILEAD_HOME/landing (file system only, never the warehouse) and starts one run per "
        "delivery: the settled files not handed to a run yet; run key = their fingerprints.",
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        landing = Settings.from_env().landing
        delivery, cursor, why = evaluate(landing, Cursor.parse(context.cursor))
        if not delivery:
            return dg.SensorResult(skip_reason=why, cursor=cursor.dump())
        names = sorted(delivery)
        shown = ", ".join(names[:MAX_NAMES_IN_TAG]) + (f" (+{len(names) - MAX_NAMES_IN_TAG} more)" if len(names) > MAX_NAMES_IN_TAG else "")
        context.log.info(f"delivery of {len(names)} file(s): {shown}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=run_key_of(delivery),
                    tags={"digilead/files": str(len(names)), "digilead/delivery": shown, "digilead/trigger": "sensor"},
                )
            ],
            cursor=cursor.dump(),
        )

    return landing_zone_sensor
