"""What every bench prints alongside its figures: the machine, and latency percentiles."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
from pathlib import Path


def machine() -> str:
    """CPU model, cores, memory, Python, SQLite and OS: figures mean little without them."""
    cpu = platform.processor() or "unknown CPU"
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"; {int(line.split()[1]) // 1024 // 1024} GiB memory"
                break
    except OSError:
        pass
    return (
        f"{cpu}{memory}; {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}; {platform.system()} {platform.release()}"
    )


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {ordered[-1]:6.1f} ms  (n={len(ordered)})"
    )
