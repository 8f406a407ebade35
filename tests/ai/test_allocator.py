"""A process that runs models keeps freed blocks for reuse, so tensors of a few megabytes made on every
request do not fault their pages in again; a server keeps returning decoded images to the system."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import shelfscope

_PROBE = """
import json, resource
import numpy as np
from shelfscope.od.images.budget import decode_budget, keep_freed_blocks_for_models

def faults_per_block():
    for _ in range(3):  # the first blocks grow the heap either way
        np.ones(6 * 1024 * 1024, dtype=np.uint8)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        np.ones(6 * 1024 * 1024, dtype=np.uint8)
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20

decode_budget(64 * 1024 * 1024)
server = faults_per_block()
keep_freed_blocks_for_models()
models = faults_per_block()
decode_budget(128 * 1024 * 1024)  # a later budget leaves the models' tuning in place
later = faults_per_block()
print(json.dumps([server, models, later]))
"""


def test_a_model_process_reuses_freed_blocks_and_a_later_decode_budget_keeps_it_so() -> None:
    if not sys.platform.startswith("linux"):
        return  # the tuning is glibc's; other allocators decide for themselves
    path = os.pathsep.join(
        filter(None, [str(Path(shelfscope.__file__).parents[1]), os.environ.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": path},
    )
    server, models, later = json.loads(done.stdout.strip().splitlines()[-1])
    # 6 MiB is 1,536 pages (fewer faults where the kernel maps larger folios): the server's tuning
    # maps each block afresh, the models' reuses the same pages.
    assert server > 200, server
    assert models < server / 10 and later < server / 10, (server, models, later)
