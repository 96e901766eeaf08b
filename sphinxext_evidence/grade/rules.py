"""GRADE certainty of evidence: levels, effects, plain-language sentences and consistency checks.

Pure logic (no docutils), so it can be tested and reused on its own.

* Certainty levels: ``high``, ``moderate``, ``low``, ``very-low`` (``very low`` and
  ``very_low`` are accepted too).
* Effects (the direction and size of the effect on the outcome, judged against the
  comparison): ``large-benefit``, ``benefit``, ``small-benefit``, ``little-or-no``,
  ``small-harm``, ``harm``, ``large-harm``, ``uncertain``; clearer aliases such as
  ``no-difference``, ``slight-benefit`` or ``very-uncertain`` are accepted (see :data:`EFFECT_ALIASES`).
* Plain-language sentences follow the GRADE informative statements of Santesso et al.
  2020 (J Clin Epidemiol 119:126–135): "X reduces O" (high), "X probably reduces O"
  (moderate), "X may reduce O" (low), "The evidence is very uncertain about the effect
  of X on O" (very low); "results in little to no difference in O"; "reduces O
  slightly" for small effects; "results in a large reduction in O" for large ones.
  By default the outcome is undesirable (death, adverse events), so a benefit
  *reduces* it and a harm *increases* it; for a desirable outcome (``outcome_type
  ="desirable"``) a benefit *improves* it and a harm *reduces* it.
* Consistency: randomised evidence starts at high certainty, non-randomised
  (observational) evidence at low; each downgrade level moves one step down, each
  upgrade level one step up, never beyond high or very low.  The study design comes
  from an explicit ``design`` (``randomised``/``rct`` or ``observational``/``non-randomised``)
  or else from the ``studies`` text ("6 RCTs", "3 randomised trials" → randomised;
  "observational", "cohort", "case-control", "non-randomised" → observational).  When
  neither says, the certainty is not checked against the downgrades.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class Certainty(enum.IntEnum):
    """A GRADE certainty level; the value is the number of filled symbols."""

    VERY_LOW = 1
    LOW = 2
    MODERATE = 3
    HIGH = 4

    @property
    def slug(self) -> str:
        """``very-low``, ``low``, ``moderate``, ``high``."""
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        """``Very low``, ``Low``, ``Moderate``, ``High``."""
        return self.name.capitalize().replace("_", " ")

    @property
    def symbols(self) -> str:
        """GRADE symbols: ``⊕⊕⊕◯`` for moderate."""
        return FILLED * self.value + EMPTY * (4 - self.value)

    @property
    def definition(self) -> str:
        """The GRADE Working Group's definition of this level."""
        return DEFINITIONS[self]


FILLED = "\u2295"  # ⊕ CIRCLED PLUS
EMPTY = "\u25ef"  # ◯ LARGE CIRCLE

DEFINITIONS: dict[Certainty, str] = {
    Certainty.HIGH: "we are very confident that the true effect lies close to that of the estimate of the effect.",
    Certainty.MODERATE: "we are moderately confident in the effect estimate: the true effect is likely to be close "
    "to the estimate of the effect, but there is a possibility that it is substantially different.",
    Certainty.LOW: "our confidence in the effect estimate is limited: the true effect may be substantially "
    "different from the estimate of the effect.",
    Certainty.VERY_LOW: "we have very little confidence in the effect estimate: the true effect is likely to be "
    "substantially different from the estimate of effect.",
}

CERTAINTY_NAMES = ("high", "moderate", "low", "very-low")


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def parse_certainty(text: str) -> Certainty | None:
    """``"very low"`` → :attr:`Certainty.VERY_LOW`; None for anything else."""
    value = _norm(text).replace("verylow", "very-low")
    return next((c for c in Certainty if c.slug == value), None)


# --- effects ---------------------------------------------------------------------------------

EFFECTS = ("large-benefit", "benefit", "small-benefit", "little-or-no", "small-harm", "harm", "large-harm",
           "uncertain")
