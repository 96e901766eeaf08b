"""Records whose lockfile text was made while a fetch waited: saved exactly as they would be without it.

A client makes each fetched record's text and checks it while it waits its
turn for the network (``lockfile.record_text``); ``lockfile.save`` writes
that text instead of encoding the record again, and does not check it again.
The file written, the records returned and the warnings given must be the
same as when nothing was made ahead, whatever happened to the record since.
"""

from __future__ import annotations

import copy
import gc
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.parsing import without_gc
from sphinxext_evidence.sources.pubmed_xml import parse_pubmed_xml

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2025-03-01"
EARLIER = {  # a lockfile written before: a record the fetch replaces, one it keeps, and another section
    "version": 1,
    "pubmed": {"21860499": {"id": "pmid:21860499", "type": "article-journal", "title": "An older title"},
               "99999999": {"id": "pmid:99999999", "type": "book", "title": "Kept as it was"}},
    "openfda": {"metformin": {"name": "metformin", "checked": "2025-01-02", "total": 0, "applications": []}},
}


def recorded() -> dict[str, dict[str, Any]]:
    """Every record of the recorded efetch answers and of the corpus."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted((FIXTURES / "eutils").glob("efetch_pubmed_xml_*.xml")) + \
            sorted((FIXTURES / "corpus" / "pubmed").glob("*.xml")):
        try:
            records.update(parse_pubmed_xml(path.read_bytes(), TODAY))
        except Exception:  # noqa: BLE001, S112 - answers that hold no records are not what this is about
            continue
    return records


def save_both(tmp_path: Path, updates: dict[str, dict[str, Any]], texts: dict[str, Any],
              monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """Save ``updates`` over EARLIER with ``texts`` and without; the files, results and warnings of each."""
    outcomes = []
    for name, given in (("with", texts), ("without", None)):
        said: list[str] = []
        monkeypatch.setattr(lockfile.log, "warn", lambda message, *a, **k: said.append(message))
        path = tmp_path / name / "evidence.lock.json"
        path.parent.mkdir()
        path.write_text(json.dumps(EARLIER, indent=1), encoding="utf-8")
        result = lockfile.save(path, copy.deepcopy(updates) if given is None else updates, given)
        outcomes.append((path.read_bytes(), result, said))
    return outcomes[0], outcomes[1]


def test_every_recorded_record_is_written_as_without_texts(tmp_path, monkeypatch):
    records = recorded()
    assert len(records) > 300 and "21860499" in records and "99999999" not in records
    texts = {pmid: lockfile.record_text("pubmed", pmid, record) for pmid, record in records.items()}
    assert all(text.sound for text in texts.values())
    made, plain = save_both(tmp_path, {"pubmed": records}, {"pubmed": texts}, monkeypatch)
    assert made == plain
    assert b'"Kept as it was"' in made[0] and b'"An older title"' not in made[0]


def test_a_record_changed_after_its_text_was_made_is_written_as_it_is_now(tmp_path, monkeypatch):
    records = recorded()
    texts = {pmid: lockfile.record_text("pubmed", pmid, record) for pmid, record in records.items()}
    changed = sorted(records)[:3]
    records[changed[0]]["title"] = "Changed after the text was made"
    records[changed[1]]["author"].append({"family": "Added", "given": "A"})
    del records[changed[2]]["container-title"]
    made, plain = save_both(tmp_path, {"pubmed": records}, {"pubmed": texts}, monkeypatch)
    assert made == plain
    assert b"Changed after the text was made" in made[0] and b'"Added"' in made[0]


@pytest.mark.parametrize("damage", [
    {"author": "not a list"}, {"issued": {"date-parts": [["not a year"]]}}, {"title": 7}, {"id": None},
    {"custom": {"notices": "none"}},
])  # fmt: skip
def test_a_record_found_damaged_when_made_is_warned_about_as_without_texts(tmp_path, monkeypatch, damage):
    records = recorded()
    pmid = sorted(records)[0]
    records[pmid].update(damage)
    texts = {p: lockfile.record_text("pubmed", p, record) for p, record in records.items()}
    assert not texts[pmid].sound
    made, plain = save_both(tmp_path, {"pubmed": records}, {"pubmed": texts}, monkeypatch)
    assert made == plain
    assert any(pmid in message for message in made[2])


def test_a_text_for_a_record_not_saved_is_never_written(tmp_path, monkeypatch):
    records = recorded()
    pmid, other = sorted(records)[:2]
    texts = {pmid: lockfile.record_text("pubmed", other, records[other])}  # made of another record
    made, plain = save_both(tmp_path, {"pubmed": {pmid: records[pmid]}}, {"pubmed": texts}, monkeypatch)
    assert made == plain


def test_without_gc_restores_what_it_found_in_any_thread():
    assert gc.isenabled()
    with without_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with without_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(_inside()))
    worker.start()
    worker.join()
    assert seen == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), without_gc():
        raise RuntimeError
    assert gc.isenabled()


def _inside() -> bool:
    with without_gc():
        return gc.isenabled()
