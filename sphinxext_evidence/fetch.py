"""The fetch stage: once per build, after every page is read.

The union of what pages need is checked against the lockfile; only what is
missing (or stale, if refreshing was asked for) is fetched, the lockfile is
rewritten atomically, and the records are handed to the resolve stage through
the domain.  A failed fetch keeps every known record and becomes a warning.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from sphinxext_evidence import lockfile
from sphinxext_evidence.config import is_offline, secrets
from sphinxext_evidence.domain import CITE, EvidenceDomain
from sphinxext_evidence.keys import key_parts
from sphinxext_evidence.sources import FetchResult, HttpSettings

logger = logging.getLogger(__name__)


class Fetcher(Protocol):
    """A service client as the fetch stage uses it."""

    def fetch(self, ids: list[str]) -> FetchResult: ...  # noqa: D102

    def close(self) -> None: ...  # noqa: D102


@dataclass(frozen=True)
class Source:
    """One service: its lockfile section, what the project wants from it, and its client."""

    section: str
    label: str
    wanted: Callable[[EvidenceDomain, dict[str, dict[str, Any]]], set[str]]
    client: Callable[[Sphinx, str], Fetcher]
    stale: Callable[[dict[str, Any], Sphinx, dt.date], bool] | None = None


def today() -> dt.date:
    """Today's date, or the one ``SOURCE_DATE_EPOCH`` fixes for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


def http_settings(app: Sphinx, min_interval: float) -> HttpSettings:
    """HTTP knobs from the ``evidence_http_*`` values."""
    cfg = app.config
    return HttpSettings(
        timeout=float(cfg.evidence_http_timeout),
        retries=int(cfg.evidence_http_retries),
        backoff=float(cfg.evidence_http_backoff),
        min_interval=min_interval,
    )


def _older_than_refresh(record: dict[str, Any], app: Sphinx, now: dt.date) -> bool:
    days = app.config.evidence_refresh_days
    fetched = (record.get("custom") or {}).get("fetched", "")
    if days is None or days == "" or not fetched:
        return False
    try:
        return (now - dt.date.fromisoformat(fetched)).days >= int(days)  # -D gives a string
    except ValueError:
        return True


def _pubmed_wanted(domain: EvidenceDomain, records: dict[str, dict[str, Any]]) -> set[str]:
    return domain.cited_ids("pmid")


def _pubmed_client(app: Sphinx, day: str) -> Fetcher:
    from sphinxext_evidence.sources.pubmed import PubMedClient

    key = secrets(app).ncbi
    if not app.config.evidence_email:
        logger.warning("evidence_email is not set; NCBI asks every tool to send a contact address with "
                       "E-utilities requests: set evidence_email in conf.py", type="evidence", subtype="config",
                       once=True)
    return PubMedClient(
        base_url=app.config.evidence_eutils_url,
        tool=app.config.evidence_tool,
        email=app.config.evidence_email,
        api_key=key,
        http=http_settings(app, 0.1 if key else 1 / 3),
        today=day,
    )


SOURCES: list[Source] = [
    Source("pubmed", "PubMed", _pubmed_wanted, _pubmed_client, _older_than_refresh),
]


# -- openFDA for regulatory-status (issue 4) ------------------------------------------------
# One look-up per distinct (lower-cased) name noted by any page; records older than
# evidence_regulatory_max_age_days are re-checked when online.


def _openfda_wanted(domain: EvidenceDomain, records: dict[str, dict[str, Any]]) -> set[str]:
    from sphinxext_evidence.regulatory import FDA_BUCKET

    return {key for _, keys in domain.bucket(FDA_BUCKET) for key in keys}


def _openfda_client(app: Sphinx, day: str) -> Fetcher:
    from sphinxext_evidence.sources.openfda import MIN_INTERVAL, OpenFdaClient

    return OpenFdaClient(app.config.evidence_openfda_url, secrets(app).openfda,
                         http_settings(app, MIN_INTERVAL), day)


def _openfda_stale(record: dict[str, Any], app: Sphinx, now: dt.date) -> bool:
    from sphinxext_evidence.regulatory import age_in_days

    age = age_in_days(str(record.get("checked", "")), now)
    return age is None or age > int(app.config.evidence_regulatory_max_age_days)


SOURCES.append(Source("openfda", "openFDA", _openfda_wanted, _openfda_client, _openfda_stale))
# -- end openFDA --


# -- Crossref for :doi: (issue 5) -------------------------------------------------------------
# DOIs that a PubMed record in the lockfile already carries are not fetched: the
# resolver numbers them under that PMID (resolve.Store.canonical).


def _crossref_wanted(domain: EvidenceDomain, records: dict[str, dict[str, Any]]) -> set[str]:
    known = {str(r.get("DOI", "")).lower() for r in records.get("pubmed", {}).values() if r.get("DOI")}
    return {doi for doi in domain.cited_ids("doi") if doi.lower() not in known}


