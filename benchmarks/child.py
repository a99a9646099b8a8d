"""Run one command as a child and report what it cost: `python -m benchmarks.child [--log FILE] CMD...` prints JSON.

A separate process per measurement, so `resource.getrusage(RUSAGE_CHILDREN)` covers exactly that
command and everything it started (dbt included): ru_maxrss is the peak resident set of the largest
of them. With --log FILE the command's stdout and stderr go to FILE (for timings in its log).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    command, log = sys.argv[1:], None
    if command[:1] == ["--log"]:
        log, command = Path(command[1]), command[2:]
    started = time.monotonic()
    if log is None:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    else:
        with log.open("w") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    stderr = done.stderr if log is None else log.read_text(errors="replace")
    print(
        json.dumps(
            {
                "exit_code": done.returncode,
                "wall_s": round(wall, 2),
                "user_s": round(usage.ru_utime, 2),
                "sys_s": round(usage.ru_stime, 2),
                "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
                "stderr_tail": stderr.splitlines()[-5:] if done.returncode not in (0, 3) else [],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
