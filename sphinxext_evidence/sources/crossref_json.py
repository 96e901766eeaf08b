"""Crossref's ``/works`` answers parsed into the lockfile's CSL-JSON records (the client is in ``crossref.py``).

Records are keyed by the lower-cased DOI and marked ``custom.source = "crossref"``.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from typing import Any

from sphinxext_evidence.identifiers import parse_doi
from sphinxext_evidence.records.model import TITLE_TAGS, bcp47, plain_title
from sphinxext_evidence.records.notices import CROSSREF_UPDATE_TO, CROSSREF_UPDATED_BY
from sphinxext_evidence.sources.base import ServiceError
from sphinxext_evidence.text import clean_text, safe_url, squash, strip_controls

# Crossref work types → CSL types and the label shown like a PubMed publication type.
CSL_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "reference-entry": "entry",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "report": "report",
    "dissertation": "thesis",
    "dataset": "dataset",
    "standard": "standard",
}
TYPE_LABELS = {
    "journal-article": "Journal Article",
    "book-chapter": "Book Chapter",
    "book": "Book",
    "monograph": "Book",
    "edited-book": "Book",
    "proceedings-article": "Conference Paper",
    "report": "Report",
    "dissertation": "Thesis",
    "dataset": "Dataset",
}
# JATS and HTML tags Crossref titles carry → the stored title markup (see model.TITLE_TAGS).
TAG_MAP = {"i": "i", "italic": "i", "em": "i", "b": "b", "bold": "b", "strong": "b", "sup": "sup",
           "sub": "sub", "u": "u", "underline": "u"}


class CrossrefParseError(ServiceError):
    """A Crossref body that is not the JSON ``/works`` answer it should be."""


# --------------------------------------------------------------------------- parsing


class _TitleMarkup(HTMLParser):
    """Turn a Crossref title (text with JATS/HTML tags and entities) into the stored title form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        """Keep a title tag (italic, superscript …) as its HTML form; drop any other."""
        mapped = TAG_MAP.get(tag.split(":")[-1].lower())
        if mapped in TITLE_TAGS:
            self.out.append(f"<{mapped}>")
            self.open.append(mapped)

    def handle_endtag(self, tag: str) -> None:
        """Close a kept title tag."""
        mapped = TAG_MAP.get(tag.split(":")[-1].lower())
        if mapped and mapped in self.open:
            self.open.remove(mapped)
            self.out.append(f"</{mapped}>")

    def handle_data(self, data: str) -> None:
        """Keep text, escaped and without control characters."""
        self.out.append(html.escape(strip_controls(data), quote=False))

    def result(self) -> str:
        """The cleaned title, every kept tag closed."""
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        return squash("".join(self.out))


def title_markup(text: str) -> str:
    """A Crossref title in the lockfile's title form: ``<i>``/``<b>``/``<sup>``/``<sub>``/``<u>``, escaped text."""
    parser = _TitleMarkup()
    parser.feed(text)
    return parser.result()


def _first(value: Any) -> str:
    """The first non-empty text of a Crossref list field (a bare string or number is taken as it is)."""
    if isinstance(value, list):
        return next((text for text in map(clean_text, value) if text), "")
    return clean_text(value)


