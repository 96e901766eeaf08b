"""Builds: evidence-grade cards, certainty-table, evidence-index in html, latex and text;
consistency warnings; parallel and incremental builds keep the index right."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from helpers import read, warnings


def build(make_app, src: Path, builder: str = "html", **kwargs):
    """Build ``src`` offline from its committed lockfile."""
    app = make_app(builder, srcdir=src, **kwargs)
    app.build()
    return app


def _table(html: str, cls: str) -> str:
    match = re.search(rf'<table class="{cls}.*?</table>', html, re.S)
    assert match, f"no table.{cls}"
    return match.group(0)


def _rows(table_html: str) -> list[str]:
    body = table_html.split("<tbody>", 1)[1]
    return [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _text_table(text: str, first_header: str) -> list[list[str]]:
    """The cells of a grid table in text output, row by row (header row first)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header}")) - 1
    rows: list[list[str]] = []
    current: list[list[str]] = []
    for line in lines[start + 1:]:
        if line.startswith(("+-", "+=", "|=")):
            rows.append([_squash(" ".join(col)) for col in current])
            current = []
            continue
        if not line.startswith("|"):
            break
        parts = line.strip("|").split("|")
        if not current:
            current = [[] for _ in parts]
        for col, part in zip(current, parts):
            col.append(part)
    return rows


