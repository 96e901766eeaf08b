"""What a grade's numbers say: the effect's direction checked against ``:relative:``, or derived from it.

The direction of an effect on the outcome (up or down) follows from the
estimate; whether that is a benefit follows from the outcome's polarity
(``:outcome-type:`` or the vocabulary in :mod:`.statements`).  Problems are
returned as ``(subtype, message)`` pairs for the directive to warn about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sphinxext_evidence.grade.estimate import Estimate
from sphinxext_evidence.grade.levels import Certainty, effect_benefits, effect_size, make_effect
from sphinxext_evidence.grade.rules import Rating
from sphinxext_evidence.grade.statements import is_time_to_event, outcome_type_of

# GRADE's default thresholds of an appreciable benefit or harm: a relative change of 25 %
# for ratios, 0.2 for a standardised mean difference.
APPRECIABLE_RATIO = (0.75, 1.25)
APPRECIABLE_SMD = 0.2
# Said by every warning about an effect the numbers contradict.
HIDDEN = " (no plain-language sentence is shown, not even your :statement:, until they agree)"


@dataclass
class Judgement:
    """The effect to state, the direction of the outcome (+1 up, -1 down, 0 none known) and the problems found."""

    effect: str | None
    outcome_type: str | None
    increase: bool | None
    outcome: str = ""  # as written, for messages
    derived: bool = False
    sentence_effect: str | None = None  # the size to state when the direction is known but not its polarity
    contradicted: bool = False  # the stated effect points the other way from the numbers
    problems: list[tuple[str, str]] = field(default_factory=list)


def _direction_words(increase: bool) -> str:
    return "an increase" if increase else "a decrease"


def outcome_direction(estimate: Estimate, outcome: str) -> int:
    """Which way ``outcome`` goes by the numbers: +1 up, -1 down, 0 no effect.

    A hazard ratio is the hazard of the event, so for survival, "X-free" and
    "time to X" outcomes a ratio below 1 means more of the outcome.
    """
    if estimate.measure == "HR" and is_time_to_event(outcome):
        return -estimate.direction
    return estimate.direction


def _numbers_say(estimate: Estimate, outcome: str) -> str:
    """``an increase`` / ``a decrease``, naming the hazard when it runs the other way from the outcome."""
    direction = outcome_direction(estimate, outcome)
    words = _direction_words(direction > 0)
    if direction != estimate.direction:
        words += f" in {outcome} (a {'lower' if direction > 0 else 'higher'} hazard of the event)"
    return words


def _precise_null(estimate: Estimate) -> bool:
    """True when the whole CI lies within no appreciable benefit or harm."""
    if estimate.low is None or estimate.high is None:
        return False
    if estimate.is_ratio:
        return APPRECIABLE_RATIO[0] <= estimate.low and estimate.high <= APPRECIABLE_RATIO[1]
    return estimate.measure == "SMD" and -APPRECIABLE_SMD <= estimate.low and estimate.high <= APPRECIABLE_SMD


def _beyond_limits(estimate: Estimate) -> bool:
    """True when the whole CI lies beyond GRADE's default limits of an appreciable effect (on one side)."""
    if estimate.low is None or estimate.high is None:
        return False
    if estimate.is_ratio:
        return estimate.high < APPRECIABLE_RATIO[0] or estimate.low > APPRECIABLE_RATIO[1]
    return estimate.measure == "SMD" and (estimate.high < -APPRECIABLE_SMD or estimate.low > APPRECIABLE_SMD)


def _appreciable_point(estimate: Estimate) -> bool:
    """True when the point estimate itself is beyond GRADE's default limits (ratio 0.75–1.25, SMD ±0.2)."""
    if estimate.is_ratio:
        return not APPRECIABLE_RATIO[0] < estimate.value < APPRECIABLE_RATIO[1]
    return estimate.measure == "SMD" and abs(estimate.value) >= APPRECIABLE_SMD


def size_problem(estimate: Estimate, effect: str, outcome: str) -> str | None:
    """Why the numbers rule out ``effect``'s size, or None; one rule for stated and derived effects alike."""
    if effect == "little-or-no" and not (estimate.near_null or _precise_null(estimate)):
        if estimate.crosses_null is False:
            return (f":effect: little-or-no, but :relative: {estimate.written} is {_numbers_say(estimate, outcome)} "
                    "whose confidence interval excludes no effect; state its direction and size")
        if _appreciable_point(estimate):
            return (f":effect: little-or-no, but the point estimate of :relative: {estimate.written} is "
                    f"{_numbers_say(estimate, outcome)} beyond GRADE's limits of an appreciable effect; GRADE's "
                    "wording follows the size of the point estimate, and the certainty carries the imprecision: "
                    "state its direction and size (such as small-benefit or benefit)")
    elif effect_benefits(effect) is not None and (estimate.direction == 0
                                                  or (_precise_null(estimate) and estimate.crosses_null)):
        return (f":effect: {effect}, but :relative: {estimate.written} shows no appreciable effect; use "
                ":effect: little-or-no or check the numbers")
    elif effect_size(effect) == "small" and _beyond_limits(estimate):
        return (f":effect: {effect}, but the whole confidence interval of :relative: {estimate.written} lies beyond "
                "GRADE's limits of an appreciable effect (0.75 to 1.25, an SMD of ±0.2), which is more than a small "
                "effect; state a larger one (such as benefit or harm)")
    elif effect_size(effect) == "large" and _precise_null(estimate):
        return (f":effect: {effect}, but the whole confidence interval of :relative: {estimate.written} lies within "
                "GRADE's limits of an appreciable effect (0.75 to 1.25, an SMD of ±0.2), which is no large effect; "
                "state a smaller one (such as small-benefit or benefit)")
    return None


