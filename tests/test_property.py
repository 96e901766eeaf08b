"""Property-based tests: made-up service answers through the parsers, the record model and the citation style.

Hypothesis builds Crossref and openFDA JSON values and PubMed XML fragments, well-shaped or not,
holding markup, entities, controls, escape sequences and other scripts' digits.  Whatever comes in,
a parser returns records or raises its ServiceError subclass; stored text has no control characters;
stored titles hold only the allowed tags, everything else escaped; the nodes built from them show
that text and nothing else.  Examples are derandomised, so every run tries the same ones.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from docutils import nodes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinxext_evidence.citations.styles import get_style
from sphinxext_evidence.records.model import TITLE_TAGS, Article, FdaRecord
from sphinxext_evidence.render_utils import title_nodes
from sphinxext_evidence.sources.crossref import CrossrefParseError, parse_works, title_markup
from sphinxext_evidence.sources.openfda import OpenFdaParseError, parse_drugsfda
from sphinxext_evidence.sources.pubmed_xml import PubMedParseError, parse_pubmed_xml
from sphinxext_evidence.text import clean_text, safe_url, squash, strip_controls
from helpers import strings

TODAY = "2026-12-01"
# No example database: derandomised runs need none, and CI should not write one into the checkout.
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TAG = re.compile(r"</?({})>".format("|".join(TITLE_TAGS)))
ENTITY = re.compile(r"&(amp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);")

# Characters a service might send: letters of several scripts, other scripts' digits, combining
# marks, markup characters, C0/C1 controls and DEL.  ESC and Latin-1 letters followed by C1 (mojibake
# repair) are in the free-form texts only: exact round trips need text whose cleaning is per character.
PLAIN = st.sampled_from(list("aZ09 .,:;'\"/-_()[]<>&#=\t\n\r") + [
    "\u0142", "\u03a9", "\u4e2d", "\u0301", "\uff12", "\u00b2", "\u0662", "\u00a0", "\u2028",
    "\x00", "\x07", "\x08", "\x0b", "\x1f", "\x7f", "\x85", "\x9b", "\x9c",
])
FRAGMENTS = st.sampled_from([
    "<i>", "</i>", "<b>", "<sup>", "</sub>", "<u>", "<jats:italic>", "</jats:italic>", "<scp>", "<script>",
    "</script>", "<!--", "-->", "<![CDATA[", "]]>", "<a href='javascript:x'>", "&amp;", "&lt;i&gt;", "&#27;",
    "&#x9b;", "&nbsp;", "&", "\x1b[31m", "\x1b]8;;https://evil.example/\x07", "\x1b", "\u00c2\x9b", "\u00e2\x80\x99",
    "javascript:alert(1)", "\uff12\uff10\uff12\uff10", "2\u207020", "\ud800",
])
TEXTS = st.lists(st.one_of(st.text(PLAIN, max_size=6), FRAGMENTS), max_size=6).map("".join)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False), TEXTS)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(TEXTS, inner, max_size=3)), max_leaves=8)
DOIS = st.one_of(st.integers(1, 10**6).map(lambda n: f"10.1371/journal.pone.{n}"), st.sampled_from(
    ["10.1371/journal.pone.0033693", "10.1371/CAF\u00c9", "10.1371/cafe\u0301", "10.1234/x\x1b[31m"]),
    st.builds(lambda t: "10.1234/" + t, TEXTS), JSON)
DATES = st.one_of(JSON, st.fixed_dictionaries({"date-parts": st.one_of(
    JSON, st.lists(st.lists(st.one_of(st.none(), st.integers(-5, 3000), TEXTS), max_size=4), max_size=2))}),
    st.just({"date-parts": [[2012, 3, 21]]}), st.just({"date-parts": [["2012", "3"]]}))
NAMES = st.one_of(st.sampled_from(["Smith", "O'Brien", "D\u00e2\u0080\u0099Adamo", "\x1b[31mRed"]), TEXTS, JSON)
PEOPLE = st.one_of(JSON, st.lists(st.one_of(JSON, st.fixed_dictionaries(
    {"family": NAMES}, optional={k: NAMES for k in ("given", "suffix", "name")})), max_size=3))
NOTICES = st.one_of(JSON, st.lists(st.one_of(JSON, st.fixed_dictionaries(
    {"type": st.sampled_from(["retraction", "correction", "expression_of_concern", "x"]) | JSON},
    optional={"label": TEXTS, "DOI": DOIS, "source": st.sampled_from(["retraction-watch", "publisher"]),
              "updated": DATES})), max_size=3))
URLS = st.one_of(JSON, st.sampled_from(["https://doi.org/10.1/x", "javascript:alert(1)", "java\nscript:x",
                                        "data:text/html,x", "//evil.example", " http://ok.example/a "]))
WORKS = st.fixed_dictionaries({"DOI": DOIS}, optional={
    "title": st.one_of(JSON, st.lists(TEXTS, max_size=2)), "subtitle": st.lists(TEXTS, max_size=2),
    "container-title": st.one_of(JSON, st.lists(TEXTS, max_size=2)), "short-container-title": JSON,
    "author": PEOPLE, "editor": PEOPLE, "issued": DATES, "published": DATES, "URL": URLS,
    "type": st.sampled_from(["journal-article", "book-chapter", "book", "posted-content"]) | JSON,
    "volume": JSON, "issue": JSON, "page": JSON, "publisher": JSON, "publisher-location": JSON,
    "ISSN": JSON, "language": JSON, "updated-by": NOTICES, "update-to": NOTICES,
})


def assert_stored_clean(record: Any) -> None:
    """No control character in any stored string; a stored title is allowed tags and escaped text only."""
    for text in strings(record):
        assert not CONTROL.search(text) and text == squash(text), text
    title = record.get("title", "") if isinstance(record, dict) else ""
    bare = TAG.sub("", title)
    assert "<" not in bare and ">" not in bare, title
    assert "&" not in ENTITY.sub("", bare), title
    url = record.get("URL", "") if isinstance(record, dict) else ""
    assert not url or re.match(r"https?://[^\s]+$", url), url


def assert_renders_clean(key: str, record: dict[str, Any]) -> None:
    """The record through Article, the citation style and title_nodes: text only, no controls, no markup left."""
    article = Article.from_csl(key, record)
    style = get_style()
    paragraph = nodes.paragraph("", "", *style.entry(article, 3))
    texts = [n.astext() for n in paragraph.findall(nodes.Text)]
    assert not any(CONTROL.search(t) for t in texts), texts
    assert not CONTROL.search(style.tooltip(article, key))
    shown = "".join(n.astext() for n in title_nodes(article.title))
    # The text nodes are the stored title's text unescaped once: no tag or entity is left over, none added.
    assert shown == html.unescape(TAG.sub("", article.title))


@SETTINGS
@given(items=st.lists(st.one_of(WORKS, WORKS, JSON), max_size=4),
       envelope=st.one_of(st.just("work-list"), st.just("work-list"), st.just("work-list"), JSON))
def test_crossref_answers(items: list[Any], envelope: Any) -> None:
    """Made-up work-lists (and broken envelopes) through parse_works and the citation style."""
    message: Any = {"items": items} if envelope == "work-list" else envelope
    body = json.dumps({"status": "ok", "message-type": "work-list", "message": message}).encode()
    try:
        records = parse_works(body, TODAY)
    except CrossrefParseError:
        return
    for key, record in records.items():
        assert key == key.lower() and not CONTROL.search(key)
        assert_stored_clean(record)
        assert_renders_clean(f"doi:{key}", record)


FDA_RESULTS = st.lists(st.one_of(JSON, st.fixed_dictionaries({}, optional={
    "application_number": st.one_of(JSON, st.sampled_from(["NDA213051", "ANDA090721", "\uff2e\uff24\uff21"])),
    "sponsor_name": JSON, "openfda": st.one_of(JSON, st.fixed_dictionaries({}, optional={"brand_name": JSON})),
    "products": st.one_of(JSON, st.lists(st.one_of(JSON, st.fixed_dictionaries(
        {}, optional={"brand_name": JSON, "marketing_status": st.one_of(JSON, st.sampled_from(["1", "2", 3]))})),
        max_size=3)),
    "submissions": st.one_of(JSON, st.lists(st.fixed_dictionaries({
        "submission_type": st.just("ORIG"), "submission_status": st.just("AP"),
        "submission_status_date": st.one_of(JSON, st.sampled_from(["20190920", "20191399", "\uff12\uff10190920"]))}),
        max_size=2)),
})), max_size=4)


@SETTINGS
@given(results=FDA_RESULTS, meta=st.one_of(JSON, st.fixed_dictionaries(
    {"results": st.one_of(JSON, st.fixed_dictionaries({"total": JSON}))}, optional={"last_updated": JSON})))
def test_openfda_answers(results: Any, meta: Any) -> None:
    """Made-up Drugs@FDA answers through parse_drugsfda and the lockfile form."""
    body = json.dumps({"meta": meta, "results": results}).encode()
    try:
        record = parse_drugsfda(body, "semaglutide", TODAY)
    except OpenFdaParseError:
        return
    stored = record.to_json()
    assert_stored_clean(stored)
    assert record.total >= 0 and FdaRecord.from_json(stored) == record
    assert all(re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})?", a.approved) for a in record.applications)


def element(tag: str, content: str, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{content}</{tag}>"


XML_TEXT = TEXTS.map(lambda t: escape(t.replace("\ud800", "")))
MIXED = st.lists(st.one_of(XML_TEXT, st.builds(element, st.sampled_from(
    ["i", "b", "sup", "sub", "u", "span", "scp", "DispFormula"]), XML_TEXT)), max_size=4).map("".join)
PUBDATE = st.lists(st.builds(element, st.sampled_from(["Year", "Month", "Day", "Season", "MedlineDate"]),
                             st.one_of(XML_TEXT, st.sampled_from(["2020", "Dec", "12", "\uff12\uff10\uff12\uff10",
                                                                  "2\u207020", "2019 Dec-2020 Jan"]))), max_size=4)
AUTHORS = st.lists(st.builds(element, st.just("Author"), st.lists(st.builds(
    element, st.sampled_from(["LastName", "ForeName", "Initials", "Suffix", "CollectiveName", "Author"]), MIXED),
    max_size=3).map("".join), st.sampled_from(["", ' ValidYN="N"', ' ValidYN="Y"'])), max_size=3)
ARTICLE = st.builds(
    lambda pmid, title, date, authors, eloc, ids, junk: element("PubmedArticle", element("MedlineCitation", (
        element("PMID", pmid) + element("Article", (
            element("Journal", element("JournalIssue", element("PubDate", "".join(date))) + element("Title", junk))
            + element("ArticleTitle", title) + eloc + element("AuthorList", "".join(authors)))))) + element(
        "PubmedData", element("ArticleIdList", ids))),
    st.one_of(st.integers(1, 10**8).map(str), st.integers(1, 10**8).map(str),
              st.sampled_from(["0123", "\uff11\uff12\uff13", "1\u00b23", ""]), XML_TEXT), MIXED, PUBDATE, AUTHORS,
    st.one_of(st.just(""), st.builds(lambda a, t: f"<ELocationID{a}>{t}</ELocationID>", st.sampled_from(
        ["", ' EIdType="doi"', ' EIdType="doi" ValidYN="N"', ' EIdType="pii"']), st.one_of(XML_TEXT, st.just(
            "10.1126/science.1152662")))),
    st.lists(st.builds(lambda kind, value: f"<ArticleId IdType={quoteattr(kind)}>{value}</ArticleId>", st.sampled_from(
        ["doi", "pmc", "pubmed", "x"]), st.one_of(XML_TEXT, st.sampled_from(["PMC123", "10.1/\u00e9"])))).map("".join),
    MIXED)


@SETTINGS
@given(articles=st.lists(st.one_of(ARTICLE, ARTICLE, XML_TEXT, MIXED), max_size=3), head=st.sampled_from([
    '<?xml version="1.0" ?>', '<?xml version="1.0" encoding="klingon"?>', "", "<!DOCTYPE html>"]),
       cut=st.one_of(st.none(), st.none(), st.none(), st.integers(0, 4000)))
def test_pubmed_answers(articles: list[str], head: str, cut: int | None) -> None:
    """Made-up PubmedArticleSets (sometimes cut short, or declared in an unknown encoding) through the parser."""
    body = (head + "<PubmedArticleSet>" + "".join(articles) + "</PubmedArticleSet>").encode()
    try:
        records = parse_pubmed_xml(body[:cut], TODAY)
    except PubMedParseError:
        return
    for pmid, record in records.items():
        assert re.fullmatch(r"[1-9][0-9]*", pmid)
        assert_stored_clean(record)
        assert_renders_clean(f"pmid:{pmid}", record)


# Title round trips: texts whose cleaning works character by character, so the expected text is known.
ROUND_PLAIN = st.text(PLAIN, max_size=8)
SEGMENTS = st.lists(st.one_of(st.tuples(st.just(""), ROUND_PLAIN), st.tuples(st.sampled_from(
    ["i", "b", "sup", "sub", "u", "italic", "jats:bold", "scp", "span", "mml:math"]), ROUND_PLAIN)), max_size=5)


def expected_text(segments: list[tuple[str, str]]) -> str:
    return squash(strip_controls("".join(text for _, text in segments)))


def shown_text(title: str) -> str:
    return squash("".join(n.astext() for n in title_nodes(title)))


@SETTINGS
@given(segments=SEGMENTS)
def test_crossref_title_round_trip(segments: list[tuple[str, str]]) -> None:
    """A Crossref title of escaped text and tags shows exactly its text: markup gone, '<' and '&' kept as text."""
    raw = "".join(f"<{tag}>{html.escape(text)}</{tag}>" if tag else html.escape(text) for tag, text in segments)
    title = title_markup(raw)
    assert_stored_clean({"title": title})
    assert shown_text(title) == expected_text(segments)


@SETTINGS
@given(segments=SEGMENTS)
def test_pubmed_title_round_trip(segments: list[tuple[str, str]]) -> None:
    """A PubMed ArticleTitle of escaped text and child elements shows exactly its text."""
    inner = "".join(element(tag.replace(":", "_"), escape(text)) if tag else escape(text) for tag, text in segments)
    body = ("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
            f"<ArticleTitle>{inner}</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>")
    title = parse_pubmed_xml(body.encode(), TODAY)["1"].get("title", "")
    assert_stored_clean({"title": title})
    assert shown_text(title) == expected_text(segments)


# --------------------------------------------------------------------------- the text helpers, by example


@pytest.mark.parametrize(("raw", "clean"), [
    ("a\x1b[31mred\x1b[0m b", "ared b"), ("x\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07 y", "xlink y"),
    ("tab\tline\nbreak\r\nend", "tab line break end"), ("nul\x00 del\x7f c1\x9b31m", "nul del c131m"),
    ("D\u00e2\u0080\u0099Adamo", "D\u2019Adamo"),  # UTF-8 read as Latin-1, marked by its C1 characters
    ("  e\u0301  ", "\u00e9"), ("lone \ud800 surrogate", "lone surrogate"),
    (5, "5"), (None, ""), (True, ""), ({"a": 1}, ""), (["x"], ""),
])  # fmt: skip
def test_clean_text(raw: object, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(("url", "kept"), [(url, "") for url in (
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\nscript:alert(1)", "java\tscript:x", " javascript:x",
    "data:text/html,<b>x</b>", "vbscript:msgbox", "//evil.example/x", "/relative", "relative", "https://",
    "http:\\\\evil.example", "https://exa mple.org", "https://a.org/\x00", "ftp://a.org/", "", 5, None)] + [
    (" https://doi.org/10.1016/s0140-6736(97)11096-0 ", "https://doi.org/10.1016/s0140-6736(97)11096-0"),
    ("http://dx.doi.org/10.1371/x", "http://dx.doi.org/10.1371/x"),
])  # fmt: skip
def test_safe_url_keeps_absolute_http_links_only(url: object, kept: str) -> None:
    assert safe_url(url) == kept
