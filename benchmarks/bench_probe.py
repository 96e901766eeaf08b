"""A Sphinx extension loaded only by the benchmarks: when each phase of a build starts and ends.

With ``BENCH_PROBE`` set to a file name, the build writes there, as JSON,
``time.monotonic()``, the process's CPU time and its resident memory at: ``inited`` (builder
ready), ``read`` (reading starts), ``updated`` (every page read:
``env-updated`` begins), ``fetched`` (every other ``env-updated`` handler,
the fetch stage's included, has run), ``write`` (writing starts) and
``finished``; and the CPU seconds spent in cyclic garbage collection.
Loaded last, it changes nothing.
"""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

MARKS: dict[str, tuple[float, float, float]] = {}
GC = {"seconds": 0.0, "full": 0, "started": 0.0}


def _mark(name: str) -> Any:
    def handler(*_args: Any) -> None:
        MARKS.setdefault(name, (time.monotonic(), time.process_time(), _rss_mb()))

    return handler


def _rss_mb() -> float:
    """The resident memory of this process now, in MiB (0 where /proc is not there)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """The peak resident memory of this process, in MiB (VmHWM: unlike ru_maxrss, it starts afresh at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0.0


def _gc(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        GC["started"] = time.process_time()
        return
    GC["seconds"] += time.process_time() - GC["started"]
    GC["full"] += info.get("generation") == 2


def _finished(_app: Sphinx, _exception: Exception | None) -> None:
    _mark("finished")()
    target = os.environ.get("BENCH_PROBE")
    if target:
        data = {"marks": MARKS, "gc_seconds": GC["seconds"], "gc_full": GC["full"], "peak_mb": _peak_mb()}
        Path(target).write_text(json.dumps(data), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect a time stamp to the start and end of each phase."""
    gc.callbacks.append(_gc)
    app.connect("builder-inited", _mark("inited"))
    app.connect("env-before-read-docs", _mark("read"), priority=1)
    app.connect("env-updated", _mark("updated"), priority=1)
    app.connect("env-updated", _mark("fetched"), priority=999)
    app.connect("write-started", _mark("write"), priority=1)
    app.connect("build-finished", _finished, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
