"""GRADE logic the methodologist checked: hazard ratios of time-to-event outcomes, negated outcome names,
numbers as GRADEpro writes them, derived effects held to the declared effects' rules."""

from __future__ import annotations

import pytest

from sphinxext_evidence.grade.estimate import parse_estimate
from sphinxext_evidence.grade.judgement import judge, outcome_direction
from sphinxext_evidence.grade.levels import Certainty
from sphinxext_evidence.grade.rules import parse_ratings
from sphinxext_evidence.grade.statements import is_time_to_event, outcome_type_of


def _judge(outcome: str, effect: str | None, relative: str, certainty: Certainty = Certainty.MODERATE,
           ratings: str = "", outcome_type: str | None = None):
    estimate = parse_estimate(relative)[0] if relative else None
    return judge(outcome, certainty, effect, outcome_type, estimate, parse_ratings(ratings, "downgrade").ratings,
                 "Drug A")


# --- time-to-event outcomes --------------------------------------------------------------------

@pytest.mark.parametrize("outcome", ["Overall survival", "Progression-free survival", "Stroke-free survival",
                                     "Event-free survival", "Time to relapse", "Time to first relapse",
                                     "Relapse-free at 2 years", "Freedom from relapse"])
def test_hazard_ratio_below_one_raises_a_time_to_event_outcome(outcome: str) -> None:
    estimate = parse_estimate("HR 0.80 (0.70 to 0.91)")[0]
    assert is_time_to_event(outcome)
    assert outcome_direction(estimate, outcome) == 1
    found = _judge(outcome, None, "HR 0.80 (0.70 to 0.91)")
    assert (found.effect, found.increase) == ("benefit", True)
    declared = _judge(outcome, "benefit", "HR 0.80 (0.70 to 0.91)")
    assert not [p for p in declared.problems if p[0] == "grade-direction"]


def test_hazard_ratio_of_an_event_and_other_measures_keep_their_direction() -> None:
    assert outcome_direction(parse_estimate("HR 0.80 (0.70 to 0.91)")[0], "All-cause death") == -1
    assert outcome_direction(parse_estimate("RR 0.80 (0.70 to 0.91)")[0], "Overall survival") == -1
    assert outcome_direction(parse_estimate("MD 5 days (2 to 8)")[0], "Time to relapse") == 1
    harm = _judge("Overall survival", "benefit", "HR 1.30 (1.10 to 1.50)")
    message = next(m for s, m in harm.problems if s == "grade-direction")
    assert "a decrease in Overall survival (a higher hazard of the event)" in message


@pytest.mark.parametrize(("outcome", "polarity"), [
    ("Time to relapse", "desirable"), ("Time to recovery", "undesirable"), ("Stroke-free survival", "desirable"),
    ("Pain relief", "desirable"), ("Pain-free at 2 hours", "desirable"), ("Resolution of symptoms", "desirable"),
    ("Freedom from relapse", "desirable"), ("Non-response", "undesirable"), ("Nonresponse", "undesirable"),
    ("Non\u2011response", "undesirable"), ("Loss of independence", "undesirable"),
    ("Loss of functional independence", "undesirable"), ("Non-fatal stroke", "undesirable"),
    ("Survival without disability", "desirable"), ("Pain and quality of life", None),
])
def test_negated_outcome_names(outcome: str, polarity: str | None) -> None:
    assert outcome_type_of(outcome) == polarity


def test_baseline_pieces_on_lines_keep_their_own_spacing() -> None:
    from sphinxext_evidence.grade.absolute import parse_baseline

    baselines, problems = parse_baseline("Low   risk:  20 per\t1,000\n  High risk: 200 per 1,000  ")
    assert problems == []
    assert [(b.label, b.per_1000) for b in baselines] == [("Low risk", 20.0), ("High risk", 200.0)]


