"""Network faults below and around HTTP, against real loopback servers.

A build must stay bounded in time (a network deadline), give up at once on a
network that is not there, remember failing identifiers for a while, keep
every record a fault did not touch, keep request paths where they belong, cap
answers in size, and never carry credentials to another origin.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests
from fakes import EFETCH_PATH, Canned, EUtilsDouble, FakeServer
from fakes.crossref import WORKS_PATH, CrossrefDouble
from fakes.eutils import XML_HEADERS, with_pmid
from fakes.openfda import DRUGSFDA_PATH, OpenFdaDouble, openfda  # noqa: F401
from fakes.server import SilentListener, closed_port_url
from helpers import build_with, warnings

from sphinxext_evidence.fetch import FAILED_FILE
from sphinxext_evidence.sources import pubmed
from sphinxext_evidence.sources.base import Budget, path_segment
from sphinxext_evidence.sources.crossref import CrossrefClient
from sphinxext_evidence.sources.http import HttpSettings, retry_after
from sphinxext_evidence.sources.openfda import OpenFdaClient
from sphinxext_evidence.sources.pubmed import PubMedClient

LOCK = "evidence.lock.json"
TODAY = "2026-11-21"
KEY = "ncbi-key-0123456789-SECRET"
EMAIL = "tests@example.org"
DOI = "10.1161/STROKEAHA.115.009416"
FAST = HttpSettings(timeout=2.0, retries=1, backoff=0.01, min_interval=0)


def site(tmp_path: Path, text: str = f"A paper :pmid:`9997` and a DOI :doi:`{DOI}`.") -> Path:
    """A one-page project citing ``text``."""
    src = tmp_path / "site"
    src.mkdir()
    (src / "conf.py").write_text(f"extensions = ['sphinxext_evidence']\nevidence_email = {EMAIL!r}\n"
                                 "exclude_patterns = ['_build']\n", encoding="utf-8")
    (src / "index.rst").write_text(f"Site\n====\n\n{text}\n", encoding="utf-8")
    return src


def timed_build(make_app, src: Path, **conf) -> tuple[object, float]:
    """Build ``src`` and return the app and the seconds it took."""
    start = time.monotonic()
    app = build_with(make_app, src, **conf)
    return app, time.monotonic() - start


def locked(src: Path, section: str) -> dict:
    """One section of the project's lockfile (empty when there is no lockfile)."""
    path = src / LOCK
    return json.loads(path.read_text(encoding="utf-8")).get(section, {}) if path.exists() else {}


def tagged(log: str, subtype: str) -> list[str]:
    """The warning lines of ``evidence.<subtype>``."""
    return [line for line in log.splitlines() if f"[evidence.{subtype}]" in line]


# --------------------------------------------------------------------------- a bounded build


def test_trickling_answer_is_cut_at_the_deadline_and_earlier_records_are_saved(make_app, tmp_path, eutils):
    src = site(tmp_path)
    # Each byte arrives well within the read timeout; the whole body would take 50 s.
    eutils.server.queue(WORKS_PATH, Canned(200, {"Content-Type": "application/json"}, b" " * 1000, trickle=0.05))
    app, took = timed_build(make_app, src, eutils=eutils, evidence_http_timeout=2, evidence_network_deadline=3)
    assert took < 20
    log = warnings(app)
    assert "9997" in locked(src, "pubmed")  # fetched before the deadline, and saved
    assert not tagged(log, "fetch"), log  # cut short by the deadline is skipped, not failed
    (network,) = tagged(log, "network")
    assert "network deadline of 3 s" in network and "next build fetches the rest" in network
    assert len(eutils.server.requests_to(WORKS_PATH)) == 1  # the correction-links pass was not started
    # Not remembered as a failure: the next build asks for it again at once.
    build_with(make_app, src, eutils=eutils, evidence_http_timeout=2, evidence_network_deadline=3)
    assert len(eutils.server.requests_to(WORKS_PATH)) > 1


def test_retry_after_longer_than_the_time_left_is_not_waited_for(make_app, tmp_path, eutils):
    src = site(tmp_path, "A paper :pmid:`9997`.")
    eutils.server.queue(EFETCH_PATH, Canned(429, {"Retry-After": "100"}, b"slow down"))
    app, took = timed_build(make_app, src, eutils=eutils, retries=3, evidence_network_deadline=5)
    assert took < 20
    assert eutils.count == 1  # not tried again
    (failed,) = tagged(warnings(app), "fetch")
    assert "HTTP 429" in failed and "not tried again: the 100 s wait" in failed
    assert "evidence_network_deadline" in failed


