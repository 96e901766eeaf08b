"""The network deadline cuts a request short wherever it waits: in a header, in a chunk-size line.

Each server here sends a byte now and then, so every read ends within the
read timeout and only the deadline's watchdog can end the request.  PubMed
(asked first) answers normally, so its record must reach the lockfile.
"""

from __future__ import annotations

import time

import pytest
from fakes.raw import RawServer, trickled_chunk_size, trickled_header
from test_http_deadline import bounded_build, site

from sphinxext_evidence.sources.base import Budget, ServiceError
from sphinxext_evidence.sources.http import HttpSettings, PoliteSession


def test_header_trickling_in_is_cut_at_the_deadline(make_app, tmp_path, eutils):
    src = site(tmp_path)
    with RawServer(trickled_header(every=0.5)) as slow:
        log = bounded_build(make_app, src, eutils=eutils, evidence_crossref_url=slow.url)
    assert any("deadline" in line for line in log.splitlines() if "[evidence.network]" in line), log


def test_chunk_size_line_trickling_in_is_cut_at_the_deadline(make_app, tmp_path, eutils):
    src = site(tmp_path)
    with RawServer(trickled_chunk_size(every=0.3)) as slow:
        log = bounded_build(make_app, src, eutils=eutils, evidence_crossref_url=slow.url)
    assert any("deadline" in line for line in log.splitlines() if "[evidence.network]" in line), log


def test_cut_answer_is_never_taken_for_a_whole_one() -> None:
    # Cut mid-header, http.client reads what came as headers and an empty body: that must not count as an answer.
    with RawServer(trickled_header(every=0.2)) as slow:
        session = PoliteSession(HttpSettings(timeout=2, retries=2, min_interval=0, budget=Budget(1)))
        start = time.monotonic()
        with pytest.raises(ServiceError, match="deadline"):
            session.request("GET", slow.url + "works")
    assert time.monotonic() - start < 6  # about 2 s here; a missed deadline would never end
