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
