"""Service answers are untrusted input: recorded PubMed, Crossref and openFDA answers, mutated.

Every answer here starts as a REAL recording from ``tests/fixtures`` (the SOURCES.md beside each
file says where it was recorded) and is then mutated in memory, as each test's docstring says: the
mutated bytes were never sent by a service.  A whole answer that cannot be used raises the module's
ServiceError subclass; one bad record costs only itself (or is repaired); stored text keeps no
control characters; stored links are http(s) only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes.eutils import article_set, split_records, with_pmid

from sphinxext_evidence.identifiers import parse_doi
from sphinxext_evidence.sources.crossref import CrossrefParseError, parse_updates, parse_works
from sphinxext_evidence.sources.openfda import OpenFdaParseError, error_of, parse_drugsfda
from sphinxext_evidence.sources.pubmed_xml import PubMedParseError, parse_pubmed_xml
from helpers import strings

FIXTURES = Path(__file__).parent / "fixtures"
# A corpus of real recorded answers from public projects' test data (see its PROVENANCE.md).
SHARED = FIXTURES / "corpus"
TODAY = "2026-12-01"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
HTML_ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>"
                   b"<h1>Sorry&nbsp;&mdash; the service is down</h1><p>Try again later.<br></p></body></html>")


def assert_clean(records: dict[str, Any]) -> None:
    """No control character nor stray whitespace in any stored text; every stored URL is http(s)."""
    for text in strings(records):
        assert not CONTROL.search(text) and text == text.strip() and "  " not in text, text
    for record in records.values():
        assert re.match(r"(https?://\S+)?$", record.get("URL", "")), record["URL"]


# --------------------------------------------------------------------------- Crossref

CROSSREF = sorted((FIXTURES / "corrections").glob("crossref_work*.json"))
TARGET = "10.1371/journal.pone.0033693"  # the work the mutations below change


def crossref_answer(mutate: Callable[[list[Any]], None] | None = None) -> bytes:
    """Derived: the recorded rcrossref work-list, its items the works of the three recorded Crossref answers."""
    answers = [json.loads(path.read_bytes()) for path in CROSSREF]
    envelope = next(a for a in answers if a["message-type"] == "work-list")
    envelope["message"]["items"] = [w for a in answers for w in
                                    (a["message"]["items"] if a["message-type"] == "work-list" else [a["message"]])]
    if mutate:
        mutate(envelope["message"]["items"])
    return json.dumps(envelope).encode()


def change(**fields: Any) -> Callable[[list[Any]], None]:
    return lambda items: next(w for w in items if w["DOI"] == TARGET).update(fields)


CROSSREF_BASE = parse_works(crossref_answer(), TODAY)


def assert_others_kept(records: dict[str, Any], base: dict[str, Any] = CROSSREF_BASE, target: str = TARGET) -> None:
    assert {k: v for k, v in records.items() if k != target} == {k: v for k, v in base.items() if k != target}


def test_crossref_baseline_is_the_three_recorded_works() -> None:
    assert len(CROSSREF_BASE) == 3 and TARGET in CROSSREF_BASE
    assert_clean(CROSSREF_BASE)


@pytest.mark.parametrize(("mutation", "field", "expected"), [
    ({"issued": {"date-parts": [["2012", "03", "21"]]}}, "issued", {"date-parts": [[2012, 3, 21]]}),
    ({"issued": {"date-parts": [[2012, 13, 40]]}}, "issued", {"date-parts": [[2012]]}),
    ({"issued": {"date-parts": [["\uff12\uff10\uff11\uff12"]]}, "published": None}, "issued", None),  # full-width
    ({"issued": {"date-parts": [["2\u207012"]]}, "published": None}, "issued", None),  # a superscript zero
    ({"issued": {"date-parts": [2012, 3]}, "published": None}, "issued", None),
    ({"issued": {"date-parts": "2012"}, "published": None}, "issued", None),
    ({"issued": {"date-parts": [[True]]}, "published": {"date-parts": [[None]]}}, "issued", None),
    ({"issued": {"date-parts": [[None]]}, "published": {"date-parts": [["x"]]}}, "issued", None),
    ({"issued": "2012-03-21", "published": 2012}, "issued", None),
    ({"author": 5}, "author", None), ({"author": "Sadasivan"}, "author", None),
    ({"author": [5, None, "x", {"given": "Only"}, {"family": ["x"]}, {"family": "Pond", "given": {"a": 1}}]},
     "author", [{"family": "Pond"}]),
    ({"title": 5}, "title", "5"), ({"title": {"en": "x"}}, "title", None),
    ({"title": [None, {"a": 1}, "", "Real <i>title</i>"]}, "title", "Real <i>title</i>"),
    ({"volume": ["7"], "page": 33693}, "page", "33693"), ({"container-title": 5.5}, "container-title", "5.5"),
    ({"URL": "javascript:alert(document.cookie)"}, "URL", None), ({"URL": "java\nscript:alert(1)"}, "URL", None),
    ({"URL": "data:text/html;base64,PHNjcmlwdD4="}, "URL", None), ({"URL": "/works/10.1371/x"}, "URL", None),
    ({"URL": ["https://doi.org/10.1371/journal.pone.0033693"]}, "URL", None),
])  # fmt: skip
def test_crossref_wrong_types_cost_only_the_field(mutation: dict[str, Any], field: str, expected: Any) -> None:
    """Derived: one field (dates, names, titles, links …) of one recorded work replaced by a wrongly typed value."""
    records = parse_works(crossref_answer(change(**mutation)), TODAY)
    assert records[TARGET].get(field) == expected
    assert records[TARGET]["DOI"] == TARGET and records[TARGET]["publisher"] == "Public Library of Science (PLoS)"
    assert_others_kept(records)
    assert_clean(records)


def test_crossref_wrong_notice_types() -> None:
    """Derived: ``updated-by`` as a string, and ``update-to`` items of every wrong type."""
    junk = [5, "x", None, {"type": {"a": 1}}, {"type": "correction", "DOI": 7, "updated": {"date-parts": "2013"}}]
    records = parse_works(crossref_answer(change(**{"updated-by": "x", "update-to": junk})), TODAY)
    notice = {"type": "ErratumFor", "source": "correction", "origin": "Crossref"}  # from the only usable item
    assert records[TARGET]["custom"]["notices"] == [notice]
    assert_others_kept(records)
    updates = parse_updates(crossref_answer(change(**{"updated-by": "x"})), TODAY)
    assert updates[TARGET]["notices"] == [] and len(updates) == 3


@pytest.mark.parametrize("doi", [7, None, "", ["10.1371/journal.pone.0033693"], "not a doi", "10.1371"])
def test_crossref_work_without_a_usable_doi_is_skipped(doi: Any) -> None:
    """Derived: one recorded work's ``DOI`` replaced, and items that are not objects put between the works."""
    records = parse_works(crossref_answer(change(DOI=doi)), TODAY)
    assert TARGET not in records
    assert_others_kept(records)
    junk = [5, "x", None, [], True, 1.5, doi]
    assert parse_works(crossref_answer(lambda items: items[1:1].extend(junk)), TODAY) == CROSSREF_BASE


