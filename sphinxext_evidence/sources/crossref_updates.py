"""Crossref's correction links for every cited DOI, PubMed's included: retractions, concerns, corrections.

Crossref carries publishers' update notices and, since 2023, the Retraction
Watch database (``source: "retraction-watch"``).  One batched pass asks only
for each work's DOI and correction links; the answers are kept in the lockfile
section ``crossref-updates`` and merged into the records of PubMed and Crossref
when they are read, each notice naming who reported it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxext_evidence.identifiers import key_parts
from sphinxext_evidence.records import schema
from sphinxext_evidence.records.model import Article, Notice
from sphinxext_evidence.sources import crossref
from sphinxext_evidence.sources.base import FetchResult, Source, http_settings, older_than

SECTION = "crossref-updates"


class UpdatesClient(crossref.CrossrefClient):
    """Asks Crossref for DOIs and correction links only; a DOI Crossref does not know is recorded as such."""

    select = "DOI,updated-by,update-to"
    parse = staticmethod(crossref.parse_updates)
    ask_missing_alone = False  # absent from the answer: Crossref has no such work, so nothing to correct

    def fetch(self, dois: Sequence[str]) -> FetchResult:
        """Fetch the correction links of ``dois``; unknown DOIs are kept as checked and absent."""
        result = super().fetch(dois)
        for doi in result.unknown:
            result.records[doi] = {"checked": self.today, "in-crossref": False, "notices": []}
        result.unknown = set()
        return result


def _client(app: Sphinx, day: str) -> UpdatesClient:
    email = app.config.evidence_email or ""
    interval = SOURCE.min_interval_identified if email else SOURCE.min_interval
    return UpdatesClient(app.config.evidence_crossref_url, email, http_settings(app, interval), day,
                         tool=app.config.evidence_tool)


def _wants(keys: set[str], sections: Mapping[str, Mapping[str, Any]], config: Config) -> set[str]:
    """The DOIs of every cited work: cited DOIs, and the DOIs of cited records of other sources."""
    from sphinxext_evidence.records.store import record_doi
    from sphinxext_evidence.sources import for_kind

    dois: set[str] = set()
    if not config.evidence_correction_checks:
        return dois
    for key in keys:
        kind, ident = key_parts(key)
        if kind == "doi":
            dois.add(ident.lower())
            continue
        source = for_kind(kind)
        doi = record_doi(sections.get(source.section, {}), ident) if source is not None else None
        if isinstance(doi, str) and doi.strip():
            dois.add(doi.strip().lower())
    return dois


def _stale(day: str, config: Config, now: dt.date) -> bool:
    return older_than(day, config.evidence_status_max_age_days, now)


def _merge(notices: tuple[Notice, ...], found: list[Notice]) -> tuple[Notice, ...]:
    """Add ``found`` to ``notices``; one already known (same kind) gains the new reporter and any missing link."""
    merged = list(notices)
    for notice in found:
        same = next((i for i, n in enumerate(merged) if n.kind == notice.kind), None)
        if same is None:
            merged.append(notice)
            continue
        known = merged[same]
        origins = [o for o in (known.origin, notice.origin) if o]
        merged[same] = dataclasses.replace(known, origin=" and ".join(dict.fromkeys(origins)),
                                           doi=known.doi or notice.doi)
    return tuple(merged)


def _annotate(record: Any, section: Mapping[str, Any]) -> Any:
    """A work's record with Crossref's correction links for its DOI merged in, and the older check date."""
    if not isinstance(record, Article) or not record.doi:
        return record
    entry = section.get(record.doi.lower())
    if not isinstance(entry, dict):
        return record
    found = [n for n in (Notice.from_json(x) for x in entry.get("notices") or ()) if n is not None]
    checked = str(entry.get("checked") or "")
    status_checked = min(d for d in (record.status_checked, checked) if d) if (record.status_checked or checked) else ""
    return dataclasses.replace(record, notices=_merge(record.notices, found), status_checked=status_checked)


SOURCE = Source("crossref-updates", "Crossref correction links", kinds=("doi-status",), section=SECTION,
                batch_size=crossref.MAX_DOIS_PER_REQUEST, min_interval=crossref.INTERVAL_PUBLIC,
                min_interval_identified=crossref.INTERVAL_POLITE, client=_client, parse=lambda key, data: data, shape=schema.STATUS,
                stale=_stale, wants=_wants, annotate=_annotate)
