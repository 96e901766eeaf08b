"""How much does sphinxext-evidence add to a Sphinx build?

Generates a site of N pages, each citing K papers by PMID (records served
from a committed-style lockfile, offline), with a study card and a reference
list, and times three builds against a baseline measured in the same run:

* baseline: the same pages written the way authors do it by hand today --
  citation numbers typed in, the reference list and study card pasted as
  reStructuredText with the same text and links -- and the extension not
  loaded (what Sphinx itself costs for the same output);
* evidence, cold: a full build (``-E``) with the extension;
* evidence, warm: a rebuild after editing one page.

Builds alternate baseline/evidence, so a drift in machine speed hits both;
prints the medians and the median of the per-pair ratios evidence/baseline.  Usage::

    python benchmarks/bench_build.py [--pages 300] [--cites 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes.eutils import split_records, with_pmid  # noqa: E402

from sphinxext_evidence import lockfile  # noqa: E402
from sphinxext_evidence.model import Article, plain_title  # noqa: E402
from sphinxext_evidence.render.common import author_list  # noqa: E402
from sphinxext_evidence.sources.pubmed import parse_pubmed_xml  # noqa: E402

PARAGRAPH = ("Outcome {i} was measured in several trials and the pooled estimate was small {cite}. "
             "Heterogeneity was moderate and the certainty of the evidence was judged low.\n\n")


def make_records(count: int) -> dict[str, dict]:
    """``count`` realistic records: a recorded article cloned with new PMIDs, parsed by the real parser."""
    fixture = ROOT / "tests/fixtures/eutils/efetch_pubmed_xml_27797938_structured_abstract_html_tags.xml"
    element = next(iter(split_records(fixture.read_bytes()).values()))
    body = b"<PubmedArticleSet>" + b"".join(with_pmid(element, str(20000000 + i)) for i in range(count)) + b"</PubmedArticleSet>"
    return parse_pubmed_xml(body, "2026-11-21")


def entry_rst(record: dict, limit: int = 3) -> str:
    """A reference entry typed by hand: the text and links the extension would render."""
    article = Article.from_csl(record["id"], record)
    authors = author_list(article.authors, limit)
    return (f"{authors} ({article.year}). {plain_title(article.title)} *{article.journal}*. "
            f"`PMID {article.pmid} <https://pubmed.ncbi.nlm.nih.gov/{article.pmid}/>`__ · "
            f"`doi:{article.doi} <https://doi.org/{article.doi}>`__")


def make_site(dest: Path, pages: int, cites: int, with_evidence: bool, pool: list[str],
              records: dict[str, dict]) -> None:
    """Write the generated project to ``dest``."""
    dest.mkdir(parents=True)
    ext = '["sphinxext_evidence"]' if with_evidence else "[]"
    (dest / "conf.py").write_text(f"extensions = {ext}\nevidence_offline = True\nhtml_theme = 'basic'\n")
    (dest / "index.rst").write_text("Site\n====\n\n.. toctree::\n   :glob:\n\n   p*\n")
    for p in range(pages):
        lines = [f"Page {p}\n{'=' * (5 + len(str(p)))}\n\n"]
        for i in range(cites):
            pmid = pool[(p * 7 + i) % len(pool)]
            cite = f":pmid:`{pmid}`" if with_evidence else f"[{i + 1}]"
            lines.append(PARAGRAPH.format(i=i, cite=cite))
        if with_evidence:
            lines.append(f".. pmid:: {pool[p % len(pool)]}\n   :design: Randomised trial\n\n   A note.\n\n.. references::\n")
        else:
            card = pool[p % len(pool)]
            # The study card shows the full author list, as the extension's card does.
            lines.append(f".. container:: card\n\n   {entry_rst(records[card], 0)}\n\n   :Design: Randomised trial\n\n"
                         "   A note.\n\n")
            lines.append("".join(f"#. {entry_rst(records[pool[(p * 7 + i) % len(pool)]])}\n" for i in range(cites)))
        (dest / f"p{p:04d}.rst").write_text("".join(lines))


def sphinx(src: Path, out: Path, *extra: str) -> float:
    """Run sphinx-build once; return wall seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", *extra, str(src), str(out)],
                   check=True, env={**os.environ, "SPHINX_EVIDENCE_OFFLINE": "1"})
    return time.perf_counter() - start


def measure(base: Path, evid: Path, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Pairs of (baseline, evidence) seconds for a full build and a one-page edit, taken in turn."""
    pairs: dict[str, list[tuple[float, float]]] = {"full": [], "edit": []}
    for _ in range(repeat):
        times = {}
        for src in (base, evid):  # alternate, so drift in machine speed hits both alike
            out = src / "_build"
            shutil.rmtree(out, ignore_errors=True)
            full = sphinx(src, out, "-E")
            page = src / "p0000.rst"
            page.write_text(page.read_text() + "\nEdited.\n")
            times[src] = (full, sphinx(src, out))
        pairs["full"].append((times[base][0], times[evid][0]))
        pairs["edit"].append((times[base][1], times[evid][1]))
    return pairs


def main() -> None:
    """Generate, build, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--cites", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # Byte-compile the package as ``pip install`` does; an editable checkout with
    # PYTHONDONTWRITEBYTECODE set would otherwise recompile it in every build.
    compileall.compile_dir(str(ROOT / "sphinxext_evidence"), quiet=1)
    records = make_records(400)
    pool = sorted(records)
    with tempfile.TemporaryDirectory() as tmp:
        base, evid = Path(tmp, "baseline"), Path(tmp, "evidence")
        make_site(base, args.pages, args.cites, False, pool, records)
        make_site(evid, args.pages, args.cites, True, pool, records)
        lockfile.save(evid / "evidence.lock.json", {"pubmed": records})
        pairs = measure(base, evid, args.repeat)
    total = args.pages * args.cites
    print(f"{args.pages} pages, {total} citations, {len(records)} lockfile records, {args.repeat} alternating pairs")
    result = {}
    for kind, label in (("full", "full build   "), ("edit", "one-page edit")):
        ratios = sorted(e / b for b, e in pairs[kind])
        b = statistics.median(p[0] for p in pairs[kind])
        e = statistics.median(p[1] for p in pairs[kind])
        result[kind] = round(statistics.median(ratios), 3)
        print(f"{label} baseline {b:6.2f} s   evidence {e:6.2f} s   ratio median {result[kind]:.3f} "
              f"(min {ratios[0]:.3f}, max {ratios[-1]:.3f})")
    print(json.dumps({"full_ratio": result["full"], "edit_ratio": result["edit"]}))


if __name__ == "__main__":
    main()
