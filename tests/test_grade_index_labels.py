"""The evidence index says what the card says; sizes and RRR read as the numbers allow."""

from __future__ import annotations

import pytest
from test_grade_methodology import _judge
from test_grade_methodology_build import TRIALS, build, grade

from sphinxext_evidence.grade.estimate import parse_estimate
from sphinxext_evidence.grade.levels import Certainty


def test_at_very_low_certainty_the_index_states_no_direction(make_app, tmp_path) -> None:
    body = (grade("Death one", certainty="very-low", effect="benefit", outcome_type="undesirable",
                  relative="RR 0.60 (0.45 to 0.80)", downgrade="imprecision -2 few; risk-of-bias -1 unblinded",
                  **TRIALS)
            + grade("Death two", certainty="very-low", relative="OR 0.50 (0.30 to 0.83)",
                    downgrade="imprecision -2 few; risk-of-bias -1 unblinded", **TRIALS)
            + grade("Death three", certainty="very-low", effect="uncertain",
                    downgrade="imprecision -2 few; risk-of-bias -1 unblinded", **TRIALS)
            + ".. evidence-index::\n")
    text, _ = build(make_app, tmp_path, body)
    index = text[text.rindex("Outcome"):]
    for outcome in ("Death one", "Death two", "Death three"):
        row = index[index.index(outcome):][:120]
        assert "Uncertain" in row and "Benefit" not in row, row


@pytest.mark.parametrize(("effect", "relative"), [("small-benefit", "RR 0.50 (0.40 to 0.62)"),
                                                  ("small-harm", "RR 1.60 (1.30 to 2.00)"),
                                                  ("small-benefit", "SMD -0.50 (-0.70 to -0.30)")])
def test_a_small_effect_on_an_interval_beyond_the_limits_warns(effect: str, relative: str) -> None:
    found = _judge("Mortality" if relative.startswith("RR") else "Pain", effect, relative, certainty=Certainty.HIGH)
    assert [m for s, m in found.problems if s == "grade-direction" and "more than a small effect" in m]
    fine = _judge("Mortality", "small-benefit", "RR 0.86 (0.79 to 0.94)", certainty=Certainty.HIGH)
    assert not [p for p in fine.problems if p[0] == "grade-direction"]


@pytest.mark.parametrize("written", ["RRR 0.20 (0.10 to 0.30)", "RRR 0.2"])
def test_a_relative_risk_reduction_written_as_a_fraction_is_refused(written: str) -> None:
    estimate, problem = parse_estimate(written)
    assert estimate is None and problem is not None and "in percent" in problem
    assert parse_estimate("RRR 20% (10% to 30%)")[0] is not None
