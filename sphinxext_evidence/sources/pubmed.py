"""PubMed through NCBI E-utilities: the source declaration and an efetch client.

Records come out in CSL-JSON shape (so the lockfile can be read by any CSL
tool) with PubMed extras under ``custom``; the XML parser is in
:mod:`sphinxext_evidence.sources.pubmed_xml`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sphinx.application import Sphinx

from sphinxext_evidence import log
from sphinxext_evidence.config import secrets
from sphinxext_evidence.identifiers import PMID_RE
from sphinxext_evidence.records.lockfile import RecordText, record_text
from sphinxext_evidence.records.parsing import without_gc
from sphinxext_evidence.sources.base import FetchResult, HttpSettings, ServiceError, Source, describe_batch
from sphinxext_evidence.sources.base import http_settings
from sphinxext_evidence.sources.pubmed_xml import PubMedParseError, parse_pubmed_xml

__all__ = ["SOURCE", "PubMedClient", "PubMedParseError", "parse_pubmed_xml"]

MAX_IDS_PER_REQUEST = 200

#: An answer's records by PMID, and the lockfile text of each.
Parsed = tuple[dict[str, dict[str, Any]], dict[str, RecordText]]

# NCBI's published limits: 3 requests/s without an API key, 10/s with one.
INTERVAL_NO_KEY = 1 / 3
INTERVAL_WITH_KEY = 1 / 10


class PubMedClient:
    """Fetch PubMed records by PMID with efetch, politely and in batches."""

    def __init__(
        self,
        base_url: str,
        tool: str,
        email: str,
        api_key: str | None,
        http: HttpSettings,
        today: str,
    ) -> None:
        self.url = base_url.rstrip("/") + "/efetch.fcgi"
        self.tool = tool
        self.email = email
        self.api_key = api_key or None
        self.today = today
        settings = dataclasses.replace(
            http, min_interval=INTERVAL_WITH_KEY if self.api_key else INTERVAL_NO_KEY
        )
        from sphinxext_evidence.sources.http import PoliteSession  # requests is imported only to fetch

        self.session = PoliteSession(settings, secrets=(self.api_key,) if self.api_key else ())

    def fetch(self, pmids: Sequence[str]) -> FetchResult:
        """Fetch ``pmids`` (de-duplicated, sorted, ≤200 per POST); failures go to ``errors``.

        Each answer is parsed, and its records made ready for the lockfile, in
        a second thread while the next request waits its turn: NCBI's rate
        limit leaves a third of a second between requests, and an answer of
        200 records takes about two thirds of that to parse, so a large fetch
        costs little more than the waits.  At most two answers wait to be
        parsed, and what each request came to is taken in request order.
        """
        result = FetchResult()
        wanted = sorted({str(p).strip() for p in pmids}, key=lambda p: (len(p), p))
        valid = [p for p in wanted if PMID_RE.match(p)]
        result.unknown.update(p for p in wanted if not PMID_RE.match(p))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-pubmed-parse") as reader:
            pending: deque[tuple[list[str], Future[Parsed] | Exception]] = deque()
            for start in range(0, len(valid), MAX_IDS_PER_REQUEST):
                batch = valid[start : start + MAX_IDS_PER_REQUEST]
                result.requests += 1
                try:
                    body = self._download(batch)
                except Exception as exc:  # noqa: BLE001 - reported in turn by _take
                    pending.append((batch, exc))
                else:
                    pending.append((batch, reader.submit(self._parse, body, batch)))
                while len(pending) > 2:
                    self._take(result, *pending.popleft())
            while pending:
                self._take(result, *pending.popleft())
        return result

    def _take(self, result: FetchResult, batch: list[str],
              outcome: Future[Parsed] | Exception) -> None:
        """Add the records of ``batch`` to ``result``, or its failure (any exception, as one failed request)."""
        try:
            if isinstance(outcome, Exception):
                raise outcome
            records, texts = outcome.result()
        except Exception as exc:  # noqa: BLE001 - one request's failure must not lose the others
            result.fail(exc, batch, f"PubMed efetch for {describe_batch('PMID', batch)}", self.session.scrub)
            return
        for pmid in batch:
            if pmid in records:
                result.records[pmid] = records[pmid]
                result.texts[pmid] = texts[pmid]
            else:
                result.unknown.add(pmid)

    def _download(self, batch: list[str]) -> bytes:
        """The efetch answer for ``batch``; a failed request or an answer that is not XML raises ServiceError."""
        form = {"db": "pubmed", "retmode": "xml", "id": ",".join(batch), "tool": self.tool, "email": self.email}
        if self.api_key:
            form["api_key"] = self.api_key
        what = describe_batch("PMID", batch)
        try:
            response = self.session.request("POST", self.url, data=form)
        except ServiceError as exc:
            raise type(exc)(f"PubMed efetch for {what} failed: {exc}") from None  # NetworkDown stays one
        if response.status_code != 200:
            reason = f" {response.reason}" if response.reason else ""
            raise ServiceError(f"PubMed efetch for {what} failed: HTTP {response.status_code}{reason}")
        body = response.content
        if body.lstrip()[:1] == b"{":
            raise ServiceError(f"PubMed efetch for {what} failed: {_json_error(body)}")
        return body

    def _parse(self, body: bytes, batch: list[str]) -> Parsed:
        """The records of ``body`` that ``batch`` asked for, and their lockfile texts."""
        requested = set(batch)
        with without_gc():
            try:
                records = parse_pubmed_xml(body, self.today)
            except PubMedParseError as exc:
                raise ServiceError(f"PubMed efetch for {describe_batch('PMID', batch)} failed: {exc}") from None
            # Only keep what was asked for: NCBI has answered id=-1 with PMID 1.
            kept = {pmid: record for pmid, record in records.items() if pmid in requested}
            return kept, {pmid: record_text(SOURCE.section, pmid, record) for pmid, record in kept.items()}

    def close(self) -> None:
        """Release the HTTP session."""
        self.session.close()


def _json_error(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return "unreadable JSON answer"
    if isinstance(data, dict) and data.get("error"):
        return f"E-utilities error: {data['error']}"
    return "unexpected JSON answer"


def _client(app: Sphinx, day: str) -> PubMedClient:
    key = secrets(app).ncbi
    if not app.config.evidence_email:
        log.warn("evidence_email is not set; NCBI asks every tool to send a contact address with "
                 "E-utilities requests: set evidence_email in conf.py", "config", once=True)
    return PubMedClient(
        base_url=app.config.evidence_eutils_url,
        tool=app.config.evidence_tool,
        email=app.config.evidence_email,
        api_key=key,
        http=http_settings(app, SOURCE.min_interval_identified if key else SOURCE.min_interval),
        today=day,
    )


def _aliases(record: dict[str, Any]) -> list[str]:
    doi = record.get("DOI")
    return [f"doi:{doi.lower()}"] if isinstance(doi, str) and doi else []


SOURCE = Source("pubmed", "PubMed", kinds=("pmid",), section="pubmed", batch_size=MAX_IDS_PER_REQUEST,
                min_interval=INTERVAL_NO_KEY, min_interval_identified=INTERVAL_WITH_KEY, client=_client,
                aliases=_aliases, alias_kinds=("doi",),
                not_found="{label} does not exist in PubMed; check the identifier")
