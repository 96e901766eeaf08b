"""GRADE in real builds: the methodologist's cases, each read the way GRADE means it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from helpers import read, warnings


def build(make_app: Any, tmp_path: Path, body: str, builder: str = "text") -> tuple[str, str]:
    """Build one page holding ``body``; return its output (tags and spacing squashed) and the warnings."""
    (tmp_path / "conf.py").write_text('extensions = ["sphinxext_evidence"]\nevidence_offline = True\n',
                                      encoding="utf-8")
    (tmp_path / "index.rst").write_text("Grades\n======\n\n" + body, encoding="utf-8")
    app = make_app(builder, srcdir=tmp_path, freshenv=True)
    app.build()
    out = read(app, "index.txt" if builder == "text" else "index.html")
    if builder == "html":
        out = re.sub(r"<[^>]+>", " ", out)
    return " ".join(out.split()), warnings(app)


def grade(outcome: str, **options: str) -> str:
    """An ``evidence-grade`` directive with ``options`` (underscores in names become hyphens)."""
    lines = [f".. evidence-grade:: {outcome}"]
    for name, value in options.items():
        value_lines = value.split("\n")
        lines.append(f"   :{name.replace('_', '-')}: {value_lines[0]}")
        lines.extend(f"      {more}" for more in value_lines[1:])
    return "\n".join(lines) + "\n\n"


def subtypes(warned: str) -> list[str]:
    """The subtypes of the warnings, in order."""
    return re.findall(r"\[evidence\.([a-z-]+)\]", warned)


TRIALS = {"intervention": "Drug A", "studies": "6 RCTs"}


def test_hazard_ratio_on_survival_reads_as_more_survival(make_app, tmp_path) -> None:
    body = (grade("Overall survival", certainty="moderate", relative="HR 0.80 (0.70 to 0.91)",
                  downgrade="risk-of-bias -1 open label", **TRIALS)
            + grade("Progression-free survival", certainty="moderate", effect="benefit",
                    relative="HR 0.80 (0.70 to 0.91)", downgrade="risk-of-bias -1 open label", **TRIALS)
            + grade("Time to relapse", certainty="moderate", relative="HR 0.70 (0.60 to 0.82)",
                    downgrade="risk-of-bias -1 open label", **TRIALS)
            + ".. evidence-index::\n")
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A probably increases Overall survival." in text
    assert "Drug A probably increases Progression-free survival." in text
    assert "Drug A probably increases Time to relapse." in text
    assert "reduces" not in text
    assert "grade-direction" not in warned and "Harm" not in text


def test_baselines_on_separate_lines_are_separate_rows(make_app, tmp_path) -> None:
    body = (".. certainty-table:: Drug A compared with placebo\n   :intervention: Drug A\n   :comparison: placebo\n\n"
            + "\n".join("   " + line if line else "" for line in grade(
                "Death", certainty="moderate", relative="RR 0.75 (0.60 to 0.90)",
                baseline_risk="Low risk: 20 per 1,000\nHigh risk: 200 per 1,000",
                downgrade="risk-of-bias -1 open label", studies="5 RCTs").splitlines()) + "\n")
    text, warned = build(make_app, tmp_path, body, "html")
    assert "Risk with Drug A: 15 per 1,000 (12 to 18)" in text
    assert "Risk with Drug A: 150 per 1,000 (120 to 180)" in text
    assert "Low risk" in text and "High risk" in text and "20 per 1,000 High risk" not in text
    assert "invalid-option" not in warned


def test_risk_ratio_too_large_for_the_baseline_warns_and_invents_nothing(make_app, tmp_path) -> None:
    body = grade("Death", certainty="moderate", effect="large-harm", relative="RR 2.00 (1.50 to 2.50)",
                 baseline_risk="600 per 1,000", downgrade="risk-of-bias -1 open label", **TRIALS)
    text, warned = build(make_app, tmp_path, body)
    assert "1,000 per 1,000" not in text.replace("more than 1,000 per 1,000", "")
    assert "Not computed: RR 2.00 (1.50 to 2.50) cannot be applied to this risk" in text
    line = next(w for w in warned.splitlines() if "Cochrane Handbook 6.4.1.2" in w)
    assert line.endswith("[evidence.invalid-option]") and "odds ratio" in line and "600 per 1,000" in line


def test_point_estimate_without_an_interval_says_nothing_and_warns(make_app, tmp_path) -> None:
    body = (grade("Mortality", certainty="moderate", relative="RR 0.75", downgrade="risk-of-bias -1 open label",
                  **TRIALS)
            + grade("Stroke", certainty="moderate", relative="RR 0.75 (0.60 to \u221e)",
                    downgrade="risk-of-bias -1 open label", **TRIALS))
    text, warned = build(make_app, tmp_path, body)
    assert "reduces" not in text
    assert warned.count("no confidence interval that can be read") == 2
    assert subtypes(warned).count("missing-option") == 2


def test_gradepro_words_and_thousands_give_the_real_numbers(make_app, tmp_path) -> None:
    body = (grade("Pain", certainty="moderate", relative="MD 3.2 points lower (5.1 lower to 1.3 lower)",
                  downgrade="risk-of-bias -1 open label", **TRIALS)
            + grade("Costs", certainty="moderate", outcome_type="undesirable",
                    relative="MD \u22122,100 USD (\u22123,500 to \u2212700)", downgrade="risk-of-bias -1 open label",
                    **TRIALS)
            + grade("Daily steps", certainty="moderate", outcome_type="desirable",
                    relative="MD 1,234 steps (1,010 to 1,458)", downgrade="risk-of-bias -1 open label", **TRIALS))
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A probably reduces Pain." in text and "increases Pain" not in text
    assert "Drug A probably reduces Costs." in text
    assert "Drug A probably increases Daily steps." in text
    assert warned.strip() == ""


def test_derived_and_stated_effects_meet_the_same_limits(make_app, tmp_path) -> None:
    body = (grade("Mortality", certainty="high", relative="RR 0.88 (0.80 to 0.97)", **TRIALS)
            + grade("Pain score", certainty="high", outcome_type="undesirable",
                    relative="SMD -0.15 (-0.19 to -0.11)", **TRIALS)
            + grade("Stroke", certainty="moderate", effect="little-or-no", relative="RR 0.70 (0.45 to 1.09)",
                    downgrade="imprecision -1 wide interval", **TRIALS))
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A reduces Mortality slightly." in text
    assert "Drug A reduces Pain score slightly." in text
    assert "little to no difference in Mortality" not in text
    assert "little to no difference in Stroke" not in text
    stroke = [w for w in warned.splitlines() if "'Stroke'" in w]
    assert len(stroke) == 1 and stroke[0].endswith("[evidence.grade-direction]") and "point estimate" in stroke[0]


def test_a_contradicted_statement_is_hidden_as_the_warning_says(make_app, tmp_path) -> None:
    body = grade("Deaths", certainty="high", effect="harm", relative="RR 0.60 (0.50 to 0.70)",
                 statement="Drug A increases deaths.", **TRIALS)
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A increases deaths." not in text and "author's wording" not in text
    assert "not even your :statement:" in warned


def test_non_randomised_spellings_start_low(make_app, tmp_path) -> None:
    body = "".join(grade(f"Death {n}", certainty="high", effect="little-or-no", intervention="Drug A", studies=studies)
                   for n, studies in enumerate(["4 quasi-RCTs", "3 non-RCTs", "5 non randomised studies",
                                                "5 non\u2011randomised studies"]))
    _, warned = build(make_app, tmp_path, body)
    assert subtypes(warned) == ["grade-inconsistent"] * 4
    assert warned.count("non-randomised evidence starts at low and no upgrade is given") == 4


def test_fractional_and_unknown_levels_warn_and_leave_no_footnote(make_app, tmp_path) -> None:
    body = grade("Death", certainty="moderate", effect="little-or-no", intervention="Drug A", studies="6 RCTs",
                 downgrade="imprecision -1.5 wide CI\nrisk-of-bias extremely serious open label")
    text, warned = build(make_app, tmp_path, body)
    assert "5 wide CI" not in text and "Downgraded" not in text
    assert subtypes(warned).count("invalid-option") == 2 and "level -1.5;" in warned
    assert "'extremely serious'" in warned


def test_twenty_eight_footnotes_have_unique_marks_and_ids(make_app, tmp_path) -> None:
    rows = "".join(grade(f"Outcome {n}", certainty="moderate", effect="little-or-no", studies="6 RCTs",
                         outcome_type="desirable", downgrade=f"imprecision -1 reason number {n}") for n in range(28))
    body = (".. certainty-table:: Drug A compared with placebo\n   :intervention: Drug A\n   :comparison: placebo\n\n"
            + "\n".join("   " + line if line else "" for line in rows.splitlines()) + "\n")
    (tmp_path / "conf.py").write_text('extensions = ["sphinxext_evidence"]\nevidence_offline = True\n',
                                      encoding="utf-8")
    (tmp_path / "index.rst").write_text("Grades\n======\n\n" + body, encoding="utf-8")
    app = make_app("html", srcdir=tmp_path, freshenv=True)
    app.build()
    html = read(app, "index.html")
    ids = re.findall(r'id="([^"]*-sof-note-[a-z]+)"', html)
    assert len(ids) == 28 and len(set(ids)) == 28
    assert ids[-2].endswith("-note-aa") and ids[-1].endswith("-note-ab")
    marks = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<sup class="evidence-sof-mark">(.*?)</sup>', html, re.S)]
    assert marks[25:] == ["z", "aa", "ab"]
    assert all(f'href="#{note}"' in html for note in ids)


def test_rare_baseline_shows_per_10000(make_app, tmp_path) -> None:
    body = grade("Death", certainty="moderate", relative="RR 0.75 (0.60 to 0.90)", baseline_risk="1 per 1,000",
                 downgrade="risk-of-bias -1 open label", **TRIALS)
    text, warned = build(make_app, tmp_path, body)
    assert "3 fewer per 10,000 (4 fewer to 1 fewer)" in text
    assert "0 fewer" not in text and "(1 to 1)" not in text


def test_comparison_written_out_is_not_doubled_and_options_take_any_case(make_app, tmp_path) -> None:
    body = (grade("Cognitive function", certainty="moderate", effect="benefit", outcome_type="Desirable",
                  intervention="Drug A", comparison="Compared with: placebo", studies="6 RCTs",
                  downgrade="risk-of-bias -1 open label")
            + grade("Function", certainty="moderate", effect="benefit", outcome_type="DESIRABLE",
                    intervention="Drug B versus placebo", comparison="placebo", studies="6 RCTs",
                    downgrade="risk-of-bias -1 open label")
            + grade("Back pain", certainty="moderate", effect="benefit", intervention="Pilates",
                    comparison="in comparison with Placebo", studies="6 RCTs",
                    downgrade="risk-of-bias -1 open label"))
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A compared with placebo" in text and "Compared with:" not in text
    assert "Drug B compared with placebo" in text and "versus placebo" not in text
    assert "Drug B probably increases Function." in text
    assert "Pilates compared with placebo" in text and "Pilates probably reduces Back pain." in text
    assert warned.strip() == ""