def _crossref_client(app: Sphinx, day: str) -> Fetcher:
    from sphinxext_evidence.sources.crossref import (
        INTERVAL_POLITE,
        INTERVAL_PUBLIC,
        CrossrefClient,
    )

    email = app.config.evidence_email or ""
    return CrossrefClient(app.config.evidence_crossref_url, email,
                          http_settings(app, INTERVAL_POLITE if email else INTERVAL_PUBLIC), day,
                          tool=app.config.evidence_tool)


SOURCES.append(Source("crossref", "Crossref", _crossref_wanted, _crossref_client, _older_than_refresh))
# -- end Crossref --


def lockfile_path(app: Sphinx) -> Path:
    """Where this project's lockfile lives."""
    return Path(app.confdir, app.config.evidence_lockfile)


@dataclass
class Outcome:
    """What the fetch stage leaves for the build: records, unknown ids, failures, lockfile fingerprint."""

    sections: lockfile.Sections
    unknown: dict[str, list[str]]
    failures: list[str]
    fingerprint: str


def run_fetch(app: Sphinx, domain: EvidenceDomain) -> Outcome:
    """Bring the lockfile up to date with what ``domain`` needs.

    Nothing is fetched in offline mode; failures are warnings and keep what is known.
    """
    path = lockfile_path(app)
    writable = True
    try:
        sections, fingerprint = lockfile.read(path)
    except lockfile.LockfileError as exc:
        logger.warning("%s; using no cached records and leaving the file untouched", exc,
                       type="evidence", subtype="lockfile")
        sections, fingerprint, writable = {}, "", False
    offline = is_offline(app.config)
    now = today()
    updates: dict[str, dict[str, dict[str, Any]]] = {}
    unknown: dict[str, list[str]] = {}
    failures: list[str] = []
    for source in SOURCES:
        have = sections.get(source.section, {})
        wanted = source.wanted(domain, sections)
        missing = sorted(
            i for i in wanted
            if i not in have or (source.stale is not None and source.stale(have[i], app, now))
        )
        if not missing:
            continue
        if offline:
            logger.info("evidence: offline; %d %s record(s) not in %s", len(missing), source.label, path.name)
            continue
        logger.info("evidence: fetching %d %s record(s)", len(missing), source.label)
        client = source.client(app, now.isoformat())
        try:
            result = client.fetch(missing)
        finally:
            client.close()
        for error in result.errors:
            failures.append(f"{source.label}: {error}")
            logger.warning("%s fetch failed: %s; records already in %s are kept", source.label, error,
                           path.name, type="evidence", subtype="fetch")
        if result.records:
            updates[source.section] = result.records
            _merge(sections, {source.section: result.records})  # later sources see them (DOI -> PMID)
        if result.unknown:
            unknown[source.section] = sorted(result.unknown)
    saved = False
    if updates and writable:
        try:
            sections, fingerprint = lockfile.save(path, updates)
            saved = True
        except OSError as exc:
            logger.warning("cannot write %s: %s", path, exc, type="evidence", subtype="lockfile")
            failures.append(f"cannot write {path}: {exc}")
    if updates and not saved:
        fingerprint = lockfile.digest(sections)  # the new records live only in memory
    return Outcome(sections, unknown, failures, fingerprint)


def _merge(sections: lockfile.Sections, updates: dict[str, dict[str, dict[str, Any]]]) -> None:
    for section, records in updates.items():
        sections.setdefault(section, {}).update(records)


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated`` handler: fetch, store records in the domain, return pages to rewrite."""
    domain: EvidenceDomain = env.get_domain("evidence")  # type: ignore[assignment]
    outcome = run_fetch(app, domain)
    domain.set_records(outcome.sections, outcome.unknown, outcome.failures)
    changed = {f"{s}:{i}" for s, ids in outcome.unknown.items() for i in ids}
    if outcome.fingerprint != domain.data["lock_digest"]:
        # Only when the lockfile differs from the last build's: compare record by record.
        old = domain.data["record_digests"]
        new = {f"{s}:{i}": lockfile.digest(r) for s, records in outcome.sections.items() for i, r in records.items()}
        changed |= {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
        domain.data["lock_digest"], domain.data["record_digests"] = outcome.fingerprint, new
    return sorted(pages_needing(domain, changed)) if changed else []


SECTION_OF_KIND = {"pmid": "pubmed", "doi": "crossref"}


def pages_needing(domain: EvidenceDomain, changed: Iterable[str]) -> set[str]:
    """Pages whose cited records (``section:id`` strings) are in ``changed``."""
    changed = set(changed)
    # A DOI is numbered under the PubMed record that has it, so any PubMed change may concern it.
    pubmed_changed = any(c.startswith("pubmed:") for c in changed)
    pages: set[str] = set()
    for docname, keys in domain.bucket(CITE):
        for key in keys:
            kind, ident = key_parts(key)
            if f"{SECTION_OF_KIND.get(kind, kind)}:{ident}" in changed or (kind == "doi" and pubmed_changed):
                pages.add(docname)
                break
    # regulatory-status pages whose openFDA look-ups changed (issue 4)
    from sphinxext_evidence.regulatory import FDA_BUCKET, FDA_SECTION

    for docname, names in domain.bucket(FDA_BUCKET):
        if any(f"{FDA_SECTION}:{name}" in changed for name in names):
            pages.add(docname)
    return pages
