"""The committed metadata lockfile: load, check, merge and atomic save.

The file is JSON with one object per source (``pubmed``, ``crossref``,
``openfda``), each mapping an identifier to its record.  Keys are sorted and
the formatting is fixed so that diffs stay reviewable.

The file is untrusted input.  Reading checks every record (see
:mod:`sphinxext_evidence.records.schema`), warns about each damaged one and
repairs it or leaves it out; only a file that is not JSON at all is given up
on as a whole.  Saving writes back everything it does not replace exactly as
it found it, damaged records included, so that nothing the user could still
repair is lost; a file that cannot be rewritten without losing what it holds
is left alone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinxext_evidence import log
from sphinxext_evidence.records import atomic, keys, parsing, schema
from sphinxext_evidence.records.schema import (
    Finding,
    check_record,
    check_sections,
    kind,
)


FORMAT_VERSION = 1
NOTE = "Metadata cached by sphinxext-evidence. Commit this file; rebuilds use it instead of the network."
_META = ("note", "version")
_MISSING = object()

Sections = dict[str, dict[str, dict[str, Any]]]


class LockfileError(OSError):
    """The lockfile exists but cannot be read as a lockfile, or cannot be rewritten without losing what it holds."""

    location: str | None = None  # ``path:line:column`` of the error, when it has one


@dataclass
class _File:
    """A lockfile as read: its top level, its text, its fingerprint, and the findings of parsing it."""

    data: Any
    text: str
    fingerprint: str
    findings: list[Finding] = field(default_factory=list)
    repeated: bool = False  # some object below a section gives a key twice


def load(path: Path) -> Sections:
    """Read the lockfile at ``path`` for a tool; a missing file is an empty lockfile.

    Unlike a build, which warns and carries on, a tool is told by a
    :class:`LockfileError` that a file whose top level is not an object has nothing to read.
    """
    found = _open(path)
    if found is not None and not isinstance(found.data, dict):
        raise LockfileError(f"{path} is not a version {FORMAT_VERSION} evidence lockfile: it is "
                            f"{kind(found.data)}, not an object with one section per service")
    return _report(path, found).sections


def read(path: Path) -> tuple[Sections, str]:
    """Read the lockfile at ``path``, warning about each damaged part, and fingerprint it ('' when there is no file).

    Raises :class:`LockfileError` only when the file cannot be read or is not JSON.
    """
    checked = read_checked(path)
    return checked.sections, checked.fingerprint


@dataclass
class Checked:
    """A lockfile as a build uses it: its usable records, its fingerprint, and its token when nothing was wrong."""

    sections: Sections
    fingerprint: str
    token: str = ""  # names these bytes and these checks, when the checks found nothing wrong


def read_checked(path: Path) -> Checked:
    """:func:`read`, with the file's token (see :func:`token_of`) when its checks found nothing wrong."""
    return _report(path, _open(path))


def token_of(path: Path) -> tuple[str, str]:
    """The fingerprint of the file at ``path`` and the token :func:`read_checked` gives it if sound ('' and '' if none)."""
    try:
        fingerprint = _fingerprint(path.read_bytes())
    except FileNotFoundError:
        return "", ""
    except OSError as exc:
        raise LockfileError(f"cannot read {path}: {exc}") from exc
    return fingerprint, _token(fingerprint)


def _report(path: Path, found: _File | None) -> Checked:
    """The usable records of ``found`` and its fingerprint, after a warning for each damaged part."""
    if found is None:
        return Checked({}, "")
    sections, findings, renamed = _check(found)
    for finding in findings:
        log.warn(finding.message, "lockfile", _where(path, found.text, finding.section, finding.ident))
    # A file whose keys had to be read in another form is checked every time: only checking renames them.
    return Checked(sections, found.fingerprint, "" if findings or renamed else _token(found.fingerprint))


def _token(fingerprint: str) -> str:
    """``fingerprint`` qualified by the checks that judged it: the package version and the source of the checks."""
    return f"{_checks_version()}:{fingerprint}"


@functools.cache
def _checks_version() -> str:
    from sphinxext_evidence import __version__
    from sphinxext_evidence.sources import REGISTRY  # the sources import this package

    modules = sorted({__name__, schema.__name__, *(source.shape.__module__ for source in REGISTRY)})
    return f"{__version__}-{_fingerprint(b''.join(Path(sys.modules[m].__file__ or '').read_bytes() for m in modules))}"


