"""What a well-formed lockfile record is, section by section, and how a damaged one is read.

The lockfile is committed, edited by hand, merged by git and written by other
versions of the extension, so nothing in it is trusted.  Each record is
checked against the shape its section's writer produces.  A damaged field
that cannot change what a page says about a work's standing (a title, the
authors, a date) is dropped and the rest of the record used.  Damage to what
says whether a work is retracted or a drug approved (notices, publication
types, the date of the last check, openFDA's applications) is *vital*: the
record is left out, so that it shows as missing (and is fetched again online)
rather than as clean.  Nothing here changes the file; every problem becomes a
:class:`Finding` for the caller to report.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sphinxext_evidence.records.parsing import Raw

#: A check reads one value at ``path`` and returns it (repaired) or :data:`DROP`, telling ``found`` what is wrong.
Check = Callable[[Any, str, bool, "_Problems"], Any]

DROP = object()  # the value cannot be used
#: A number this large (a volume, a page) is damage, not data.
LARGEST = 10**15

# Lone surrogates (a JSON "\ud800" escape) are not text: they cannot even be written as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# An absolute http(s) address without whitespace or controls (browsers drop those: "java\nscript:").
_URL = re.compile(r"(?i)https?://[^\s\x00-\x1f\x7f-\x9f/?#@:][^\s\x00-\x1f\x7f-\x9f]*")


@dataclass(frozen=True)
class Finding:
    """A problem to report: its message, the record it is about (no ``ident``: the file), whether that is left out."""

    message: str
    section: str = ""
    ident: str = ""
    skipped: bool = False


def record_finding(section: str, ident: str, problems: list[str], skipped: bool) -> Finding:
    """The finding for a damaged record: which record, what is wrong, and what the build does about it."""
    done = "the record is not used" if skipped else "the rest of the record is used"
    return Finding(f"{section} record {ident!r}: {'; '.join(problems)}; {done} (the file keeps the record as it "
                   "is: fix it there, or delete it to have it fetched again)", section, ident, skipped)


@dataclass
class _Problems:
    """The problems found in one record so far, and whether one of them is vital."""

    found: list[str] = field(default_factory=list)
    vital: bool = False

    def bad(self, path: str, what: str, vital: bool) -> object:
        """Note that the value at ``path`` ``what`` (``is a string, not a list``); return :data:`DROP`."""
        self.found.append(f"{path!r} {what}")
        self.vital = self.vital or vital
        return DROP


@dataclass(frozen=True)
class Field:
    """One field of a shape: its check, whether damage to it leaves the record out, whether it must be there."""

    check: Check
    vital: bool = False
    required: bool = False


def kind(value: Any) -> str:
    """The JSON type of ``value``, for messages: ``a string``, ``a list`` …."""
    if isinstance(value, Raw):
        return value.what
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def is_text(value: Any) -> bool:
    """True for a string that can be written as UTF-8."""
    return isinstance(value, str) and not _SURROGATE.search(value)


def _text(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    return value if is_text(value) else found.bad(path, f"is {kind(value)}, not text", vital)


def _name(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    if is_text(value) and value.strip():
        return value
    return found.bad(path, "is empty" if is_text(value) else f"is {kind(value)}, not text", vital)


def _scalar(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    """Text or a number (CSL's number variables, such as a volume, may be either)."""
    if is_text(value):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A float always is finite here (see parsing); one this large only shows as 1e+308.
        return value if abs(value) < LARGEST else found.bad(path, f"is {value:.3g}, too large a number to show", vital)
    return found.bad(path, f"is {kind(value)}, not text or a number", vital)


def _flag(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    return value if isinstance(value, bool) else found.bad(path, f"is {kind(value)}, not true or false", vital)


def _any_scalar(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    if isinstance(value, bool):
        return value
    return _scalar(value, path, vital, found)


def _count(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return found.bad(path, f"is {kind(value)}, not a whole number of at least 0", vital)


def _day(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    """An ISO date (``2026-01-31``), or '' for none."""
    if not is_text(value):
        return found.bad(path, f"is {kind(value)}, not a date (YYYY-MM-DD)", vital)
    try:
        if value and not (_DAY.fullmatch(value) and dt.date.fromisoformat(value)):
            raise ValueError(value)
    except ValueError:
        return found.bad(path, f"is {value[:40]!r}, not a date (YYYY-MM-DD)", vital)
    return value


def _url(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    if not is_text(value):
        return found.bad(path, f"is {kind(value)}, not text", vital)
    if value and not _URL.fullmatch(value):
        return found.bad(path, "is not an http(s) address", vital)
    return value


def _list_of(item: Check) -> Check:
    """A list whose every item passes ``item`` (one bad item makes the whole list unusable)."""

    def check(value: Any, path: str, vital: bool, found: _Problems) -> Any:
        if not isinstance(value, list):
            return found.bad(path, f"is {kind(value)}, not a list", vital)
        items = []
        for i, x in enumerate(value):
            start = len(found.found)
            clean = item(x, f"{path}[{i}]", vital, found)
            if clean is DROP:
                found.found[start:] = [f"{'; '.join(found.found[start:])}, so {path!r} is not used"]
                return DROP
            items.append(clean)
        return items

    return check


def _object(fields: dict[str, Field]) -> Check:
    """An object with the given fields: unknown ones are dropped, each known one checked, required ones present."""

    def check(value: Any, path: str, vital: bool, found: _Problems) -> Any:
        if not isinstance(value, dict):
            return found.bad(path, f"is {kind(value)}, not an object", vital)
        out: dict[str, Any] = {}
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            spec = fields.get(key)
            clean = found.bad(where, "is not a known field", False) if spec is None else \
                spec.check(item, where, spec.vital, found)
            if clean is not DROP:
                out[key] = clean
        for key, spec in fields.items():
            if spec.required and key not in value:
                found.bad(f"{path}.{key}" if path else key, "is missing", spec.vital)
        return out

    return check


def _date_parts(value: Any, path: str, vital: bool, found: _Problems) -> Any:
    """CSL's ``[[year, month, day]]`` (two lists for a range); numbers written as text are read as numbers."""
    ok = isinstance(value, list) and 1 <= len(value) <= 2 and all(
        isinstance(p, list) and 1 <= len(p) <= 3 for p in value)
    parts = [[_whole(x) for x in p] for p in value] if ok else []
    if not ok or any(x is None for p in parts for x in p):
        return found.bad(path, "is not a list of [year, month, day] numbers", vital)
    if parts != value:
        found.bad(path, "holds numbers written as text, read as numbers", False)
    dates = [_calendar([x for x in p if x is not None]) for p in parts]
    if not all(dates):
        return found.bad(path, f"has no year from 1 to 9999 in {str(parts)[:60]}", vital)
    if dates != parts:
        found.bad(path, f"{str(parts)[:60]} is not a date on the calendar; read as {dates}", False)
    return dates


def _calendar(parts: list[int]) -> list[int]:
    """``[year, month, day]`` as far as it is on the calendar (``[2012, 13, 45]`` → ``[2012]``); [] with no year."""
    if not 1 <= parts[0] <= 9999:
        return []
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= calendar.monthrange(parts[0], parts[1])[1]:
        return parts[:2]
    return parts


def _whole(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _vars(names: str, check: Check, **options: bool) -> dict[str, Field]:
    return {name: Field(check, **options) for name in names.split()}


NAME = _object({**_vars("family given dropping-particle non-dropping-particle suffix literal", _text),
                **_vars("comma-suffix static-ordering parse-names", _any_scalar)})
DATE = _object({"date-parts": Field(_date_parts), **_vars("season circa", _any_scalar),
                **_vars("literal raw edtf", _text)})
NOTICE = _object({"type": Field(_name, vital=True, required=True), **_vars("pmid source doi note origin", _text)})
CUSTOM = _object({
    "source": Field(_text), "crossref-type": Field(_text), "initials": Field(_list_of(_text)),
    "revised": Field(DATE), "container-issued": Field(DATE),  # a book chapter's revision, its book's dates
    "fetched": Field(_day, vital=True),
    "publication-types": Field(_list_of(_text), vital=True),
    "notices": Field(_list_of(NOTICE), vital=True),
})
#: CSL-JSON's variables (CSL 1.0.2), by type, with the extension's own ``custom``.
CSL = _object({
    **_vars("author chair collection-editor compiler composer container-author contributor curator director "
            "editor editorial-director executive-producer guest host illustrator interviewer narrator organizer "
            "original-author performer producer recipient reviewed-author script-writer series-creator "
            "translator", _list_of(NAME)),
    **_vars("accessed available-date event-date issued original-date submitted", DATE),
    **_vars("chapter-number citation-number collection-number edition first-reference-note-number issue "
            "locator number number-of-pages number-of-volumes page page-first part printing section "
            "supplement version volume", _scalar),
    **_vars("citation-key language journalAbbreviation shortTitle abstract annote archive archive_collection "
            "archive_location archive-place authority call-number citation-label collection-title "
            "container-title container-title-short dimensions division DOI event event-title event-place genre "
            "ISBN ISSN jurisdiction keyword medium note original-publisher original-publisher-place "
            "original-title part-title PMCID PMID publisher publisher-place references reviewed-genre "
            "reviewed-title scale source status title title-short volume-title volume-title-short year-suffix",
            _text),
    "id": Field(_scalar, required=True), "type": Field(_name, required=True), "URL": Field(_url),
    "categories": Field(_list_of(_text)), "custom": Field(CUSTOM),
})
APPLICATION = _object({
    "application_number": Field(_name, vital=True, required=True), "sponsor": Field(_text),
    "brand_names": Field(_list_of(_text)), "marketing_status": Field(_list_of(_text), vital=True, required=True),
    "approved": Field(_day),
})
FDA = _object({
    "name": Field(_text, required=True), "data_updated": Field(_text),
    "checked": Field(_day, vital=True, required=True), "total": Field(_count, vital=True, required=True),
    "applications": Field(_list_of(APPLICATION), vital=True, required=True),
})
STATUS = _object({
    "checked": Field(_day, vital=True, required=True), "in-crossref": Field(_flag),
    "notices": Field(_list_of(NOTICE), vital=True, required=True),
})

def shapes() -> dict[str, Check]:
    """The shape of every section's records, as each source in the registry declares it."""
    from sphinxext_evidence.sources import REGISTRY  # the sources import this module

    return {source.section: source.shape for source in REGISTRY}


def check_record(section: str, ident: str, record: Any) -> tuple[dict[str, Any] | None, Finding | None]:
    """The record as the build may use it (None: leave it out) and what is wrong with it (None: nothing)."""
    if not isinstance(record, dict) or not record:
        what = "it is empty" if isinstance(record, dict) else f"it is {kind(record)}, not an object"
        return None, record_finding(section, ident, [what], True)
    found = _Problems()
    clean = shapes()[section](record, "", False, found)
    if not found.found:
        return record, None  # the record itself, so that a good record is used exactly as stored
    skipped = found.vital or clean is DROP
    return (None if skipped else clean), record_finding(section, ident, found.found, skipped)


def check_sections(doc: dict[str, Any], skip: tuple[str, ...], known: Callable[[str, str], bool] | None = None,
                   ) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    """The usable records of every section of ``doc`` (keys in ``skip`` are not sections), and what is wrong.

    ``known(section, ident)`` tells of a record already checked and found sound, which is not checked again.
    """
    sections: dict[str, dict[str, Any]] = {}
    findings: list[Finding] = []
    for name, records in doc.items():
        if name in skip:
            continue
        if name not in shapes():
            findings.append(Finding(f"unknown section {name!r} is ignored (the file keeps it)", name))
        elif not isinstance(records, dict):
            findings.append(Finding(
                f"section {name!r} is {kind(records)}, not an object mapping identifiers to records; it is "
                "ignored (the file keeps it as it is: fix it there, or delete it to have its records fetched again)",
                name))
        else:
            sections[name] = {}
            for ident, record in records.items():
                if known is not None and known(name, ident):
                    sections[name][ident] = record
                    continue
                clean, finding = check_record(name, ident, record)
                findings.extend([finding] if finding else [])
                if clean is not None:
                    sections[name][ident] = clean
    return sections, findings
