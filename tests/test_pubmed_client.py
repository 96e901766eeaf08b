"""The E-utilities client against a real HTTP server on loopback playing efetch."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fakes import EFETCH_PATH, Canned, EUtilsDouble, FakeServer, RecordedRequest
from fakes.eutils import XML_HEADERS, with_pmid
from helpers import assert_paced

from sphinxext_evidence.sources.http import HttpSettings
from sphinxext_evidence.sources.pubmed import MAX_IDS_PER_REQUEST, PMID_RE, PubMedClient

FIXTURES = Path(__file__).parent / "fixtures" / "eutils"
TODAY = "2025-03-01"
KEY = "0123456789abcdef-SECRET-KEY"
UNKNOWN = "40482261"  # NCBI answered an empty set for it (recorded)
# Small retry/back-off/timeout so fault tests stay fast; min_interval is set by the client.
FAST = HttpSettings(timeout=2.0, retries=2, backoff=0.01)


def client_for(double: EUtilsDouble, api_key: str | None = None, http: HttpSettings = FAST) -> PubMedClient:
    return PubMedClient(double.base_url, "evidence-tests", "tests@example.org", api_key, http, TODAY)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def add_clones(double: EUtilsDouble, count: int, first: int = 30_000_001) -> list[str]:
    """Register ``count`` records *derived* from the recorded 21860499 (only the PMID changed)."""
    template = double.records["21860499"]
    return [double.add_record(with_pmid(template, str(first + i))) for i in range(count)]


def gaps(double: EUtilsDouble) -> list[float]:
    times = [r.time for r in double.requests]
    return [b - a for a, b in zip(times, times[1:])]


# --------------------------------------------------------------------------- happy paths


def test_known_and_unknown_pmids(eutils: EUtilsDouble) -> None:
    client = client_for(eutils)
    result = client.fetch(["9997", UNKNOWN, "993", "20301577"])
    client.close()
    assert sorted(result.records) == ["20301577", "993", "9997"]
    assert result.records["993"]["custom"]["notices"][0]["type"] == "RetractionIn"
    assert result.records["20301577"]["type"] == "chapter"
    assert result.unknown == {UNKNOWN}
    assert result.errors == []
    assert result.requests == 1 and eutils.count == 1


def test_empty_result_means_unknown(eutils: EUtilsDouble) -> None:
    result = client_for(eutils).fetch([UNKNOWN])
    assert result.records == {} and result.errors == []
    assert result.unknown == {UNKNOWN}


def test_request_shape_and_etiquette(eutils: EUtilsDouble) -> None:
    client_for(eutils, api_key=KEY).fetch(["993", "9997", "993", " 9997 "])
    (request,) = eutils.requests
    assert request.method == "POST"
    assert request.path == EFETCH_PATH
    assert request.query == {}
    assert request.params() == {
        "db": "pubmed",
        "retmode": "xml",
        "id": "993,9997",  # de-duplicated, sorted numerically
        "tool": "evidence-tests",
        "email": "tests@example.org",
        "api_key": KEY,
    }
    assert request.headers["User-Agent"].startswith("sphinxext-evidence/")


def test_no_api_key_param_without_key(eutils: EUtilsDouble) -> None:
    client_for(eutils).fetch(["993"])
    assert "api_key" not in eutils.requests[0].params()


@pytest.mark.parametrize("suffix", ["", "/", "//"])
def test_base_url_joined_robustly(eutils: EUtilsDouble, suffix: str) -> None:
    client = PubMedClient(eutils.base_url.rstrip("/") + suffix, "t", "e@x.org", None, FAST, TODAY)
    assert "993" in client.fetch(["993"]).records
    assert eutils.requests[-1].path == EFETCH_PATH


def test_invalid_pmids_are_unknown_and_not_sent(eutils: EUtilsDouble) -> None:
    result = client_for(eutils).fetch(["0", "-1", "abc", "1234567890", "993"])
    assert result.unknown == {"0", "-1", "abc", "1234567890"}
    assert list(result.records) == ["993"]
    assert eutils.requests[0].params()["id"] == "993"
    assert PMID_RE.match("999999999") and not PMID_RE.match("0993")


def test_nothing_to_fetch_sends_nothing(eutils: EUtilsDouble) -> None:
    result = client_for(eutils).fetch([])
    assert result.requests == 0 and eutils.count == 0


def test_batches_of_at_most_200(eutils: EUtilsDouble) -> None:
    pmids = add_clones(eutils, 450)
    result = client_for(eutils).fetch(list(reversed(pmids)) + pmids[:10])
    assert MAX_IDS_PER_REQUEST == 200
    assert result.requests == 3 and eutils.count == 3
    sent = [r.params()["id"].split(",") for r in eutils.requests]
    assert [len(ids) for ids in sent] == [200, 200, 50]
    assert sum(sent, []) == pmids  # sorted, each once
    assert all(r.method == "POST" for r in eutils.requests)
    assert sorted(result.records) == pmids and not result.unknown and not result.errors
    assert result.records[pmids[-1]]["PMID"] == pmids[-1]


def test_only_requested_pmids_are_kept(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    # NCBI has answered id=-1 with the record of PMID 1 (recorded); serve that for PMID 2.
    fake_server.queue(
        EFETCH_PATH, Canned(200, XML_HEADERS, fixture_bytes("efetch_pubmed_xml_id_minus1_returns_pmid1_hawc.xml"))
    )
    result = client_for(eutils).fetch(["2"])
    assert result.records == {}
    assert result.unknown == {"2"}


# --------------------------------------------------------------------------- rate limit


def test_rate_limit_without_key(eutils: EUtilsDouble) -> None:
    pmids = add_clones(eutils, 3 * MAX_IDS_PER_REQUEST)
    client_for(eutils).fetch(pmids)
    assert eutils.count == 3
    assert_paced([r.time for r in eutils.requests], 1 / 3)


def test_rate_limit_with_key(eutils: EUtilsDouble) -> None:
    pmids = add_clones(eutils, 4 * MAX_IDS_PER_REQUEST)
    client_for(eutils, api_key=KEY).fetch(pmids)
    assert eutils.count == 4
    assert_paced([r.time for r in eutils.requests], 0.1, slack=0.05)
    assert min(gaps(eutils)) < 0.3, gaps(eutils)  # i.e. not held to the no-key pace


# --------------------------------------------------------------------------- faults


def test_429_with_retry_after_then_success(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    fake_server.queue(
        EFETCH_PATH,
        Canned(
            429,
            {"Retry-After": "1", "Content-Type": "application/json"},
            fixture_bytes("rate_limit_429_body_ncbi_doc_example.json"),
        ),
    )
    result = client_for(eutils).fetch(["993"])
    assert list(result.records) == ["993"] and result.errors == []
    assert eutils.count == 2
    assert gaps(eutils)[0] >= 0.95


def test_500_until_give_up(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    fake_server.queue(EFETCH_PATH, *[Canned(500, body=b"Internal Server Error")] * 3)
    client = client_for(eutils)
    result = client.fetch(["993", UNKNOWN])
    assert eutils.count == 3  # first try + FAST.retries
    assert result.records == {} and result.unknown == set()
    assert len(result.errors) == 1 and "HTTP 500" in result.errors[0]
    # the queue is spent: the next fetch succeeds
    assert "993" in client.fetch(["993"]).records


def test_failed_batch_does_not_spoil_the_others(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    pmids = add_clones(eutils, 450)
    doomed = pmids[200]

    def second_batch_fails(request: RecordedRequest) -> Canned:
        if doomed in (request.param("id") or "").split(","):
            return Canned(503, body=b"busy")
        return eutils.efetch(request)

    fake_server.route(EFETCH_PATH, second_batch_fails)
    result = client_for(eutils).fetch(pmids)
    assert eutils.count == 2 + 1 + FAST.retries
    assert len(result.errors) == 1 and "HTTP 503" in result.errors[0]
    assert sorted(result.records) == pmids[:200] + pmids[400:]
    assert not result.unknown


def test_timeout(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    http = HttpSettings(timeout=0.5, retries=1, backoff=0.01)
    fake_server.queue(EFETCH_PATH, *[Canned(200, XML_HEADERS, b"<PubmedArticleSet/>", delay=3)] * 2)
    start = time.monotonic()
    result = client_for(eutils, http=http).fetch(["993"])
    assert time.monotonic() - start < 2.5
    assert result.records == {} and result.unknown == set()
    assert len(result.errors) == 1 and "timed out" in result.errors[0].lower()


def test_truncated_xml(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    data = fixture_bytes("efetch_pubmed_xml_2articles_12091962_9997_season_date.xml")
    fake_server.queue(EFETCH_PATH, Canned(200, XML_HEADERS, data[: len(data) - 200]))
    result = client_for(eutils).fetch(["12091962", "9997"])
    assert result.records == {} and result.unknown == set()
    assert len(result.errors) == 1 and "malformed XML" in result.errors[0]


def test_error_element_body(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    fake_server.queue(EFETCH_PATH, Canned(200, XML_HEADERS, fixture_bytes("esummary_error_xml_no_id.xml")))
    result = client_for(eutils).fetch(["993"])
    assert result.records == {} and result.unknown == set()
    assert result.errors and "Neither query_key nor id specified" in result.errors[0]


def test_json_error_body_with_200(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    body = fixture_bytes("rate_limit_429_body_ncbi_doc_example.json")
    fake_server.queue(EFETCH_PATH, Canned(200, {"Content-Type": "application/json"}, body))
    result = client_for(eutils).fetch(["993"])
    assert result.records == {} and result.unknown == set()
    assert result.errors and "API rate limit exceeded" in result.errors[0]


def test_unreachable_server_is_an_error_not_an_exception() -> None:
    with FakeServer() as server:
        url = server.url
    client = PubMedClient(url, "t", "e@x.org", KEY, HttpSettings(timeout=0.5, retries=1, backoff=0.01), TODAY)
    result = client.fetch(["993"])
    assert result.records == {} and len(result.errors) == 1
    assert KEY not in result.errors[0]


def test_key_never_in_error_text(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    echo = ("bad request for api_key=" + KEY).encode()
    fake_server.queue(
        EFETCH_PATH,
        *[Canned(500, body=echo)] * 3,
        Canned(200, XML_HEADERS, echo),
        *[Canned(200, XML_HEADERS, b"<x/>", delay=3)] * 3,
    )
    client = client_for(eutils, api_key=KEY, http=HttpSettings(timeout=0.5, retries=2, backoff=0.01))
    errors = client.fetch(["993"]).errors + client.fetch(["993"]).errors + client.fetch(["993"]).errors
    assert len(errors) == 3
    assert all(r.params().get("api_key") == KEY for r in eutils.requests)  # it was sent…
    assert not any(KEY in e for e in errors), errors  # …and never shown


# --------------------------------------------------------------------------- answers parsed while the next waits


def test_failures_are_reported_in_the_order_of_the_requests(eutils: EUtilsDouble, fake_server: FakeServer) -> None:
    """Answers are parsed in a second thread; what each request came to is still taken in request order."""
    pmids = add_clones(eutils, 5 * MAX_IDS_PER_REQUEST)
    firsts = {pmids[200]: "malformed", pmids[400]: "busy", pmids[600]: "error"}

    def faults(request: RecordedRequest) -> Canned:
        fault = firsts.get((request.param("id") or "").split(",")[0])
        if fault == "malformed":
            return Canned(200, XML_HEADERS, b"<PubmedArticleSet><PubmedArticle>")
        if fault == "busy":
            return Canned(503, body=b"busy")
        if fault == "error":
            return Canned(200, XML_HEADERS, b"<eFetchResult><ERROR>Cannot retrieve</ERROR></eFetchResult>")
        return eutils.efetch(request)

    fake_server.route(EFETCH_PATH, faults)
    result = client_for(eutils).fetch(pmids)
    assert result.requests == 5
    assert [("malformed" in e, "HTTP 503" in e, "Cannot retrieve" in e) for e in result.errors] == [
        (True, False, False), (False, True, False), (False, False, True)]
    assert sorted(result.records) == pmids[:200] + pmids[800:]
    assert not result.unknown


def test_a_parser_bug_costs_only_its_own_answer(eutils: EUtilsDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    from sphinxext_evidence.sources import pubmed

    pmids = add_clones(eutils, 3 * MAX_IDS_PER_REQUEST)
    real = pubmed.parse_pubmed_xml

    def flaky(body: bytes, today: str) -> dict:
        if pmids[200].encode() in body:
            raise RuntimeError("a bug")
        return real(body, today)

    monkeypatch.setattr(pubmed, "parse_pubmed_xml", flaky)
    result = client_for(eutils).fetch(pmids)
    assert len(result.errors) == 1 and "RuntimeError: a bug" in result.errors[0]
    assert sorted(result.records) == pmids[:200] + pmids[400:]


def test_each_record_comes_with_the_text_the_lockfile_will_hold(eutils: EUtilsDouble, tmp_path: Path) -> None:
    from sphinxext_evidence.records import lockfile

    result = client_for(eutils).fetch(sorted(eutils.records))
    assert len(result.records) > 20 and result.texts.keys() == result.records.keys()
    for pmid, record in result.records.items():
        assert result.texts[pmid] == lockfile.record_text("pubmed", pmid, record)
        assert result.texts[pmid].sound
    with_texts, without = tmp_path / "a.json", tmp_path / "b.json"
    assert lockfile.save(with_texts, {"pubmed": result.records}, {"pubmed": result.texts}) == \
        lockfile.save(without, {"pubmed": result.records})
    assert with_texts.read_bytes() == without.read_bytes()
