"""Anticipated absolute effects per 1,000: baseline parsing, RR/OR/HR formulas, rounding and wording."""

from __future__ import annotations

import dataclasses

import pytest

from sphinxext_evidence.grade.absolute import (
    AbsoluteEffect,
    Baseline,
    absolute_effect,
    describe_difference,
    describe_risk,
    parse_baseline,
    ratio_from_rrr,
    ratio_problem,
    risk_per_1000,
    round_half_away,
)

FORMS_HINT = "write it as '200 per 1,000', '20%', '0.2' or '45/300'"


def effect(measure: str, estimate: float, low: float, high: float, per_1000: float, label: str = "") -> AbsoluteEffect:
    return absolute_effect(measure, estimate, low, high, Baseline(per_1000, label))


def numbers(e: AbsoluteEffect) -> tuple[int, ...]:
    return (e.baseline, e.risk, e.risk_low, e.risk_high, e.difference, e.difference_low, e.difference_high)


# --- parse_baseline: accepted forms ------------------------------------------------------------

@pytest.mark.parametrize(("text", "per_1000"), [
    ("200 per 1000", 200), ("200 per 1,000", 200), ("200 per 1 000", 200), ("200 PER 1000", 200),
    ("200/1000", 200), ("200 / 1000", 200),
    ("12.5 per 1000", 12.5),
    ("5 per 100", 50), ("25 per 10,000", 2.5), ("25 per 10000", 2.5), ("3 per 100 000", 0.03),
    ("0.2", 200), (".2", 200), ("0.035", 35),
    ("20%", 200), ("20 %", 200), ("2.5%", 25),
    ("45/300", 150), ("45 of 300", 150), ("45 events in 300", 150), ("1 event in 40", 25),
    ("45 of 1,500", 30),
    ("  200 per 1000  ", 200),
])
def test_parse_baseline_forms(text, per_1000):
    baselines, problems = parse_baseline(text)
    assert problems == []
    assert len(baselines) == 1
    assert baselines[0].per_1000 == pytest.approx(per_1000)
    assert baselines[0].label == ""


def test_parse_baseline_keeps_the_unrounded_risk():
    # 1/3 of 1,000 must not be rounded at parse time: the difference is computed from it.
    [baseline], _ = parse_baseline("1/3")
    assert baseline.per_1000 == pytest.approx(333.3333333)
    assert baseline.per_1000 != 333


def test_parse_baseline_labelled_list():
    baselines, problems = parse_baseline("Low risk: 50 per 1000; High risk: 300 per 1,000")
    assert problems == []
    assert baselines == [Baseline(50.0, "Low risk"), Baseline(300.0, "High risk")]


def test_parse_baseline_newlines_mixed_labels_and_blank_pieces():
    text = "Low-risk population: 2%\n\n  Older adults (over 75) : 45 of 300 ;\n0.4;"
    baselines, problems = parse_baseline(text)
    assert problems == []
    assert baselines == [Baseline(20.0, "Low-risk population"), Baseline(150.0, "Older adults (over 75)"),
                         Baseline(400.0, "")]


def test_parse_baseline_label_with_colon_keeps_all_but_the_last():
    baselines, _ = parse_baseline("Trial A: arm 2: 10%")
    assert baselines == [Baseline(100.0, "Trial A: arm 2")]


def test_parse_baseline_good_and_bad_pieces_together():
    baselines, problems = parse_baseline("Low: 5%; Middle: lots; High: 30%")
    assert baselines == [Baseline(50.0, "Low"), Baseline(300.0, "High")]
    assert problems == [f"baseline risk 'Middle: lots': not a risk; {FORMS_HINT}"]


# --- parse_baseline: problems ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n", ";", " ; \n ;"])
def test_parse_baseline_empty(text):
    assert parse_baseline(text) == ([], [f"no baseline risk given; {FORMS_HINT}"])