def test_crossref_control_characters_are_removed_from_every_field() -> None:
    """Derived: escape sequences and control characters put in the recorded work's text fields."""
    esc = "\x1b[2J\x1b]8;;https://evil.example/\x07"
    mutation = change(title=[f"Methyl{esc}phenidate\x00 <i>ex\x9bposure</i>\tof\nmice"],
                      publisher=f"Public\x07 Library{esc}", page="e3\x7f3693", subtitle=["\x1b[1m"],
                      author=[{"family": "Sada\x1b[31msivan\x1b[0m", "given": "Shan\u0085kar"}, {"name": "Group\x1f"}],
                      **{"container-title": [f"PLoS{esc} ONE"], "updated-by": [
                          {"type": "correction", "label": "Corr\x1b[5mection", "DOI": "10.1371/x\x00y",
                           "updated": {"date-parts": [[2012]]}}]})
    record = parse_works(crossref_answer(mutation), TODAY)[TARGET]
    assert record["title"] == "Methylphenidate <i>exposure</i> of mice"
    assert record["publisher"] == "Public Library" and record["page"] == "e33693"
    assert record["author"] == [{"family": "Sadasivan", "given": "Shan kar"}, {"literal": "Group"}]
    assert record["container-title"] == "PLoS ONE"
    assert record["custom"]["notices"][0]["source"] == "Correction doi:10.1371/xy (2012)"
    assert_clean({TARGET: record})