EFFECT_LABELS = {
    "large-benefit": "Large benefit",
    "benefit": "Benefit",
    "small-benefit": "Small benefit",
    "little-or-no": "Little or no difference",
    "small-harm": "Small harm",
    "harm": "Harm",
    "large-harm": "Large harm",
    "uncertain": "Uncertain",
}
EFFECT_ALIASES = {
    "moderate-benefit": "benefit",
    "important-benefit": "benefit",
    "slight-benefit": "small-benefit",
    "little-or-no-difference": "little-or-no",
    "little-to-no": "little-or-no",
    "little-to-no-difference": "little-or-no",
    "no-difference": "little-or-no",
    "no-effect": "little-or-no",
    "trivial": "little-or-no",
    "none": "little-or-no",
    "slight-harm": "small-harm",
    "moderate-harm": "harm",
    "important-harm": "harm",
    "very-uncertain": "uncertain",
    "unclear": "uncertain",
    "unknown": "uncertain",
}
DIRECTIONAL = {"large-benefit", "benefit", "small-benefit", "small-harm", "harm", "large-harm"}
OUTCOME_TYPES = ("undesirable", "desirable")


def parse_effect(text: str) -> str | None:
    """The canonical effect name for ``text`` (aliases accepted), or None."""
    value = _norm(text)
    value = EFFECT_ALIASES.get(value, value)
    return value if value in EFFECTS else None


def effect_label(effect: str) -> str:
    """Human label of a canonical effect name."""
    return EFFECT_LABELS.get(effect, effect)


# verb forms: (3rd person, base form, noun)
_REDUCE = ("reduces", "reduce", "reduction")
_INCREASE = ("increases", "increase", "increase")
_IMPROVE = ("improves", "improve", "improvement")
_HEDGE = {Certainty.HIGH: "", Certainty.MODERATE: "probably ", Certainty.LOW: "may "}


def _outcome_in_sentence(outcome: str) -> str:
    """Lower-case the first letter of an outcome unless it starts an acronym (``NIHSS``)."""
    outcome = outcome.strip().rstrip(".")
    if len(outcome) > 1 and outcome[0].isupper() and not outcome[1].isupper() and not outcome[1].isdigit():
        return outcome[0].lower() + outcome[1:]
    return outcome


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def plain_language(certainty: Certainty, effect: str | None, intervention: str, outcome: str,
                   outcome_type: str = "undesirable") -> str:
    """GRADE's standard plain-language sentence for ``certainty`` and ``effect`` (Santesso 2020); "" without an effect."""
    x = intervention.strip() or "the intervention"
    o = _outcome_in_sentence(outcome)
    if certainty is Certainty.VERY_LOW:
        return f"The evidence is very uncertain about the effect of {x} on {o}."
    if effect is None:
        return ""  # no effect stated: no sentence rather than one that contradicts the certainty
    if effect == "uncertain":
        return f"It is unclear whether {x} affects {o}."
    hedge = _HEDGE[certainty]
    may = certainty is Certainty.LOW
    if effect == "little-or-no":
        verb = "result" if may else "results"
        return _capitalise(f"{x} {hedge}{verb} in little to no difference in {o}.")
    benefit = effect.endswith("benefit")
    if outcome_type == "desirable":
        forms = _IMPROVE if benefit else _REDUCE
    else:
        forms = _REDUCE if benefit else _INCREASE
    if effect.startswith("large-"):
        verb = "result" if may else "results"
        return _capitalise(f"{x} {hedge}{verb} in a large {forms[2]} in {o}.")
    verb = forms[1] if may else forms[0]
    slightly = " slightly" if effect.startswith("small-") else ""
    return _capitalise(f"{x} {hedge}{verb} {o}{slightly}.")


# --- downgrades and upgrades -----------------------------------------------------------------

DOWNGRADE_DOMAINS = ("risk-of-bias", "inconsistency", "indirectness", "imprecision", "publication-bias")
UPGRADE_DOMAINS = ("large-effect", "dose-response", "confounding")
DOMAIN_LABELS = {
    "risk-of-bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication-bias": "publication bias",
    "large-effect": "a large effect",
    "dose-response": "a dose-response gradient",
    "confounding": "plausible confounding that would reduce the effect",
}
_DOMAIN_ALIASES = {
    "rob": "risk-of-bias",
    "bias": "risk-of-bias",
    "study-limitations": "risk-of-bias",
    "heterogeneity": "inconsistency",
    "reporting-bias": "publication-bias",
    "plausible-confounding": "confounding",
    "residual-confounding": "confounding",
    "dose-response-gradient": "dose-response",
    "very-large-effect": "large-effect",
}
_LEVEL_WORDS = {"serious": 1, "very-serious": 2, "one": 1, "two": 2}
# "word -1", "word: +2" at the start of a line: an entry, even with a misspelt reason.
_ENTRY_RE = re.compile(r"^[A-Za-z][\w-]*\s*:?\s*[-+][12]\b")
_LEVEL_RE = re.compile(r"^\(?\s*([-+\u2212\u2013]?)\s*([12])\s*\)?(?=$|[\s:,.)\u2014-])")


