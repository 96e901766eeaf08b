"""Outcome polarity read from the name as a phrase: turned over as a whole, changed by the words that govern it,
and unknown (the author is asked) whenever a word that changes the meaning is left unread."""

from __future__ import annotations

import pytest

from sphinxext_evidence.grade.estimate import parse_estimate
from sphinxext_evidence.grade.judgement import judge
from sphinxext_evidence.grade.levels import Certainty
from sphinxext_evidence.grade.statements import outcome_type_of


@pytest.mark.parametrize("outcome", [
    "Time to all-cause death", "Time to first COPD exacerbation", "Time to cardiovascular death",
    "Time to severe exacerbation", "Time to treatment failure", "Freedom from treatment failure",
    "Time to first relapse", "Time until recurrence or death", "Serious-adverse-event-free at 1 year",
])
def test_time_to_and_freedom_from_turn_the_whole_phrase_over(outcome: str) -> None:
    assert outcome_type_of(outcome) == "desirable"


@pytest.mark.parametrize("outcome", ["Time to sustained recovery", "Time to complete remission",
                                     "Loss of functional independence"])
def test_time_to_a_desirable_event_is_undesirable(outcome: str) -> None:
    assert outcome_type_of(outcome) == "undesirable"


@pytest.mark.parametrize("outcome", ["Time to blood pressure control target", "Time to discharge",
                                     "Freedom from dialysis", "Time to death or recovery"])
def test_time_to_a_phrase_of_unknown_polarity_has_none(outcome: str) -> None:
    assert outcome_type_of(outcome) is None


@pytest.mark.parametrize("outcome", [
    "Symptom improvement", "Pain control", "Improvement in pain", "Pain improvement", "Improvement of symptoms",
    "Symptom control", "Disappearance of pain", "Fracture union", "Clearance of infection",
    "Successful treatment of infection", "Pain relief", "Resolution of symptoms", "Reduction in pain",
    "Remission of symptoms", "Cure of infection", "Clinical improvement", "Improvement in quality of life",
    "Fracture healing", "Relapse prevention",
])
def test_words_that_change_an_undesirable_noun_make_it_desirable(outcome: str) -> None:
    assert outcome_type_of(outcome) == "desirable"


@pytest.mark.parametrize("outcome", [
    "Recovery time", "Mean recovery time", "Recovery duration", "Duration of remission", "Bleeding time",
    "Length of hospital stay", "Glycaemic control", "Weight reduction", "Control of blood pressure",
    "Pain-related improvement or death", "Change in pain", "Time in therapeutic range", "Pain and function",
    "Non-union", "Cured patients",
])
def test_unsure_wording_asks_rather_than_guesses(outcome: str) -> None:
    assert outcome_type_of(outcome) is None


@pytest.mark.parametrize(("outcome", "polarity"), [
    ("Side-effects", "undesirable"), ("Side effects", "undesirable"), ("Adverse-events", "undesirable"),
    ("Survival free of stroke", "desirable"), ("Survival free from relapse", "desirable"),
    ("Reduction in quality of life", "undesirable"), ("Worsening of quality of life", "undesirable"),
    ("Complete remission", "desirable"), ("Functional recovery at 90 days", "desirable"),
    ("Death or disability", "undesirable"), ("Non-fatal stroke", "undesirable"),
])
def test_hyphens_free_of_and_plain_phrases(outcome: str, polarity: str) -> None:
    assert outcome_type_of(outcome) == polarity


def _judge(outcome: str, effect: str | None, relative: str):
    return judge(outcome, Certainty.MODERATE, effect, None, parse_estimate(relative)[0], [], "Drug A")


def test_time_to_a_modified_event_with_a_hazard_ratio_is_not_contradicted() -> None:
    found = _judge("Time to all-cause death", "benefit", "HR 0.80 (0.70 to 0.91)")
    assert found.outcome_type == "desirable" and found.increase is True and not found.contradicted
    derived = _judge("Time to first COPD exacerbation", None, "HR 0.70 (0.60 to 0.82)")
    assert derived.effect == "benefit" and derived.increase is True


def test_improvement_and_recovery_time_are_never_contradicted_by_their_own_name() -> None:
    assert not _judge("Symptom improvement", "benefit", "RR 1.40 (1.20 to 1.65)").contradicted
    assert _judge("Pain control", None, "RR 1.40 (1.20 to 1.65)").effect == "benefit"
    asked = _judge("Recovery time", "benefit", "MD -2 (-3 to -1)")
    assert not asked.contradicted and asked.increase is False
    assert [s for s, _ in asked.problems] == ["grade-outcome-type"]