def test_crossref_dois_in_nfc_and_nfd_are_one_work() -> None:
    """Derived: the recorded work's DOI given a non-ASCII suffix, once composed (NFC), once decomposed (NFD)."""
    nfc = f"{TARGET}.caf\u00e9"
    nfd, key = unicodedata.normalize("NFD", nfc), parse_doi(nfc)
    composed = parse_works(crossref_answer(change(DOI=nfc)), TODAY)
    decomposed = parse_works(crossref_answer(change(DOI=nfd.upper())), TODAY)
    assert key == parse_doi(nfd) and composed[key]["id"] == decomposed[key]["id"] == f"doi:{nfc}"
    assert decomposed[key]["DOI"] == unicodedata.normalize("NFC", nfd.upper())


def test_crossref_one_notice_reported_twice_with_differently_written_dois() -> None:
    """Derived: the recorded Retraction Watch notice repeated as the publisher's, its DOI upper-cased."""
    answer = json.loads(CROSSREF[0].read_bytes())
    updates = answer["message"]["updated-by"]
    notice = next(n for n in updates if n["source"] == "retraction-watch")
    updates.append(dict(notice, source="publisher", DOI=notice["DOI"].upper()))
    after = next(iter(parse_works(json.dumps(answer).encode(), TODAY).values()))["custom"]["notices"]
    assert len(after) == len(updates) - 1
    assert next(n for n in after if n["doi"] == notice["DOI"])["origin"] == "Retraction Watch and Crossref"


@pytest.mark.parametrize("body", [
    b"", b"null", b"[]", b"5", HTML_ERROR_PAGE, b"[" * 100_000, b'{"status": "ok", "message": []}',
    b'{"status": "ok", "message-type": {"x": 1}, "message": {}}', b"\xff\xfe{\x00}\x00",
    b'{"status": "ok", "message-type": "work-list", "message": {"items": {}}}',
    b'{"status": "failed", "message-type": "work", "message": {"DOI": "10.1/x"}}',
])  # fmt: skip
def test_crossref_unusable_answer_is_one_parse_error(body: bytes) -> None:
    with pytest.raises(CrossrefParseError):
        parse_works(body, TODAY)
    with pytest.raises(CrossrefParseError):
        parse_updates(body, TODAY)


# --------------------------------------------------------------------------- openFDA

SEMAGLUTIDE = (FIXTURES / "openfda" / "drugsfda_200_semaglutide_limit2.body.json").read_bytes()
FDA_BASE = parse_drugsfda(SEMAGLUTIDE, "semaglutide", TODAY)  # NDA213051 (RYBELSUS), NDA215256; total 3


def fda_answer(edit: Callable[[dict[str, Any]], Any]) -> bytes:
    """Derived: the recorded semaglutide answer after ``edit``."""
    data = json.loads(SEMAGLUTIDE)
    edit(data)
    return json.dumps(data).encode()


ORIG = {"submission_type": "ORIG", "submission_status": "AP"}


