"""Pure GRADE logic: certainty levels, plain-language sentences, rating parser, consistency."""

from __future__ import annotations

import pytest

from sphinxext_evidence.grade.levels import Certainty, parse_certainty, parse_effect
from sphinxext_evidence.grade.rules import (
    consistency_problem,
    effect_problem,
    expected_certainty,
    infer_design,
    parse_design,
    parse_ratings,
)
from sphinxext_evidence.grade.statements import plain_language


@pytest.mark.parametrize(("text", "level"), [
    ("high", Certainty.HIGH), ("Moderate", Certainty.MODERATE), ("low", Certainty.LOW),
    ("very-low", Certainty.VERY_LOW), ("very low", Certainty.VERY_LOW), ("Very_Low", Certainty.VERY_LOW),
    ("medium", None), ("", None),
])
def test_parse_certainty(text, level):
    assert parse_certainty(text) is level


def test_symbols_and_labels():
    assert Certainty.HIGH.symbols == "⊕⊕⊕⊕"
    assert Certainty.MODERATE.symbols == "⊕⊕⊕⊝"
    assert Certainty.VERY_LOW.symbols == "⊕⊝⊝⊝"
    assert Certainty.VERY_LOW.label == "Very low" and Certainty.VERY_LOW.slug == "very-low"


@pytest.mark.parametrize(("certainty", "effect", "sentence"), [
    # Santesso et al. 2020, J Clin Epidemiol 119:126-35: the statements by certainty and size.
    (Certainty.HIGH, "benefit", "Aspirin reduces stroke."),
    (Certainty.MODERATE, "benefit", "Aspirin probably reduces stroke."),
    (Certainty.LOW, "benefit", "Aspirin may reduce stroke."),
    (Certainty.VERY_LOW, "benefit", "The evidence is very uncertain about the effect of Aspirin on stroke."),
    (Certainty.HIGH, "harm", "Aspirin increases stroke."),
    (Certainty.MODERATE, "small-harm", "Aspirin probably increases stroke slightly."),
    (Certainty.LOW, "small-benefit", "Aspirin may reduce stroke slightly."),
    (Certainty.HIGH, "large-benefit", "Aspirin results in a large reduction in stroke."),
    (Certainty.MODERATE, "large-harm", "Aspirin probably results in a large increase in stroke."),
    (Certainty.LOW, "large-benefit", "Aspirin may result in a large reduction in stroke."),
    (Certainty.HIGH, "little-or-no", "Aspirin results in little to no difference in stroke."),
    (Certainty.MODERATE, "little-or-no", "Aspirin probably results in little to no difference in stroke."),
    (Certainty.LOW, "little-or-no", "Aspirin may result in little to no difference in stroke."),
    (Certainty.VERY_LOW, "uncertain", "The evidence is very uncertain about the effect of Aspirin on stroke."),
])
def test_plain_language_follows_santesso(certainty, effect, sentence):
    assert plain_language(certainty, effect, "Aspirin", "stroke", "undesirable") == sentence


def test_plain_language_outcome_case_desirable_and_default_intervention():
    # The outcome keeps its case exactly as written.
    assert plain_language(Certainty.MODERATE, "little-or-no", "Cerebrolysin", "All-cause death") == (
        "Cerebrolysin probably results in little to no difference in All-cause death.")
    assert plain_language(Certainty.LOW, "benefit", "Cerebrolysin", "NIHSS score", "undesirable") == (
        "Cerebrolysin may reduce NIHSS score.")
    assert plain_language(Certainty.LOW, "benefit", "Exercise", "quality of life", "desirable") == (
        "Exercise may increase quality of life.")
    assert plain_language(Certainty.HIGH, "harm", "Exercise", "quality of life", "desirable") == (
        "Exercise reduces quality of life.")
    assert plain_language(Certainty.HIGH, "benefit", "", "pain", "undesirable") == "The intervention reduces pain."


def test_effect_aliases():
    assert parse_effect("little or no") == "little-or-no"
    assert parse_effect("no-difference") == "little-or-no"
    assert parse_effect("Slight harm") == "small-harm"
    assert parse_effect("very uncertain") == "uncertain"
    assert parse_effect("better") is None


