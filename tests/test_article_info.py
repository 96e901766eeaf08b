"""The article-info byline, its reference-count badge and the page's schema.org JSON-LD."""

# Service URLs below are links expected in the rendered output, never requested: tests/conftest.py
# refuses every connection that is not to loopback (127.0.0.1).

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import read, warnings

from sphinxext_evidence.article.info import parse_date, split_people
from sphinxext_evidence.article.jsonld import script_safe

ROOTS = Path(__file__).parent / "roots"


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def jsonld(html: str) -> list[dict]:
    """Every JSON-LD block in the page head, parsed."""
    head = html.split("</head>", 1)[0]
    return [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)]


def byline(html: str) -> str:
    return re.search(r'<div class="evidence-article-info[^"]*">(.*?)</div>', html, re.S).group(1)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(("text", "people"), [
    ("Jonathan Ritter, PharmD, PhD (Pharmacology), Puya Yazdi, MD",
     ["Jonathan Ritter, PharmD, PhD (Pharmacology)", "Puya Yazdi, MD"]),
    ("B. Reviewer (PharmD PhD pharmacology), C. Checker (MD)", ["B. Reviewer (PharmD PhD pharmacology)", "C. Checker (MD)"]),
    ("Ada Example; Grace Hopper, PhD", ["Ada Example", "Grace Hopper, PhD"]),
    ("Ada Example\nMadonna", ["Ada Example", "Madonna"]),
    ("Ada Example, Madonna", ["Ada Example", "Madonna"]),
    ("Martin Luther King, Jr., Rosa Parks", ["Martin Luther King, Jr.", "Rosa Parks"]),
    ("  ", []),
])
def test_split_people(text, people):
    assert split_people(text) == people


def test_parse_date():
    assert parse_date("2026-10-20") == "2026-10-20"
    assert parse_date("2026-10") == "2026-10"
    assert parse_date("2026") == "2026"
    for bad in ("2026-02-30", "20/10/2026", "October 2026", "2026-13", ""):
        assert parse_date(bad) is None


def test_script_safe_escapes_closing_tags():
    text = script_safe({"name": "</script><script>alert(1)</script> <!-- x & y"})
    assert "<" not in text and ">" not in text and "&" not in text  # safe in HTML and in EPUB's XHTML
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> <!-- x & y"


# --------------------------------------------------------------------------- html


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_byline_and_badge_html(app):
    app.build()
    html = read(app, "index.html")
    box = byline(html)
    text = plain(box)
    # Distinct works: PMID 22282884 and its DOI count once; CARS by DOI; the Cochrane review.
    assert "Evidence based · 3 references" in text
    assert 'href="#evidence-ref-1"' in box and 'id="evidence-ref-1"' in html
    assert ("Written by Mathew Eng, PharmD | Medically reviewed by Jonathan Ritter, PharmD, PhD (Pharmacology) "
            "and Puya Yazdi, MD | Last reviewed 15 October 2026 | Last updated 20 October 2026") in text
    assert 'class="evidence-badge evidence-badge-evidence-based"' in box
    second = plain(byline(read(app, "second.html")))
    assert "Evidence based · 1 reference" in second and "1 references" not in second
    assert "Last reviewed September 2026" in second
    # Author text is escaped in the page body.
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in read(app, "second.html")


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_jsonld_in_head(app):
    app.build()
    html = read(app, "index.html")
    (data,) = jsonld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == "Cerebrolysin for stroke"
    assert data["author"] == [{"@type": "Person", "name": "Mathew Eng, PharmD"}]
    assert data["reviewedBy"] == [{"@type": "Person", "name": "Jonathan Ritter, PharmD, PhD (Pharmacology)"},
                                  {"@type": "Person", "name": "Puya Yazdi, MD"}]
    assert data["lastReviewed"] == "2026-10-15"
    assert data["dateModified"] == "2026-10-20"
    citations = data["citation"]
    assert len(citations) == 3  # one per distinct work, in reference-list order
    assert all(c["@type"] == "ScholarlyArticle" for c in citations)
    ids = [{i["propertyID"]: i["value"] for i in c["identifier"]} for c in citations]
    assert ids == [
        {"PMID": "37818733", "DOI": "10.1002/14651858.CD007026.pub7"},
        {"PMID": "22282884", "DOI": "10.1161/STROKEAHA.111.628537"},
        {"DOI": "10.1161/STROKEAHA.115.009416"},
    ]
    assert citations[0]["name"] == "Cerebrolysin for acute ischaemic stroke."
    assert citations[0]["sameAs"] == ["https://pubmed.ncbi.nlm.nih.gov/37818733/",
                                      "https://doi.org/10.1002/14651858.CD007026.pub7"]
    assert citations[1]["datePublished"] == "2012"
    # Pages without a byline have no JSON-LD.
    assert jsonld(read(app, "scoped.html")) == []
    assert jsonld(read(app, "plain.html")) == []


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True)
def test_jsonld_cannot_close_the_script(app):
    app.build()
    html = read(app, "second.html")
    head = html.split("</head>", 1)[0]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.S).group(1)
    assert "<" not in block and r"\u003c/script\u003e" in block
    (data,) = jsonld(html)
    assert data["reviewedBy"][1]["name"] == "Evil </script><script>alert(1)</script>"
    assert data["lastReviewed"] == "2026-09" and "dateModified" not in data
    assert [c["identifier"][0]["value"] for c in data["citation"]] == ["10.1161/STROKEAHA.115.009416"]
    assert "<script>alert(1)</script>" not in html


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True, confoverrides={"html_baseurl": "https://evidence.example.org/"})
def test_jsonld_url_from_html_baseurl(app):
    app.build()
    (data,) = jsonld(read(app, "index.html"))
    assert data["url"] == "https://evidence.example.org/index.html"