@pytest.mark.parametrize(("mutation", "check"), [
    ({"products": 5}, lambda app: app.brand_names == ("RYBELSUS",) and app.marketing_status == ()),
    ({"products": {"brand_name": "RYBELSUS\x1b[31m", "marketing_status": 1}},
     lambda app: app.brand_names == ("RYBELSUS",) and app.marketing_status == ("Prescription",)),
    ({"products": [5, None, "x", {"brand_name": {"a": 1}}]}, lambda app: app.brand_names == ("RYBELSUS",)),
    ({"submissions": {}}, lambda app: app.approved == ""), ({"submissions": 5}, lambda app: app.approved == ""),
    ({"submissions": [dict(ORIG, submission_status_date="\uff12\uff10\uff11\uff199\u00b2\u00b920")]},
     lambda app: app.approved == ""),
    ({"submissions": [dict(ORIG, submission_status_date="20191399")]}, lambda app: app.approved == ""),
    ({"openfda": 5, "products": []}, lambda app: app.brand_names == ()),
    ({"openfda": {"brand_name": "RYBELSUS"}, "products": []}, lambda app: app.brand_names == ("RYBELSUS",)),
    ({"sponsor_name": "NOVO\x1b[2J\x00 NORDISK\u0085INC"}, lambda app: app.sponsor == "NOVO NORDISK INC"),
    ({"sponsor_name": ["NOVO"]}, lambda app: app.sponsor == ""),
] + [({"application_number": n}, None) for n in (None, "", ["NDA1"], {"n": 1}, "\uff2e\uff24\uff21213051", "\x1b[2J")],
)  # fmt: skip
def test_openfda_wrong_types_cost_only_the_field(mutation: dict[str, Any], check: Callable[[Any], bool] | None) -> None:
    """Derived: one field of the first recorded application replaced (no usable number: it is skipped)."""
    record = parse_drugsfda(fda_answer(lambda d: d["results"][0].update(mutation)), "semaglutide", TODAY)
    assert record.applications[-1] == FDA_BASE.applications[1] and record.total == 3
    if check:
        assert record.applications[0].number == "NDA213051" and check(record.applications[0])
    else:
        assert len(record.applications) == 1
    assert_clean({"x": record.to_json()})
    junk = fda_answer(lambda d: d["results"][1:1].extend([5, "x", None, [], True, mutation]))
    assert parse_drugsfda(junk, "semaglutide", TODAY) == FDA_BASE  # results that are not applications


@pytest.mark.parametrize(("total", "expected"), [("412", 412), ("\uff14\uff11\uff12", 2), (True, 2), (-1, 2),
                                                  (None, 2), ([3], 2), ("9" * 5000, 2), (3, 3)])
def test_openfda_total_of_the_wrong_type(total: Any, expected: int) -> None:
    """Derived: the recorded ``meta.results.total`` (3) replaced."""
    record = parse_drugsfda(fda_answer(lambda d: d["meta"]["results"].update(total=total)), "x", TODAY)
    assert record.total == expected and record.applications == FDA_BASE.applications


@pytest.mark.parametrize("body", [b"", b"[]", b"5", HTML_ERROR_PAGE, b"[" * 100_000, b'{"results": 5}',
                                  b'{"results": {}}', b"\xc3\x28"])
def test_openfda_unusable_answer_is_one_parse_error(body: bytes) -> None:
    with pytest.raises(OpenFdaParseError):
        parse_drugsfda(body, "x", TODAY)
    assert error_of(body) == ("", "")


def test_openfda_error_message_is_cleaned() -> None:
    """Derived: the recorded 404 error envelope with escape sequences put into its message."""
    data = json.loads((FIXTURES / "openfda" / "drugsfda_404_no_match.body.json").read_bytes())
    data["error"]["message"] = "No matches\x1b[2J\x1b]0;pwned\x07 found!\r\n"
    assert error_of(json.dumps(data).encode()) == ("NOT_FOUND", "No matches found!")


# --------------------------------------------------------------------------- PubMed

SIX = FIXTURES / "eutils" / "efetch_pubmed_xml_6articles_19008416_18927361_18787170_18487186_18239126_18239125_hawc.xml"
ARTICLES = split_records(SIX.read_bytes())
PUBMED_BASE = parse_pubmed_xml(SIX.read_bytes(), TODAY)
VICTIM = "18487186"  # the article the mutations below change


def pubmed_answer(old: re.Pattern[bytes], new: bytes) -> bytes:
    """Derived: the recorded six-article answer with one edit in one article."""
    elements = dict(ARTICLES)
    elements[VICTIM], count = old.subn(new, elements[VICTIM], count=1)
    assert count == 1
    return article_set(list(elements.values()))


def pubmed_kept(answer: bytes) -> dict[str, Any]:
    """The records of ``answer``, checked: clean, and every article but the victim as recorded."""
    records = parse_pubmed_xml(answer, TODAY)
    assert_others_kept(records, PUBMED_BASE, VICTIM)
    assert_clean(records)
    return records


