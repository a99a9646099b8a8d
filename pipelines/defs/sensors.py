"""One sensor over the landing zone, for every source: files in, a run out.

Run keys are derived from the fingerprints of the files waiting in landing/, so a delivery is
processed once however often the sensor ticks or the daemon restarts (Dagster never launches two
runs with one key). Everything waiting is processed in one run: 98 municipalities' HR extracts
arriving together make one run, not 98.
"""

import hashlib
import json
import time

import dagster as dg

from pipelines.landing import fingerprint_of
from pipelines.settings import Settings
from pipelines.sources.registry import detect

SETTLE_SECONDS = 3  # a file modified this recently may still be being written: wait one more tick


def actionable(name: str) -> bool:
    """Files a run would act on: those of loaded sources, and unknown names (to quarantine)."""
    detected = detect(name)
    return detected is None or detected[0].loaded


def landing_sensor_for(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_zone_sensor",
        job_name=job_name,
        minimum_interval_seconds=10,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Watches $DIGILEAD_HOME/landing and starts one run for what has arrived (run key = the files' fingerprints).",
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        landing = Settings.from_env().landing
        # cursor: name -> [size, mtime_ns, fingerprint], so unchanged files are not hashed again
        known: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
        current: dict[str, list] = {}
        settling = False
        now = time.time_ns()
        for path in sorted(landing.glob("*")) if landing.exists() else []:
            if not path.is_file() or path.name.startswith(".") or not actionable(path.name):
                continue
            stat = path.stat()
            if now - stat.st_mtime_ns < SETTLE_SECONDS * 1_000_000_000:
                settling = True
                continue
            previous = known.get(path.name)
            if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
                current[path.name] = previous
            else:
                current[path.name] = [stat.st_size, stat.st_mtime_ns, fingerprint_of(path)]
        cursor = json.dumps(current, sort_keys=True)
        if not current:
            return dg.SensorResult(skip_reason="landing zone empty" + (" (files still arriving)" if settling else ""), cursor=cursor)
        fingerprints = sorted(entry[2] for entry in current.values())
        run_key = hashlib.sha256("\n".join(fingerprints).encode()).hexdigest()
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags={"digilead/files": str(len(fingerprints))})],
            cursor=cursor,
        )

    return landing_zone_sensor
