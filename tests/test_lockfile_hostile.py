"""Valid JSON Python cannot hold as it is, keys in another form, and records that disagree with their key.

Each is put into the lockfile an online build wrote (see test_lockfile_untrusted): the damaged record is
named in a warning and repaired or left out, every other record is used, and a rewrite writes everything
back as it was, the damaged record included.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import build_with, read, warnings
from test_lockfile_untrusted import BAD, LOCK, NEW, PMID, PUBMED, SHOWN, canonical, copy_project, good, record

from sphinxext_evidence.records import lockfile, parsing
from sphinxext_evidence.records.model import Article, plain_title
from sphinxext_evidence.text import strip_controls

__all__ = ["good"]  # the fixture, imported for the tests below


def planted(fields: dict[str, Any], text: dict[str, str], ident: str = BAD) -> Callable[[dict[str, Any]], str]:
    """The lockfile with a copy of a good record under ``ident``, ``fields`` set, then each ``text`` replaced."""

    def make(data: dict[str, Any]) -> str:
        data[PUBMED][ident] = {**copy.deepcopy(data[PUBMED][PMID]), "PMID": ident, **fields}
        out = canonical(data)
        for old, new in text.items():
            assert old in out
            out = out.replace(old, new, 1)
        return out

    return make


HOSTILE: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "key-given-twice": (planted({"title": "SECOND"}, {'"title": "SECOND"': '"title": "FIRST",\n "title": "SECOND"'}),
                        rf"{PUBMED} record '{BAD}': 'title' appears twice; the later one is used"),
    "nested-key-given-twice": (
        planted({"custom": {"source": "BADSOURCE", "fetched": "2026-01-01"}},
                {'"source": "BADSOURCE"': '"source": "BADSOURCE", "source": "other"'}),
        rf"{PUBMED} record '{BAD}': 'custom.source' appears twice"),
    "huge-integer": (planted({"volume": 123456}, {"123456": "9" * 5000}),
                     record(PUBMED, BAD, "'volume' is a 5000-digit number \\(too long to read\\), not text or a number",
                            used=True)),
    "deep-nesting": (planted({"note": "DEEP"}, {'"DEEP"': "[" * 5000 + "]" * 5000}),
                     record(PUBMED, BAD, "'note' is a list, not text", used=True)),
    "nan": (planted({"volume": "NANV"}, {'"NANV"': "NaN"}),
            record(PUBMED, BAD, "'volume' is NaN, not text or a number", used=True)),
    "infinity": (planted({"volume": "INFV"}, {'"INFV"': "-Infinity"}),
                 record(PUBMED, BAD, "'volume' is -Infinity, not text or a number", used=True)),
    "overflowing-float": (planted({"volume": "BIGV"}, {'"BIGV"': "1e999"}),
                          record(PUBMED, BAD, "'volume' is 1e999 \\(too large to read\\), not text or a number", used=True)),
    "huge-float": (planted({"volume": 1e308}, {}), record(PUBMED, BAD, "'volume' is 1e\\+308, too large a number "
                                                           "to show", used=True)),
    "month-13": (planted({"issued": {"date-parts": [[2012, 13, 45]]}}, {}),
                 record(PUBMED, BAD, r"'issued.date-parts' \[\[2012, 13, 45\]\] is not a date on the calendar; "
                                     r"read as \[\[2012\]\]", used=True)),
    "month-0": (planted({"issued": {"date-parts": [[2012, 0, 0]]}}, {}),
                record(PUBMED, BAD, r"'issued.date-parts' \[\[2012, 0, 0\]\] is not a date on the calendar; read as \[\[2012\]\]", used=True)),
    "negative-year": (planted({"issued": {"date-parts": [[-5, 1]]}}, {}),
                      record(PUBMED, BAD, r"'issued.date-parts' has no year from 1 to 9999 in \[\[-5, 1\]\]", used=True)),
    "year-0": (planted({"issued": {"date-parts": [[0]]}}, {}),
               record(PUBMED, BAD, r"'issued.date-parts' has no year from 1 to 9999 in \[\[0\]\]", used=True)),
    "year-of-20-digits": (planted({"issued": {"date-parts": [[10**19]]}}, {}),
                          record(PUBMED, BAD, r"'issued.date-parts' has no year from 1 to 9999 in \[\[1000+\]\]", used=True)),
    "pmid-of-another-work": (planted({"PMID": "22282884"}, {}),
                             rf"{PUBMED} record '{BAD}' has PMID '22282884', not '{BAD}'; it is read as '{BAD}'"),
    "key-not-in-canonical-form": (planted({}, {f'"{BAD}": {{': f'"0{BAD}": {{'}), ""),
    "keys-that-are-one": (planted({}, {f'"{BAD}": {{': f'"00{BAD}": {{"id": "pmid:1", "type": "book"}},\n    "{BAD}": {{'}),
                          rf"{PUBMED} records '00{BAD}' and '{BAD}' are both '{BAD}'; the first is used"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_record_is_named_and_nothing_else_is_lost(make_app, eutils, tmp_path, good, name):
    damage, warning = HOSTILE[name]
    src = copy_project(tmp_path / "src")
    path = src / LOCK
    before = damage(copy.deepcopy(good))
    path.write_text(before, encoding="utf-8")

    offline = build_with(make_app, src, evidence_offline=True)
    warned = warnings(offline)
    found = re.findall(r"^\S*evidence\.lock\.json:\d+: WARNING: .*\[evidence\.lockfile\]$", warned, re.MULTILINE)
    if warning:
        assert any(re.search(warning, w) for w in found), warned
    else:
        assert found == [], warned
    assert "not valid JSON" not in warned and "[evidence.missing]" not in warned and "Traceback" not in warned
    html = read(offline, "index.html")
    assert all(text in html for text in SHOWN)

    page = src / "index.rst"
    page.write_text(page.read_text(encoding="utf-8") + f"\nA new citation :pmid:`{NEW}`.\n", encoding="utf-8")
    build_with(make_app, src, eutils=eutils)
    after = path.read_text(encoding="utf-8")
    old, new = parsing.parse(before)[0], parsing.parse(after)[0]
    assert NEW in new[PUBMED]
    # Every record as it was, the damaged one included (as Python reads it, which keeps what it cannot hold).
    assert {s: {i: new[s][i] for i in records} for s, records in old.items() if isinstance(records, dict)} == \
        {s: records for s, records in old.items() if isinstance(records, dict)}
    for kept in ("9" * 5000, "NaN", "-Infinity", "1e999", "[" * 4000):  # the cut-off part as it was written
        assert (kept in after) == (kept in before)


def test_what_is_repaired_is_shown_repaired(make_app, tmp_path, good):
    src = copy_project(tmp_path / "src")
    text = canonical(good)
    cited = good[PUBMED][PMID]
    cited.update(volume="NANV", issued={"date-parts": [[2012, 13, 45]]})
    text = canonical(good).replace('"NANV"', "NaN")
    (src / LOCK).write_text(text, encoding="utf-8")
    html = read(build_with(make_app, src, evidence_offline=True), "index.html")
    entry = next(e for e in re.findall(r"<li[^>]*evidence-entry.*?</li>", html, re.S) if "National Toxicology" in e)
    assert "2012" in entry and "nan" not in entry.lower() and "13" not in re.sub(r"<[^>]+>", "", entry)


def test_numbers_python_cannot_hold_are_written_back_as_they_were():
    text = '{"a": [NaN, Infinity, -Infinity, 1e999, ' + "7" * 5000 + ', 1.5, 2], "b": ' + "[" * 3000 + "]" * 3000 + "}"
    data, repeated = parsing.parse(text)
    assert repeated == 0 and isinstance(data["a"][0], parsing.Raw) and data["a"][5:] == [1.5, 2]
    again = parsing.dumps(data)
    assert parsing.parse(again)[0] == data and "7" * 5000 in again and "[" * 2900 in again


def test_not_json_names_the_file_line_and_column(make_app, tmp_path):
    src = copy_project(tmp_path / "src")
    (src / LOCK).write_text('{"version": 1,\n  "pubmed": {"1": }\n}\n', encoding="utf-8")
    warned = warnings(build_with(make_app, src, evidence_offline=True))
    assert re.search(rf"{re.escape(str(src / LOCK))}:2:19: WARNING: \S+ is not valid JSON", warned), warned


def test_lone_keys_are_read_as_citations_read_them(tmp_path, monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(lockfile.log, "warn", lambda message, *args, **kwargs: said.append(message))
    nfd = "10.1234/cafe\u0301"
    path = tmp_path / LOCK
    path.write_text(json.dumps({"version": 1, "pubmed": {"022282884": {"id": "pmid:22282884", "type": "book"}},
                                "crossref": {"10.1161/STROKEAHA.115.009416": {"id": "x", "type": "book"},
                                             nfd: {"id": "y", "type": "book"}}}), encoding="utf-8")
    checked = lockfile.read_checked(path)
    assert said == [] and checked.token == ""  # a file whose keys are renamed is checked every time
    assert list(checked.sections[PUBMED]) == ["22282884"]
    assert sorted(checked.sections["crossref"]) == ["10.1161/strokeaha.115.009416", "10.1234/caf\u00e9"]


def test_character_references_spell_no_controls():
    title = "Form&#12;feed and carriage&#13;return &#x202E;evil&#8238; <i>x&#1;y</i> &#27;[31mred"
    assert plain_title(title) == "Form feed and carriage return evil xy [31mred"
    assert strip_controls("a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j") == "abcdefghij"
    assert Article.from_csl("pmid:1", {"title": "&#x2067;T"}).title == "&#x2067;T"  # still escaped as stored


@pytest.mark.parametrize("builder", ["html", "latex", "epub", "text"])
def test_character_references_reach_no_output_as_controls(make_app, tmp_path, good, builder):
    src = copy_project(tmp_path / "src")
    good[PUBMED][PMID]["title"] = "Form&#12;feed and carriage&#13;return &#x202E;reversed&#x2069; &#27;[31mred"
    (src / LOCK).write_text(canonical(good), encoding="utf-8")
    app = build_with(make_app, src, builder, evidence_offline=True)
    written = "".join(p.read_text(encoding="utf-8") for p in Path(app.outdir).rglob("*")
                      if p.suffix in (".html", ".xhtml", ".tex", ".txt") and p.is_file())
    assert "Form feed and carriage return reversed" in " ".join(written.split())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\u202a-\u202e\u2066-\u2069]", written.replace("\r\n", "\n"))


def test_keys_in_another_form_are_found_and_a_record_keeps_its_key(make_app, tmp_path, good):
    src = copy_project(tmp_path / "src")
    good[PUBMED]["0" + PMID] = good[PUBMED].pop(PMID)
    good[PUBMED]["0" + PMID]["PMID"] = "22282884"
    good["crossref"] = {doi.upper(): record for doi, record in good["crossref"].items()}
    (src / LOCK).write_text(canonical(good), encoding="utf-8")
    app = build_with(make_app, src, evidence_offline=True)
    warned = warnings(app)
    assert "[evidence.missing]" not in warned
    assert re.search(rf"record '0{PMID}' has PMID '22282884', not '{PMID}'; it is read as '{PMID}'", warned)
    html = read(app, "index.html")
    assert all(text in html for text in SHOWN)
    assert f"pubmed.ncbi.nlm.nih.gov/{PMID}/" in html and "22282884" not in html


def test_service_numbers_that_are_not_numbers_become_no_text():
    from sphinxext_evidence.text import clean_text

    assert [clean_text(v) for v in (float("nan"), float("inf"), -float("inf"), 12, 1.5)] == ["", "", "", "12", "1.5"]


def test_a_record_fetched_again_replaces_the_one_kept_under_its_key_written_otherwise(tmp_path, monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(lockfile.log, "warn", lambda message, *args, **kwargs: said.append(message))
    path = tmp_path / LOCK
    path.write_text(json.dumps({"version": 1, "pubmed": {"011543891": {"id": "pmid:11543891", "type": "book",
                                                                       "title": "Old"}},
                                "crossref": {"10.1016/S0140-6736(97)11096-0": {"id": "x", "type": "book",
                                                                               "title": "Old"}}}), encoding="utf-8")
    sections, _ = lockfile.save(path, {PUBMED: {"11543891": {"id": "pmid:11543891", "type": "book", "title": "New"}},
                                       "crossref": {"10.1016/s0140-6736(97)11096-0": {"id": "x", "type": "book",
                                                                                      "title": "New"}}})
    saved = json.loads(path.read_text(encoding="utf-8"))
    # Replaced where it was kept: one record each, the new one, and the build uses it.
    assert saved[PUBMED] == {"011543891": {"id": "pmid:11543891", "type": "book", "title": "New"}}
    assert list(saved["crossref"]) == ["10.1016/S0140-6736(97)11096-0"]
    assert saved["crossref"]["10.1016/S0140-6736(97)11096-0"]["title"] == "New"
    assert sections[PUBMED]["11543891"]["title"] == "New"
    assert sections["crossref"]["10.1016/s0140-6736(97)11096-0"]["title"] == "New"
    assert not [m for m in said if "are both" in m]
