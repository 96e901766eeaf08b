"""GRADE certainty ratings: downgrades, upgrades, the study design's starting level and consistency.

Randomised evidence starts at high certainty, non-randomised evidence at low
(or at high when its risk of bias was assessed with ROBINS-I); each downgrade
moves one or two levels down, each upgrade one or two up, never beyond high
or very low.  The design comes from ``:design:`` or else from the
``:studies:`` text; a mix of randomised and non-randomised studies is named
and left for the author to resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sphinxext_evidence.grade.levels import DIRECTIONAL, Certainty
from sphinxext_evidence.grade.levels import norm as _norm


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
_ENTRY_RE = re.compile(r"^[A-Za-z][\w-]*\s*:?\s*[-+\u2212]\d\b")
_LEVEL_RE = re.compile(r"^\(?\s*([-+\u2212\u2013]?)\s*(\d+(?:[.,]\d+)?)\s*\)?(?=$|[\s:,.)\u2014-])")
# "serious", "very serious" and anything else said of "serious" ("extremely serious", "not serious"), or a count.
_LEVEL_WORD_RE = re.compile(r"^\(?((?:[a-z]+[\s-]+)?serious|one|two|three|four|zero|none)\)?(?=$|[\s:,.\u2014-])",
                            re.I)


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
        level_word = _LEVEL_WORD_RE.match(rest)
        match = _LEVEL_RE.match(rest)
        written = match.group(1) + match.group(2) if match else level_word.group(1) if level_word else ""
        if match:
            if match.group(1) and (match.group(1) == "+") != (sign > 0):
                out.problems.append(f"{kind} {domain!r} has level {written}; "
                                    f"a {kind} is written {'+' if sign > 0 else '-'}1 or "
                                    f"{'+' if sign > 0 else '-'}2")
            levels = int(match.group(2)) if match.group(2).isdigit() else 0
            rest = rest[match.end():]
        elif level_word:
            levels = _LEVEL_WORDS.get(_norm(level_word.group(1)), 0)
            rest = rest[level_word.end():]
        if levels not in (1, 2):
            shown = written if match else repr(written)
            hint = "; 'not serious' means no downgrade, so leave the entry out" if _norm(written) == "not-serious" \
                else ""
            out.problems.append(f"{kind} {domain!r} has level {shown}; GRADE moves one or two levels per reason "
                                f"({'+' if sign > 0 else '-'}1 or {'+' if sign > 0 else '-'}2, 'serious' or "
                                f"'very serious'), so this {kind} is not counted{hint}")
            continue
        rest = re.sub(r"^[\s:,.\u2014\u2013-]+", "", rest).strip()
        if kind == "upgrade" and levels == 2 and domain != "large-effect":
            out.problems.append(f"upgrade {domain!r} is one level at most (+1); only large-effect may be +2")
            levels = 1
        out.ratings.append(Rating(domain, sign * levels, rest))
    return out


# --- study design and consistency -------------------------------------------------------------

RANDOMISED, NON_RANDOMISED, ROBINS_I, MIXED = "randomised", "non-randomised", "non-randomised-robins-i", "mixed"
DESIGNS = (RANDOMISED, NON_RANDOMISED, ROBINS_I)
DESIGN_LABELS = {RANDOMISED: "randomised", NON_RANDOMISED: "non-randomised",
                 ROBINS_I: "non-randomised (assessed with ROBINS-I)", MIXED: "a mix of randomised and non-randomised"}
_DESIGN_ALIASES = {
    "randomized": RANDOMISED, "rct": RANDOMISED, "rcts": RANDOMISED, "randomised-trials": RANDOMISED,
    "randomized-trials": RANDOMISED, "non-randomized": NON_RANDOMISED, "nonrandomised": NON_RANDOMISED,
    "nonrandomized": NON_RANDOMISED, "nrs": NON_RANDOMISED, "observational": NON_RANDOMISED,
    "cohort": NON_RANDOMISED, "case-control": NON_RANDOMISED, "quasi-randomised": NON_RANDOMISED,
    "quasi-randomized": NON_RANDOMISED, "interrupted-time-series": NON_RANDOMISED, "its": NON_RANDOMISED,
}
# Quasi-randomised trials (allocation by date of birth, alternation) are non-randomised studies.
_NON_RANDOMISED_RE = re.compile(
    r"(?:quasi|pseudo|non|not)[- ]?(?:randomi[sz]ed|RCTs?\b)|observational|cohort|case[- ]control|\bNRSI?\b|"
    r"interrupted time[- ]series|\bITS\b|before[- ]and[- ]after|controlled before|case series|registry|"
    r"quasi[- ]experimental|cross[- ]sectional|single[- ]arm|uncontrolled", re.I)
_RANDOMISED_RE = re.compile(r"\bRCTs?\b|randomi[sz]ed", re.I)
# Every dash and hyphen (U+2010 to U+2015, minus, soft hyphen) counts as "-": "non‑randomised" with U+2011.
_DASHES_RE = re.compile("[\u2010-\u2015\u2212\u00ad]")


def _plain_dashes(text: str) -> str:
    return _DASHES_RE.sub("-", text or "")


def parse_design(text: str) -> str | None:
    """The design of an explicit ``:design:`` value, or None when it is not one.

    ROBINS-I named anywhere in the value marks non-randomised evidence whose risk
    of bias was assessed with ROBINS-I, which starts at high certainty.
    """
    text = _plain_dashes(text)
    if re.search(r"robins[- ]?i\b", text, re.I):
        return ROBINS_I
    value = _norm(re.sub(r"\(.*?\)", "", text))
    if _NON_RANDOMISED_RE.fullmatch(value.replace("-", " ")) or _NON_RANDOMISED_RE.fullmatch(value):
        return NON_RANDOMISED
    value = _DESIGN_ALIASES.get(value, value)
    if value in DESIGNS:
        return value
    # Whatever :studies: accepts: "observational studies", "randomised controlled trials", "prospective cohort".
    inferred = infer_design(text)
    return inferred if inferred in DESIGNS else None


def infer_design(studies: str) -> str | None:
    """Read the design from ``:studies:`` ("6 RCTs" → randomised); ``mixed`` for both kinds; None when unclear."""
    studies = _plain_dashes(studies)
    non_randomised = bool(_NON_RANDOMISED_RE.search(studies))
    randomised = bool(_RANDOMISED_RE.search(_NON_RANDOMISED_RE.sub(" ", studies)))
    if randomised and non_randomised:
        return MIXED
    return RANDOMISED if randomised else NON_RANDOMISED if non_randomised else None


def starting_certainty(design: str) -> Certainty:
    """Randomised evidence (and non-randomised assessed with ROBINS-I) starts high, other non-randomised low."""
    return Certainty.HIGH if design in (RANDOMISED, ROBINS_I) else Certainty.LOW


def expected_certainty(design: str, ratings: list[Rating]) -> Certainty:
    """Start for ``design`` moved by every rating's levels, kept between very low and high."""
    level = starting_certainty(design) + sum(r.levels for r in ratings)
    return Certainty(max(Certainty.VERY_LOW, min(Certainty.HIGH, level)))