@pytest.mark.parametrize("year", ["\uff12\uff10\uff10\uff18", "2\u2070\u20708", "\u0662\u0660\u0660\u0668", "2O8", "0"])
def test_pubmed_year_in_other_digits_is_not_a_number(year: str) -> None:
    """Derived: the recorded PubDate year 2008 rewritten in full-width, superscript, Arabic-Indic digits …"""
    records = pubmed_kept(pubmed_answer(re.compile(rb"(?<=<PubDate><Year>)2008(?=</Year>)"), year.encode()))
    assert "date-parts" not in records[VICTIM].get("issued", {})
    assert records[VICTIM]["title"] == PUBMED_BASE[VICTIM]["title"]


@pytest.mark.parametrize(("old", "new"), [
    (rb"<MedlineCitation .*</MedlineCitation>", b""), (rb"<Article PubModel=\"[^\"]*\">.*</Article>", b""),
    (rb"<PMID Version=\"1\">18487186</PMID>", "<PMID>\uff11\uff18487186</PMID>".encode()),
])  # fmt: skip
def test_pubmed_article_without_a_usable_citation_is_skipped(old: bytes, new: bytes) -> None:
    """Derived: one recorded article loses its MedlineCitation, its Article or its ASCII PMID."""
    records = pubmed_kept(pubmed_answer(re.compile(old, re.DOTALL), new))
    assert VICTIM not in records and len(records) == 5


@pytest.mark.parametrize("new", [
    b"<AuthorList><AuthorList><Author><LastName>Inner</LastName></Author></AuthorList>",
    b"<AuthorList>loose text<Author><Author><LastName>Nested</LastName></Author></Author><Author/>",
    b"<AuthorList Type=\"\x00\"><Author ValidYN=\"maybe\"><LastName><i>Odd</i> Name</LastName></Author>",
])  # fmt: skip
def test_pubmed_author_lists_with_odd_nesting(new: bytes) -> None:
    """Derived: the start of the recorded AuthorList replaced by oddly nested authors."""
    records = pubmed_kept(pubmed_answer(re.compile(rb"<AuthorList[^>]*>"), new))
    assert records[VICTIM]["title"] == PUBMED_BASE[VICTIM]["title"]


def test_pubmed_elocation_without_attributes_is_no_doi() -> None:
    """Derived: the recorded ELocationID stripped of its attributes and the ArticleId doi removed."""
    answer = pubmed_answer(re.compile(rb'<ELocationID EIdType="doi" ValidYN="Y">'), b"<ELocationID>")
    records = pubmed_kept(answer.replace(b'<ArticleId IdType="doi">10.1126/science.1152662</ArticleId>', b""))
    assert "DOI" not in records[VICTIM] and records[VICTIM]["PMID"] == VICTIM


@pytest.mark.parametrize("dirt", [b"\x1b[31m", b"&#27;[1m", b"&#x1B;]8;;https://evil.example/&#7;", b"\x00\x08",
                                  b"&#x7f;&#x9b;&#x90;", b"\xc2\x9b"])
def test_pubmed_control_characters_are_removed_and_the_answer_kept(dirt: bytes) -> None:
    """Derived: controls (raw or as references; C0 ones make XML 1.0 malformed) put in a recorded title and name."""
    answer = pubmed_answer(re.compile(b"<ArticleTitle>"), b"<ArticleTitle>" + dirt)
    answer = answer.replace(b"<LastName>Cao</LastName>", b"<LastName>C" + dirt + b"ao</LastName>")
    assert parse_pubmed_xml(answer, TODAY) == PUBMED_BASE


