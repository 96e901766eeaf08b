"""GRADEpro's worded differences: units glued to the number, the shortened interval, a word after the brackets;
and warnings that say what to write instead."""

from __future__ import annotations

import pytest

from sphinxext_evidence.grade.estimate import parse_estimate


@pytest.mark.parametrize(("text", "value", "low", "high"), [
    ("MD 0.5% lower (0.7% lower to 0.3% lower)", -0.5, -0.7, -0.3),
    ("mean difference 2.1 kg less (3.0 kg less to 1.2 kg less)", -2.1, -3.0, -1.2),
    ("MD 10 mg/dL lower (15 mg/dL lower to 5 mg/dL lower)", -10, -15, -5),
    ("MD 2.1kg less (3.0kg less to 1.2kg less)", -2.1, -3.0, -1.2),
])
def test_a_unit_between_the_number_and_its_word(text: str, value: float, low: float, high: float) -> None:
    estimate, problem = parse_estimate(text)
    assert problem is None and estimate is not None
    assert (estimate.value, estimate.low, estimate.high) == (value, low, high)


@pytest.mark.parametrize(("text", "value", "low", "high"), [
    ("MD 10 points lower (5 to 15 lower)", -10, -15, -5),
    ("MD 2 lower (3 to 1 lower)", -2, -3, -1),
    ("MD 0.5% lower (0.7% to 0.3% lower)", -0.5, -0.7, -0.3),
    ("MD 2.1 kg less (3.0 kg to 1.2 kg less)", -2.1, -3.0, -1.2),
    ("MD 4 higher (1 to 7 higher)", 4, 1, 7),
    # A first bound with its own sign or word keeps it.
    ("MD 1 higher (-2 to 4 higher)", 1, -2, 4),
    ("MD 5 higher (2 lower to 12 higher)", 5, -2, 12),
])
def test_a_word_after_the_last_bound_only_signs_both(text: str, value: float, low: float, high: float) -> None:
    estimate, problem = parse_estimate(text)
    assert problem is None and estimate is not None
    assert (estimate.value, estimate.low, estimate.high) == (value, low, high)


@pytest.mark.parametrize("text", ["MD 5 (2 to 8) points lower", "SMD 0.3 (0.1 to 0.5) higher",
                                  "MD 5 points (2 to 8), lower with Drug A"])
def test_a_sign_word_after_the_brackets_is_never_dropped(text: str) -> None:
    estimate, problem = parse_estimate(text)
    assert estimate is None and problem is not None
    assert "after the brackets" in problem and "after each number" in problem


@pytest.mark.parametrize(("text", "advice"), [
    ("MD", "as in 'MD 0.80 (0.70 to 0.91)'"),
    ("RR 0.5 (0.7 to 0.9)", "write the estimate first and its interval in brackets"),
    ("RR 0 (0 to 1)", "check the numbers"),
    ("RRR 120% (100% to 140%)", "as in 'RRR 25% (10% to 40%)'"),
])
def test_unreadable_estimates_say_what_to_write(text: str, advice: str) -> None:
    problem = parse_estimate(text)[1]
    assert problem is not None and advice in problem


@pytest.mark.parametrize(("text", "design"), [
    ("observational studies", "non-randomised"), ("Non-randomised studies", "non-randomised"),
    ("randomised controlled trials", "randomised"), ("prospective cohort", "non-randomised"),
    ("non-randomised controlled trial", "non-randomised"), ("Randomized", "randomised"),
    ("non-randomised (ROBINS-I)", "non-randomised-robins-i"), ("RCTs and cohorts", None), ("mixed bag", None),
])
def test_design_accepts_what_studies_accepts(text: str, design: str | None) -> None:
    from sphinxext_evidence.grade.rules import parse_design

    assert parse_design(text) == design


def test_an_effect_too_rare_even_per_100000_is_not_printed_as_zero() -> None:
    from sphinxext_evidence.grade.absolute import Baseline, absolute_effect, describe_difference

    effect = absolute_effect("RR", 0.95, 0.93, 0.97, Baseline(0.01))
    assert effect.per == 100_000
    assert describe_difference(effect) == ("less than 1 fewer per 100,000 (less than 1 fewer to less than 1 fewer)")
    wide = absolute_effect("RR", 0.95, 0.5, 1.5, Baseline(0.01))
    assert describe_difference(wide) == "less than 1 fewer per 100,000 (1 fewer to 1 more)"


def test_one_word_against_a_longer_phrase_is_not_split() -> None:
    from sphinxext_evidence.grade.directives import split_comparison

    assert split_comparison("Early versus delayed surgery", "") == ("Early versus delayed surgery", "", None)
    kept = split_comparison("Early versus delayed surgery", "delayed surgery")
    assert kept[:2] == ("Early versus delayed surgery", "delayed surgery")
    assert kept[2] is not None and "'Early surgery'" in kept[2]
    assert split_comparison("Aspirin versus placebo", "") == ("Aspirin", "placebo", None)
