"""Builds: parallel equals serial, incremental rebuilds, MyST pages, the lockfile under concurrency."""

from __future__ import annotations

import json
import multiprocessing
import re
from pathlib import Path

from helpers import read, warnings

from sphinxext_evidence.records import lockfile


def fill(make_app, src: Path, eutils) -> None:
    """Fetch the project's records into its lockfile."""
    app = make_app("html", srcdir=src, freshenv=True,
                   confoverrides={"evidence_eutils_url": eutils.base_url})
    app.build()


def test_parallel_build_equals_serial(make_app, project, eutils, tmp_path):
    src = project("citations")
    fill(make_app, src, eutils)
    outputs = {}
    for jobs in (0, 2):
        app = make_app("html", srcdir=src, builddir=tmp_path / f"build-j{jobs}", freshenv=True, parallel=jobs,
                       confoverrides={"evidence_offline": True})
        app.build()
        outputs[jobs] = {name: read(app, name) for name in ("index.html", "other.html")}
        assert "Traceback" not in warnings(app)
    assert outputs[0] == outputs[2]
    assert "National Toxicology Program" in outputs[2]["index.html"]


def test_incremental_rebuild_reads_only_the_edited_page(make_app, project, eutils):
    src = project("citations")
    fill(make_app, src, eutils)
    app = make_app("html", srcdir=src, confoverrides={"evidence_offline": True})
    app.build()
    other = src / "other.rst"
    other.write_text(other.read_text(encoding="utf-8") + "\nAlso :pmid:`21860499`.\n", encoding="utf-8")
    app2 = make_app("html", srcdir=src, confoverrides={"evidence_offline": True})
    app2.build()
    status = re.sub(r"\x1b\[[0-9;]*m", "", app2.status.getvalue())
    assert re.search(r"0 added, 1 changed, 0 removed", status)
    assert re.search(r"reading sources\.\.\. \[100%\] other", status)
    assert not re.search(r"reading sources\.\.\. \[\s*\d+%\] index", status)
    assert "National Toxicology Program" in read(app2, "other.html")


def test_new_record_rewrites_pages_citing_it(make_app, project, eutils):
    src = project("citations")
    offline = make_app("html", srcdir=src, confoverrides={"evidence_offline": True})
    offline.build()
    assert "metadata not available" in read(offline, "other.html")
    # Nothing changed in the sources, but the records arrive: the pages are written again.
    app = make_app("html", srcdir=src, confoverrides={"evidence_eutils_url": eutils.base_url})
    app.build()
    assert "0 added, 0 changed, 0 removed" in app.status.getvalue()
    assert "metadata not available" not in read(app, "other.html")


def test_myst_page(make_app, project):
    src = project("myst")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    html = read(app, "index.html")
    text = re.sub(r"<[^>]+>", "", html)
    assert "A collective author [1] and two more [1, 2]." in text
    assert "National Toxicology Program. Nitrofen. Rep Carcinog. 2011;12:296-7." in text
    assert "Body of the card." in text
    assert "evidence-card" in html


def _save(path: str, ident: str) -> None:
    for i in range(20):
        lockfile.save(Path(path), {"pubmed": {f"{ident}{i}": {"id": f"pmid:{ident}{i}"}}})


def test_concurrent_saves_keep_every_record(tmp_path):
    path = tmp_path / "evidence.lock.json"
    procs = [multiprocessing.Process(target=_save, args=(str(path), str(n))) for n in range(1, 5)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    data = json.loads(path.read_text())
    assert len(data["pubmed"]) == 80
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.lock.json"]  # no temp or lock files left


def test_corrupt_lockfile_is_left_alone(make_app, project, eutils):
    src = project("citations")
    (src / "evidence.lock.json").write_text("<<<<<<< HEAD\n{}\n", encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True, confoverrides={"evidence_eutils_url": eutils.base_url})
    app.build()
    assert re.search(r"evidence\.lock\.json is not valid JSON.*\[evidence\.lockfile\]", warnings(app))
    assert (src / "evidence.lock.json").read_text(encoding="utf-8") == "<<<<<<< HEAD\n{}\n"
    assert "National Toxicology Program" in read(app, "index.html")  # fetched records still used


def test_parallel_fetching_build_equals_serial(make_app, project, eutils, tmp_path):
    """With -j 2 the pages are read in worker processes: what they cite must still reach the fetch stage."""
    import shutil

    src = project("citations")
    outputs, locks = {}, {}
    for jobs in (0, 2):
        copy = tmp_path / f"src-j{jobs}"
        shutil.copytree(src, copy)
        app = make_app("html", srcdir=copy, freshenv=True, parallel=jobs,
                       confoverrides={"evidence_eutils_url": eutils.base_url})
        app.build()
        assert "[evidence.missing]" not in warnings(app)
        outputs[jobs] = {name: read(app, name) for name in ("index.html", "other.html")}
        locks[jobs] = (copy / "evidence.lock.json").read_bytes()
    assert eutils.count == 2  # one POST per build, each for the whole project
    assert locks[0] == locks[2]
    assert outputs[0] == outputs[2]
    assert "González-Reyes S" in outputs[2]["other.html"]  # cited only on the page the other worker read


def test_doi_page_rewritten_when_a_pubmed_record_with_that_doi_arrives(make_app, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_offline = True\n")
    (src / "index.rst").write_text("I\n=\n\nBy DOI only :doi:`10.1136/gutjnl-2016-312510`.\n")
    app = make_app("html", srcdir=src)
    app.build()
    assert "metadata not available" in read(app, "index.html")
    # The lockfile gains (say, from a colleague's commit) the PubMed record that carries this DOI.
    myst_lock = json.loads((Path(__file__).parent / "roots/test-myst/evidence.lock.json").read_text())
    lockfile.save(src / "evidence.lock.json", {"pubmed": {"27797938": myst_lock["pubmed"]["27797938"]}})
    app2 = make_app("html", srcdir=src)
    app2.build()
    html = read(app2, "index.html")
    assert "metadata not available" not in html and "Leucocyte telomere length" in html