# --- reading :relative: ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value", "low", "high", "unit"), [
    ("MD 3.2 points lower (5.1 lower to 1.3 lower)", -3.2, -5.1, -1.3, "points"),
    ("MD 0.5 higher (0.1 lower to 1.1 higher)", 0.5, -0.1, 1.1, ""),
    ("SMD 0.3 SD lower (0.5 lower to 0.1 lower)", -0.3, -0.5, -0.1, ""),
    ("MD 4 fewer days (6 fewer to 2 fewer)", -4, -6, -2, "days"),
    ("MD \u22122,100 USD (\u22123,500 to \u2212700)", -2100, -3500, -700, "USD"),
    ("MD 1,234 steps (1,010 to 1,458)", 1234, 1010, 1458, "steps"),
    ("MD 12,500 USD (\u22121,000 to 26,000)", 12500, -1000, 26000, "USD"),
    ("MD 1,234 (1,010, 1,458)", 1234, 1010, 1458, ""),
    ("MD 150 (100,200)", 150, 100, 200, ""),
    ("MD \u20133.2 (\u20135.1 to \u20131.3)", -3.2, -5.1, -1.3, ""),
])
def test_differences_as_reviews_write_them(text: str, value: float, low: float, high: float, unit: str) -> None:
    estimate, problem = parse_estimate(text)
    assert problem is None and estimate is not None
    assert (estimate.value, estimate.low, estimate.high) == (pytest.approx(value), pytest.approx(low),
                                                             pytest.approx(high))
    assert estimate.unit == unit


@pytest.mark.parametrize("text", ["RR 0.75 (0.60, 0.90)", "RR 0.75 (0.60,0.90)", "RR 0.75 (0.60;0.90)"])
def test_a_comma_between_decimals_still_separates_the_bounds(text: str) -> None:
    estimate = parse_estimate(text)[0]
    assert (estimate.low, estimate.high) == (0.60, 0.90)


@pytest.mark.parametrize(("text", "says"), [
    ("MD -3 lower (-5 to -1)", "both a sign and a word"),
    ("MD 3 points better (1 to 5)", "give the sign"),
    ("MD 3.2 lower (5.1 to 1.3)", "outside its confidence interval"),  # the bounds' signs are not guessed
])
def test_a_difference_whose_sign_cannot_be_read_is_rejected(text: str, says: str) -> None:
    estimate, problem = parse_estimate(text)
    assert estimate is None and says in problem


@pytest.mark.parametrize("relative", ["RR 0.75", "RR 0.75 (0.60 to \u221e)", "RR 0.75 (95% CI not estimable)"])
def test_no_readable_interval_no_derived_effect(relative: str) -> None:
    found = _judge("Mortality", None, relative)
    assert found.effect is None and found.increase is None and not found.derived
    message = next(m for s, m in found.problems if s == "missing-option")
    assert "no confidence interval that can be read" in message and "state :effect:" in message



@pytest.mark.parametrize("relative", ["RR 0.75", "RR 0.75 (0.60 to ∞)"])
def test_a_stated_effect_without_a_readable_interval_warns_that_it_is_unchecked(relative: str) -> None:
    found = _judge("Mortality", "benefit", relative)
    assert found.effect == "benefit" and not found.contradicted  # the author's judgement stands
    message = next(m for s, m in found.problems if s == "missing-option")
    assert ":effect: benefit cannot be checked" in message and "give the 95% CI" in message
    assert not [p for p in _judge("Mortality", "benefit", "RR 0.75 (0.60 to 0.90)").problems
                if p[0] == "missing-option"]


# --- derived and stated effects: one rule ------------------------------------------------------

@pytest.mark.parametrize("relative", ["RR 0.88 (0.80 to 0.97)", "SMD -0.15 (-0.19 to -0.11)",
                                      "OR 1.15 (1.05 to 1.24)", "RR 0.86 (0.79 to 0.94)"])
def test_an_interval_within_the_limits_that_excludes_no_effect_is_a_small_effect(relative: str) -> None:
    # GRADE's 0.75-1.25 are limits for judging imprecision, not a test of "no important effect": an interval
    # that excludes no effect shows a direction (the Cochrane statin review's RR 0.86 is a reduction), and
    # lying wholly within the limits it rules out more than a small effect.
    harm = "1.15" in relative
    derived = _judge("Mortality", None, relative, certainty=Certainty.HIGH)
    assert derived.effect == ("small-harm" if harm else "small-benefit") and derived.derived
    for stated in (("harm", "small-harm") if harm else ("benefit", "small-benefit")):
        found = _judge("Mortality", stated, relative, certainty=Certainty.HIGH)
        assert not [p for p in found.problems if p[0] == "grade-direction"], stated
    large = _judge("Mortality", "large-harm" if harm else "large-benefit", relative, certainty=Certainty.HIGH)
    assert [m for s, m in large.problems if s == "grade-direction" and "no large effect" in m]
    quiet = _judge("Mortality", "little-or-no", relative, certainty=Certainty.HIGH)
    assert not [p for p in quiet.problems if p[0] == "grade-direction"]  # trivial: the author's judgement


