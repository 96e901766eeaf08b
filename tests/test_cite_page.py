"""The "Cite this page" block of article-info, and the Highwire Press ``citation_*`` meta tags in the HTML head."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from helpers import read

from sphinxext_evidence.article.cite_page import person_name, reference
from sphinxext_evidence.records.model import Article, Author


class Head(HTMLParser):
    """Every ``<meta name=… content=…>`` of a page's head, attribute values unescaped as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and str(found.get("name", "")).startswith("citation_"):
            self.meta.append((str(found["name"]), str(found.get("content"))))


def citation_meta(html: str) -> list[tuple[str, str]]:
    head = Head()
    head.feed(html.split("</head>", 1)[0])
    return head.meta


def block(html: str) -> str:
    match = re.search(r'<div class="evidence-cite-page docutils container">(.*?)</div>', html, re.S)
    return unescape(" ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())) if match else ""


@pytest.fixture
def built(make_app, project):
    src = project("manual")

    def build(**conf):
        app = make_app("html", srcdir=src, confoverrides=conf, freshenv=True)
        app.build()
        return app
    return build


def test_block_names_authors_title_site_date_and_address(built) -> None:
    html = read(built(html_baseurl="https://evidence.example.org/"), "index.html")
    assert block(html) == ('Cite this page: Mathew Eng and Ada "Quote" <Example>. Examplia treatment. '
                           "Example Evidence Desk. Last updated 20 October 2026. "
                           "https://evidence.example.org/index.html")
    assert 'href="https://evidence.example.org/index.html"' in html
    assert "&lt;Example&gt;" in html and "<Example>" not in html.split("</head>", 1)[1]


def test_without_html_baseurl_there_is_no_address(built) -> None:
    html = read(built(), "index.html")
    assert block(html).endswith("Last updated 20 October 2026.")
    assert "citation_public_url" not in dict(citation_meta(html))


def test_meta_tags(built) -> None:
    html = read(built(html_baseurl="https://evidence.example.org/"), "index.html")
    meta = citation_meta(html)
    names = [name for name, _ in meta]
    assert meta[:6] == [
        ("citation_title", "Examplia treatment"),
        ("citation_author", "Mathew Eng"),
        ("citation_author", 'Ada "Quote" <Example>'),
        ("citation_publication_date", "2026/10/20"),
        ("citation_online_date", "2026/10/20"),
        ("citation_public_url", "https://evidence.example.org/index.html"),
    ]
    references = [value for name, value in meta if name == "citation_reference"]
    assert names.count("citation_reference") == 6 == len(references)  # every cited work with a record
    trial = next(r for r in references if "citation_pmid=22282884" in r)
    assert "citation_doi=10.1161/STROKEAHA.111.628537" in trial and "citation_journal_title=Stroke" in trial
    assert "citation_firstpage=630; citation_lastpage=636" in trial
    page = next(r for r in references if "Examplia: symptoms" in r)
    assert "citation_title=Examplia: symptoms, causes" in page  # a semicolon would split the fields
    # Attribute values are escaped: no raw quote or angle bracket can leave its attribute.
    head = html.split("</head>", 1)[0]
    assert 'content="Ada &quot;Quote&quot; &lt;Example&gt;"' in head


def test_only_pages_with_a_byline(built) -> None:
    app = built()
    assert citation_meta(read(app, "other.html")) == []
    assert block(read(app, "other.html")) == ""


def test_both_can_be_turned_off(built) -> None:
    html = read(built(evidence_cite_this_page=False), "index.html")
    assert block(html) == "" and citation_meta(html)
    html = read(built(evidence_citation_meta=False), "index.html")
    assert block(html) and citation_meta(html) == []


def test_reviewed_date_when_not_updated(make_app, tmp_path) -> None:
    (tmp_path / "conf.py").write_text('project = "Desk"\nextensions = ["sphinxext_evidence"]\n'
                                      "evidence_offline = True\n")
    (tmp_path / "index.rst").write_text("Page\n====\n\n.. article-info::\n   :last-reviewed: 2026-09\n")
    app = make_app("html", srcdir=tmp_path, freshenv=True)
    app.build()
    html = read(app, "index.html")
    assert block(html) == "Cite this page: Page. Desk. Last reviewed September 2026."
    assert ("citation_publication_date", "2026/09") in citation_meta(html)
    assert not [name for name, _ in citation_meta(html) if name == "citation_author"]


def test_text_builder_has_the_block(make_app, project) -> None:
    app = make_app("text", srcdir=project("manual"), freshenv=True)
    app.build()
    assert "Cite this page: Mathew Eng and" in " ".join(read(app, "index.txt").replace("*", "").split())


@pytest.mark.parametrize(("text", "name"), [
    ("Jonathan Ritter, PharmD, PhD (Pharmacology)", "Jonathan Ritter"),
    ("Martin Luther King, Jr.", "Martin Luther King, Jr."),
    ("Ada Example", "Ada Example"),
    ("Puya Yazdi, MD", "Puya Yazdi"),
    ("A. Writer (PharmD)", "A. Writer"),
    ("Ada Example (Oxford)", "Ada Example (Oxford)"),
])
def test_person_name(text, name) -> None:
    assert person_name(text) == name


def test_reference_of_a_chapter_and_of_a_manual_record() -> None:
    chapter = Article("pmid:1", type="chapter", title="A <i>chapter</i>", container_title="A Book",
                      authors=(Author(family="Doe", given="Jane"),), year="2020", pmid="1")
    assert reference(chapter) == ("citation_title=A chapter; citation_author=Jane Doe; "
                                  "citation_inbook_title=A Book; citation_publication_date=2020; citation_pmid=1")
    page = Article("work:x", type="webpage", title="Site page", container_title="A Site", publisher="Agency",
                   url="https://example.org/p")
    assert reference(page) == ("citation_title=Site page; citation_publisher=Agency; "
                               "citation_public_url=https://example.org/p")


def test_single_page_html_describes_no_page_as_the_whole(make_app, tmp_path) -> None:
    (tmp_path / "conf.py").write_text('project = "Desk"\nextensions = ["sphinxext_evidence"]\n'
                                      "evidence_offline = True\n")
    (tmp_path / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   page\n")
    (tmp_path / "page.rst").write_text("Page\n====\n\n.. article-info::\n   :author: Ada Example\n")
    app = make_app("singlehtml", srcdir=tmp_path, freshenv=True)
    app.build()
    html = read(app, "index.html")
    assert citation_meta(html) == []  # the byline is the page's, not the whole book's
    assert block(html) == "Cite this page: Ada Example. Page. Desk."
