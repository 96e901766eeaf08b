"""PubMed's dates (PubDate, MedlineDate, a book's and a chapter's dates) as CSL ``issued`` values."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from sphinxext_evidence.text import clean_text

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_YEAR, _TWO_DIGITS = re.compile(r"[0-9]{1,4}"), re.compile(r"[0-9]{1,2}")
# A MedlineDate with months: "2019 Apr-Jun", "2019 Sep/Oct", "1998 Dec-1999 Jan", "2019 Jan 5-12",
# "2019 Jan 28-Feb 3". Seasons ("2000 Spring-Summer") and years alone are kept as written.
_MEDLINE_DATE = re.compile(
    r"(?P<y>[0-9]{4}) (?P<m>[A-Za-z]{3,9})\.?(?: (?P<d>[0-9]{1,2}))?"
    r"(?: ?[-/] ?(?:(?P<y2>[0-9]{4}) )?(?:(?P<m2>[A-Za-z]{3,9})\.?)? ?(?P<d2>[0-9]{1,2})?)?"
)


def _text(node: Element | None) -> str:
    return "" if node is None else clean_text("".join(node.itertext()))


def pub_date(node: Element | None) -> dict[str, Any]:
    """A PubDate (or any PubMed date element) as CSL ``issued``: date-parts as far as known, plus season or literal."""
    if node is None:
        return {}
    year = _text(node.find("Year"))
    # ASCII digits only: str.isdigit() also accepts "２０２０" and "2⁰20" (which int() cannot read).
    if _YEAR.fullmatch(year) and int(year) > 0:
        parts = [int(year)]
        month = _month(_text(node.find("Month")))
        if month:
            parts.append(month)
            day = _text(node.find("Day"))
            if _TWO_DIGITS.fullmatch(day) and 1 <= int(day) <= 31:
                parts.append(int(day))
        issued: dict[str, Any] = {"date-parts": [parts]}
        season = _text(node.find("Season"))
        if season and len(parts) == 1:
            issued["season"] = season
        return issued
    literal = _text(node.find("MedlineDate"))
    if literal:
        parts_range = medline_date(literal)
        if parts_range:
            return {"date-parts": parts_range}
        match = re.search(r"\b([0-9]{4})\b", literal)
        issued = {"literal": literal}
        if match:
            issued = {"date-parts": [[int(match.group(1))]], "literal": literal}
        return issued
    return {}


def medline_date(text: str) -> list[list[int]]:
    """The date-parts of a MedlineDate that names months: one date, or the start and end of a range."""
    match = _MEDLINE_DATE.fullmatch(text)
    if not match or not _month(match["m"]) or not int(match["y"]):
        return []
    start = [int(match["y"]), _month(match["m"])] + ([int(match["d"])] if _day(match["d"]) else [])
    if not (match["y2"] or match["m2"] or match["d2"]):
        return [start]
    if (match["m2"] and not _month(match["m2"])) or (match["d2"] and not _day(match["d2"])):
        return []
    if match["d2"] and not match["m2"] and len(start) < 3:  # "2019 Apr-12": not a range anyone writes
        return []
    end = [int(match["y2"] or match["y"]), _month(match["m2"]) if match["m2"] else start[1]]
    end += [int(match["d2"])] if match["d2"] else []
    return [start, end] if end != start else [start]


def span(first: Element | None, last: Element | None) -> dict[str, Any]:
    """A book's BeginningDate and EndingDate as one CSL date or range (empty unless the first has a year)."""
    start, end = pub_date(first).get("date-parts"), pub_date(last).get("date-parts")
    if not start:
        return {}
    return {"date-parts": start + end} if end and end != start else {"date-parts": start}


def _day(value: str | None) -> bool:
    return bool(value) and 1 <= int(value or 0) <= 31


def _month(value: str | None) -> int:
    value = value or ""
    if _TWO_DIGITS.fullmatch(value):
        number = int(value)
        return number if 1 <= number <= 12 else 0
    return MONTHS.get(value[:3].lower(), 0)