@pytest.mark.parametrize("relative", ["RR 0.98 (0.80 to 1.20)", "SMD 0.05 (-0.10 to 0.19)"])
def test_an_interval_within_the_limits_that_includes_no_effect_is_little_or_no(relative: str) -> None:
    derived = _judge("Mortality", None, relative, certainty=Certainty.HIGH)
    assert derived.effect == "little-or-no" and derived.derived
    stated = _judge("Mortality", "harm" if relative.startswith("SMD") else "benefit", relative, certainty=Certainty.HIGH)
    assert [m for s, m in stated.problems if s == "grade-direction" and "no appreciable effect" in m]


def test_no_derived_effect_is_one_a_stated_effect_could_not_be() -> None:
    from sphinxext_evidence.grade.judgement import size_problem

    values = (0.3, 0.6, 0.74, 0.8, 0.88, 0.92, 1.0, 1.05, 1.2, 1.3, 2.0)
    for point in values:
        for low in (v for v in values if v <= point):
            for high in (v for v in values if v >= point):
                relative = f"RR {point} ({low} to {high})"
                found = _judge("Mortality", None, relative, certainty=Certainty.HIGH, ratings="imprecision -1 w")
                if found.effect:
                    assert size_problem(parse_estimate(relative)[0], found.effect, "Mortality") is None, relative


def test_little_or_no_for_an_appreciable_point_estimate_warns() -> None:
    found = _judge("Mortality", "little-or-no", "RR 0.70 (0.45 to 1.09)", ratings="imprecision -1 wide")
    message = next(m for s, m in found.problems if s == "grade-direction")
    assert found.contradicted and "point estimate" in message and "small-benefit" in message
    assert "not even your :statement:" in message
    smd = _judge("Pain", "little-or-no", "SMD -0.35 (-0.80 to 0.10)", ratings="imprecision -1 wide")
    assert smd.contradicted
    for quiet in ("RR 0.85 (0.60 to 1.20)", "RR 0.96 (0.65 to 1.41)", "RR 1.20 (0.90 to 1.60)"):
        assert not _judge("Mortality", "little-or-no", quiet, ratings="imprecision -1 wide").contradicted, quiet


# --- design ------------------------------------------------------------------------------------

@pytest.mark.parametrize("studies", ["4 quasi-RCTs", "3 non-RCTs", "5 non randomised studies",
                                     "5 non\u2011randomised studies", "2 non\u2013randomized trials",
                                     "2 non\u2010randomised studies", "1 pseudo-randomised trial", "3 NRSI",
                                     "2 cross-sectional studies", "4 single-arm trials"])
def test_non_randomised_spellings(studies: str) -> None:
    from sphinxext_evidence.grade.rules import NON_RANDOMISED, infer_design, parse_design

    assert infer_design(studies) == NON_RANDOMISED
    assert parse_design(studies.split(" ", 1)[1].rsplit(" ", 1)[0]) == NON_RANDOMISED


def test_randomised_spellings_stay_randomised() -> None:
    from sphinxext_evidence.grade.rules import MIXED, RANDOMISED, infer_design

    assert infer_design("6 RCTs") == RANDOMISED and infer_design("3 randomised trials") == RANDOMISED
    assert infer_design("3 RCTs and 2 quasi-RCTs") == MIXED


# --- levels ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "shown"), [
    ("imprecision -1.5 wide CI", "level -1.5;"), ("imprecision 1.0 wide CI", "level 1.0;"),
    ("imprecision -2,5 wide CI", "level -2,5;"), ("imprecision extremely serious wide CI", "'extremely serious'"),
    ("imprecision not serious", "leave the entry out"), ("imprecision three few events", "'three'"),
])
def test_a_level_grade_does_not_have_is_not_counted(text: str, shown: str) -> None:
    parsed = parse_ratings(text, "downgrade")
    assert parsed.ratings == []
    assert len(parsed.problems) == 1 and shown in parsed.problems[0] and "not counted" in parsed.problems[0]


