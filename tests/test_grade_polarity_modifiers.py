"""Outcome names whose words fail, delay, negate or rescale a desirable outcome: the right polarity or none,
never the polarity of the noun they qualify."""

from __future__ import annotations

import pytest

from sphinxext_evidence.grade.estimate import parse_estimate
from sphinxext_evidence.grade.judgement import judge
from sphinxext_evidence.grade.levels import Certainty
from sphinxext_evidence.grade.statements import outcome_type_of


@pytest.mark.parametrize("outcome", [
    "Failure to induce remission", "Failure to maintain remission", "Failure to achieve remission",
    "Failure to achieve clinical remission", "Failure of clinical remission", "Failure to achieve healing",
    "Failure of healing", "Failure to achieve pain relief", "Failure to wean", "Failure to respond",
    "Treatment failure", "Treatment failure or death",
])
def test_failing_at_a_desirable_outcome_is_undesirable(outcome: str) -> None:
    assert outcome_type_of(outcome) == "undesirable"


@pytest.mark.parametrize("outcome", [
    "Delayed healing", "Inadequate pain relief", "Insufficient pain relief", "Inadequate response",
    "Delayed recovery", "Poor recovery", "Impaired quality of life", "Poor quality of life", "Poor wound healing",
    "Delayed return to work", "Reduced quality of life", "Worse quality of life", "Lower quality of life",
    "Lack of response", "Absence of remission", "Fracture nonunion", "Fracture non-union",
    "Low back pain", "Lower respiratory tract infection",
])
def test_a_desirable_outcome_falling_short_is_undesirable(outcome: str) -> None:
    assert outcome_type_of(outcome) == "undesirable"


@pytest.mark.parametrize("outcome", [
    "Incomplete pain relief", "Incomplete remission", "Failure to prevent relapse", "Worse pain", "Less pain",
    "Fewer relapses", "Lower pain scores", "Cessation of breastfeeding", "Breastfeeding cessation",
    "Treatment cessation", "Cessation of treatment", "Pressure pain threshold", "Pain threshold", "Pain tolerance",
    "Return to work (days)", "Recovery (days)", "Number of days to recovery", "Quality of life (SF-36, improved)",
    "Pain (0 = best)", "Quality of life (higher is better; lower is better)",
])
def test_qualified_wording_not_read_asks(outcome: str) -> None:
    assert outcome_type_of(outcome) is None


@pytest.mark.parametrize(("outcome", "polarity"), [
    ("Quality of life (SGRQ, lower is better)", "undesirable"),
    ("Quality of life (MLHFQ; higher scores worse)", "undesirable"),
    ("Quality of life (EQ-5D, higher is better)", "desirable"), ("Pain (VAS, higher is worse)", "undesirable"),
    ("Pain relief (lower scores worse)", "desirable"), ("Quality of life (SF-36)", "desirable"),
    ("Mortality (30 days)", "undesirable"),
])
def test_a_scale_direction_in_the_name_wins(outcome: str, polarity: str) -> None:
    assert outcome_type_of(outcome) == polarity


@pytest.mark.parametrize(("outcome", "polarity"), [
    ("Days to return to work", "undesirable"), ("Days to recovery", "undesirable"),
    ("Days until return to work", "undesirable"), ("Hours to pain relief", "undesirable"),
    ("Weeks to healing", "undesirable"), ("Days to relapse", "desirable"), ("Time to recurrence", "desirable"),
    ("Time to recovery (days)", "undesirable"), ("Smoking cessation", "desirable"),
    ("Cessation of smoking", "desirable"), ("Cessation of pain", "desirable"), ("Mortality", "undesirable"),
    ("Overall survival", "desirable"), ("Pain", "undesirable"), ("Quality of life", "desirable"),
    ("Remission", "desirable"), ("Relapse", "undesirable"), ("Partial response", "desirable"),
])
def test_days_to_reads_like_time_to_and_plain_names_are_unchanged(outcome: str, polarity: str) -> None:
    assert outcome_type_of(outcome) == polarity


def test_a_lower_is_better_quality_of_life_scale_falling_is_a_benefit() -> None:
    estimate = parse_estimate("MD -4.1 (-6.0 to -2.2)")[0]
    stated = judge("Quality of life (SGRQ, lower is better)", Certainty.MODERATE, "benefit", None, estimate, [],
                   "Drug A")
    assert stated.outcome_type == "undesirable" and not stated.contradicted
    derived = judge("Quality of life (SGRQ, lower is better)", Certainty.MODERATE, None, None, estimate, [], "Drug A")
    assert derived.effect == "benefit"
