"""``sphinx-evidence check``: what a build would warn about the evidence, found in seconds without building.

The pages are read by :mod:`.scan`; the lockfile by the extension's own
reader and :class:`~.records.store.Store`, so records are typed and carry the
correction links of their DOIs exactly as in a build.  Flags, missing records,
stale regulatory statuses and GRADE consistency are judged by the code the
build uses (``Article.flags``, ``rules.consistency_problem``, ``judge``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sphinxext_evidence import log
from sphinxext_evidence.citations.numbering import FLAG_SUBTYPES, acknowledge_hint
from sphinxext_evidence.cli import (DEFAULT_LOCKFILE, FAILED, OK, USAGE, CommandError, _read_conf, _require_confdir,
                                    _say)
from sphinxext_evidence.config import OPTIONS, default, problem
from sphinxext_evidence.dates import age_in_days, parse_date, today
from sphinxext_evidence.grade import levels, rules
from sphinxext_evidence.grade.estimate import parse_estimate
from sphinxext_evidence.grade.judgement import judge
from sphinxext_evidence.identifiers import WORK, key_label, key_parts, make_key
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.model import Article, FdaRecord
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.scan import Cite, Grade, Scan, Status, grade_sources, scan_project
from sphinxext_evidence.sources import REGISTRY, for_kind, manual

ERROR, WARNING = "error", "warning"
#: Every kind of finding and its severity; ``--fail-on`` compares against these.
SEVERITY: dict[str, str] = {
    "retracted": ERROR, "missing": ERROR, "grade-inconsistent": ERROR,
    "concern": WARNING, "superseded": WARNING, "regulatory-stale": WARNING, "uncited": WARNING,
    "grade-no-source": WARNING, "grade-effect": WARNING, "grade-direction": WARNING, "grade-imprecision": WARNING,
    "lockfile": WARNING,
}
#: The problems of ``judge`` that ``check`` reports (the others ask for missing information, not a contradiction).
JUDGED = ("grade-direction", "grade-imprecision")
FORMATS = ("text", "json", "github")


@dataclass(frozen=True)
class Finding:
    """One problem, where it is: the file and line, its kind, what to say, and the record it is about (if any)."""

    file: str
    line: int
    kind: str
    message: str
    key: str | None = None

    @property
    def severity(self) -> str:
        """``error`` or ``warning``."""
        return SEVERITY.get(self.kind, WARNING)


@dataclass(frozen=True)
class Project:
    """What ``check`` needs from conf.py: where the lockfile is and how old a regulatory status may be."""

    lockfile: str  # as shown in messages
    max_age: int


def _value(conf: Mapping[str, Any], name: str, notes: list[str]) -> Any:
    """conf.py's value of an ``evidence_*`` option, checked as the build checks it (a wrong one: the default)."""
    opt = next(o for o in OPTIONS if o.name == name)
    if name not in conf:
        return default(opt)
    value, wrong = problem(opt, conf[name])
    if wrong is None:
        return value
    notes.append(f"conf.py: {name} = {conf[name]!r} {wrong}; using the default {default(opt)!r}")
    return default(opt)


