"""Identifiers are strict and uniform: ASCII digits only, prefixes and leading zeros handled, NFC = NFD.

Every build here is offline from a lockfile written by the test; the PubMed and
doi.org addresses below are only the links expected in the output.
"""

from __future__ import annotations

import unicodedata

import pytest
from helpers import read, warnings

from sphinxext_evidence.identifiers import parse_doi, parse_nct, parse_pmid, parse_rsid, split_ids


@pytest.mark.parametrize("text", [
    "\u0663\u0667\u0668\u0661\u0668\u0667\u0663\u0663",  # Arabic-Indic digits
    "\uff13\uff17\uff18\uff11\uff18\uff17\uff13\uff13",  # full-width digits
    "3781873\u00b3",  # a superscript three
    "", " ", "pmid:", "PMID: ", "0", "1234567890",
])
def test_pmid_takes_only_ascii_digits(text):
    assert parse_pmid(text) is None


def test_nct_and_rs_take_only_ascii_digits():
    assert parse_nct("NCT\u0660\u0660868283") is None
    assert parse_rsid("rs\uff14\uff12\uff19") is None


@pytest.mark.parametrize(("text", "pmid"), [
    ("37818733", "37818733"), ("PMID:37818733", "37818733"), ("pmid: 37818733", "37818733"),
    ("0037818733", "37818733"), (" 37818733 ", "37818733"),
])
def test_pmid_forms(text, pmid):
    assert parse_pmid(text) == pmid


def test_prefix_with_a_space_stays_one_identifier():
    assert split_ids("PMID: 37818733, PMID:22282884 993") == ["PMID:37818733", "PMID:22282884", "993"]


def test_doi_in_nfc_and_nfd_is_one_work():
    nfc = "10.1234/caf\u00e9"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd and parse_doi(nfc) == parse_doi(nfd) == nfc
    assert parse_doi("10.1234/a\u0007b") is None  # a control character is no DOI


def test_roles_and_card_accept_prefixes_and_refuse_bad_digits(make_app, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n")
    (src / "index.rst").write_text(
        "Ids\n===\n\n"
        "Prefixed :pmid:`PMID: 0037818733`.\n\n"
        "Arabic :pmid:`\u0663\u0667\u0668`.\n\n"
        ".. pmid:: PMID: 22282884\n", encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    warned = warnings(app)
    assert "index.rst:4: WARNING: PMID 37818733 has no record" in warned
    assert "index.rst:6: WARNING: invalid PMID" in warned and "[evidence.invalid-pmid]" in warned
    assert "index.rst:8: WARNING: PMID 22282884 has no record" in warned
    assert "ERROR" not in warned and "maximum 1 argument" not in warned
    assert "PMID 37818733" in read(app, "index.html")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example/",
                                 "java\nscript:alert(1)", "https://ok.example/a b", "ftp://x.example/"])
def test_links_are_http_only(url):
    from docutils import nodes

    from sphinxext_evidence.render_utils import link

    node = link("text", url)
    assert not isinstance(node, nodes.reference) and node.astext() == "text"
    assert isinstance(link("text", "https://pubmed.ncbi.nlm.nih.gov/1/"), nodes.reference)


def test_text_from_the_lockfile_reaches_no_output_with_control_characters(make_app, tmp_path):
    import json

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n"
                                 "evidence_status_max_age_days = None\n")
    (src / "index.rst").write_text("Ids\n===\n\nCited :pmid:`1`.\n", encoding="utf-8")
    record = {"id": "pmid:1", "type": "article-journal", "PMID": "1",
              "title": "Clean\x1b[31m red\x1b[0m title\x07 with a bell\x9b",
              "author": [{"family": "Doe\x00", "given": "J"}], "container-title": "J\x08ournal",
              "custom": {"source": "pubmed", "fetched": "2026-11-21"}}
    (src / "evidence.lock.json").write_text(json.dumps({"version": 1, "pubmed": {"1": record}}), encoding="utf-8")
    for builder, name in (("html", "index.html"), ("text", "index.txt")):
        app = make_app(builder, srcdir=src, freshenv=True)
        app.build()
        out = read(app, name)
        assert "Clean red title with a bell" in out and "Doe J" in out
        assert not any(ch in out for ch in "\x1b\x07\x00\x08\x9b")


@pytest.mark.parametrize(("doi", "url"), [
    ("10.1234/a#b", "https://doi.org/10.1234/a%23b"),
    ("10.1234/a?b=c", "https://doi.org/10.1234/a%3Fb=c"),
    ("10.1234/50%off", "https://doi.org/10.1234/50%25off"),
    ("10.1002/(sici)1097-4636(199911)48:6<855::aid-jbm13>3.0.co;2-5",
     "https://doi.org/10.1002/(sici)1097-4636(199911)48:6%3C855::aid-jbm13%3E3.0.co;2-5"),
    ("10.1016/s0140-6736(10)60175-4", "https://doi.org/10.1016/s0140-6736(10)60175-4"),
])
def test_a_doi_link_encodes_what_a_url_would_read(doi, url):
    from sphinxext_evidence.article.jsonld import citation
    from sphinxext_evidence.identifiers import KINDS, doi_url
    from sphinxext_evidence.records.model import Article, Notice

    assert doi_url(doi) == KINDS["doi"].link(doi) == url
    data = citation(f"doi:{doi}", Article(f"doi:{doi}", title="T", doi=doi, notices=(Notice("RetractionIn", doi=doi),),
                                          publication_types=("Retracted Publication",)))
    assert data["sameAs"] == [url] and data["url"] == url and data["correction"] == [url]


def test_a_bare_doi_is_read_as_written_and_an_address_decoded():
    assert parse_doi("10.1234/a%2Fb") == "10.1234/a%2fb"  # "%" is a character of the DOI
    assert parse_doi("doi:10.1234/a%2Fb") == "10.1234/a%2fb"
    assert parse_doi("https://doi.org/10.1234/a%2Fb") == "10.1234/a/b"  # an address is percent-encoded


def test_doi_links_in_a_build_are_encoded(make_app, tmp_path):
    import json
    import shutil
    from pathlib import Path

    src = tmp_path / "src"
    shutil.copytree(Path(__file__).parent / "roots" / "test-lockfile-untrusted", src)
    (src / "index.rst").write_text("Title\n=====\n\nHash :doi:`10.1234/a#b`, query :doi:`10.1234/a?b=c`, percent "
                                   ":doi:`10.1234/a%2Fb`.\n\n.. references::\n", encoding="utf-8")
    records = {doi: {"id": f"doi:{doi}", "type": "article-journal", "title": f"Work {doi}", "DOI": doi,
                     "custom": {"fetched": "2026-01-01", "publication-types": [], "notices": []}}
               for doi in ("10.1234/a#b", "10.1234/a?b=c", "10.1234/a%2fb")}
    status = {doi: {"checked": "2026-01-01", "notices": []} for doi in records}
    (src / "evidence.lock.json").write_text(json.dumps({"version": 1, "crossref": records,
                                                        "crossref-updates": status}), encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True, confoverrides={"evidence_offline": True,
                                                                      "evidence_status_max_age_days": None})
    app.build()
    html = read(app, "index.html")
    assert "[evidence.missing]" not in warnings(app)
    assert 'href="https://doi.org/10.1234/a%23b"' in html and 'href="https://doi.org/10.1234/a%3Fb=c"' in html
    assert 'href="https://doi.org/10.1234/a%252fb"' in html
    assert "https://doi.org/10.1234/a#b" not in html and "https://doi.org/10.1234/a?b" not in html
