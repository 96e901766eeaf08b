"""What a killed lockfile writer leaves behind is deleted by the next build, even one that saves nothing."""

from __future__ import annotations

import fcntl
import os

from helpers import warnings

from sphinxext_evidence.records import atomic

LOCK = "evidence.lock.json"


def _project(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_email = 'x@example.org'\n"
                                 "evidence_offline = True\n", encoding="utf-8")
    (src / "index.rst").write_text("Page\n====\n\nNothing cited.\n", encoding="utf-8")
    (src / LOCK).write_text('{"version": 1, "pubmed": {}}\n', encoding="utf-8")
    left = src / f".{LOCK}.k1ll3d.tmp"
    left.write_text('{"version": 1, "pub', encoding="utf-8")  # a killed writer's half-written file
    return src, left


def test_an_offline_build_that_saves_nothing_removes_a_killed_writers_file(make_app, tmp_path) -> None:
    src, left = _project(tmp_path)
    before = (src / LOCK).read_bytes()
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    assert not left.exists()
    assert (src / LOCK).read_bytes() == before
    assert "Traceback" not in warnings(app)


def test_a_file_another_build_is_writing_is_left_alone(tmp_path) -> None:
    src, left = _project(tmp_path)
    fd = os.open(src, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a build writing the lockfile holds it
        atomic.tidy(src / LOCK)
        assert left.exists()
    finally:
        os.close(fd)
    atomic.tidy(src / LOCK)
    assert not left.exists()