@pytest.mark.parametrize(("text", "message"), [
    ("about a fifth", f"baseline risk 'about a fifth': not a risk; {FORMS_HINT}"),
    ("0,2", f"baseline risk '0,2': not a risk; {FORMS_HINT}"),
    ("200 per 1000 person-years", f"baseline risk '200 per 1000 person-years': not a risk; {FORMS_HINT}"),
    ("Low risk:", f"baseline risk 'Low risk:': not a risk; {FORMS_HINT}"),
    ("200", "baseline risk '200': a proportion must be between 0 and 1 (exclusive); for a rate write "
            "'200 per 1,000'"),
    ("1", "baseline risk '1': a proportion must be between 0 and 1 (exclusive)"),
    ("0", "baseline risk '0': a proportion must be between 0 and 1 (exclusive)"),
    ("-0.2", "baseline risk '-0.2': a proportion must be between 0 and 1 (exclusive)"),
    ("0 per 1000", "baseline risk '0 per 1000': the risk must be above 0 and below 1,000 per 1,000, not 0"),
    ("1000 per 1,000", "baseline risk '1000 per 1,000': the risk must be above 0 and below 1,000 per 1,000, "
                       "not 1,000"),
    ("1200 per 1000", "baseline risk '1200 per 1000': the risk must be above 0 and below 1,000 per 1,000, "
                      "not 1,200"),
    ("-5 per 1000", "baseline risk '-5 per 1000': the risk must be above 0 and below 1,000 per 1,000, not -5"),
    ("0%", "baseline risk '0%': the risk must be above 0 and below 1,000 per 1,000, not 0"),
    ("100 %", "baseline risk '100 %': the risk must be above 0 and below 1,000 per 1,000, not 1,000"),
    ("0/300", "baseline risk '0/300': the risk must be above 0 and below 1,000 per 1,000, not 0"),
    ("300 of 300", "baseline risk '300 of 300': the risk must be above 0 and below 1,000 per 1,000, not 1,000"),
    ("50/40", "baseline risk '50/40': more events (50) than people (40); write the events first, then everyone in "
              "the comparison group, as in '40/50' if they were swapped"),
    ("Elderly: 50 events in 40", "baseline risk 'Elderly: 50 events in 40': more events (50) than people (40); write "
                                 "the events first, then everyone in the comparison group, as in '40/50' if they were "
                                 "swapped"),
    ("0/0", "baseline risk '0/0': the total must be above 0"),
    ("3 of 0", "baseline risk '3 of 0': the total must be above 0"),
    ("5 per 0", "baseline risk '5 per 0': the 'per' number must be above 0"),
])
def test_parse_baseline_problems(text, message):
    assert parse_baseline(text) == ([], [message])


# --- RR ------------------------------------------------------------------------------------------

def test_rr_decrease_worked_example():
    # 200 × 0.75 = 150, 200 × 0.60 = 120, 200 × 0.90 = 180; differences −50, −80, −20.
    e = effect("RR", 0.75, 0.60, 0.90, 200)
    assert numbers(e) == (200, 150, 120, 180, -50, -80, -20)
    assert describe_risk(e) == "150 per 1,000 (120 to 180)"
    assert describe_difference(e) == "50 fewer per 1,000 (80 fewer to 20 fewer)"


def test_rr_increase_worked_example():
    # 100 × 2.39 = 239, 100 × 1.10 = 110, 100 × 5.23 = 523; differences 139, 10, 423.
    e = effect("RR", 2.39, 1.10, 5.23, 100)
    assert numbers(e) == (100, 239, 110, 523, 139, 10, 423)
    assert describe_risk(e) == "239 per 1,000 (110 to 523)"
    assert describe_difference(e) == "139 more per 1,000 (10 more to 423 more)"


def test_rr_ci_crossing_one():
    # 200 × 0.95 = 190, 200 × 0.80 = 160, 200 × 1.10 = 220.
    e = effect("RR", 0.95, 0.80, 1.10, 200)
    assert describe_risk(e) == "190 per 1,000 (160 to 220)"
    assert describe_difference(e) == "10 fewer per 1,000 (40 fewer to 20 more)"


def test_measure_name_is_case_and_space_insensitive():
    assert numbers(effect(" rr ", 0.75, 0.60, 0.90, 200)) == numbers(effect("RR", 0.75, 0.60, 0.90, 200))


def test_label_is_carried_over():
    assert effect("RR", 0.75, 0.6, 0.9, 200, "High-risk population").label == "High-risk population"


def test_difference_comes_from_unrounded_risks():
    # Baseline 2.5, RR 2: risk 5.0, difference 2.5 → 3; the rounded numbers would give 5 − 3 = 2.
    e = effect("RR", 2, 2, 2, 2.5)
    assert (e.baseline, e.risk, e.difference) == (3, 5, 3)


def test_reversed_ci_is_put_in_order():
    e = effect("RR", 0.75, 0.90, 0.60, 200)
    assert (e.risk_low, e.risk_high, e.difference_low, e.difference_high) == (120, 180, -80, -20)


# --- OR ------------------------------------------------------------------------------------------