def _levels_text(n: int) -> str:
    return {1: "one level", 2: "two levels"}.get(abs(n), f"{abs(n)} levels")


def consistency_problem(certainty: Certainty, design: str | None, ratings: list[Rating]) -> str | None:
    """Why ``certainty`` does not follow from the design and ratings, or None when it does."""
    if design is None or design == MIXED:
        return None
    expected = expected_certainty(design, ratings)
    if expected == certainty:
        return None
    start = starting_certainty(design)
    downs = -sum(r.levels for r in ratings if r.levels < 0)
    ups = sum(r.levels for r in ratings if r.levels > 0)
    what = f"{DESIGN_LABELS[design]} evidence starts at {start.label.lower()}"
    if certainty < start and not downs:
        return (f"stated certainty is {certainty.label.lower()}, but {what} and no downgrade is given; "
                "say why in :downgrade: (for example 'imprecision -1 wide confidence interval')")
    if certainty > start and not ups:
        return (f"stated certainty is {certainty.label.lower()}, but {what} and no upgrade is given; "
                "say why in :upgrade: (large-effect, dose-response or confounding)")
    moves = []
    if downs:
        moves.append(f"downgraded {_levels_text(downs)}")
    if ups:
        moves.append(f"upgraded {_levels_text(ups)}")
    moved = " and ".join(moves) or "not downgraded or upgraded"
    return (f"stated certainty is {certainty.label.lower()}, but {what} and is {moved}, which gives "
            f"{expected.label.lower()}; fix :certainty: or the :downgrade:/:upgrade: list")


def unexplained(ratings: list[Rating]) -> list[str]:
    """One message per downgrade or upgrade given without a reason."""
    return [f"{'downgrade' if r.levels < 0 else 'upgrade'} for {DOMAIN_LABELS.get(r.domain, r.domain)} has no "
            f"reason; say why after the level, as in '{r.domain} {r.levels:+d} <reason>'"
            for r in ratings if not r.reason.strip()]


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
