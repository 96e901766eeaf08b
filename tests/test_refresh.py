"""``sphinx-evidence refresh`` and ``evidence_max_age_days``: records fetched again once old, and what changed.

Every service is a loopback double on one server.  The "after" answers are
real recorded ones from ``tests/fixtures/corrections``: PMID 11543891 as
PubMed records it since its retraction (a ``RetractionIn`` link to the notice,
PMID 11600210, and the publication type "Retracted Publication"), and
Crossref's record of the 1998 Wakefield paper, whose retraction Crossref knows
through Retraction Watch.  The "before" answers are the same recordings with
the retraction taken out — the two retraction elements of the PubMed record,
the ``updated-by`` links and the "RETRACTED: " prefix of the Crossref title —
so the only difference between the two runs is the retraction.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakes import EFETCH_PATH, Canned
from fakes.crossref import CrossrefDouble
from fakes.eutils import split_records
from fakes.openfda import OpenFdaDouble
from fakes.server import closed_port_url
from helpers import build_with, warnings

from sphinxext_evidence import refresh
from sphinxext_evidence.cli import main
from sphinxext_evidence.dates import today
from sphinxext_evidence.records import lockfile

FIXTURES = Path(__file__).parent / "fixtures" / "corrections"
RETRACTED_XML = FIXTURES / "pubmed_nlmsample2019_11543891_11600210_retractionin_retractionof.xml"
WAKEFIELD_JSON = FIXTURES / "crossref_work_10.1016_s0140-6736-97-11096-0_retraction_watch_choxos.json"
WAKEFIELD = "10.1016/s0140-6736(97)11096-0"
PMID = "11543891"

CONF = 'project = "desk"\nextensions = ["sphinxext_evidence"]\nevidence_email = "tests@example.org"\n'
PAGE = f"""Desk
====

A trial :pmid:`{PMID}` and a paper :doi:`10.1016/S0140-6736(97)11096-0`.

.. references::
"""
DRUG_PAGE = """Drugs
=====

.. regulatory-status:: Vioxx
   :as-of: 2026-11-01
   :fda-names: rofecoxib

   :US: unknown
"""


# -- the services, before and after ------------------------------------------------------------------------


def retracted_pubmed() -> bytes:
    """The recorded PubMed record of PMID 11543891, retracted."""
    return split_records(RETRACTED_XML.read_bytes())[PMID]


def unretracted_pubmed() -> bytes:
    """The same record with its RetractionIn link and its "Retracted Publication" type taken out."""
    xml = re.sub(rb"\s*<CommentsCorrections RefType=\"RetractionIn\">.*?</CommentsCorrections>", b"",
                 retracted_pubmed(), flags=re.DOTALL)
    return re.sub(rb"\s*<PublicationType[^>]*>Retracted Publication</PublicationType>", b"", xml)


def retracted_work() -> dict:
    """Crossref's recorded work for the Wakefield paper, retraction included."""
    return json.loads(WAKEFIELD_JSON.read_text(encoding="utf-8"))["message"]


def unretracted_work() -> dict:
    """The same work without its correction links and with its title as first published."""
    work = copy.deepcopy(retracted_work())
    work.pop("updated-by")
    work["title"] = [work["title"][0].removeprefix("RETRACTED: ")]
    return work


class Services:
    """PubMed, Crossref and openFDA doubles on one loopback server, answering "before" or "after"."""

    def __init__(self, eutils, server) -> None:
        self.eutils = eutils
        self.server = server
        self.crossref = CrossrefDouble(server, fixtures=FIXTURES / "none")
        self.openfda = OpenFdaDouble(server)

    def before(self) -> None:
        """Answer as the services did before the retraction."""
        self.eutils.add_record(unretracted_pubmed())
        self.crossref.add_work(unretracted_work())

    def after(self) -> None:
        """Answer as the services do since the retraction (the recorded answers)."""
        self.eutils.add_record(retracted_pubmed())
        self.crossref.add_work(retracted_work())

    def options(self) -> list[str]:
        """``-D`` options pointing every service at the doubles, with fast retries."""
        url = self.server.url
        return ["-D", f"evidence_eutils_url={self.eutils.base_url}", "-D", f"evidence_crossref_url={url}",
                "-D", f"evidence_openfda_url={url}", "-D", "evidence_http_backoff=0.01",
                "-D", "evidence_http_retries=1"]

    def paths(self) -> list[str]:
        """The path of every request so far, in order."""
        return [r.path for r in self.server.requests]


