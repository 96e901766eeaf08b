"""The lockfile is untrusted input: a damaged part is warned about and skipped or repaired, and never lost.

Each kind of damage is put into the lockfile an online build wrote for a small
project; an offline build must name what is wrong and still show every other
record, and an online build that adds a record must write every other record
back byte for byte, the damaged one included (or, when the file cannot be
rewritten without losing what it holds, leave the file alone).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import build_with, read, warnings

from sphinxext_evidence import dates
from sphinxext_evidence.records import atomic, lockfile, schema
from sphinxext_evidence.records import store as store_module
from sphinxext_evidence.records.model import Article, FdaApplication, FdaRecord, Notice
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.sources import REGISTRY

ROOT = Path(__file__).parent / "roots" / "test-lockfile-untrusted"
LOCK = "evidence.lock.json"
PMID = "21860499"  # a cited record, copied to make damaged ones
BAD = "99999999"  # an identifier no page cites, holding the damaged record
BAD_DRUG = "nodrug"
BAD_DOI = "10.5555/uncited"
NEW = "16080930"  # cited only by the online build, which adds its record
TITLE_BY_DOI = "Cerebrolysin in Patients With Acute Ischemic Stroke in Asia"
SHOWN = ("National Toxicology Program", "Artino AR Jr", "Leucocyte telomere length", TITLE_BY_DOI, "NDA213051")
DELETE = object()
TODAY = dates.today().isoformat()
SEMAGLUTIDE = {
    "name": "semaglutide", "checked": TODAY, "total": 2, "data_updated": "2025-07-09",
    "applications": [
        {"application_number": "NDA213051", "approved": "2019-09-20", "brand_names": ["RYBELSUS"],
         "marketing_status": ["Prescription"], "sponsor": "NOVO"},
        {"application_number": "NDA215256", "approved": "2021-06-04", "brand_names": ["WEGOVY"],
         "marketing_status": ["Prescription"], "sponsor": "NOVO"},
    ],
}
_GOOD: dict[str, Any] = {}


def canonical(data: Any) -> str:
    """``data`` in the lockfile's documented format: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def copy_project(dest: Path) -> Path:
    """A fresh copy of the test project."""
    shutil.copytree(ROOT, dest)
    return dest


@pytest.fixture
def good(make_app, eutils, tmp_path_factory) -> dict[str, Any]:
    """The lockfile an online build writes for the project, with an FDA check made today (made once)."""
    if not _GOOD:
        src = copy_project(tmp_path_factory.mktemp("good") / "src")
        (src / LOCK).write_text(canonical({"version": 1, "openfda": {"semaglutide": SEMAGLUTIDE}}), encoding="utf-8")
        app = build_with(make_app, src, eutils=eutils)
        assert "[evidence.lockfile]" not in warnings(app)
        _GOOD.update(json.loads((src / LOCK).read_text(encoding="utf-8")))
        assert {"pubmed", "crossref", "crossref-updates", "openfda"} <= set(_GOOD)
    return copy.deepcopy(_GOOD)


# --------------------------------------------------------------------------- kinds of damage

Damage = Callable[[dict[str, Any]], bytes]


