"""Fetching: batching, politeness and every kind of failure, through real Sphinx builds.

After each failure the lockfile must be byte-for-byte what it was, and the
records it already held must still render.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from fakes import EFETCH_PATH, Canned, EUtilsDouble
from fakes.eutils import with_pmid
from helpers import assert_paced, build_with, read, warnings

LOCK = "evidence.lock.json"


def build(make_app, src: Path, eutils: EUtilsDouble, **conf):
    """Build html against the double with fast retries."""
    return build_with(make_app, src, eutils=eutils, retries=2, **conf)


def primed(make_app, project, eutils: EUtilsDouble) -> tuple[Path, bytes]:
    """The citations project with a filled lockfile, plus a page citing a PMID not yet fetched."""
    src = project("citations")
    build(make_app, src, eutils)
    before = (src / LOCK).read_bytes()
    (src / "new.rst").write_text("New\n===\n\nA new paper :pmid:`9997`.\n\nAgain :pmid:`9997`.\n", encoding="utf-8")
    return src, before


def assert_kept(app, src: Path, before: bytes) -> None:
    """The lockfile is untouched and known records still render."""
    assert (src / LOCK).read_bytes() == before
    assert "National Toxicology Program" in read(app, "index.html")
    assert "metadata not available" in read(app, "new.html")


def test_450_new_pmids_cost_three_requests(make_app, tmp_path, eutils):
    template = eutils.records["21860499"]
    pmids = [str(30000000 + i) for i in range(450)]
    for pmid in pmids:  # derived from a recorded article, with the PMID changed
        eutils.add_record(with_pmid(template, pmid))
    src = tmp_path / "many"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\n")
    for page in range(3):
        chunk = pmids[page * 150 : (page + 1) * 150]
        (src / f"p{page}.rst").write_text(f"P{page}\n==\n\n" + " ".join(f":pmid:`{p}`" for p in chunk) + "\n")
    (src / "index.rst").write_text("I\n=\n\n.. toctree::\n\n   p0\n   p1\n   p2\n")
    build(make_app, src, eutils)
    sizes = sorted(len(r.param("id").split(",")) for r in eutils.requests)
    assert sizes == [50, 200, 200]
    assert len(json.loads((src / LOCK).read_text())["pubmed"]) == 450


def test_rate_limit_and_api_key(make_app, project, eutils, monkeypatch):
    template = eutils.records["21860499"]
    for i in range(401):
        eutils.add_record(with_pmid(template, str(31000000 + i)))
    src = project("citations")
    (src / "more.rst").write_text("M\n=\n\n" + " ".join(f":pmid:`{31000000 + i}`" for i in range(401)) + "\n")
    build(make_app, src, eutils)  # 3 requests without a key: at least 1/3 s apart
    times = [r.time for r in eutils.requests]
    assert len(times) == 3
    assert_paced(times, 1 / 3)
    assert all(r.param("api_key") is None for r in eutils.requests)

    secret = "sekrit-ncbi-key-123"
    monkeypatch.setenv("NCBI_API_KEY", secret)
    for i in range(401, 802):
        eutils.add_record(with_pmid(template, str(31000000 + i)))
    (src / "more2.rst").write_text("M\n=\n\n" + " ".join(f":pmid:`{31000000 + i}`" for i in range(401, 802)) + "\n")
    app = build(make_app, src, eutils)
    keyed = eutils.requests[3:]
    assert len(keyed) == 3 and all(r.param("api_key") == secret for r in keyed)
    gaps = [b.time - a.time for a, b in zip(keyed, keyed[1:])]
    assert all(g >= 0.09 for g in gaps) and min(gaps) < 0.3
    # The key never reaches the lockfile, the output, the pickled environment or the log.
    for path in Path(src).rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert secret not in warnings(app)


def test_429_with_retry_after_then_success(make_app, project, eutils):
    src, before = primed(make_app, project, eutils)
    body = Path(__file__).parent.joinpath("fixtures/eutils/rate_limit_429_body_ncbi_doc_example.json").read_bytes()
    eutils.server.queue(EFETCH_PATH, Canned(429, {"Retry-After": "1", "Content-Type": "application/json"}, body))
    start = time.monotonic()
    app = build(make_app, src, eutils)
    assert time.monotonic() - start >= 1.0  # Retry-After was honoured
    assert eutils.count == 3  # the priming fetch, the 429, the retry
    assert "9997" in json.loads((src / LOCK).read_text())["pubmed"]
    assert "Strekas TC" in read(app, "new.html")
    assert "[evidence.fetch]" not in warnings(app)


def test_500_until_give_up(make_app, project, eutils):
    src, before = primed(make_app, project, eutils)
    eutils.server.queue(EFETCH_PATH, *[Canned(500, {}, b"Internal Server Error")] * 10)
    app = build(make_app, src, eutils)
    assert eutils.count == 1 + 3  # one try and two retries
    log = warnings(app)
    assert re.search(r"PubMed fetch failed: .*500.*records already in evidence\.lock\.json are kept.*\[evidence\.fetch\]", log)
    assert re.search(r"new\.rst:4: WARNING: PMID 9997 has no record in the lockfile.*\[evidence\.missing\]", log)
    assert re.search(r"new\.rst:6: WARNING: PMID 9997 has no record", log)
    assert_kept(app, src, before)


def test_timeout(make_app, project, eutils):
    src, before = primed(make_app, project, eutils)
    eutils.server.queue(EFETCH_PATH, *[Canned(200, {}, b"", delay=1.5)] * 3)
    app = build(make_app, src, eutils, evidence_http_timeout=0.3, evidence_http_retries=1)
    assert re.search(r"PubMed fetch failed: .*(?i:timed out|timeout).*\[evidence\.fetch\]", warnings(app))
    assert_kept(app, src, before)


def test_truncated_xml(make_app, project, eutils):
    src, before = primed(make_app, project, eutils)
    full = eutils.efetch(eutils.requests[0]).payload()
    eutils.server.queue(EFETCH_PATH, Canned(200, {"Content-Type": "text/xml"}, full[: len(full) // 2]))
    app = build(make_app, src, eutils)
    assert "[evidence.fetch]" in warnings(app)
    assert_kept(app, src, before)


def test_error_body_with_status_200(make_app, project, eutils):
    src, before = primed(make_app, project, eutils)
    error = Path(__file__).parent.joinpath("fixtures/eutils/esummary_error_xml_no_id.xml").read_bytes()
    eutils.server.queue(EFETCH_PATH, Canned(200, {"Content-Type": "text/xml"}, error))
    app = build(make_app, src, eutils)
    assert re.search(r"PubMed fetch failed: .*Neither query_key nor id specified.*\[evidence\.fetch\]", warnings(app))
    assert_kept(app, src, before)


def test_unknown_pmid_warns_where_cited(make_app, project, eutils):
    src, before = primed(make_app, project, eutils)
    (src / "new.rst").write_text("New\n===\n\nNo such paper :pmid:`40482261`.\n\nAgain :pmid:`40482261`.\n")
    app = build(make_app, src, eutils)
    log = warnings(app)
    for line in (4, 6):
        assert re.search(rf"new\.rst:{line}: WARNING: PMID 40482261 does not exist.*\[evidence\.unknown-id\]", log)
    assert (src / LOCK).read_bytes() == before
