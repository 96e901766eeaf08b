"""Nothing a server does stalls a build past its network deadline, and what came before it is saved.

Each server here keeps every single wait within the read timeout, so only the
deadline can end it: a rate limit of one request a day, a header that gains a
byte now and then, a chunk-size line that never ends.  PubMed (asked first)
answers normally, so its record must reach the lockfile.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fakes import EFETCH_PATH, Canned, EUtilsDouble
from fakes.crossref import JSON_HEADERS, WORKS_PATH
from helpers import build_with, warnings

from sphinxext_evidence.sources import http
from sphinxext_evidence.sources.base import Budget
from sphinxext_evidence.sources.crossref import CrossrefClient
from sphinxext_evidence.sources.http import HttpSettings, PoliteSession
from sphinxext_evidence.sources.pubmed import PubMedClient

DOI = "10.1161/STROKEAHA.115.009416"
EMAIL = "tests@example.org"
EMPTY_LIST = json.dumps({"status": "ok", "message-type": "work-list",
                         "message": {"items": [], "total-results": 0}})
DEADLINE = 3
# Sphinx itself, around the fetch stage, and a margin for a busy machine.
SLACK = 7


def site(tmp_path: Path) -> Path:
    """A one-page project citing a PMID (fetched first) and a DOI."""
    src = tmp_path / "site"
    src.mkdir()
    (src / "conf.py").write_text(f"extensions = ['sphinxext_evidence']\nevidence_email = {EMAIL!r}\n",
                                 encoding="utf-8")
    (src / "index.rst").write_text(f"Site\n====\n\n:pmid:`9997` and :doi:`{DOI}`.\n", encoding="utf-8")
    return src


def bounded_build(make_app, src: Path, **conf) -> str:
    """Build with a short deadline; check it ended near the deadline and saved PubMed's record; the warnings."""
    start = time.monotonic()
    app = build_with(make_app, src, evidence_network_deadline=DEADLINE, evidence_http_timeout=2, **conf)
    took = time.monotonic() - start
    assert took < DEADLINE + SLACK, took
    log = warnings(app)
    lock = json.loads((src / "evidence.lock.json").read_text(encoding="utf-8"))
    assert "9997" in lock["pubmed"]  # fetched before the deadline, and saved
    network = [line for line in log.splitlines() if "[evidence.network]" in line]
    assert len(network) == 1 and f"network deadline of {DEADLINE} s" in network[0], log
    assert "Traceback" not in log
    return log


def test_rate_limit_longer_than_the_deadline_is_not_waited_out(make_app, tmp_path, eutils):
    src = site(tmp_path)
    limit = {"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "86400s"}
    # The batch finds nothing, so the DOI is asked for alone: a second request, after the announced interval.
    eutils.server.queue(WORKS_PATH, Canned(200, {**JSON_HEADERS, **limit}, EMPTY_LIST))
    bounded_build(make_app, src, eutils=eutils)
    assert len(eutils.server.requests_to(WORKS_PATH)) == 1


def test_infinite_rate_limit_interval_is_ignored(make_app, tmp_path, eutils):
    src = site(tmp_path)
    limit = {"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "infs"}
    eutils.server.queue(WORKS_PATH, Canned(200, {**JSON_HEADERS, **limit}, EMPTY_LIST))
    start = time.monotonic()
    app = build_with(make_app, src, eutils=eutils, evidence_network_deadline=DEADLINE)
    assert time.monotonic() - start < DEADLINE + SLACK
    lock = json.loads((src / "evidence.lock.json").read_text(encoding="utf-8"))
    assert "9997" in lock["pubmed"] and DOI.lower() in lock["crossref"]
    assert "[evidence.network]" not in warnings(app)


def test_rate_limit_wait_is_capped_without_a_deadline() -> None:
    client = CrossrefClient("http://127.0.0.1:9/", EMAIL, HttpSettings(min_interval=0), "2026-11-21")
    client._follow_rate_limit({"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "86400s"})
    assert client.session.settings.min_interval <= http.MAX_INTERVAL
    client._follow_rate_limit({"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "infs"})
    assert client.session.settings.min_interval <= http.MAX_INTERVAL


def test_retry_after_beyond_the_longest_wait_is_not_waited_for_without_a_deadline(fake_server) -> None:
    eutils = EUtilsDouble(fake_server)
    fake_server.queue(EFETCH_PATH, Canned(503, {"Retry-After": "86400"}, b"come back tomorrow"))
    http_settings = HttpSettings(timeout=2, retries=3, backoff=0.01, min_interval=0)
    start = time.monotonic()
    result = PubMedClient(eutils.base_url, "t", EMAIL, None, http_settings, "2026-11-21").fetch(["9997"])
    assert time.monotonic() - start < 3
    (error,) = result.errors
    assert "HTTP 503" in error and "not tried again" in error and "86400 s" in error

