"""``sphinx-evidence check``: every kind of finding, the options and exit statuses, and a scanner that cannot drift.

The command runs in this process with no Sphinx application at all (a test
makes sure of that); ``test-check`` holds one of every finding and
``test-check-clean`` none.  The last tests read the example site, the
documentation and the test roots with Sphinx and compare the keys each page
cites with what the scanner found.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from helpers import build_with, warnings
from sphinx.errors import SphinxError
from sphinx.testing.util import SphinxTestApp

from sphinxext_evidence.check import SEVERITY, render
from sphinxext_evidence.cli import _read_conf, main
from sphinxext_evidence.scan import scan_project

REPO = Path(__file__).resolve().parent.parent
DAY = "1796083200"  # 2026-12-01: the statuses of test-check are dated against it


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY)


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``sphinx-evidence check`` with ``args`` (failing if it starts Sphinx); its status, output and errors."""
    with mock.patch("sphinx.application.Sphinx.__init__", side_effect=AssertionError("check started Sphinx")):
        status = main(["check", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def findings(capsys: pytest.CaptureFixture[str], src: Path, *args: str) -> list[dict[str, Any]]:
    """The JSON findings for ``src``, with file names relative to it."""
    status, out, _ = check(capsys, str(src), "--format", "json", *args)
    assert status in (0, 1)
    rows = json.loads(out)
    for row in rows:
        row["file"] = Path(row["file"]).relative_to(src).as_posix()
    return rows


def brief(rows: list[dict[str, Any]]) -> set[tuple[str, int, str, str | None]]:
    return {(r["file"], r["line"], r["kind"], r["key"]) for r in rows}


# -- every kind of finding --------------------------------------------------------------------------------


def test_every_kind_of_finding_at_its_file_and_line(project, capsys):
    src = project("check")
    rows = findings(capsys, src)
    assert brief(rows) == {
        ("index.rst", 11, "retracted", "pmid:993"),
        ("index.rst", 14, "concern", "pmid:111"),
        ("index.rst", 14, "superseded", "pmid:222"),
        ("index.rst", 15, "retracted", "pmid:555"),  # Retraction Watch, through Crossref's correction links
        ("index.rst", 15, "missing", "pmid:444"),
        ("index.rst", 35, "grade-no-source", None),
        ("index.rst", 35, "grade-inconsistent", None),
        ("index.rst", 41, "grade-direction", None),
        ("index.rst", 50, "regulatory-stale", None),  # :as-of: 2025-01-15, over 180 days
        ("index.rst", 53, "regulatory-stale", "fda:metformin"),  # the openFDA check, on the US row
        ("index.rst", 64, "missing", "fda:cerebrolysin"),
        ("guides/myst.md", 3, "retracted", "pmid:993"),
        ("evidence.lock.json", 20, "uncited", "doi-status:10.9999/orphan"),
        ("evidence.lock.json", 47, "uncited", "fda:ibuprofen"),
        ("evidence.lock.json", 284, "uncited", "pmid:333"),
        ("evidence.lock.json", 351, "uncited", "pmid:666"),  # cited only on a page exclude_patterns leaves out
    }
    assert {r["kind"] for r in rows} <= set(SEVERITY)
    assert all(r["severity"] == SEVERITY[r["kind"]] for r in rows)
    by_kind = {r["kind"]: r["message"] for r in rows}
    assert "acknowledging it: :pmid:`555 | why it is cited`" in by_kind["retracted"]
    assert by_kind["grade-inconsistent"].startswith("evidence-grade 'Recovery': stated certainty is high")
    assert "sphinx-evidence fetch" in by_kind["missing"]
    lock = (src / "evidence.lock.json").read_text(encoding="utf-8").splitlines()
    assert lock[283].strip() == '"333": {'


def test_what_is_acknowledged_shown_or_excluded_is_not_reported(project, capsys):
    src = project("check")
    rows = findings(capsys, src)
    keys = {r["key"] for r in rows if r["kind"] != "uncited"}
    lines = {(r["file"], r["line"]) for r in rows}
    assert ("index.rst", 12) not in lines  # :pmid:`993 | discussed as …`
    assert ("index.rst", 23) not in lines  # the pmid card's :acknowledge:
    assert ("guides/myst.md", 5) not in lines  # {pmid} card with :acknowledge: (PMID 111)
    assert not {"pmid:777", "pmid:778", "pmid:779", "pmid:666"} & keys  # literal, code blocks, excluded page
    assert "pmid:22282884" not in keys and "doi:10.1161/strokeaha.111.628537" not in keys


def test_a_grade_source_that_is_retracted_says_to_drop_it(project, capsys):
    src = project("check-clean")
    lock = json.loads((src / "evidence.lock.json").read_text(encoding="utf-8"))
    lock["pubmed"]["22282884"]["custom"]["publication-types"].append("Retracted Publication")
    (src / "evidence.lock.json").write_text(json.dumps(lock), encoding="utf-8")
    rows = findings(capsys, src)
    assert [(r["line"], r["kind"]) for r in rows] == [(4, "retracted"), (6, "retracted")]
    assert "a :source: of a grade, is retracted; drop it from :source: and revisit the grade" in rows[1]["message"]


GRADES = """
.. evidence-grade:: Pain
   :certainty: very-low
   :effect: benefit
   :studies: 2 RCTs
   :source: 22282884
   :downgrade: risk-of-bias -2 open label; imprecision -1 two small trials

.. evidence-grade:: Pain at 3 months
   :certainty: moderate
   :effect: large-benefit
   :outcome-type: undesirable
   :relative: RR 0.50 (0.20 to 1.10)
   :studies: 3 RCTs
   :source: 22282884
   :downgrade: risk-of-bias -1 open label

.. evidence-grade:: Sleep
   :certainty: low
   :effect: little-or-no
   :studies: observational
   :source: 12x
"""


def test_grade_effect_and_imprecision_and_a_source_without_a_pmid(project, capsys):
    src = project("check-clean")
    with (src / "index.rst").open("a", encoding="utf-8") as page:
        page.write(GRADES)
    rows = findings(capsys, src)
    assert [(r["line"], r["kind"]) for r in rows] == [
        (14, "grade-effect"), (21, "grade-imprecision"), (21, "grade-imprecision"), (30, "grade-no-source")]
    assert rows[0]["message"].startswith("evidence-grade 'Pain': effect 'benefit' claims a direction, but the "
                                         "certainty is very low")
    assert "holds no valid PMID" in rows[3]["message"]


def test_declared_works_are_looked_up_in_the_manual_records_file(project, capsys):
    src = project("check-clean")
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('evidence_manual_records = "works.yaml"\n')
    (src / "works.yaml").write_text("- id: who-2023\n  type: report\n  title: A guideline\n  issued: 2023\n"
                                    "- id: 'bad id!'\n  title: x\n", encoding="utf-8")
    (src / "works.rst").write_text("Works\n=====\n\nDeclared :work:`who-2023, p. 4`; not :work:`nope-1`.\n")
    rows = findings(capsys, src)
    assert brief(rows) == {("works.rst", 4, "missing", "work:nope-1"), ("works.yaml", 5, "invalid-work", None)}
    assert "is not declared" in rows[0]["message"] + rows[1]["message"]


def test_no_lockfile_means_every_citation_is_missing(project, capsys):
    src = project("check-clean")
    (src / "evidence.lock.json").unlink()
    status, out, _ = check(capsys, str(src))
    assert status == 1
    assert out.count("[missing]") == 2


def test_a_damaged_record_is_a_lockfile_finding_and_shown_as_missing(project, capsys):
    src = project("check-clean")
    lock = json.loads((src / "evidence.lock.json").read_text(encoding="utf-8"))
    lock["pubmed"]["22282884"]["custom"]["publication-types"] = 7
    (src / "evidence.lock.json").write_text(json.dumps(lock, indent=2), encoding="utf-8")
    rows = findings(capsys, src)
    assert {(r["kind"], r["file"]) for r in rows} == {("lockfile", "evidence.lock.json"), ("missing", "index.rst")}
    assert next(r for r in rows if r["kind"] == "lockfile")["line"] > 1


# -- what is read, and how ------------------------------------------------------------------------------


def test_conf_values_are_honoured(project, capsys):
    src = project("check")
    conf = src / "conf.py"
    conf.write_text(conf.read_text().replace("= 180", "= 36500") + 'evidence_lockfile = "data/lock.json"\n')
    (src / "data").mkdir()
    (src / "evidence.lock.json").rename(src / "data" / "lock.json")
    rows = findings(capsys, src)
    assert "regulatory-stale" not in {r["kind"] for r in rows}
    assert {r["file"] for r in rows if r["kind"] == "uncited"} == {"data/lock.json"}


def test_a_wrong_conf_value_falls_back_to_the_default_and_says_so(project, capsys):
    src = project("check")
    conf = src / "conf.py"
    conf.write_text(conf.read_text().replace("= 180", "= 'soon'"))
    _, out, err = check(capsys, str(src))
    assert "evidence_regulatory_max_age_days = 'soon' must be an integer; using the default 365" in err
    assert "more than 365 days ago" in out


def test_includes_default_role_prolog_and_suffixes(tmp_path, capsys):
    src = tmp_path / "p"
    (src / "parts").mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["sphinxext_evidence"]\nsource_suffix = [".rst", ".txt"]\n'
                                 'default_role = "pmid"\nrst_epilog = """\n.. |rev| replace:: :pmid:`7`\n"""\n')
    (src / "index.rst").write_text("Default role `1`.\n\n.. include:: parts/a.inc\n   :start-after: CUT\n\n"
                                   ".. default-role::\n\nNot a citation `2`.\n")
    (src / "parts" / "a.inc").write_text("Skipped :pmid:`3`.\nCUT\n\nIncluded :pmid:`4`.\n")
    (src / "other.txt").write_text("From a .txt page :pmid:`5`, with the epilog's |rev|.\n")
    rows = findings(capsys, src)
    assert brief(rows) == {("index.rst", 1, "missing", "pmid:1"), ("parts/a.inc", 4, "missing", "pmid:4"),
                           ("other.txt", 1, "missing", "pmid:5"), ("conf.py", 5, "missing", "pmid:7")}


def test_a_page_that_cannot_be_read_turns_off_uncited_records(project, capsys):
    src = project("check")
    (src / "broken.rst").write_bytes(b"\xff\xfe not utf-8 \x81")
    _, out, err = check(capsys, str(src))
    assert "[uncited]" not in out
    assert "broken.rst: UnicodeDecodeError" in err and "not reported as uncited" in err


# -- options, formats, exit statuses ---------------------------------------------------------------------


def test_exit_status_follows_fail_on(project, capsys):
    clean = project("check-clean")
    status, out, err = check(capsys, str(clean))
    assert (status, out) == (0, "")
    assert err == "sphinx-evidence: no findings in 1 page(s)\n"
    page = clean / "index.rst"
    page.write_text(page.read_text().replace("   :source: 22282884\n", ""))  # a warning only
    assert check(capsys, str(clean))[0] == 0
    assert check(capsys, str(clean), "--fail-on", "warning")[0] == 1
    assert check(capsys, str(clean), "--fail-on", "error")[0] == 0
    status, _, err = check(capsys, str(project("check")))
    assert status == 1 and err.endswith("6 error(s), 10 warning(s) in 3 page(s)\n")


def test_text_format(project, capsys):
    src = project("check")
    _, out, _ = check(capsys, str(src), "--format", "text")
    first = out.splitlines()[0]
    assert first.startswith(f"{src / 'evidence.lock.json'}:20: warning: Crossref correction links record")
    assert first.endswith("[uncited]")
    assert f"{src / 'index.rst'}:15: error: PMID 444 has no record in the lockfile" in out


def test_github_format(project, capsys):
    src = project("check")
    _, out, _ = check(capsys, str(src), "--format", "github")
    lines = out.splitlines()
    assert len(lines) == 16
    assert f"::error file={src / 'index.rst'},line=15,title=missing::PMID 444 has no record" in out
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)


