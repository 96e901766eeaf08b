"""Anticipated absolute effects per 1,000 (or more, for rare events) for a GRADE summary-of-findings table.

Pure logic (standard library only), following the Cochrane Handbook chapter 14 (section
14.1.5) and GRADEpro: an assumed comparator risk (ACR) and a ratio measure with its
confidence interval give the risk with the intervention and the risk difference, both
per 1,000 people.

* RR: risk = ACR × RR.
* OR: risk = OR × ACR / (1 − ACR + OR × ACR), through the comparator odds.
* HR: risk = 1 − (1 − ACR) ** HR, with ACR the proportion with the event at the time point.

Numbers are rounded half away from zero to whole numbers per 1,000 (per 10,000 or
100,000 when per 1,000 rounds the interval to one number); the difference and its
interval come from the unrounded risks, so they can differ by one from the
difference of the rounded risks, as in GRADEpro.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MEASURES = ("RR", "OR", "HR")
RAREST = 100_000  # the most people GRADEpro counts per


@dataclass(frozen=True)
class Baseline:
    """An assumed comparator risk, in events per 1,000, with an optional population label."""

    per_1000: float
    label: str = ""


@dataclass(frozen=True)
class AbsoluteEffect:
    """Risk with the comparator and with the intervention, and their difference, per 1,000."""

    baseline: int
    risk: int
    risk_low: int
    risk_high: int
    difference: int
    difference_low: int
    difference_high: int
    label: str = ""
    # Sign of the unrounded difference (-1, 0 or 1): says "0 fewer" from "0 more" when it rounds to 0.
    direction: int = 0
    # The same for the interval's ends (0: no effect at all, worded like the estimate).
    low_direction: int = 0
    high_direction: int = 0
    # People the numbers are counted per: 1,000, or 10,000 or 100,000 when per 1,000 rounds the interval away.
    per: int = 1000


# --- parsing the baseline risk ---------------------------------------------------------------

# A number with optional thousands groups ("1,000", "10 000"); a leading minus only so that a
# negative risk is reported as out of range rather than unreadable.
_NUM = r"-?(?:\d{1,3}(?:[,\s\u00a0\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_RATE = re.compile(rf"({_NUM})\s*per\s*({_NUM})", re.I)
_COUNT = re.compile(rf"({_NUM})\s*(?:/|of|events?\s+in)\s*({_NUM})", re.I)
_PERCENT = re.compile(rf"({_NUM})\s*%")
_PROPORTION = re.compile(_NUM)
_FORMS = "'200 per 1,000', '20%', '0.2' or '45/300'"
_OUT_OF_RANGE = "the risk must be above 0 and below 1,000 per 1,000"


def _number(text: str) -> float:
    return float(re.sub(r"[,\s\u00a0\u202f]", "", text))


def _risk(value: str) -> float | str:
    """The risk per 1,000 written in ``value``, or why it cannot be read."""
    if match := _RATE.fullmatch(value):
        events, per = _number(match[1]), _number(match[2])
        if per <= 0:
            return "the 'per' number must be above 0"
        return events * 1000 / per
    if match := _COUNT.fullmatch(value):
        events, total = _number(match[1]), _number(match[2])
        if total <= 0:
            return "the total must be above 0"
        if events > total:
            return (f"more events ({match[1]}) than people ({match[2]}); write the events first, then everyone "
                    f"in the comparison group, as in '{match[2]}/{match[1]}' if they were swapped")
        return events * 1000 / total
    if match := _PERCENT.fullmatch(value):
        return _number(match[1]) * 10
    if _PROPORTION.fullmatch(value):
        proportion = _number(value)
        if 0 < proportion < 1:
            return proportion * 1000
        hint = f"; for a rate write '{value} per 1,000'" if proportion > 1 else ""
        return f"a proportion must be between 0 and 1 (exclusive){hint}"
    return f"not a risk; write it as {_FORMS}"


def parse_baseline(text: str) -> tuple[list[Baseline], list[str]]:
    """Parse a :baseline-risk: value into baselines and problems (human-readable messages)."""
    baselines: list[Baseline] = []
    problems: list[str] = []
    pieces = [" ".join(p.split()) for p in re.split(r"[;\n]", text) if p.strip()]
    if not pieces:
        return [], [f"no baseline risk given; write it as {_FORMS}"]
    for piece in pieces:
        label, _, value = piece.rpartition(":")
        risk = _risk(value.strip())
        if isinstance(risk, float) and not 0 < risk < 1000:
            risk = f"{_OUT_OF_RANGE}, not {risk:,g}"
        if isinstance(risk, str):
            problems.append(f"baseline risk '{piece}': {risk}")
        else:
            baselines.append(Baseline(risk, label.strip()))
    return baselines, problems


# --- absolute effects ------------------------------------------------------------------------

def round_half_away(value: float) -> int:
    """Round to a whole number, halves away from zero (12.5 → 13, −12.5 → −13)."""
    # Rounding to 9 places first drops float noise, so 12.499999999999998 counts as the half it is.
    return int(Decimal(repr(round(value, 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def risk_per_1000(measure: str, ratio: float, per_1000: float) -> float:
    """The unrounded risk with the intervention per 1,000 for one ratio, clamped to 0–1,000."""
    if not (math.isfinite(ratio) and ratio > 0):
        raise ValueError(f"a ratio must be a positive number, not {ratio!r}")
    acr = per_1000 / 1000
    kind = measure.strip().upper()
    if kind == "RR":
        risk = per_1000 * ratio
        if risk > 1000:
            raise ValueError(ratio_problem(kind, ratio, per_1000))
    elif kind == "OR":
        risk = 1000 * ratio * acr / (1 - acr + ratio * acr)
    elif kind == "HR":
        risk = 1000 * (1 - (1 - acr) ** ratio)
    else:
        raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
    return min(max(risk, 0.0), 1000.0)


def ratio_problem(measure: str, highest: float, per_1000: float) -> str | None:
    """Why a risk ratio cannot be applied to ``per_1000`` (the risk would pass 1,000 per 1,000), or None."""
    if measure.strip().upper() != "RR" or per_1000 * highest <= 1000:
        return None
    return (f"a risk ratio of {highest:g} applied to {per_1000:,.4g} per 1,000 gives more than 1,000 per 1,000, "
            "so it cannot be applied to so high a risk (Cochrane Handbook 6.4.1.2)")


def absolute_effect(measure: str, estimate: float, low: float, high: float, baseline: Baseline) -> AbsoluteEffect:
    """Anticipated absolute effect per 1,000 for a ratio measure ("RR", "OR" or "HR") with its CI."""
    per_1000 = baseline.per_1000
    if not (math.isfinite(per_1000) and 0 < per_1000 < 1000):
        raise ValueError(f"a baseline risk must be above 0 and below 1,000 per 1,000, not {per_1000!r}")
    point, bound_a, bound_b = (risk_per_1000(measure, r, per_1000) for r in (estimate, low, high))
    risk_low, risk_high = sorted((bound_a, bound_b))
    scale = 1
    # GRADEpro counts rare events per 10,000 or 100,000: an interval per 1,000 that rounds to one number
    # ("1 per 1,000 (1 to 1)", "0 fewer (0 fewer to 0 fewer)") hides the effect.
    while scale < RAREST // 1000 and risk_low != risk_high and (
            round_half_away(risk_low * scale) == round_half_away(risk_high * scale)
            or round_half_away((risk_low - per_1000) * scale) == round_half_away((risk_high - per_1000) * scale)):
        scale *= 10

    def count(value: float) -> int:
        return round_half_away(value * scale)

    def sign(value: float) -> int:
        return (value > 0) - (value < 0)

    return AbsoluteEffect(
        baseline=count(per_1000),
        risk=count(point),
        risk_low=count(risk_low),
        risk_high=count(risk_high),
        difference=count(point - per_1000),
        difference_low=count(risk_low - per_1000),
        difference_high=count(risk_high - per_1000),
        label=baseline.label,
        direction=sign(point - per_1000),
        low_direction=sign(round(risk_low - per_1000, 9)),
        high_direction=sign(round(risk_high - per_1000, 9)),
        per=1000 * scale,
    )


def ratio_from_rrr(rrr_percent: float) -> float:
    """A relative risk reduction in percent as a risk ratio: RRR 25 → RR 0.75."""
    if not (math.isfinite(rrr_percent) and rrr_percent < 100):
        raise ValueError(f"a relative risk reduction must be below 100%, not {rrr_percent!r}")
    return (100 - rrr_percent) / 100


# --- wording ---------------------------------------------------------------------------------

def describe_risk(effect: AbsoluteEffect, events: str = "") -> str:
    """The risk with the intervention and its CI: '150 per 1,000 (120 to 180)'; ``events`` names what is counted."""
    counted = f" {events}" if events else ""
    return f"{effect.risk:,}{counted} per {effect.per:,} ({effect.risk_low:,} to {effect.risk_high:,})"


def describe_difference(effect: AbsoluteEffect, events: str = "") -> str:
    """The risk difference and its CI in GRADEpro's words: '10 fewer per 1,000 (30 fewer to 15 more)'."""
    decrease = effect.difference < 0 or (effect.difference == 0 and effect.direction < 0)

    def words(value: int, direction: int = 0) -> str:
        # A value that rounds to 0 keeps the word of its own sign; exactly no difference, the estimate's.
        down = value < 0 or (value == 0 and (direction < 0 or (direction == 0 and decrease)))
        if value == 0 and direction and effect.per == RAREST:
            return f"less than 1 {'fewer' if down else 'more'}"  # even per 100,000 rounds it away
        return f"{abs(value):,} {'fewer' if down else 'more'}"

    counted = f" {events}" if events else ""
    return (f"{words(effect.difference, effect.direction)}{counted} per {effect.per:,} "
            f"({words(effect.difference_low, effect.low_direction)} to "
            f"{words(effect.difference_high, effect.high_direction)})")
