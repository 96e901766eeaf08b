"""The fetch stage: once per build, after every page is read.

The union of what pages need is checked against the lockfile; only what is
missing (or stale, if refreshing was asked for) is fetched, source by source
from the registry, the lockfile is rewritten atomically, and the records are
handed to the resolve stage through the domain.  A failed fetch keeps every
known record and becomes a warning.

The whole stage shares one network budget (``evidence_network_deadline``):
once the network is found unreachable or the deadline passes, whatever is
left is skipped with one warning, and what was fetched is still saved.
Identifiers whose request failed are remembered in the doctree directory
(never in the lockfile, which stays deterministic) and are not asked for again
until ``evidence_retry_failed_after`` seconds have passed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from sphinxext_evidence import log
from sphinxext_evidence.config import is_offline, secrets
from sphinxext_evidence.dates import today
from sphinxext_evidence.domain import EvidenceDomain, get_domain
from sphinxext_evidence.identifiers import key_parts
from sphinxext_evidence.records import atomic, kept, lockfile
from sphinxext_evidence.records.store import CompactSection, Store, compact, expanded, record_day
from sphinxext_evidence.sources import REGISTRY, FetchResult, Source, for_kind
from sphinxext_evidence.sources.base import Budget, Fetcher, past_max_age, set_budget

logger = logging.getLogger(__name__)

#: Where failed identifiers are remembered, in the doctree directory.
FAILED_FILE = "evidence-failed-fetches.json"
#: The records of the lockfile last found without fault, in the doctree directory (see records.kept).
KEPT_FILE = "evidence-lockfile.pickle"
#: The digest of each record of the lockfile last used, in the doctree directory: read only when the lockfile
#: changes, so it is kept out of the environment, which every build loads and saves.
DIGESTS_FILE = "evidence-record-digests.json"


def lockfile_path(app: Sphinx) -> Path:
    """Where this project's lockfile lives."""
    return Path(app.confdir, app.config.evidence_lockfile)


def failed_path(app: Sphinx) -> Path:
    """Where identifiers whose fetch failed are remembered between builds."""
    return Path(app.doctreedir, FAILED_FILE)