def test_parse_ratings_lines_semicolons_levels_and_reasons():
    parsed = parse_ratings("imprecision -1 wide confidence interval; risk of bias -2: open label\n"
                           "publication-bias (−1) small-study effects\ninconsistency serious", "downgrade")
    assert parsed.problems == []
    assert [r.as_tuple() for r in parsed.ratings] == [
        ("imprecision", -1, "wide confidence interval"),
        ("risk-of-bias", -2, "open label"),
        ("publication-bias", -1, "small-study effects"),
        ("inconsistency", -1, ""),
    ]
    assert parsed.ratings[0].footnote == "Downgraded one level for imprecision: wide confidence interval."
    assert parsed.ratings[1].footnote == "Downgraded two levels for risk of bias: open label."


def test_parse_ratings_problems():
    parsed = parse_ratings("vibes -1 nope; imprecision +1", "downgrade")
    assert any("unknown downgrade reason 'vibes'" in p and "imprecision" in p for p in parsed.problems)
    assert any("+1" in p for p in parsed.problems)
    up = parse_ratings("large-effect +2 RR 0.2; dose-response +2", "upgrade")
    assert [r.levels for r in up.ratings] == [2, 1]
    assert any("dose-response" in p for p in up.problems)
    assert up.ratings[0].footnote == "Upgraded two levels for a large effect: RR 0.2."


def test_design_inference():
    assert infer_design("6 RCTs") == "randomised"
    assert infer_design("3 randomized trials") == "randomised"
    assert infer_design("2 non-randomised studies") == "non-randomised"
    assert infer_design("4 cohort studies") == "non-randomised"
    assert infer_design("12 studies") is None
    assert parse_design("RCT") == "randomised" and parse_design("non-randomized") == "non-randomised"


def test_consistency():
    one_down = parse_ratings("imprecision -1", "downgrade").ratings
    assert consistency_problem(Certainty.MODERATE, "randomised", one_down) is None
    problem = consistency_problem(Certainty.HIGH, "randomised", one_down)
    assert problem and "starts at high" in problem and "gives moderate" in problem
    assert consistency_problem(Certainty.LOW, "non-randomised", []) is None
    assert consistency_problem(Certainty.HIGH, None, one_down) is None  # design unknown: not checked
    up = parse_ratings("large-effect +2", "upgrade").ratings
    assert expected_certainty("non-randomised", up) is Certainty.HIGH
    many = parse_ratings("risk-of-bias -2; imprecision -2", "downgrade").ratings
    assert expected_certainty("randomised", many) is Certainty.VERY_LOW  # never below very low


def test_effect_problem():
    assert effect_problem(Certainty.VERY_LOW, "benefit")
    assert effect_problem(Certainty.VERY_LOW, "uncertain") is None
    assert effect_problem(Certainty.VERY_LOW, "little-or-no") is None
    assert effect_problem(Certainty.MODERATE, "uncertain")
    assert effect_problem(Certainty.MODERATE, "harm") is None


def test_wrapped_reason_continues_the_previous_one():
    parsed = parse_ratings("imprecision -1 a confidence interval so wide that it\n"
                           "includes both benefit and harm\nrisk-of-bias -1 unblinded", "downgrade")
    assert parsed.problems == []
    assert [(r.domain, r.levels) for r in parsed.ratings] == [("imprecision", -1), ("risk-of-bias", -1)]
    assert parsed.ratings[0].reason.endswith("includes both benefit and harm")


def test_misspelt_reason_on_its_own_line_still_warns():
    parsed = parse_ratings("imprecision -1 wide\nimprecison -1 typo", "downgrade")
    assert any("imprecison" in p for p in parsed.problems)


def test_no_effect_no_sentence_unless_very_low():
    assert plain_language(Certainty.HIGH, None, "Aspirin", "Stroke") == ""
    assert plain_language(Certainty.LOW, None, "Aspirin", "Stroke") == ""
    assert plain_language(Certainty.VERY_LOW, None, "Aspirin", "Stroke") == (
        "The evidence is very uncertain about the effect of Aspirin on Stroke.")
