"""Works with no PMID or DOI, declared in a YAML file and cited with :work:, in real builds and read directly."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from helpers import read, warnings

from sphinxext_evidence.identifiers import WORK
from sphinxext_evidence.sources import REGISTRY, for_kind
from sphinxext_evidence.sources.manual import ManualClient
from sphinxext_evidence.sources.manual import read as read_file

ROOTS = Path(__file__).parent / "roots"


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _build(make_app, src: Path, builder: str = "html", **conf):
    app = make_app(builder, srcdir=src, confoverrides=conf, freshenv=True)
    app.build()
    return app


# --------------------------------------------------------------------------- reading the file


def test_good_file_becomes_csl_records() -> None:
    found = read_file(ROOTS / "test-manual" / "references.yaml")
    assert found.problems == []
    assert sorted(found.records) == ["agency-2023", "book-2019", "label-2024", "page-2025"]
    agency = found.records["agency-2023"]
    assert agency["id"] == "work:agency-2023" and agency["type"] == "report"
    # Stored like a fetched title: escaped text, with only the title tags as markup.
    assert agency["title"] == "Guideline on <i>Examplia</i> infection &amp; its care"
    assert agency["author"] == [{"literal": "Example Health Agency"}]
    assert agency["issued"] == {"date-parts": [[2023, 7, 14]]}
    assert agency["accessed"] == {"date-parts": [[2026, 1, 10]]}
    book = found.records["book-2019"]  # the id is read case-insensitively, as in the role
    assert book["author"] == [{"family": "Doe", "given": "Jane"}, {"family": "Roe", "given": "Richard"}]
    assert book["edition"] == "2" and book["ISBN"] == "978-0-00-000000-2"
    page = found.records["page-2025"]
    assert page["URL"] == "https://health.example.net/examplia"  # ``url`` is read as CSL's URL
    assert page["issued"] == {"date-parts": [[2025, 5, 2]]}
    assert found.records["label-2024"]["issued"] == {"date-parts": [[2024, 3]]}


def test_every_mistake_is_named_with_its_line() -> None:
    found = read_file(ROOTS / "test-manual-bad" / "references.yaml")
    by_line = {(p.line, p.bad_id): p.message for p in found.problems}
    assert sorted(found.records) == ["good-1", "typo"]
    assert by_line[(5, True)] == "entry 2 has no id; it is ignored"
    assert by_line[(6, True)].startswith("entry 3 has the id 'bad id', which is not valid (an id declared in")
    assert by_line[(8, False)] == "entry 'good-1' is declared twice (first at line 2); the later one is ignored"
    assert by_line[(10, False)].startswith("entry 'has-doi' has a DOI (10.1000/xyz123): cite it as "
                                          ":doi:`10.1000/xyz123`")
    assert by_line[(13, False)] == "entry 'no-title' has no title; it is ignored"
    assert by_line[(17, False)] == "entry 'typo': unknown field 'auther' is ignored (did you mean 'author'?)"
    assert "'type' 'guideline' is not a CSL item type" in by_line[(18, False)]
    assert "'issued' 'June 2020' is not a date" in by_line[(19, False)]
    assert "'URL' 'javascript:alert(1)' is not an http(s) address" in by_line[(20, False)]
    assert "'author' is not a name or a list of names" in by_line[(21, False)]
    assert by_line[(22, False)] == "entry 8 is a string, not a mapping of CSL fields; it is ignored"
    typo = found.records["typo"]
    assert typo["type"] == "document" and "URL" not in typo and "issued" not in typo and "author" not in typo


@pytest.mark.parametrize(("text", "expected"), [
    ("- id: a\n  title: [unclosed\n", "is not valid YAML"),
    ("just text\n", "holds a string, not a list of entries"),
    ("", None),
])
def test_unreadable_files_are_one_problem(tmp_path: Path, text: str, expected: str | None) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text(text, encoding="utf-8")
    found = read_file(path)
    assert found.records == {}
    assert [p.message for p in found.problems if expected and expected in p.message] or expected is None
    if expected == "is not valid YAML":
        assert found.problems[0].line == 3  # where the parser gave up


def test_mapping_form_and_yaml_dates(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text("who-guideline:\n  title: A guideline\n  issued: 2024-02-29\n  author: Example, Ann\n",
                    encoding="utf-8")
    found = read_file(path)
    assert found.problems == []
    record = found.records["who-guideline"]
    assert record["issued"] == {"date-parts": [[2024, 2, 29]]}
    assert record["author"] == [{"family": "Example", "given": "Ann"}]
    assert record["type"] == "document"


def test_the_source_is_in_the_registry_and_never_fetches() -> None:
    source = for_kind(WORK.name)
    assert source is not None and source in REGISTRY
    assert source.wants is not None and source.wants({"work:a"}, {}, None) == set()
    client = ManualClient(read_file(ROOTS / "test-manual" / "references.yaml"))
    result = client.fetch(["agency-2023", "nowhere"])
    assert set(result.records) == {"agency-2023"} and result.unknown == {"nowhere"} and result.requests == 0


def test_ids() -> None:
    assert WORK.parse(" WHO-2023 ") == "who-2023"
    assert WORK.parse("zotero:12345/ABCD") == "zotero:12345/abcd"
    for bad in ("", "-x", "a b", "é-2020", "x" * 101):
        assert WORK.parse(bad) is None


# --------------------------------------------------------------------------- builds


def test_cited_numbered_listed_counted(make_app, project) -> None:
    app = _build(make_app, project("manual"))
    html = read(app, "index.html")
    text = plain(html)
    assert "The agency recommends it [1]; the label says so too\n[2, 3]." in text
    assert "The guideline again [1]." in text  # any case, the same work
    assert "Evidence based · 8 references" in text
    entries = re.findall(r'<li class="[^"]*evidence-entry[^"]*"[^>]*>(.*?)</li>', html, re.S)
    assert len(entries) == 8
    # In the page's citation style; what the file says is there, the title markup as emphasis.
    assert "Example Health Agency" in entries[0] and "<em>Examplia</em> infection &amp; its care" in entries[0]
    assert 'href="https://guidelines.example.org/examplia.pdf"' in entries[0]
    assert "Examplinol 10 mg tablets: prescribing information" in entries[1]
    assert all(word in plain(entries[2]) for word in ("Doe", "Roe", "A Handbook of Examples", "2019",
                                                      "Example University Press"))
    assert "WORK nowhere-1 — metadata not available." in plain(entries[6])


def test_warnings_name_file_and_line(make_app, project) -> None:
    app = _build(make_app, project("manual"))
    log = warnings(app)
    assert re.search(r"index\.rst:15: WARNING: WORK nowhere-1 is not declared: no entry of the "
                     r"evidence_manual_records file has this id; add one, or check the id \[evidence\.unknown-id\]",
                     log)
    assert re.search(r"index\.rst:15: WARNING: invalid WORK 'id!' in :work: .*\[evidence\.invalid-work\]", log)
    assert "status-stale" not in log and "no record in the lockfile" not in log


def test_bad_file_warns_per_entry_and_keeps_the_good_ones(make_app, project) -> None:
    src = project("manual-bad")
    app = _build(make_app, src)  # not offline: there is nothing to fetch, and manual records never are
    log = warnings(app)
    yaml_file = src / "references.yaml"
    for line, subtype in ((5, "invalid-work"), (6, "invalid-work"), (8, "manual-record"), (10, "manual-record"),
                          (13, "manual-record"), (17, "manual-record"), (21, "manual-record")):
        assert re.search(rf"{re.escape(str(yaml_file))}:{line}: WARNING: entry .*\[evidence\.{subtype}\]", log), line
    assert re.search(rf"{re.escape(str(yaml_file))}:22: WARNING: entry 8 is a string", log)
    text = plain(read(app, "index.html"))
    assert "The good one [1], the one with typos [2] and one left\nout [3]." in text
    assert "Typos everywhere" in text and "WORK has-doi — metadata not available." in text
    assert "[evidence.unknown-id]" in log and "has-doi is not declared" in log
    assert not (src / "evidence.lock.json").exists()  # nothing fetched, nothing written


def test_missing_file_is_one_warning(make_app, project) -> None:
    app = _build(make_app, project("manual"), evidence_manual_records="nothing-here.yaml")
    log = warnings(app)
    assert "nothing-here.yaml (evidence_manual_records) does not exist; no manual records are read" in log
    assert log.count("[evidence.manual-record]") == 1


def test_editing_the_file_rewrites_the_pages_citing_it(make_app, project) -> None:
    src = project("manual")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    assert "A Handbook of Examples" in read(app, "index.html")
    other_before = Path(app.outdir, "other.html").stat().st_mtime_ns
    yaml_file = src / "references.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("A Handbook of Examples",
                                                                       "A Second Handbook"), encoding="utf-8")
    again = make_app("html", srcdir=src)
    again.build()
    assert "A Second Handbook" in read(again, "index.html")
    assert "A Second Handbook" in read(again, "bibliography.html")
    assert Path(again.outdir, "other.html").stat().st_mtime_ns == other_before  # it cites no changed work


def test_lockfile_is_left_as_it_is(make_app, project) -> None:
    src = project("manual")
    before = (src / "evidence.lock.json").read_text(encoding="utf-8")
    _build(make_app, src)
    assert (src / "evidence.lock.json").read_text(encoding="utf-8") == before
    assert "manual" not in json.loads(before)


def test_text_and_latex(make_app, project) -> None:
    src = project("manual")
    app = _build(make_app, src, "text")
    assert "Examplinol 10 mg tablets: prescribing information" in " ".join(read(app, "index.txt").split())
    app = _build(make_app, src, "latex")
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    assert r"Guideline on \sphinxstyleemphasis{Examplia} infection \& its care" in tex


def test_dates_in_yaml_become_date_parts() -> None:
    from sphinxext_evidence.sources.manual import _date

    assert _date(dt.date(2020, 2, 1)) == {"date-parts": [[2020, 2, 1]]}
    assert _date(2020) == {"date-parts": [[2020]]}
    assert _date({"date-parts": [["2020", "3"]]}) == {"date-parts": [[2020, 3]]}
    assert _date("2020-02-30") is None and _date(True) is None