def test_pubmed_deeply_nested_title_is_kept() -> None:
    """Derived: the recorded title put in <i> and 20 000 nested <span> elements."""
    depth = 20_000
    records = pubmed_kept(pubmed_answer(re.compile(rb"<ArticleTitle>(.*?)</ArticleTitle>"), b"<ArticleTitle><i>"
                                        + b"<span>" * depth + rb"\1" + b"</span>" * depth + b"</i></ArticleTitle>"))
    assert records[VICTIM]["title"] == f"<i>{PUBMED_BASE[VICTIM]['title']}</i>"


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0" encoding="klingon"?>\n' + SIX.read_bytes().split(b"\n", 1)[1],
    b'<?xml version="1.0" encoding="EUC-JP"?>\n' + SIX.read_bytes().split(b"\n", 1)[1],
    SIX.read_bytes()[: len(SIX.read_bytes()) // 2], HTML_ERROR_PAGE, b"<html><body><h1>Error</h1></body></html>",
    b"", b"   \n", b"\x00" * 64, b'{"error": "API rate limit exceeded"}',
    b"<eSearchResult><ERROR>Empty \x1b[2J id list</ERROR></eSearchResult>",
])  # fmt: skip
def test_pubmed_unusable_answer_is_one_parse_error(body: bytes) -> None:
    """Derived from the recorded six-article answer (a new XML declaration, half of it), or made up."""
    with pytest.raises(PubMedParseError) as caught:
        parse_pubmed_xml(body, TODAY)
    assert not CONTROL.search(str(caught.value))


def test_pubmed_huge_answer_keeps_every_record() -> None:
    """Derived: the six recorded articles copied 100 times each under new PMIDs (about 8 MB)."""
    elements = [with_pmid(element, f"{n}{pmid[-6:]}") for n in range(1, 101) for pmid, element in ARTICLES.items()]
    records = parse_pubmed_xml(article_set(elements), TODAY)
    assert len(records) == 600 and records[f"100{VICTIM[-6:]}"]["title"] == PUBMED_BASE[VICTIM]["title"]


# --------------------------------------------------------------------------- every recorded answer

RECORDED = {
    "pubmed": sorted((FIXTURES / "eutils").glob("efetch_*.xml")) + sorted((FIXTURES / "corrections").glob("pubmed_*")),
    "crossref": CROSSREF, "openfda": sorted((FIXTURES / "openfda").glob("*.body.json")),
}
PARSERS: dict[str, tuple[Callable[[bytes], Any], type[Exception]]] = {
    "pubmed": (lambda body: parse_pubmed_xml(body, TODAY), PubMedParseError),
    "crossref": (lambda body: parse_works(body, TODAY), CrossrefParseError),
    "openfda": (lambda body: {"x": parse_drugsfda(body, "x", TODAY).to_json()}, OpenFdaParseError),
}
DIRTY_KEYS = {"title", "subtitle", "container-title", "short-container-title", "family", "given", "name", "publisher",
              "label", "volume", "issue", "page", "sponsor_name", "brand_name", "last_updated"}


def dirtied(value: Any, key: str = "") -> Any:
    """``value`` with DEL, a C1 control and an escape sequence put before the text of every DIRTY_KEYS field."""
    if isinstance(value, str):
        return "\x7f\x9b\x1b[31m" + value if key in DIRTY_KEYS else value
    if isinstance(value, dict):
        return {k: dirtied(v, k) for k, v in value.items()}
    return [dirtied(v, key) for v in value] if isinstance(value, list) else value


@pytest.mark.parametrize(("kind", "path"), [(k, p) for k in PARSERS for p in RECORDED[k] + sorted(
    (SHARED / k).glob("*") if (SHARED / k).is_dir() else [])], ids=lambda v: v.name[-60:] if isinstance(v, Path) else v)
def test_every_recorded_answer_is_stored_clean(kind: str, path: Path) -> None:
    """Every recorded answer (tests/fixtures, and the shared corpus when present) is stored clean.

    Also derived: each with DEL, a C1 control and an escape sequence put before every text (every
    XML text node; the JSON fields in DIRTY_KEYS), which must change no record.
    """
    parse, error = PARSERS[kind]
    body = path.read_bytes()
    try:
        records = parse(body)
    except error:
        return
    assert_clean(records)
    if kind == "pubmed":
        dirty = re.sub(rb">(?=[^<\s])", b">&#x7f;&#x9b;&#x1b;[31m", body)
    else:
        dirty = json.dumps(dirtied(json.loads(body))).encode()
    assert parse(dirty) == records
