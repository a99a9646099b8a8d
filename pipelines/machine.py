"""What the machine offers a run: the cores this process may use (worker pools are sized by it)."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system has one (a container or a cgroup
    limited to two cores of a large host reports the host's count in os.cpu_count()), else every core."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