@pytest.fixture
def services(eutils, fake_server) -> Services:
    """The doubles, answering as before the retraction."""
    doubles = Services(eutils, fake_server)
    doubles.before()
    return doubles


def make_site(root: Path, page: str = PAGE) -> Path:
    """A one-page project in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "conf.py").write_text(CONF, encoding="utf-8")
    (root / "index.rst").write_text(page, encoding="utf-8")
    return root


def backdate(lock: Path, days: int, sections: tuple[str, ...] = ()) -> None:
    """Make the records of ``lock`` (of ``sections``, or all) look fetched ``days`` days ago."""
    data = json.loads(lock.read_text(encoding="utf-8"))
    day = (today() - dt.timedelta(days=days)).isoformat()
    for name, records in data.items():
        if not isinstance(records, dict) or (sections and name not in sections):
            continue
        for record in records.values():
            if isinstance(record.get("custom"), dict):
                record["custom"]["fetched"] = day
            if "checked" in record:
                record["checked"] = day
    lock.write_text(lockfile.dumps({k: v for k, v in data.items() if isinstance(v, dict)}), encoding="utf-8")


@pytest.fixture
def site(tmp_path, services) -> Path:
    """A project whose lockfile was filled before the retraction, 40 days ago; the services now answer "after"."""
    src = make_site(tmp_path / "docs")
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", 40)
    services.after()
    services.server.requests.clear()
    return src


def stored(src: Path) -> dict:
    return json.loads((src / "evidence.lock.json").read_text(encoding="utf-8"))


# -- what changed ------------------------------------------------------------------------------------------


def test_a_retraction_appearing_is_reported_and_written(site, services, capsys):
    assert main(["refresh", str(site), *services.options()]) == 0
    out, err = capsys.readouterr()
    lock = stored(site)
    pubmed = lock["pubmed"][PMID]
    assert "Retracted Publication" in pubmed["custom"]["publication-types"]
    assert pubmed["custom"]["fetched"] == today().isoformat()
    assert [n["type"] for n in lock["crossref-updates"][WAKEFIELD]["notices"]] == ["ErratumIn", "RetractionIn"]
    assert f"PMID {PMID} (PubMed): The origin of Palestinians" in out
    assert "  - new retraction: Retracted (notice PMID 11600210, reported by PubMed)" in out
    assert f"DOI {WAKEFIELD} (Crossref): RETRACTED: Ileal-lymphoid-nodular hyperplasia" in out
    assert "  - new retraction: Retracted (notice DOI 10.1016/s0140-6736(10)60175-4, reported by Retraction Watch)" \
        in out
    assert "  - new correction: Erratum (notice DOI 10.1016/s0140-6736(04)15715-2, reported by Retraction Watch)" \
        in out
    assert "  - title changed from 'Ileal-lymphoid" in out and "to 'RETRACTED: Ileal-lymphoid" in out
    assert out.startswith("Asked again for 3 records fetched 30 days ago or more "
                          "(PubMed 1, Crossref 1, Crossref correction links 1), in 3 requests.\n"
                          "3 records differ from the stored ones, dates aside. What changed for readers:\n")
    assert out.endswith(f"Wrote {site / 'evidence.lock.json'}.\n")
    assert "Traceback" not in err
    # Everything is fresh now: nothing to ask for, nothing asked.
    services.server.requests.clear()
    assert main(["refresh", str(site), *services.options()]) == 0
    assert capsys.readouterr().out == ("Nothing to refresh: no record in evidence.lock.json was fetched 30 days "
                                       "ago or more.\n")
    assert services.paths() == []


def test_the_build_after_a_refresh_warns_about_the_retraction(site, services, make_app):
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    assert "[evidence.retracted]" not in warnings(app)
    assert main(["refresh", str(site), *services.options()]) == 0
    app = make_app("html", srcdir=site, confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    retracted = [w for w in warnings(app).splitlines() if w.endswith("[evidence.retracted]")]
    assert len(retracted) == 2


def test_json_lists_each_change_with_before_and_after(site, services, capsys):
    assert main(["refresh", str(site), "--format", "json", *services.options()]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["written"] is True and report["dry_run"] is False and report["older_than"] == "30d"
    assert report["asked"] == {"pubmed": 1, "crossref": 1, "crossref-updates": 1}
    assert report["failures"] == [] and report["gone"] == []
    assert sorted(report["differ"]) == ["crossref-updates:" + WAKEFIELD, "crossref:" + WAKEFIELD, "pubmed:" + PMID]
    by_change = {(c["key"], c["change"]): c for c in report["changes"]}
    assert set(by_change) == {(f"pmid:{PMID}", "retraction"), (f"doi:{WAKEFIELD}", "retraction"),
                              (f"doi:{WAKEFIELD}", "correction"), (f"doi:{WAKEFIELD}", "title")}
    retraction = by_change[(f"pmid:{PMID}", "retraction")]
    assert retraction["after"]["kind"] == "RetractionIn" and retraction["after"]["pmid"] == "11600210"
    assert retraction["record"] == f"PMID {PMID} (PubMed)" and retraction["title"].startswith("The origin")
    title = by_change[(f"doi:{WAKEFIELD}", "title")]
    assert title["after"] == "RETRACTED: " + title["before"]


def test_dry_run_reports_and_leaves_the_lockfile_as_it_is(site, services, capsys):
    before = (site / "evidence.lock.json").read_bytes()
    assert main(["refresh", str(site), "--dry-run", *services.options()]) == 0
    out = capsys.readouterr().out
    assert "new retraction: Retracted" in out
    assert out.endswith(f"Dry run: {site / 'evidence.lock.json'} is unchanged.\n")
    assert (site / "evidence.lock.json").read_bytes() == before
    assert EFETCH_PATH in services.paths()
    assert main(["refresh", str(site), "--dry-run", "--format", "json", *services.options()]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and report["written"] is False and report["changes"]


NEJM = "10.1056/nejmoa2007621"


def refreshed(tmp_path: Path, services: Any, capsys: Any, pmid: str, first: bytes, then: bytes) -> tuple[Path, str]:
    """Fetch ``pmid`` as PubMed first answers, a month later refresh it as PubMed then answers; the output."""
    services.eutils.add_record(first)
    src = make_site(tmp_path / "docs", f"Page\n====\n\nSee :pmid:`{pmid}`.\n")
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", 30)
    services.eutils.add_record(then)
    capsys.readouterr()
    assert main(["refresh", str(src), *services.options()]) == 0
    return src, capsys.readouterr().out


@pytest.mark.parametrize(("fixture", "pmid", "ref_type", "expected"), [
    ("pubmed_nlmsample2019_11034741_11406024_updatein_updateof.xml", "11034741", "UpdateIn",
     "new replacement: Newer version available (notice PMID 11406024, reported by PubMed)"),
    ("pubmed_efetch_35649368_erratumin_metapub.xml", "35649368", "ErratumIn",
     "new correction: Erratum (notice PMID 35767954, reported by PubMed)"),
])
def test_each_kind_of_new_notice_is_named(tmp_path, services, capsys, fixture, pmid, ref_type, expected):
    """Real recorded PubMed records, first without the link, then as recorded."""
    element = split_records((FIXTURES / fixture).read_bytes())[pmid]
    without = re.sub(rf'<CommentsCorrections RefType="{ref_type}">.*?</CommentsCorrections>'.encode(), b"",
                     element, count=1, flags=re.DOTALL)
    assert without != element
    assert f"  - {expected}\n" in refreshed(tmp_path, services, capsys, pmid, without, element)[1]


def test_a_notice_that_replaces_one_of_the_same_kind_is_new(tmp_path, services, capsys):
    element = split_records((FIXTURES / "pubmed_efetch_35649368_erratumin_metapub.xml").read_bytes())["35649368"]
    assert b"35767954" in element
    src, out = refreshed(tmp_path, services, capsys, "35649368", element, element.replace(b"35767954", b"35999999"))
    assert "  - new correction: Erratum (notice PMID 35999999, reported by PubMed)\n" in out
    backdate(src / "evidence.lock.json", 30)
    capsys.readouterr()
    assert main(["refresh", str(src), *services.options()]) == 0  # the same answer again: nothing new
    assert "  - new " not in capsys.readouterr().out


def test_a_known_notice_that_gains_its_pmid_is_not_new(tmp_path, services, capsys):
    full = retracted_pubmed()
    without_pmid = re.sub(rb'(<CommentsCorrections RefType="RetractionIn">\s*<RefSource>[^<]*</RefSource>)'
                          rb'\s*<PMID[^>]*>11600210</PMID>', rb"\1", full)
    assert without_pmid != full
    out = refreshed(tmp_path, services, capsys, PMID, without_pmid, full)[1]
    assert "new retraction" not in out  # the same notice, told with its PMID now


def test_records_dated_after_today_are_asked_for_again(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs", f"Page\n====\n\nSee :pmid:`{PMID}`.\n")
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", -1)  # a clock ahead of this one, or a hand edit
    before = len(services.eutils.requests)
    assert main(["refresh", str(src), "--older-than", "0d", *services.options()]) == 0
    assert len(services.eutils.requests) > before
    assert "Nothing to refresh" not in capsys.readouterr().out


def test_an_expression_of_concern_then_a_retraction(tmp_path, services, capsys):
    """The recorded NEJM work: first without correction links, then with the concern only, then as recorded."""
    recorded = json.loads((FIXTURES / "crossref_pruned_cache_10.1056_nejmoa2007621_expression_of_concern_"
                                       "retraction_watch.json").read_text(encoding="utf-8"))["message"]
    concern_only = copy.deepcopy(recorded)
    concern_only["updated-by"] = [u for u in recorded["updated-by"] if u["type"] == "expression_of_concern"]
    concern_only["title"] = [recorded["title"][0].removeprefix("RETRACTED: ")]
    first = {k: v for k, v in concern_only.items() if k != "updated-by"}
    src = make_site(tmp_path / "docs", f"Page\n====\n\nSee :doi:`{NEJM}`.\n")
    services.crossref.add_work(first)
    assert main(["fetch", str(src), *services.options()]) == 0
    steps = ((concern_only, ("new expression of concern: Expression of concern (notice DOI 10.1056/nejme2020822, "
                             "reported by Retraction Watch)")),
             (recorded, "new retraction: Retracted (notice DOI 10.1056/nejmc2021225, reported by Retraction Watch)"))
    for answer, expected in steps:
        backdate(src / "evidence.lock.json", 30)
        services.crossref.add_work(answer)
        capsys.readouterr()
        assert main(["refresh", str(src), *services.options()]) == 0
        out = capsys.readouterr().out
        assert f"  - {expected}\n" in out
        assert out.count("  - new ") == 1, out


def test_a_retracted_publication_type_alone_is_a_retraction(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs", f"Page\n====\n\nSee :pmid:`{PMID}`.\n")
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", 30)
    services.eutils.add_record(re.sub(rb'\s*<CommentsCorrections RefType="RetractionIn">.*?</CommentsCorrections>',
                                      b"", retracted_pubmed(), flags=re.DOTALL))
    capsys.readouterr()
    assert main(["refresh", str(src), *services.options()]) == 0
    assert "  - new retraction: Retracted (publication type Retracted Publication)\n" in capsys.readouterr().out


def test_author_list_changes_are_named(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs")
    work = unretracted_work()
    work["author"] = work["author"][:3] + work["author"][5:]  # as if two authors had been left out
    services.crossref.add_work(work)
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", 31)
    services.crossref.add_work(unretracted_work())
    capsys.readouterr()
    assert main(["refresh", str(src), "--only", "crossref", *services.options()]) == 0
    out = capsys.readouterr().out
    assert "  - authors changed: added Linnell J, Casson D" in out  # the short names of the two
    assert "removed" not in out and "title changed" not in out


def test_a_changed_fda_status_is_reported(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs", DRUG_PAGE)
    recorded = services.openfda.results  # rofecoxib's applications: every product discontinued
    marketed = services.openfda.result("NDA021042")
    for product in marketed["products"]:
        product["marketing_status"] = "1"  # as it was sold: on prescription
    services.openfda.results = [marketed]
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", 400)
    services.openfda.results = recorded
    capsys.readouterr()
    assert main(["refresh", str(src), "--format", "json", *services.options()]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(c["key"], c["before"], c["after"]) for c in report["changes"]] == [
        ("fda:rofecoxib", "approved", "discontinued")]
    assert report["changes"][0]["text"] == "FDA status changed from 'Approved' to 'Discontinued'"


# -- which records -----------------------------------------------------------------------------------------


def test_older_than_picks_the_records_by_their_fetch_date(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs")
    assert main(["fetch", str(src), *services.options()]) == 0
    backdate(src / "evidence.lock.json", 10)
    services.server.requests.clear()
    assert main(["refresh", str(src), *services.options()]) == 0  # 30d by default
    assert services.paths() == [] and "Nothing to refresh" in capsys.readouterr().out
    assert main(["refresh", str(src), "--older-than", "11d", *services.options()]) == 0
    assert services.paths() == []
    assert main(["refresh", str(src), "--older-than", "10d", *services.options()]) == 0
    assert EFETCH_PATH in services.paths()
    assert "Asked again for 3 records fetched 10 days ago or more" in capsys.readouterr().out


def test_hours_count_from_the_start_of_the_day_of_the_fetch(tmp_path, services, capsys, monkeypatch):
    # 18:00 UTC on 2026-12-01: a record fetched that day is 18 hours old at most.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 12, 1, 18, tzinfo=dt.timezone.utc).timestamp())))
    src = make_site(tmp_path / "docs")
    assert main(["fetch", str(src), *services.options()]) == 0
    assert stored(src)["pubmed"][PMID]["custom"]["fetched"] == "2026-12-01"
    services.server.requests.clear()
    assert main(["refresh", str(src), "--older-than", "19h", *services.options()]) == 0
    assert services.paths() == []
    assert "fetched 19 hours ago or more" in capsys.readouterr().out
    assert main(["refresh", str(src), "--older-than", "18h", *services.options()]) == 0
    assert EFETCH_PATH in services.paths()


def test_only_refreshes_the_named_sources(site, services, capsys):
    assert main(["refresh", str(site), "--only", "PubMed", *services.options()]) == 0
    assert services.paths() == [EFETCH_PATH]
    lock = stored(site)
    assert lock["pubmed"][PMID]["custom"]["fetched"] == today().isoformat()
    assert lock["crossref"][WAKEFIELD]["custom"]["fetched"] != today().isoformat()
    assert "(PubMed 1)" in capsys.readouterr().out
    services.server.requests.clear()
    assert main(["refresh", str(site), *services.options(), "--only", "crossref", "crossref-updates"]) == 0
    assert EFETCH_PATH not in services.paths() and services.paths()


def test_a_record_without_a_date_counts_as_old(site, services, capsys):
    data = stored(site)
    data["pubmed"][PMID]["custom"].pop("fetched")
    (site / "evidence.lock.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["refresh", str(site), "--older-than", "100000d", "--only", "pubmed", *services.options()]) == 0
    assert stored(site)["pubmed"][PMID]["custom"]["fetched"] == today().isoformat()


# -- output ------------------------------------------------------------------------------------------------


def test_quiet_prints_only_the_changes(site, services, capsys):
    assert main(["refresh", str(site), "--quiet", *services.options()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"PMID {PMID} (PubMed): The origin of Palestinians")
    assert "Asked again" not in out and "Wrote" not in out
    backdate(site / "evidence.lock.json", 40)
    assert main(["refresh", str(site), "-q", *services.options()]) == 0
    assert capsys.readouterr() == ("", "")  # nothing changed: nothing said


def test_nothing_changed_but_the_dates(site, services, capsys):
    services.before()
    assert main(["refresh", str(site), *services.options()]) == 0
    out = capsys.readouterr().out
    assert "Nothing changed but the dates of the checks.\n" in out
    assert stored(site)["pubmed"][PMID]["custom"]["fetched"] == today().isoformat()


class Terminal:
    """Standard error as a terminal, kept in memory."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_a_progress_line_on_a_terminal_once_a_run_takes_a_while(site, services, capsys, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(refresh, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["refresh", str(site), *services.options()]) == 0
    assert "\rsphinx-evidence: refreshed 1 of 3 record(s) (PubMed)" in terminal.text
    assert "\rsphinx-evidence: refreshed 3 of 3 record(s) (Crossref correction links)  \n" in terminal.text
    backdate(site / "evidence.lock.json", 40)
    terminal.text = ""
    assert main(["refresh", str(site), "--quiet", *services.options()]) == 0
    assert "refreshed" not in terminal.text
    assert "refreshed" not in capsys.readouterr().err  # not a terminal: never


