"""Works with no PMID or DOI (a guideline PDF, a drug label, a web page, a book), declared by the author in a file.

The file named by ``evidence_manual_records`` (YAML; JSON is YAML too) lists
CSL-JSON items, each with an ``id``; pages cite them as ``:work:`who-2023```.
Nothing is fetched: this source's client reads the file, and once the fetch
stage has made the build's store, :func:`merge` adds the file's records to it,
so they reach renderers, numbering and exports like any other record.  Every
entry is checked; a bad one is a warning naming the file, the line and the entry.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.application import Sphinx

from sphinxext_evidence import log
from sphinxext_evidence.dates import today
from sphinxext_evidence.identifiers import WORK, make_key
from sphinxext_evidence.records.model import TITLE_TAGS, Article
from sphinxext_evidence.records.schema import kind as kind_of
from sphinxext_evidence.sources.base import FetchResult, Source
from sphinxext_evidence.text import clean_text, safe_url

if TYPE_CHECKING:
    import yaml

SECTION = "manual"
#: The item types of CSL 1.0.2.
CSL_TYPES = frozenset(
    "article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection "
    "dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview legal_case "
    "legislation manuscript map motion_picture musical_score pamphlet paper-conference patent performance periodical "
    "personal_communication post post-weblog regulation report review review-book software song speech standard "
    "thesis treaty webpage".split())
NAMES = frozenset(
    "author chair collection-editor compiler composer container-author contributor curator director editor "
    "editorial-director executive-producer guest host illustrator interviewer narrator organizer original-author "
    "performer producer recipient reviewed-author script-writer series-creator translator".split())
DATES = frozenset("accessed available-date event-date issued original-date submitted".split())
TEXTS = frozenset(
    "abstract annote archive archive_collection archive_location archive-place authority call-number citation-key "
    "citation-label collection-title container-title container-title-short dimensions division event event-title "
    "event-place genre ISBN ISSN jurisdiction keyword language medium note original-publisher "
    "original-publisher-place original-title part-title PMCID publisher publisher-place references reviewed-genre "
    "reviewed-title scale source status title-short volume-title volume-title-short year-suffix chapter-number "
    "collection-number edition issue locator number number-of-pages number-of-volumes page page-first part printing "
    "section supplement version volume".split())
_UPPER = {name.lower(): name for name in ("URL", "ISBN", "ISSN", "PMCID", "DOI", "PMID")}
_NAME_PARTS = frozenset("family given dropping-particle non-dropping-particle suffix literal".split())
_DATE_TEXT = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")
# A YAML timestamp's time of day (kept as text: see manual_yaml), read only to check it and then dropped.
_TIME = re.compile(r"(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]*)?"
                   r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?")
_TAGS = re.compile(rf"&lt;(/?)({'|'.join(TITLE_TAGS)})&gt;")
TYPE_HINT = "such as report, webpage, book, chapter, document, legislation"


#: Warning subtype: for an id that is not valid, and for anything else wrong with the file.
FILE_SUBTYPES = {"id": "invalid-work", "other": "manual-record"}


@dataclass
class Problem:
    """One thing wrong with the file: the message, its line (0: there is no file), whether it is a bad id."""

    message: str
    line: int = 0
    bad_id: bool = False


@dataclass
class Declared:
    """What a manual records file declares: CSL-JSON records by id, their lines, and what is wrong."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read(path: Path) -> Declared:
    """Read and check the file at ``path``; nothing is logged (see :func:`load`)."""
    # PyYAML is imported only here, by the projects that have a file to read: it costs every build a few
    # hundredths of a second.
    import yaml

    from sphinxext_evidence.sources import manual_yaml

    found = Declared()
    try:
        root = manual_yaml.compose(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        found.problems.append(Problem(f"cannot read {path.name}: {exc}; no manual records are read", 1))
        return found
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = " ".join(str(getattr(exc, "problem", "") or exc).split())
        found.problems.append(Problem(f"{path.name} is not valid YAML ({what}); no manual records are read",
                                      mark.line + 1 if mark is not None else 1))
        return found
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        return found
    if not isinstance(root, (yaml.SequenceNode, yaml.MappingNode)):
        found.problems.append(Problem(f"{path.name} holds {_kind(root)}, not a list of entries (each a "
                                      "mapping of CSL fields with an id); no manual records are read", 1))
        return found
    for number, entry in enumerate(manual_yaml.entries(root), start=1):
        try:
            item = manual_yaml.construct(entry.node)
            if entry.key is not None:  # ``id: {fields}`` instead of a list of items with an id each
                item = _with_id(item, manual_yaml.construct(entry.key), entry.line)
        except manual_yaml.Unreadable as exc:
            ident = manual_yaml.entry_id(entry.node) or (str(entry.key.value)[:100] if entry.key else "")
            name = f"entry {ident!r}" if ident else f"entry {number}"
            field = f"'{exc.field}' " if exc.field else ""
            found.problems.append(Problem(f"{name}: {field}cannot be read ({exc}); the entry is ignored",
                                          exc.line))
            continue
        _entry(item, number, entry.line, found)
    return found


def _kind(node: yaml.Node) -> str:
    from sphinxext_evidence.sources import manual_yaml

    try:
        return kind_of(manual_yaml.construct(node))
    except manual_yaml.Unreadable:
        return "a value that cannot be read"


def _with_id(value: Any, key: Any, line: int) -> Any:
    from sphinxext_evidence.sources.manual_yaml import Mapping

    if not isinstance(value, Mapping) or "id" in value:
        return value
    value["id"] = key
    value.key_lines.setdefault("id", line)
    return value


def _entry(item: Any, number: int, line: int, found: Declared) -> None:
    """Check entry ``number`` (at ``line``); add its record to ``found`` when it can be used."""
    from sphinxext_evidence.sources.manual_yaml import Mapping

    if not isinstance(item, Mapping):
        found.problems.append(Problem(f"entry {number} is {kind_of(item)}, not a mapping of CSL fields; it is "
                                      "ignored", line))
        return
    raw_id = item.get("id")
    ident = WORK.parse(str(raw_id)) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
    if ident is None:
        what = "has no id" if raw_id is None else f"has the id '{raw_id}', which is not valid ({WORK.hint})"
        found.problems.append(Problem(f"entry {number} {what}; it is ignored", item.line, bad_id=True))
        return
    name = f"entry {ident!r}"
    if ident in found.records:
        found.problems.append(Problem(f"{name} is declared twice (first at line {found.lines[ident]}); the later "
                                      "one is ignored", item.line))
        return
    written = {_UPPER.get(str(k).lower(), str(k)): str(k) for k in item if k != "id"}
    fields = {csl_name: item[original] for csl_name, original in written.items()}
    cited_by = [(k, fields[k]) for k in ("PMID", "DOI") if fields.get(k)]
    if cited_by:
        kind, value = cited_by[0]
        found.problems.append(Problem(f"{name} has a {kind} ({value}): cite it as :{kind.lower()}:`{value}`, so "
                                      "that its metadata and retraction status are fetched and checked; this entry "
                                      "is ignored", item.line))
        return
    problems: list[tuple[str, str]] = []
    record = _record(ident, fields, problems)
    where = item.line
    for key, message in problems:
        found.problems.append(Problem(f"{name}: {message}", item.key_lines.get(written.get(key, key), where)))
    if not record.get("title"):
        found.problems.append(Problem(f"{name} has no title; it is ignored", where))
        return
    found.records[ident] = record
    found.lines[ident] = where


def _record(ident: str, fields: dict[str, Any], problems: list[tuple[str, str]]) -> dict[str, Any]:
    """The CSL-JSON record of one entry; what cannot be used is left out and described in ``problems``."""
    record: dict[str, Any] = {"id": make_key(WORK.name, ident), "type": "document"}
    for key, value in fields.items():
        used, problem = _value(key, value)
        if used not in (None, "", []):
            record[key] = used
        if problem:
            problems.append((key, problem))
    return record


def _value(key: str, value: Any) -> tuple[Any, str]:
    """Field ``key`` of an entry as CSL-JSON has it (None: left out), and what is wrong with it ('' if nothing)."""
    if key == "type":
        kind = clean_text(value).lower()
        return (kind, "") if kind in CSL_TYPES else (
            "document", f"'type' {value!r} is not a CSL item type ({TYPE_HINT}); 'document' is used")
    if key == "title":
        return _title(value) if isinstance(value, (str, int, float)) else None, ""
    if key == "URL":
        url = safe_url(value)
        return url, "" if url else f"'URL' {value!r} is not an http(s) address; it is ignored"
    if key in NAMES:
        names = _names(value)
        return names, "" if names else f"'{key}' is not a name or a list of names; it is ignored"
    if key in DATES:
        date = _date(value)
        return date, "" if date else f"'{key}' {value!r} is not a date (2023, 2023-06 or 2023-06-14); it is ignored"
    if key in TEXTS:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return clean_text(value), ""
        return None, f"'{key}' is {kind_of(value)}, not text; it is ignored"
    close = difflib.get_close_matches(key, sorted(NAMES | DATES | TEXTS | {"title", "type", "URL"}), n=1)
    return None, f"unknown field '{key}' is ignored" + (f" (did you mean '{close[0]}'?)" if close else
                                                         " (it is not a CSL field)")


def _title(value: Any) -> str:
    """A title stored as the lockfile stores one: HTML-escaped text in which only the title tags are markup."""
    return _TAGS.sub(r"<\1\2>", html.escape(clean_text(value), quote=False))


def _names(value: Any) -> list[dict[str, str]]:
    """Names written as CSL name objects, as ``Family, Given``, or as a collective name; [] when one is not a name."""
    names = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and clean_text(item):
            family, comma, given = clean_text(item).partition(",")
            names.append({"family": family.strip(), "given": given.strip()} if comma and given.strip() and
                         "," not in given else {"literal": clean_text(item)})
        elif isinstance(item, dict) and item and set(map(str, item)) <= _NAME_PARTS and all(
                isinstance(v, str) for v in item.values()):
            names.append({str(k): clean_text(v) for k, v in item.items() if clean_text(v)})
        else:
            return []
    return [n for n in names if n]


def _date(value: Any) -> dict[str, Any] | None:
    """A CSL date from ``2023``, ``"2023-06"``, a YAML date or a CSL date object; None when it is not one."""
    if isinstance(value, (dt.date, dt.datetime)):
        return {"date-parts": [[value.year, value.month, value.day]]}
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        clock = _TIME.fullmatch(value.strip(), match.end()) if match and match.group(3) else None
        if match and match.end() < len(value.strip()) and not (clock and _real_time(clock)):
            match = None
        parts = [int(p) for p in match.groups() if p] if match else []
        return {"date-parts": [parts]} if parts and _real(parts) else None
    if isinstance(value, dict) and isinstance(value.get("date-parts"), list):
        ranges = [[int(p) for p in r] for r in value["date-parts"][:2]
                  if isinstance(r, list) and r and all(re.fullmatch(r"[0-9]{1,4}", str(p)) for p in r[:3])]
        ranges = [r[:3] for r in ranges if _real(r[:3])]
        return {"date-parts": ranges} if ranges and len(ranges) == len(value["date-parts"][:2]) else None
    return None


def _real(parts: list[int]) -> bool:
    """True when ``[year, month, day]`` (as far as given) is a date on the calendar."""
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _real_time(clock: re.Match[str]) -> bool:
    hour, minute, second = (int(x) for x in clock.groups())
    return hour < 24 and minute < 60 and second < 61


def file_path(confdir: str | Path, setting: Any) -> Path | None:
    """Where the manual records file of a project is (None: the project names none)."""
    return Path(confdir, setting) if isinstance(setting, str) and setting.strip() else None


def load(path: Path | None) -> Declared:
    """Read the file at ``path`` (nothing when None), warning about each problem at its file and line."""
    if path is None:
        return Declared()
    if not path.is_file():
        found = Declared(problems=[Problem(f"the manual records file {path} (evidence_manual_records) does not "
                                           "exist; no manual records are read")])
    else:
        found = read(path)
    for problem in found.problems:
        subtype = FILE_SUBTYPES["id" if problem.bad_id else "other"]
        log.warn(problem.message, subtype, f"{path}:{problem.line}" if problem.line else None)
    return found


class ManualClient:
    """Hands out the records a file declares; never touches the network."""

    def __init__(self, declared: Declared) -> None:
        self.declared = declared

    def fetch(self, ids: list[str]) -> FetchResult:
        """The declared records of ``ids``; the others are unknown."""
        records = self.declared.records
        return FetchResult(records={i: records[i] for i in ids if i in records},
                           unknown={i for i in ids if i not in records})

    def close(self) -> None:
        """Nothing to release."""


def _client(app: Sphinx, day: str) -> ManualClient:
    return ManualClient(load(file_path(app.confdir, app.config.evidence_manual_records)))


def _parse(key: str, data: dict[str, Any]) -> Article:
    # No service keeps a declared work's status: it is what the file says, read by this build, so the warning
    # that a status was checked too long ago (and should be fetched again) does not apply.
    return replace(Article.from_csl(key, data), status_checked=today().isoformat())


def _fetched_by_no_one(keys: set[str], sections: Any, config: Any) -> set[str]:
    return set()


SOURCE = Source(SECTION, "manual records", kinds=(WORK.name,), section=SECTION, batch_size=1000, min_interval=0.0,
                min_interval_identified=0.0, client=_client, parse=_parse, stale=None, wants=_fetched_by_no_one,
                not_found="{label} is not declared: no entry of the evidence_manual_records file has this id; "
                          "add one, or check the id")
DIGESTS = "manual_digests"


def merge(app: Sphinx, env: Any) -> list[str]:
    """``env-updated``, after the fetch stage: add the file's records to the build's store; return pages to rewrite."""
    # Imported here: the stages import the source registry, which imports this module.
    from sphinxext_evidence.domain import get_domain
    from sphinxext_evidence.fetch import pages_needing
    from sphinxext_evidence.records.lockfile import digest
    from sphinxext_evidence.records.store import Store

    domain = get_domain(env)
    client = _client(app, today().isoformat())
    cited = {key.partition(":")[2] for _, key in domain.wanted() if key.partition(":")[0] == WORK.name}
    result = client.fetch(sorted(cited | set(client.declared.records)))
    store = domain.store
    unknown: dict[str, list[str]] = {SECTION: sorted(result.unknown)}
    for item in store.unknown:
        section, _, ident = item.partition(":")
        unknown.setdefault(section, []).append(ident)
    domain.set_store(Store({**store.sections, SECTION: result.records}, unknown), getattr(domain, "failures", []))
    now = {f"{SECTION}:{i}": digest(r) for i, r in result.records.items()}
    now.update({f"{SECTION}:{i}": "unknown" for i in result.unknown})
    before: dict[str, str] = domain.data.get(DIGESTS, {})
    domain.data[DIGESTS] = now
    return sorted(pages_needing(domain, {key for key in before.keys() | now.keys() if before.get(key) != now.get(key)}))
