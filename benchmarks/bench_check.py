"""How long ``sphinx-evidence check`` takes on a large site: N pages and a lockfile holding every record they need.

The site is synthetic: reStructuredText and MyST pages that cite works by
role and study card, grade outcomes in a certainty table, and state a
regulatory status checked against openFDA, between paragraphs, lists and
code blocks that hold the same markup as examples (which ``check`` must skip).
The lockfile holds a PubMed record and Crossref correction links for every
work cited and an openFDA record for every drug, a few works retracted (and
acknowledged where cited) and 50 records no page cites any more, so the run
reads everything and reports little: the uncited records.
Each run is a fresh process, as in CI: start-up and imports are included.

    python benchmarks/bench_check.py --pages 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sphinxext_evidence.records import lockfile

FIRST_PMID = 30000000
DRUGS = ("metformin", "semaglutide", "aspirin", "atorvastatin", "lisinopril", "cerebrolysin", "donepezil",
         "sertraline", "apixaban", "levothyroxine")
FILLER = ("Pooled trials in adults followed for a median of two years found the estimate below; the confidence "
          "interval is wide and the trials differ in dose, so the certainty is graded down once.")


def record(pmid: int, day: str, retracted: bool) -> dict[str, Any]:
    """A PubMed record shaped like the ones the extension stores."""
    types = ["Journal Article", "Randomized Controlled Trial"] + (["Retracted Publication"] if retracted else [])
    custom: dict[str, Any] = {"fetched": day, "initials": ["A", "BC"], "publication-types": types,
                              "source": "pubmed"}
    if retracted:
        custom["notices"] = [{"type": "RetractionIn", "pmid": str(pmid + 1), "source": "Retraction notice"}]
    return {"DOI": f"10.5555/bench.{pmid}", "PMID": str(pmid), "author": [{"family": "Smith", "given": "Anna"},
            {"family": "Nguyen", "given": "Ben Chen"}], "container-title": "The Lancet",
            "container-title-short": "Lancet", "custom": custom, "id": f"pmid:{pmid}", "issue": "3",
            "issued": {"date-parts": [[2019, 3]]}, "page": "100-9", "title": f"Trial number {pmid} in adults.",
            "type": "article-journal", "volume": "43"}


def rst_page(p: int, works: list[int], drug: str, retracted: set[int]) -> str:
    """One reStructuredText page: citations, a card, a certainty table, a status, and markup shown as code."""
    def cite(w: int) -> str:
        return f":pmid:`{w} | shown as an example of a retracted trial`" if w in retracted else f":pmid:`{w}`"

    paras = [f"{FILLER} Trials {cite(works[i])} and {cite(works[i + 1])} agree." for i in range(0, len(works) - 1, 2)]
    card = works[0]
    return "\n".join([
        f"Page {p}", "=" * (len(str(p)) + 5), "", *[x for para in paras for x in (para, "")],
        "- a list item citing " + cite(works[-1]), "- another item, with ``:pmid:`1``` shown literally", "",
        "Written like this::", "", "   :pmid:`2` is not a citation here", "",
        f".. pmid:: {card}", "   :design: Randomised trial", "   :participants: 1,200 adults",
        *(["   :acknowledge: kept as an example"] if card in retracted else []), "",
        "   What the trial found, in a sentence.", "",
        ".. certainty-table:: Drug versus placebo", f"   :intervention: {drug.capitalize()}",
        "   :comparison: placebo", "",
        "   .. evidence-grade:: All-cause death", "      :certainty: moderate", "      :effect: little-or-no",
        "      :relative: RR 0.96 (0.65 to 1.41)", "      :studies: 6 RCTs", f"      :source: {works[1]}",
        "      :downgrade: imprecision -1 wide confidence interval", "",
        "   .. evidence-grade:: Serious adverse events", "      :certainty: low", "      :effect: little-or-no",
        "      :relative: RR 1.02 (0.80 to 1.30)", "      :studies: 5 RCTs", f"      :source: {works[2]}",
        "      :downgrade: risk-of-bias -1 unclear allocation; imprecision -1 few events", "",
        f".. regulatory-status:: {drug.capitalize()}", f"   :as-of: {dt.date.today().isoformat()}", "",
        "   :US: approved — prescription", "   :EU: approved", "",
        ".. code-block:: rst", "", "   .. pmid:: 3", "", ""])


def md_page(p: int, works: list[int], drug: str, retracted: set[int]) -> str:
    """One MyST page with the same content."""
    def cite(w: int) -> str:
        return f"{{pmid}}`{w} | shown as an example`" if w in retracted else f"{{pmid}}`{w}`"

    paras = [f"{FILLER} Trials {cite(works[i])} and {cite(works[i + 1])} agree." for i in range(0, len(works) - 1, 2)]
    return "\n".join([
        f"# Page {p}", "", *[x for para in paras for x in (para, "")], "Shown: `{pmid}`1``.", "",
        f"```{{pmid}} {works[0]}", ":design: Randomised trial",
        *([":acknowledge: kept as an example"] if works[0] in retracted else []), "", "The finding.", "```", "",
        "````{certainty-table} Drug versus placebo", f":intervention: {drug.capitalize()}", "",
        "```{evidence-grade} All-cause death", ":certainty: moderate", ":effect: little-or-no",
        ":relative: RR 0.96 (0.65 to 1.41)", ":studies: 6 RCTs", f":source: {works[1]}",
        ":downgrade: imprecision -1 wide confidence interval", "```", "````", "",
        f"```{{regulatory-status}} {drug.capitalize()}", f":as-of: {dt.date.today().isoformat()}", "",
        ":US: approved", "```", "", "```rst", ".. pmid:: 3", "```", ""])


def generate(root: Path, pages: int, cites: int, seed: int = 1) -> dict[str, int]:
    """Write the site and its lockfile under ``root``; return what it holds."""
    rng = random.Random(seed)
    day = dt.date.today().isoformat()
    pool = list(range(FIRST_PMID, FIRST_PMID + max(pages * cites // 4, cites)))
    retracted = set(rng.sample(pool, max(1, len(pool) // 200)))
    (root / "conf.py").write_text('project = "bench"\nextensions = ["myst_parser", "sphinxext_evidence"]\n'
                                  'myst_enable_extensions = ["colon_fence", "fieldlist"]\n'
                                  'exclude_patterns = ["_build"]\n', encoding="utf-8")
    cited: set[int] = set()
    for p in range(pages):
        works = rng.sample(pool, cites)
        works.sort(key=lambda w: w in retracted)  # a grade's sources (works 1 and 2) cannot be acknowledged
        cited.update(works)
        drug = DRUGS[p % len(DRUGS)]
        folder = root / f"section{p // 100:02d}"
        folder.mkdir(exist_ok=True)
        if p % 5 == 4:
            (folder / f"page{p}.md").write_text(md_page(p, works, drug, retracted), encoding="utf-8")
        else:
            (folder / f"page{p}.rst").write_text(rst_page(p, works, drug, retracted), encoding="utf-8")
    (root / "index.rst").write_text("Bench\n=====\n\n.. toctree::\n   :glob:\n\n   section*/*\n", encoding="utf-8")
    stale = [w for w in pool if w not in cited][:50] or [pool[-1] + 1]  # records no page cites any more
    sections: lockfile.Sections = {
        "pubmed": {str(w): record(w, day, w in retracted) for w in sorted({*cited, *stale})},
        "crossref-updates": {f"10.5555/bench.{w}": {"checked": day, "in-crossref": True, "notices": []}
                             for w in sorted(cited)},
        "openfda": {d: {"name": d, "checked": day, "total": 1, "data_updated": day, "applications": [
            {"application_number": f"NDA{i:06d}", "sponsor": "Maker", "brand_names": [d.upper()],
             "marketing_status": ["Prescription"], "approved": "2001-01-01"}]} for i, d in enumerate(DRUGS)},
    }
    (root / "evidence.lock.json").write_text(lockfile.dumps(sections), encoding="utf-8")
    return {"pages": pages + 1, "records": sum(len(s) for s in sections.values()), "cited works": len(cited)}


def main() -> None:
    """Generate the site, run ``check`` on it ``--repeat`` times in fresh processes, print the times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--cites", type=int, default=12, help="works cited per page")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = generate(root, args.pages, args.cites)
        print(", ".join(f"{v:,} {k}" for k, v in sizes.items()),
              f"(lockfile {(root / 'evidence.lock.json').stat().st_size / 1e6:.1f} MB)")
        times, cpu = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "sphinxext_evidence.cli", "check", str(root),
                                   "--format", "json"], capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode not in (0, 1):
                sys.exit(f"check failed ({done.returncode}): {done.stderr.strip()}")
        findings = json.loads(done.stdout)
        print(f"check: wall median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}), "
              f"CPU median {statistics.median(cpu):.2f} s, over {args.repeat} runs; {len(findings)} finding(s)")
        print(done.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
