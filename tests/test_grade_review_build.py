"""GRADE in real builds, the methodologist's second review: names read as phrases, the index never stating an
effect the numbers contradict, GRADEpro's wordings of a difference, time-to-event rows that count events."""

from __future__ import annotations

from test_grade_methodology_build import TRIALS, build, grade, subtypes

OPEN = {"downgrade": "risk-of-bias -1 unblinded", "certainty": "moderate"}


def test_time_to_a_modified_event_reads_the_other_way(make_app, tmp_path) -> None:
    body = (grade("Time to all-cause death", effect="benefit", relative="HR 0.80 (0.70 to 0.91)", **OPEN, **TRIALS)
            + grade("Time to first COPD exacerbation", relative="HR 0.70 (0.60 to 0.82)", **OPEN, **TRIALS)
            + grade("Time to sustained recovery", effect="harm", relative="HR 0.70 (0.60 to 0.82)", **OPEN, **TRIALS)
            + ".. evidence-index::\n")
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A probably increases Time to all-cause death." in text
    assert "Drug A probably increases Time to first COPD exacerbation." in text
    assert "Drug A probably increases Time to sustained recovery." in text
    assert subtypes(warned) == [] and "Harm" in text and text.count("Benefit") == 2


def test_improvement_and_control_are_desirable(make_app, tmp_path) -> None:
    body = (grade("Symptom improvement", effect="benefit", relative="RR 1.40 (1.20 to 1.65)", **OPEN, **TRIALS)
            + grade("Pain control", relative="RR 1.40 (1.20 to 1.65)", **OPEN, **TRIALS)
            + grade("Survival free of stroke", relative="HR 0.80 (0.70 to 0.91)", **OPEN, **TRIALS)
            + grade("Side-effects", relative="RR 1.40 (1.20 to 1.65)", **OPEN, **TRIALS)
            + ".. evidence-index::\n")
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A probably increases Symptom improvement." in text
    assert "Drug A probably increases Pain control." in text
    assert "Drug A probably increases Survival free of stroke." in text
    assert "Drug A probably increases Side-effects." in text
    assert subtypes(warned) == [] and text.count("Benefit") == 3 and text.count("Harm") == 1


def test_recovery_time_asks_for_its_polarity(make_app, tmp_path) -> None:
    body = (grade("Recovery time", effect="benefit", relative="MD 2 days shorter (3 shorter to 1 shorter)",
                  **OPEN, **TRIALS) + ".. evidence-index::\n")
    text, warned = build(make_app, tmp_path, body)
    assert subtypes(warned) == ["grade-outcome-type"] and "'Recovery time'" in warned
    assert "Drug A probably reduces Recovery time." in text and "Harm" not in text


def test_the_index_does_not_state_an_effect_the_numbers_contradict(make_app, tmp_path) -> None:
    body = (grade("All-cause death", effect="benefit", relative="RR 1.20 (1.05 to 1.37)", certainty="high",
                  intervention="Drug A", studies="12 RCTs") + ".. evidence-index::\n")
    text, warned = build(make_app, tmp_path, body, "html")
    assert subtypes(warned) == ["grade-direction"]
    assert "Benefit" not in text and "Contradicted by the numbers" in text
    assert "reduces" not in text


def test_units_shortened_intervals_and_words_after_the_brackets(make_app, tmp_path) -> None:
    body = (grade("HbA1c", effect="benefit", outcome_type="undesirable",
                  relative="MD 0.5% lower (0.7% lower to 0.3% lower)", **OPEN, **TRIALS)
            + grade("Pain", relative="MD 10 points lower (5 to 15 lower)", **OPEN, **TRIALS)
            + grade("Symptoms", relative="MD 5 (2 to 8) points lower", effect="benefit", **OPEN, **TRIALS))
    text, warned = build(make_app, tmp_path, body)
    assert "Drug A probably reduces HbA1c." in text and "Drug A probably reduces Pain." in text
    assert "increases" not in text
    assert subtypes(warned) == ["invalid-option"]
    line = warned.strip().splitlines()[0]
    assert "'Symptoms'" in line and "after the brackets" in line and "MD 5 points lower (2 lower to 8 lower)" in line


def test_time_to_event_absolute_effects_count_events(make_app, tmp_path) -> None:
    body = (".. certainty-table:: Drug A compared with placebo\n   :intervention: Drug A\n   :comparison: placebo\n\n"
            + "\n".join("   " + line if line else "" for line in grade(
                "Disease-free survival", relative="HR 0.70 (0.60 to 0.82)", baseline_risk="300 per 1,000",
                **OPEN, studies="5 RCTs").splitlines()) + "\n\n"
            + grade("Progression-free survival", relative="HR 0.70 (0.60 to 0.82)", baseline_risk="300 per 1,000",
                    **OPEN, **TRIALS))
    text, warned = build(make_app, tmp_path, body, "html")
    assert "Risk with placebo: 300 events per 1,000" in text
    assert "Risk with Drug A: 221 events per 1,000" in text and "79 fewer events per 1,000" in text
    assert "Absolute effect: 79 fewer events (progression or death) per 1,000" in text
    assert "probably increases Disease-free survival" in text and subtypes(warned) == []


def test_design_in_natural_words_is_read_and_an_unreadable_one_says_the_check_is_skipped(make_app, tmp_path) -> None:
    body = (grade("Death", certainty="moderate", effect="little-or-no", design="observational studies",
                  intervention="Drug A", studies="3 studies")
            + grade("Stroke", certainty="low", effect="little-or-no", design="randomised controlled trials",
                    intervention="Drug A", studies="3 studies")
            + grade("Pain", certainty="low", effect="little-or-no", design="mixed bag", intervention="Drug A"))
    text, warned = build(make_app, tmp_path, body)
    assert subtypes(warned) == ["grade-inconsistent", "grade-inconsistent", "invalid-option"]
    assert "non-randomised evidence starts at low" in warned and "randomised evidence starts at high" in warned
    assert "'mixed bag'" in warned and "the certainty is not checked" in warned


def test_a_large_effect_with_an_interval_including_no_effect_says_what_to_do(make_app, tmp_path) -> None:
    body = grade("Stroke", effect="large-benefit", relative="RR 0.50 (0.20 to 1.10)", certainty="moderate",
                 downgrade="imprecision -1 few events", **TRIALS)
    _, warned = build(make_app, tmp_path, body)
    assert subtypes(warned) == ["grade-imprecision"]
    assert "state a smaller effect (such as :effect: benefit)" in warned


def test_early_versus_delayed_surgery_is_kept_whole_and_rare_effects_are_not_zero(make_app, tmp_path) -> None:
    body = (grade("Mortality", certainty="moderate", relative="RR 0.80 (0.70 to 0.91)", studies="6 RCTs",
                  intervention="Early versus delayed surgery", downgrade="risk-of-bias -1 unblinded")
            + grade("Stroke", certainty="high", relative="RR 0.95 (0.93 to 0.97)", baseline_risk="1 per 100,000",
                    **TRIALS))
    text, warned = build(make_app, tmp_path, body)
    assert "Early versus delayed surgery probably reduces Mortality." in text and "Early reduces" not in text
    assert "less than 1 fewer per 100,000" in text and "0 fewer" not in text
    assert subtypes(warned) == []