def test_html_summary_of_findings_table(make_app, project):
    app = build(make_app, project("grade"), freshenv=True)
    assert warnings(app) == ""
    html = read(app, "stroke.html")
    table = _table(html, "evidence-sof-table")
    assert "<caption>" in table and "Cerebrolysin compared with placebo for acute ischaemic stroke" in table
    headers = [_squash(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th.*?</th>", table, re.S)]
    assert headers == ["Outcomes", "Anticipated absolute effects", "Relative effect (95% CI)",
                       "№ of participants (studies)", "Certainty", "Comments"]
    rows = [_squash(r) for r in _rows(table)]
    assert len(rows) == 2
    death = rows[0]
    # The Cochrane stroke row.
    assert death.startswith("All-cause death [ 1 ]")
    assert "RR 0.96 (0.65 to 1.41)" in death
    assert "1689 (6 RCTs)" in death
    assert "⊕⊕⊕⊝ Moderate certainty a" in death
    assert "Cerebrolysin probably results in little to no difference in All-cause death." in death
    assert "Deaths were counted at the end of follow-up." in death
    assert "Follow-up: 90 days" in death
    assert "⊕⊕⊝⊝ Low certainty b , c" in rows[1]
    assert "Cerebrolysin may increase Non-fatal serious adverse events slightly." in rows[1]
    # Symbols hidden from screen readers, certainty spelled out for them.
    assert '<span class="evidence-grade-symbols" aria-hidden="true">⊕⊕⊕⊝</span>' in table
    assert '<span class="evidence-certainty-label">Moderate</span><span class="evidence-visually-hidden"> certainty</span>' in table
    # Lettered footnotes, linked from the certainty cell.
    assert 'href="#evidence-grade-stroke-1-sof-note-a">a</a>' in table
    notes = _squash(re.sub(r"<[^>]+>", "", html.split('class="evidence-sof-footnotes', 1)[1].split("</div>", 1)[0]))
    assert ("a. Downgraded one level for imprecision: wide confidence interval that includes both a meaningful "
            "benefit and a meaningful harm.") in notes
    assert "b. Downgraded one level for risk of bias: unclear allocation concealment." in notes
    assert "c. Downgraded one level for imprecision: few events." in notes
    # Population and the four GRADE definitions.
    assert "Patient or population" in html and "Adults with acute ischaemic stroke" in html
    for level in ("High", "Moderate", "Low", "Very low"):
        assert f"<strong>{level} certainty:</strong>" in html
    assert "We are moderately confident in the effect estimate" in html
    # Citation numbers are the page's: the review is [1] everywhere, linked to its entry.
    assert html.count('href="#evidence-ref-1"') == 3
    assert 'id="evidence-ref-1"' in html
    # Narrow screens: the table sits in a container that scrolls sideways; cells wrap.
    assert '<div class="evidence-sof-scroll docutils container">\n<table class="evidence-sof-table' in html
    css = read(app, "_static/evidence.css")
    assert re.search(r"\.evidence-sof-scroll\s*\{[^}]*overflow-x:\s*auto", css)
    assert re.search(r"table\.evidence-table > \* > tr > :is\(th, td\)[^{]*\{[^}]*overflow-wrap:\s*break-word", css)
    assert "evidence-sort.js" not in html


def test_html_grade_card(make_app, project):
    app = build(make_app, project("grade"), freshenv=True)
    html = read(app, "dementia.html")
    card = html.split('<div class="evidence-grade-card evidence-certainty-very-low docutils container">', 1)[1]
    card = card.split('<ol class="arabic simple evidence-references">', 1)[0]
    text = _squash(re.sub(r"<[^>]+>", " ", card))
    assert text.startswith("Cognitive function ⊕⊝⊝⊝ Very low certainty [ 1 ]")
    assert "Cerebrolysin compared with placebo" in text
    assert "The evidence is very uncertain about the effect of Cerebrolysin on Cognitive function." in text
    assert "597 participants (6 RCTs)" in text
    assert "Downgraded one level for risk of bias: industry funding." in text
    assert "Downgraded one level for inconsistency: results differ between trials." in text
    assert "Six small trials, mostly industry funded." in text
    assert 'id="evidence-grade-dementia-1"' in card
    assert 'href="#evidence-ref-1"' in card
    assert "Cui S, Chen N, Yang M. Cerebrolysin for vascular dementia. Cochrane Database Syst Rev. 2019 Nov 11." in html  # the source is in the page's reference list


def test_latex_output(make_app, project):
    app = build(make_app, project("grade"), "latex", freshenv=True)
    assert warnings(app) == ""
    tex = next(Path(app.outdir).glob("*.tex")).read_text(encoding="utf-8")
    sof = tex.split(r"\begin{longtable}", 1)[1].split(r"\end{longtable}", 1)[0]
    # A longtable (breaks across pages) with proportional column widths (fits the page).
    assert sof.startswith(r"{\X{14}{90}\X{14}{90}\X{13}{90}\X{13}{90}\X{12}{90}\X{24}{90}}")
    assert r"\caption{Cerebrolysin compared with placebo for acute ischaemic stroke" in sof
    assert "No. of participants (studies)" in sof  # pdflatex has no numero sign
    assert "RR 0.96 (0.65 to 1.41)" in sof and "1689 (6 RCTs)" in sof
    assert r"\(\mathord{\oplus}\mathord{\oplus}\mathord{\oplus}\mathord{\ominus}\) \DUrole{evidence-certainty-label}{Moderate}" in sof
    assert r"$^{\text{a}}$" in sof
    assert "probably results in little to no difference in All\\sphinxhyphen{}cause death" in sof
    assert "Downgraded one level for imprecision: wide confidence interval" in tex
    assert "⊕" not in tex and "⊝" not in tex and "№" not in tex
    # The card and the index are there too.
    assert (r"\(\mathord{\oplus}\mathord{\ominus}\mathord{\ominus}\mathord{\ominus}\) "
            r"\DUrole{evidence-certainty-label}{Very low} certainty") in tex
    assert r"\label{\detokenize{dementia:evidence-grade-dementia-1}}" in tex
    assert r"\hyperref[\detokenize{dementia:evidence-grade-dementia-1}]" in tex


def test_text_output(make_app, project):
    app = build(make_app, project("grade"), "text", freshenv=True)
    assert warnings(app) == ""
    text = read(app, "stroke.txt")
    assert all(len(line) <= 110 for line in text.splitlines())
    rows = _text_table(text, "Outcomes")
    assert rows[0] == ["Outcomes", "Anticipated absolute effects", "Relative effect (95% CI)",
                       "№ of participants (studies)", "Certainty", "Comments"]
    death = rows[1]
    assert death[0] == "**All-cause death** [1] Follow-up: 90 days"
    assert death[2:5] == ["RR 0.96 (0.65 to 1.41)", "1689 (6 RCTs)", "⊕⊕⊕⊝ Moderate^a"]
    assert death[5].startswith("Cerebrolysin probably results in little to no difference in All-cause death.")
    assert rows[2][4] == "⊕⊕⊝⊝ Low^b,c"
    assert "a. Downgraded one level for imprecision: wide confidence interval" in _squash(text)
    assert "**Very low certainty:** We have very little confidence" in _squash(text)
    card = read(app, "dementia.txt")
    assert "**Cognitive function** ⊕⊝⊝⊝ Very low certainty [1]" in card
    assert "The evidence is very uncertain about the effect of Cerebrolysin on\nCognitive function." in card
    index = _text_table(read(app, "evidence.txt"), "Intervention")
    assert index[1] == ["Cerebrolysin", "Placebo", "All-cause death", "⊕⊕⊕⊝ Moderate", "Little or no difference",
                        "Cerebrolysin for stroke"]
    assert len(index) == 4


def test_evidence_index_html(make_app, project):
    app = build(make_app, project("grade"), freshenv=True)
    html = read(app, "evidence.html")
    table = _table(html, "evidence-index-table")
    headers = [_squash(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th.*?</th>", table, re.S)]
    assert headers == ["Intervention", "Comparison", "Outcome", "Certainty", "Effect", "Page"]
    rows = [_squash(r) for r in _rows(table)]
    # Each value after the first carries its column name, shown only where CSS stacks the rows (a phone).
    assert rows == [
        "Cerebrolysin Comparison: Placebo Outcome: All-cause death Certainty: ⊕⊕⊕⊝ Moderate certainty "
        "Effect: Little or no difference Page: Cerebrolysin for stroke",
        "Cerebrolysin Comparison: Placebo Outcome: Cognitive function Certainty: ⊕⊝⊝⊝ Very low certainty "
        "Effect: Uncertain Page: Cerebrolysin for vascular dementia",
        "Cerebrolysin Comparison: Placebo Outcome: Non-fatal serious adverse events Certainty: ⊕⊕⊝⊝ Low certainty "
        "Effect: Small harm Page: Cerebrolysin for stroke",
    ]
    assert 'href="stroke.html#evidence-grade-stroke-1"' in table
    assert 'href="stroke.html#evidence-grade-stroke-2"' in table
    assert 'href="dementia.html#evidence-grade-dementia-1"' in table
    # Sort keys for the certainty and effect columns; the script is local, deferred, and only here.
    assert '<td class="evidence-sort-3">' in table and '<td class="evidence-sort-1">' in table
    assert re.search(r'<script defer="defer" src="_static/evidence-sort.js[^"]*"></script>', html)
    script = read(app, "_static/evidence-sort.js")
    assert "http" not in script and "table.evidence-index-table" in script
    assert "aria-sort" in script
    assert "evidence-sort.js" not in read(app, "index.html")


def test_parallel_index_equals_serial(make_app, project, tmp_path):
    src = project("grade")
    out = {}
    for jobs in (0, 2):
        app = make_app("html", srcdir=src, builddir=tmp_path / f"j{jobs}", freshenv=True, parallel=jobs)
        app.build()
        assert "[evidence." not in warnings(app) and "Traceback" not in warnings(app)
        out[jobs] = {name: read(app, name) for name in ("evidence.html", "stroke.html", "dementia.html")}
    assert out[0] == out[2]
    assert "Non-fatal serious adverse events" in out[2]["evidence.html"]


def test_incremental_edit_updates_index(make_app, project):
    src = project("grade")
    first = build(make_app, src)
    assert "Cognitive function" in read(first, "evidence.html")
    dementia = src / "dementia.rst"
    dementia.write_text(dementia.read_text(encoding="utf-8").replace("Cognitive function", "Global cognition"),
                        encoding="utf-8")
    second = build(make_app, src)
    status = re.sub(r"\x1b\[[0-9;]*m", "", second.status.getvalue())
    assert "0 added, 1 changed, 0 removed" in status
    assert not re.search(r"reading sources\.\.\. \[\s*\d+%\] evidence", status)  # only rewritten
    index = read(second, "evidence.html")
    assert "Global cognition" in index and "Cognitive function" not in index
    # An edit that leaves every grade alone does not rewrite the index page.
    before = os.stat(Path(second.outdir, "evidence.html")).st_mtime_ns
    time.sleep(0.01)
    page = src / "index.rst"
    page.write_text(page.read_text(encoding="utf-8") + "\nMore words.\n", encoding="utf-8")
    third = build(make_app, src)
    assert os.stat(Path(third.outdir, "evidence.html")).st_mtime_ns == before
    # Removing a graded page drops its rows.
    (src / "dementia.rst").unlink()
    page.write_text(page.read_text(encoding="utf-8").replace("   dementia\n", ""), encoding="utf-8")
    fourth = build(make_app, src)
    index = read(fourth, "evidence.html")
    assert "Global cognition" not in index and "All-cause death" in index


def test_warnings_with_file_and_line(make_app, project):
    app = build(make_app, project("grade-warnings"), freshenv=True)
    warned = warnings(app)
    src = "index.rst"

    def has(line: int, subtype: str, *fragments: str) -> bool:
        pattern = rf"{src}:{line}: WARNING: [^\n]*" + "".join(rf"(?=[^\n]*{re.escape(f)})" for f in fragments)
        return any(re.search(pattern + r"[^\n]*\[evidence\." + subtype + r"\]", line_) for line_ in warned.splitlines())

    assert has(4, "grade-inconsistent", "Overstated death", "stated certainty is high", "gives moderate")
    assert has(11, "grade-effect", "large-benefit", "very low")
    assert has(18, "grade-retracted-source", "Retracted basis", "PMID 993")
    assert has(25, "invalid-option", ":certainty: 'medium'", "high, moderate, low, very-low")
    assert has(29, "invalid-option", ":effect: 'somewhat-better'", "little-or-no", "uncertain")
    assert has(29, "invalid-option", "unknown downgrade reason 'vibes'", "risk-of-bias", "publication-bias")
    assert has(29, "unknown-option", ":colour:")
    assert has(35, "missing-option", "No certainty", ":certainty:")
    assert has(55, "empty", "Empty table")
    # Consistent grades (observational upgraded, explicit randomised design) raise nothing.
    assert "Observational upgraded" not in warned and "Randomised by option" not in warned
    assert warned.count("[evidence.grade-inconsistent]") == 1
    html = read(app, "index.html")
    assert "Source retracted" in html
    assert "Traceback" not in warned


@pytest.mark.parametrize("builder", ["singlehtml", "epub", "man"])
def test_other_builders(make_app, project, builder):
    app = build(make_app, project("grade"), builder, freshenv=True)
    assert "[evidence." not in warnings(app) and "Traceback" not in warnings(app)
    if builder == "singlehtml":
        html = read(app, "index.html")
        # One document: ids are unique across pages and the index links to them directly.
        ids = re.findall(r'id="(evidence-grade-[^"]+)"', html)
        assert len(ids) == len(set(ids))
        assert 'href="#evidence-grade-dementia-1"' in html and 'id="evidence-grade-dementia-1"' in html
        assert "#document-" not in "".join(re.findall(r'href="[^"]*evidence-grade[^"]*"', html))


def test_no_effect_gives_no_sentence_and_every_bad_value_warns(make_app, tmp_path):
    """Without :effect: no plain-language sentence is invented; an invalid certainty does not hide other bad values."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n")
    (src / "index.rst").write_text(
        "Grades\n======\n\n"
        ".. evidence-grade:: Stroke\n   :certainty: high\n   :intervention: Aspirin\n   :studies: 9 RCTs\n\n"
        ".. evidence-grade:: Pain\n   :certainty: very-low\n   :intervention: Aspirin\n   :studies: 1 RCT\n"
        "   :downgrade: risk-of-bias -1 open; imprecision -2 tiny\n\n"
        ".. evidence-grade:: Sleep\n   :certainty: medium\n   :effect: meh\n", encoding="utf-8")
    app = build(make_app, src, freshenv=True)
    warned = warnings(app)
    html = read(app, "index.html")
    stroke = html[html.index("Stroke"):html.index("Pain")]
    assert "very uncertain" not in stroke  # high certainty: never "the evidence is very uncertain"
    assert "evidence-grade-statement" not in stroke
    assert re.search(r"index\.rst:4: WARNING: [^\n]*'Stroke'[^\n]*:effect:[^\n]*\[evidence\.missing-option\]", warned)
    # Very low certainty needs no effect: GRADE's sentence is the same for every effect.
    assert "The evidence is very uncertain about the effect of Aspirin on Pain." in html
    assert not re.search(r"index\.rst:9: [^\n]*missing-option", warned)
    assert re.search(r"index\.rst:15: WARNING: [^\n]*:certainty: 'medium'[^\n]*\[evidence\.invalid-option\]", warned)
    assert re.search(r"index\.rst:15: WARNING: [^\n]*:effect: 'meh'[^\n]*little-or-no[^\n]*\[evidence\.invalid-option\]",
                     warned)


def test_search_index_leaves_out_what_every_table_repeats(make_app, project):
    """The GRADE definitions and the phone-layout column names are on every table: not searchable words."""
    app = build(make_app, project("grade"), freshenv=True)
    html = read(app, "stroke.html")
    assert "evidence-sof-definitions no-search" in html
    assert '<span class="evidence-cell-label no-search">' in html
    index = read(app, "searchindex.js")
    terms = json.loads(index[index.index("(") + 1:index.rindex(")")])["terms"]
    # Words of the definitions only ("substantially different", "a possibility that"): left out.
    assert "substanti" not in terms and "possibl" not in terms
    # The author's words and the rendered statements stay searchable.
    assert "cerebrolysin" in terms and "follow" in terms and "stroke" in terms