def test_or_through_the_baseline_odds():
    # ACR 0.2, OR 0.5: 0.5 × 0.2 / (1 − 0.2 + 0.5 × 0.2) = 0.1 / 0.9 = 0.1111 → 111 per 1,000.
    # OR 0.25: 0.05 / (0.8 + 0.05) = 0.0588 → 59.  OR 1.2: 0.24 / (0.8 + 0.24) = 0.2308 → 231.
    # Differences: 111.11 − 200 = −88.89 → 89 fewer; 58.82 − 200 → 141 fewer; 230.77 − 200 → 31 more.
    e = effect("OR", 0.5, 0.25, 1.2, 200)
    assert numbers(e) == (200, 111, 59, 231, -89, -141, 31)
    assert describe_difference(e) == "89 fewer per 1,000 (141 fewer to 31 more)"


def test_or_differs_from_rr_when_the_outcome_is_common():
    # ACR 0.5, OR 2: 2 × 0.5 / (0.5 + 1) = 0.6667 → 667 per 1,000, where an RR of 2 would give 1,000.
    assert effect("OR", 2, 2, 2, 500).risk == 667
    assert effect("RR", 2, 2, 2, 500).risk == 1000


def test_or_huge_is_clamped_to_1000():
    e = effect("OR", 1e12, 1.0, 1e300, 200)
    assert (e.risk, e.risk_low, e.risk_high) == (1000, 200, 1000)
    assert e.difference_high == 800
    assert describe_risk(e) == "1,000 per 1,000 (200 to 1,000)"
    assert risk_per_1000("OR", 1e300, 200) <= 1000


# --- HR ------------------------------------------------------------------------------------------

def test_hr_from_event_proportion_at_time_point():
    # ACR 0.3, HR 0.7: 1 − 0.7 ** 0.7 = 1 − 0.7791 = 0.2209 → 221 per 1,000.
    # HR 0.5: 1 − 0.7 ** 0.5 = 1 − 0.8367 = 0.1633 → 163.  HR 0.98: 1 − 0.7 ** 0.98 = 0.2950 → 295.
    # Differences: 220.94 − 300 → 79 fewer; 163.34 − 300 → 137 fewer; 294.99 − 300 = −5.01 → 5 fewer.
    e = effect("HR", 0.7, 0.5, 0.98, 300)
    assert numbers(e) == (300, 221, 163, 295, -79, -137, -5)
    assert describe_difference(e) == "79 fewer per 1,000 (137 fewer to 5 fewer)"


def test_hr_increase():
    # ACR 0.1, HR 2: 1 − 0.9 ** 2 = 0.19 → 190 per 1,000 (an RR of 2 would give 200).
    e = effect("HR", 2, 2, 2, 100)
    assert (e.risk, e.difference) == (190, 90)


# --- rounding ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "rounded"), [
    (12.5, 13), (-12.5, -13), (0.5, 1), (-0.5, -1), (2.5, 3), (-2.5, -3), (12.4, 12), (-12.4, -12),
    (12.6, 13), (0.0, 0), (-0.4, 0), (999.5, 1000), (31.499999999999996, 32),
])
def test_round_half_away(value, rounded):
    assert round_half_away(value) == rounded


def test_half_rounds_away_from_zero_in_effects():
    # 25 × 0.5 = 12.5 → 13 (banker's rounding would give 12); difference −12.5 → 13 fewer.
    e = effect("RR", 0.5, 0.5, 0.5, 25)
    assert (e.risk, e.difference) == (13, -13)
    assert describe_difference(e) == "13 fewer per 1,000 (13 fewer to 13 fewer)"
    # 25 × 1.5 = 37.5 → 38; difference 12.5 → 13 more (banker's: 12).
    e = effect("RR", 1.5, 1.5, 1.5, 25)
    assert (e.risk, e.difference) == (38, 13)


def test_float_noise_does_not_break_a_half():
    # 45 × 0.7 is 31.5 exactly, but 31.499999999999996 in floating point.
    e = effect("RR", 0.7, 0.7, 0.7, 45)
    assert (e.risk, e.difference) == (32, -14)


# --- wording -------------------------------------------------------------------------------------

def test_zero_bound_takes_the_point_estimates_word():
    # 200 × 0.9 = 180, 200 × 0.8 = 160, 200 × 1.0 = 200.
    assert describe_difference(effect("RR", 0.9, 0.8, 1.0, 200)) == "20 fewer per 1,000 (40 fewer to 0 fewer)"
    # 200 × 1.2 = 240, 200 × 1.0 = 200, 200 × 1.4 = 280.
    assert describe_difference(effect("RR", 1.2, 1.0, 1.4, 200)) == "40 more per 1,000 (0 more to 80 more)"


