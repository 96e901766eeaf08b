"""What sphinxext-evidence costs a build, as ratios against baselines measured in the same run.

    python benchmarks/run.py [--quick] [--docs] [--json FILE]

Generates a synthetic site (sitegen.py) and its two twins without the
extension, then builds them in turn, each measurement at least three times
(the order of the builds rotates from round to round, so a drift in the
machine's speed touches every variant alike), and reports ratios of medians:

* full warm build (``-E``, lockfile present, offline) against the plain twin
  and the sphinxcontrib-bibtex twin; its peak memory against the plain twin;
* ``-j 2`` against ``-j 1``, for the extension's site and for the plain twin;
* a rebuild after a one-page edit against the full build, and against the
  plain twin's own one-page rebuild; how many pages each rebuild wrote, and
  what a rebuild with nothing changed writes;
* a cold fetch of P PMIDs from the loopback E-utilities double (coldfetch.py):
  requests against ⌈P/200⌉, wall time against the rate limit's floor;
* a scaling curve, plain against the extension, from 50 to 2,000 pages.

Wall time is what the targets are about; CPU time (user + system, workers
included) is shown with it, because on a shared machine it is the steadier of
the two.  ``--docs`` writes the results into docs/performance.md and the plot
into docs/_static/ (the plot needs matplotlib: ``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import coldfetch  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
import sitegen  # noqa: E402
from measure import Run  # noqa: E402


@dataclass
class Settings:
    """How big the site is and how often each variant is built."""

    pages: int = 500
    cites: int = 20
    pool: int = 5000
    repeat: int = 3
    jobs: int = 2
    scale: tuple[int, ...] = (50, 200, 1000, 2000)
    scale_repeat: int = 3
    fetch_pool: int = 5000
    fetch_repeat: int = 3
    quick: bool = False

    @classmethod
    def quicker(cls) -> Settings:
        """Three runs of every key measurement, one run per point of the scaling curve."""
        return cls(scale_repeat=1, quick=True)

    @property
    def spec(self) -> sitegen.Spec:
        """The main site."""
        return sitegen.Spec(pages=self.pages, cites=self.cites, pool=self.pool)


@dataclass
class Results:
    """Every run, by variant, and the derived ratios."""

    settings: dict[str, Any]
    machine: dict[str, Any]
    runs: dict[str, list[Run]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    unchanged_written: dict[str, int] = field(default_factory=dict)
    cold_fetch: dict[str, Any] = field(default_factory=dict)
    scaling: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, run: Run) -> None:
        """Keep one run of variant ``name``."""
        self.runs.setdefault(name, []).append(run)

    def wall(self, name: str) -> list[float]:
        """Wall seconds of every run of ``name``."""
        return [r.seconds for r in self.runs[name]]

    def cpu(self, name: str) -> list[float]:
        """CPU seconds of every run of ``name``."""
        return [r.cpu for r in self.runs[name]]

    def rss(self, name: str) -> list[float]:
        """Peak memory (MiB) of every run of ``name``."""
        return [r.rss_mb for r in self.runs[name]]


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import docutils
    import sphinx

    return {"cores": os.cpu_count(), "python": platform.python_version(), "sphinx": sphinx.__version__,
            "docutils": docutils.__version__, "platform": platform.platform(), "load_start": os.getloadavg()[0]}


def count_outputs(out: Path, twin: str) -> dict[str, int]:
    """Content pages written and reference-list entries in them, counted in the HTML."""
    marker = {"evidence": 'class="evidence-entry', "plain": "<li><p>", "bibtex": 'role="doc-footnote"'}[twin]
    pages = sorted(out.glob("p*.html"))
    return {"pages": len(pages), "entries": sum(p.read_text(encoding="utf-8").count(marker) for p in pages)}


def full_and_edit(results: Results, twin: str, src: Path, round_no: int) -> None:
    """A full build of ``twin``, then a rebuild after a one-page edit (and, once, one with nothing changed)."""
    results.add(f"{twin}-full", measure.sphinx_build(src))
    if round_no == 0:
        results.counts[twin] = count_outputs(src / "_build", twin)
    measure.edit_one_page(src, f"round {round_no}")
    results.add(f"{twin}-edit", measure.sphinx_build(src, fresh=False))
    if round_no == 0:
        results.unchanged_written[twin] = measure.sphinx_build(src, fresh=False).written


def main_site(settings: Settings, root: Path, results: Results, say: Any) -> None:
    """Generate the site and its twins and build every variant ``settings.repeat`` times, in rotating order."""
    twins = sitegen.generate(root / "main", settings.spec, measure.today_iso(), ("evidence", "plain", "bibtex", "markup"))
    jobs = settings.jobs
    steps = [
        ("evidence full + edit", lambda r: full_and_edit(results, "evidence", twins["evidence"], r)),
        ("plain full + edit", lambda r: full_and_edit(results, "plain", twins["plain"], r)),
        ("bibtex full", lambda r: results.add("bibtex-full", measure.sphinx_build(twins["bibtex"]))),
        ("markup floor full", lambda r: results.add("markup-full", measure.sphinx_build(twins["markup"]))),
        (f"evidence -j {jobs}", lambda r: results.add("evidence-jobs", measure.sphinx_build(twins["evidence"], jobs=jobs))),
        (f"plain -j {jobs}", lambda r: results.add("plain-jobs", measure.sphinx_build(twins["plain"], jobs=jobs))),
    ]
    for round_no in range(settings.repeat):
        shift = round_no % len(steps)
        for label, step in steps[shift:] + steps[:shift]:
            say(f"round {round_no + 1}/{settings.repeat}: {label} (load {os.getloadavg()[0]:.2f})")
            step(round_no)
    if "bibtex" in twins:
        results.counts["bibtex"] = count_outputs(twins["bibtex"] / "_build", "bibtex")
    shutil.rmtree(root / "main", ignore_errors=True)


def scaling(settings: Settings, root: Path, results: Results, say: Any) -> None:
    """Build plain and the extension's site at each size of the curve (the pool grows with the site)."""
    for pages in settings.scale:
        pool = max(settings.cites, round(pages * settings.pool / settings.pages))
        spec = sitegen.Spec(pages=pages, cites=settings.cites, pool=pool)
        twins = sitegen.generate(root / f"scale-{pages}", spec, measure.today_iso(), ("evidence", "plain"))
        runs: dict[str, list[Run]] = {"evidence": [], "plain": []}
        for n in range(settings.scale_repeat):
            for twin in (("evidence", "plain") if n % 2 == 0 else ("plain", "evidence")):
                say(f"scaling {pages} pages: {twin} {n + 1}/{settings.scale_repeat} (load {os.getloadavg()[0]:.2f})")
                runs[twin].append(measure.sphinx_build(twins[twin]))
        point: dict[str, Any] = {"pages": pages, "pool": pool}
        for twin, done in runs.items():
            point[twin] = {"wall": measure.median([r.seconds for r in done]),
                           "cpu": measure.median([r.cpu for r in done]),
                           "rss": measure.median([r.rss_mb for r in done]),
                           "load": measure.median([r.load for r in done])}
        results.scaling.append(point)
        shutil.rmtree(root / f"scale-{pages}", ignore_errors=True)


