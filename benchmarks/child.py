"""Run one command as a child and report what it cost: `python -m benchmarks.child CMD...` prints JSON.

A separate process per measurement, so `resource.getrusage(RUSAGE_CHILDREN)` covers exactly that
command and everything it started (dbt included): ru_maxrss is the peak resident set of the largest
of them.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> int:
    started = time.monotonic()
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "exit_code": done.returncode, "wall_s": round(wall, 2), "user_s": round(usage.ru_utime, 2), "sys_s": round(usage.ru_stime, 2),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "stderr_tail": done.stderr.splitlines()[-5:] if done.returncode not in (0, 3) else [],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