def test_github_annotations_escape_what_would_break_them():
    from sphinxext_evidence.check import Finding

    out = render([Finding("a,b:c.rst", 3, "missing", "50% of\nit")], "github")
    assert out == "::error file=a%2Cb%3Ac.rst,line=3,title=missing::50%25 of%0Ait\n"


@pytest.mark.parametrize("args", [["--format", "xml"], ["--fail-on", "never"], []])
def test_usage_errors_exit_2(capsys, args, tmp_path):
    assert main(["check", *args, *([] if not args else [str(tmp_path)])]) == 2
    assert "usage:" in capsys.readouterr().err


def test_no_conf_or_a_failing_conf_exits_2(tmp_path, capsys):
    status, _, err = check(capsys, str(tmp_path))
    assert status == 2 and err.strip() == f"sphinx-evidence: no conf.py in {tmp_path} (nor in its docs/, source/ or " \
                                          "docs/source/)"
    (tmp_path / "conf.py").write_text("extensions = [\n")
    status, _, err = check(capsys, str(tmp_path))
    assert status == 2 and "SyntaxError" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]"])
def test_an_unreadable_lockfile_exits_2(project, capsys, content):
    src = project("check-clean")
    (src / "evidence.lock.json").write_bytes(content)
    status, out, err = check(capsys, str(src))
    assert (status, out) == (2, "")
    assert err.startswith("sphinx-evidence: ") and err.strip().endswith("nothing was checked")


