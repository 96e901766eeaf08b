"""Which way an outcome counts as good, read from its name; when unsure, no polarity (the author is asked).

The name is read as a phrase, from the outside in: "Time to <phrase>", "Freedom
from <phrase>", "Loss of <phrase>" and "<phrase>-free" take the opposite of the
polarity of the whole phrase; words that change what a noun means ("Pain
relief", "Improvement in symptoms", "Fracture union") are applied to the
polarity of the noun they govern; only a plain phrase is read from the
vocabulary.  Any meaning-changing word left over makes the polarity unknown.
"Failure of", "Poor", "Delayed" and the like only turn a desirable phrase
undesirable, and a scale's direction stated in the name ("lower is better")
wins over its words.
"""

from __future__ import annotations

import functools
import re

UNDESIRABLE, DESIRABLE = "undesirable", "desirable"

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
    "functional independence", "return to work", "abstinence", "smoking cessation", "cessation of smoking",
    "quit rate", "live birth",
)
_VOCABULARY = sorted([(w, UNDESIRABLE) for w in UNDESIRABLE_WORDS] + [(w, DESIRABLE) for w in DESIRABLE_WORDS],
                     key=lambda item: -len(item[0]))
_OPPOSITE = {DESIRABLE: UNDESIRABLE, UNDESIRABLE: DESIRABLE}

# Words that change what the noun they govern means, by what they do to it.
_GOOD = r"improvement|success|treatment\s+success|successful(?:\s+treatment)?"  # desirable whatever the noun
_BAD = r"worsening|deterioration"  # undesirable whatever the noun
_ENDING = (r"relief|resolution|clearance|disappearance|remission|cure|control|healing|recovery|eradication|union|"
           r"elimination")  # the end of an undesirable noun is desirable; of anything else, unclear
_LOWERING = r"reduction|decrease|decline|prevention|avoidance|fall|drop|cessation"  # the opposite of the noun
_CHANGER = rf"{_GOOD}|{_BAD}|{_ENDING}|{_LOWERING}"
_CHANGER_BEFORE = re.compile(rf"^({_CHANGER})\s+(?:of|in|from|for)\s+(.+)$")
# "Fracture non-union": a "non-" or "un" joined to the changer turns its result over.
_CHANGER_AFTER = re.compile(rf"^(.+?)(?<!\bnon)(?<!\bun)[\s-]+(non-|un)?({_CHANGER})s?$")
_UNITS = r"minutes|hours|days|weeks|months|years"
# "Time to <phrase>", "Freedom from <phrase>": the opposite of the whole phrase, however many words it has.
_NEGATING_BEFORE = re.compile(rf"^(?:(?:time|{_UNITS})\s+(?:to|until)|freedom\s+from|free\s+(?:of|from)|absence\s+of|"
                              r"lack\s+of|loss\s+of|prevention\s+of|avoidance\s+of|without|no|not|never)\s+(.+)$")
# "Failure to achieve <phrase>", "Failure of <phrase>": undesirable when the phrase is desirable.
_FAILURE_OF = re.compile(r"^(?:failure|failed|failing)\s+(?:of|to)\s+(?:(?:achieve|attain|reach|induce|maintain|obtain|"
                         r"sustain|get|gain|have)\s+)?(.+)$")
# "Poor recovery", "Delayed healing", "Lower quality of life": undesirable when what they qualify is desirable.
_SHORT_OF = re.compile(r"^(?:poor|poorer|inadequate|insufficient|delayed|impaired|reduced|decreased|diminished|worse|"
                       r"worsened|lower|suboptimal|unsatisfactory)\s+(.+)$")
# "(SGRQ, lower is better)", "(higher scores worse)": the scale's own direction.
_DIRECTION = re.compile(r"\b(higher|high|greater|more|lower|low|less|fewer)\s+(?:(?:scores?|values?|numbers?)\s+)?"
                        r"(?:(?:is|are|=|indicates?|means?|denotes?)\s+)?(better|worse)\b")
# In brackets, which are otherwise left out, words like these may say the scale runs the other way: ask.
_BRACKET = re.compile(r"\(([^)]*)\)")
_BRACKET_UNSURE = re.compile(rf"\b(?:{_CHANGER}|better|worse|best|worst|higher|lower|improv\w*|revers\w*|invert\w*)\b")
_EXCEPT = re.compile(r"^(.+?)\s+(?:free\s+(?:of|from)|without)\s+(.+)$")  # "Survival free of stroke"
_FREE = re.compile(r"^(.+?)(?:-|\s+)free\b\s*(.*)$")  # "Pain-free", "Progression-free survival"
_QUALIFIER = re.compile(r"\s*\([^)]*\)|\s+(?:at|by|within|after|during|over|up\s+to)\s+.*$")
_JOINED = re.compile(r"\s+(?:and/or|and|or)\s+|\s*[,;]\s*")
# Left over after the vocabulary, these change what a name means in ways not read here: ask.
_UNSURE = re.compile(rf"\b(?:{_CHANGER}|improv\w*|control\w*|reliev\w*|resol\w*|clear\w*|disappear\w*|success\w*|"
                     r"reduc\w*|decreas\w*|worsen\w*|deteriorat\w*|free\w*|without|loss|lack|absen\w*|prevent\w*|"
                     r"avoid\w*|time|times|duration|length|change\w*|no|not|never|cured|healed|recovered|worse|less|"
                     r"fewer|poor\w*|inadequa\w*|incomplete|insufficien\w*|delay\w*|impair\w*|diminish\w*|suboptimal|"
                     rf"unsatisfactory|deficien\w*|threshold\w*|tolerance|latency|(?:{_UNITS})\s+(?:to|until)|"
                     r"lower(?!\s+(?:back|limbs?|legs?|extremit\w*|urinary|respiratory|gi|gastro\w*|abdom\w*)))\b")
