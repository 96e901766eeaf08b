"""An unchanged lockfile is read from the compact copy the last build kept; any change reads the file again.

The copy saves a build the parsing, checking and compacting of every record.
It must never hide a change: an edited lockfile, a damaged record, damage in
the copy itself or a package whose checks differ make the build read the
lockfile afresh, with every warning it deserves, on every build.
"""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers import build_with, read, warnings
from test_lockfile_untrusted import LOCK, PMID, PUBMED, SHOWN, canonical, copy_project, good

from sphinxext_evidence import dates, fetch
from sphinxext_evidence.records import kept, lockfile
from sphinxext_evidence.records.store import CompactSection, compact, record_doi
from sphinxext_evidence.sources import REGISTRY
from sphinxext_evidence.sources.base import fetched_long_ago, older_than

__all__ = ["good"]  # the fixture, imported for the tests below


def project(tmp_path: Path, data: dict[str, Any]) -> Path:
    """A copy of the test project with ``data`` as its lockfile."""
    src = copy_project(tmp_path / "src")
    (src / LOCK).write_text(canonical(data), encoding="utf-8")
    return src


def kept_file(app: Any) -> Path:
    """Where a build keeps its copy of the lockfile."""
    return Path(app.doctreedir, fetch.KEPT_FILE)


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """Every lockfile a build parses and checks."""
    seen: list[Path] = []
    real = lockfile.read_checked

    def counting(path: Path) -> lockfile.Checked:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(lockfile, "read_checked", counting)
    return seen


def test_an_unchanged_lockfile_is_read_from_the_copy(make_app, tmp_path, good, reads):
    src = project(tmp_path, good)
    first = build_with(make_app, src, evidence_offline=True)
    html = read(first, "index.html")
    assert len(reads) == 1 and kept_file(first).is_file()
    second = build_with(make_app, src, evidence_offline=True)
    assert len(reads) == 1, "the second build parsed the lockfile again"
    assert read(second, "index.html") == html
    assert all(shown in html for shown in SHOWN)
    assert "[evidence" not in warnings(second)


def test_an_edited_lockfile_is_read_again(make_app, tmp_path, good, reads):
    src = project(tmp_path, good)
    build_with(make_app, src, evidence_offline=True)
    good[PUBMED][PMID]["title"] = "A title changed by hand"
    (src / LOCK).write_text(canonical(good), encoding="utf-8")
    app = build_with(make_app, src, evidence_offline=True)
    assert len(reads) == 2
    assert "A title changed by hand" in read(app, "index.html")


def test_damage_is_reported_on_every_build_and_nothing_is_kept(make_app, tmp_path, good, reads):
    good[PUBMED][PMID]["author"] = "not a list"
    src = project(tmp_path, good)
    for build in range(3):
        app = build_with(make_app, src, evidence_offline=True)
        assert f"pubmed record '{PMID}'" in warnings(app), f"build {build} said nothing of the damage"
        assert not kept_file(app).exists()
    assert len(reads) == 3


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps("another token") + b"junk",
                                    "truncated", "a list of sections"])