def test_docs_dir_is_found_and_paths_read_as_given(project, capsys, monkeypatch):
    src = project("check-clean")
    outer = src.parent / "repo"
    outer.mkdir()
    shutil.move(str(src), outer / "docs")
    monkeypatch.chdir(outer)
    _, out, _ = check(capsys, ".", "--format", "json")
    assert json.loads(out) == []
    (outer / "docs" / "index.rst").write_text("A :pmid:`444`.\n")
    _, out, _ = check(capsys, ".", "--format", "json")
    assert {(r["file"], r["kind"]) for r in json.loads(out)} == {("docs/index.rst", "missing"),
                                                                  ("docs/evidence.lock.json", "uncited")}


# -- the scanner against Sphinx ---------------------------------------------------------------------------


class _Read(SphinxError):
    """Raised once every page is read: what each page cites is known then, and nothing else is needed."""


def built_keys(src: Path, tmp: Path) -> dict[str, tuple[set[str], set[str]]]:
    """What a real Sphinx read of ``src`` notes per page: the keys it cites and the keys it needs."""
    noted: dict[str, tuple[set[str], set[str]]] = {}

    def take(app: Any, env: Any) -> None:
        for docname, buckets in env.get_domain("evidence").data["docs"].items():
            if buckets.get("cite") or buckets.get("need"):
                noted[docname] = (set(buckets.get("cite", [])), set(buckets.get("need", [])))
        raise _Read("read")

    app = SphinxTestApp("dummy", srcdir=src, builddir=tmp, freshenv=True, confoverrides={"evidence_offline": True})
    app.connect("env-updated", take, priority=1)
    try:
        with pytest.raises(_Read):
            app.builder.read()
    finally:
        app.cleanup()
    return noted