def _people(items: Any) -> list[dict[str, str]]:
    people: list[dict[str, str]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        family, literal = clean_text(item.get("family")), clean_text(item.get("name"))
        if family:
            person = {"family": family, "given": clean_text(item.get("given")),
                      "suffix": clean_text(item.get("suffix"))}
            people.append({k: v for k, v in person.items() if v})
        elif literal:
            people.append({"literal": literal})
    return people


def _date(value: Any) -> dict[str, Any]:
    """``{"date-parts": [[y, m, d]]}`` as far as the parts are valid numbers (year, month 1-12, day 1-31)."""
    parts = value.get("date-parts") if isinstance(value, dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers: list[int] = []
    for part, high in zip(first, (9999, 12, 31)):
        # Numbers, or strings of ASCII digits: int() would also read "２０２０" and other scripts' digits.
        text = str(part) if isinstance(part, int) and not isinstance(part, bool) else part
        if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,4}", text.strip()) or not 1 <= int(text) <= high:
            break
        numbers.append(int(text))
    return {"date-parts": [numbers]} if numbers else {}


def _institution(value: Any) -> str:
    """The name of the first institution of a Crossref ``institution`` list."""
    items = value if isinstance(value, list) else []
    return next((name for item in items if isinstance(item, dict) and (name := clean_text(item.get("name")))), "")


def notices(work: dict[str, Any]) -> list[dict[str, str]]:
    """Correction links of a work: ``updated-by`` (notices about it) and ``update-to`` (what it is a notice for)."""
    found: list[dict[str, str]] = []
    for field_name, kinds in (("updated-by", CROSSREF_UPDATED_BY), ("update-to", CROSSREF_UPDATE_TO)):
        updates = work.get(field_name)
        for update in updates if isinstance(updates, list) else []:
            if not isinstance(update, dict):
                continue
            kind = kinds.get(clean_text(update.get("type")).lower().replace("-", "_"))
            if not kind:
                continue
            label = clean_text(update.get("label")) or clean_text(update.get("type"))
            doi = clean_text(update.get("DOI"))
            key = parse_doi(doi)
            doi = doi if key else ""
            year = _date(update.get("updated")).get("date-parts", [[""]])[0][0]
            origin = "Retraction Watch" if update.get("source") == "retraction-watch" else "Crossref"
            source = " ".join(x for x in (label, f"doi:{doi}" if doi else "", f"({year})" if year else "") if x)
            same = next((n for n in found if n["type"] == kind and key and parse_doi(n.get("doi", "")) == key), None)
            if same is not None:  # one notice, reported by the publisher and by Retraction Watch
                if origin not in same["origin"].split(" and "):
                    same["origin"] = f"{same['origin']} and {origin}"
                continue
            notice = {"type": kind, "source": source, "doi": doi, "origin": origin}
            found.append({k: v for k, v in notice.items() if v})
    return found


def work_to_csl(work: dict[str, Any], today: str) -> dict[str, Any]:
    """One Crossref ``work`` message as a CSL-JSON lockfile record."""
    doi = clean_text(work.get("DOI"))
    kind = clean_text(work.get("type"))
    subtype = clean_text(work.get("subtype"))
    title = title_markup(_first(work.get("title")))
    subtitle = title_markup(_first(work.get("subtitle")))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}" if title else subtitle
    label = "Preprint" if kind == "posted-content" and subtype == "preprint" else TYPE_LABELS.get(kind, "")
    found = notices(work)
    custom: dict[str, Any] = {"source": "crossref", "fetched": today, "crossref-type": kind}
    if label:
        custom["publication-types"] = [label]
    if found:
        custom["notices"] = found
    record: dict[str, Any] = {
        "id": f"doi:{parse_doi(doi) or doi.lower()}",
        "type": CSL_TYPES.get(kind, "article"),
        "title": title,
        "author": _people(work.get("author")),
        "editor": _people(work.get("editor")),
        # A preprint has no journal: the server it was posted on (bioRxiv) stands in its place.
        "container-title": title_markup(_first(work.get("container-title"))) or (
            _institution(work.get("institution")) if kind == "posted-content" else ""),
        "container-title-short": _first(work.get("short-container-title")),
        "volume": clean_text(work.get("volume")),
        "issue": clean_text(work.get("issue")),
        "page": clean_text(work.get("page")),
        "number": clean_text(work.get("article-number")),
        "edition": clean_text(work.get("edition-number")),
        "issued": _date(work.get("issued")) or _date(work.get("published")),
        "publisher": clean_text(work.get("publisher")),
        "publisher-place": clean_text(work.get("publisher-location")),
        "DOI": doi,
        "URL": safe_url(work.get("URL")),
        "ISSN": _first(work.get("ISSN")),
        "language": bcp47(clean_text(work.get("language"))),
        "custom": custom,
    }
    # Container titles are plain text in CSL; drop the markup kept for titles.
    record["container-title"] = squash(plain_title(record["container-title"]))
    return {k: v for k, v in record.items() if v not in ("", [], {}, None)}


def works_of(body: bytes) -> list[dict[str, Any]]:
    """The work objects of a ``/works`` (list) or ``/works/{doi}`` answer."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CrossrefParseError(f"unreadable answer from Crossref (not JSON: {exc})") from None
    except RecursionError:
        raise CrossrefParseError("unreadable answer from Crossref (JSON nested too deeply)") from None
    if not isinstance(data, dict) or data.get("status") != "ok" or not isinstance(data.get("message"), dict):
        raise CrossrefParseError("unexpected answer from Crossref (no 'ok' status with a message)")
    message = data["message"]
    kind = data.get("message-type")
    if kind == "work":
        return [message]
    if kind == "work-list":
        works = message.get("items")
        if not isinstance(works, list):
            raise CrossrefParseError("unexpected answer from Crossref (work-list without items)")
        return [w for w in works if isinstance(w, dict)]
    raise CrossrefParseError(f"unexpected answer from Crossref (message-type {clean_text(kind)[:40]!r})")


def _keyed(works: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """``(key, work)`` for the works with a valid DOI; the key is NFC-normalised and lower-cased."""
    keyed = ((parse_doi(clean_text(work.get("DOI"))), work) for work in works)
    return [(key, work) for key, work in keyed if key]


def parse_works(body: bytes, today: str) -> dict[str, dict[str, Any]]:
    """Parse a ``/works`` (list) or ``/works/{doi}`` answer into ``{lower-cased DOI: record}``."""
    return {key: work_to_csl(work, today) for key, work in _keyed(works_of(body))}


def parse_updates(body: bytes, today: str) -> dict[str, dict[str, Any]]:
    """Parse an answer into ``{lower-cased DOI: {"checked", "notices"}}``: only the correction links."""
    return {key: {"checked": today, "in-crossref": True, "notices": notices(work)}
            for key, work in _keyed(works_of(body))}
