"""Profile one build of the synthetic evidence site with cProfile and print where the extension spends its time.

    python benchmarks/profile_build.py [--pages 100] [--cites 20] [--pool 5000] [--incremental] [-j 1]

Prints the extension's functions by cumulative time, then every function by
own time; ``--save FILE`` keeps the raw statistics for snakeviz or pstats.
With ``--incremental`` the profiled build is a rebuild after editing one page.
The profiler counts CPU time, not wall time: on a busy machine wall time
charges a function for the time other processes had the CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sphinx.cmd.build import build_main  # noqa: E402

import sitegen  # noqa: E402
from measure import today_iso  # noqa: E402


def profile(src: Path, incremental: bool, jobs: int) -> pstats.Stats:
    """Build ``src`` (after a first build and a one-page edit when ``incremental``) under cProfile."""
    out = src / "_build"
    args = ["-q", "-b", "html", "-j", str(jobs), str(src), str(out)]
    if incremental:
        build_main(["-E", *args])
        page = next(src.glob("p*.rst"))
        page.write_text(page.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    else:
        args.insert(0, "-E")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    build_main(args)
    profiler.disable()
    return pstats.Stats(profiler, stream=io.StringIO())


def report(stats: pstats.Stats, top: int) -> str:
    """The extension's functions by cumulative time, then all functions by own time."""
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats("sphinxext_evidence", top)
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main(argv: list[str] | None = None) -> None:
    """Generate, profile, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--cites", type=int, default=20)
    parser.add_argument("--pool", type=int, default=5000)
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--workdir", type=Path, help="generate the site here (default: a temporary directory)")
    args = parser.parse_args(argv)
    os.environ["SPHINX_EVIDENCE_OFFLINE"] = "1"
    spec = sitegen.Spec(pages=args.pages, cites=args.cites, pool=args.pool)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        src = sitegen.generate(Path(tmp), spec, today_iso(), ("evidence",))["evidence"]
        stats = profile(src, args.incremental, args.jobs)
    if args.save:
        stats.dump_stats(args.save)
    print(report(stats, args.top))


if __name__ == "__main__":
    main()
