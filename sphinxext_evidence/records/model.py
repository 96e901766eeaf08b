"""Typed views of the records kept in the lockfile.

Records are stored as CSL-JSON dictionaries (so Zotero, Pandoc and other CSL
tools can read the lockfile); PubMed extras live under ``custom``.  The
dataclasses here are what renderers work with.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sphinxext_evidence.records.notices import LEVELS, NoticeKind, kind_of
from sphinxext_evidence.text import strip_controls

# Inline markup PubMed uses in titles, kept in stored titles as these literal
# tags; every other character of a stored title is HTML-escaped text.
TITLE_TAGS = ("i", "b", "sup", "sub", "u")



@dataclass(frozen=True)
class Author:
    """One author: a person (family, given, initials) or a collective (literal)."""

    family: str = ""
    given: str = ""
    initials: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def short(self) -> str:
        """Vancouver-style short name: ``Ziganshina LE``; a collective name as written."""
        if self.literal:
            return self.literal
        # A word of capitals only is initials already ("Lora JH" → LJH).
        initials = self.initials or "".join(p if p.isalpha() and p.isupper() and len(p) <= 3 else p[0]
                                            for p in re.split(r"[\s.-]+", self.given) if p)
        name = " ".join(x for x in (self.family, initials) if x)
        return f"{name} {self.suffix}".strip() if self.suffix else name

    @property
    def full(self) -> str:
        """Name in reading order: ``Liliana E Ziganshina``."""
        if self.literal:
            return self.literal
        return " ".join(x for x in (self.given, self.family, self.suffix) if x)


@dataclass(frozen=True)
class Notice:
    """A correction link: a retraction, expression of concern, erratum or newer version, and who reported it.

    ``origin`` is the service that reported it (PubMed, Crossref, or Retraction
    Watch through Crossref); ``doi`` and ``pmid`` identify the notice itself.
    """

    kind: str
    pmid: str = ""
    source: str = ""
    doi: str = ""
    note: str = ""
    origin: str = ""

    @property
    def info(self) -> NoticeKind:
        """What this kind of notice means."""
        return kind_of(self.kind)

    @property
    def label(self) -> str:
        """Human label for the kind of notice."""
        return self.info.label

    def same_as(self, other: Notice) -> bool:
        """One notice told twice: the same PMID, else DOI, when both give it; else the same citation."""
        for mine, theirs in ((self.pmid, other.pmid), (self.doi.lower(), other.doi.lower()),
                             (" ".join(self.source.split()), " ".join(other.source.split()))):
            if mine and theirs:
                return mine == theirs
        return False

    @classmethod
    def from_json(cls, data: Any) -> Notice | None:
        """Read a stored notice (None when it is not one)."""
        kind = _object(data).get("type")
        if not isinstance(kind, str) or not kind:
            return None
        return cls(kind=kind, pmid=_text(data.get("pmid")), source=_text(data.get("source")),
                   doi=_text(data.get("doi")), note=_text(data.get("note")), origin=_text(data.get("origin")))


@dataclass(frozen=True)
class Article:
    """A citable work: a journal article, book or chapter."""

    key: str
    type: str = "article-journal"
    title: str = ""
    authors: tuple[Author, ...] = ()
    editors: tuple[Author, ...] = ()
    year: str = ""
    journal: str = ""
    container_title: str = ""
    volume: str = ""
    issue: str = ""
    page: str = ""
    number: str = ""  # an article number or e-locator (e154225), shown where a work has no pages
    issued: tuple[int, ...] = ()  # [year, month, day] as far as known
    issued_end: tuple[int, ...] = ()  # the end of a range (2019 Apr-Jun)
    season: str = ""
    revised: tuple[int, ...] = ()  # a book chapter's last revision
    container_issued: tuple[tuple[int, ...], ...] = ()  # a chapter's book: one date, or the first and last
    edition: str = ""
    medium: str = ""
    language: str = ""
    publisher: str = ""
    publisher_place: str = ""
    pmid: str = ""
    doi: str = ""
    pmcid: str = ""
    url: str = ""
    publication_types: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = field(default_factory=tuple)
    status_checked: str = ""  # ISO date its retraction and correction status was last checked

    @property
    def preprint(self) -> bool:
        """True for a preprint (PubMed's or Crossref's publication type)."""
        return "Preprint" in self.publication_types

    @property
    def retracted(self) -> bool:
        """True when PubMed or Crossref marks the work retracted (in whole or in part)."""
        return "Retracted Publication" in self.publication_types or any(
            n.info.level == "retraction" for n in self.notices
        )

    def flags(self) -> list[NoticeKind]:
        """The kinds of notice that change how this work may be cited, most serious first, once each."""
        kinds = {n.info.name: n.info for n in self.notices if n.info.flags}
        if "Retracted Publication" in self.publication_types and not any(
                k.level == "retraction" for k in kinds.values()):
            kinds["RetractionIn"] = kind_of("RetractionIn")
        return sorted(kinds.values(), key=lambda k: (LEVELS.index(k.level), k.name))

    @property
    def mark(self) -> str:
        """The word shown beside every citation of this work ('' when it is not flagged)."""
        flags = self.flags()
        return flags[0].mark if flags else ""

    def notices_of(self, *kinds: str) -> list[Notice]:
        """Notices of the given kinds, in stored order."""
        return [n for n in self.notices if n.kind in kinds]

    @classmethod
    def from_csl(cls, key: str, data: Any) -> Article:
        """Build an :class:`Article` from a stored CSL-JSON record (a field of the wrong type reads as absent)."""
        data = _object(data)
        custom = _object(data.get("custom"))
        initials = [_text(i) for i in _items(custom.get("initials"))]
        # Initials pair with authors by position, so an unreadable author keeps its place until here.
        authors = tuple(
            _author(a, initials[i] if i < len(initials) else "")
            for i, a in enumerate(_items(data.get("author"))) if isinstance(a, dict)
        )
        editors = tuple(_author(a, "") for a in _items(data.get("editor")) if isinstance(a, dict))
        issued = _date_parts(data.get("issued"))
        return cls(
            key=key,
            type=_text(data.get("type")) or "article-journal",
            title=_text(data.get("title")),
            authors=authors,
            editors=editors,
            year=_year(data.get("issued")),
            journal=_text(data.get("container-title-short")) or _text(data.get("container-title")),
            container_title=_text(data.get("container-title")),
            volume=_text(data.get("volume")),
            issue=_text(data.get("issue")),
            page=_text(data.get("page")),
            number=_text(data.get("number")),
            issued=issued[0] if issued else (),
            issued_end=issued[1] if len(issued) > 1 else (),
            season=_text(_object(data.get("issued")).get("season")),
            revised=next(iter(_date_parts(custom.get("revised"))), ()),
            container_issued=tuple(_date_parts(custom.get("container-issued"))),
            edition=_text(data.get("edition")),
            medium=_text(data.get("medium")),
            language=bcp47(_text(data.get("language"))),
            publisher=_text(data.get("publisher")),
            publisher_place=_text(data.get("publisher-place")),
            pmid=_text(data.get("PMID")),
            doi=_text(data.get("DOI")),
            pmcid=_text(data.get("PMCID")),
            url=_text(data.get("URL")),
            publication_types=_texts(custom.get("publication-types")),
            notices=tuple(n for n in map(Notice.from_json, _items(custom.get("notices"), single=True)) if n is not None),
            status_checked=_text(custom.get("fetched")),
        )


@lru_cache(maxsize=256)
def bcp47(code: str) -> str:
    """A language code as BCP 47 asks: ``eng`` (ISO 639-2, as PubMed writes it) → ``en``; well-formed tags kept."""
    import pycountry

    code = code.strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", code):
        return ""
    primary, _, rest = code.partition("-")
    primary = primary.lower()
    if len(primary) == 3:
        found = pycountry.languages.get(alpha_3=primary) or pycountry.languages.get(bibliographic=primary)
        primary = getattr(found, "alpha_2", None) or (found.alpha_3 if found else primary)
    return f"{primary}-{rest}" if rest else primary


def _object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _items(value: Any, single: bool = False) -> list[Any]:
    """``value`` when it is a list, else no items (or, with ``single``, an object alone as the one item)."""
    if isinstance(value, list):
        return value
    return [value] if single and isinstance(value, dict) else []


def _text(value: Any) -> str:
    """A stored text (or number) as a string without control characters; '' for anything else.

    The lockfile may be edited by hand, so its text is cleaned here as service text is when parsed.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return strip_controls(str(value))


