"""Running one sphinx-build and measuring it: wall time, peak memory, pages written, machine load."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


#: The phases of a build, between the probe's marks (see bench_probe.py).
PHASES = {"start": ("start", "inited"), "read": ("read", "updated"), "env-updated": ("updated", "fetched"),
          "write": ("write", "finished")}


@dataclass(frozen=True)
class Run:
    """One build: wall and CPU seconds, peak resident memory (MiB), pages written, load before it, phases.

    ``cpu`` counts the build process and the workers it forked; ``phases``
    gives the main process's CPU seconds per phase, and ``gc`` its seconds in
    cyclic garbage collection.
    """

    seconds: float
    rss_mb: float
    written: int
    load: float
    cpu: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    gc: float = 0.0
    marks: dict[str, float] = field(default_factory=dict)  # time.monotonic() at the probe's marks
    warnings: int = 0
    rss_at: dict[str, float] = field(default_factory=dict)  # resident MiB of the main process at each mark


#: Builds keep their compiled modules in one place outside the checkout, so none recompiles the extension.
BYTECODE = {"PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir(), "sphinxext-evidence-bench-pycache"))}


def today_iso() -> str:
    """Today's date, as the synthetic records' fetch date and the regulatory tables' ``:as-of:``."""
    return dt.date.today().isoformat()


def load_average() -> float:
    """The machine's one-minute load average."""
    return os.getloadavg()[0]


def sphinx_build(src: Path, *, fresh: bool = True, jobs: int = 1, builder: str = "html",
                 extra: Sequence[str] = (), offline: bool = True) -> Run:
    """Build ``src`` into ``src/_build`` in a new process (offline unless told otherwise); measure it.

    Peak memory is the build process's own peak resident set (VmHWM, read by
    the probe); for a parallel build, the kernel's figure for the child and
    the workers it waited for, when that is larger.
    """
    src = src.resolve()
    out = src / "_build"
    args = [sys.executable, "-m", "sphinx", "-q", "-b", builder, "-j", str(jobs), *extra, str(src), str(out)]
    if fresh:
        args.insert(3, "-E")
    probe = Path(tempfile.mkstemp(prefix="bench-probe-", suffix=".json")[1])
    environ = {**os.environ, "SPHINX_EVIDENCE_OFFLINE": "1" if offline else "", "BENCH_PROBE": str(probe),
               **BYTECODE}
    load = load_average()
    before = time.time_ns()
    start = time.perf_counter()
    # In the site's directory, so that the extension is imported from PYTHONPATH when it is set (a build started
    # in a checkout imports that checkout's package first, whatever PYTHONPATH says).
    with subprocess.Popen(args, env=environ, cwd=src, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        # wait4 gives this child's own resource use; reading stderr first could not deadlock on a full pipe.
        stderr = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"sphinx-build failed for {src} ({proc.returncode}):\n{stderr.decode(errors='replace')}")
    try:
        data = json.loads(probe.read_text(encoding="utf-8") or "{}")
    finally:
        probe.unlink(missing_ok=True)
    cpu = {name: mark[1] for name, mark in data.get("marks", {}).items()}
    cpu.setdefault("start", 0.0)
    phases = {name: cpu[end] - cpu[begin] for name, (begin, end) in PHASES.items() if begin in cpu and end in cpu}
    marks = data.get("marks", {})
    # ru_maxrss survives exec, so it never reads below the size of the process that started the build: the
    # build's own peak (VmHWM, from the probe) is used, with the workers' where a parallel build forked some.
    peak = float(data.get("peak_mb") or 0.0) or usage.ru_maxrss / 1024
    if jobs > 1:
        peak = max(peak, usage.ru_maxrss / 1024)
    return Run(seconds, peak, written_since(out, before, builder), load,
               cpu=usage.ru_utime + usage.ru_stime, phases=phases, gc=float(data.get("gc_seconds", 0.0)),
               marks={name: mark[0] for name, mark in marks.items()}, warnings=stderr.count(b"WARNING"),
               rss_at={name: round(mark[2], 1) for name, mark in marks.items()})


def written_since(out: Path, since_ns: int, builder: str = "html") -> int:
    """How many content pages (``p*``) the build wrote into ``out`` at or after ``since_ns``."""
    if builder != "html":
        return 0
    return sum(1 for page in out.glob("p*.html") if page.stat().st_mtime_ns >= since_ns)


def edit_one_page(src: Path, mark: str) -> None:
    """Append a paragraph to the first content page, as an author's small edit."""
    page = min(src.glob("p*.rst"))
    page.write_text(page.read_text(encoding="utf-8") + f"\nEdited ({mark}).\n", encoding="utf-8")


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


def ratio(top: Sequence[float], bottom: Sequence[float]) -> float:
    """The ratio of the medians of ``top`` and ``bottom``."""
    return median(top) / median(bottom)
