"""One line describing the machine a bench ran on, so every printed figure says where it came from."""
from __future__ import annotations

import os
import platform


def describe() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}, load average {load}")