def _texts(value: Any) -> tuple[str, ...]:
    """The strings of a stored list; a lone string is read as a list of one, so that a flag in it is not lost."""
    values = (value,) if isinstance(value, str) else tuple(x for x in _items(value) if isinstance(x, str))
    return tuple(strip_controls(v) for v in values)


def _author(data: dict[str, Any], initials: str) -> Author:
    return Author(
        family=_text(data.get("family")),
        given=_text(data.get("given")),
        initials=initials,
        suffix=_text(data.get("suffix")),
        literal=_text(data.get("literal")),
    )


def _date_parts(value: Any) -> list[tuple[int, ...]]:
    """A CSL date's parts as whole numbers: one date, or the start and end of a range (none when unreadable)."""
    dates: list[tuple[int, ...]] = []
    for part in _items(_object(value).get("date-parts"))[:2]:
        numbers: list[int] = []
        for x in _items(part)[:3]:
            text = _text(x)
            if not (text.isascii() and text.isdigit()):
                break
            numbers.append(int(text))
        if not numbers or numbers[0] == 0:
            break
        dates.append(tuple(numbers))
    return dates


def _year(issued: Any) -> str:
    issued = _object(issued)
    parts = _items(issued.get("date-parts"))
    first = _items(parts[0]) if parts else []
    year = _text(first[0]) if first else ""
    if year.isdigit() or (year[1:].isdigit() and year[0] == "-"):
        return year
    literal = _text(issued.get("literal"))
    match = re.search(r"\d{4}", literal)
    return match.group(0) if match else literal