def _open(path: Path) -> _File | None:
    """The file at ``path`` parsed (a byte-order mark is allowed), or None when there is no file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LockfileError(f"cannot read {path}: {exc}") from exc
    fingerprint = _fingerprint(raw)
    try:
        text = raw.decode("utf-8-sig")
        if not text.strip():
            return _File({}, text, fingerprint, [Finding("the lockfile is empty; it is read as having no records")])
        with parsing.without_gc():
            data, repeated = parsing.parse(text)
    except ValueError as exc:  # a UnicodeDecodeError is a ValueError
        error = LockfileError(f"{path} is not valid JSON ({exc}); fix or delete it")
        if isinstance(exc, json.JSONDecodeError):
            error.location = f"{path}:{exc.lineno}:{exc.colno}"
        raise error from None
    return _File(data, text, fingerprint, _merge_repeated_sections(data), repeated > 0)


def _merge_repeated_sections(data: Any) -> list[Finding]:
    """Join a section given twice (as merging by hand can leave it) into one; what is given twice is reported."""
    findings: list[Finding] = []
    for name, value in getattr(data, "earlier", ()):
        if isinstance(value, dict) and isinstance(data[name], dict) and name in schema.shapes():
            data[name] = parsing.pairs([*value.items(), *data[name].items()])
            findings.append(Finding(f"section {name!r} appears twice; the records of both are read (and written "
                                    "back as one section)", name))
        else:
            findings.append(Finding(f"{name!r} appears twice at the top of the lockfile; the last one is read "
                                    "(and only it is written back)", name))
    return findings


def _check(found: _File, known: Callable[[str, str], bool] | None = None) -> tuple[Sections, list[Finding], bool]:
    """The records of ``found`` the build may use, everything wrong with it, and whether a key was read renamed.

    ``known`` tells of records already found sound (see :func:`~.schema.check_sections`).
    """
    data = found.data
    if not isinstance(data, dict):
        return {}, [*found.findings, Finding(
            f"the lockfile is {kind(data)}, not an object with one section per service: no records are read from "
            "it, and it is not rewritten (fix it, or delete it to fetch every record again)")], False
    findings = list(found.findings)
    version = data.get("version", _MISSING)
    if not (type(version) is int and version == FORMAT_VERSION):
        findings.append(Finding(_version_problem(version), "version"))
    sections, more = check_sections(data, _META, known)
    findings.extend(more)
    for name in sections:
        findings.extend(Finding(f"{name} record {ident!r} appears twice; the later one is used, and the other is "
                                "dropped when the file is next written", name, ident)
                        for ident, _ in getattr(data[name], "earlier", ()))
        for ident, record in data[name].items() if found.repeated else ():
            findings.extend(Finding(f"{name} record {ident!r}: {where!r} appears twice; the later one is used, and "
                                    "the other is dropped when the file is next written", name, ident)
                            for where in parsing.repeated_keys(record))
    sections, more, renamed = keys.normalise(sections)
    return sections, [*findings, *more], renamed


def _version_problem(version: Any) -> str:
    if _newer(version):
        return (f"the lockfile is version {version}, newer than the version {FORMAT_VERSION} this "
                "sphinxext-evidence reads: its records are read where they are valid, but the file is not "
                "rewritten; upgrade sphinxext-evidence")
    what = 'has no "version"' if version is _MISSING else \
        f'has "version" {json.dumps(version)[:40]}, not {FORMAT_VERSION}'
    return f"the lockfile {what}; it is read as version {FORMAT_VERSION} (and written as such)"


def _newer(version: Any) -> bool:
    return type(version) is int and version > FORMAT_VERSION


def _unwritable(data: Any) -> str:
    """Why ``data`` must not be rewritten ('' when it may be)."""
    if not isinstance(data, dict):
        return f"it is {kind(data)}, not an object, and rewriting it would lose what it holds"
    if _newer(data.get("version")):
        return f"it is version {data['version']}, written by a newer sphinxext-evidence; upgrade to save records in it"
    return ""


def _where(path: Path, text: str, section: str, ident: str) -> str:
    """``path:line`` of the record ``ident`` in ``section`` (of the section, or line 1, when not found)."""
    pos = 0
    for key in (section, ident):
        match = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(text, pos) \
            if key else None
        if match is None:
            break
        pos = match.start()
    line = text.count("\n", 0, pos) + 1
    return f"{path}:{line}"


def _fingerprint(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _encode(text: str) -> bytes:
    # A lone surrogate (kept from a "\ud800" escape in a damaged record) becomes that escape again.
    return text.encode("utf-8", "backslashreplace")


def _compact(data: Any, default: Callable[[Any], Any] | None = None) -> str:
    """``data`` as compact JSON with sorted keys (what :func:`digest` fingerprints)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=default)


def digest(data: Any) -> str:
    """A short fingerprint of JSON-like ``data`` (a record or all sections)."""
    return _fingerprint(_encode(_compact(data, default=str)))


def dumps(sections: Mapping[str, Any]) -> str:
    """Serialise ``sections`` deterministically (sorted keys, two-space indent, final newline).

    Empty sections are left out; a value that is not a section (a damaged one) is written as it is.
    """
    data: dict[str, Any] = {"note": NOTE, "version": FORMAT_VERSION}
    data.update({name: dict(value) if isinstance(value, Mapping) else value
                 for name, value in sections.items() if value or not isinstance(value, Mapping)})
    return parsing.dumps(data) + "\n"