def scanned_keys(src: Path) -> dict[str, tuple[set[str], set[str]]]:
    """What the scanner finds per page: the keys cited and the keys needed."""
    scan = scan_project(str(src), _read_conf(src))
    found: dict[str, tuple[set[str], set[str]]] = {}
    for cite in scan.cites:
        found.setdefault(cite.docname, (set(), set()))[0].update(cite.keys)
    for status in scan.statuses:
        if status.keys:
            found.setdefault(status.docname, (set(), set()))[1].update(status.keys)
    return found


@pytest.mark.parametrize("where", ["example_site", "docs", "tests/roots/test-check", "tests/roots/test-check-syntax",
                                   "tests/roots/test-check-subst",
                                   "tests/roots/test-myst", "tests/roots/test-regulatory", "tests/roots/test-grade"])
def test_scanner_and_sphinx_agree_on_what_each_page_cites(where, tmp_path):
    src = REPO / where
    built = built_keys(src, tmp_path)
    assert built, "the project cites nothing: the comparison would prove nothing"
    assert scanned_keys(src) == built


#: The build's warning subtypes that ``check`` reports, by the kind it reports them as.
SAME = {"retracted": "retracted", "concern": "concern", "superseded": "superseded", "missing": "missing",
        "regulatory-unchecked": "missing", "regulatory-stale": "regulatory-stale",
        "grade-inconsistent": "grade-inconsistent", "grade-direction": "grade-direction"}


def test_a_build_warns_about_the_same_things_on_the_same_pages(project, make_app, capsys):
    src = project("check")
    app = build_with(make_app, src, "dummy")
    built = sorted((Path(m.group(1)).name, SAME[m.group(2)]) for m in re.finditer(
        r"^(\S+?):\d+: WARNING: .*\[evidence\.([a-z-]+)\]$", warnings(app), re.MULTILINE) if m.group(2) in SAME)
    capsys.readouterr()
    rows = findings(capsys, src)
    assert sorted((Path(r["file"]).name, r["kind"]) for r in rows if r["kind"] in SAME.values()) == built
