"""Status keywords, jurisdictions and the openFDA comparison rules."""

from __future__ import annotations

import pytest

from sphinxext_evidence.dates import parse_date
from sphinxext_evidence.identifiers import drug_name as fda_key
from sphinxext_evidence.records.model import FdaApplication, FdaRecord
from sphinxext_evidence.regulatory.fda import (
    AGREES,
    FDA_LABELS,
    combined_status,
    disagrees,
    is_finding,
)
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


def _record(*statuses: tuple[str, ...], total: int | None = None) -> FdaRecord:
    apps = tuple(FdaApplication(f"NDA{i}", marketing_status=s) for i, s in enumerate(statuses))
    return FdaRecord("x", "2026-11-21", apps, len(apps) if total is None else total)


AUTHOR = [s for s in STATUSES if s != "unknown"]


@pytest.mark.parametrize("author,fda,conflict", [
    ("not-approved", "approved", True),
    ("refused", "approved", True),
    ("withdrawn-safety", "approved", True),
    ("approved-not-marketed", "approved", True),
    ("approved", "approved", False),
    ("unknown", "approved", False),
    # Discontinued: approved once, sold no longer.
    ("withdrawn", "discontinued", False),
    ("withdrawn-safety", "discontinued", False),
    ("approved-not-marketed", "discontinued", False),
    ("approved", "discontinued", True),  # nothing is on the market
    ("not-approved", "discontinued", True),  # there was an approval
    ("refused", "discontinued", True),
    ("not-approved", "tentative", False),
    ("approved", "tentative", True),
    ("bogus", "approved", False),
])
def test_disagreement_rules(author: str, fda: str, conflict: bool) -> None:
    assert disagrees(author, fda) is conflict


@pytest.mark.parametrize("fda", ["not-found", "incomplete", "unclear"])
@pytest.mark.parametrize("author", AUTHOR)
def test_states_that_are_not_findings_never_disagree(author: str, fda: str) -> None:
    """The old rule made "no application on record" contradict "approved" and three more statuses.

    openFDA's 404 only says Drugs@FDA has nothing under that name; Drugs@FDA does not list
    CBER biologics and vaccines or OTC monograph products, so it can contradict nothing.
    The same holds when only some applications were fetched, or their status is unclear.
    """
    assert not is_finding(fda)
    assert disagrees(author, fda) is False


def test_every_state_has_words() -> None:
    assert FDA_LABELS["not-found"] == "Not found in Drugs@FDA"
    assert FDA_LABELS["discontinued"] == "Discontinued"
    assert set(AGREES) < set(FDA_LABELS)


def test_combined_status_over_several_names() -> None:
    none, discontinued, marketed = _record(), _record(("Discontinued",)), _record(("Prescription",))
    assert combined_status([none]) == "not-found"
    assert combined_status([none, discontinued]) == "discontinued"
    assert combined_status([discontinued, marketed]) == "approved"
    assert combined_status([_record(("None (Tentative Approval)",))]) == "tentative"
    assert combined_status([_record(("Discontinued", "None (Tentative Approval)"))]) == "discontinued"
    assert combined_status([_record(())]) == "unclear"  # on record, no marketing status given
    assert combined_status([_record(("5",))]) == "unclear"  # a code this check does not know
    assert FdaRecord.from_json(marketed.to_json()) == marketed


def test_left_out_applications_make_a_negative_finding_incomplete() -> None:
    # 1 of 3 fetched and it is discontinued: the two not fetched may be marketed.
    assert combined_status([_record(("Discontinued",), total=3)]) == "incomplete"
    assert combined_status([_record((), total=5)]) == "incomplete"
    # A marketed product among those fetched is enough for "approved", whatever was left out.
    assert combined_status([_record(("Prescription",), total=412)]) == "approved"
    assert _record(("Prescription",), total=412).not_shown == 411
    assert _record(("Prescription",), total=0).not_shown == 0  # older lockfiles stored no total


def test_checked_line_names_each_look_up_and_its_date() -> None:
    from sphinxext_evidence.regulatory.render import checked_line, truncation_notes

    old = FdaRecord("metformin", "2026-01-05", (FdaApplication("NDA1", marketing_status=("Prescription",)),),
                    412, "2025-12-30")
    new = FdaRecord("glucophage", "2026-11-21", (), 0, "")
    assert checked_line([old, new]).astext() == (
        "Checked in Drugs@FDA via openFDA: 'metformin' (412 applications) on 2026-01-05, "
        "'glucophage' (not found) on 2026-11-21; openFDA data last updated 2025-12-30.")
    (note,) = truncation_notes([old, new])
    assert note.astext() == "Showing 1 of 412 applications found for 'metformin'; 411 not shown — see Drugs@FDA."
