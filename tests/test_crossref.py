""":doi: citations with metadata from Crossref's /works API, against a loopback double."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakes.crossref import FIXTURES, WORKS_PATH, CrossrefDouble
from fakes.server import Canned, FakeServer
from helpers import assert_paced, build_with, read, warnings

from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.sources.crossref import (
    CrossrefClient,
    CrossrefParseError,
    parse_works,
    title_markup,
)
from sphinxext_evidence.sources.http import HttpSettings

LOCK = "evidence.lock.json"
TODAY = "2026-11-21"
CASTA = "10.1161/strokeaha.111.628537"
CARS = "10.1161/strokeaha.115.009416"
CHAPTER = "10.5555/evidence.chapter-markup"
RETRACTED = "10.5555/evidence.retracted"


@pytest.fixture
def crossref(fake_server: FakeServer) -> CrossrefDouble:
    """The Crossref double on the loopback ``fake_server``."""
    return CrossrefDouble(fake_server)


def fixture(name: str) -> bytes:
    return next(FIXTURES.glob(f"work_*{name}*.json")).read_bytes()


def client(crossref: CrossrefDouble, email: str = "tests@example.org") -> CrossrefClient:
    return CrossrefClient(crossref.base_url, email, HttpSettings(timeout=2, retries=1, backoff=0.01, min_interval=0),
                          TODAY)


def online(make_app, src: Path, crossref: CrossrefDouble, builder: str = "html", **conf):
    """Build ``src`` with the Crossref double as api.crossref.org (and no E-utilities needed)."""
    return build_with(make_app, src, builder, crossref=crossref, retries=1, **conf)


# --------------------------------------------------------------------------- parser


def test_parse_work_into_csl_record():
    records = parse_works(fixture("casta"), TODAY)
    assert list(records) == [CASTA]  # keyed by the lower-cased DOI
    record = records[CASTA]
    assert record["id"] == f"doi:{CASTA}"
    assert record["type"] == "article-journal"
    assert record["title"] == ("Cerebrolysin in Patients With Acute Ischemic Stroke in Asia: "
                               "Results of a Double-Blind, Placebo-Controlled Randomized Trial")
    assert record["author"][0] == {"family": "Heiss", "given": "Wolf-Dieter"}
    assert record["author"][-1] == {"literal": "Cerebrolysin Acute Stroke Treatment in Asia (CASTA) Investigators"}
    assert record["container-title"] == "Stroke" and record["container-title-short"] == "Stroke"
    assert record["issued"] == {"date-parts": [[2012, 3]]}
    assert (record["volume"], record["issue"], record["page"]) == ("43", "3", "630-636")
    assert record["DOI"] == "10.1161/STROKEAHA.111.628537"
    assert record["ISSN"] == "0039-2499"
    assert record["custom"] == {"source": "crossref", "fetched": TODAY, "crossref-type": "journal-article",
                                "publication-types": ["Journal Article"]}
    # Renders through the same model as PubMed records.
    article = Article.from_csl(f"doi:{CASTA}", record)
    assert article.authors[1].short == "Brainin M" and article.year == "2012" and article.journal == "Stroke"
    assert "indexed" not in record and "link" not in record


def test_title_markup_chapter_editor_and_suffix():
    record = parse_works(fixture("chapter-markup"), TODAY)[CHAPTER]
    assert record["type"] == "chapter"
    assert record["title"] == ("Neurotrophic peptides <i>in vitro</i>: BDNF &amp; NGF with Ca<sup>2+</sup> and "
                               "<i>N</i>-acetyl groups revisited")
    assert record["container-title"] == "Handbook of Test Pharmacology"
    assert record["editor"] == [{"family": "Editor", "given": "Grace"}]
    assert record["author"] == [{"literal": "Evidence Desk Working Group"},
                                {"family": "Example", "given": "Ada", "suffix": "Jr"}]
    assert (record["publisher"], record["publisher-place"]) == ("Example Press", "Oxford")
    assert record["custom"]["publication-types"] == ["Book Chapter"]


def test_title_markup_escapes_everything_else():
    assert title_markup("<script>alert(1)</script> &lt;b&gt; <b>bold</b> <i>open") == (
        "alert(1) &lt;b&gt; <b>bold</b> <i>open</i>")


def test_updated_by_retraction_becomes_notice():
    record = parse_works(fixture("evidence.retracted"), TODAY)[RETRACTED]
    assert record["custom"]["notices"] == [
        {"type": "RetractionIn", "source": "Retraction doi:10.5555/evidence.retraction-notice (2020)",
         "doi": "10.5555/evidence.retraction-notice", "origin": "Crossref"}]
    assert Article.from_csl(f"doi:{RETRACTED}", record).retracted


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b'{"status": "error"}', b"",
                                  b'{"status":"ok","message-type":"member","message":{}}'])
def test_garbage_is_a_parse_error(body):
    with pytest.raises(CrossrefParseError):
        parse_works(body, TODAY)


# --------------------------------------------------------------------------- client


def test_client_batches_with_filter_and_polite_pool(crossref):
    c = client(crossref)
    result = c.fetch([CARS, CASTA.upper(), CHAPTER])
    c.close()
    assert sorted(result.records) == sorted([CARS, CASTA, CHAPTER])
    assert not result.unknown and not result.errors
    assert len(crossref.requests) == 1 == result.requests
    req = crossref.requests[0]
    assert req.method == "GET" and req.path == WORKS_PATH
    assert req.param("filter") == f"doi:{CASTA},doi:{CARS},doi:{CHAPTER}"
    assert req.param("rows") == "3"
    assert req.param("mailto") == "tests@example.org"
    assert "mailto:tests@example.org" in req.headers["User-Agent"]


def test_client_unknown_doi_is_confirmed_alone(crossref):
    crossref.add_unknown("10.5555/does-not-exist")
    c = client(crossref)
    result = c.fetch([CARS, "10.5555/does-not-exist"])
    c.close()
    assert list(result.records) == [CARS]
    assert result.unknown == {"10.5555/does-not-exist"}
    assert [r.path for r in crossref.requests] == [WORKS_PATH, "/works/10.5555/does-not-exist"]


def test_client_without_email_uses_public_pool_and_follows_rate_limit(crossref):
    c = client(crossref, email="")
    assert c.session.settings.min_interval == pytest.approx(0.2)
    crossref.add_unknown("10.5555/gone-1")
    crossref.add_unknown("10.5555/gone-2")
    result = c.fetch(["10.5555/gone-1", "10.5555/gone-2"])
    c.close()
    assert result.unknown == {"10.5555/gone-1", "10.5555/gone-2"}
    times = [r.time for r in crossref.requests]
    assert len(times) == 3
    assert_paced(times, 0.2)
    assert all(r.param("mailto") is None for r in crossref.requests)


def test_client_slows_down_to_announced_rate(crossref, fake_server):
    fake_server.queue(WORKS_PATH, Canned(200, {"Content-Type": "application/json", "X-Rate-Limit-Limit": "4",
                                               "X-Rate-Limit-Interval": "1s"},
                                         json.dumps({"status": "ok", "message-type": "work-list",
                                                     "message": {"items": []}})))
    crossref.add_unknown("10.5555/gone")
    c = client(crossref)
    c.fetch(["10.5555/gone"])
    assert c.session.settings.min_interval == pytest.approx(0.25)
    c.close()


def test_client_failures_are_errors_not_exceptions(crossref, fake_server):
    fake_server.queue(WORKS_PATH, *[Canned(500, {}, b"oops")] * 3)
    c = client(crossref)
    result = c.fetch([CARS])
    assert not result.records and not result.unknown
    assert len(result.errors) == 1 and "HTTP 500" in result.errors[0] and CARS in result.errors[0]
    fake_server.queue(WORKS_PATH, Canned(200, {"Content-Type": "application/json"}, b"{not json"))
    result = c.fetch([CARS])
    c.close()
    assert not result.records and "not JSON" in result.errors[0]


# --------------------------------------------------------------------------- through Sphinx


def test_build_fetches_dois_and_merges_with_pubmed(make_app, project, crossref):
    src = project("furniture-crossref")
    app = online(make_app, src, crossref)
    warned = warnings(app)
    assert "evidence" not in warned, warned
    # Only the DOIs no PubMed record carries were asked for, in one batch.
    # One request for the metadata, one for the correction links of every cited DOI (PubMed's included).
    assert len(crossref.requests) == 2
    assert crossref.requests[0].param("filter") == f"doi:{CARS},doi:{CHAPTER}"
    assert crossref.requests[1].param("select") == "DOI,updated-by,update-to"
    assert set(crossref.requests[1].param("filter").split(",")) == {
        f"doi:{CARS}", f"doi:{CHAPTER}", "doi:10.1161/strokeaha.111.628537"}
    lock = json.loads((src / LOCK).read_text(encoding="utf-8"))
    assert sorted(lock["crossref"]) == [CARS, CHAPTER]
    assert lock["crossref"][CARS]["custom"]["source"] == "crossref"
    assert lock["crossref"][CARS]["custom"]["fetched"]
    assert set(lock["pubmed"]) == {"22282884"}
    html = read(app, "index.html")
    text = re.sub(r"<[^>]+>", "", html)
    # One paper by PMID and by DOI: one reference, one number.
    assert "CASTA by PMID [1] and by DOI [1]." in text
    assert "CARS by DOI [2]" in text and "A chapter\n[3]" in text
    assert 'id="evidence-ref-4"' not in html
    assert "Evidence based · 3 references" in text
    assert "Muresanu DF, Heiss WD, Hoemberg V, Bajenaru O. Cerebrolysin and Recovery After Stroke (CARS)" in text
    assert 'href="https://doi.org/10.1161/STROKEAHA.115.009416"' in html
    assert "<em>in vitro</em>" in html and "BDNF &amp; NGF" in html
    assert "In: Editor G, editor. Handbook of Test Pharmacology. Oxford: Example Press; 2021 May 4. p. 11-29." in text
    # JSON-LD lists the three works with their identifiers.
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    ids = [{i["propertyID"]: i["value"] for i in c["identifier"]} for c in data["citation"]]
    assert ids == [{"PMID": "22282884", "DOI": "10.1161/STROKEAHA.111.628537"},
                   {"DOI": "10.1161/STROKEAHA.115.009416"}, {"DOI": "10.5555/Evidence.Chapter-Markup"}]
    # A second build needs no network: the lockfile has everything.
    before = len(crossref.requests)
    app2 = online(make_app, src, crossref)
    assert len(crossref.requests) == before
    assert "Evidence based · 3 references" in read(app2, "index.html")


@pytest.mark.parametrize("fault", ["500", "garbage", "404"])
def test_failures_leave_lockfile_unchanged(make_app, project, crossref, fake_server, fault):
    src = project("furniture-crossref")
    (src / "index.rst").write_text(
        "Failing\n=======\n\nCASTA :pmid:`22282884`. Unknown :doi:`10.5555/unknown-doi`.\n", encoding="utf-8")
    before = (src / LOCK).read_bytes()
    if fault == "500":
        fake_server.queue(WORKS_PATH, *[Canned(500, {}, b"Internal Server Error")] * 4)
    elif fault == "garbage":
        fake_server.queue(WORKS_PATH, Canned(200, {"Content-Type": "application/json"}, b"\x00\xffnot json"))
    else:
        crossref.add_unknown("10.5555/unknown-doi")
    app = online(make_app, src, crossref)
    # Every known record is kept as it was; the correction-links pass may only add its own section.
    after = json.loads((src / LOCK).read_text(encoding="utf-8"))
    after.pop("crossref-updates", None)
    assert after == json.loads(before)
    warned = warnings(app)
    if fault == "404":
        # Not "does not exist": the DOI may be registered with another agency (DataCite, mEDRA …).
        assert re.search(r"index\.rst:4: WARNING: DOI 10\.5555/unknown-doi was not found in Crossref; it may be "
                         r"registered with another DOI agency.*\[evidence\.unknown-id\]", warned), warned
        assert "typo" not in warned and "does not exist" not in warned
    else:
        assert "Crossref fetch failed" in warned and "[evidence.fetch]" in warned
        assert "unknown-doi" in warned
        assert re.search(r"index\.rst:4: WARNING: DOI 10\.5555/unknown-doi has no record in the lockfile.*"
                         r"\[evidence\.missing\]", warned), warned
    # The page still builds, with the PubMed reference intact.
    assert "Heiss WD, Brainin M, Bornstein NM, Tuomilehto J, Hong Z. Cerebrolysin in patients" in read(app, "index.html")


def test_offline_build_never_asks_crossref(make_app, project, crossref):
    src = project("furniture-crossref")
    before = (src / LOCK).read_bytes()
    app = online(make_app, src, crossref, evidence_offline=True)
    assert crossref.requests == []
    assert (src / LOCK).read_bytes() == before
    assert "[evidence.missing]" in warnings(app)
    assert lockfile.load(src / LOCK).get("crossref") is None
