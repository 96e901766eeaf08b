"""The ``sphinx-evidence refresh`` command: fetch the lockfile's older records again and say what changed.

Every record of the lockfile fetched (or checked) at least ``--older-than``
ago is asked for again, source by source from the registry, in the batches
each source declares and through the same fetch code a build uses.  The old
and new records are compared as a build reads them — a work's record with what
other sources add to it, such as its correction links — and what matters to a
reader is listed: a new retraction, expression of concern, correction or newer
version, a changed title or author list, a changed FDA status.  The new
records are then saved atomically, unless ``--dry-run`` asks only for the report.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sphinx.application import Sphinx
from sphinx.errors import SphinxError

from sphinxext_evidence import cli
from sphinxext_evidence.dates import today
from sphinxext_evidence.fetch import fetch_source, lockfile_path
from sphinxext_evidence.identifiers import KINDS, make_key
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.model import Article, FdaRecord, Notice, plain_title
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.regulatory.fda import FDA_LABELS, combined_status
from sphinxext_evidence.sources import REGISTRY, Source
from sphinxext_evidence.sources.base import Budget, fetched_long_ago, set_budget

DEFAULT_AGE = "30d"
UNITS = {"d": ("day", 86400), "h": ("hour", 3600)}
#: Seconds a run goes on before the progress line appears (only when standard error is a terminal).
PROGRESS_AFTER = 2.0
#: How each level of notice is named in the summary (levels as in records/notices.py).
NEWS = {"retraction": "retraction", "concern": "expression of concern", "replaced": "replacement",
        "correction": "correction"}


class Age(NamedTuple):
    """``--older-than`` as written (``30d``) and in seconds."""

    text: str
    seconds: int

    def words(self) -> str:
        """``30 days``, ``1 hour``."""
        return _count(int(self.text[:-1]), UNITS[self.text[-1]][0])


def parse_age(text: str) -> Age:
    """``30d`` or ``12h`` as an :class:`Age`; anything else is a usage error."""
    match = re.fullmatch(r"\s*([0-9]{1,6})\s*([dhDH])\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age: give a whole number of days or hours, "
                                         "such as 30d or 12h")
    number, unit = int(match.group(1)), match.group(2).lower()
    return Age(f"{number}{unit}", number * UNITS[unit][1])


@dataclass
class Change:
    """One thing a reader would notice, in one work or drug's record."""

    key: str
    label: str
    what: str  # retraction, concern, replaced, correction, title, authors or fda-status
    text: str
    before: Any = None
    after: Any = None


@dataclass
class Report:
    """What one refresh did: records asked for, what changed, what failed, whether the lockfile was written."""

    lockfile: Path
    age: Age
    due: list[tuple[Source, int]] = field(default_factory=list)  # records asked for again, by source
    requests: int = 0
    answered: int = 0
    changes: list[Change] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # key -> the work's title, for the summary
    differ: list[str] = field(default_factory=list)  # "section:id" of records whose stored text changed
    gone: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False


def add_parser(sub: Any) -> None:
    """Add ``refresh`` to the command line's sub-commands."""
    parser = sub.add_parser("refresh", help="fetch the lockfile's older records again and print what changed")
    parser.add_argument("project", help="directory holding conf.py (or docs/conf.py)")
    parser.add_argument("--older-than", dest="age", type=parse_age, default=parse_age(DEFAULT_AGE), metavar="AGE",
                        help=f"refresh records fetched this long ago or more: 30d, 12h (default: {DEFAULT_AGE})")
    parser.add_argument("--only", nargs="+", action="extend", type=str.lower, metavar="SOURCE",
                        choices=[s.name for s in REGISTRY],
                        help="refresh only these sources: " + ", ".join(s.name for s in REGISTRY))
    parser.add_argument("--format", choices=("text", "json"), default="text", help="summary format (default: text)")
    parser.add_argument("--dry-run", action="store_true", help="fetch and report, but leave the lockfile as it is")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print only what changed, and nothing when nothing did; no progress line")
    parser.add_argument("-D", dest="define", action="append", default=[], metavar="name=value",
                        help="override a configuration value, as with sphinx-build -D")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's messages")
    parser.set_defaults(func=cmd_refresh)