def _shown_size(estimate: Estimate) -> str:
    """The size an estimate whose interval excludes no effect shows by itself.

    Small when the whole interval lies within GRADE's limits of an appreciable
    effect (it rules out more), otherwise unnamed (moderate): how large an
    effect is beyond that is the author's judgement, given in ``:effect:``.
    """
    return "small" if _precise_null(estimate) else "moderate"


def _derive(estimate: Estimate, outcome_type: str | None, j: Judgement) -> None:
    """Set the effect from the estimate when the author gave none."""
    if estimate.crosses_null is None:
        j.problems.append(("missing-option", f"no :effect: given and :relative: {estimate.written} has no "
                                             "confidence interval that can be read (two finite bounds), so whether "
                                             "it includes no effect is unknown and no effect is read from it; give "
                                             "the 95% CI, as in 'RR 0.75 (0.60 to 0.90)', or state :effect:"))
        return
    if estimate.crosses_null:
        if estimate.near_null or _precise_null(estimate):
            j.effect, j.increase, j.derived = "little-or-no", None, True
            return
        j.problems.append(("missing-option", f"no :effect: given and the confidence interval of "
                                             f"{estimate.written} includes no effect, so the size of the effect "
                                             "cannot be read from it; state :effect:"))
        return
    # An interval that excludes no effect shows a direction, however small (RR 0.86 (0.79 to 0.94) is a reduction).
    j.increase, j.derived = outcome_direction(estimate, j.outcome) > 0, True
    size = _shown_size(estimate)
    if outcome_type is not None:
        j.effect = make_effect(j.increase == (outcome_type == "desirable"), size)
    else:
        j.sentence_effect = make_effect(True, size)  # the verb comes from the numbers
        j.problems.append(("grade-outcome-type", _ask_polarity(j.outcome)))


def judge(outcome: str, certainty: Certainty, effect: str | None, outcome_type: str | None,
          estimate: Estimate | None, ratings: list[Rating], intervention: str = "") -> Judgement:
    """Check ``effect`` against ``estimate`` (or derive it), resolve the outcome's polarity, list the problems."""
    polarity = outcome_type or outcome_type_of(outcome)
    j = Judgement(effect, polarity, None, outcome=outcome)
    benefit = effect_benefits(effect) if effect else None
    if benefit is not None and polarity is not None:
        j.increase = benefit == (polarity == "desirable")
    if certainty is Certainty.VERY_LOW:
        return j  # GRADE states no direction at very low certainty
    if estimate is not None:
        direction = outcome_direction(estimate, outcome)
        if effect is None:
            _derive(estimate, polarity, j)
        elif j.increase is not None and direction and (direction > 0) != j.increase:
            x = intervention or "the intervention"
            j.contradicted = True
            j.problems.append(("grade-direction", f":effect: {effect} means {_direction_words(j.increase)} in "
                                                  f"{outcome} with {x}, but :relative: {estimate.written} is "
                                                  f"{_numbers_say(estimate, outcome)}; fix :effect: or "
                                                  ":outcome-type:" + HIDDEN))
        elif benefit is not None and polarity is None and direction:
            j.increase = direction > 0  # the numbers say which way, whatever the polarity
        if effect is not None and estimate.crosses_null is None:
            j.problems.append(("missing-option", f":relative: {estimate.written} has no confidence interval that "
                                                 f"can be read (two finite bounds), so :effect: {effect} cannot be "
                                                 "checked against it (whether it includes no effect is unknown); "
                                                 "give the 95% CI, as in 'RR 0.75 (0.60 to 0.90)'"))
        _size(estimate, effect, j)
        _imprecision(estimate, j.effect, ratings, j)
    if j.effect in ("large-benefit", "benefit", "small-benefit", "small-harm", "harm", "large-harm") \
            and polarity is None:
        j.problems.append(("grade-outcome-type", _ask_polarity(outcome)))
    return j


def _ask_polarity(outcome: str) -> str:
    return (f"is {outcome!r} a desirable outcome (more is better, like survival) or an undesirable one (like "
            "death)? Say :outcome-type: desirable or undesirable")


def _size(estimate: Estimate, effect: str | None, j: Judgement) -> None:
    """A stated effect whose size the numbers rule out: none where they show one, or one where they show none."""
    if effect is None or j.contradicted:
        return
    problem = size_problem(estimate, effect, j.outcome)
    if problem:
        j.contradicted = True
        j.problems.append(("grade-direction", problem + HIDDEN))


def _imprecision(estimate: Estimate, effect: str | None, ratings: list[Rating], j: Judgement) -> None:
    if not estimate.crosses_null:
        return
    if effect and effect_size(effect) == "large":
        smaller = effect.replace("large-", "")
        j.problems.append(("grade-imprecision", f":effect: {effect} is large, but the confidence interval of "
                                                f"{estimate.written} includes no effect; state a smaller effect "
                                                f"(such as :effect: {smaller}), and downgrade for imprecision if "
                                                "you have not"))
    downgraded = any(r.domain == "imprecision" and r.levels < 0 for r in ratings)
    if not downgraded and not (effect == "little-or-no" and _precise_null(estimate)):
        j.problems.append(("grade-imprecision", f"the confidence interval of {estimate.written} includes no effect "
                                                "but there is no imprecision downgrade; add 'imprecision -1 <reason>' "
                                                "to :downgrade: or explain why the estimate is precise enough"))
