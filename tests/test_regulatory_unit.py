"""Status keywords, jurisdictions and the openFDA comparison rules."""

from __future__ import annotations

import pytest

from sphinxext_evidence.dates import parse_date
from sphinxext_evidence.identifiers import drug_name as fda_key
from sphinxext_evidence.records.model import FdaApplication, FdaRecord
from sphinxext_evidence.regulatory.fda import combined_status, disagrees
from sphinxext_evidence.regulatory.statuses import (
    STATUSES,
    find_source_marker,
    jurisdiction_name,
    jurisdictions,
    split_status,
)

JURISDICTIONS = jurisdictions()
COUNTRIES = {code: name for code, name in JURISDICTIONS.items() if code not in ("EU", "WHO")}


def test_jurisdiction_table() -> None:
    assert len(COUNTRIES) == 249
    assert all(len(c) == 2 and c.isupper() and c.isalpha() for c in COUNTRIES)
    assert set(JURISDICTIONS) == set(COUNTRIES) | {"EU", "WHO"}
    assert jurisdiction_name("us") == "United States"
    assert jurisdiction_name("RU") == "Russia"
    assert jurisdiction_name("CN") == "China"
    assert jurisdiction_name("GB") == "United Kingdom"
    assert jurisdiction_name("EU") == "European Union"
    assert jurisdiction_name("WHO") == "World Health Organization"
    for code in ("UK", "EL", "XK", "ZZ", "USA", ""):
        assert jurisdiction_name(code) is None, code
    assert all("&" not in name for name in COUNTRIES.values())


@pytest.mark.parametrize("text,expected", [
    ("not-approved — no FDA application on record", ("not-approved", "no FDA application on record")),
    ("approved", ("approved", "")),
    ("Approved – since 1995", ("approved", "since 1995")),
    ("approved - text", ("approved", "text")),
    ("approved: text", ("approved", "text")),
    ("approved-not-marketed", ("approved-not-marketed", "")),
    ("withdrawn_safety; 2001", ("withdrawn-safety", "2001")),
    ("not approved", ("not", "approved")),
    ("— nothing", ("", "— nothing")),
])
def test_split_status(text: str, expected: tuple[str, str]) -> None:
    assert split_status(text) == expected


def test_statuses_are_the_documented_keywords() -> None:
    assert list(STATUSES) == ["approved", "approved-not-marketed", "tentative", "not-approved", "withdrawn",
                              "withdrawn-safety", "refused", "unknown"]


def test_source_marker_and_dates_and_keys() -> None:
    match = find_source_marker("not authorised. Source: EMA")
    assert match is not None and match.group(1) == "Source:"
    assert find_source_marker("Opensource: no") is None
    assert parse_date("2026-11-01") is not None
    assert parse_date("2026-02-30") is None and parse_date("01/11/2026") is None and parse_date("2026-1-1") is None
    assert fda_key('  Cerebrolysin  "FPF" ') == "cerebrolysin fpf"


def _record(*statuses: tuple[str, ...]) -> FdaRecord:
    return FdaRecord("x", "2026-11-21", tuple(FdaApplication(f"NDA{i}", marketing_status=s)
                                              for i, s in enumerate(statuses)))


@pytest.mark.parametrize("author,fda,conflict", [
    ("approved", "not-approved", True),
    ("approved-not-marketed", "not-approved", True),
    ("tentative", "not-approved", True),
    ("not-approved", "not-approved", False),
    ("refused", "not-approved", False),
    ("withdrawn", "not-approved", False),
    ("unknown", "not-approved", False),
    ("unknown", "approved", False),
    ("not-approved", "approved", True),
    ("refused", "approved", True),
    ("withdrawn-safety", "approved", True),
    ("approved", "approved", False),
    ("withdrawn", "approved-not-marketed", False),
    ("approved", "approved-not-marketed", True),
    ("not-approved", "tentative", False),
    ("approved", "tentative", True),
    ("bogus", "approved", False),
])
def test_disagreement_rules(author: str, fda: str, conflict: bool) -> None:
    assert disagrees(author, fda) is conflict


def test_combined_status_over_several_names() -> None:
    none, discontinued, marketed = _record(), _record(("Discontinued",)), _record(("Prescription",))
    assert combined_status([none]) == "not-approved"
    assert combined_status([none, discontinued]) == "approved-not-marketed"
    assert combined_status([discontinued, marketed]) == "approved"
    assert FdaRecord.from_json(marketed.to_json()) == marketed
