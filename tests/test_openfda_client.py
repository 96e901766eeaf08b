"""The openFDA Drugs@FDA client and parser against a real HTTP server on loopback."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fakes.openfda import (  # noqa: F401
    DRUGSFDA_PATH,
    JSON_HEADERS,
    OpenFdaDouble,
    fixture_bytes,
    openfda,
)
from fakes.server import Canned
from helpers import assert_paced

from sphinxext_evidence.records.model import FdaRecord
from sphinxext_evidence.regulatory.fda import fda_status
from sphinxext_evidence.sources.http import HttpSettings
from sphinxext_evidence.sources.openfda import (
    MIN_INTERVAL,
    OpenFdaClient,
    parse_application,
    parse_drugsfda,
    search_expression,
)

FIXTURES = Path(__file__).parent / "fixtures" / "openfda"
TODAY = "2026-11-21"
KEY = "openfda-key-0123456789-SECRET"
FAST = HttpSettings(timeout=1.0, retries=1, backoff=0.01)


def client_for(double: OpenFdaDouble, api_key: str | None = None) -> OpenFdaClient:
    return OpenFdaClient(double.base_url, api_key, FAST, TODAY)


# --------------------------------------------------------------------------- requests


def test_request_shape(openfda: OpenFdaDouble) -> None:  # noqa: F811
    client_for(openfda).fetch(["Semaglutide"])
    (request,) = openfda.requests
    assert request.method == "GET" and request.path == DRUGSFDA_PATH
    assert request.params() == {
        "search": 'openfda.generic_name:"semaglutide" OR openfda.brand_name:"semaglutide" OR '
                  'products.brand_name:"semaglutide" OR products.active_ingredients.name:"semaglutide"',
        "limit": "100",
    }
    assert request.headers["User-Agent"].startswith("sphinxext-evidence/")


def test_query_uses_plus_for_spaces_and_encoded_quotes(openfda: OpenFdaDouble) -> None:  # noqa: F811
    client = client_for(openfda)
    seen: list[str] = []
    original = client.session.session.request

    def spy(method: str, url: str, **kwargs: object) -> object:
        seen.append(url)
        return original(method, url, **kwargs)

    client.session.session.request = spy  # type: ignore[method-assign]
    client.fetch(["oral semaglutide"])
    assert "search=openfda.generic_name:%22oral+semaglutide%22+OR+" in seen[0]
    assert "%2B" not in seen[0]  # a literal '+' would make a term required


def test_api_key_sent_only_when_given(openfda: OpenFdaDouble) -> None:  # noqa: F811
    openfda.valid_keys.add(KEY)
    client_for(openfda).fetch(["semaglutide"])
    client_for(openfda, KEY).fetch(["tirzepatide"])
    assert openfda.requests[0].param("api_key") is None
    assert openfda.requests[1].param("api_key") == KEY


def test_names_are_deduplicated_and_lower_cased(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda).fetch(["Semaglutide", "semaglutide", " SEMAGLUTIDE ", "Cerebrolysin"])
    assert sorted(result.records) == ["cerebrolysin", "semaglutide"]
    assert result.requests == 2 and openfda.count == 2


def test_quotes_in_names_never_break_the_query(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda).fetch(['semaglutide"', 'x\\"y'])
    assert not result.errors  # the double answers an unbalanced quote with the recorded 500
    assert set(result.records) == {"semaglutide", "x y"}


def test_rate_limit_240_per_minute(openfda: OpenFdaDouble) -> None:  # noqa: F811
    assert MIN_INTERVAL == 0.25
    client_for(openfda, None).fetch(["a1", "b2", "c3", "d4"])
    times = [r.time for r in openfda.requests]
    assert len(times) == 4
    assert_paced(times, 0.25)


# --------------------------------------------------------------------------- answers


def test_found_record_shape(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda).fetch(["tirzepatide"])
    assert result.errors == [] and result.unknown == set()
    assert result.records["tirzepatide"] == {
        "name": "tirzepatide",
        "checked": TODAY,
        "total": 1,
        "data_updated": "2025-07-09",
        "applications": [{
            "application_number": "NDA215866",
            "sponsor": "ELI LILLY AND CO",
            "brand_names": ["MOUNJARO", "MOUNJARO (AUTOINJECTOR)"],
            "marketing_status": ["Prescription"],
            "approved": "2022-05-13",
        }],
    }
    assert fda_status(FdaRecord.from_json(result.records["tirzepatide"])) == "approved"


def test_brand_name_and_ingredient_search(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda).fetch(["Xadago", "levonorgestrel"])
    assert [a["application_number"] for a in result.records["xadago"]["applications"]] == ["NDA207145"]
    assert [a["application_number"] for a in result.records["levonorgestrel"]["applications"]] == ["ANDA090721"]


def test_404_no_match_is_not_found(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda).fetch(["Cerebrolysin"])
    assert result.errors == []
    assert result.records == {"cerebrolysin": {"name": "cerebrolysin", "checked": TODAY, "total": 0,
                                               "data_updated": "", "applications": []}}
    # Not "not-approved": a 404 says only that Drugs@FDA has nothing under this name.
    assert fda_status(FdaRecord.from_json(result.records["cerebrolysin"])) == "not-found"


@pytest.mark.parametrize("canned,expected", [
    (Canned(400, JSON_HEADERS, fixture_bytes("drugsfda_400_bad_sort.body.json")),
     "HTTP 400 Bad Request: BAD_REQUEST Sorting allowed by non-analyzed fields only"),
    (Canned(500, JSON_HEADERS, fixture_bytes("drugsfda_500_bad_query.body.json")),
     "HTTP 500 Internal Server Error: SERVER_ERROR Check your request and try again"),
    (Canned(404, {"Content-Type": "text/html"}, b"<html>nginx 404</html>"), "HTTP 404 Not Found"),
    (Canned(200, JSON_HEADERS, b"<html>maintenance</html>"), "the answer is not JSON"),
    (Canned(200, JSON_HEADERS, b'{"meta": {}}'), "the answer has no 'results' list"),
    (Canned(200, JSON_HEADERS, b"[1, 2]"), "the answer is not a JSON object"),
    (Canned(200, JSON_HEADERS, b"\xff\xfe garbage"), "the answer is not JSON"),
])
def test_failures_are_errors_not_records(openfda: OpenFdaDouble, canned: Canned, expected: str) -> None:  # noqa: F811
    openfda.server.queue(DRUGSFDA_PATH, canned, canned)  # the request and its retry (for 5xx)
    result = client_for(openfda).fetch(["semaglutide"])
    assert result.records == {} and result.unknown == set()
    (error,) = result.errors
    assert error.startswith("openFDA look-up of 'semaglutide' failed: ") and expected in error, error


def test_403_invalid_key_is_scrubbed(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda, KEY).fetch(["semaglutide"])
    (error,) = result.errors
    assert "HTTP 403" in error and "API_KEY_INVALID" in error
    assert KEY not in error


def test_timeout_is_an_error_without_the_key(openfda: OpenFdaDouble) -> None:  # noqa: F811
    openfda.valid_keys.add(KEY)
    slow = Canned(200, JSON_HEADERS, b"{}", delay=3.0)
    openfda.server.queue(DRUGSFDA_PATH, slow, slow)
    result = client_for(openfda, KEY).fetch(["semaglutide"])
    (error,) = result.errors
    assert "Timeout" in error or "timed out" in error
    assert KEY not in error and "api_key=***" in error


def test_retry_after_500_then_success(openfda: OpenFdaDouble) -> None:  # noqa: F811
    openfda.server.queue(DRUGSFDA_PATH, Canned(500, JSON_HEADERS, fixture_bytes("drugsfda_500_bad_query.body.json")))
    result = client_for(openfda).fetch(["semaglutide"])
    assert result.errors == [] and "semaglutide" in result.records
    assert openfda.count == 2


def test_one_failure_does_not_lose_other_names(openfda: OpenFdaDouble) -> None:  # noqa: F811
    openfda.server.queue(DRUGSFDA_PATH, Canned(400, JSON_HEADERS, fixture_bytes("drugsfda_400_bad_sort.body.json")))
    result = client_for(openfda).fetch(["cerebrolysin", "semaglutide"])
    assert list(result.records) == ["semaglutide"] and len(result.errors) == 1


def test_not_a_name_is_not_sent(openfda: OpenFdaDouble) -> None:  # noqa: F811
    result = client_for(openfda).fetch(['"', "  "])
    assert openfda.count == 0 and result.records == {} and len(result.errors) == 1


# --------------------------------------------------------------------------- parser


def test_parse_recorded_semaglutide_body() -> None:
    record = parse_drugsfda(fixture_bytes("drugsfda_200_semaglutide_limit2.body.json"), "Semaglutide", TODAY)
    assert record.name == "semaglutide" and record.total == 3 and record.data_updated == "2025-07-09"
    assert [(a.number, a.sponsor, a.brand_names, a.approved) for a in record.applications] == [
        ("NDA213051", "NOVO", ("RYBELSUS",), "2019-09-20"),
        ("NDA215256", "NOVO", ("WEGOVY",), "2021-06-04"),
    ]
    assert record.applications[1].url.endswith("ApplNo=215256")


def test_marketing_status_lookup_codes() -> None:
    lookup = dict(line.split("\t") for line in
                  (FIXTURES / "drugsfda_MarketingStatus_Lookup.txt").read_text(encoding="utf-8").splitlines()[1:])
    for code, text in lookup.items():
        app = parse_application({"application_number": "NDA1", "products": [{"marketing_status": code}]})
        assert app is not None and app.marketing_status == (text,)


@pytest.mark.parametrize("statuses,expected", [
    (["Discontinued"], "discontinued"),
    (["3"], "discontinued"),
    (["Discontinued", "Prescription"], "approved"),
    (["Over-the-counter"], "approved"),
    (["None (Tentative Approval)"], "tentative"),
    (["4"], "tentative"),
    ([], "unclear"),  # products without a marketing status: nothing to confirm either way
])
def test_status_from_products(statuses: list[str], expected: str) -> None:
    body = json.dumps({"results": [{"application_number": "ANDA1",
                                    "products": [{"marketing_status": s} for s in statuses]}]}).encode()
    assert fda_status(parse_drugsfda(body, "x", TODAY)) == expected


def test_results_without_application_number_are_skipped() -> None:
    body = json.dumps({"results": [{"sponsor_name": "X"}, "junk", {"application_number": "NDA2"}]}).encode()
    assert [a.number for a in parse_drugsfda(body, "x", TODAY).applications] == ["NDA2"]


def test_search_expression() -> None:
    assert search_expression('  Oral  "Semaglutide" ') == " OR ".join(
        f'{f}:"oral semaglutide"' for f in ("openfda.generic_name", "openfda.brand_name",
                                            "products.brand_name", "products.active_ingredients.name"))


def test_key_is_redacted_in_urllib3_retry_logs(openfda: OpenFdaDouble, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    from fakes.openfda import DRUGSFDA_PATH

    openfda.valid_keys.add(KEY)
    openfda.server.queue(DRUGSFDA_PATH, Canned(500, {}, b"{}"))
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        client_for(openfda, KEY).fetch(["semaglutide"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "api_key=***" in logged  # urllib3 did log the retried URL ...
    assert KEY not in logged  # ... without the key


# --------------------------------------------------------------------------- what a record can and cannot say


def test_recorded_total_beyond_the_results_is_kept(openfda: OpenFdaDouble) -> None:  # noqa: F811
    """The recorded tirzepatide answer counts 2 applications and sends 1 (it was asked for limit=1)."""
    record = parse_drugsfda(fixture_bytes("drugsfda_200_tirzepatide_limit1.body.json"), "tirzepatide", TODAY)
    assert record.total == 2 and [a.number for a in record.applications] == ["NDA215866"]
    assert record.not_shown == 1
    openfda.answer_with("semaglutide", "drugsfda_200_semaglutide_limit2.body.json")
    stored = client_for(openfda).fetch(["Semaglutide"]).records["semaglutide"]
    assert stored["total"] == 3 and len(stored["applications"]) == 2
    assert FdaRecord.from_json(stored).not_shown == 1


def test_discontinued_applications_from_drugsfda_data(openfda: OpenFdaDouble) -> None:  # noqa: F811
    """Vioxx's three NDAs, every product marketing status 3, as the Drugs@FDA data files have them."""
    result = client_for(openfda).fetch(["rofecoxib", "Vioxx"])
    assert result.errors == []
    for key in ("rofecoxib", "vioxx"):
        record = FdaRecord.from_json(result.records[key])
        assert [a.number for a in record.applications] == ["NDA021042", "NDA021052", "NDA021647"]
        assert {a.marketing_status for a in record.applications} == {("Discontinued",)}
        assert record.applications[0].approved == "1999-05-20" and record.applications[0].sponsor == "MERCK"
        assert fda_status(record) == "discontinued"


def test_built_fixture_matches_its_drugsfda_rows() -> None:
    """The built records say what the copied Drugs@FDA rows say (a check on the fixture itself)."""
    rows = (FIXTURES / "drugsfda_data_files_rofecoxib_rows.txt").read_text(encoding="utf-8")
    section = rows.split("## MarketingStatus.txt\n")[1].split("##")[0].splitlines()[1:]
    statuses = {(appl, product): code for code, appl, product in (line.split("\t") for line in section)}
    built = json.loads((FIXTURES / "drugsfda_built_rofecoxib_discontinued.json").read_text(encoding="utf-8"))
    pairs = {(r["application_number"][3:], p["product_number"]): p["marketing_status"]
             for r in built["results"] for p in r["products"]}
    assert set(pairs) == set(statuses) and len(pairs) == 8
    assert set(statuses.values()) == {"3"} and set(pairs.values()) == {"Discontinued"}