def test_grade_levels_still_read() -> None:
    read = [(r.levels, r.reason) for r in parse_ratings(
        "imprecision very serious wide; risk-of-bias serious: open; inconsistency (-2) I2 80%; "
        "indirectness -1. older adults; publication-bias funnel asymmetry", "downgrade").ratings]
    assert read == [(-2, "wide"), (-1, "open"), (-2, "I2 80%"), (-1, "older adults"), (-1, "funnel asymmetry")]


# --- summary-of-findings footnotes -------------------------------------------------------------

def test_footnote_marks_never_repeat() -> None:
    from sphinxext_evidence.grade.sof import note_mark

    marks = [note_mark(i) for i in range(800)]
    assert len(set(marks)) == 800
    assert marks[:3] == ["a", "b", "c"] and marks[25:29] == ["z", "aa", "ab", "ac"] and marks[51:53] == ["az", "ba"]
    assert marks[701:703] == ["zz", "aaa"]


# --- rare baselines ----------------------------------------------------------------------------

def test_rare_baselines_are_counted_per_10000_or_more() -> None:
    from sphinxext_evidence.grade.absolute import Baseline, absolute_effect, describe_difference, describe_risk

    rare = absolute_effect("RR", 0.75, 0.60, 0.90, Baseline(1))
    assert rare.per == 10_000 and rare.baseline == 10
    assert describe_risk(rare) == "8 per 10,000 (6 to 9)"
    assert describe_difference(rare) == "3 fewer per 10,000 (4 fewer to 1 fewer)"
    flat = absolute_effect("RR", 1.00, 0.98, 1.02, Baseline(2.5))
    assert describe_difference(flat) == "0 more per 10,000 (1 fewer to 1 more)"
    rarer = absolute_effect("RR", 0.75, 0.60, 0.90, Baseline(0.05))
    assert rarer.per == 100_000 and describe_difference(rarer) == "1 fewer per 100,000 (2 fewer to 1 fewer)"
    common = absolute_effect("RR", 0.75, 0.60, 0.90, Baseline(200))
    assert common.per == 1000 and describe_difference(common) == "50 fewer per 1,000 (80 fewer to 20 fewer)"


def test_a_bound_that_rounds_to_zero_keeps_its_own_direction() -> None:
    from sphinxext_evidence.grade.absolute import Baseline, absolute_effect, describe_difference

    # 200 × 1.001 = 200.2: an increase that rounds to 0 is "0 more", though the estimate is a decrease.
    assert describe_difference(absolute_effect("RR", 0.97, 0.9, 1.001, Baseline(200))) == (
        "6 fewer per 1,000 (20 fewer to 0 more)")


# --- comparison, verb and option case ----------------------------------------------------------

@pytest.mark.parametrize(("text", "comparison"), [
    ("Compared with: placebo", "placebo"), ("in comparison with Placebo", "Placebo"), ("vs. usual care", "usual care"),
    ("As compared to sham", "sham"), ("Comparison: usual care", "usual care"), ("placebo", "placebo"),
])
def test_comparator_drops_the_words_the_card_adds(text: str, comparison: str) -> None:
    from sphinxext_evidence.grade.directives import comparator

    assert comparator(text) == comparison


def test_an_intervention_naming_its_comparison_is_split() -> None:
    from sphinxext_evidence.grade.directives import split_comparison

    assert split_comparison("Drug A versus placebo", "placebo") == ("Drug A", "placebo", None)
    assert split_comparison("Drug A vs placebo", "") == ("Drug A", "placebo", None)
    assert split_comparison("Vaccination against influenza", "no vaccine") == (
        "Vaccination against influenza", "no vaccine", None)
    kept = split_comparison("Drug A versus placebo", "usual care")
    assert kept[:2] == ("Drug A versus placebo", "usual care") and "name only the intervention" in kept[2]


@pytest.mark.parametrize(("intervention", "plural"), [
    ("Pilates", False), ("Intraocular lens", False), ("Intraocular lens implants", True), ("Measles vaccine", False),
    ("Statins", True), ("SSRIs", True), ("Antibiotics", True), ("Mindfulness", False),
])
def test_words_ending_in_s_that_name_one_thing(intervention: str, plural: bool) -> None:
    from sphinxext_evidence.grade.statements import is_plural

    assert is_plural(intervention) is plural
