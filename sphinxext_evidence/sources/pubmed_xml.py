"""PubMed XML (efetch's PubmedArticleSet) parsed into the lockfile's CSL-JSON records.

Entity declarations (billion laughs) and external references are refused
as :mod:`defusedxml` refuses them, with its exceptions; the plain DOCTYPE
line PubMed sends still parses.  PubMed extras (initials, publication types, notices, fetch
date) go under ``custom``.
"""

from __future__ import annotations

import contextlib
import html
import pyexpat
import re
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from sphinxext_evidence.identifiers import parse_doi, parse_pmcid, parse_pmid
from sphinxext_evidence.records.model import TITLE_TAGS, bcp47, plain_title
from sphinxext_evidence.records.notices import NOTICE_KINDS
from sphinxext_evidence.sources.base import ServiceError
from sphinxext_evidence.sources.pubmed_dates import pub_date as _date, span as _span
from sphinxext_evidence.text import clean_text, safe_url, squash, strip_controls


_EMPTY_TAG = re.compile(r"<({})>(\s*)</\1>".format("|".join(TITLE_TAGS)))
_ARTICLE_NUMBER = re.compile(r"(?:e[a-z]{0,4})?[0-9]+(?:[.-][0-9]+)*")
# C0 controls other than tab, line feed and carriage return are not allowed in XML 1.0, raw or as
# character references; a body holding one is read again without them (and without the terminal
# escape sequences they start) instead of losing every record of the answer.
_C0_REF = re.compile(rb"&#(?:x0*(1[0-9a-f]|[0-8bcef])|0*(3[01]|2[0-9]|1[124-9]|[0-8]));", re.IGNORECASE)
_C0_BYTES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)|[\x00-\x08\x0b\x0c\x0e-\x1f]"
)


class PubMedParseError(ServiceError):
    """An efetch body that is not a usable PubmedArticleSet (bad XML or an error message)."""


# --------------------------------------------------------------------------- parsing


def parse_pubmed_xml(data: bytes, today: str) -> dict[str, dict[str, Any]]:
    """Parse an efetch PubmedArticleSet into ``{pmid: CSL-JSON record}``."""
    try:
        root = _xml(data)
    except DefusedXmlException as exc:
        raise PubMedParseError(f"refused unsafe XML from PubMed ({type(exc).__name__})") from None
    except ParseError as exc:
        raise PubMedParseError(f"malformed XML from PubMed ({exc})") from None
    except (LookupError, ValueError) as exc:  # an encoding expat does not know, or a multi-byte one
        raise PubMedParseError(f"unreadable XML from PubMed ({clean_text(str(exc))[:100]})") from None
    errors = [_text(e) for e in ([root] if root.tag == "ERROR" else root.findall("ERROR"))]
    if errors:
        raise PubMedParseError("PubMed answered with an error: " + "; ".join(e for e in errors if e)[:300])
    if root.tag != "PubmedArticleSet":
        raise PubMedParseError(f"unexpected XML from PubMed (root element <{clean_text(root.tag)[:60]}>)")
    records: dict[str, dict[str, Any]] = {}
    for node in root:
        if node.tag == "PubmedArticle":
            record = _journal_article(node, today)
        elif node.tag == "PubmedBookArticle":
            record = _book_article(node, today)
        else:
            continue
        if record:
            records[record["PMID"]] = record
    return records


def _xml(data: bytes) -> Element:
    """The parsed document; one with C0 control characters is read again without them."""
    try:
        return _safe_tree(data)
    except ParseError as exc:
        first = exc
    repaired = _C0_REF.sub(lambda m: bytes([int(m[1], 16) if m[1] else int(m[2])]), data)
    repaired = _C0_BYTES.sub(lambda m: b" " if m[0] in (b"\x0b", b"\x0c") else b"", repaired)
    if repaired != data:
        with contextlib.suppress(ParseError):
            return _safe_tree(repaired)
    raise first


def _safe_tree(data: bytes) -> Element:
    """``data`` parsed by ElementTree's C parser, once a first pass has found no entity declaration in it.

    defusedxml's own parser refuses the same things, but it has to be the
    pure-Python ``XMLParser`` to reach expat's handlers, which makes a 3 MB
    efetch answer take twice as long; the first pass here is expat with only
    those handlers set, and the C parser then reads a document known to
    declare no entity.
    """
    guard = pyexpat.ParserCreate(namespace_separator="}")  # configured as ElementTree's parser is
    guard.EntityDeclHandler = _entity_declared
    guard.UnparsedEntityDeclHandler = _unparsed_entity_declared
    guard.ExternalEntityRefHandler = _external_reference
    try:
        guard.Parse(data, True)
    except pyexpat.ExpatError as exc:
        raise ParseError(str(exc)) from None
    parser = XMLParser()
    parser.feed(data)
    return parser.close()


