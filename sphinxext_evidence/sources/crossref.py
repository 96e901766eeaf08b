"""Crossref REST API: a ``/works`` client and a parser into the lockfile's CSL-JSON shape.

DOIs are fetched in batches with ``/works?filter=doi:a,doi:b&rows=N``; a DOI
the batch did not return is asked for alone at ``/works/{doi}``, where a 404
means Crossref does not know it.  Requests carry ``mailto`` (from
``evidence_email``) so they go to Crossref's "polite" pool, are spaced by a
minimum interval, and follow the ``X-Rate-Limit-*`` headers Crossref sends.
Records are keyed by the lower-cased DOI and marked ``custom.source = "crossref"``.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

from sphinx.application import Sphinx

from sphinxext_evidence import __version__
from sphinxext_evidence.identifiers import DOI_RE, parse_doi
from sphinxext_evidence.records.model import TITLE_TAGS, plain_title
from sphinxext_evidence.records.notices import CROSSREF_UPDATE_TO, CROSSREF_UPDATED_BY
from sphinxext_evidence.sources.base import FetchResult, HttpSettings, ServiceError, Source, describe_batch
from sphinxext_evidence.sources.base import http_settings, path_segment
from sphinxext_evidence.text import clean_text, safe_url, squash, strip_controls

MAX_DOIS_PER_REQUEST = 40
# Crossref registers most DOIs of journal articles, but not all: DataCite (data sets,
# preprints), mEDRA, JaLC and others register theirs elsewhere.
NOT_FOUND = ("{label} was not found in Crossref; it may be registered with another DOI agency (such as "
             "DataCite), which this extension does not look up, so it is shown without metadata")
MAX_FILTER_CHARS = 3000
# Crossref: public pool 5 requests/s, polite pool (mailto given) 10 requests/s.
INTERVAL_PUBLIC = 1 / 5
INTERVAL_POLITE = 1 / 10

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
        mapped = TAG_MAP.get(tag.split(":")[-1].lower())
        if mapped in TITLE_TAGS:
            self.out.append(f"<{mapped}>")
            self.open.append(mapped)

    def handle_endtag(self, tag: str) -> None:
        mapped = TAG_MAP.get(tag.split(":")[-1].lower())
        if mapped and mapped in self.open:
            self.open.remove(mapped)
            self.out.append(f"</{mapped}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(strip_controls(data), quote=False))

    def result(self) -> str:
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
        "container-title": title_markup(_first(work.get("container-title"))),
        "container-title-short": _first(work.get("short-container-title")),
        "volume": clean_text(work.get("volume")),
        "issue": clean_text(work.get("issue")),
        "page": clean_text(work.get("page")),
        "issued": _date(work.get("issued")) or _date(work.get("published")),
        "publisher": clean_text(work.get("publisher")),
        "publisher-place": clean_text(work.get("publisher-location")),
        "DOI": doi,
        "URL": safe_url(work.get("URL")),
        "ISSN": _first(work.get("ISSN")),
        "language": clean_text(work.get("language")),
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


class CrossrefClient:
    """Fetch Crossref records by DOI, in batches, politely.

    ``select`` asks Crossref for some fields only, and ``parse`` reads the
    answer; the correction-links pass uses both.
    """

    select = ""
    parse = staticmethod(parse_works)
    ask_missing_alone = True  # a DOI a batch did not return is asked for alone (filters can miss odd DOIs)

    def __init__(self, base_url: str, email: str, http: HttpSettings, today: str, tool: str = "sphinxext-evidence") -> None:
        self.base = base_url.rstrip("/") + "/"
        self.email = email.strip()
        self.today = today
        settings = dataclasses.replace(http, min_interval=max(http.min_interval,
                                                              INTERVAL_POLITE if self.email else INTERVAL_PUBLIC))
        from sphinxext_evidence.sources.http import PoliteSession  # requests is imported only to fetch

        self.session = PoliteSession(settings)
        agent = f"{tool}/{__version__} (https://pypi.org/project/sphinxext-evidence/"
        self.session.session.headers["User-Agent"] = agent + (f"; mailto:{self.email})" if self.email else ")")

    def _params(self, **extra: str) -> dict[str, str]:
        params = dict(extra)
        if self.email:
            params["mailto"] = self.email
        return params

    def _follow_rate_limit(self, headers: Any) -> None:
        """Slow down to the rate Crossref announces in ``X-Rate-Limit-Limit``/``-Interval``."""
        try:
            limit = int(headers.get("X-Rate-Limit-Limit", "0"))
            interval = float(str(headers.get("X-Rate-Limit-Interval", "1s")).rstrip("s") or 1)
        except ValueError:
            return
        if limit > 0 and interval > 0:
            self.session.settings.min_interval = max(self.session.settings.min_interval, interval / limit)

    def _get(self, url: str, params: dict[str, str], what: str) -> tuple[int, bytes]:
        response = self.session.request("GET", url, params=params, headers={"Accept": "application/json"})
        self._follow_rate_limit(response.headers)
        if response.status_code in (200, 404, 400):
            return response.status_code, response.content
        reason = f" {response.reason}" if response.reason else ""
        raise ServiceError(f"Crossref request for {what} failed: HTTP {response.status_code}{reason}")

    def fetch(self, dois: Sequence[str]) -> FetchResult:
        """Fetch ``dois`` (lower-cased keys); unknown DOIs go to ``unknown``, failures to ``errors``."""
        result = FetchResult()
        wanted = sorted({parse_doi(str(d)) or str(d).strip().lower() for d in dois if str(d).strip()})
        valid = [d for d in wanted if DOI_RE.match(d)]
        result.unknown.update(d for d in wanted if not DOI_RE.match(d))
        # Commas would split the filter; such DOIs are asked for one by one.
        batchable = [d for d in valid if "," not in d]
        alone = [d for d in valid if "," in d]
        for batch in self._batches(batchable):
            result.requests += 1
            what = describe_batch("DOI", batch)
            try:
                extra = {"select": self.select} if self.select else {}
                status, body = self._get(self.base + "works", self._params(
                    filter=",".join(f"doi:{d}" for d in batch), rows=str(len(batch)), **extra), what)
                if status == 404:
                    raise ServiceError(f"Crossref answered 404 for its /works list at {self.base}; "
                                       "check evidence_crossref_url")
                if status != 200:
                    alone.extend(batch)  # a DOI Crossref rejects in a filter: ask for each alone
                    continue
                records = self.parse(body, self.today)
            except Exception as exc:  # noqa: BLE001 - one batch's failure must not lose the others
                result.fail(exc, batch, what)
                continue
            for doi in batch:
                if doi in records:
                    result.records[doi] = records[doi]
                elif self.ask_missing_alone:
                    alone.append(doi)
                else:
                    result.unknown.add(doi)
        for doi in sorted(set(alone)):
            result.requests += 1
            what = f"DOI {doi}"
            try:
                status, body = self._get(self.base + "works/" + path_segment(doi), self._params(), what)
                if status == 404:
                    result.unknown.add(doi)
                    continue
                if status != 200:
                    raise ServiceError(f"Crossref request for {what} failed: HTTP {status}")
                records = self.parse(body, self.today)
            except Exception as exc:  # noqa: BLE001 - one DOI's failure must not lose the others
                result.fail(exc, [doi], what)
                continue
            if doi in records:
                result.records[doi] = records[doi]
            else:
                result.unknown.add(doi)
        return result

    @staticmethod
    def _batches(dois: list[str]) -> list[list[str]]:
        batches: list[list[str]] = []
        size = 0
        for doi in dois:
            if batches and len(batches[-1]) < MAX_DOIS_PER_REQUEST and size + len(doi) + 5 <= MAX_FILTER_CHARS:
                batches[-1].append(doi)
                size += len(doi) + 5
            else:
                batches.append([doi])
                size = len(doi) + 5
        return batches

    def close(self) -> None:
        """Release the HTTP session."""
        self.session.close()


def _client(app: Sphinx, day: str) -> CrossrefClient:
    email = app.config.evidence_email or ""
    interval = SOURCE.min_interval_identified if email else SOURCE.min_interval
    return CrossrefClient(app.config.evidence_crossref_url, email, http_settings(app, interval), day,
                          tool=app.config.evidence_tool)


SOURCE = Source("crossref", "Crossref", kinds=("doi",), section="crossref", batch_size=MAX_DOIS_PER_REQUEST,
                min_interval=INTERVAL_PUBLIC, min_interval_identified=INTERVAL_POLITE, client=_client,
                not_found=NOT_FOUND)
