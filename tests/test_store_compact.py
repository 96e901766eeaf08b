"""The store keeps each lockfile record as compact JSON text and gives back the same record when asked."""

from __future__ import annotations

import gc
import json
import math

from sphinxext_evidence.records.parsing import Raw
from sphinxext_evidence.records.store import CompactSection, Store

RECORD = {"id": "pmid:1", "type": "article-journal", "title": "Ünïcode – title <i>x</i>", "PMID": "1",
          "author": [{"family": "Smith", "given": "J"}], "issued": {"date-parts": [[2020, 1]]},
          "custom": {"initials": ["J"], "score": 1.5, "flag": True, "none": None}}


def test_a_record_comes_back_equal_and_a_changed_copy_is_not_kept() -> None:
    section = CompactSection({"1": RECORD, "2": {**RECORD, "PMID": "2"}})
    assert section["1"] == RECORD
    assert list(section) == ["1", "2"] and len(section) == 2
    section["1"]["title"] = "changed"
    assert section["1"]["title"] == RECORD["title"]
    assert section.get("3") is None and "3" not in section and "2" in section


def test_values_json_cannot_write_are_kept_as_they_are() -> None:
    raw = Raw("1" * 5000, "an integer too long")
    section = CompactSection({"big": {"volume": raw}, "nan": {"score": math.nan}})
    assert section["big"]["volume"] is raw
    assert math.isnan(section["nan"]["score"])
    assert sorted(section) == ["big", "nan"]


def test_the_store_holds_text_not_record_objects() -> None:
    records = {str(n): {**RECORD, "PMID": str(n), "id": f"pmid:{n}"} for n in range(2000)}
    gc.collect()
    before = len(gc.get_objects())
    store = Store({"pubmed": json.loads(json.dumps(records))}, {})
    gc.collect()
    # Each record as objects is several tracked containers (dicts and lists); as text it is none.
    assert len(gc.get_objects()) - before < 100
    assert isinstance(store.sections["pubmed"], CompactSection)
    assert store.raw("pmid:1999") == records["1999"]
    assert store.get("pmid:7").pmid == "7"


def test_a_store_built_from_another_keeps_its_compact_sections() -> None:
    first = Store({"pubmed": {"1": RECORD}}, {})
    second = Store({**first.sections, "manual": {"x": {"id": "manual:x", "title": "A guideline"}}}, {})
    assert second.sections["pubmed"] is first.sections["pubmed"]
    assert second.raw("pmid:1") == RECORD


def test_aliases_are_found_without_decoding_any_record(monkeypatch) -> None:
    records = {str(n): {**RECORD, "PMID": str(n), "id": f"pmid:{n}", "DOI": f"10.1000/x{n}"} for n in range(50)}
    store = Store({"pubmed": records}, {})

    def no_decoding(self: CompactSection, ident: str) -> None:
        raise AssertionError(f"record {ident} was decoded")

    monkeypatch.setattr(CompactSection, "__getitem__", no_decoding)
    assert store.canonical("doi:10.1000/x7") == "pmid:7"
    assert store.canonical("doi:10.1000/none") == "doi:10.1000/none"
