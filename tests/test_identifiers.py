"""Identifiers are strict and uniform: ASCII digits only, prefixes and leading zeros handled, NFC = NFD."""

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
