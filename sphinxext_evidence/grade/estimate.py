"""Effect estimates as authors write them in ``:relative:``, and what they say about direction.

Ratio measures (RR, OR, HR; RRR is read as the risk ratio it implies) have no
effect at 1; differences (MD, SMD) at 0.  An estimate below no effect means
fewer events or a lower value of the outcome, above it more or higher.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sphinxext_evidence.grade.absolute import ratio_from_rrr

#: Names authors use -> the measure's abbreviation.
MEASURES = {
    "rr": "RR", "risk ratio": "RR", "relative risk": "RR",
    "or": "OR", "odds ratio": "OR",
    "hr": "HR", "hazard ratio": "HR",
    "rrr": "RRR", "relative risk reduction": "RRR",
    "md": "MD", "mean difference": "MD",
    "smd": "SMD", "standardised mean difference": "SMD", "standardized mean difference": "SMD",
}
RATIOS = ("RR", "OR", "HR")
# "1,234" and "12,500.5" are one number; "0.60,0.90" and "100,200" (no other separator) are two.
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_NUMBER = rf"[-+\u2212]?{_DIGITS}"
_NAME_RE = re.compile(r"^\s*(%s)\b\s*[:=]?\s*" % "|".join(sorted(map(re.escape, MEASURES), key=len, reverse=True)),
                      re.IGNORECASE)
_VALUE_RE = re.compile(rf"^({_NUMBER})\s*(%?)")
_CI_RE = re.compile(
    rf"(?:95\s*%\s*CI\s*[:,]?\s*)?({_NUMBER})\s*%?\s*(?:to|\u2013|\u2014|,|;|-(?=\s*[-+\u2212]?\d))\s*({_NUMBER})\s*%?",
    re.IGNORECASE)
# A dash that does not follow a number is a minus sign: "MD –3.2 (–5.1 to –1.3)" written with en dashes.
_MINUS_RE = re.compile(r"(?<![\d%\s])(\s*)[\u2010-\u2014](?=\d)")
# GRADEpro's words for the sign of a difference: "MD 3.2 points lower (5.1 lower to 1.3 lower)".
_SIGN_WORDS = {"lower": -1, "less": -1, "fewer": -1, "smaller": -1, "shorter": -1, "reduction": -1,
               "decrease": -1, "decreased": -1, "higher": 1, "more": 1, "greater": 1, "larger": 1, "longer": 1,
               "increase": 1, "increased": 1}
_SIGN = "|".join(_SIGN_WORDS)
# A unit between the number and its word, glued or spaced: "0.5% lower", "2.1 kg less", "3.2 points lower".
_UNIT = r"(?:\s*%)?(?:\s*(?!to\b)[^\W\d][^\s(),;]*?){0,2}?"
_WORDED_RE = re.compile(rf"({_NUMBER})({_UNIT})\s*\b({_SIGN})\b", re.IGNORECASE)
# GRADEpro shortens "(5 lower to 15 lower)" to "(5 to 15 lower)": a word only after the last bound, when the
# first has neither a word nor a sign, applies to both.
_SHORT_CI_RE = re.compile(rf"\(\s*({_DIGITS})((?:\s*%)?(?:\s+(?!to\b|(?:{_SIGN})\b)[^\W\d][^\s(),;]*)?)"
                          rf"(\s*(?:to|\u2013|\u2014|-)\s*)([-+\u2212]?{_DIGITS}{_UNIT})\s*\b({_SIGN})\s*\)",
                          re.IGNORECASE)
_AFTER_BRACKETS_RE = re.compile(rf"\)[^()]*?\b({_SIGN})\b", re.IGNORECASE)
# Words that judge a difference rather than sign it: the sign cannot be read from them.
_JUDGING_RE = re.compile(r"\b(?:better|worse|improve\w*|deteriorat\w*|benefit\w*|harm\w*)\b", re.IGNORECASE)


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", ""))


def _signed_words(text: str, measure: str) -> tuple[str, str | None]:
    """``3.2 points lower (5.1 lower to 1.3 lower)`` → ``-3.2 points (-5.1 to -1.3)``, or what cannot be read."""
    after = _AFTER_BRACKETS_RE.search(text)
    if after:
        return text, (f"the word {after[1]!r} after the brackets does not say which numbers it signs; write it "
                      f"after each number, as in '{measure} 5 points {after[1]} (2 {after[1]} to 8 {after[1]})', "
                      f"or give the signs, as in '{measure} -5 points (-8 to -2)'")
    text = _SHORT_CI_RE.sub(lambda m: f"({m[1]}{m[2]} {m[5]}{m[3]}{m[4]} {m[5]})", text)
    bracket = text.find("(")
    problem = None

    def sign(match: re.Match[str]) -> str:
        nonlocal problem
        number, unit, word = match.group(1), match.group(2), match.group(3)
        if number[0] in "-+\u2212":
            problem = f"{number} {word} has both a sign and a word for it; write one of them"
        negative = _SIGN_WORDS[word.lower()] < 0
        # Inside the brackets the unit is the estimate's, said again: the bounds are read as bare numbers.
        kept = "" if 0 <= bracket < match.start() else unit.rstrip()
        return ("-" if negative else "") + number.lstrip("+") + kept

    return _WORDED_RE.sub(sign, text), problem


@dataclass(frozen=True)
class Estimate:
    """A relative effect with its confidence interval; RRR is stored as the risk ratio it implies."""

    measure: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""
    written: str = ""

    @property
    def is_ratio(self) -> bool:
        """True for RR, OR and HR (no effect at 1)."""
        return self.measure in RATIOS

    @property
    def null(self) -> float:
        """The value meaning no effect."""
        return 1.0 if self.is_ratio else 0.0

    @property
    def direction(self) -> int:
        """-1 when the outcome goes down (fewer events, lower values), +1 when it goes up, 0 at no effect."""
        return (self.value > self.null) - (self.value < self.null)

    @property
    def crosses_null(self) -> bool | None:
        """Whether the CI includes no effect (None when no CI was given)."""
        if self.low is None or self.high is None:
            return None
        return self.low <= self.null <= self.high

    @property
    def near_null(self) -> bool:
        """True when the estimate itself is within a trivial distance of no effect (ratio 0.9–1.11, SMD ±0.1)."""
        if self.is_ratio:
            return abs(math.log(self.value)) < math.log(1 / 0.9)
        return self.measure == "SMD" and abs(self.value) < 0.1


def parse_estimate(text: str) -> tuple[Estimate | None, str | None]:
    """Read ``RR 0.96 (0.65 to 1.41)`` and its variants; return the estimate or what is wrong."""
    written = " ".join(text.split())
    name = _NAME_RE.match(written)
    if not name:
        return None, (f"{written!r} does not start with a measure (RR, OR, HR, RRR, MD or SMD), "
                      "as in 'RR 0.96 (0.65 to 1.41)'")
    measure = MEASURES[name.group(1).lower()]
    rest = _MINUS_RE.sub(r"\1-", written[name.end():])
    if measure in ("MD", "SMD"):
        rest, problem = _signed_words(rest, measure)
        if problem:
            return None, f"{written!r}: {problem}"
        if _JUDGING_RE.search(rest):
            return None, (f"{written!r}: 'better' or 'worse' says whether a difference helps, not whether the "
                          f"outcome goes up or down; give the sign, as in '{measure} -3.2 (-5.1 to -1.3)'")
    value_match = _VALUE_RE.match(rest)
    if not value_match:
        return None, (f"{written!r} has no number after {measure}; write the estimate and its interval after the "
                      f"measure, as in '{measure} 0.80 (0.70 to 0.91)'")
    value = _number(value_match.group(1))
    after = rest[value_match.end():]
    ci = _CI_RE.search(after)
    low = high = None
    unit = ""
    if ci:
        low, high = sorted((_number(ci.group(1)), _number(ci.group(2))))
        unit = after[:ci.start()].strip(" ([,;")
    else:
        unit = after.strip(" ([,;)")
    if measure == "RRR":
        # A relative risk reduction of 25% is a risk ratio of 0.75 (its CI flips).
        if value >= 100 or (high is not None and high >= 100):
            return None, (f"{written!r}: a relative risk reduction is below 100%; give it in percent, as in "
                      "'RRR 25% (10% to 40%)'")
        if "%" not in written and abs(value) < 1 and (high is None or abs(high) < 1):
            return None, (f"{written!r}: a relative risk reduction is read in percent, so {value:g} would be "
                          f"{value:g}%; if it is a fraction, write it in percent, as in 'RRR 25% (10% to 40%)'")
        value = ratio_from_rrr(value)
        if low is not None and high is not None:
            low, high = sorted((ratio_from_rrr(high), ratio_from_rrr(low)))
        measure = "RR"
    if measure in RATIOS and (value <= 0 or (low is not None and low <= 0)):
        return None, (f"{written!r}: a ratio is greater than 0; check the numbers, or give a difference as MD "
                      "or SMD")
    if low is not None and high is not None and not low <= value <= high:
        return None, (f"{written!r}: the estimate lies outside its confidence interval; check the numbers, and write "
                      "the estimate first and its interval in brackets, as in 'RR 0.80 (0.70 to 0.91)'")
    return Estimate(measure, value, low, high, unit if measure in ("MD",) else "", written), None