def run(settings: Settings, say: Any = print, workdir: Path | None = None) -> Results:
    """Every measurement of ``settings``; the site is generated in ``workdir`` (a temporary directory)."""
    results = Results(asdict(settings), machine())
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        root = Path(tmp)
        main_site(settings, root, results, say)
        say(f"cold fetch of {settings.fetch_pool} PMIDs (load {os.getloadavg()[0]:.2f})")
        results.cold_fetch = coldfetch.cold_fetch(root, settings.fetch_pool, settings.fetch_repeat,
                                                  measure.today_iso())
        if settings.scale:
            scaling(settings, root, results, say)
    results.machine["load_end"] = os.getloadavg()[0]
    return results


def parse_args(argv: list[str] | None = None) -> tuple[Settings, argparse.Namespace]:
    """Settings from the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run per point of the scaling curve")
    parser.add_argument("--pages", type=int)
    parser.add_argument("--cites", type=int)
    parser.add_argument("--pool", type=int)
    parser.add_argument("--repeat", type=int, help="runs of each key measurement (at least 3 for the report)")
    parser.add_argument("--jobs", type=int, help="-j of the parallel builds (default 2)")
    parser.add_argument("--scale", help="pages of the scaling curve, comma-separated ('' for none)")
    parser.add_argument("--scale-repeat", type=int)
    parser.add_argument("--fetch-pool", type=int, help="PMIDs of the cold fetch")
    parser.add_argument("--fetch-repeat", type=int)
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    parser.add_argument("--docs", action="store_true", help="write docs/performance.md and its plot")
    args = parser.parse_args(argv)
    settings = Settings.quicker() if args.quick else Settings()
    for name in ("pages", "cites", "pool", "repeat", "jobs", "scale_repeat", "fetch_pool", "fetch_repeat"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    if args.scale is not None:
        settings.scale = tuple(int(x) for x in args.scale.split(",") if x.strip())
    return settings, args


def main(argv: list[str] | None = None) -> None:
    """Measure, print the report, and write what was asked for."""
    settings, args = parse_args(argv)
    if settings.repeat < 3:
        print(f"note: {settings.repeat} run(s) per measurement; the report's medians want at least 3")
    started = time.time()
    results = run(settings, say=lambda text: print(f"[{time.time() - started:7.1f} s] {text}", flush=True))
    summary = report.summarise(results)
    print(report.text(summary))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": {k: [asdict(r) for r in v]
                                                                      for k, v in results.runs.items()},
                                         "cold_fetch": results.cold_fetch}, indent=1), encoding="utf-8")
    if args.docs:
        report.write_docs(summary)
    print(json.dumps({"ratios": summary["ratios"]}))
    print(f"total {time.time() - started:.0f} s; ceil(P/200) = {math.ceil(settings.fetch_pool / 200)}")


if __name__ == "__main__":
    main()