def _entity_declared(name: str, _is_parameter: bool, value: str | None, base: str | None, sysid: str | None,
                     pubid: str | None, notation: str | None) -> None:
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _unparsed_entity_declared(name: str, base: str | None, sysid: str | None, pubid: str | None,
                              notation: str | None) -> None:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _external_reference(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _journal_article(node: Element, today: str) -> dict[str, Any] | None:
    citation = node.find("MedlineCitation")
    if citation is None:
        return None
    pmid = parse_pmid(_text(citation.find("PMID")))
    article = citation.find("Article")
    if not pmid or article is None:
        return None
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    ids = _article_ids(node.find("PubmedData/ArticleIdList"))

    title = _markup(article.find("ArticleTitle"))
    if not title:
        title = _markup(article.find("VernacularTitle"))
    authors, initials = _people(_author_lists(article, "authors"))
    info = citation.find("MedlineJournalInfo")
    custom = _custom(today, initials, article.findall("PublicationTypeList/PublicationType"),
                     citation.findall("CommentsCorrectionsList/CommentsCorrections"))
    record: dict[str, Any] = {
        "id": f"pmid:{pmid}",
        "type": _kind(custom["publication-types"], "article-journal"),
        "title": title,
        "author": authors,
        "container-title": _text(journal.find("Title")) if journal is not None else "",
        # NLM's abbreviation (MedlineTA) has no periods; the ISO one loses them the same way.
        "container-title-short": (
            (_text(info.find("MedlineTA")) if info is not None else "")
            or squash((_text(journal.find("ISOAbbreviation")) if journal is not None else "").replace(".", " "))
        ),
        "volume": _text(issue.find("Volume")) if issue is not None else "",
        "issue": _text(issue.find("Issue")) if issue is not None else "",
        "page": _pages(article.find("Pagination")),
        "number": _article_number(article),
        "issued": _date(issue.find("PubDate") if issue is not None else None),
        "DOI": _doi(ids.get("doi")) or _elocation_doi(article),
        "PMID": pmid,
        "PMCID": parse_pmcid(ids.get("pmc", "")) or "",
        "ISSN": _text(journal.find("ISSN")) if journal is not None else "",
        "language": bcp47(_text(article.find("Language"))),
        "custom": custom,
    }
    return _prune(record)


def _kind(publication_types: list[str], default: str) -> str:
    """The CSL type PubMed's publication types call for: preprints and data sets have their own."""
    if "Preprint" in publication_types:
        return "article"
    return "dataset" if "Dataset" in publication_types else default


def _book_article(node: Element, today: str) -> dict[str, Any] | None:
    doc = node.find("BookDocument")
    if doc is None:
        return None
    pmid = parse_pmid(_text(doc.find("PMID")))
    if not pmid:
        return None
    book = doc.find("Book")
    if book is None:
        book = Element("Book")
    doc_ids = _article_ids(doc.find("ArticleIdList"))
    data_ids = _article_ids(node.find("PubmedBookData/ArticleIdList"))
    chapter_title = _markup(doc.find("ArticleTitle"))
    if not chapter_title:
        chapter_title = _markup(doc.find("VernacularTitle"))
    book_title = _markup(book.find("BookTitle"))
    # Chapter authors sit on the BookDocument, a whole book's on its Book.
    authors, initials = _people(_author_lists(doc, "authors") or _author_lists(book, "authors"))
    editors, _ = _people(_author_lists(book, "editors") + _author_lists(doc, "editors"))
    accession = doc_ids.get("bookaccession", "")
    accession = accession if re.fullmatch(r"[A-Za-z0-9_]+", accession) else ""
    # The book's dates span the whole series (GeneReviews: 1993-2024); a chapter has its own.
    book_dates = _span(book.find("BeginningDate"), book.find("EndingDate")) or _date(book.find("PubDate"))
    chapter_date = _date(doc.find("ContributionDate")) if chapter_title else {}
    custom = _custom(today, initials, doc.findall("PublicationType"),
                     doc.findall("CommentsCorrectionsList/CommentsCorrections"))
    if chapter_title:
        custom["revised"] = _date(doc.find("DateRevised"))
        custom["container-issued"] = book_dates
    record: dict[str, Any] = {
        "id": f"pmid:{pmid}",
        "type": "chapter" if chapter_title else "book",
        "title": chapter_title or book_title,
        "author": authors,
        "editor": editors,
        "container-title": squash(plain_title(book_title)) if chapter_title else "",
        "issued": chapter_date or book_dates,
        "edition": _text(book.find("Edition")),
        "medium": _text(book.find("Medium")),
        "DOI": (_doi(doc_ids.get("doi")) or _doi(data_ids.get("doi")) or _elocation_doi(book)
                or _elocation_doi(doc)),
        "PMID": pmid,
        "PMCID": parse_pmcid(doc_ids.get("pmc") or data_ids.get("pmc", "")) or "",
        "publisher": _text(book.find("Publisher/PublisherName")),
        "publisher-place": _text(book.find("Publisher/PublisherLocation")),
        "ISBN": _text(book.find("Isbn")),
        "URL": safe_url(f"https://www.ncbi.nlm.nih.gov/books/{accession}/") if accession else "",
        "language": bcp47(_text(doc.find("Language"))),
        "custom": custom,
    }
    return _prune(record)


def _custom(
    today: str, initials: list[str], types: Iterable[Element], comments: Iterable[Element]
) -> dict[str, Any]:
    notices = []
    for item in comments:
        if item.get("RefType") in NOTICE_KINDS:
            notice = {
                "type": item.get("RefType", ""),
                "pmid": parse_pmid(_text(item.find("PMID"))) or "",
                "source": _text(item.find("RefSource")),
                "note": _text(item.find("Note")),
                "origin": "PubMed",
            }
            notices.append({k: v for k, v in notice.items() if v})
    return {
        "source": "pubmed",
        "fetched": today,
        "initials": initials,
        "publication-types": [t for t in (_text(e) for e in types) if t],
        "notices": notices,
    }


def _author_lists(parent: Element, kind: str) -> list[Element]:
    """Author elements of the parent's AuthorLists of ``kind`` (no Type attribute means authors)."""
    found: list[Element] = []
    for author_list in parent.findall("AuthorList"):
        if author_list.get("Type", "authors") == kind:
            found.extend(author_list.findall("Author"))
    return found


def _people(nodes: Iterable[Element]) -> tuple[list[dict[str, str]], list[str]]:
    """CSL names and the aligned PubMed initials; authors marked ValidYN="N" are skipped."""
    people: list[dict[str, str]] = []
    initials: list[str] = []
    for node in nodes:
        if node.get("ValidYN", "Y") == "N":
            continue
        collective = _text(node.find("CollectiveName"))
        if collective:
            people.append({"literal": collective})
            initials.append("")
            continue
        # An author PubMed knows only by initials ("Bornstein NM") keeps them as the given name.
        name = {
            "family": _text(node.find("LastName")),
            "given": _text(node.find("ForeName")) or _text(node.find("Initials")),
            "suffix": _text(node.find("Suffix")),
        }
        name = {k: v for k, v in name.items() if v}
        if not name:
            continue
        people.append(name)
        initials.append(_text(node.find("Initials")))
    return people, initials


def _article_ids(id_list: Element | None) -> dict[str, str]:
    if id_list is None:
        return {}
    ids: dict[str, str] = {}
    for item in id_list.findall("ArticleId"):
        kind, value = item.get("IdType", ""), _text(item)
        if kind and value and kind not in ids:
            ids[kind] = value
    return ids


def _doi(value: str | None) -> str:
    """``value`` (already cleaned, NFC) if it is a DOI, else ''."""
    return value if value and parse_doi(value) else ""


def _elocation_doi(parent: Element) -> str:
    for item in parent.findall("ELocationID"):
        doi = _doi(_text(item)) if item.get("EIdType") == "doi" and item.get("ValidYN", "Y") != "N" else ""
        if doi:
            return doi
    return ""


def _article_number(article: Element) -> str:
    """An ELocationID that is an article number (``e154225``, ``576``), not a publisher's item id (``S0140-…``)."""
    for item in article.findall("ELocationID"):
        value = _text(item)
        if item.get("EIdType") in ("pii", "other") and item.get("ValidYN", "Y") != "N" and _ARTICLE_NUMBER.fullmatch(value):
            return value
    return ""


def _pages(pagination: Element | None) -> str:
    if pagination is None:
        return ""
    medline = _text(pagination.find("MedlinePgn"))
    if medline:
        return medline
    start, end = _text(pagination.find("StartPage")), _text(pagination.find("EndPage"))
    return f"{start}-{end}" if start and end else start


def _text(node: Element | None) -> str:
    """All text inside ``node``, control characters removed, whitespace collapsed, NFC-normalised."""
    if node is None:
        return ""
    return clean_text("".join(node.itertext()))


def _markup(node: Element | None) -> str:
    """A title element as stored: literal ``<i> <b> <sup> <sub> <u>`` tags, all else escaped text."""
    if node is None:
        return ""
    pieces: list[str] = []
    # A walk with its own stack: a title nested thousands of elements deep must not exhaust Python's.
    todo: list[tuple[Element, bool] | str] = [(node, False)]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            pieces.append(item)
            continue
        elem, keep_tag = item
        tag = elem.tag if isinstance(elem.tag, str) else ""
        keep = keep_tag and tag in TITLE_TAGS
        later: list[tuple[Element, bool] | str] = [f"<{tag}>"] if keep else []
        if elem.text:
            later.append(_escaped(elem.text))
        for child in elem:
            later.append((child, True))
            if child.tail:
                later.append(_escaped(child.tail))
        if keep:
            later.append(f"</{tag}>")
        todo.extend(reversed(later))
    title, dropped = squash("".join(pieces)), 1
    # Drop tags left empty (e.g. by whitespace-only content) so renderers see no empty runs; the
    # space they held still separates words, and emptied parents go too.
    while dropped:
        title, dropped = _EMPTY_TAG.subn(r"\2", title)
    return squash(title)


def _escaped(text: str) -> str:
    return html.escape(strip_controls(text), quote=False)


def _prune(value: Any) -> Any:
    """Drop keys whose value is empty (recursively for dicts, not inside lists)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ("", None, [], {})}
    return value
