"""Redirects are followed only to the origin the HTTP library will really connect to.

A ``Location`` can name one host to one URL parser and another to the next
(``http://other\\@home/``): the checks must judge the address as the request
is sent, refuse such odd addresses outright, and send nothing identifying
(API keys, the contact address in the User-Agent) anywhere else.  A second
loopback host, 127.0.0.2, plays the other origin and must receive nothing.
"""

from __future__ import annotations

import pytest
from fakes import EFETCH_PATH, Canned, EUtilsDouble
from fakes.crossref import WORKS_PATH, CrossrefDouble
from fakes.openfda import DRUGSFDA_PATH, OpenFdaDouble, openfda  # noqa: F401
from fakes.raw import RawServer
from helpers import build_with, warnings
from test_network_faults import DOI, EMAIL, FAST, KEY, TODAY

from sphinxext_evidence.sources.crossref import CrossrefClient
from sphinxext_evidence.sources.http import origin
from sphinxext_evidence.sources.openfda import OpenFdaClient
from sphinxext_evidence.sources.pubmed import PubMedClient

FDA_KEY = "fda-key-0123456789-SECRET"

# Locations that name the home origin to one parser or another, but are not plainly it.
ODD_LOCATIONS = {
    "backslash-userinfo": "http://{other}\\@{home}{path}",
    "userinfo-to-other": "http://{home}@{other}{path}",
    "userinfo-at-home": "http://user:pw@{home}{path}",
    "backslashes-as-slashes": "http:\\\\{other}{path}",
    "tab-in-host": "http://{other}\t@{home}{path}",
    "scheme-relative": "//{other}{path}",
    # A full-width solidus, as UTF-8 bytes (header values travel as Latin-1).
    "fullwidth-slash": "http://{other}" + "\uff0f".encode().decode("latin-1") + "@{home}{path}",
}


def _location(kind: str, other: RawServer, home: str, path: str) -> str:
    return ODD_LOCATIONS[kind].format(other=other.netloc, home=home, path=path)


@pytest.mark.parametrize("status", [302, 307, 308])
@pytest.mark.parametrize("kind", sorted(ODD_LOCATIONS))
def test_pubmed_odd_redirect_reaches_no_other_host(fake_server, status, kind):
    eutils = EUtilsDouble(fake_server)
    home = fake_server.url.split("/")[2]
    with RawServer(host="127.0.0.2") as other:
        fake_server.queue(EFETCH_PATH, Canned(status, {"Location": _location(kind, other, home, EFETCH_PATH)}))
        result = PubMedClient(eutils.base_url, "t", EMAIL, KEY, FAST, TODAY).fetch(["9997"])
    assert other.received == []
    assert len(fake_server.requests) == 1  # not followed at home either
    (error,) = result.errors
    assert f"HTTP {status}" in error and "not followed" in error and KEY not in error


@pytest.mark.parametrize("status", [302, 307, 308])
def test_crossref_and_openfda_odd_redirects_carry_nothing_away(fake_server, openfda, status):  # noqa: F811
    CrossrefDouble(fake_server)
    home = fake_server.url.split("/")[2]
    fda_home = openfda.base_url.split("/")[2]
    with RawServer(host="127.0.0.2") as other:
        fake_server.queue(WORKS_PATH, Canned(status, {"Location": _location("backslash-userinfo", other, home,
                                                                             WORKS_PATH)}))
        crossref = CrossrefClient(fake_server.url, EMAIL, FAST, TODAY).fetch([DOI])
        openfda.valid_keys.add(FDA_KEY)
        openfda.server.queue(DRUGSFDA_PATH, Canned(status, {"Location": _location(
            "backslash-userinfo", other, fda_home, "/" + DRUGSFDA_PATH.lstrip("/") + "?x=1")}))
        fda = OpenFdaClient(openfda.base_url, FDA_KEY, FAST, TODAY).fetch(["semaglutide"])
    assert other.received == []
    assert any("not followed" in e for e in crossref.errors)
    assert fda.records == {} and "not followed" in fda.errors[0] and FDA_KEY not in fda.errors[0]


def test_build_with_an_odd_redirect_keeps_key_and_address_home(make_app, tmp_path, eutils, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    src = tmp_path / "site"
    src.mkdir()
    (src / "conf.py").write_text(f"extensions = ['sphinxext_evidence']\nevidence_email = {EMAIL!r}\n",
                                 encoding="utf-8")
    (src / "index.rst").write_text(f"Site\n====\n\n:pmid:`9997` and :doi:`{DOI}`\n", encoding="utf-8")
    home = eutils.server.url.split("/")[2]
    with RawServer(host="127.0.0.2") as other:
        for path in (EFETCH_PATH, WORKS_PATH):
            eutils.server.queue(path, Canned(307, {"Location": _location("backslash-userinfo", other, home, path)}))
        app = build_with(make_app, src, eutils=eutils)
    assert other.received == []
    log = warnings(app)
    assert "not followed" in log and KEY not in log and "Traceback" not in log


def test_origin_is_where_the_request_connects() -> None:
    assert origin("http://127.0.0.2:81\\@127.0.0.1:80/x") == ("http", "127.0.0.2", 81)
    assert origin("https://EXAMPLE.org/x") == ("https", "example.org", 443)
    assert origin("http://[::1]:8080/") == ("http", "::1", 8080)