def test_no_progress_line_before_a_few_seconds(site, services, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["refresh", str(site), *services.options()]) == 0
    assert "refreshed" not in terminal.text


def test_pubmed_records_go_in_batches_of_200(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs")
    element = retracted_pubmed()
    pmids = [str(20_000_000 + n) for n in range(450)]
    records = {}
    for pmid in pmids:
        services.eutils.add_record(element.replace(f">{PMID}</PMID>".encode(), f">{pmid}</PMID>".encode(), 1))
        records[pmid] = {"id": f"pmid:{pmid}", "type": "article-journal", "title": "x",
                         "custom": {"fetched": "2020-01-01", "source": "pubmed"}}
    (src / "evidence.lock.json").write_text(lockfile.dumps({"pubmed": records}), encoding="utf-8")
    assert main(["refresh", str(src), "--format", "json", *services.options()]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["asked"] == {"pubmed": 450} and report["requests"] == 3
    assert [len(r.param("id").split(",")) for r in services.eutils.requests] == [200, 200, 50]
    assert len(stored(src)["pubmed"]) == 450


# -- exit statuses -----------------------------------------------------------------------------------------


def test_a_failed_fetch_exits_1_and_keeps_the_records(site, services, capsys):
    before = stored(site)
    services.server.queue(EFETCH_PATH, *[Canned(500, {}, b"down")] * 2)  # the request and its one retry
    assert main(["refresh", str(site), "--only", "pubmed", *services.options()]) == 1
    err = capsys.readouterr().err
    assert "sphinx-evidence: PubMed: " in err and "500" in err
    assert stored(site)["pubmed"] == before["pubmed"]
    assert "Traceback" not in err


def test_no_network_exits_1_with_one_message(site, services, capsys):
    nowhere = closed_port_url()
    status = main(["refresh", str(site), *services.options(), "-D", f"evidence_eutils_url={nowhere}entrez/eutils/",
                   "-D", f"evidence_crossref_url={nowhere}"])
    assert status == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("sphinx-evidence:")]
    assert len(lines) == 1 and lines[0].startswith("sphinx-evidence: no network:")
    assert "3 record(s) were not refreshed" in lines[0]


def test_the_network_deadline_applies(site, services, capsys):
    services.server.queue(EFETCH_PATH, Canned(200, {}, b"", delay=5))
    status = main(["refresh", str(site), *services.options(), "-D", "evidence_network_deadline=0.5"])
    assert status == 1
    err = capsys.readouterr().err
    assert "the network deadline of 0.5 s (evidence_network_deadline) passed" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX permissions; prctl(2) when root")
def test_a_lockfile_that_cannot_be_written_exits_1(site, services):
    from test_cli import as_ordinary_user, cli

    before = (site / "evidence.lock.json").read_bytes()
    site.chmod(0o555)
    try:
        result = subprocess.run(cli("refresh", str(site), *services.options(), first=as_ordinary_user()),
                                capture_output=True, text=True, timeout=300, check=False)
    finally:
        site.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert f"sphinx-evidence: cannot write {site / 'evidence.lock.json'}" in result.stderr
    assert "new retraction" in result.stdout and "Wrote" not in result.stdout
    assert (site / "evidence.lock.json").read_bytes() == before
    assert "Traceback" not in result.stderr


def test_offline_exits_1_without_a_request(site, services, capsys, monkeypatch):
    before = (site / "evidence.lock.json").read_bytes()
    monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    assert main(["refresh", str(site), *services.options()]) == 1
    assert capsys.readouterr().err == ("sphinx-evidence: SPHINX_EVIDENCE_OFFLINE is set, so nothing was refreshed "
                                       "and the lockfile is unchanged; unset it to refresh\n")
    monkeypatch.delenv("SPHINX_EVIDENCE_OFFLINE")
    assert main(["refresh", str(site), "-D", "evidence_offline=1", *services.options()]) == 1
    assert "-D evidence_offline is on" in capsys.readouterr().err
    assert services.paths() == [] and (site / "evidence.lock.json").read_bytes() == before


def test_conf_py_offline_is_for_builds(site, services):
    (site / "conf.py").write_text(CONF + "evidence_offline = True\n", encoding="utf-8")
    assert main(["refresh", str(site), *services.options()]) == 0
    assert EFETCH_PATH in services.paths()


def test_no_lockfile_or_an_unreadable_one_exits_1(tmp_path, services, capsys):
    src = make_site(tmp_path / "docs")
    assert main(["refresh", str(src), *services.options()]) == 1
    assert capsys.readouterr().err == (f"sphinx-evidence: no lockfile at {src / 'evidence.lock.json'}; "
                                       "run sphinx-evidence fetch first\n")
    (src / "evidence.lock.json").write_text("{not json", encoding="utf-8")
    assert main(["refresh", str(src), *services.options()]) == 1
    err = capsys.readouterr().err
    assert "is not valid JSON" in err and "nothing was refreshed" in err
    for text in ("[]", '"a string"', "null"):  # JSON, but not a lockfile
        (src / "evidence.lock.json").write_text(text, encoding="utf-8")
        assert main(["refresh", str(src), "--older-than", "0d", *services.options()]) == 1
        err = capsys.readouterr().err
        assert "is not a version 1 evidence lockfile" in err and "nothing was refreshed" in err, text
    (src / "evidence.lock.json").unlink()
    (src / "evidence.lock.json").mkdir()
    assert main(["refresh", str(src), *services.options()]) == 1
    err = capsys.readouterr().err
    assert "cannot read" in err and "no lockfile" not in err
    assert services.paths() == []


@pytest.mark.parametrize(("args", "message"), [
    (["--older-than", "3w"], "argument --older-than: '3w' is not an age"),
    (["--older-than=-1d"], "argument --older-than: '-1d' is not an age"),
    (["--only", "pubmd"], "argument --only: invalid choice: 'pubmd'"),
    (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
    (["-D", "evidence_max_age_days=soon"], "evidence_max_age_days must be an integer or None"),
])
def test_usage_errors_exit_2(site, services, capsys, args, message):
    assert main(["refresh", str(site), *args, *services.options()]) == 2
    assert message in capsys.readouterr().err
    assert services.paths() == []


def test_no_conf_py_exits_2(tmp_path, capsys):
    assert main(["refresh", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"sphinx-evidence: no conf.py in {tmp_path} (nor in its docs/, source/ or " \
                                      "docs/source/)\n"


def test_run_as_a_module_errors_are_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "sphinxext_evidence.cli", "refresh", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "SPHINX_EVIDENCE_OFFLINE": ""})
    assert result.returncode == 2
    assert result.stderr.startswith("sphinx-evidence: no conf.py in") and "Traceback" not in result.stderr


# -- evidence_max_age_days in a build ----------------------------------------------------------------------


def _build(make_app, src: Path, services: Services, **conf) -> None:
    build_with(make_app, src, eutils=services.eutils, evidence_openfda_url=services.server.url, **conf)


@pytest.mark.parametrize("name", ["evidence_max_age_days", "evidence_refresh_days"])
def test_a_build_refreshes_cited_records_past_the_age(tmp_path, services, make_app, name):
    src = make_site(tmp_path / "docs", PAGE + "\n" + DRUG_PAGE.split("\n", 3)[3])
    _build(make_app, src, services)
    backdate(src / "evidence.lock.json", 20)
    services.after()
    services.server.requests.clear()
    _build(make_app, src, services, **{name: 30})
    assert services.paths() == []  # 20 days old: not due
    _build(make_app, src, services, **{name: 20})
    asked = services.paths()
    # Every source in one pass: PubMed, openFDA, Crossref and the correction links, each once.
    assert asked.count(EFETCH_PATH) == 1 and asked.count("/drug/drugsfda.json") == 1
    assert asked.count("/works") == 2, asked
    lock = stored(src)
    assert "Retracted Publication" in lock["pubmed"][PMID]["custom"]["publication-types"]
    assert lock["openfda"]["rofecoxib"]["checked"] == today().isoformat()


def test_the_two_names_are_one_setting_the_smaller_wins(tmp_path, make_app):
    src = make_site(tmp_path / "docs")
    app = make_app("dummy", srcdir=src, confoverrides={"evidence_max_age_days": 7, "evidence_refresh_days": 30,
                                                         "evidence_offline": True})
    assert app.config.evidence_refresh_days == app.config.evidence_max_age_days == 7
    app = make_app("dummy", srcdir=src, confoverrides={"evidence_max_age_days": "14", "evidence_offline": True})
    assert app.config.evidence_refresh_days == 14
    app = make_app("dummy", srcdir=src, confoverrides={"evidence_offline": True})
    assert app.config.evidence_refresh_days is None and app.config.evidence_max_age_days is None


# -- the guide's example, as it really prints --------------------------------------------------------------

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guides" / "current.rst"
CLI_PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.rst"
GUIDE_PAGE = f"Population genetics\n===================\n\nAn older study of HLA genes :pmid:`{PMID}`.\n"


def shown(doc: Path, command: str) -> str:
    """The output a console block of ``doc`` shows under ``$ command``."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines[lines.index(f"   $ {command}") + 1:]:
        if not line.startswith("   ") or line.startswith("   $ "):
            break
        out.append(line[3:])
    return "".join(f"{line}\n" for line in out)


def test_the_guide_shows_the_example_as_it_prints(tmp_path, services, capsys, monkeypatch, make_app):
    guide = GUIDE.read_text(encoding="utf-8")
    assert "\n".join(f"   {line}".rstrip() for line in GUIDE_PAGE.splitlines()) in guide
    monkeypatch.chdir(tmp_path)
    src = make_site(Path("docs"), GUIDE_PAGE)
    assert main(["fetch", "docs", *services.options()]) == 0
    assert capsys.readouterr().out == shown(GUIDE, "sphinx-evidence fetch docs")
    app = make_app("html", srcdir=src.resolve(), confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    assert "WARNING" not in warnings(app)  # the first build is clean
    backdate(src / "evidence.lock.json", 40)
    services.after()
    assert main(["refresh", "docs", *services.options()]) == 0
    out = capsys.readouterr().out
    assert out == shown(GUIDE, "sphinx-evidence refresh docs") == shown(CLI_PAGE, "sphinx-evidence refresh docs")
    lock = (src / "evidence.lock.json").read_text(encoding="utf-8")
    for line in ('"source": "Suciu-Foca N, Lewis R. Hum Immunol. 2001 Oct;62(10):1063",', '"Retracted Publication"'):
        assert line in lock and line in guide
    app = make_app("html", srcdir=src.resolve(), confoverrides={"evidence_offline": True}, freshenv=True)
    app.build()
    # (the first application, still set up, has registered the extension's roles: those warnings are left out)
    warned = [w for w in warnings(app).splitlines() if "[evidence." in w]
    assert len(warned) == 1
    assert warned[0].split("index.rst:4: ", 1)[1] in guide
    assert "   docs/index.rst:4: " + warned[0].split("index.rst:4: ", 1)[1] in guide
