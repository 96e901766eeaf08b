"""GRADE in a real build: each honesty rule warns at its directive's line, and the output never contradicts it."""

from __future__ import annotations

import re

import pytest
from helpers import read, warnings

ROOT = "grade-honesty"


def has(warned: str, line: int, subtype: str, *fragments: str) -> bool:
    """A warning at ``index.rst:line`` of ``subtype`` holding every fragment."""
    for text in warned.splitlines():
        if f"index.rst:{line}: WARNING:" in text and text.endswith(f"[evidence.{subtype}]"):
            if all(f in text for f in fragments):
                return True
    return False


@pytest.mark.sphinx("text", testroot=ROOT, freshenv=True)
def test_each_rule_warns_at_its_line(app) -> None:
    app.build()
    warned = warnings(app)
    assert has(warned, 4, "grade-direction", ":effect: benefit", "RR 2.39 (1.10 to 5.23)", "an increase")
    assert has(warned, 19, "grade-outcome-type", "'HbA1c'", ":outcome-type:")
    assert has(warned, 25, "grade-imprecision", "large-benefit", "includes no effect")
    assert has(warned, 33, "grade-imprecision", "no imprecision downgrade")
    assert has(warned, 41, "grade-inconsistent", "moderate", "randomised evidence starts at high", "no downgrade")
    assert has(warned, 53, "grade-design", "mixes randomised and non-randomised")
    assert has(warned, 65, "invalid-option", "-3", "one or two levels")
    assert has(warned, 65, "grade-reason", "risk of bias", "no reason")
    assert has(warned, 102, "grade-overall", "high", "'All-cause death'", "moderate")
    assert has(warned, 107, "invalid-option", "both :absolute: and :baseline-risk:")
    # Consistent grades stay quiet: derived effects, quasi-randomised read as non-randomised, ROBINS-I.
    for line in (13, 47, 59, 72, 85, 94):
        assert f"index.rst:{line}:" not in warned, line
    assert "Traceback" not in warned


@pytest.mark.sphinx("text", testroot=ROOT, freshenv=True)
def test_sentences_follow_the_numbers(app) -> None:
    app.build()
    text = read(app, "index.txt")
    flat = " ".join(text.split())
    # The contradicted grade shows no sentence rather than "probably reduces".
    sae = flat[flat.index("Non-fatal serious adverse events"):flat.index("**Survival**")]
    assert "reduces" not in sae and "increases" not in sae
    assert "Drug Y may increase Survival." in flat  # derived from RR 1.30 (1.10 to 1.50), desirable outcome
    assert "Statins probably result in a large reduction in Mortality." in flat  # plural verb, case kept
    assert "Statins probably reduce Stroke." in flat
    hba1c = flat[flat.index("**HbA1c**"):flat.index("**Mortality**")]
    assert "Statins" not in hba1c  # no polarity, no numbers: no sentence
    assert "Drug Y probably eases pain a little in the first week. (the author's wording" in flat
    hip = flat[flat.index("**Hip fracture**"):]
    assert "about a quarter fewer" not in hip and "50 fewer per 1,000 (80 fewer to 20 fewer)" in hip


@pytest.mark.sphinx("html", testroot=ROOT, freshenv=True)
def test_summary_of_findings_table(app) -> None:
    app.build()
    html = read(app, "index.html")
    table = re.search(r'<table class="[^"]*evidence-sof-table.*?</table>', html, re.S).group(0)
    plain = " ".join(re.sub(r"<[^>]+>", " ", table).split())
    assert "Importance" in plain and "Critical" in plain and "Important" in plain
    assert "Risk with placebo: 200 per 1,000" in plain
    assert "Risk with Drug Z: 150 per 1,000 (120 to 180)" in plain
    assert "50 fewer per 1,000 (80 fewer to 20 fewer)" in plain
    assert "Risk with placebo: 20 per 1,000" in plain and "5 fewer per 1,000 (8 fewer to 2 fewer)" in plain
    # Footnote marks in reading order, even when the reasons were written b, a.
    marks = re.findall(r'<sup class="evidence-sof-mark">(.*?)</sup>', table, re.S)
    letters = [re.sub(r"<[^>]+>", "", m) for m in marks]
    assert letters == ["a", "a,b"]
    assert "compared with placebo compared with" not in html
    assert "Drug Z may result in little to no difference in Quality of life." in plain
    card = html[html.index("Non-fatal serious adverse events"):html.index("Survival")]
    assert "Drug Y compared with placebo" in re.sub(r"<[^>]+>", "", card)
    assert "evidence-grade-statement-author" in html


@pytest.mark.sphinx("latex", testroot=ROOT, freshenv=True)
def test_latex_has_the_risks_and_the_author_mark(app) -> None:
    app.build()
    tex = (app.outdir / "projectnamenotset.tex").read_text(encoding="utf-8") if (
        app.outdir / "projectnamenotset.tex").exists() else next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    assert "50 fewer per 1,000 (80 fewer to 20 fewer)" in tex
    assert "the author\\textquotesingle{}s wording" in tex or "the author's wording" in tex