def title_tokens(title: str) -> list[tuple[str, str]]:
    """Split a stored title into ``(tag, text)`` runs; tag is '' for plain text.

    Only the tags in :data:`TITLE_TAGS` are markup; text is unescaped for
    docutils, which escapes it again for each output format, and only then
    stripped of controls, which a character reference (``&#12;``) can spell.
    """
    runs: list[tuple[str, str]] = []
    stack: list[str] = []
    pos = 0
    for match in re.finditer(r"<(/?)(%s)>" % "|".join(TITLE_TAGS), title):
        if match.start() > pos:
            runs.append((stack[-1] if stack else "", strip_controls(html.unescape(title[pos : match.start()]))))
        closing, tag = match.groups()
        if closing:
            if tag in stack:
                stack.remove(tag)
        else:
            stack.append(tag)
        pos = match.end()
    if pos < len(title):
        runs.append((stack[-1] if stack else "", strip_controls(html.unescape(title[pos:]))))
    return [r for r in runs if r[1]]


def plain_title(title: str) -> str:
    """A stored title as plain text (markup dropped)."""
    return "".join(text for _, text in title_tokens(title))


@dataclass(frozen=True)
class FdaApplication:
    """One Drugs@FDA application as kept in the lockfile."""

    number: str
    sponsor: str = ""
    brand_names: tuple[str, ...] = ()
    marketing_status: tuple[str, ...] = ()
    approved: str = ""

    @property
    def url(self) -> str:
        """The application's overview page on Drugs@FDA."""
        digits = re.sub(r"\D", "", self.number)
        return f"https://www.accessdata.fda.gov/scripts/cder/daf/index.cfm?event=overview.process&ApplNo={digits}"

    def to_json(self) -> dict[str, Any]:
        """The lockfile form."""
        return {"application_number": self.number, "sponsor": self.sponsor,
                "brand_names": list(self.brand_names), "marketing_status": list(self.marketing_status),
                "approved": self.approved}

    @classmethod
    def from_json(cls, data: Any) -> FdaApplication:
        """Read the lockfile form (tolerating missing fields and fields of the wrong type)."""
        data = _object(data)
        return cls(_text(data.get("application_number")), _text(data.get("sponsor")),
                   _texts(data.get("brand_names")), _texts(data.get("marketing_status")), _text(data.get("approved")))


@dataclass(frozen=True)
class FdaRecord:
    """What one openFDA look-up by name found (``applications`` empty: not found in Drugs@FDA).

    ``total`` is how many applications openFDA counted (``meta.results.total``);
    it can exceed ``applications``, which holds at most one request's worth.
    """

    name: str
    checked: str
    applications: tuple[FdaApplication, ...] = ()
    total: int = 0
    data_updated: str = ""

    @property
    def not_shown(self) -> int:
        """How many applications openFDA counted but did not send."""
        return max(self.total - len(self.applications), 0)

    def to_json(self) -> dict[str, Any]:
        """The lockfile form."""
        return {"name": self.name, "checked": self.checked, "total": self.total,
                "data_updated": self.data_updated,
                "applications": [a.to_json() for a in self.applications]}

    @classmethod
    def from_json(cls, data: Any) -> FdaRecord:
        """Read the lockfile form (tolerating missing fields and fields of the wrong type)."""
        data = _object(data)
        total = data.get("total")
        return cls(_text(data.get("name")), _text(data.get("checked")),
                   tuple(FdaApplication.from_json(a) for a in _items(data.get("applications")) if isinstance(a, dict)),
                   total if isinstance(total, int) and not isinstance(total, bool) else 0,
                   _text(data.get("data_updated")))

    @classmethod
    def from_lockfile(cls, key: str, data: Any) -> FdaRecord:
        """Read the lockfile form stored under ``key``."""
        return cls.from_json(data)
