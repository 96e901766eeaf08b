"""openFDA Drugs@FDA: a client that looks drugs up by name, and a parser of its answers.

One GET per distinct name: ``drug/drugsfda.json?search=openfda.generic_name:"x"
OR openfda.brand_name:"x" OR products.brand_name:"x" OR
products.active_ingredients.name:"x"&limit=100``.  openFDA answers a search
without hits with HTTP 404 and ``{"error": {"code": "NOT_FOUND"}}``: that is a
result ("not found in Drugs@FDA", which says nothing about approval), not a failure.  Every other error (400,
403, 429/5xx after retries, timeouts, bodies that are not openFDA JSON) is a
failure, so the caller keeps what it already knew.  The API key (if any) goes
in the query string and is scrubbed from every message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxext_evidence.config import secrets
from sphinxext_evidence.dates import age_in_days
from sphinxext_evidence.identifiers import drug_name as fda_key
from sphinxext_evidence.records import schema
from sphinxext_evidence.records.model import FdaApplication, FdaRecord
from sphinxext_evidence.sources.base import FetchResult, HttpSettings, ServiceError, Source, http_settings
from sphinxext_evidence.text import clean_text

DRUGSFDA_PATH = "drug/drugsfda.json"
#: Fields searched for a name (OR-ed); harmonised ``openfda`` fields miss many old applications.
SEARCH_FIELDS = ("openfda.generic_name", "openfda.brand_name", "products.brand_name",
                 "products.active_ingredients.name")
LIMIT = 100
#: openFDA allows 240 requests per minute per IP (with or without a key): one every 0.25 s.
MIN_INTERVAL = 60 / 240
#: Drugs@FDA's marketing status codes.
MARKETING_STATUS = {"1": "Prescription", "2": "Over-the-counter", "3": "Discontinued",
                    "4": "None (Tentative Approval)"}


class OpenFdaParseError(ServiceError):
    """A body that is not a usable openFDA answer."""


def search_expression(name: str) -> str:
    """The Lucene ``search`` value for one name (quotes and backslashes removed from the name)."""
    term = fda_key(name)
    return " OR ".join(f'{f}:"{term}"' for f in SEARCH_FIELDS)


def _yyyymmdd(text: Any) -> str:
    text = clean_text(text)
    # ASCII digits only (str.isdigit() also takes superscripts), and a real calendar date.
    if not re.fullmatch(r"[0-9]{8}", text):
        return ""
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return ""


def _marketing_status(value: Any) -> str:
    text = clean_text(value)
    return MARKETING_STATUS.get(text, text)


def _items(value: Any) -> list[Any]:
    """A JSON field that should be a list: a bare value counts as a list of one, null as none."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def parse_application(result: dict[str, Any]) -> FdaApplication | None:
    """One ``results`` item as an :class:`FdaApplication` (None without an application number)."""
    number = clean_text(result.get("application_number"))
    if not number or not number.isascii():  # NDA021332, ANDA078915, BLA125057 …
        return None
    products = [p for p in _items(result.get("products")) if isinstance(p, dict)]
    raw = result.get("openfda")
    openfda: dict[str, Any] = raw if isinstance(raw, dict) else {}
    brands = {clean_text(p.get("brand_name")) for p in products} | {
        clean_text(b) for b in _items(openfda.get("brand_name"))}
    statuses = {_marketing_status(p.get("marketing_status")) for p in products}
    approved = sorted(
        _yyyymmdd(s.get("submission_status_date"))
        for s in _items(result.get("submissions"))
        if isinstance(s, dict) and s.get("submission_type") == "ORIG" and s.get("submission_status") == "AP"
    )
    return FdaApplication(
        number=number,
        sponsor=clean_text(result.get("sponsor_name")),
        brand_names=tuple(sorted(b for b in brands if b)),
        marketing_status=tuple(sorted(s for s in statuses if s)),
        approved=next((d for d in approved if d), ""),
    )


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise OpenFdaParseError("the answer is not JSON") from None
    if not isinstance(data, dict):
        raise OpenFdaParseError("the answer is not a JSON object")
    return data


