"""A cold fetch: a site citing P PMIDs, no PubMed records in its lockfile, the loopback E-utilities double as PubMed.

The double (``tests/fakes/eutils.py``) serves the recorded PubMed answers in
its fixtures, in turn, under the P synthetic PMIDs (records of 3 to 44 kB,
13 kB the median, as real ones are).  The site's pages cite every PMID once; its
lockfile holds only the openFDA records, and Crossref's correction links are
not asked for (``evidence_correction_checks = False``), so the one thing
fetched is P PubMed records.  Nothing leaves the machine.

Measured per run: efetch requests received (to compare with ⌈P/200⌉), the
wall time of the ``env-updated`` stage from the probe (fetch, lockfile save,
record digests), and the span from the first request to the last.  Without an
API key NCBI allows 3 requests a second, so no client can take less than
(⌈P/200⌉ − 1) / 3 seconds: the floor the wall time is compared with.
"""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes.eutils import FIXTURES, EUtilsDouble, split_records, with_pmid  # noqa: E402
from fakes.server import FakeServer  # noqa: E402

import measure  # noqa: E402
import sitegen  # noqa: E402
from sphinxext_evidence.records import lockfile  # noqa: E402
from sphinxext_evidence.sources.pubmed import INTERVAL_NO_KEY, MAX_IDS_PER_REQUEST  # noqa: E402

PER_PAGE = 100


def floor_seconds(pool: int) -> float:
    """The least time ⌈pool/200⌉ requests can take at 3 requests a second (the first is not waited for)."""
    return (math.ceil(pool / MAX_IDS_PER_REQUEST) - 1) * INTERVAL_NO_KEY


def serve(double: EUtilsDouble, pmids: list[str]) -> None:
    """Have the double answer for every PMID in ``pmids`` with one of its recorded articles, in turn."""
    recorded = [element for path in sorted(FIXTURES.glob("efetch_pubmed_xml_*.xml"))
                for element in split_records(path.read_bytes()).values()]
    for n, pmid in enumerate(pmids):
        double.records[pmid] = with_pmid(recorded[n % len(recorded)], pmid)


def make_site(root: Path, pool: int, day: str) -> Path:
    """A site of ⌈pool/100⌉ pages citing every PMID of the pool once, its lockfile without PubMed records."""
    spec = sitegen.Spec(pages=math.ceil(pool / PER_PAGE), cites=min(PER_PAGE, pool), pool=pool,
                        drugs=min(sitegen.Spec.drugs, pool))
    src = sitegen.generate(root, spec, day, ("evidence",))["evidence"]
    sections = sitegen.make_records(spec, day)
    (src / "evidence.lock.json").write_text(lockfile.dumps({"openfda": sections["openfda"]}), encoding="utf-8")
    return src


def run_once(src: Path, double: EUtilsDouble, lock_text: str) -> dict[str, Any]:
    """One cold build of ``src`` against ``double``; requests, stage wall time and request span."""
    shutil.rmtree(src / "_build", ignore_errors=True)
    (src / "evidence.lock.json").write_text(lock_text, encoding="utf-8")
    before = double.count
    run = measure.sphinx_build(src, builder="dummy", offline=False,
                               extra=["-D", f"evidence_eutils_url={double.base_url}",
                                      "-D", "evidence_correction_checks=0",
                                      # Nothing else is wanted; were it, it would be asked of loopback too.
                                      "-D", f"evidence_crossref_url={double.server.url}",
                                      "-D", f"evidence_openfda_url={double.server.url}"])
    requests = double.requests[before:]
    fetched = len(lockfile.load(src / "evidence.lock.json").get("pubmed", {}))
    span = requests[-1].time - requests[0].time if requests else 0.0
    return {"requests": len(requests), "stage": run.marks["fetched"] - run.marks["updated"], "span": span,
            "records": fetched, "build": run.seconds, "load": run.load}


def cold_fetch(root: Path, pool: int, repeat: int, day: str) -> dict[str, Any]:
    """``repeat`` cold fetches of ``pool`` PMIDs; the runs and their medians against the expectations."""
    src = make_site(root / "coldfetch", pool, day)
    lock_text = (src / "evidence.lock.json").read_text(encoding="utf-8")
    with FakeServer() as server:
        double = EUtilsDouble(server)
        serve(double, sitegen.Spec(pool=pool).pmids)
        runs = [run_once(src, double, lock_text) for _ in range(repeat)]
    floor = floor_seconds(pool)
    stage = measure.median([r["stage"] for r in runs])
    return {"pool": pool, "runs": runs, "expected_requests": math.ceil(pool / MAX_IDS_PER_REQUEST),
            "requests": measure.median([r["requests"] for r in runs]), "floor": floor, "stage": stage,
            "span": measure.median([r["span"] for r in runs]),
            "records": min(r["records"] for r in runs), "ratio": stage / floor if floor else None}
