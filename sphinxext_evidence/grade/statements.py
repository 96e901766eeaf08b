"""GRADE's plain-language statements, and which way an outcome counts as good.

The sentences follow the informative statements of Santesso et al. 2020 (J Clin
Epidemiol 119:126–135): the certainty sets the hedge ("probably" for moderate,
"may" for low, "the evidence is very uncertain" for very low) and the size of
the effect the verb phrase ("results in a large reduction", "reduces",
"reduces … slightly", "results in little to no difference").  The outcome is
kept exactly as written; the verb agrees with the intervention ("Statins reduce").
"""

from __future__ import annotations

import re

from sphinxext_evidence.grade.levels import Certainty, effect_benefits, effect_size

OUTCOME_TYPES = ("undesirable", "desirable")

# Words that make an outcome's polarity clear; anything else needs :outcome-type:.
UNDESIRABLE_WORDS = (
    "death", "deaths", "mortality", "dying", "adverse event", "adverse events", "adverse effect",
    "adverse effects", "side effect", "side effects", "harm", "harms", "relapse", "relapses", "recurrence",
    "complication", "complications", "hospitalisation", "hospitalization", "hospital admission", "readmission",
    "infection", "infections", "bleeding", "haemorrhage", "hemorrhage", "fracture", "fractures", "stroke",
    "myocardial infarction", "heart attack", "pain", "toxicity", "exacerbation", "exacerbations", "disability",
    "dependency", "failure", "symptoms", "withdrawal due to adverse events", "dropout due to adverse events",
)
DESIRABLE_WORDS = (
    "survival", "remission", "quality of life", "response", "recovery", "cure", "healing", "independence",
    "functional independence", "return to work", "abstinence", "cessation", "quit rate", "live birth",
)


def _mentions(outcome: str, words: tuple[str, ...]) -> list[str]:
    text = outcome.lower()
    return [w for w in words if re.search(rf"(?<![a-z]){re.escape(w)}s?(?![a-z])", text)]


def outcome_type_of(outcome: str) -> str | None:
    """``desirable`` or ``undesirable`` when the outcome's name says so, else None.

    "…-free survival" is desirable although it names an event.
    """
    bad, good = _mentions(outcome, UNDESIRABLE_WORDS), _mentions(outcome, DESIRABLE_WORDS)
    if good and (not bad or "survival" in good):
        return "desirable"
    if bad and not good:
        return "undesirable"
    return None


def is_plural(intervention: str) -> bool:
    """Whether the intervention takes a plural verb: "Statins reduce", "Diet and exercise reduce"."""
    text = intervention.strip()
    if re.search(r"\s(?:and|&)\s", text):
        return True
    head = re.split(r"\s+(?:plus|with|for|in|at|of|versus|vs\.?)\s+|[,(]", text, maxsplit=1)[0].strip()
    last = head.split()[-1] if head.split() else ""
    if re.fullmatch(r"[A-Z0-9-]{2,}s", last):  # SSRIs, NSAIDs, PPIs
        return True
    return (len(last) > 3 and last[-1] == "s" and last[-2].islower()
            and not last.lower().endswith(("ss", "us", "is", *SINGULAR_ICS)))


# Words in -ics that name one discipline rather than several drugs (antibiotics, analgesics are plural).
SINGULAR_ICS = ("genetics", "aerobics", "ethics", "economics", "athletics", "physics", "genomics")

_HEDGE = {Certainty.HIGH: "", Certainty.MODERATE: "probably ", Certainty.LOW: "may "}


def _verb(certainty: Certainty, plural: bool, third: str, base: str) -> str:
    """The verb with its hedge: 'reduces', 'probably reduce', 'may reduce'."""
    verb = base if certainty is Certainty.LOW or plural else third
    return _HEDGE[certainty] + verb


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def plain_language(certainty: Certainty, effect: str | None, intervention: str, outcome: str,
                   outcome_type: str | None = None, increase: bool | None = None) -> str:
    """GRADE's plain-language sentence for ``certainty`` and ``effect``; '' when it cannot be said.

    Whether the outcome goes up comes from ``increase`` (known from the numbers)
    or else from the effect and ``outcome_type``; without either, a directional
    effect has no sentence, since a benefit may raise or lower an outcome.
    """
    x = intervention.strip() or "the intervention"
    o = outcome.strip().rstrip(".")
    if certainty is Certainty.VERY_LOW:
        return f"The evidence is very uncertain about the effect of {x} on {o}."
    if effect is None:
        return ""
    plural = is_plural(x)
    if effect == "uncertain":
        return f"It is unclear whether {x} {'affect' if plural else 'affects'} {o}."
    size = effect_size(effect)
    if size == "trivial":
        return _capitalise(f"{x} {_verb(certainty, plural, 'results', 'result')} in little to no difference in {o}.")
    benefit = effect_benefits(effect)
    if increase is None and benefit is not None and outcome_type in OUTCOME_TYPES:
        increase = benefit == (outcome_type == "desirable")
    if increase is None:
        return ""
    if size == "large":
        noun = "increase" if increase else "reduction"
        return _capitalise(f"{x} {_verb(certainty, plural, 'results', 'result')} in a large {noun} in {o}.")
    verb = _verb(certainty, plural, *(("increases", "increase") if increase else ("reduces", "reduce")))
    slightly = " slightly" if size == "small" else ""
    return _capitalise(f"{x} {verb} {o}{slightly}.")
