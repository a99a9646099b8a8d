"""One sensor over the landing zone, for every source: a delivery in, one run out.

How a tick decides (nothing here opens the DuckDB warehouse: the sensor runs beside the single
writer and must never take its lock; it looks at the file system only):

- A file counts once it has *settled* (not modified for `SETTLE_SECONDS`) and is not a transfer
  leftover (`.part`, `.tmp`, hidden, ...). Sources this version does not load yet are ignored. A tick that
  meets a file modified more recently waits, once, until it would have settled (at most `SETTLE_SECONDS`, as
  `digilead run` does), instead of leaving it to the next tick: a file that changed meanwhile is still arriving.
- The cursor remembers every file already handed to a run, by its identity in the landing zone
  (name, size, mtime, inode) and its SHA-256 fingerprint, so an unchanged file is never hashed or
  requested again, however often the sensor ticks or the daemon restarts.
- The files not requested yet are one *delivery*: one RunRequest whose run key is derived from their
  fingerprints and identities. Dagster never launches two runs with one key, so a tick evaluated twice
  (a daemon restart between launching and storing the cursor) still makes one run. A later copy of the
  same bytes is another delivery (a new identity, so a new key): its run archives it as a duplicate.
- Many files arriving together make one run, not one each: while any file of a delivery is still being
  written the delivery waits, for at most `MAX_BATCH_WAIT_SECONDS` (so a steady trickle still flows).

What a run selects: while nothing else is pending (the newest run of the job succeeded and the last
publish was built with today's models: its `build_signature` metadata), only what the delivery's sources
feed (`delivery_selection`): triage, their staged and raw assets and everything downstream of their raw
tables and of the file registry. Otherwise the whole job, which builds whatever the warehouse says is stale.
Less in a run is less for Dagster to plan and record (one SQLite commit per event under `dagster dev`).

Runs are serialised by the `digilead_warehouse` pool (run granularity, see deploy/dagster.yaml); a run
processes everything waiting in landing/, so a delivery whose files an earlier run already took finds
little left to do. A run that fails (a blocking check quarantined files, or a crash) is retried by the
instance's run retries, which loads the rest and rebuilds the marts.

Municipalities: the kommunekoder in the names of a delivery's files are added to the `municipality`
dynamic partitions (of the `reprocess_municipality` job), asking the Dagster instance, not the warehouse.

Follow-ups: a file may stay in landing/ after its run because it waits for data (a survey's item
catalogue, the sibling part of a benefit register). When a run has loaded something since, the file may
be ready, so once no ingest run is queued or in progress and the newest one succeeded, the sensor asks
for one more run for the files still waiting (`digilead run` does the same with another pass). The key
includes the newest load, so a follow-up that loads nothing is not followed up again: waiting ends.
"""

from __future__ import annotations

import hashlib
import json
import stat as stat_mode
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.defs.jobs import INGEST_AND_BUILD, delivery_selection
from pipelines.defs.reprocess import MUNICIPALITIES, new_municipalities
from pipelines.landing import fingerprint_of
from pipelines.landing.files import SETTLE_SECONDS, actionable
from pipelines.settings import Settings
from pipelines.sources.registry import detect

SENSOR_NAME = "landing_zone_sensor"
MINIMUM_INTERVAL_SECONDS = 5  # the sensor only lists landing/ (cheap): a short interval keeps drop -> published short
MAX_BATCH_WAIT_SECONDS = 60  # a delivery waits this long at most for its last files to settle
MAX_NAMES_IN_TAG = 8


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
    followed_up: float | None = None  # the newest raw load the sensor has already followed up on

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        if not text:
            return cls({})
        data = json.loads(text)
        if "requested" not in data:  # the cursor of an earlier version: start afresh (run keys still dedupe)
            return cls({})
        return cls(
            {name: Seen(*entry) for name, entry in data["requested"].items()},
            data.get("waiting_since"),
            data.get("followed_up"),
        )

    def dump(self) -> str:
        payload = {
            "requested": {
                name: [s.size, s.mtime_ns, s.inode, s.fingerprint] for name, s in sorted(self.requested.items())
            },
            "waiting_since": self.waiting_since,
            "followed_up": self.followed_up,
        }
        return json.dumps(payload, sort_keys=True)


def run_key_of(delivery: dict[str, Seen]) -> str:
    """Derived from the delivery's fingerprints and identities: the same delivery always has the same key."""
    lines = sorted(seen.identity(name) for name, seen in delivery.items())
    return "delivery-" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


def settle_wait(landing: Path, cursor: Cursor, now: float | None = None) -> float:
    """Seconds until every file not handed to a run yet has been unmodified for SETTLE_SECONDS (0: none is that
    recent; never more than SETTLE_SECONDS). Waiting them once saves a file that landed a moment ago a whole
    sensor interval."""
    now = time.time() if now is None else now
    wait = 0.0
    for path in landing.iterdir() if landing.exists() else []:
        if not actionable(path.name):
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        known = cursor.requested.get(path.name)
        if not stat_mode.S_ISREG(stat.st_mode) or (known and known.same_file(stat)):
            continue
        wait = max(wait, SETTLE_SECONDS - (now - stat.st_mtime_ns / 1e9))
    return min(wait, SETTLE_SECONDS)


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
        return {}, Cursor(requested, cursor.waiting_since if arriving else None, cursor.followed_up), why
    return new, Cursor({**requested, **new}, None, cursor.followed_up), None


def newest_load(instance: dg.DagsterInstance) -> float | None:
    """When a raw table was last materialized (from Dagster's event log; the warehouse is not opened)."""
    from pipelines.defs.ingest import raw_key
    from pipelines.ingest import loaded_sources

    keys = [raw_key(table) for spec in loaded_sources() for table in spec.raw_tables]
    events = instance.get_latest_materialization_events(keys)
    stamps = [event.timestamp for event in events.values() if event is not None]
    return max(stamps) if stamps else None