@dataclass(frozen=True)
class Rating:
    """One downgrade (negative ``levels``) or upgrade (positive) with the author's reason."""

    domain: str
    levels: int
    reason: str = ""

    @property
    def footnote(self) -> str:
        """``Downgraded one level for imprecision: wide confidence interval.``"""
        word = "Downgraded" if self.levels < 0 else "Upgraded"
        n = abs(self.levels)
        count = {1: "one level", 2: "two levels"}.get(n, f"{n} levels")
        text = f"{word} {count} for {DOMAIN_LABELS.get(self.domain, self.domain)}"
        reason = self.reason.strip()
        if reason:
            text += f": {reason}"
        return text if text.endswith((".", "!", "?")) else text + "."

    def as_tuple(self) -> tuple[str, int, str]:
        """Picklable, comparable form."""
        return (self.domain, self.levels, self.reason)


@dataclass
class RatingParse:
    """Ratings read from a ``:downgrade:`` or ``:upgrade:`` value, plus the problems found."""

    ratings: list[Rating] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _match_domain(text: str, domains: tuple[str, ...]) -> tuple[str | None, str]:
    """Find a known domain at the start of ``text``; return it and the rest."""
    # Try the longest run of leading words (up to four) that names a domain.
    tokens = re.findall(r"[A-Za-z][A-Za-z-]*|[^A-Za-z]+", text.strip())
    best: tuple[str | None, str] = (None, text)
    consumed = ""
    name_words: list[str] = []
    for token in tokens:
        consumed += token
        if not re.match(r"[A-Za-z]", token):
            if token.strip():
                break
            continue
        name_words.append(token.lower())
        candidate = _norm("-".join(name_words))
        candidate = _DOMAIN_ALIASES.get(candidate, candidate)
        if candidate in domains:
            best = (candidate, text.strip()[len(consumed):])
        if len(name_words) >= 4:
            break
    return best


def _entries(text: str, domains: tuple[str, ...]) -> list[str]:
    """Split on ``;`` and on lines; a line that does not start with a reason continues the one before."""
    entries: list[str] = []
    for part in (text or "").split(";"):
        for number, raw in enumerate(part.splitlines()):
            line = re.sub(r"^(?:[*\u2022]|-(?=\s))\s*", "", raw.strip())  # tolerate list bullets
            if not line:
                continue
            looks_like_entry = _match_domain(line, domains)[0] is not None or _ENTRY_RE.match(line)
            if number and entries and not looks_like_entry:
                entries[-1] += " " + line  # a wrapped reason
            else:
                entries.append(line)
    return entries


def parse_ratings(text: str, kind: str) -> RatingParse:
    """Parse ``"imprecision -1 wide CI; risk-of-bias -2: unblinded"`` (``kind``: downgrade/upgrade)."""
    domains = DOWNGRADE_DOMAINS if kind == "downgrade" else UPGRADE_DOMAINS
    sign = -1 if kind == "downgrade" else 1
    out = RatingParse()
    for entry in _entries(text, domains):
        domain, rest = _match_domain(entry, domains)
        if domain is None:
            head = re.split(r"[\s:,(]", entry, maxsplit=1)[0]
            out.problems.append(f"unknown {kind} reason {head!r} (allowed: {', '.join(domains)})")
            continue
        rest = rest.strip().lstrip(":,").strip()
        levels = 1
        level_word = re.match(r"^\(?(very[\s-]serious|serious|one|two)\)?(?=$|[\s:,.\u2014-])", rest, re.I)
        match = _LEVEL_RE.match(rest)
        if match:
            if match.group(1) and (match.group(1) == "+") != (sign > 0):
                out.problems.append(f"{kind} {domain!r} has level {match.group(1)}{match.group(2)}; "
                                    f"a {kind} is written {'+' if sign > 0 else '-'}1 or "
                                    f"{'+' if sign > 0 else '-'}2")
            levels = int(match.group(2))
            rest = rest[match.end():]
        elif level_word:
            levels = _LEVEL_WORDS[_norm(level_word.group(1))]
            rest = rest[level_word.end():]
        rest = re.sub(r"^[\s:,.\u2014\u2013-]+", "", rest).strip()
        if kind == "upgrade" and levels == 2 and domain != "large-effect":
            out.problems.append(f"upgrade {domain!r} is one level at most (+1); only large-effect may be +2")
            levels = 1
        out.ratings.append(Rating(domain, sign * levels, rest))
    return out


