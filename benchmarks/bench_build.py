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

Prints the medians and the ratio evidence/baseline.  Usage::

    python benchmarks/bench_build.py [--pages 300] [--cites 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
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


def entry_rst(record: dict) -> str:
    """A reference entry typed by hand: the text and links the extension would render."""
    article = Article.from_csl(record["id"], record)
    authors = author_list(article.authors, 3)
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
            lines.append(f".. container:: card\n\n   {entry_rst(records[card])}\n\n   :Design: Randomised trial\n\n"
                         "   A note.\n\n")
            lines.append("".join(f"#. {entry_rst(records[pool[(p * 7 + i) % len(pool)]])}\n" for i in range(cites)))
        (dest / f"p{p:04d}.rst").write_text("".join(lines))


def sphinx(src: Path, out: Path, *extra: str) -> float:
    """Run sphinx-build once; return wall seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", *extra, str(src), str(out)],
                   check=True, env={**os.environ, "SPHINX_EVIDENCE_OFFLINE": "1"})
    return time.perf_counter() - start


def measure(src: Path, repeat: int) -> tuple[float, float]:
    """Median seconds of a full build and of a rebuild after one edit."""
    out = src / "_build"
    cold, warm = [], []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        cold.append(sphinx(src, out, "-E"))
        page = src / "p0000.rst"
        page.write_text(page.read_text() + "\nEdited.\n")
        warm.append(sphinx(src, out))
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    """Generate, build, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--cites", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    records = make_records(400)
    pool = sorted(records)
    with tempfile.TemporaryDirectory() as tmp:
        base, evid = Path(tmp, "baseline"), Path(tmp, "evidence")
        make_site(base, args.pages, args.cites, False, pool, records)
        make_site(evid, args.pages, args.cites, True, pool, records)
        lockfile.save(evid / "evidence.lock.json", {"pubmed": records})
        b_cold, b_warm = measure(base, args.repeat)
        e_cold, e_warm = measure(evid, args.repeat)
    total = args.pages * args.cites
    print(f"{args.pages} pages, {total} citations, {len(records)} lockfile records, median of {args.repeat}")
    print(f"full build    baseline {b_cold:6.2f} s   evidence {e_cold:6.2f} s   ratio {e_cold / b_cold:.3f}")
    print(f"one-page edit baseline {b_warm:6.2f} s   evidence {e_warm:6.2f} s   ratio {e_warm / b_warm:.3f}")
    print(json.dumps({"full_ratio": round(e_cold / b_cold, 3), "edit_ratio": round(e_warm / b_warm, 3)}))


if __name__ == "__main__":
    main()