def cmd_refresh(args: argparse.Namespace) -> int:
    """Fetch the lockfile's older records again, print what changed, save them unless ``--dry-run``."""
    confdir = cli._require_confdir(args.project)
    overrides = cli._overrides(args.define)
    offline = cli._offline_reason(overrides)
    if offline is not None:
        cli._read_conf(confdir)  # a broken conf.py is reported first, as when online
        raise cli.CommandError(f"{offline}, so nothing was refreshed and the lockfile is unchanged; "
                               "unset it to refresh", cli.FAILED)
    overrides.setdefault("evidence_offline", False)
    with cli._plain_stderr(), _project(confdir, overrides, args.verbose) as app:
        path, shown = lockfile_path(app), confdir / app.config.evidence_lockfile
        if not path.exists():
            raise cli.CommandError(f"no lockfile at {shown}; run {cli.PROG} fetch first", cli.FAILED)
        try:
            sections = lockfile.load(path)
        except lockfile.LockfileError as exc:
            raise cli.CommandError(f"{exc}; nothing was refreshed", cli.FAILED) from exc
        sources = [s for s in REGISTRY if not args.only or s.name in args.only]
        report = refresh(app, path, sections, sources, args.age, Progress(show=not args.quiet), args.dry_run)
    report.lockfile = shown
    if args.format == "json":
        sys.stdout.write(json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(summary(report, quiet=args.quiet))
    for failure in report.failures:
        cli._say(failure)
    return cli.FAILED if report.failures else cli.OK


@contextlib.contextmanager
def _project(confdir: Path, overrides: dict[str, Any], verbose: bool) -> Iterator[Sphinx]:
    """The project's Sphinx application, configured but never built (its configuration and API keys)."""
    from sphinx.util.docutils import docutils_namespace

    with tempfile.TemporaryDirectory() as tmp, docutils_namespace():
        try:
            app = Sphinx(str(confdir), str(confdir), str(Path(tmp, "out")), str(Path(tmp, "doctrees")), "dummy",
                         confoverrides=overrides, status=sys.stderr if verbose else None, warning=sys.stderr,
                         freshenv=True)
        except SphinxError as exc:
            raise cli._config_error(confdir / "conf.py", exc) from exc
        yield app


class Progress:
    """A one-line count on standard error, once a run has taken a few seconds, when standard error is a terminal."""

    def __init__(self, show: bool) -> None:
        self.show = show and sys.stderr.isatty()
        self.total = self.done = 0
        self.label = ""
        self.start = time.monotonic()
        self.drawn = False

    def advance(self, count: int) -> None:
        """``count`` more records were answered (or failed)."""
        self.done += count
        if self.show and time.monotonic() - self.start >= PROGRESS_AFTER:
            sys.stderr.write(f"\r{cli.PROG}: refreshed {self.done} of {self.total} record(s) ({self.label})  ")
            sys.stderr.flush()
            self.drawn = True

    def close(self) -> None:
        """End the progress line, if one was drawn."""
        if self.drawn:
            sys.stderr.write("\n")


def _now() -> dt.datetime:
    """The time now, on the same clock as :func:`~sphinxext_evidence.dates.today` (``SOURCE_DATE_EPOCH`` too)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime.now()


def refresh(app: Sphinx, path: Path, sections: lockfile.Sections, sources: list[Source], age: Age,
            progress: Progress, dry_run: bool = False) -> Report:
    """Fetch again the records of ``sources`` fetched ``age`` ago or more; compare; save unless ``dry_run``."""
    report = Report(path, age, dry_run=dry_run)
    now = _now()
    due = {s: sorted(i for i, r in sections.get(s.section, {}).items() if fetched_long_ago(r, age.seconds, now))
           for s in sources}
    report.due = [(s, len(ids)) for s, ids in due.items() if ids]
    progress.total = sum(count for _, count in report.due)
    budget = Budget(app.config.evidence_network_deadline)
    set_budget(app, budget)
    updates: dict[str, dict[str, dict[str, Any]]] = {}
    texts: dict[str, dict[str, lockfile.RecordText]] = {}
    skipped = 0
    for source, ids in due.items():
        if not ids:
            continue
        if budget.unreachable or budget.over():
            skipped += len(ids)
            continue
        progress.label = source.label
        result = fetch_source(app, source, ids, today().isoformat(), done=progress.advance)
        report.requests += result.requests
        report.failures += [f"{source.label}: {e}" for e in result.errors if e not in result.network_errors]
        report.gone += [_label(source, i) for i in sorted(result.unknown)]
        skipped += len(result.skipped)
        report.answered += len(result.records)
        if result.records:
            updates[source.section] = result.records
            texts[source.section] = result.texts
    progress.close()
    if budget.unreachable:
        report.failures.append(f"no network: {budget.unreachable}; {skipped} record(s) were not refreshed")
    elif skipped:
        report.failures.append(f"the network deadline of {budget.seconds:g} s (evidence_network_deadline) passed; "
                               f"{skipped} record(s) were not refreshed (-D evidence_network_deadline=None lifts it)")
    after = {name: dict(records) for name, records in sections.items()}
    for name, records in updates.items():
        after.setdefault(name, {}).update(records)
    report.differ = [f"{name}:{ident}" for name, records in updates.items() for ident, record in records.items()
                     if _undated(record) != _undated(sections.get(name, {}).get(ident))]
    _compare(Store(sections, {}), Store(after, {}), report)
    if updates and not dry_run:
        try:
            lockfile.save(path, updates, texts)
            report.written = True
        except OSError as exc:  # a LockfileError too: a file it cannot merge into
            report.failures.append(f"cannot write {path}: {exc}")
    return report


def _undated(record: Any) -> Any:
    """A stored record without the day it was fetched or checked, to see whether anything else changed."""
    if not isinstance(record, dict):
        return record
    undated = {k: v for k, v in record.items() if k != "checked"}
    if isinstance(undated.get("custom"), dict):
        undated["custom"] = {k: v for k, v in undated["custom"].items() if k != "fetched"}
    return undated


def _label(source: Source, ident: str) -> str:
    """``PMID 123 (PubMed)``: a record named in the summary."""
    kind = source.kinds[0]
    return f"{cli._label(kind, ident) if kind in KINDS else ident} ({source.label})"


def _compare(old: Store, new: Store, report: Report) -> None:
    """Add to ``report`` what changed between the typed records of ``old`` and ``new``, work by work."""
    for source in REGISTRY:
        for ident in sorted(new.sections.get(source.section, {})):
            key = make_key(source.kinds[0], ident)
            if new.canonical(key) != key:
                continue  # the same work under another record's key
            before, after = old.get(key), new.get(key)
            found: list[Change] = []
            if isinstance(before, Article) and isinstance(after, Article):
                found = _article_changes(key, _label(source, ident), before, after)
                if found:
                    report.titles[key] = plain_title(after.title)
            elif isinstance(before, FdaRecord) and isinstance(after, FdaRecord):
                found = _fda_changes(key, _label(source, ident), before, after)
            report.changes += found


def _news(article: Article) -> dict[str, list[Notice | None]]:
    """A work's notices of each kind that matter; a flag with no notice counts as one (None)."""
    found: dict[str, list[Notice | None]] = {}
    for notice in article.notices:
        if notice.info.level in NEWS:
            found.setdefault(notice.kind, []).append(notice)
    for flag in article.flags():  # a "Retracted Publication" type without its notice
        found.setdefault(flag.name, [None])
    return found


def _notice_text(notice: Notice | None) -> str:
    """``notice PMID 11600210, reported by PubMed``: where a new notice is and who reported it."""
    parts = [f"notice PMID {notice.pmid}" if notice and notice.pmid else
             f"notice DOI {notice.doi}" if notice and notice.doi else ""]
    parts.append(f"reported by {notice.origin}" if notice and notice.origin else "")
    return ", ".join(p for p in parts if p)


def _article_changes(key: str, label: str, before: Article, after: Article) -> list[Change]:
    """New notices, a changed title and a changed author list."""
    changes: list[Change] = []
    old, new = _news(before), _news(after)
    for kind_name, found in new.items():
        known = old.get(kind_name, [])
        # A notice told again with more (a PMID added to its citation) is not new; one with another PMID is.
        new_notices = [n for n in found if n is None or not any(k is not None and n.same_as(k) for k in known)]
        if not new_notices or None in known or (known and new_notices == [None]):
            continue  # the flag was known already, before or after its notice was linked
        latest = new_notices[-1]
        kind = latest.info if latest else next(f for f in after.flags() if f.name == kind_name)
        detail = _notice_text(latest) if latest else "publication type Retracted Publication"
        notice = asdict(latest) if latest else {"kind": kind.name}
        changes.append(Change(key, label, kind.level, f"new {NEWS[kind.level]}: {kind.label}"
                              + (f" ({detail})" if detail else ""), None, {**notice, "label": kind.label}))
    if before.title != after.title:
        changes.append(Change(key, label, "title", f"title changed from {before.title!r} to {after.title!r}",
                              before.title, after.title))
    was, now = [a.short for a in before.authors], [a.short for a in after.authors]
    if was != now:
        added, removed = [a for a in now if a not in was], [a for a in was if a not in now]
        words = [f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else ""]
        changes.append(Change(key, label, "authors", "authors changed: " + ("; ".join(w for w in words if w)
                                                                            or "the same names in a new order"),
                              was, now))
    return changes


def _fda_changes(key: str, label: str, before: FdaRecord, after: FdaRecord) -> list[Change]:
    """A changed US status, as the regulatory-status check reads an openFDA record."""
    was, now = combined_status([before]), combined_status([after])
    if was == now:
        return []
    return [Change(key, label, "fda-status", f"FDA status changed from {FDA_LABELS[was]!r} to {FDA_LABELS[now]!r}",
                   was, now)]


def _count(number: int, word: str) -> str:
    """``1 record``, ``3 records``."""
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary(report: Report, quiet: bool = False) -> str:
    """The readable summary: what was asked for, each change by record, and what was written."""
    lines: list[str] = []
    by_record: dict[str, list[Change]] = {}
    for change in report.changes:
        by_record.setdefault(change.label, []).append(change)
    for label, changes in by_record.items():
        title = report.titles.get(changes[0].key, "")
        short = title if len(title) <= 70 else title[:69].rstrip() + "…"
        lines.append(f"{label}{': ' + short if short else ''}")
        lines += [f"  - {c.text}" for c in changes]
    lines += [f"{label}: the service no longer has this record; the stored one is kept" for label in report.gone]
    if quiet:
        return "".join(f"{line}\n" for line in lines)
    asked, age = sum(count for _, count in report.due), report.age.words()
    if not asked:
        return f"Nothing to refresh: no record in {report.lockfile.name} was fetched {age} ago or more.\n"
    per_source = ", ".join(f"{source.label} {count}" for source, count in report.due)
    head = [(f"Asked again for {_count(asked, 'record')} fetched {age} ago or more ({per_source}), "
             f"in {_count(report.requests, 'request')}.")]
    if report.differ:
        one = len(report.differ) == 1
        what = (". What changed for readers:" if lines else ", in nothing this summary lists (notices, title, "
                "authors, FDA status); the lockfile's diff shows what.")
        head.append(f"{_count(len(report.differ), 'record')} differ{'s' if one else ''} from the stored "
                    f"one{'' if one else 's'}, dates aside{what}")
    elif report.answered:
        head.append("Nothing changed but the dates of the checks.")
    written = (f"Dry run: {report.lockfile} is unchanged." if report.dry_run else
               f"Wrote {report.lockfile}." if report.written else f"{report.lockfile} is unchanged.")
    return "".join(f"{line}\n" for line in head + lines + [written])


def as_json(report: Report) -> dict[str, Any]:
    """The report for ``--format json``."""
    return {
        "lockfile": str(report.lockfile),
        "older_than": report.age.text,
        "dry_run": report.dry_run,
        "written": report.written,
        "asked": {source.name: count for source, count in report.due},
        "requests": report.requests,
        "changes": [{"key": c.key, "record": c.label, "title": report.titles.get(c.key, ""), "change": c.what,
                     "text": c.text, "before": c.before, "after": c.after} for c in report.changes],
        "differ": report.differ,
        "gone": report.gone,
        "failures": report.failures,
    }