def load_failed(path: Path) -> dict[str, float]:
    """``{"section:id": time of the failure}`` from ``path`` (empty when missing or unreadable)."""
    failed = _note(path).get("failed")
    if not isinstance(failed, dict):
        return {}
    return {k: float(v) for k, v in failed.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _note(path: Path) -> dict[str, Any]:
    """The JSON object a note in the doctree directory holds (empty when missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_failed(path: Path, failed: dict[str, float]) -> None:
    """Write ``failed`` to ``path``, or remove the file when there is nothing to remember."""
    _keep(path, json.dumps({"failed": dict(sorted(failed.items()))}, indent=1) + "\n" if failed else "")


def _keep(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (a note in the doctree directory), or remove the file when ``text`` is empty."""
    try:
        if text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:  # costs only an early retry, or checking every record again
        logger.info("evidence: cannot write %s: %s", path, exc)


def read_lockfile(path: Path, kept_at: Path) -> tuple[lockfile.Sections, str]:
    """The lockfile's records, held compact, and its fingerprint; checked only if it changed since last found sound."""
    fingerprint, token = lockfile.token_of(path)
    sections = kept.load(kept_at, token)
    if sections is not None:
        return sections, fingerprint
    found = lockfile.read_checked(path)
    sections = compact(found.sections)
    kept.keep(kept_at, found.token, sections)
    return sections, found.fingerprint


@dataclass
class Outcome:
    """What the fetch stage leaves for the build: records, unknown ids, failures, lockfile fingerprint."""

    sections: lockfile.Sections
    unknown: dict[str, list[str]]
    failures: list[str]
    fingerprint: str


def wanted_ids(source: Source, keys: set[str], sections: lockfile.Sections, config: Config,
               aliased: set[str] | None = None) -> set[str]:
    """Identifiers ``source`` should have, leaving out those an earlier source's record already carries.

    ``aliased``, when given, holds the aliases of every earlier source's records.
    """
    if source.wants is not None:
        return source.wants(keys, sections, config)
    if aliased is None:
        aliased = set()
        for other in REGISTRY[:REGISTRY.index(source)]:
            aliased |= aliases_of(other, sections)
    ids: set[str] = set()
    for key in keys:
        kind, ident = key_parts(key)
        if kind in source.kinds and key not in aliased:
            ids.add(ident)
    return ids


def aliases_of(source: Source, sections: lockfile.Sections) -> set[str]:
    """The other keys that ``source``'s records in ``sections`` answer to (such as a record's DOI)."""
    section = sections.get(source.section, {})
    if isinstance(section, CompactSection):
        return set(section.aliases)
    found: set[str] = set()
    for record in section.values():
        if isinstance(record, dict):
            found.update(source.aliases(record))
    return found


def fetch_source(app: Sphinx, source: Source, ids: list[str], day: str,
                 done: Callable[[int], None] | None = None) -> FetchResult:
    """Ask ``source`` for ``ids``; anything its client raises becomes a failure, never an exception.

    With ``done``, one client asks for a batch at a time and ``done(n)`` is called after each batch of ``n``.
    """
    client = None
    try:
        client = source.client(app, day)
        return client.fetch(ids) if done is None else _in_batches(client, ids, source.batch_size, done)
    except Exception as exc:  # noqa: BLE001 - a bug in one source must not cost the others' records
        result = FetchResult()
        keys = [s for s in dataclasses.astuple(secrets(app)) if s]
        result.fail(exc, scrub=lambda text: _hide(text, keys))
        return result
    finally:
        if client is not None:
            with contextlib.suppress(Exception):  # closing cannot lose anything
                client.close()


def _in_batches(client: Fetcher, ids: list[str], size: int, done: Callable[[int], None]) -> FetchResult:
    """``client.fetch`` one batch of ``ids`` at a time, the answers merged into one result."""
    merged = FetchResult()
    for start in range(0, len(ids), size):
        batch = ids[start:start + size]
        part = client.fetch(batch)
        merged.records.update(part.records)
        merged.texts.update(part.texts)
        merged.unknown |= part.unknown
        merged.skipped |= part.skipped
        merged.errors += part.errors
        merged.network_errors += part.network_errors
        merged.requests += part.requests
        done(len(batch))
    return merged


def _hide(text: str, hidden: list[str]) -> str:
    for secret in hidden:
        text = text.replace(secret, "***")
    return text


def run_fetch(app: Sphinx, domain: EvidenceDomain) -> Outcome:
    """Bring the lockfile up to date with what ``domain`` needs.

    Nothing is fetched in offline mode; failures are warnings and keep what is known.
    """
    path = lockfile_path(app)
    writable = True
    atomic.tidy(path)
    try:
        sections, fingerprint = read_lockfile(path, Path(app.doctreedir, KEPT_FILE))
    except lockfile.LockfileError as exc:
        log.warn(f"{exc}; using no cached records and leaving the file untouched", "lockfile",
                 exc.location or str(path))
        sections, fingerprint, writable = {}, "", False
    offline = is_offline(app.config)
    now = today()
    keys = {key for _, key in domain.wanted()}
    updates: dict[str, dict[str, dict[str, Any]]] = {}
    texts: dict[str, dict[str, lockfile.RecordText]] = {}
    unknown: dict[str, list[str]] = {}
    failures: list[str] = []
    budget = Budget(app.config.evidence_network_deadline)
    set_budget(app, budget)
    remembered = failed_path(app)
    failed_at = {} if offline else load_failed(remembered)
    clock, wait = time.time(), float(app.config.evidence_retry_failed_after or 0)
    held: list[str] = []
    skipped = 0
    aliased: set[str] = set()  # of the sources gone through, what they just fetched included
    for index, source in enumerate(REGISTRY):
        if index:
            aliased |= aliases_of(REGISTRY[index - 1], sections)
        have = sections.get(source.section, {})
        judged: dict[str, bool] = {}  # records are fetched on few days: judge each day once
        missing = sorted(i for i in wanted_ids(source, keys, sections, app.config, aliased)
                         if _wanted_again(source, have, i, app.config, now, judged))
        if not missing:
            continue
        if offline:
            logger.info("evidence: offline; %d %s record(s) not in %s", len(missing), source.label, path.name)
            continue
        waiting = {i for i in missing if clock < failed_at.get(f"{source.section}:{i}", -math.inf) + wait}
        held.extend(f"{source.label} {i}" for i in sorted(waiting))
        missing = [i for i in missing if i not in waiting]
        if not missing:
            continue
        if budget.unreachable or budget.over():
            skipped += len(missing)
            continue
        requests = -(-len(missing) // source.batch_size)
        logger.info("evidence: fetching %d %s record(s) in %d request(s)", len(missing), source.label, requests)
        result = fetch_source(app, source, missing, now.isoformat())
        for error in result.errors:
            if error in result.network_errors:
                continue  # reported once, below
            failures.append(f"{source.label}: {error}")
            log.warn(f"{source.label} fetch failed: {error}; records already in {path.name} are kept", "fetch")
        if result.records:
            updates[source.section] = result.records
            texts[source.section] = result.texts
            sections[source.section] = {**sections.get(source.section, {}), **result.records}  # later sources see them
        if result.unknown:
            unknown[source.section] = sorted(result.unknown)
        skipped += len(result.skipped)
        answered = result.records.keys() | result.unknown
        for ident in missing:
            if ident in answered:
                failed_at.pop(f"{source.section}:{ident}", None)
            elif ident not in result.skipped:
                failed_at[f"{source.section}:{ident}"] = clock
    _report(budget, skipped, held, wait, path, remembered, failures)
    if not offline:
        save_failed(remembered, {k: t for k, t in failed_at.items() if clock < t + wait})
    saved = False
    if updates and writable:
        try:
            sections, fingerprint = lockfile.save(path, updates, texts)
            saved = True
        except OSError as exc:
            log.warn(f"cannot write {path}: {exc}", "lockfile")
            failures.append(f"cannot write {path}: {exc}")
    if updates and not saved:
        fingerprint = lockfile.digest(expanded(sections))  # the new records live only in memory
    return Outcome(sections, unknown, failures, fingerprint)


def _wanted_again(source: Source, have: Mapping[str, Any], ident: str, config: Config, now: dt.date,
                  judged: dict[str, bool]) -> bool:
    """Whether ``ident`` is missing from ``have`` or its record there is stale, judged by the day it was fetched.

    ``judged`` keeps the verdict of each day for ``source``.
    """
    if ident not in have:
        return True
    day = record_day(have, ident)
    if day not in judged:
        judged[day] = (source.stale is not None and source.stale(day, config, now)) or past_max_age(day, config, now)
    return judged[day]


def _report(budget: Budget, skipped: int, held: list[str], wait: float, path: Path, remembered: Path,
            failures: list[str]) -> None:
    """One warning for what the network budget cut short, one for identifiers not asked for again."""
    if budget.unreachable:
        message = (f"no network: {budget.unreachable}, so the rest of this build's fetches were skipped "
                   f"({skipped} identifier(s)); records already in {path.name} are kept. To build without "
                   "trying the network, set SPHINX_EVIDENCE_OFFLINE=1 (or evidence_offline = True in conf.py)")
        failures.append(message)
        log.warn(message, "network")
    elif skipped:
        message = (f"the network deadline of {budget.seconds:g} s (evidence_network_deadline) passed, so "
                   f"{skipped} identifier(s) were not fetched in this build; what was fetched is saved in "
                   f"{path.name}, and the next build fetches the rest")
        failures.append(message)
        log.warn(message, "network")
    if held:
        shown = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        message = (f"not asked for again, as their fetch failed less than {wait:g} s ago "
                   f"(evidence_retry_failed_after): {shown}; to try now, run sphinx-evidence fetch or "
                   f"delete {remembered}")
        failures.append(message)
        log.warn(message, "fetch")


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated`` handler: fetch, store records in the domain, return pages to rewrite."""
    domain = get_domain(env)
    outcome = run_fetch(app, domain)
    domain.set_store(Store(outcome.sections, outcome.unknown), outcome.failures)
    changed = {f"{s}:{i}" for s, ids in outcome.unknown.items() for i in ids}
    if outcome.fingerprint != domain.data["lock_digest"]:
        # Only when the lockfile differs from the last build's: compare record by record.
        changed |= changed_records(Path(app.doctreedir, DIGESTS_FILE), domain.data["lock_digest"], outcome)
        domain.data["lock_digest"] = outcome.fingerprint
    return sorted(pages_needing(domain, changed)) if changed else []


def changed_records(path: Path, last: str, outcome: Outcome) -> set[str]:
    """Records (``section:id``) that differ from those of the lockfile fingerprinted ``last``, which ``path`` kept.

    Without that lockfile's digests every record counts as changed.  Digests
    ``path`` already holds for this lockfile (kept by a build whose
    environment has since been thrown away) are not computed again.
    """
    kept = _note(path)
    stored = kept.get("records")
    digests: dict[str, Any] = stored if isinstance(stored, dict) else {}
    old = digests if last and kept.get("lockfile") == last else {}
    if kept.get("lockfile") == outcome.fingerprint:
        new = digests
    else:
        new = {f"{s}:{i}": lockfile.digest(r) for s, records in outcome.sections.items() for i, r in records.items()}
        _keep(path, json.dumps({"lockfile": outcome.fingerprint, "records": new}, sort_keys=True) + "\n")
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def pages_needing(domain: EvidenceDomain, changed: Iterable[str]) -> set[str]:
    """Pages whose records (``section:id`` strings) are in ``changed``."""
    changed = set(changed)
    if not changed:
        return set()
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