@dataclass(frozen=True)
class RecordText:
    """A record as :func:`save` writes it inside its section, made ahead of time, and what its check found."""

    compact: str  # the record's compact JSON, to tell that it has not changed since
    indented: str
    sound: bool  # the schema found nothing wrong with it


def record_text(section: str, ident: str, record: dict[str, Any]) -> RecordText:
    """The text :func:`save` would write for record ``ident`` of ``section``, and whether the schema finds it sound.

    A fetch makes it while it waits its turn for the network, so that saving
    many records neither writes nor checks them again.
    """
    indented = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n    ")
    return RecordText(_compact(record), indented, check_record(section, ident, record)[1] is None)


def _unchanged(record: Any, made: RecordText) -> bool:
    try:
        return _compact(record) == made.compact
    except (TypeError, ValueError):
        return False


def _with_texts(data: dict[str, Any], updates: Mapping[str, Mapping[str, Any]],
                texts: Mapping[str, Mapping[str, RecordText]]) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    """``data`` with each record of ``updates`` that is there unchanged standing as its text made ahead of time.

    Also the records among them (section, identifier) found sound when their text was made.
    """
    out = dict(data)
    sound: set[tuple[str, str]] = set()
    for section, given in texts.items():
        current = out.get(section)
        if not given or not isinstance(current, dict):
            continue
        copied: dict[str, Any] | None = None
        for ident, record in updates.get(section, {}).items():
            made = given.get(ident)
            if made is None or current.get(ident) is not record or not _unchanged(record, made):
                continue
            if copied is None:
                copied = out[section] = dict(current)
            copied[ident] = parsing.Raw(made.indented, "a record made ready while fetching")
            if made.sound:
                sound.add((section, ident))
    return out, sound


def save(path: Path, updates: Mapping[str, Mapping[str, dict[str, Any]]],
         texts: Mapping[str, Mapping[str, RecordText]] | None = None) -> tuple[Sections, str]:
    """Merge ``updates`` into the file at ``path`` atomically; return the records the build may use and a fingerprint.

    The current file is re-read under a lock, so records written meanwhile by
    another build are kept; records are only ever added or replaced, never
    removed, and everything not replaced (damaged records too) is written back
    as it was.  Raises :class:`LockfileError` rather than rewrite a file it
    cannot merge into without losing what it holds.  ``texts`` holds, by
    section and identifier, what :func:`record_text` made of records of
    ``updates``; each is written as made when its record is still the same.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic.exclusive(path) as directory:
        atomic.remove_leftovers(path, locked=directory is not None)
        found = _open(path)
        data = found.data if found is not None else {}
        reason = _unwritable(data)
        if reason:
            raise LockfileError(f"{path} is left as it is: {reason}")
        unsaved = _merge(path, data, updates, found.text if found is not None else "")
        data.update(note=NOTE, version=FORMAT_VERSION)
        ready, sound = _with_texts({k: v for k, v in data.items() if k not in _META}, updates, texts or {})
        text = dumps(ready)
        content = _encode(text)
        atomic.write(path, content, directory)
    with parsing.without_gc():
        sections, findings, _ = _check(_File(data, text, _fingerprint(content)), lambda s, i: (s, i) in sound)
    for finding in findings:  # what was just fetched, if damaged; the rest was reported when the file was read
        if finding.ident in updates.get(finding.section, {}):
            log.warn(finding.message, "lockfile", _where(path, text, finding.section, finding.ident))
    for section, records in unsaved.items():
        sections.setdefault(section, {}).update(records)
    return sections, digest(sections) if unsaved else _fingerprint(content)


def _merge(path: Path, data: dict[str, Any], updates: Mapping[str, Mapping[str, dict[str, Any]]],
           text: str) -> dict[str, dict[str, Any]]:
    """Add ``updates`` to ``data`` (the file's top level, read from ``text``); return those with no section to go in."""
    unsaved: dict[str, dict[str, Any]] = {}
    for section, records in updates.items():
        current = data.setdefault(section, {})
        if not isinstance(current, dict):
            unsaved[section] = dict(records)
            log.warn(f"{len(records)} new {section} record(s) are not saved: the lockfile's section {section!r} is "
                     f"{kind(current)}, not an object, and is left as it is; they are used for this build only "
                     "(fix or delete the section)", "lockfile", _where(path, text, section, ""))
            continue
        otherwise: dict[str, str] | None = None  # a record kept under its key written another way is replaced there
        for ident, record in records.items():
            if ident not in current:
                otherwise = keys.written_otherwise(section, current) if otherwise is None else otherwise
                ident = otherwise.get(ident, ident)
            old = current.get(ident, record)
            if old != record and section in schema.shapes() and check_record(section, ident, old)[1] is not None:
                log.warn(f"{section} record {ident!r} was damaged in the lockfile; it is replaced by the record "
                         "just fetched", "lockfile", _where(path, text, section, ident))
            current[ident] = record
    return unsaved
