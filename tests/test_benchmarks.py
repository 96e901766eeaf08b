"""The benchmark harness (benchmarks/) on a tiny site, once each: it runs, and its outputs hold what they should.

No timing is asserted here: speed is measured by ``python benchmarks/run.py``,
as ratios against baselines built in the same run (benchmarks/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import measure  # noqa: E402
import report  # noqa: E402
import run as bench  # noqa: E402
import sitegen  # noqa: E402

from sphinxext_evidence.records import lockfile  # noqa: E402

pytest.importorskip("sphinxcontrib.bibtex", reason="the bibtex twin needs sphinxcontrib-bibtex (pip install -e .[bench])")

PAGES, CITES, POOL = 5, 3, 10


def test_synthetic_lockfile_is_complete_and_passes_the_checks(tmp_path: Path) -> None:
    spec = sitegen.Spec(pages=PAGES, cites=CITES, pool=POOL, drugs=3)
    src = sitegen.generate(tmp_path, spec, measure.today_iso(), ("evidence",))["evidence"]
    checked = lockfile.read_checked(src / "evidence.lock.json")
    assert checked.token  # nothing was found wrong with any record
    assert len(checked.sections["pubmed"]) == len(checked.sections["crossref-updates"]) == POOL
    assert len(checked.sections["openfda"]) == 3
    cited = {pmid for page in sitegen.plan(spec) for pmid in page}
    assert cited == set(spec.pmids)  # together the pages cite the whole pool
    assert all(len(set(page)) == CITES for page in sitegen.plan(spec))


def test_harness_runs_and_counts(tmp_path: Path) -> None:
    settings = bench.Settings(pages=PAGES, cites=CITES, pool=POOL, repeat=1, scale=(3,), scale_repeat=1,
                              fetch_pool=POOL, fetch_repeat=1)
    results = bench.run(settings, say=lambda _text: None, workdir=tmp_path)

    expected = {"pages": PAGES, "entries": PAGES * CITES}
    assert results.counts == {"evidence": expected, "plain": expected, "bibtex": expected}
    assert set(results.runs) == {"evidence-full", "evidence-edit", "plain-full", "plain-edit", "bibtex-full",
                                 "markup-full", "evidence-jobs", "plain-jobs"}
    for name, runs in results.runs.items():
        assert len(runs) == 1 and runs[0].warnings == 0, name
        assert runs[0].written == (1 if name.endswith("edit") else PAGES), name
        assert runs[0].seconds > 0 and runs[0].rss_mb > 0, name
    assert set(results.runs["evidence-full"][0].phases) == {"start", "read", "env-updated", "write"}
    assert results.unchanged_written == {"evidence": 0, "plain": 0}

    fetch = results.cold_fetch
    assert fetch["requests"] == fetch["expected_requests"] == 1
    assert fetch["records"] == POOL and fetch["floor"] == 0 and fetch["ratio"] is None

    assert [point["pages"] for point in results.scaling] == [3]
    summary = report.summarise(results)
    assert len(summary["targets"]) == 8
    assert summary["targets"][6]["met"] is True  # requests = ceil(P/200)

    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{report.START}\nPREVIOUS RESULTS\n{report.END}\n\nAfter.\n", encoding="utf-8")
    report.write_docs(summary, doc, plot_to=tmp_path / "plot.png")
    text = doc.read_text(encoding="utf-8")
    assert "PREVIOUS RESULTS" not in text and text.endswith("After.\n")
    assert "| Target | Measured | Met |" in text and f"{PAGES} pages × {CITES} citations" in text


def test_profile_script_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import profile_build

    monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    profile_build.main(["--pages", "2", "--cites", "2", "--pool", "4", "--top", "5", "--workdir", str(tmp_path)])
    assert "sphinxext_evidence" in capsys.readouterr().out