@pytest.mark.sphinx("html", testroot="furniture", freshenv=True, confoverrides={"evidence_jsonld": False})
def test_jsonld_can_be_switched_off(app):
    app.build()
    html = read(app, "index.html")
    assert jsonld(html) == [] and "Evidence based · 3 references" in plain(html)


def test_jsonld_parallel_build(make_app, tmp_path):
    src = tmp_path / "furniture"
    shutil.copytree(ROOTS / "test-furniture", src)
    for n in range(6):  # enough pages for several write chunks
        (src / f"extra{n}.rst").write_text(
            f"Extra {n}\n=======\n\n.. article-info::\n   :author: Writer {n}\n\n"
            + ("Cites :pmid:`37818733`.\n" if n % 2 else "Cites :doi:`10.1161/STROKEAHA.115.009416` and :pmid:`22282884`.\n"),
            encoding="utf-8")
    with (src / "index.rst").open("a", encoding="utf-8") as handle:
        handle.write("".join(f"   extra{n}\n" for n in range(6)))
    app = make_app("html", srcdir=src, parallel=2, freshenv=True)
    app.build()
    assert app.parallel == 2
    for n in range(6):
        (data,) = jsonld(read(app, f"extra{n}.html"))
        assert data["author"] == [{"@type": "Person", "name": f"Writer {n}"}]
        expected = 1 if n % 2 else 2
        assert len(data["citation"]) == expected
        assert f"Evidence based · {expected} reference" in plain(read(app, f"extra{n}.html"))
    (data,) = jsonld(read(app, "index.html"))
    assert len(data["citation"]) == 3


@pytest.mark.sphinx("html", testroot="furniture-bad", freshenv=True)
def test_bad_byline_warns(app):
    app.build()
    warned = warnings(app)
    for line, subtype, message in [
        (21, "empty", "article-info: option :author: is empty"),
        (21, "invalid-date", "article-info: invalid :last-reviewed: '15/10/2026'"),
        (21, "invalid-date", "article-info: invalid :last-updated: '2026-02-30'"),
        (26, "duplicate-article-info", "article-info: a page has one byline"),
    ]:
        assert re.search(rf"index\.rst:{line}: WARNING: {re.escape(message)}.*\[evidence\.{subtype}\]", warned), message
    html = read(app, "index.html")
    (data,) = jsonld(html)  # only the first byline goes into the structured data
    assert "author" not in data and "lastReviewed" not in data
    assert "Written by Second Byline" in plain(html)


# --------------------------------------------------------------------------- other builders, MyST, sphinx-design


@pytest.mark.sphinx("latex", testroot="furniture", freshenv=True)
def test_byline_latex(app):
    app.build()
    tex = read(app, "furniture.tex")
    assert "Evidence based · 3 references" in tex
    assert r"\hyperref[\detokenize{index:evidence-ref-1}]" in tex
    assert "Written by" in tex and "Medically reviewed by" in tex and "Last updated 20 October 2026" in tex


@pytest.mark.sphinx("text", testroot="furniture", freshenv=True)
def test_byline_text(app):
    app.build()
    text = read(app, "index.txt")
    assert "Evidence based · 3 references\n\nWritten by Mathew Eng, PharmD | Medically reviewed by" in text


@pytest.mark.sphinx("html", testroot="furniture-myst", freshenv=True)
def test_myst_and_sphinx_design_loaded_after(app):
    app.build()
    warned = warnings(app)
    assert "already registered" not in warned and "evidence" not in warned, warned
    html = read(app, "index.html")
    assert ("Written by A. Writer (PharmD) and B. Second, MD | Medically reviewed by C. Checker (MD)"
            in plain(byline(html)))
    assert "Evidence based · 2 references" in plain(html)
    assert "sd-badge" in byline(html)  # sphinx-design's badge look when it is loaded
    (data,) = jsonld(html)
    assert [p["name"] for p in data["author"]] == ["A. Writer (PharmD)", "B. Second, MD"]
    # A directive using only sphinx-design's options is still sphinx-design's.
    design = read(app, "design.html")
    assert "sd-container-fluid" in design and "Jul 24, 2021" in design and "5 min read" in design
    assert "evidence-article-info" not in design and jsonld(design) == []


@pytest.mark.sphinx("html", testroot="furniture-myst", freshenv=True, confoverrides={
    "extensions": ["sphinx_design", "myst_parser", "sphinxext_evidence"]})
def test_sphinx_design_loaded_first(app):
    app.build()
    assert "already registered" not in warnings(app)
    assert "Medically reviewed by C. Checker (MD)" in plain(read(app, "index.html"))
    assert "5 min read" in read(app, "design.html")


@pytest.mark.sphinx("html", testroot="furniture-myst", freshenv=True, confoverrides={"extensions": ["sphinxext_evidence", "myst_parser"]})
def test_sphinx_design_options_without_sphinx_design(app):
    app.build()
    warned = warnings(app)
    assert re.search(r"design\.md:3: WARNING: article-info: unknown option :date:.*\[evidence\.unknown-option\]", warned)
    assert "Written by Someone Else" in plain(read(app, "design.html"))


def test_collective_author_is_an_organisation_in_jsonld():
    from sphinxext_evidence.article.jsonld import citation
    from sphinxext_evidence.records.model import Article

    record = {"type": "article-journal", "title": "Trial.", "PMID": "1",
              "author": [{"family": "Heiss", "given": "Wolf-Dieter"}, {"literal": "CASTA Investigators"}]}
    data = citation("pmid:1", Article.from_csl("pmid:1", record))
    assert data["author"] == [{"@type": "Person", "name": "Wolf-Dieter Heiss"},
                              {"@type": "Organization", "name": "CASTA Investigators"}]