def test_zero_point_estimate():
    # RR 1: no difference at all, written "0 more".
    e = effect("RR", 1.0, 0.8, 1.25, 200)
    assert describe_difference(e) == "0 more per 1,000 (40 fewer to 50 more)"
    # 200 × 0.998 = 199.6: a decrease that rounds to 0 is "0 fewer".
    e = effect("RR", 0.998, 0.9, 1.1, 200)
    assert e.difference == 0
    assert describe_difference(e) == "0 fewer per 1,000 (20 fewer to 20 more)"
    # 200 × 1.002 = 200.4: an increase that rounds to 0 is "0 more".
    assert describe_difference(effect("RR", 1.002, 0.9, 1.1, 200)) == "0 more per 1,000 (20 fewer to 20 more)"


def test_wording_of_hand_built_effects():
    # Only the wording is tested here, so the numbers need not come from one calculation.
    e = AbsoluteEffect(baseline=999, risk=1000, risk_low=0, risk_high=1000, difference=-500,
                       difference_low=-1000, difference_high=0)
    assert describe_risk(e) == "1,000 per 1,000 (0 to 1,000)"
    assert describe_difference(e) == "500 fewer per 1,000 (1,000 fewer to 0 fewer)"
    zero = dataclasses.replace(e, difference=0, difference_low=-3, difference_high=4)
    assert describe_difference(zero) == "0 more per 1,000 (3 fewer to 4 more)"
    assert describe_difference(dataclasses.replace(zero, direction=-1)) == "0 fewer per 1,000 (3 fewer to 4 more)"


# --- errors and helpers --------------------------------------------------------------------------

@pytest.mark.parametrize("measure", ["MD", "SMD", "RD", "", "R R"])
def test_unknown_measure(measure):
    with pytest.raises(ValueError, match="unknown measure"):
        effect(measure, 0.75, 0.6, 0.9, 200)


@pytest.mark.parametrize(("estimate", "low", "high"), [
    (0, 0.6, 0.9), (0.75, -0.1, 0.9), (0.75, 0.6, 0.0), (-1, -2, -0.5), (float("nan"), 0.6, 0.9),
    (0.75, 0.6, float("inf")),
])
def test_non_positive_ratio(estimate, low, high):
    with pytest.raises(ValueError, match="positive number"):
        effect("RR", estimate, low, high, 200)


@pytest.mark.parametrize("per_1000", [0, -10, 1000, 1200, float("nan")])
def test_baseline_out_of_range(per_1000):
    with pytest.raises(ValueError, match="baseline risk"):
        effect("RR", 0.75, 0.6, 0.9, per_1000)


def test_rr_beyond_1000_is_not_invented():
    # 500 × 3 = 1,500 per 1,000: a risk ratio cannot be applied to so high a risk (no capping at 1,000).
    with pytest.raises(ValueError, match="Cochrane Handbook 6.4.1.2"):
        effect("RR", 3, 1, 4, 500)
    with pytest.raises(ValueError, match="more than 1,000 per 1,000"):
        risk_per_1000("RR", 2.5, 600)
    assert ratio_problem("RR", 2.5, 600) and ratio_problem("RR", 2, 500) is None
    assert ratio_problem("OR", 2.5, 600) is None and ratio_problem("HR", 2.5, 600) is None


@pytest.mark.parametrize(("rrr", "rr"), [(25, 0.75), (30, 0.7), (0, 1.0), (-20, 1.2), (99, 0.01), (12.5, 0.875)])
def test_ratio_from_rrr(rrr, rr):
    assert ratio_from_rrr(rrr) == rr


@pytest.mark.parametrize("rrr", [100, 150, float("nan")])
def test_ratio_from_rrr_rejects_100_percent_or_more(rrr):
    with pytest.raises(ValueError, match="below 100%"):
        ratio_from_rrr(rrr)


def test_rrr_feeds_absolute_effect():
    # RRR 25% (10% to 40%) is RR 0.75 (0.60 to 0.90): the worked example again.
    e = effect("RR", ratio_from_rrr(25), ratio_from_rrr(40), ratio_from_rrr(10), 200)
    assert describe_difference(e) == "50 fewer per 1,000 (80 fewer to 20 fewer)"


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Baseline(200).per_1000 = 100  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        effect("RR", 0.75, 0.6, 0.9, 200).risk = 1  # type: ignore[misc]
