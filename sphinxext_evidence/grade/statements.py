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
from sphinxext_evidence.grade.polarity import normalise, outcome_type_of

__all__ = ["OUTCOME_TYPES", "events_counted", "is_plural", "is_time_to_event", "outcome_type_of", "plain_language"]

OUTCOME_TYPES = ("undesirable", "desirable")

# With a hazard ratio, the hazard is that of the event (death, progression, relapse): a ratio below 1 means
# the event comes later, so survival, time to the event and being free of it go up.
_TIME_TO_EVENT_RE = re.compile(r"\bsurvival\b|[a-z]-free\b|\bfree\s+(?:of|from)\b|\bfreedom\s+from\b|"
                               r"\btime\s+(?:to|until)\b|\bduration\s+of\s+(?:remission|response)\b", re.I)


def is_time_to_event(outcome: str) -> bool:
    """Whether a hazard ratio for ``outcome`` is the hazard of the event it counts the absence of (survival)."""
    return bool(_TIME_TO_EVENT_RE.search(normalise(outcome)))


_GENERIC_EVENTS = ("disease", "event", "events", "treatment", "clinical")
_NAMED_EVENT_RES = (
    (re.compile(r"^(?:overall\s+)?survival$", re.I), "death"),
    (re.compile(r"^(.+?)-free\s+survival$|^survival\s+(?:free\s+(?:of|from)|without)\s+(.+)$", re.I), "{} or death"),
    (re.compile(r"^(?:time\s+(?:to|until)|freedom\s+from|free\s+(?:of|from))\s+(.+)$|^(.+?)-free$", re.I), "{}"),
)


def events_counted(outcome: str) -> str:
    """What the absolute numbers of a time-to-event outcome count: 'events (progression or death)', or 'events'."""
    text = " ".join(re.sub("[\u2010-\u2015\u2212]", "-", outcome).split())
    text = re.sub(r"\s*\([^)]*\)|\s+(?:at|by|within|after|during|over|up\s+to)\s+.*$", "", text, flags=re.I)
    for pattern, form in _NAMED_EVENT_RES:
        match = pattern.match(text)
        if match:
            event = next((g for g in match.groups() if g), "")
            if match.groups() and (not event or event.lower() in _GENERIC_EVENTS or len(event.split()) > 4):
                return "events"
            if event[1:2].islower():  # "Progression" starts the name; "COPD" keeps its capitals
                event = event[:1].lower() + event[1:]
            return f"events ({form.format(event)})"
    return "events"


def is_plural(intervention: str) -> bool:
    """Whether the intervention takes a plural verb: "Statins reduce", "Diet and exercise reduce"."""
    text = intervention.strip()
    if re.search(r"\s(?:and|&)\s", text):
        return True
    head = re.split(r"\s+(?:plus|with|for|in|at|of|versus|vs\.?)\s+|[,(]", text, maxsplit=1)[0].strip()
    last = head.split()[-1] if head.split() else ""
    if re.fullmatch(r"[A-Z0-9-]{2,}s", last):  # SSRIs, NSAIDs, PPIs
        return True
    return (len(last) > 3 and last[-1] == "s" and last[-2].islower() and last.lower() not in SINGULAR_S
            and not last.lower().endswith(("ss", "us", "is", "ness", *SINGULAR_ICS)))


# Words in -ics that name one discipline rather than several drugs (antibiotics, analgesics are plural).
SINGULAR_ICS = ("genetics", "aerobics", "ethics", "economics", "athletics", "physics", "genomics")
# One thing, though the word ends in s: "Pilates reduces", "Intraocular lens reduces".
SINGULAR_S = frozenset({
    "lens", "pilates", "news", "measles", "mumps", "diabetes", "herpes", "series", "species", "tennis", "bias",
    "gas", "atlas", "canvas", "biceps", "triceps", "forceps", "rabies",
    "scabies", "rickets", "shingles", "lupus", "pertussis", "tetanus", "stenosis", "plus", "chaos", "ethos",
})

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