def test_retry_after_within_the_time_left_is_waited_for(make_app, tmp_path, eutils):
    src = site(tmp_path, "A paper :pmid:`9997`.")
    eutils.server.queue(EFETCH_PATH, Canned(429, {"Retry-After": "1"}, b"slow down"))
    app, took = timed_build(make_app, src, eutils=eutils, retries=3, evidence_network_deadline=30)
    assert took >= 1 and eutils.count == 2
    assert "9997" in locked(src, "pubmed") and not tagged(warnings(app), "fetch")


@pytest.mark.parametrize(("value", "wait"), [("120", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
                                             ("soon", None), ("", None)])
def test_retry_after_header(value: str, wait: float | None) -> None:
    answer = requests.Response()
    answer.headers["Retry-After"] = value
    assert retry_after(answer) == wait  # a date in the past asks for no wait


class _Sleeper:
    """A loopback HTTP server that takes every request and never answers it."""

    def __enter__(self) -> _Sleeper:
        self.server = FakeServer().start()
        self.server.fallback = lambda request: Canned(200, {}, b"", delay=3600)
        return self

    @property
    def url(self) -> str:
        return self.server.url

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


@pytest.mark.parametrize("host", [SilentListener, _Sleeper], ids=["never-accepts", "accepts-and-sleeps"])
def test_host_that_never_answers_is_bounded_by_the_deadline(make_app, tmp_path, host):
    src = site(tmp_path, "A paper :pmid:`9997`, a DOI :doi:`10.1161/STROKEAHA.115.009416` and a drug "
                         ":fda:`semaglutide`.")
    with host() as silent:
        urls = {name: silent.url for name in ("evidence_eutils_url", "evidence_crossref_url", "evidence_openfda_url")}
        # The defaults would allow 5 tries of 30 s each, per request.
        app, took = timed_build(make_app, src, evidence_http_timeout=30, evidence_http_retries=4,
                                evidence_http_backoff=1.0, evidence_network_deadline=5, **urls)
    assert took < 30
    log = warnings(app)
    assert re.search(r"PubMed fetch failed: .*timed out.*not tried again.*\[evidence\.fetch\]", log), log
    (network,) = tagged(log, "network")
    assert "network deadline of 5 s" in network
    assert not (src / LOCK).exists() and "Traceback" not in log


def test_deadline_is_checked_while_a_body_arrives() -> None:
    with FakeServer() as server:
        eutils = EUtilsDouble(server)
        server.queue(EFETCH_PATH, Canned(200, XML_HEADERS, b" " * 500, trickle=0.05))
        http = HttpSettings(timeout=5, retries=2, backoff=0.01, min_interval=0, budget=Budget(1.5))
        start = time.monotonic()
        result = PubMedClient(eutils.base_url, "t", EMAIL, None, http, TODAY).fetch(["9997", "993"])
    assert time.monotonic() - start < 10
    assert result.errors == [] and result.records == {}
    assert result.skipped == {"9997", "993"}  # cut short by the deadline: asked for again by the next build


# --------------------------------------------------------------------------- no network at all


@pytest.mark.parametrize("where", ["refused", "no-dns"])
def test_no_network_skips_every_source_with_one_warning(make_app, tmp_path, fake_server, where):
    src = site(tmp_path)
    crossref = CrossrefDouble(fake_server)  # reachable, but it must not even be asked
    dead = closed_port_url() if where == "refused" else "http://nonexistent.invalid/"
    # Retries and back-off as shipped: 4 retries with waits of 0, 2, 4 and 8 s.
    app, took = timed_build(make_app, src, evidence_eutils_url=dead + "entrez/eutils/",
                            evidence_crossref_url=crossref.base_url, evidence_http_retries=4,
                            evidence_http_backoff=1.0)
    assert took < 12
    assert crossref.requests == []
    log = warnings(app)
    (network,) = tagged(log, "network")
    assert network.count("WARNING") == 1 and "no network: cannot connect to" in network
    assert ("does not resolve" in network) == (where == "no-dns")
    assert "SPHINX_EVIDENCE_OFFLINE=1" in network and "evidence_offline = True" in network
    assert not tagged(log, "fetch") and "Traceback" not in log
    assert not Path(app.doctreedir, FAILED_FILE).exists()  # not the identifiers' fault: nothing remembered


def test_no_network_skips_the_other_batches_of_the_same_source() -> None:
    pmids = [str(30000000 + i) for i in range(450)]
    result = PubMedClient(closed_port_url(), "t", EMAIL, KEY, FAST, TODAY).fetch(pmids)
    assert len(result.errors) == 1 and result.errors == result.network_errors  # 3 batches, 1 attempt
    assert result.skipped == set(pmids) and KEY not in result.errors[0]


# --------------------------------------------------------------------------- failing identifiers remembered


def test_failed_identifiers_wait_for_their_retry_time(make_app, tmp_path, eutils):
    src = site(tmp_path, "A paper :pmid:`9997`.")
    eutils.server.queue(EFETCH_PATH, Canned(500, {}, b"Internal Server Error"))
    first = build_with(make_app, src, eutils=eutils, retries=0)
    assert eutils.count == 1 and tagged(warnings(first), "fetch")
    memory = Path(first.doctreedir, FAILED_FILE)
    assert "pubmed:9997" in json.loads(memory.read_text(encoding="utf-8"))["failed"]
    assert not (src / LOCK).exists() or "9997" not in (src / LOCK).read_text(encoding="utf-8")

    second = build_with(make_app, src, eutils=eutils, retries=0)
    assert eutils.count == 1  # not asked again within evidence_retry_failed_after
    (held,) = [w for w in tagged(warnings(second), "fetch") if "not asked for again" in w]
    assert "PubMed 9997" in held and FAILED_FILE in held

    # Later: the retry time has passed.
    data = json.loads(memory.read_text(encoding="utf-8"))
    data["failed"] = {key: when - 3600 for key, when in data["failed"].items()}
    memory.write_text(json.dumps(data), encoding="utf-8")
    third = build_with(make_app, src, eutils=eutils, retries=0)
    assert eutils.count == 2 and "9997" in locked(src, "pubmed")
    assert not tagged(warnings(third), "fetch") and not memory.exists()  # a success forgets the failure


def test_retry_failed_after_zero_always_asks_again(make_app, tmp_path, eutils):
    src = site(tmp_path, "A paper :pmid:`9997`.")
    eutils.server.queue(EFETCH_PATH, Canned(500, {}, b"Internal Server Error"))
    build_with(make_app, src, eutils=eutils, retries=0)
    build_with(make_app, src, eutils=eutils, retries=0, evidence_retry_failed_after=0)
    assert eutils.count == 2 and "9997" in locked(src, "pubmed")


# --------------------------------------------------------------------------- one failure loses nothing else


def test_unexpected_error_in_one_batch_keeps_the_other_batches(make_app, tmp_path, eutils, monkeypatch):
    template = eutils.records["21860499"]
    pmids = [str(30000000 + i) for i in range(450)]
    for pmid in pmids:
        eutils.add_record(with_pmid(template, pmid))
    calls = []
    real = pubmed.parse_pubmed_xml

    def second_batch_breaks(body: bytes, today: str) -> dict:
        calls.append(1)
        if len(calls) == 2:
            raise KeyError("a parser bug")
        return real(body, today)

    monkeypatch.setattr(pubmed, "parse_pubmed_xml", second_batch_breaks)
    src = site(tmp_path, " ".join(f":pmid:`{p}`" for p in pmids))
    app = build_with(make_app, src, eutils=eutils)
    assert len(locked(src, "pubmed")) == 250  # batches of 200 and 50 saved, the broken one of 200 not
    log = warnings(app)
    assert re.search(r"PubMed fetch failed: PubMed efetch for 200 PMIDs .*unexpected error \(KeyError: "
                     r"'a parser bug'\).*\[evidence\.fetch\]", log), log
    assert "Traceback" not in log


def test_unexpected_error_in_one_source_keeps_the_others(make_app, tmp_path, eutils, monkeypatch):
    def broken(self, ids):
        raise RuntimeError("client bug")

    monkeypatch.setattr(PubMedClient, "fetch", broken)
    src = site(tmp_path)
    app = build_with(make_app, src, eutils=eutils)
    assert DOI.lower() in locked(src, "crossref")  # the next source still fetched, and saved
    log = warnings(app)
    assert re.search(r"PubMed fetch failed: unexpected error \(RuntimeError: client bug\).*\[evidence\.fetch\]",
                     log), log
    assert "Traceback" not in log


# --------------------------------------------------------------------------- request safety


@pytest.mark.parametrize("doi", ["10.1234/../../admin", "10.1234/./../x", "10.1234/a/..", "10.1234/x?y=1#z",
                                 "10.1234/%2e%2e/%2e%2e/admin", "10.1234/..\\..\\admin"])
def test_identifier_cannot_leave_the_works_path(fake_server, doi):
    CrossrefDouble(fake_server)
    fake_server.fallback = lambda request: Canned(404, {}, b"Resource not found.")
    CrossrefClient(fake_server.url, EMAIL, FAST, TODAY).fetch([doi])
    paths = [r.path for r in fake_server.requests]
    assert len(paths) == 2 and paths[0] == WORKS_PATH  # the batch, then the DOI alone
    assert paths[1].startswith("/works/10.1234/"), paths
    assert not re.search(r"(^|/)\.\.?(/|$)", paths[1]) and "?" not in paths[1]


def test_path_segment_encodes_dot_segments_and_odd_characters() -> None:
    assert path_segment("10.1234/../x") == "10.1234/%2E%2E/x"
    assert path_segment("10.1234/a.b") == "10.1234/a.b"
    assert path_segment("10.1002/(SICI)1097:4<1>;2-X") == "10.1002/(SICI)1097:4%3C1%3E;2-X"
    assert path_segment("a b%?#") == "a%20b%25%3F%23"


@pytest.mark.parametrize("length", [True, False], ids=["with-length", "until-close"])
def test_answer_larger_than_the_cap_is_a_failure(fake_server, length):
    eutils = EUtilsDouble(fake_server)
    fake_server.queue(EFETCH_PATH, Canned(200, XML_HEADERS, b"<x>" + b" " * 200_000 + b"</x>", length=length))
    http = HttpSettings(timeout=2, retries=0, backoff=0.01, min_interval=0, max_body=100_000)
    client = PubMedClient(eutils.base_url, "t", EMAIL, None, http, TODAY)
    result = client.fetch(["9997"])
    (error,) = result.errors
    assert "too large" in error and result.records == {}
    assert "9997" in client.fetch(["9997"]).records  # a normal answer still fits


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file:///etc/", "127.0.0.1/entrez/"])
def test_only_http_and_https(url):
    result = PubMedClient(url, "t", EMAIL, KEY, FAST, TODAY).fetch(["9997"])
    (error,) = result.errors
    assert "only http:// and https://" in error and KEY not in error


# --------------------------------------------------------------------------- credentials stay home


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_pubmed_redirect_to_another_port_carries_no_key(fake_server, status):
    eutils = EUtilsDouble(fake_server)
    with FakeServer() as elsewhere:
        elsewhere.fallback = eutils.efetch
        fake_server.queue(EFETCH_PATH, Canned(status, {"Location": elsewhere.url + EFETCH_PATH.lstrip("/")}))
        result = PubMedClient(eutils.base_url, "t", EMAIL, KEY, FAST, TODAY).fetch(["9997"])
    assert elsewhere.requests == []
    (error,) = result.errors
    assert f"HTTP {status}: redirected to http://127.0.0.1:" in error and "not followed" in error
    assert KEY not in error and result.records == {}
    assert eutils.requests[0].param("api_key") == KEY  # it went to the configured origin only


def test_crossref_and_openfda_redirects_stay_home(fake_server, openfda):  # noqa: F811
    with FakeServer() as elsewhere:
        fake_server.fallback = lambda request: Canned(302, {"Location": elsewhere.url + "works"})
        crossref = CrossrefClient(fake_server.url, EMAIL, FAST, TODAY).fetch([DOI])
        openfda.valid_keys.add(KEY)
        openfda.server.queue(DRUGSFDA_PATH, Canned(307, {"Location": elsewhere.url + "drug/drugsfda.json?x=1"}))
        fda = OpenFdaClient(openfda.base_url, KEY, FAST, TODAY).fetch(["semaglutide"])
    assert elsewhere.requests == []
    assert crossref.records == {} and any("not followed" in e for e in crossref.errors)
    assert fda.records == {} and "not followed" in fda.errors[0] and KEY not in fda.errors[0]


def test_redirect_within_the_origin_is_followed(fake_server):
    eutils = EUtilsDouble(fake_server)
    moved = "/entrez/eutils/efetch-moved.fcgi"
    fake_server.route(moved, eutils.efetch)
    fake_server.queue(EFETCH_PATH, Canned(307, {"Location": moved}))
    result = PubMedClient(eutils.base_url, "t", EMAIL, KEY, FAST, TODAY).fetch(["9997"])
    assert "9997" in result.records and result.errors == []
    (again,) = fake_server.requests_to(moved)
    assert again.method == "POST" and again.param("id") == "9997" and again.param("api_key") == KEY


def test_build_with_a_redirecting_service_keeps_the_key_home(make_app, tmp_path, eutils, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    src = site(tmp_path, "A paper :pmid:`9997`.")
    with FakeServer() as elsewhere:
        eutils.server.queue(EFETCH_PATH, Canned(307, {"Location": elsewhere.url + "efetch.fcgi"}))
        app = build_with(make_app, src, eutils=eutils)
    assert elsewhere.requests == []
    (failed,) = tagged(warnings(app), "fetch")
    assert "redirected to http://127.0.0.1:" in failed and KEY not in failed


# --------------------------------------------------------------------------- the budget itself


def test_budget() -> None:
    assert Budget().left() is None and not Budget().over()
    budget = Budget(0.2)
    assert 0 < budget.left() <= 0.2  # type: ignore[operator]
    budget.check()
    time.sleep(0.25)
    assert budget.over() and budget.left() == 0
    with pytest.raises(Exception, match="deadline of 0.2 s"):
        budget.check()
    gone = Budget()
    gone.unreachable = "cannot connect to example.invalid:80: the host name does not resolve"
    with pytest.raises(Exception, match="unreachable"):
        gone.check()
