"""Every evidence_* value is checked at config-inited: wrong types and ranges warn and fall back; typos warn."""

from __future__ import annotations

import pytest
from helpers import warnings

from sphinxext_evidence.config import OPTIONS, default, problem


@pytest.mark.sphinx("html", testroot="config-typos", freshenv=True)
def test_wrong_values_warn_and_use_the_default(app) -> None:
    app.build()
    warned = warnings(app)
    expected = {
        "evidence_http_timeout": ("= 0 must be greater than 0", 30.0),
        "evidence_refresh_days": ("= 'thirty' must be an integer or None", None),
        "evidence_eutils_url": ("= 'ftp://example.org/eutils/' must be an http:// or https:// URL", None),
        "evidence_max_authors": ("= -1 must be at least 0", None),
        "evidence_jsonld": ("= 'yes please' must be True or False", True),
        "evidence_scope_texts": ("must be a dict", {}),
    }
    for name, (message, fallback) in expected.items():
        assert f"{name} {message}" in warned or f"{name} = " in warned and message in warned, (name, warned)
        if name != "evidence_eutils_url":
            assert getattr(app.config, name) == fallback, name
    assert app.config.evidence_eutils_url.startswith("http")
    assert "unknown configuration value evidence_max_authers in conf.py; did you mean evidence_max_authors?" \
        in warned
    lines = [line for line in warned.splitlines() if "[evidence.config]" in line]
    assert len(lines) == len(expected) + 1, warned
    assert "Traceback" not in warned
    # Each warning points at the line of conf.py that sets the value.
    assert "conf.py:5: WARNING: evidence_http_timeout = 0" in warned
    assert "conf.py:7: WARNING: unknown configuration value evidence_max_authers" in warned


@pytest.mark.sphinx("html", testroot="citations", freshenv=True,
                    confoverrides={"evidence_refresh_days": "30", "evidence_http_retries": "2",
                                   "evidence_offline": "1"})
def test_values_given_with_dash_d_are_read_as_their_type(app) -> None:
    app.build()
    assert app.config.evidence_refresh_days == 30
    assert app.config.evidence_http_retries == 2
    assert app.config.evidence_offline is True
    assert "[evidence.config]" not in warnings(app)


def test_every_default_passes_its_own_check() -> None:
    for opt in OPTIONS:
        assert problem(opt, default(opt))[1] is None, opt.name


@pytest.mark.parametrize(("name", "value"), [
    ("evidence_http_timeout", 0), ("evidence_http_timeout", -1.5), ("evidence_http_timeout", "fast"),
    ("evidence_http_retries", -1), ("evidence_http_retries", 2.5), ("evidence_http_backoff", -0.1),
    ("evidence_refresh_days", -3), ("evidence_refresh_days", True), ("evidence_max_authors", "three"),
    ("evidence_regulatory_max_age_days", -1), ("evidence_lockfile", "  "), ("evidence_openfda_url", "file:///x"),
    ("evidence_crossref_url", "javascript:alert(1)"), ("evidence_email", 42), ("evidence_offline", "maybe"),
    ("evidence_disclaimer", None), ("evidence_references_title", 3),
    # Numbers too large for time arithmetic, and ones that are no number of seconds at all.
    ("evidence_network_deadline", 10**400), ("evidence_retry_failed_after", 10**400),
    ("evidence_http_timeout", 1e300), ("evidence_http_timeout", float("inf")), ("evidence_http_timeout", float("nan")),
    ("evidence_http_backoff", 10**400), ("evidence_http_retries", 10**9), ("evidence_refresh_days", 10**9),
    ("evidence_status_max_age_days", 10**9), ("evidence_regulatory_max_age_days", 10**9),
    ("evidence_max_age_days", 10**9),
])
def test_bad_values_are_refused(name: str, value: object) -> None:
    opt = next(o for o in OPTIONS if o.name == name)
    assert problem(opt, value)[1] is not None


@pytest.mark.parametrize("line", ["evidence_network_deadline = 10**400", "evidence_retry_failed_after = 10**400",
                                  "evidence_http_timeout = float('inf')", "evidence_http_backoff = 10**400",
                                  "evidence_refresh_days = 10**9"])
def test_a_huge_number_warns_and_the_build_goes_on(make_app, tmp_path, line: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("extensions = ['sphinxext_evidence']\nevidence_email = 'x@example.org'\n"
                                 f"evidence_eutils_url = 'http://127.0.0.1:9/'\n{line}\n", encoding="utf-8")
    (src / "index.rst").write_text("Page\n====\n\nCited :pmid:`993`.\n", encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    warned = warnings(app)
    name = line.split(" =")[0]
    assert f"conf.py:4: WARNING: {name} = " in warned and "and at most" in warned, warned
    assert "Traceback" not in warned and "unexpected error" not in warned
    assert getattr(app.config, name) == default(next(o for o in OPTIONS if o.name == name))
