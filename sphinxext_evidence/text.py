"""Small text helpers shared by every feature."""

from __future__ import annotations

import math
import re
import unicodedata


def slug(text: str, default: str = "") -> str:
    """``"Randomized Controlled Trial"`` → ``randomized-controlled-trial`` (ids and CSS classes)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or default


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces, NFC-normalised, stripped."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()


# Terminal escape sequences: CSI (ESC [, parameters, final byte), terminated string sequences
# such as OSC hyperlinks (ESC ] … BEL or ST) and two-character escapes (ESC c …).  8-bit C1
# forms are not parsed: the C1 character alone is removed, as mojibake text often holds one.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# Line breaks and tabs become spaces; every other C0/C1 control, DEL, lone surrogates (which
# cannot be written as UTF-8) and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069: they reorder the text around them, as in "Trojan Source") are removed.
_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Any character one of the substitutions below could touch; most text holds none, and one search is cheap.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\xf4\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# UTF-8 read as Latin-1 ("D\xe2\x80\x99Adamo" for "D’Adamo"): a run holding a C1 character
# cannot be real text, so it is decoded back rather than losing the character.
_MOJIBAKE = re.compile(r"[\xc2-\xf4][\x80-\xbf]{1,3}")


def _unmojibake(match: re.Match[str]) -> str:
    run = match.group()
    if not re.search(r"[\x80-\x9f]", run):
        return run
    try:
        return run.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return run


def strip_controls(text: str) -> str:
    """``text`` without terminal escapes, control and bidi-override characters (line breaks and tabs → spaces)."""
    if not _SUSPECT.search(text):
        return text
    text = _MOJIBAKE.sub(_unmojibake, text)
    return _CONTROLS.sub("", _BREAKS.sub(" ", _ESCAPES.sub("", text)))


def clean_text(value: object) -> str:
    """Text taken from a service, safe to store: controls removed, whitespace squashed ('' for non-text, NaN, inf)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    if isinstance(value, float) and not math.isfinite(value):  # Python's json reads NaN and Infinity
        return ""
    return squash(strip_controls(str(value)))


_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f<>\"\\`]")


def safe_url(value: object) -> str:
    """An absolute http(s) URL taken from a service, or '' (javascript:, data:, relative, hidden whitespace …)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    # Browsers drop tabs and newlines inside URLs ("java\nscript:"), so any whitespace or control refuses it.
    if not url or _URL_FORBIDDEN.search(url) or not re.match(r"(?i)https?://[^/?#@:]", url):
        return ""
    return unicodedata.normalize("NFC", url)
