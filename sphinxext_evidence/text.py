"""Small text helpers shared by every feature."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, default: str = "") -> str:
    """``"Randomized Controlled Trial"`` → ``randomized-controlled-trial`` (ids and CSS classes)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or default


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces, NFC-normalised, stripped."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()
