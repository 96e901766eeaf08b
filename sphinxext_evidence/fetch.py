"""The fetch stage: once per build, after every page is read.

The union of what pages need is checked against the lockfile; only what is
missing (or stale, if refreshing was asked for) is fetched, source by source
from the registry, the lockfile is rewritten atomically, and the records are
handed to the resolve stage through the domain.  A failed fetch keeps every
known record and becomes a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from sphinxext_evidence import log
from sphinxext_evidence.config import is_offline
from sphinxext_evidence.dates import today
from sphinxext_evidence.domain import EvidenceDomain, get_domain
from sphinxext_evidence.identifiers import key_parts
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.sources import REGISTRY, Source, for_kind

logger = logging.getLogger(__name__)


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


def wanted_ids(source: Source, keys: set[str], sections: lockfile.Sections, config: Config) -> set[str]:
    """Identifiers ``source`` should have, leaving out those an earlier source's record already carries."""
    if source.wants is not None:
        return source.wants(keys, sections, config)
    aliased: set[str] = set()
    for other in REGISTRY:
        if other is source:
            break
        for record in sections.get(other.section, {}).values():
            if isinstance(record, dict):
                aliased.update(other.aliases(record))
    ids: set[str] = set()
    for key in keys:
        kind, ident = key_parts(key)
        if kind in source.kinds and key not in aliased:
            ids.add(ident)
    return ids


def run_fetch(app: Sphinx, domain: EvidenceDomain) -> Outcome:
    """Bring the lockfile up to date with what ``domain`` needs.

    Nothing is fetched in offline mode; failures are warnings and keep what is known.
    """
    path = lockfile_path(app)
    writable = True
    try:
        sections, fingerprint = lockfile.read(path)
    except lockfile.LockfileError as exc:
        log.warn(f"{exc}; using no cached records and leaving the file untouched", "lockfile")
        sections, fingerprint, writable = {}, "", False
    offline = is_offline(app.config)
    now = today()
    keys = {key for _, key in domain.wanted()}
    updates: dict[str, dict[str, dict[str, Any]]] = {}
    unknown: dict[str, list[str]] = {}
    failures: list[str] = []
    for source in REGISTRY:
        have = sections.get(source.section, {})
        missing = sorted(
            i for i in wanted_ids(source, keys, sections, app.config)
            if i not in have or (source.stale is not None and source.stale(have[i], app.config, now))
        )
        if not missing:
            continue
        if offline:
            logger.info("evidence: offline; %d %s record(s) not in %s", len(missing), source.label, path.name)
            continue
        requests = -(-len(missing) // source.batch_size)
        logger.info("evidence: fetching %d %s record(s) in %d request(s)", len(missing), source.label, requests)
        client = source.client(app, now.isoformat())
        try:
            result = client.fetch(missing)
        finally:
            client.close()
        for error in result.errors:
            failures.append(f"{source.label}: {error}")
            log.warn(f"{source.label} fetch failed: {error}; records already in {path.name} are kept", "fetch")
        if result.records:
            updates[source.section] = result.records
            sections.setdefault(source.section, {}).update(result.records)  # later sources see them
        if result.unknown:
            unknown[source.section] = sorted(result.unknown)
    saved = False
    if updates and writable:
        try:
            sections, fingerprint = lockfile.save(path, updates)
            saved = True
        except OSError as exc:
            log.warn(f"cannot write {path}: {exc}", "lockfile")
            failures.append(f"cannot write {path}: {exc}")
    if updates and not saved:
        fingerprint = lockfile.digest(sections)  # the new records live only in memory
    return Outcome(sections, unknown, failures, fingerprint)


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated`` handler: fetch, store records in the domain, return pages to rewrite."""
    domain = get_domain(env)
    outcome = run_fetch(app, domain)
    domain.set_store(Store(outcome.sections, outcome.unknown), outcome.failures)
    changed = {f"{s}:{i}" for s, ids in outcome.unknown.items() for i in ids}
    if outcome.fingerprint != domain.data["lock_digest"]:
        # Only when the lockfile differs from the last build's: compare record by record.
        old = domain.data["record_digests"]
        new = {f"{s}:{i}": lockfile.digest(r) for s, records in outcome.sections.items() for i, r in records.items()}
        changed |= {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
        domain.data["lock_digest"], domain.data["record_digests"] = outcome.fingerprint, new
    return sorted(pages_needing(domain, changed)) if changed else []


def pages_needing(domain: EvidenceDomain, changed: Iterable[str]) -> set[str]:
    """Pages whose records (``section:id`` strings) are in ``changed``."""
    changed = set(changed)
    changed_sections = {c.partition(":")[0] for c in changed}
    # A key may be numbered under another source's record (a DOI under the record
    # that carries it), so a change in that source's section may concern it.
    alias_kinds = {kind for s in REGISTRY if s.section in changed_sections for kind in s.alias_kinds}
    pages: set[str] = set()
    for docname, key in domain.wanted():
        if docname in pages:
            continue
        kind, ident = key_parts(key)
        source = for_kind(kind)
        if kind in alias_kinds or (source is not None and f"{source.section}:{ident}" in changed):
            pages.add(docname)
    return pages


def setup(app: Sphinx) -> None:
    """Run the fetch stage once per build, after every page is read."""
    app.connect("env-updated", on_env_updated)
