"""Crossref REST API: a ``/works`` client (its answers are parsed in ``crossref_json.py``).

DOIs are fetched in batches with ``/works?filter=doi:a,doi:b&rows=N``; a DOI
the batch did not return is asked for alone at ``/works/{doi}``, where a 404
means Crossref does not know it.  Requests carry ``mailto`` (from
``evidence_email``) so they go to Crossref's "polite" pool, are spaced by a
minimum interval, and follow the ``X-Rate-Limit-*`` headers Crossref sends.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from sphinx.application import Sphinx

from sphinxext_evidence import __version__
from sphinxext_evidence.identifiers import DOI_RE, parse_doi
from sphinxext_evidence.sources.base import FetchResult, HttpSettings, ServiceError, Source, describe_batch
from sphinxext_evidence.sources.base import MAX_INTERVAL, http_settings, path_segment
from sphinxext_evidence.sources.crossref_json import CrossrefParseError, parse_updates, parse_works, title_markup

__all__ = ["SOURCE", "CrossrefClient", "CrossrefParseError", "parse_updates", "parse_works", "title_markup"]

MAX_DOIS_PER_REQUEST = 40
# Crossref registers most DOIs of journal articles, but not all: DataCite (data sets,
# preprints), mEDRA, JaLC and others register theirs elsewhere.
NOT_FOUND = ("{label} was not found in Crossref; it may be registered with another DOI agency (such as "
             "DataCite), which this extension does not look up, so it is shown without metadata")
MAX_FILTER_CHARS = 3000
# Crossref: public pool 5 requests/s, polite pool (mailto given) 10 requests/s.
INTERVAL_PUBLIC = 1 / 5
INTERVAL_POLITE = 1 / 10


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
        if limit > 0 and 0 < interval < math.inf:
            spacing = min(interval / limit, MAX_INTERVAL)
            self.session.settings.min_interval = max(self.session.settings.min_interval, spacing)

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