def parse_drugsfda(body: bytes, name: str, today: str) -> FdaRecord:
    """A 200 answer as an :class:`FdaRecord` for ``name`` checked on ``today``."""
    data = _json(body)
    results = data.get("results")
    if not isinstance(results, list):
        raise OpenFdaParseError("the answer has no 'results' list")
    apps = {a.number: a for a in (parse_application(r) for r in results if isinstance(r, dict)) if a}
    raw_meta = data.get("meta")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    total = meta["results"].get("total") if isinstance(meta.get("results"), dict) else None
    if isinstance(total, str) and re.fullmatch(r"[0-9]{1,9}", total.strip()):
        total = int(total)  # a count sent as a string is still the count
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        total = len(apps)
    return FdaRecord(
        name=fda_key(name),
        checked=today,
        applications=tuple(apps[n] for n in sorted(apps)),
        total=total,
        data_updated=clean_text(meta.get("last_updated")),
    )


def error_of(body: bytes) -> tuple[str, str]:
    """``(code, message)`` of an openFDA error envelope; empty strings when it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "", ""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return clean_text(error.get("code")), clean_text(error.get("message"))


class OpenFdaClient:
    """Look names up in Drugs@FDA, one request per distinct name, at most 240 a minute."""

    def __init__(self, base_url: str, api_key: str | None, http: HttpSettings, today: str) -> None:
        self.url = base_url.rstrip("/") + "/" + DRUGSFDA_PATH
        self.api_key = api_key or None
        self.today = today
        settings = dataclasses.replace(http, min_interval=max(http.min_interval, MIN_INTERVAL))
        from sphinxext_evidence.sources.http import PoliteSession  # requests is imported only to fetch

        self.session = PoliteSession(settings, secrets=(self.api_key,) if self.api_key else ())

    def fetch(self, names: Sequence[str]) -> FetchResult:
        """Look up ``names`` (lockfile keys); records are keyed by :func:`fda_key`."""
        result = FetchResult()
        for key in sorted({fda_key(n) for n in names}):
            if not any(c.isalnum() for c in key):
                result.errors.append(f"openFDA look-up skipped: {key!r} is not a drug name")
                continue
            record = result.attempt(lambda: self._lookup(key), self.session.scrub, ids=[key])
            if record is not None:
                result.records[key] = record.to_json()
        return result

    def _lookup(self, key: str) -> FdaRecord:
        # openFDA's documented form: spaces as '+', quotes as %22 (a literal '+' would mean "required").
        query = f"search={quote(search_expression(key), safe=':').replace('%20', '+')}&limit={LIMIT}"
        if self.api_key:
            query += f"&api_key={quote(self.api_key, safe='')}"
        what = f"openFDA look-up of {key!r}"
        response = self.session.request("GET", f"{self.url}?{query}")
        body = response.content
        if response.status_code == 404:
            code, _ = error_of(body)
            if code == "NOT_FOUND":
                return FdaRecord(name=key, checked=self.today)
        if response.status_code != 200:
            code, message = error_of(body)
            detail = f": {code} {message}".rstrip() if code or message else ""
            reason = f" {response.reason}" if response.reason else ""
            raise ServiceError(self.session.scrub(f"{what} failed: HTTP {response.status_code}{reason}{detail}"))
        try:
            return parse_drugsfda(body, key, self.today)
        except OpenFdaParseError as exc:
            raise ServiceError(f"{what} failed: {exc}") from None

    def close(self) -> None:
        """Release the HTTP session."""
        self.session.close()


def _client(app: Sphinx, day: str) -> OpenFdaClient:
    return OpenFdaClient(app.config.evidence_openfda_url, secrets(app).openfda,
                         http_settings(app, SOURCE.min_interval), day)


def _stale(day: str, config: Config, now: dt.date) -> bool:
    """Checked ``evidence_regulatory_max_age_days`` ago or more: approvals change, so look again."""
    age = age_in_days(day, now)
    return age is None or age > int(config.evidence_regulatory_max_age_days)


SOURCE = Source("openfda", "openFDA", kinds=("fda",), section="openfda", batch_size=1,
                min_interval=MIN_INTERVAL, min_interval_identified=MIN_INTERVAL, client=_client,
                parse=FdaRecord.from_lockfile, shape=schema.FDA, stale=_stale)