_DASHES = re.compile("[\u2010-\u2015\u2212\u00ad]")


def normalise(outcome: str) -> str:
    """Lower case, every dash a hyphen, and "nonresponse" spelt "non-response"."""
    text = _DASHES.sub("-", outcome.lower())
    return " ".join(re.sub(r"\bnon\s?(?=[a-z]{4})", "non-", text).split())


def outcome_type_of(outcome: str) -> str | None:
    """``desirable`` or ``undesirable`` when the outcome's name says so, else None.

    "Relapse-free survival", "Pain relief", "Time to first relapse" and "Symptom
    improvement" are desirable, "Non-response" and "Loss of independence"
    undesirable; "Recovery time" and a name whose parts disagree have none.
    """
    text = normalise(outcome)
    said = {DESIRABLE if (m[1] in ("higher", "high", "greater", "more")) == (m[2] == "better") else UNDESIRABLE
            for m in _DIRECTION.finditer(text)}
    if said:
        return said.pop() if len(said) == 1 else None
    brackets = _BRACKET.findall(text)
    if any(_BRACKET_UNSURE.search(b) for b in brackets):
        return None
    # "Return to work (days)" is a wait, not the event.
    if any(re.fullmatch(_UNITS, b.strip()) for b in brackets) and not re.match(rf"(?:time|{_UNITS})\b", text):
        return None
    return _phrase(text)


def _flip(polarity: str | None) -> str | None:
    return _OPPOSITE.get(polarity or "")


def _agree(*found: str | None, strict: bool = True) -> str | None:
    """The polarity all of ``found`` share; unknown ones spoil it when ``strict``, else are ignored."""
    known = {p for p in found if p is not None}
    if len(known) != 1 or (strict and None in found):
        return None
    return known.pop()


def _phrase(text: str) -> str | None:
    text = _QUALIFIER.sub("", text).strip()
    if not text:
        return None
    if match := _NEGATING_BEFORE.match(text):
        return _flip(_phrase(match[1]))
    if match := _FAILURE_OF.match(text):
        return _failed(match[1])
    if (match := _SHORT_OF.match(text)) and _phrase(match[1]) == DESIRABLE:
        return UNDESIRABLE
    if match := _CHANGER_BEFORE.match(text):
        changed = _changed(match[1], _phrase(match[2]))
        if changed is not None:
            return changed
    parts = [part for part in _JOINED.split(text) if part]
    if len(parts) > 1:
        return _agree(*map(_phrase, parts))
    if match := _EXCEPT.match(text):
        return _agree(_phrase(match[1]), _flip(_phrase(match[2])))
    if match := _FREE.match(text):
        rest = _phrase(match[2]) if match[2] else None
        return _agree(_flip(_phrase(match[1])), rest, strict=False)
    if match := _CHANGER_AFTER.match(text):
        changed = _changed(match[3], _phrase(match[1]))
        if changed is not None:
            return _flip(changed) if match[2] else changed
    return _plain(text)


def _failed(aim: str) -> str | None:
    """Failing at a desirable ``aim``, or at one that names no outcome ("Failure to wean"), is undesirable."""
    polarity = _phrase(aim)
    if polarity == DESIRABLE:
        return UNDESIRABLE
    if polarity is None and not _UNSURE.search(aim) and not _vocabulary(aim)[0]:
        return UNDESIRABLE
    return None


def _changed(changer: str, noun: str | None) -> str | None:
    """The polarity of ``changer`` applied to a noun of polarity ``noun``: 'relief' of pain is desirable."""
    if re.fullmatch(_GOOD, changer):
        return DESIRABLE
    if re.fullmatch(_BAD, changer):
        return UNDESIRABLE
    if re.fullmatch(_LOWERING, changer):
        return _flip(noun)
    return DESIRABLE if noun == UNDESIRABLE else None


def _plain(text: str) -> str | None:
    """The polarity of the vocabulary words in ``text`` ("non-" turns one over), if they agree and nothing else
    in it changes their meaning."""
    found, text = _vocabulary(text)
    if len(found) != 1 or _UNSURE.search(text):
        return None
    return found.pop()


@functools.cache
def _finders() -> list[tuple[re.Pattern[str], str]]:
    """A pattern for each vocabulary word (longest first, as ``_VOCABULARY``), spaces matching spaces or hyphens."""
    return [(re.compile(r"(?<![a-z])(non-)?{}s?(?![a-z])".format(r"[\s-]+".join(map(re.escape, word.split())))),
             polarity) for word, polarity in _VOCABULARY]


def _vocabulary(text: str) -> tuple[set[str], str]:
    """The polarities of the vocabulary words in ``text``, and what is left of it without them."""
    found: set[str] = set()
    for finder, polarity in _finders():
        for match in finder.finditer(text):
            text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]
            found.add(_OPPOSITE[polarity] if match[1] else polarity)
    return found, text