def _line_map(text: str, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The line of each record in ``wanted`` in the lockfile's text, by ``(section, identifier)``.

    One pass over the keys at the indentation the extension writes records at; a hand-formatted file gets a
    second pass over every key.
    """
    sections = {source.section for source in REGISTRY}
    lines: dict[tuple[str, str], int] = {}
    for indent in (r"[ \t]{0,4}", r"[ \t]*"):
        section, line, pos = "", 1, 0
        for match in re.finditer(rf'^{indent}("(?:[^"\\]|\\.)*")\s*:', text, re.MULTILINE):
            line += text.count("\n", pos, match.start())
            pos = match.start()
            quoted = match.group(1)
            try:
                key = json.loads(quoted) if "\\" in quoted else quoted[1:-1]
            except ValueError:
                continue
            if key in sections:
                section = key
            elif (section, key) in wanted:
                lines.setdefault((section, key), line)
        if wanted <= lines.keys():
            break
    return lines


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Each finding once, by file and line; on one line in the order the page gives them."""
    return sorted(dict.fromkeys(findings), key=lambda f: (f.file, f.line))


class Checker:
    """Judges what a scan found against the lockfile's records."""

    def __init__(self, scan: Scan, store: Store, project: Project, locked: set[str]) -> None:
        self.scan, self.store, self.project = scan, store, project
        self.locked = locked  # the sections that come from the lockfile (not from the manual records file)
        self.now = today()
        self._judged: dict[tuple[Any, ...], list[tuple[str, str]]] = {}  # grades written alike are judged once

    def findings(self, complete: bool, text: str) -> list[Finding]:
        """Every finding, by file and line; unneeded records (``text``: the lockfile's) only if every page was read."""
        found = [f for cite in self.scan.cites if cite.shown for f in self._cite(cite)]
        found += [f for grade in self.scan.grades for f in self._grade(grade)]
        found += [f for status in self.scan.statuses for f in self._status(status)]
        uncited = list(self._uncited()) if complete else []
        lines = _line_map(text, {where for where, _, _ in uncited}) if uncited else {}
        found += [Finding(self.project.lockfile, lines.get(where, 1), "uncited", message, key)
                  for where, message, key in uncited]
        return _ordered(found)

    def _cite(self, cite: Cite) -> Iterator[Finding]:
        for key in cite.keys:
            if for_kind(key_parts(key)[0]) is None:
                continue  # kept elsewhere than the lockfile: nothing here to judge it by
            label = key_label(key)
            article = self.store.get(self.store.canonical(key))
            if article is None:
                text = (manual.SOURCE.not_found_message(label) if key_parts(key)[0] == WORK.name else
                        f"{label} has no record in the lockfile; run 'sphinx-evidence fetch' (or build with network "
                        "access) to add it")
                yield Finding(cite.file, cite.line, "missing", text, key)
                continue
            if cite.acknowledged or not isinstance(article, Article) or not article.flags():
                continue
            flag = article.flags()[0]
            notices = article.notices_of(flag.name)
            where = f" ({flag.label.lower()}: {notices[0].source})" if notices and notices[0].source else ""
            if cite.how == "grade":
                advice = ("drop it from :source: and revisit the grade" if flag.level == "retraction"
                          else "check that the grade still holds")
                text = f"{label}, a :source: of a grade, {flag.says}{where}; {advice}"
            else:
                text = (f"{label} {flag.says}{where}; cite another work, or keep it on purpose by acknowledging "
                        f"it: {acknowledge_hint(key, cite.file)}")
            yield Finding(cite.file, cite.line, FLAG_SUBTYPES[flag.level], text, key)

    def _grade(self, grade: Grade) -> Iterator[Finding]:
        opts = {k: " ".join((v or "").split()) for k, v in grade.options.items()}
        head = f"{grade.name} {grade.outcome!r}"
        if not opts.get("source"):
            yield Finding(grade.file, grade.line, "grade-no-source", f"{head} has no :source:; give the PMIDs of "
                          "the review or studies the grade rests on")
        elif not grade_sources(opts["source"]):
            yield Finding(grade.file, grade.line, "grade-no-source",
                          f"{head}: :source: {opts['source']!r} holds no valid PMID, so the grade names no source")
        memo = (grade.name, grade.outcome, grade.table.get("intervention"),
                tuple(sorted((k, v) for k, v in grade.options.items() if k != "source")))
        if memo not in self._judged:
            self._judged[memo] = self._problems(grade, opts)
        for kind, text in self._judged[memo]:
            yield Finding(grade.file, grade.line, kind, f"{head}: {text}")

    def _problems(self, grade: Grade, opts: dict[str, str]) -> list[tuple[str, str]]:
        """What the build's GRADE rules say is wrong with a grade: ``(kind, message)`` pairs."""
        certainty = levels.parse_certainty(opts.get("certainty", "")) if opts.get("certainty") else None
        if certainty is None:
            return []  # not shown by the build, which says why
        effect = levels.parse_effect(opts["effect"]) if opts.get("effect") else None
        declared = opts.get("outcome-type") if opts.get("outcome-type") in levels.OUTCOME_TYPES else None
        design = rules.parse_design(opts["design"]) if opts.get("design") else rules.infer_design(
            opts.get("studies", ""))
        ratings = [r for kind in ("downgrade", "upgrade") if kind in grade.options
                   for r in rules.parse_ratings(grade.options[kind] or "", kind).ratings]
        estimate = parse_estimate(opts["relative"])[0] if opts.get("relative") else None
        problems = [("grade-inconsistent", rules.consistency_problem(certainty, design, ratings)),
                    ("grade-effect", rules.effect_problem(certainty, effect))]
        judgement = judge(grade.outcome, certainty, effect, declared, estimate, ratings,
                          opts.get("intervention") or grade.table.get("intervention", ""))
        problems += [(kind, text) for kind, text in judgement.problems if kind in JUDGED]
        return [(kind, text) for kind, text in problems if text]

    def _status(self, status: Status) -> Iterator[Finding]:
        days = self.project.max_age
        head = f"regulatory-status: {status.substance}"
        as_of = (status.as_of or "").strip()
        date = parse_date(as_of)
        if date is not None and date <= self.now and (self.now - date).days > days:
            yield Finding(status.file, status.line, "regulatory-stale", f"{head}: statuses are as of {as_of}, more "
                          f"than {days} days ago; check them again and update :as-of:")
        records: dict[str, FdaRecord] = {}
        for key in status.keys:
            record = self.store.get(key)
            if isinstance(record, FdaRecord):
                records[key_parts(key)[1]] = record
                continue
            source = for_kind(key_parts(key)[0])
            yield Finding(status.file, status.us_line, "missing", f"{head}: no {source.label if source else ''} "
                          f"record for {key_parts(key)[1]!r} in the lockfile, so the US status is not checked; run "
                          "'sphinx-evidence fetch' to add it", key)
        if records:
            oldest = min(r.checked for r in records.values())
            age = age_in_days(oldest, self.now)
            if age is None or age > days:
                names = ", ".join(repr(name) for name in records)
                yield Finding(status.file, status.us_line, "regulatory-stale", f"{head}: the check of {names} dates "
                              f"from {oldest or 'an unknown date'}, more than {days} days ago; run 'sphinx-evidence "
                              "fetch' to check again", make_key("fda", next(iter(records))))

    def _uncited(self) -> Iterator[tuple[tuple[str, str], str, str]]:
        cited = {k for c in self.scan.cites for k in c.keys} | {k for s in self.scan.statuses for k in s.keys}
        used = cited | {self.store.canonical(k) for k in cited}
        # The build merges correction links into every cited work's record, whether or not it fetches new ones.
        config: Any = SimpleNamespace(evidence_correction_checks=True)
        sections: Any = self.store.sections
        for source in (s for s in REGISTRY if s.section in self.locked):
            section = sections.get(source.section) or {}
            wanted = source.wants(used, sections, config) if source.wants is not None else None
            for ident in section:
                key = make_key(source.kinds[0], ident)
                if (wanted is not None and ident in wanted) or (wanted is None and key in used):
                    continue
                message = (f"{source.label} record {ident!r} is not needed by any page; delete it from the lockfile, "
                           "or cite it")
                yield (source.section, ident), message, key


class _Collect(logging.Handler):
    """Keeps the lockfile reader's warnings as findings instead of printing them."""

    def __init__(self, lockfile_path: str) -> None:
        super().__init__(logging.WARNING)
        self.path = lockfile_path
        self.found: list[Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Turn one warning into a finding of its subtype (``lockfile`` …) at the file and line it names."""
        where = str(getattr(record, "location", "") or "")
        path, _, line = where.rpartition(":")
        place = (path, int(line)) if path and line.isdigit() else (self.path, 1)
        self.found.append(Finding(*place, str(getattr(record, "subtype", "") or "lockfile"), record.getMessage()))


def run(project_dir: str) -> tuple[list[Finding], Scan, list[str]]:
    """Check the project in ``project_dir``: its findings, what was scanned, and notes for standard error."""
    confdir = _require_confdir(project_dir)
    conf = _read_conf(confdir)
    notes: list[str] = []
    name = _value(conf, "evidence_lockfile", notes) or DEFAULT_LOCKFILE
    path = os.path.normpath(os.path.join(str(confdir), name))
    project = Project(path, int(_value(conf, "evidence_regulatory_max_age_days", notes)))
    collect = _Collect(path)
    logger = log.logger.logger
    propagate, level = logger.propagate, logger.level
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    logger.addHandler(collect)
    try:
        try:
            sections = lockfile.load(Path(path))
        except lockfile.LockfileError as exc:
            raise CommandError(f"{exc}; nothing was checked", USAGE) from exc
        # Declared works join the records as the build's manual-records stage adds them.
        declared = manual.load(manual.file_path(confdir, conf.get("evidence_manual_records"))).records
        store = Store({**sections, manual.SECTION: declared} if declared else sections, {})
        scan = scan_project(str(confdir), conf)
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace") if os.path.isfile(path) else ""
        found = Checker(scan, store, project, set(sections)).findings(not scan.unread, text)
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
        logger.setLevel(level)
    notes += [f"{why}; records only it may cite are not reported as uncited" for why in scan.unread]
    return _ordered([*found, *collect.found]), scan, notes


def _escape(text: str, prop: bool = False) -> str:
    """Text for a GitHub Actions workflow command (a property value escapes ``:`` and ``,`` too)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(findings: list[Finding], fmt: str) -> str:
    """The findings as ``text`` (one line each), ``json`` (a list) or ``github`` (workflow annotations)."""
    if fmt == "json":
        rows = [{**asdict(f), "severity": f.severity} for f in findings]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "github":
        return "".join(f"::{f.severity} file={_escape(f.file, True)},line={f.line},title={_escape(f.kind, True)}"
                       f"::{_escape(f.message)}\n" for f in findings)
    return "".join(f"{f.file}:{f.line}: {f.severity}: {f.message} [{f.kind}]\n" for f in findings)


def _summary(findings: list[Finding], scan: Scan) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    return (f"{errors} error(s), {warnings} warning(s) in {scan.pages} page(s)" if findings
            else f"no findings in {scan.pages} page(s)")


def cmd_check(args: argparse.Namespace) -> int:
    """Report what the project's pages and lockfile would make a build warn about; exit 1 on findings at --fail-on."""
    findings, scan, notes = run(args.project)
    sys.stdout.write(render(findings, args.format))
    for note in notes:
        _say(note)
    _say(_summary(findings, scan))
    failing = [f for f in findings if args.fail_on == WARNING or f.severity == ERROR]
    return FAILED if failing else OK


def add_parser(sub: Any) -> None:
    """Add the ``check`` command to the command line's subcommands."""
    check = sub.add_parser("check", help="check citations, grades and statuses against the lockfile, without building")
    check.add_argument("project", help="directory holding conf.py (or docs/conf.py)")
    check.add_argument("--fail-on", choices=(ERROR, WARNING), default=ERROR,
                       help="exit with status 1 on errors only (default), or on warnings too")
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="text (default), json, or github (GitHub Actions annotations)")
    check.set_defaults(func=cmd_check)