def like(section: str, ident: str, changes: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    """A copy of a good record with ``changes`` (dotted paths; DELETE removes the field)."""

    def make(data: dict[str, Any]) -> Any:
        record = copy.deepcopy(data[section][ident])
        for dotted, value in changes.items():
            *parents, last = dotted.split(".")
            target = record
            for name in parents:
                target = target[name]
            if value is DELETE:
                del target[last]
            else:
                target[last] = value
        return record

    return make


def put(section: str, ident: str, value: Any) -> Damage:
    """Add a damaged record beside the good ones."""

    def damage(data: dict[str, Any]) -> bytes:
        data.setdefault(section, {})[ident] = value(data) if callable(value) else value
        return canonical(data).encode("utf-8")

    return damage


def top(key: str, value: Any) -> Damage:
    """Replace (or, with DELETE, remove) a key at the top of the file: a section, the version."""

    def damage(data: dict[str, Any]) -> bytes:
        if value is DELETE:
            del data[key]
        else:
            data[key] = value(data) if callable(value) else value
        return canonical(data).encode("utf-8")

    return damage


def whole(change: Callable[[str], str]) -> Damage:
    """Change the file's text."""
    return lambda data: change(canonical(data)).encode("utf-8")


@dataclass(frozen=True)
class Case:
    """One kind of damage, what the offline build must warn, what it must still show, whether the file is kept."""

    damage: Damage
    warning: str | None
    shown: tuple[str, ...] = SHOWN
    kept: bool = False  # the online build must not rewrite the file at all
    located: bool = True  # the warning's location is the lockfile (and line)


def record(section: str, ident: str, what: str, used: bool = False) -> str:
    """The warning about a damaged record: it names the record, what is wrong, and whether it is used."""
    outcome = "the rest of the record is used" if used else "the record is not used"
    return rf"{section} record '{re.escape(ident)}': {what}; {outcome} \(the file keeps"


PUBMED = "pubmed"
FDA = "openfda"
CASES: dict[str, Case] = {
    "record-is-a-string": Case(put(PUBMED, BAD, "not a record"),
                               record(PUBMED, BAD, "it is a string, not an object")),
    "record-is-a-list": Case(put(PUBMED, BAD, [1, 2]), record(PUBMED, BAD, "it is a list, not an object")),
    "record-is-empty": Case(put(PUBMED, BAD, {}), record(PUBMED, BAD, "it is empty")),
    "authors-are-a-string": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"author": "Smith J"})),
                                 record(PUBMED, BAD, "'author' is a string, not a list", used=True)),
    "an-author-is-a-string": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"author": ["Smith J"]})),
                                  record(PUBMED, BAD, "'author\\[0\\]' is a string, not an object, so 'author' is "
                                                      "not used", used=True)),
    "title-is-a-number": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"title": 12})),
                              record(PUBMED, BAD, "'title' is a number, not text", used=True)),
    "date-is-a-string": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"issued": "2011"})),
                             record(PUBMED, BAD, "'issued' is a string, not an object", used=True)),
    "date-parts-hold-words": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"issued": {"date-parts": [["2011", "June"]]}})),
                                  record(PUBMED, BAD, r"'issued.date-parts' is not a list of \[year, month, day\] "
                                                      "numbers", used=True)),
    "date-parts-hold-digits": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"issued": {"date-parts": [["2011", "6"]]}})),
                                   record(PUBMED, BAD, "'issued.date-parts' holds numbers written as text, read as "
                                                       "numbers", used=True)),
    "fetch-time-is-a-number": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"custom.fetched": 20261130})),
                                   record(PUBMED, BAD, r"'custom.fetched' is a number, not a date \(YYYY-MM-DD\)")),
    "fetch-time-is-not-a-date": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"custom.fetched": "yesterday"})),
                                     record(PUBMED, BAD, r"'custom.fetched' is 'yesterday', not a date \(YYYY-MM-DD\)")),
    "notices-not-a-list": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"custom.notices": "RetractionIn"})),
                               record(PUBMED, BAD, "'custom.notices' is a string, not a list")),
    "notice-without-a-type": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"custom.notices": [{"pmid": "1"}]})),
                                  record(PUBMED, BAD, r"'custom.notices\[0\].type' is missing")),
    "publication-types-not-a-list": Case(
        put(PUBMED, BAD, like(PUBMED, PMID, {"custom.publication-types": "Retracted Publication"})),
        record(PUBMED, BAD, "'custom.publication-types' is a string, not a list")),
    "unknown-key": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"colour": "blue"})),
                        record(PUBMED, BAD, "'colour' is not a known field", used=True)),
    "script-address": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"URL": "javascript:alert(1)"})),
                           record(PUBMED, BAD, r"'URL' is not an http\(s\) address", used=True)),
    "type-is-missing": Case(put(PUBMED, BAD, like(PUBMED, PMID, {"type": DELETE})),
                            record(PUBMED, BAD, "'type' is missing", used=True)),
    "missing-key": Case(put(FDA, BAD_DRUG, like(FDA, "semaglutide", {"applications": DELETE})),
                        record(FDA, BAD_DRUG, "'applications' is missing")),
    "total-is-text": Case(put(FDA, BAD_DRUG, like(FDA, "semaglutide", {"total": "2"})),
                          record(FDA, BAD_DRUG, "'total' is a string, not a whole number of at least 0")),
    "check-date-is-a-number": Case(put(FDA, BAD_DRUG, like(FDA, "semaglutide", {"checked": 20261130})),
                                   record(FDA, BAD_DRUG, r"'checked' is a number, not a date \(YYYY-MM-DD\)")),
    "applications-not-a-list": Case(
        put(FDA, BAD_DRUG, like(FDA, "semaglutide", {"applications": {"application_number": "NDA1"}})),
        record(FDA, BAD_DRUG, "'applications' is an object, not a list")),
    "status-notice-not-an-object": Case(
        put("crossref-updates", BAD_DOI, {"checked": TODAY, "in-crossref": True, "notices": ["RetractionIn"]}),
        record("crossref-updates", BAD_DOI, r"'notices\[0\]' is a string, not an object, so 'notices' is not used")),
    "section-is-a-list": Case(top(FDA, lambda data: [data[FDA]["semaglutide"]]),
                              r"section 'openfda' is a list, not an object mapping identifiers to records",
                              shown=SHOWN[:-1]),
    "section-is-a-string": Case(top(PUBMED, "lost in a merge"),
                                r"section 'pubmed' is a string, not an object mapping identifiers to records",
                                shown=(TITLE_BY_DOI, "NDA213051")),
    "unknown-section": Case(top("pubmed-mirror", lambda data: data[PUBMED]),
                            r"unknown section 'pubmed-mirror' is ignored \(the file keeps it\)"),
    # Only what is not JSON at all is given up on as a whole (by the fetch stage, which names the file).
    "truncated": Case(whole(lambda text: text[: len(text) // 2]), r"evidence\.lock\.json is not valid JSON",
                      shown=(), kept=True, located=False),
    "byte-order-mark": Case(whole(lambda text: "\ufeff" + text), None),
    "top-level-list": Case(lambda data: canonical([data]).encode("utf-8"),
                           r"the lockfile is a list, not an object with one section per service", shown=(), kept=True),
    "top-level-string": Case(lambda data: b'"my records"\n',
                             r"the lockfile is a string, not an object with one section per service", shown=(),
                             kept=True),
    "version-missing": Case(top("version", DELETE),
                            r'the lockfile has no "version"; it is read as version 1 \(and written as such\)'),
    "version-is-text": Case(top("version", "1"), r'the lockfile has "version" "1", not 1; it is read as version 1'),
    "version-is-newer": Case(top("version", 2), r"the lockfile is version 2, newer than the version 1", kept=True),
}


@pytest.mark.parametrize("name", CASES)
def test_damage_is_reported_and_nothing_else_is_lost(make_app, eutils, tmp_path, good, name):
    case = CASES[name]
    src = copy_project(tmp_path / "src")
    path = src / LOCK
    before = case.damage(copy.deepcopy(good))
    path.write_bytes(before)

    offline = build_with(make_app, src, evidence_offline=True)
    warned = warnings(offline)
    lockfile_warnings = re.findall(r"^.*\[evidence\.lockfile\]$", warned, re.MULTILINE)
    if case.warning is None:
        assert lockfile_warnings == [] and "[evidence.missing]" not in warned
    else:
        located = r"\S*evidence\.lock\.json:\d+: WARNING: " if case.located else ""
        assert any(re.match(located, w) and re.search(case.warning, w) for w in lockfile_warnings), warned
    html = read(offline, "index.html")
    assert "Traceback" not in warned
    for text in case.shown:
        assert text in html, text
    assert path.read_bytes() == before  # an offline build never writes

    page = src / "index.rst"
    page.write_text(page.read_text(encoding="utf-8") + f"\nA new citation :pmid:`{NEW}`.\n", encoding="utf-8")
    online = build_with(make_app, src, eutils=eutils)
    html = read(online, "index.html")
    assert "González-Reyes S" in html  # the new record is used, saved or not
    for text in case.shown:
        assert text in html, text
    after = path.read_bytes()
    if case.kept:
        assert after == before
        return
    old, new = json.loads(before.decode("utf-8-sig")), json.loads(after)
    added = {(s, i) for s, records in new.items() if isinstance(records, dict) and s in schema.shapes()
             for i in records if not isinstance(old.get(s), dict) or i not in old[s]}
    assert (PUBMED, NEW) in added or not isinstance(old.get(PUBMED), dict)
    expected = copy.deepcopy(old)
    for section, ident in added:
        expected[section][ident] = new[section][ident]
    expected.update(note=lockfile.NOTE, version=1)
    # Byte for byte: every record that was there, damaged or not, is written exactly as it was.
    assert after.decode("utf-8") == canonical(expected)


def test_a_damaged_record_that_is_fetched_again_is_replaced_with_a_warning(make_app, eutils, tmp_path, good):
    src = copy_project(tmp_path / "src")
    good[PUBMED][PMID]["custom"]["notices"] = "RetractionIn"  # cited, and unusable: fetched again online
    (src / LOCK).write_text(canonical(good), encoding="utf-8")
    app = build_with(make_app, src, eutils=eutils)
    warned = warnings(app)
    assert re.search(record(PUBMED, PMID, "'custom.notices' is a string, not a list"), warned)
    assert re.search(rf"{PUBMED} record '{PMID}' was damaged in the lockfile; it is replaced by the record just "
                     r"fetched.*\[evidence\.lockfile\]", warned)
    saved = json.loads((src / LOCK).read_text(encoding="utf-8"))
    assert saved[PUBMED][PMID] == _GOOD[PUBMED][PMID]
    assert "National Toxicology Program" in read(app, "index.html")


def test_new_records_for_a_damaged_section_are_used_but_not_saved(make_app, eutils, tmp_path, good):
    src = copy_project(tmp_path / "src")
    good[PUBMED] = ["lost in a merge"]
    text = canonical(good)
    (src / LOCK).write_text(text, encoding="utf-8")
    app = build_with(make_app, src, eutils=eutils)
    assert re.search(r"3 new pubmed record\(s\) are not saved: the lockfile's section 'pubmed' is a list",
                     warnings(app))
    assert "National Toxicology Program" in read(app, "index.html")
    assert json.loads((src / LOCK).read_text(encoding="utf-8"))[PUBMED] == ["lost in a merge"]


def test_a_section_given_twice_is_read_and_written_as_one(tmp_path, monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(lockfile.log, "warn", lambda message, *args, **kwargs: said.append(message))
    path = tmp_path / LOCK
    path.write_text('{"version": 1, "pubmed": {"1": {"id": "pmid:1", "type": "book"}},\n'
                    ' "pubmed": {"2": {"id": "pmid:2", "type": "book"}}}', encoding="utf-8")
    assert sorted(lockfile.read(path)[0][PUBMED]) == ["1", "2"]
    assert said == ["section 'pubmed' appears twice; the records of both are read (and written back as one section)"]
    lockfile.save(path, {PUBMED: {"3": {"id": "pmid:3", "type": "book"}}})
    assert sorted(json.loads(path.read_text())[PUBMED]) == ["1", "2", "3"]


# --------------------------------------------------------------------------- typed readers

WRONG = [None, True, 0, -3, 1.5, "", "text", [], ["text"], [1, None], {}, {"a": 1}]


def _replaced(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    target = data
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    return data


def _paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path in ``data`` (lists are replaced whole, objects also field by field)."""
    out = []
    for key, value in data.items() if isinstance(data, dict) else ():
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


def _article(data: Any) -> Article:
    return Article.from_csl(f"pmid:{PMID}", data)


@pytest.mark.parametrize("reader", [_article, FdaRecord.from_json], ids=["article", "fda"])
def test_typed_readers_take_any_wrong_type(good, reader):
    article = copy.deepcopy(good[PUBMED][PMID])
    article["custom"]["notices"] = [{"type": "ErratumIn", "pmid": "1"}]
    data = article if reader is _article else copy.deepcopy(SEMAGLUTIDE)
    expected = reader(data)
    for path in _paths(data):
        for value in WRONG:
            reader(_replaced(data, path, value))  # never raises
    for value in WRONG:
        reader(value)
    assert reader(copy.deepcopy(data)) == expected


def test_typed_readers_keep_what_they_can():
    article = Article.from_csl("pmid:1", {
        "author": ["Smith J", {"family": "Doe", "given": "Jane"}, {"family": 3, "given": None}],
        "issued": {"date-parts": [["1975", 6]]}, "title": ["x"], "volume": 12,
        "custom": {"initials": ["JS", "JD", "X"], "publication-types": "Retracted Publication",
                   "notices": {"type": "RetractionIn"}},
    })
    assert [a.short for a in article.authors] == ["Doe JD", "3 X"]  # initials stay with their author
    assert (article.year, article.title, article.volume) == ("1975", "", "12")
    assert article.retracted and article.notices == (Notice("RetractionIn"),)
    assert Notice.from_json({"type": 5}) is None and Notice.from_json({"type": ["RetractionIn"]}) is None
    record = FdaRecord.from_json({"name": "x", "total": "3", "applications": [7, {"brand_names": "WEGOVY"}]})
    assert record.total == 0 and record.applications == (FdaApplication("", brand_names=("WEGOVY",)),)
    assert FdaApplication.from_json("NDA1") == FdaApplication("")


def test_store_get_reports_a_record_no_reader_can_read(monkeypatch):
    said: list[tuple[str, bool]] = []
    monkeypatch.setattr(store_module.log, "warn", lambda message, subtype, location=None, once=False:
                        said.append((message, once)))
    pubmed = next(s for s in REGISTRY if "pmid" in s.kinds)

    def broken(key: str, data: dict[str, Any]) -> Any:
        raise ValueError("no reader expected this")

    monkeypatch.setattr(store_module, "for_kind",
                        lambda kind: dataclasses.replace(pubmed, parse=broken) if kind == "pmid" else None)
    store = Store({PUBMED: {"1": {"id": "pmid:1"}}}, {})
    assert store.get("pmid:1") is None and store.get("pmid:1") is None
    assert said == [(("pubmed record '1' cannot be read (ValueError: no reader expected this); pmid:1 is shown "
                      "as missing"), True)]


def test_store_get_reports_a_record_that_cannot_be_annotated(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(store_module.log, "warn", lambda message, *args, **kwargs: said.append(message))

    def broken(record: Any, section: dict[str, Any]) -> Any:
        raise TypeError("bad notices")

    registry = tuple(dataclasses.replace(s, annotate=broken) if s.annotate else s for s in REGISTRY)
    monkeypatch.setattr(store_module, "REGISTRY", registry)
    store = Store({PUBMED: {"1": {"id": "pmid:1", "type": "book", "DOI": "10.1/x"}}}, {})
    assert store.get("pmid:1") is None
    assert said == [("crossref-updates record for pmid:1 cannot be read (TypeError: bad notices); pmid:1 is "
                     "shown as missing")]


def test_every_source_has_a_record_shape():
    assert {s.section for s in REGISTRY} == set(schema.shapes())


# --------------------------------------------------------------------------- crash safety

WRITER = """
import sys
from pathlib import Path
from sphinxext_evidence.records import lockfile
records = {f"8{i:07d}": {"id": f"pmid:8{i:07d}", "type": "book", "title": "x" * 300} for i in range(int(sys.argv[2]))}
lockfile.save(Path(sys.argv[1]), {"pubmed": records})
"""


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_writer_killed_mid_write_leaves_a_valid_lockfile(tmp_path):
    path = tmp_path / LOCK
    kept = {str(n): {"id": f"pmid:{n}", "type": "book", "title": f"Kept {n}"} for n in range(1, 50)}
    lockfile.save(path, {PUBMED: kept})
    killed = attempts = 0
    while killed < 4 and attempts < 20:
        attempts += 1
        earlier = set(_leftovers(tmp_path))
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "60000"])
        while writer.poll() is None and not set(_leftovers(tmp_path)) - earlier:
            time.sleep(0.0005)
        if writer.poll() is None:  # its own temporary file exists: it is writing
            time.sleep(0.002 * (attempts % 8))  # at various points of the write
            os.kill(writer.pid, signal.SIGKILL)
            killed += writer.wait() == -signal.SIGKILL
        writer.wait()
        data = json.loads(path.read_text(encoding="utf-8"))
        assert {i: data[PUBMED][i] for i in kept} == kept
        assert len(data[PUBMED]) in (len(kept), len(kept) + 60000)  # the old file or the new one, never a mix
        if len(data[PUBMED]) > len(kept):  # the writer finished first: start again from the old content
            path.write_text(canonical({"version": 1, PUBMED: kept}), encoding="utf-8")
    assert killed >= 3, "writers could not be killed while writing"
    assert _leftovers(tmp_path)  # a killed writer's temporary file is left behind …
    lockfile.save(path, {PUBMED: {"50": {"id": "pmid:50", "type": "book"}}})
    assert _leftovers(tmp_path) == []  # … until the next save
    assert sorted(json.loads(path.read_text(encoding="utf-8"))[PUBMED], key=int) == [str(n) for n in range(1, 51)]


def test_without_a_lock_only_old_temporary_files_are_leftovers(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "fcntl", None)
    path = tmp_path / LOCK
    old, fresh = tmp_path / f".{LOCK}.old1.tmp", tmp_path / f".{LOCK}.new1.tmp"
    old.write_text("{")
    fresh.write_text("{")
    os.utime(old, (time.time() - atomic.LEFTOVER_AGE - 60,) * 2)
    lockfile.save(path, {PUBMED: {"1": {"id": "pmid:1", "type": "book"}}})
    assert _leftovers(tmp_path) == [fresh.name]  # it may be another build's, still being written