def ingest_idle_and_last_succeeded(instance: dg.DagsterInstance, job_name: str) -> bool:
    active = instance.get_runs(
        filters=dg.RunsFilter(
            job_name=job_name,
            statuses=[
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
            ],
        ),
        limit=1,
    )
    if active:
        return False
    return newest_run_succeeded(instance, job_name)


def newest_run_succeeded(instance: dg.DagsterInstance, job_name: str) -> bool:
    newest = instance.get_runs(filters=dg.RunsFilter(job_name=job_name), limit=1)
    return bool(newest) and newest[0].status == dg.DagsterRunStatus.SUCCESS


def published_with_current_models(instance: dg.DagsterInstance) -> bool:
    """Was the last publish built with the models and settings there are now (its `build_signature` metadata)? If
    not (nothing published yet, or a new digilead version / DIGILEAD_MIN_CELL), the next build is a full refresh
    of every model. Read from the manifest and Dagster's event log, never the warehouse."""
    from pipelines.defs.dbt_project import DBT_PROJECT
    from pipelines.defs.transform import PUBLISHED
    from pipelines.transform.dbt import result_settings
    from pipelines.transform.scope import build_signature

    event = instance.get_latest_materialization_event(PUBLISHED)
    if event is None or event.asset_materialization is None:
        return False
    published = event.asset_materialization.metadata.get("build_signature")
    current = build_signature(DBT_PROJECT.manifest_path, result_settings(Settings.from_env()))
    return published is not None and published.value == current


def run_selection(
    context: dg.SensorEvaluationContext, instance: dg.DagsterInstance | None, names: list[str], job_name: str
) -> tuple[list[dg.AssetKey] | None, str]:
    """The assets the delivery's run selects (None: the whole job) and why. Only what the files' sources feed,
    while the warehouse is known to need nothing else: the newest run of the job succeeded (whatever it loaded
    is built) and the last publish was built with today's models; otherwise (the first run, after a failed run,
    after an upgrade) the whole job, which rebuilds whatever the warehouse says is stale."""
    repository = context.repository_def
    if instance is None or repository is None:
        return None, "every asset (no Dagster instance to ask)"
    if not newest_run_succeeded(instance, job_name):
        return None, "every asset: the newest run did not succeed (or there was none)"
    if not published_with_current_models(instance):
        return None, "every asset: the models or settings changed since the last publish (or nothing is published)"
    sources = {detected[0].name: detected[0] for detected in map(detect, names) if detected}
    keys = delivery_selection(sources.values()).resolve(repository.asset_graph)
    return sorted(keys, key=lambda key: key.to_user_string()), "what " + (
        ", ".join(sorted(sources)) or "triage"
    ) + " feeds"


def _instance_of(context: dg.SensorEvaluationContext) -> dg.DagsterInstance | None:
    try:
        return context.instance
    except dg.DagsterInvariantViolationError:  # a sensor evaluated outside a deployment (unit tests)
        return None


def follow_up(cursor: Cursor, loaded_at: float | None) -> tuple[dict[str, Seen], Cursor]:
    """Files still waiting in landing/ after a run that loaded something new: worth one more run."""
    if (
        not cursor.requested
        or loaded_at is None
        or (cursor.followed_up is not None and loaded_at <= cursor.followed_up)
    ):
        return {}, cursor
    return dict(cursor.requested), Cursor(cursor.requested, cursor.waiting_since, loaded_at)


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
        previous = Cursor.parse(context.cursor)
        time.sleep(settle_wait(landing, previous))
        delivery, cursor, why = evaluate(landing, previous)
        trigger, key_suffix = "delivery", ""
        instance = _instance_of(context)
        if delivery and instance is not None:
            cursor.followed_up = newest_load(instance)  # the delivery's run sees everything loaded so far
        elif (
            not delivery
            and instance is not None
            and cursor.requested
            and ingest_idle_and_last_succeeded(instance, job_name)
        ):
            loaded_at = newest_load(instance)
            delivery, cursor = follow_up(cursor, loaded_at)
            trigger, key_suffix = "follow-up", f"-after-{loaded_at}"
        if not delivery:
            return dg.SensorResult(skip_reason=why, cursor=cursor.dump())
        names = sorted(delivery)
        shown = ", ".join(names[:MAX_NAMES_IN_TAG]) + (
            f" (+{len(names) - MAX_NAMES_IN_TAG} more)" if len(names) > MAX_NAMES_IN_TAG else ""
        )
        context.log.info(f"{trigger} of {len(names)} file(s): {shown}")
        # the delivered files' municipalities become partitions of reprocess_municipality (from the names only)
        municipalities = new_municipalities(
            instance, (detected[1].kommunekode for detected in map(detect, names) if detected)
        )
        selection, scope = run_selection(context, instance, names, job_name)
        context.log.info(f"the run selects {scope}")
        return dg.SensorResult(
            dynamic_partitions_requests=[MUNICIPALITIES.build_add_request(municipalities)] if municipalities else None,
            run_requests=[
                dg.RunRequest(
                    run_key=run_key_of(delivery) + key_suffix,
                    asset_selection=selection,
                    tags={
                        "digilead/files": str(len(names)),
                        "digilead/delivery": shown,
                        "digilead/trigger": f"sensor {trigger}",
                    },
                )
            ],
            cursor=cursor.dump(),
        )

    return landing_zone_sensor


@dg.definitions
def defs() -> dg.Definitions:
    """The landing sensor starts the job that ingests and builds (pipelines/defs/jobs.py)."""
    return dg.Definitions(sensors=[landing_sensor_for(INGEST_AND_BUILD)])