def test_a_damaged_copy_costs_only_a_fresh_read(make_app, tmp_path, good, reads, damage):
    src = project(tmp_path, good)
    app = build_with(make_app, src, evidence_offline=True)
    path = kept_file(app)
    whole = path.read_bytes()
    token = pickle.load(path.open("rb"))
    if damage == "truncated":
        damage = whole[: len(whole) // 2]
    elif damage == "a list of sections":
        damage = pickle.dumps(token) + pickle.dumps(["pubmed"])
    path.write_bytes(damage)
    app = build_with(make_app, src, evidence_offline=True)
    assert len(reads) == 2
    assert all(shown in read(app, "index.html") for shown in SHOWN)
    assert kept.load(path, token) is not None, "the copy was not written again"


def test_checks_that_change_make_the_copy_unusable(make_app, tmp_path, good, reads, monkeypatch):
    src = project(tmp_path, good)
    build_with(make_app, src, evidence_offline=True)
    monkeypatch.setattr(lockfile, "_token", lambda fingerprint: f"other-checks:{fingerprint}")
    build_with(make_app, src, evidence_offline=True)
    assert len(reads) == 2


def test_the_copy_holds_what_the_lockfile_holds(tmp_path, good):
    path = tmp_path / LOCK
    path.write_text(canonical(good), encoding="utf-8")
    checked = lockfile.read_checked(path)
    assert checked.token and lockfile.token_of(path) == (checked.fingerprint, checked.token)
    kept.keep(tmp_path / "kept", checked.token, compact(checked.sections))
    assert kept.load(tmp_path / "kept", "some other token") is None
    again = kept.load(tmp_path / "kept", checked.token)
    assert again is not None and set(again) == set(checked.sections)
    for name, section in checked.sections.items():
        copy = again[name]
        assert isinstance(copy, CompactSection) and dict(copy) == section
        assert copy.aliases == compact({name: section})[name].aliases
        assert all(record_doi(copy, i) == record_doi(section, i) for i in section)
    kept.keep(tmp_path / "kept", "", {})
    assert not (tmp_path / "kept").exists()


def test_planning_a_fetch_decodes_no_record(make_app, tmp_path, good, monkeypatch):
    src = project(tmp_path, good)
    app = build_with(make_app, src, evidence_offline=True)
    decoded: list[str] = []
    real = CompactSection.__getitem__

    def counting(self: CompactSection, ident: str) -> Any:
        decoded.append(ident)
        return real(self, ident)

    monkeypatch.setattr(CompactSection, "__getitem__", counting)
    for refresh in (None, 30):
        app.config.evidence_refresh_days = refresh
        outcome = fetch.run_fetch(app, fetch.get_domain(app.env))
        assert isinstance(outcome.sections[PUBMED], CompactSection)
    assert decoded == []


@pytest.mark.parametrize("refresh", [None, 0, 1, 400])
@pytest.mark.parametrize("status_days", [None, 0, 30])
@pytest.mark.parametrize("later", [0, 31, 366, -2])
def test_staleness_from_the_copy_is_staleness_from_the_record(good, refresh, status_days, later):
    config = SimpleNamespace(evidence_refresh_days=refresh, evidence_status_max_age_days=status_days,
                             evidence_regulatory_max_age_days=365)
    now = dates.today() + dt.timedelta(days=later)
    good[PUBMED]["11111111"] = {**good[PUBMED][PMID], "custom": {"fetched": "not a day"}}
    good["openfda"]["nodate"] = {**good["openfda"]["semaglutide"], "checked": " 2020-01-01 "}
    for source in REGISTRY:
        section = good.get(source.section, {})
        held = CompactSection(section)
        judged_held: dict[str, bool] = {}  # shared across the section, as the fetch stage shares it
        judged_plain: dict[str, bool] = {}
        for ident in section:
            by_record = _judged_by_record(source, section[ident], config, now)
            assert fetch._wanted_again(source, held, ident, config, now, judged_held) == by_record, (source.section, ident)
            assert fetch._wanted_again(source, section, ident, config, now, judged_plain) == by_record, (source.section, ident)


def _judged_by_record(source: Any, record: dict[str, Any], config: Any, now: dt.date) -> bool:
    """Staleness as the fetch stage judged it from the whole record, before records were held compact."""
    if source.section in ("pubmed", "crossref"):
        custom = record.get("custom")
        fetched = custom.get("fetched", "") if isinstance(custom, dict) else ""
        stale = bool(fetched) and older_than(fetched, config.evidence_status_max_age_days, now)
    elif source.section == "crossref-updates":
        stale = older_than(record.get("checked", ""), config.evidence_status_max_age_days, now)
    elif source.section == "openfda":
        age = dates.age_in_days(str(record.get("checked", "")), now)
        stale = age is None or age > int(config.evidence_regulatory_max_age_days)
    else:
        stale = False
    days = config.evidence_refresh_days
    return stale or (days is not None and fetched_long_ago(record, days * 86400, dt.datetime.combine(now, dt.time())))
