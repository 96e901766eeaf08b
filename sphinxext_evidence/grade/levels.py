"""GRADE certainty levels, their symbols and definitions, and the effect vocabulary authors use.

Effects describe the direction and size of the effect on the outcome, judged
against the comparison: ``large-benefit``, ``benefit``, ``small-benefit``,
``little-or-no``, ``small-harm``, ``harm``, ``large-harm``, ``uncertain``;
clearer aliases such as ``no-difference`` or ``slight-benefit`` are accepted
(:data:`EFFECT_ALIASES`).
"""

from __future__ import annotations

import enum
import re


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
        """GRADE symbols: ``⊕⊕⊕⊝`` for moderate."""
        return FILLED * self.value + EMPTY * (4 - self.value)

    @property
    def definition(self) -> str:
        """The GRADE Working Group's definition of this level."""
        return DEFINITIONS[self]


# A matched pair from one Unicode block: fonts draw both at the same size (a large circle next to a
# circled plus looks like a different level of emphasis, not a different level of certainty).
FILLED = "\u2295"  # ⊕ CIRCLED PLUS
EMPTY = "\u229d"  # ⊝ CIRCLED DASH

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


def norm(text: str) -> str:
    """Lower-case, with spaces and underscores as hyphens."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def parse_certainty(text: str) -> Certainty | None:
    """``"very low"`` → :attr:`Certainty.VERY_LOW`; None for anything else."""
    value = norm(text).replace("verylow", "very-low")
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
    value = norm(text)
    value = EFFECT_ALIASES.get(value, value)
    return value if value in EFFECTS else None


def effect_label(effect: str) -> str:
    """Human label of a canonical effect name."""
    return EFFECT_LABELS.get(effect, effect)


def effect_size(effect: str) -> str:
    """``large``, ``moderate``, ``small`` or ``trivial`` (little or no difference); '' for ``uncertain``."""
    if effect == "little-or-no":
        return "trivial"
    if effect in DIRECTIONAL:
        return effect.split("-")[0] if "-" in effect else "moderate"
    return ""


def effect_benefits(effect: str) -> bool | None:
    """True for a benefit, False for a harm, None when the effect has no direction."""
    if effect not in DIRECTIONAL:
        return None
    return effect.endswith("benefit")


def make_effect(benefit: bool, size: str = "moderate") -> str:
    """The effect name for a direction and size: ``(True, "small")`` → ``small-benefit``."""
    word = "benefit" if benefit else "harm"
    return word if size == "moderate" else f"{size}-{word}"
