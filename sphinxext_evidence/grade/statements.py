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
    "dependency", "failure", "symptom", "symptoms", "withdrawal due to adverse events", "dropout due to adverse events",
)
DESIRABLE_WORDS = (
    "survival", "remission", "quality of life", "response", "recovery", "cure", "healing", "independence",
    "functional independence", "return to work", "abstinence", "cessation", "quit rate", "live birth",
)


# Words that turn the outcome named after (or before) them into its opposite: "Loss of independence",
# "Freedom from relapse", "Pain relief", "Pain-free", "Time to relapse" (longer is better when relapse is bad).
_ADJECTIVE = r"(?:(?:first|any|further|new|clinical|major|serious|complete|the|a|an|of|from)\s+)?"
_FLIP_BEFORE = re.compile(
    r"(?:\b(?:lack|loss|absence|freedom|free|resolution|relief|prevention|avoidance|reduction|decrease)\s+"
    r"(?:of|from|in)\s+|\btime\s+to\s+|\bwithout\s+)" + _ADJECTIVE + r"$|\bnon-$|\bno\s+$|\bnot\s+$")
_FLIP_AFTER = re.compile(r"^s?(?:-free\b|\s+free\b|\s+relief\b|\s+resolution\b|\s+reduction\b|\s+prevention\b)")
_DASHES = re.compile("[\u2010-\u2015\u2212\u00ad]")
_OPPOSITE = {"desirable": "undesirable", "undesirable": "desirable"}
# With a hazard ratio, the hazard is that of the event (death, progression, relapse): a ratio below 1 means
# the event comes later, so survival, time to the event and being free of it go up.
_TIME_TO_EVENT_RE = re.compile(r"\bsurvival\b|[a-z]-free\b|\bfree\s+(?:of|from)\b|\bfreedom\s+from\b|"
                               r"\btime\s+to\b|\bduration\s+of\s+(?:remission|response)\b", re.I)


def _normalise(outcome: str) -> str:
    """Lower case, every dash a hyphen, and "nonresponse" spelt "non-response"."""
    text = _DASHES.sub("-", outcome.lower())
    return re.sub(r"\bnon\s?(?=[a-z]{4})", "non-", text)


def _polarities(outcome: str) -> set[str]:
    """The polarity of every vocabulary word in ``outcome``, each turned over when negated."""
    text = _normalise(outcome)
    taken: list[tuple[int, int]] = []
    found: set[str] = set()
    vocabulary = [(w, "undesirable") for w in UNDESIRABLE_WORDS] + [(w, "desirable") for w in DESIRABLE_WORDS]
    for word, polarity in sorted(vocabulary, key=lambda item: -len(item[0])):
        for match in re.finditer(rf"(?<![a-z]){re.escape(word)}s?(?![a-z])", text):
            if any(start <= match.start() and match.end() <= end for start, end in taken):
                continue  # "adverse events" inside "withdrawal due to adverse events"
            taken.append(match.span())
            flipped = _FLIP_BEFORE.search(text[:match.start()]) or _FLIP_AFTER.match(text[match.end():])
            found.add(_OPPOSITE[polarity] if flipped else polarity)
    return found


def outcome_type_of(outcome: str) -> str | None:
    """``desirable`` or ``undesirable`` when the outcome's name says so, else None.

    "Relapse-free survival", "Pain relief" and "Time to relapse" are desirable,
    "Non-response" and "Loss of independence" undesirable; a name whose words
    disagree has no known polarity.
    """
    found = _polarities(outcome)
    return found.pop() if len(found) == 1 else None


def is_time_to_event(outcome: str) -> bool:
    """Whether a hazard ratio for ``outcome`` is the hazard of the event it counts the absence of (survival)."""
    return bool(_TIME_TO_EVENT_RE.search(_normalise(outcome)))


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