# --- study design and consistency -------------------------------------------------------------

DESIGNS = ("randomised", "observational")
_DESIGN_ALIASES = {
    "randomized": "randomised", "rct": "randomised", "rcts": "randomised", "randomised-trials": "randomised",
    "randomized-trials": "randomised", "trial": "randomised", "trials": "randomised",
    "non-randomised": "observational", "non-randomized": "observational", "nonrandomised": "observational",
    "nonrandomized": "observational", "nrs": "observational", "cohort": "observational",
    "case-control": "observational",
}
_OBSERVATIONAL_RE = re.compile(r"non-?randomi[sz]ed|observational|cohort|case[- ]control|\bNRS\b", re.I)
_RANDOMISED_RE = re.compile(r"\bRCTs?\b|randomi[sz]ed", re.I)


def parse_design(text: str) -> str | None:
    """``randomised`` or ``observational`` for an explicit ``:design:`` value, else None."""
    value = _norm(text)
    value = _DESIGN_ALIASES.get(value, value)
    return value if value in DESIGNS else None


def infer_design(studies: str) -> str | None:
    """Guess the design from ``:studies:`` text ("6 RCTs" → randomised); None when unclear."""
    if _OBSERVATIONAL_RE.search(studies or ""):
        return "observational"
    if _RANDOMISED_RE.search(studies or ""):
        return "randomised"
    return None


def starting_certainty(design: str) -> Certainty:
    """Randomised evidence starts high, observational evidence low."""
    return Certainty.HIGH if design == "randomised" else Certainty.LOW


def expected_certainty(design: str, ratings: list[Rating]) -> Certainty:
    """Start for ``design`` moved by every rating's levels, kept between very low and high."""
    level = starting_certainty(design) + sum(r.levels for r in ratings)
    return Certainty(max(Certainty.VERY_LOW, min(Certainty.HIGH, level)))


def _levels_text(n: int) -> str:
    return {1: "one level", 2: "two levels"}.get(abs(n), f"{abs(n)} levels")


def consistency_problem(certainty: Certainty, design: str | None, ratings: list[Rating]) -> str | None:
    """Why ``certainty`` does not follow from the design and ratings, or None when it does."""
    if design is None:
        return None
    expected = expected_certainty(design, ratings)
    if expected == certainty:
        return None
    start = starting_certainty(design)
    downs = -sum(r.levels for r in ratings if r.levels < 0)
    ups = sum(r.levels for r in ratings if r.levels > 0)
    moves = []
    if downs:
        moves.append(f"downgraded {_levels_text(downs)}")
    if ups:
        moves.append(f"upgraded {_levels_text(ups)}")
    moved = " and ".join(moves) or "not downgraded or upgraded"
    return (f"stated certainty is {certainty.label.lower()}, but {design} evidence starts at "
            f"{start.label.lower()} and is {moved}, which gives {expected.label.lower()}; "
            "fix :certainty: or the :downgrade:/:upgrade: list")


def effect_problem(certainty: Certainty, effect: str | None) -> str | None:
    """Why ``effect`` does not fit ``certainty`` (a direction claimed on very-low evidence), or None."""
    if effect is None:
        return None
    if certainty is Certainty.VERY_LOW and effect in DIRECTIONAL:
        return (f"effect '{effect}' claims a direction, but the certainty is very low, so GRADE says only "
                "that the evidence is very uncertain; use ':effect: uncertain' or revisit the certainty")
    if certainty is not Certainty.VERY_LOW and effect == "uncertain":
        return (f"effect 'uncertain' is GRADE's wording for very low certainty, but the certainty is "
                f"{certainty.label.lower()}; state the direction and size of the effect")
    return None
