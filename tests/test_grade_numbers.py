"""GRADE that cannot mislead: estimates, direction, polarity, statements, design and ratings (pure logic)."""

from __future__ import annotations

import itertools

import pytest

from sphinxext_evidence.grade.estimate import parse_estimate
from sphinxext_evidence.grade.judgement import judge
from sphinxext_evidence.grade.levels import Certainty, make_effect
from sphinxext_evidence.grade.rules import (
    MIXED,
    NON_RANDOMISED,
    RANDOMISED,
    ROBINS_I,
    consistency_problem,
    infer_design,
    parse_design,
    parse_ratings,
    starting_certainty,
    unexplained,
)
from sphinxext_evidence.grade.statements import is_plural, outcome_type_of, plain_language


# --- estimates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "measure", "value", "low", "high", "direction", "crosses"), [
    ("RR 0.96 (0.65 to 1.41)", "RR", 0.96, 0.65, 1.41, -1, True),
    ("RR 2.39 (1.10 to 5.23)", "RR", 2.39, 1.10, 5.23, 1, False),
    ("OR 1.2, 95% CI 0.9-1.6", "OR", 1.2, 0.9, 1.6, 1, True),
    ("HR 0.80 [0.70, 0.91]", "HR", 0.80, 0.70, 0.91, -1, False),
    ("Hazard ratio 0.8 (95% CI 0.7 – 0.91)", "HR", 0.8, 0.7, 0.91, -1, False),
    ("RRR 25% (10% to 40%)", "RR", 0.75, 0.60, 0.90, -1, False),
    ("MD -2.5 mmHg (-4.1 to -0.9)", "MD", -2.5, -4.1, -0.9, -1, False),
    ("MD \u22123.1 points (\u22125.0 to 1.2)", "MD", -3.1, -5.0, 1.2, -1, True),
    ("SMD 0.3 (0.1 to 0.5)", "SMD", 0.3, 0.1, 0.5, 1, False),
    ("RR 1.00 (0.90 to 1.11)", "RR", 1.0, 0.9, 1.11, 0, True),
])
def test_estimates(text, measure, value, low, high, direction, crosses):
    estimate, problem = parse_estimate(text)
    assert problem is None and estimate is not None
    assert (estimate.measure, estimate.direction, estimate.crosses_null) == (measure, direction, crosses)
    assert estimate.value == pytest.approx(value)
    assert (estimate.low, estimate.high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize(("text", "says"), [
    ("1.2 (0.9 to 1.6)", "does not start with a measure"), ("RR high", "no number"),
    ("RR 1.5 (0.5 to 1.2)", "outside its confidence interval"), ("OR 0 (0 to 2)", "greater than 0"),
    ("Ratio 2", "does not start with a measure"),
])
def test_bad_estimates(text, says):
    estimate, problem = parse_estimate(text)
    assert estimate is None and says in problem


def test_md_keeps_its_unit_and_no_ci_is_unknown():
    estimate, _ = parse_estimate("MD -2.5 mmHg (-4.1 to -0.9)")
    assert estimate.unit == "mmHg"
    bare, _ = parse_estimate("RR 0.8")
    assert bare.crosses_null is None and bare.low is None


# --- direction from the numbers ------------------------------------------------------------------

def _judge(outcome, effect, relative, certainty=Certainty.MODERATE, outcome_type=None, ratings=""):
    estimate = parse_estimate(relative)[0] if relative else None
    parsed = parse_ratings(ratings, "downgrade").ratings
    return judge(outcome, certainty, effect, outcome_type, estimate, parsed, "Drug Y")


def test_effect_contradicting_the_estimate_warns_naming_both():
    found = _judge("Non-fatal serious adverse events", "benefit", "RR 2.39 (1.10 to 5.23)")
    messages = [m for subtype, m in found.problems if subtype == "grade-direction"]
    assert len(messages) == 1
    assert "benefit" in messages[0] and "RR 2.39 (1.10 to 5.23)" in messages[0] and "an increase" in messages[0]


def test_size_the_numbers_rule_out():
    none_claimed = _judge("Death", "little-or-no", "RR 0.50 (0.30 to 0.70)")
    assert [m for s, m in none_claimed.problems if s == "grade-direction" and "little-or-no" in m]
    assert none_claimed.contradicted
    one_claimed = _judge("Death", "benefit", "RR 1.00 (0.95 to 1.05)")
    assert [m for s, m in one_claimed.problems if s == "grade-direction" and "no appreciable effect" in m]
    trivial = _judge("Death", "little-or-no", "RR 0.97 (0.93 to 0.99)")  # excludes 1, but trivially
    assert not [p for p in trivial.problems if p[0] == "grade-direction"]


def test_effect_agreeing_with_the_estimate_is_quiet():
    found = _judge("All-cause mortality", "benefit", "RR 0.75 (0.60 to 0.90)")
    assert found.problems == [] and found.increase is False


def test_desirable_outcome_benefit_means_increase():
    found = _judge("Survival", "harm", "RR 0.7 (0.6 to 0.8)")  # fewer survive: harm; quiet
    assert not [p for p in found.problems if p[0] == "grade-direction"]
    found = _judge("Survival", "benefit", "RR 0.7 (0.6 to 0.8)")
    assert [p for p in found.problems if p[0] == "grade-direction"]
    # A hazard ratio is the hazard of death: below 1, more survive.
    found = _judge("Survival", "benefit", "HR 0.7 (0.6 to 0.8)")
    assert not [p for p in found.problems if p[0] == "grade-direction"]


def test_effect_derived_when_absent():
    found = _judge("All-cause mortality", None, "RR 0.75 (0.60 to 0.90)")
    assert (found.effect, found.derived, found.increase) == ("benefit", True, False)
    found = _judge("Remission", None, "RR 1.5 (1.2 to 1.9)")
    assert found.effect == "benefit" and found.increase is True
    found = _judge("Death", None, "RR 1.02 (0.95 to 1.08)")
    assert found.effect == "little-or-no"
    found = _judge("Death", None, "RR 0.70 (0.45 to 1.10)", ratings="imprecision -1 wide")
    assert found.effect is None and any(s == "missing-option" for s, _ in found.problems)


def test_ci_crossing_no_effect():
    large = _judge("Death", "large-benefit", "RR 0.5 (0.2 to 1.3)", ratings="imprecision -1 wide")
    assert [m for s, m in large.problems if s == "grade-imprecision" and "large" in m]
    undowngraded = _judge("Death", "benefit", "RR 0.8 (0.6 to 1.1)")
    assert [m for s, m in undowngraded.problems if s == "grade-imprecision" and "no imprecision downgrade" in m]
    downgraded = _judge("Death", "benefit", "RR 0.8 (0.6 to 1.1)", ratings="imprecision -1 crosses 1")
    assert not [p for p in downgraded.problems if p[0] == "grade-imprecision"]
    # A precise estimate of no effect needs no imprecision downgrade.
    precise = _judge("Death", "little-or-no", "RR 0.98 (0.90 to 1.07)")
    assert precise.problems == []


def test_unknown_polarity_warns_but_the_numbers_still_give_the_verb():
    found = _judge("HbA1c", "benefit", "MD -0.5 % (-0.7 to -0.3)")
    assert [m for s, m in found.problems if s == "grade-outcome-type" and ":outcome-type:" in m]
    assert found.increase is False
    no_numbers = _judge("HbA1c", "benefit", "")
    assert no_numbers.increase is None and [p for p in no_numbers.problems if p[0] == "grade-outcome-type"]
    assert _judge("HbA1c", "benefit", "", outcome_type="undesirable").problems == []
    assert _judge("HbA1c", "little-or-no", "").problems == []  # no direction, no polarity needed


@pytest.mark.parametrize(("outcome", "polarity"), [
    ("All-cause death", "undesirable"), ("Mortality at 90 days", "undesirable"), ("Serious adverse events", "undesirable"),
    ("Relapse", "undesirable"), ("Overall survival", "desirable"), ("Disease-free survival", "desirable"),
    ("Relapse-free survival", "desirable"), ("Complete remission", "desirable"), ("Quality of life", "desirable"),
    ("Treatment response", "desirable"), ("HbA1c", None), ("Parkinson's disease", None), ("NIHSS score", None),
])
def test_polarity_vocabulary(outcome, polarity):
    assert outcome_type_of(outcome) == polarity


# --- statements ----------------------------------------------------------------------------------

SIZES = {"large": ("results in a large {noun} in {o}", "result in a large {noun} in {o}"),
         "moderate": ("{verb}s {o}", "{verb} {o}"),
         "small": ("{verb}s {o} slightly", "{verb} {o} slightly"),
         "trivial": ("results in little to no difference in {o}", "result in little to no difference in {o}")}
HEDGES = {Certainty.HIGH: "", Certainty.MODERATE: "probably ", Certainty.LOW: "may "}


@pytest.mark.parametrize(("certainty", "size", "increase", "plural"),
                         list(itertools.product(HEDGES, SIZES, (True, False), (False, True))))
def test_statement_grid(certainty, size, increase, plural):
    x = "Statins" if plural else "Aspirin"
    effect = "little-or-no" if size == "trivial" else make_effect(not increase, size)
    sentence = plain_language(certainty, effect, x, "HbA1c", "undesirable")
    third, base = SIZES[size]
    verb, noun = ("increase", "increase") if increase else ("reduce", "reduction")
    phrase = (base if plural or certainty is Certainty.LOW else third).format(verb=verb, noun=noun, o="HbA1c")
    assert sentence == f"{x} {HEDGES[certainty]}{phrase}."


def test_very_low_wording_and_examples_from_the_issue():
    assert plain_language(Certainty.VERY_LOW, "benefit", "Statins", "Parkinson's disease", "undesirable") == (
        "The evidence is very uncertain about the effect of Statins on Parkinson's disease.")
    assert plain_language(Certainty.MODERATE, "small-benefit", "Drug X", "survival", "desirable") == (
        "Drug X probably increases survival slightly.")
    assert plain_language(Certainty.LOW, "benefit", "Drug X", "mortality", "undesirable") == (
        "Drug X may reduce mortality.")
    assert plain_language(Certainty.HIGH, "benefit", "Statins", "HbA1c", "undesirable") == "Statins reduce HbA1c."
    assert plain_language(Certainty.HIGH, "benefit", "Drug Y", "survival", "desirable") == "Drug Y increases survival."


@pytest.mark.parametrize(("intervention", "plural"), [
    ("Statins", True), ("Omega-3 fatty acids", True), ("Diet and exercise", True), ("SSRIs", True),
    ("Antibiotics", True), ("Cerebrolysin", False), ("Vitamin D", False), ("Mindfulness", False),
    ("Dialysis", False), ("Lactobacillus rhamnosus GG", False), ("Statins for primary prevention", True),
    ("Aspirin plus clopidogrel", False),
])
def test_verb_agreement(intervention, plural):
    assert is_plural(intervention) is plural


# --- design and ratings --------------------------------------------------------------------------

@pytest.mark.parametrize(("studies", "design"), [
    ("6 RCTs", RANDOMISED), ("3 quasi-randomised trials", NON_RANDOMISED), ("2 quasi randomized trials", NON_RANDOMISED),
    ("4 RCTs and 3 cohort studies", MIXED), ("2 randomised trials, 5 case-control studies", MIXED),
    ("1 interrupted time series", NON_RANDOMISED), ("3 non-randomised studies", NON_RANDOMISED),
    ("12 studies", None),
])
def test_design_from_studies(studies, design):
    assert infer_design(studies) == design


def test_robins_i_starts_high():
    assert parse_design("non-randomised (ROBINS-I)") == ROBINS_I
    assert parse_design("quasi-randomised") == NON_RANDOMISED
    assert starting_certainty(ROBINS_I) is Certainty.HIGH
    assert starting_certainty(NON_RANDOMISED) is Certainty.LOW
    assert consistency_problem(Certainty.HIGH, ROBINS_I, []) is None
    assert consistency_problem(Certainty.HIGH, NON_RANDOMISED, [])


def test_moderate_from_trials_without_a_downgrade_says_what_is_missing():
    problem = consistency_problem(Certainty.MODERATE, RANDOMISED, [])
    assert problem and "no downgrade is given" in problem and ":downgrade:" in problem
    problem = consistency_problem(Certainty.MODERATE, NON_RANDOMISED, [])
    assert problem and "no upgrade is given" in problem


def test_only_one_or_two_levels():
    parsed = parse_ratings("imprecision -3 very wide; risk-of-bias -2 open", "downgrade")
    assert [r.levels for r in parsed.ratings] == [-2]
    assert any("-3" in p and "not counted" in p for p in parsed.problems)
    up = parse_ratings("large-effect +3 huge", "upgrade")
    assert up.ratings == [] and up.problems


def test_rating_without_a_reason_is_named():
    parsed = parse_ratings("imprecision -1; risk-of-bias -1 unblinded", "downgrade")
    messages = unexplained(parsed.ratings)
    assert len(messages) == 1 and "imprecision" in messages[0]


def test_derived_direction_with_unknown_polarity_still_gives_a_sentence_and_asks():
    found = _judge("Blood pressure", None, "MD -5.2 mmHg (-7.1 to -3.3)")
    assert found.increase is False and found.sentence_effect == "benefit"
    assert [p for p in found.problems if p[0] == "grade-outcome-type"]
    assert plain_language(Certainty.MODERATE, found.sentence_effect, "Drug Y", "Blood pressure",
                          found.outcome_type, found.increase) == "Drug Y probably reduces Blood pressure."


def test_unclear_and_plural_outcome_words():
    assert plain_language(Certainty.MODERATE, "uncertain", "Statins", "HbA1c") == "It is unclear whether Statins affect HbA1c."
    assert outcome_type_of("Hospital admissions") == "undesirable" and outcome_type_of("Strokes") == "undesirable"
