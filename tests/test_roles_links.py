"""The :nct:, :rsid: and :doi: roles, in html, latex and text, and their identifier parsing."""

from __future__ import annotations

import re

import pytest
from helpers import read, warnings

from sphinxext_evidence.identifiers import (
    doi_key,
    parse_doi,
    parse_nct,
    parse_rsid,
    split_dois,
)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize(("text", "doi"), [
    ("10.1161/STROKEAHA.111.628537", "10.1161/strokeaha.111.628537"),
    ("doi:10.1161/STROKEAHA.111.628537", "10.1161/strokeaha.111.628537"),
    ("https://doi.org/10.1161/STROKEAHA.111.628537", "10.1161/strokeaha.111.628537"),
    ("http://dx.doi.org/10.1002/14651858.CD007026.pub7.", "10.1002/14651858.cd007026.pub7"),
    ("https://doi.org/10.1002/%28SICI%291097-4636", "10.1002/(sici)1097-4636"),
    ("10.1002/(SICI)1097-4636(199911)48:6<855::AID-JBM13>3.0.CO;2-5",
     "10.1002/(sici)1097-4636(199911)48:6<855::aid-jbm13>3.0.co;2-5"),
    ("10.1000", None), ("11.1000/abc", None), ("10.12/abc", None), ("", None), ("doi:", None),
])
def test_parse_doi(text, doi):
    assert parse_doi(text) == doi


def test_doi_keys_and_splitting():
    assert doi_key("10.1161/STROKEAHA.111.628537") == "doi:10.1161/strokeaha.111.628537"
    assert split_dois("10.1/a, 10.2/b;doi:10.3/c https://doi.org/10.4/d") == [
        "10.1/a", "10.2/b", "doi:10.3/c", "https://doi.org/10.4/d"]
    # Semicolons and commas inside a DOI stay.
    assert split_dois("10.1002/(SICI)1097-4636(199911)48:6<855::AID-JBM13>3.0.CO;2-5, 10.5/x,y") == [
        "10.1002/(SICI)1097-4636(199911)48:6<855::AID-JBM13>3.0.CO;2-5", "10.5/x,y"]


def test_parse_nct_and_rsid():
    assert parse_nct("NCT00868283") == parse_nct(" nct00868283 ") == "NCT00868283"
    for bad in ("NCT123", "NCT008682830", "00868283", "NCTABCDEFGH"):
        assert parse_nct(bad) is None
    assert parse_rsid("rs429358") == parse_rsid("RS429358") == "rs429358"
    assert parse_rsid("rs0123") == "rs123"  # leading zeros are normalised, not refused
    for bad in ("rs", "rs0", "429358", "rsABC", "ss429358"):
        assert parse_rsid(bad) is None


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_links_html(app):
    app.build()
    html = read(app, "index.html")
    assert ('<a class="evidence-link evidence-nct reference external" href="https://clinicaltrials.gov/study/NCT00868283" '
            'title="ClinicalTrials.gov identifier NCT00868283">NCT00868283</a>') in html
    assert 'href="https://www.ncbi.nlm.nih.gov/snp/rs429358" title="dbSNP rsID rs429358">rs429358</a>' in html
    assert 'href="https://www.ncbi.nlm.nih.gov/snp/rs7412"' in html
    assert 'href="https://www.ncbi.nlm.nih.gov/snp/rs429358" title="dbSNP rsID rs429358">the APOE variant</a>' in html
    # Link roles are not citations: three distinct works are numbered on the page.
    assert 'id="evidence-ref-3"' in html and 'id="evidence-ref-4"' not in html


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_doi_cites_like_pmid(app):
    app.build()
    html = read(app, "index.html")
    text = plain(html)
    # DOI of a PubMed record (any case, any form) gets the PMID's number; a Crossref-only DOI its own.
    assert "CASTA was neutral\n[2] (NCT00868283). The same paper by DOI\n[2] is the same reference." in text
    assert "arm function [3]." in text
    assert "the largest trial was neutral [2]." in text
    entry = re.search(r'<li class="evidence-entry" id="evidence-ref-3">(.*?)</li>', html, re.S).group(1)
    assert "Muresanu DF, Heiss WD, Hoemberg V, Bajenaru O. Cerebrolysin and Recovery" in plain(entry)
    assert 'href="https://doi.org/10.1161/STROKEAHA.115.009416"' in entry
    assert 'title="Muresanu DF, et al. (2016). Cerebrolysin and Recovery After Stroke (CARS)' in html
    assert "evidence" not in warnings(app)


@pytest.mark.sphinx("latex", testroot="furniture", freshenv=True)
def test_links_and_doi_latex(app):
    app.build()
    tex = read(app, "furniture.tex")
    assert r"\sphinxhref{https://clinicaltrials.gov/study/NCT00868283}{NCT00868283}" in tex
    assert r"\sphinxhref{https://www.ncbi.nlm.nih.gov/snp/rs429358}{the APOE variant}" in tex
    assert r"\sphinxhref{https://doi.org/10.1161/STROKEAHA.115.009416}" in tex


@pytest.mark.sphinx("text", testroot="furniture", freshenv=True)
def test_links_and_doi_text(app):
    app.build()
    text = read(app, "index.txt")
    assert "CASTA was neutral [2]\n(NCT00868283)" in text
    assert "(rs429358, rs7412)" in text
    assert "3. Muresanu DF, Heiss WD, Hoemberg V, Bajenaru O. Cerebrolysin" in text


@pytest.mark.sphinx("html", testroot="furniture-bad", freshenv=True)
def test_bad_identifiers_warn(app):
    app.build()
    warned = warnings(app)
    for subtype, needle in [("invalid-nct", "invalid ClinicalTrials.gov identifier 'NCT123' in :nct:"),
                            ("invalid-rsid", "invalid dbSNP rsID 'rsABC' in :rsid:"),
                            ("invalid-rsid", "invalid dbSNP rsID '12345' in :rsid:"),
                            ("invalid-doi", "invalid DOI '10.1000' in :doi:"),
                            ("invalid-doi", "invalid DOI 'not-a-doi' in :doi:"),
                            ("empty", "empty :rsid: role")]:
        assert re.search(rf"index\.rst:29: WARNING: {re.escape(needle)}.*\[evidence\.{subtype}\]", warned), needle
    html = read(app, "index.html")
    # Bad identifiers stay visible as text, never as links; the good one in a list is still linked.
    assert '<span class="evidence-error">NCT123</span>' in html
    assert 'href="https://www.ncbi.nlm.nih.gov/snp/rs429358"' in html
    assert "clinicaltrials.gov" not in html and "evidence-references" not in html
