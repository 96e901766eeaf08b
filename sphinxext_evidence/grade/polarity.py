"""Which way an outcome counts as good, read from its name; when unsure, no polarity (the author is asked).

The name is read as a phrase, from the outside in: "Time to <phrase>", "Freedom
from <phrase>", "Loss of <phrase>" and "<phrase>-free" take the opposite of the
polarity of the whole phrase; words that change what a noun means ("Pain
relief", "Improvement in symptoms", "Fracture union") are applied to the
polarity of the noun they govern; only a plain phrase is read from the
vocabulary.  Any meaning-changing word left over makes the polarity unknown.
"""

from __future__ import annotations

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
    "functional independence", "return to work", "abstinence", "cessation", "quit rate", "live birth",
)
_VOCABULARY = sorted([(w, UNDESIRABLE) for w in UNDESIRABLE_WORDS] + [(w, DESIRABLE) for w in DESIRABLE_WORDS],
                     key=lambda item: -len(item[0]))
_OPPOSITE = {DESIRABLE: UNDESIRABLE, UNDESIRABLE: DESIRABLE}

# Words that change what the noun they govern means, by what they do to it.
_GOOD = r"improvement|success|treatment\s+success|successful(?:\s+treatment)?"  # desirable whatever the noun
_BAD = r"worsening|deterioration"  # undesirable whatever the noun
_ENDING = (r"relief|resolution|clearance|disappearance|remission|cure|control|healing|recovery|eradication|union|"
           r"elimination")  # the end of an undesirable noun is desirable; of anything else, unclear
_LOWERING = r"reduction|decrease|decline|prevention|avoidance|fall|drop"  # the opposite of the noun
_CHANGER = rf"{_GOOD}|{_BAD}|{_ENDING}|{_LOWERING}"
_CHANGER_BEFORE = re.compile(rf"^({_CHANGER})\s+(?:of|in|from|for)\s+(.+)$")
_CHANGER_AFTER = re.compile(rf"^(.+?)[\s-]+({_CHANGER})s?$")
# "Time to <phrase>", "Freedom from <phrase>": the opposite of the whole phrase, however many words it has.
_NEGATING_BEFORE = re.compile(r"^(?:time\s+(?:to|until)|freedom\s+from|free\s+(?:of|from)|absence\s+of|lack\s+of|"
                              r"loss\s+of|prevention\s+of|avoidance\s+of|without|no|not|never)\s+(.+)$")
_EXCEPT = re.compile(r"^(.+?)\s+(?:free\s+(?:of|from)|without)\s+(.+)$")  # "Survival free of stroke"
_FREE = re.compile(r"^(.+?)(?:-|\s+)free\b\s*(.*)$")  # "Pain-free", "Progression-free survival"
_QUALIFIER = re.compile(r"\s*\([^)]*\)|\s+(?:at|by|within|after|during|over|up\s+to)\s+.*$")
_JOINED = re.compile(r"\s+(?:and/or|and|or)\s+|\s*[,;]\s*")
# Left over after the vocabulary, these change what a name means in ways not read here: ask.
_UNSURE = re.compile(rf"\b(?:{_CHANGER}|improv\w*|control\w*|reliev\w*|resol\w*|clear\w*|disappear\w*|success\w*|"
                     r"reduc\w*|decreas\w*|worsen\w*|deteriorat\w*|free\w*|without|loss|lack|absen\w*|prevent\w*|"
                     r"avoid\w*|time|times|duration|length|change\w*|no|not|never|cured|healed|recovered)\b")
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
    return _phrase(normalise(outcome))


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
    if match := _CHANGER_BEFORE.match(text):
        return _changed(match[1], _phrase(match[2]))
    parts = [part for part in _JOINED.split(text) if part]
    if len(parts) > 1:
        return _agree(*map(_phrase, parts))
    if match := _EXCEPT.match(text):
        return _agree(_phrase(match[1]), _flip(_phrase(match[2])))
    if match := _FREE.match(text):
        rest = _phrase(match[2]) if match[2] else None
        return _agree(_flip(_phrase(match[1])), rest, strict=False)
    if match := _CHANGER_AFTER.match(text):
        changed = _changed(match[2], _phrase(match[1]))
        if changed is not None:
            return changed
    return _plain(text)


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
    found: set[str] = set()
    for word, polarity in _VOCABULARY:
        pattern = r"[\s-]+".join(map(re.escape, word.split()))
        for match in re.finditer(rf"(?<![a-z])(non-)?{pattern}s?(?![a-z])", text):
            text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]
            found.add(_OPPOSITE[polarity] if match[1] else polarity)
    if len(found) != 1 or _UNSURE.search(text):
        return None
    return found.pop()
