"""regulatory-status end to end: real Sphinx builds against a loopback openFDA double."""

from __future__ import annotations

import datetime as dt
import html as html_module
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes.openfda import (  # noqa: F401
    DRUGSFDA_PATH,
    JSON_HEADERS,
    OpenFdaDouble,
    fixture_bytes,
    openfda,
)
from fakes.server import Canned

ROOTS = Path(__file__).parent / "roots"
TODAY = dt.datetime(2026, 11, 21, 12, tzinfo=dt.timezone.utc)
KEY = "OPENFDA-SECRET-KEY-5f1e2d"
FAST = {"evidence_http_timeout": 1.0, "evidence_http_retries": 1, "evidence_http_backoff": 0.01}


def epoch(day: dt.datetime) -> str:
    return str(int(day.timestamp()))


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))


@pytest.fixture
def copy_root(tmp_path: Path) -> Callable[[str], Path]:
    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(ROOTS / f"test-{name}", dest)
        return dest

    return copy


Build = Callable[..., Any]


@pytest.fixture
def build(make_app: Any, openfda: OpenFdaDouble) -> Build:  # noqa: F811
    """Build ``srcdir`` with ``builder`` against the openFDA double; returns the app."""

    def run(srcdir: Path, builder: str = "html", **conf: Any) -> Any:
        overrides = {"evidence_openfda_url": openfda.base_url, **FAST, **conf}
        app = make_app(builder, srcdir=srcdir, confoverrides=overrides)
        app.build()
        app.cleanup()  # unregister directives so a second build in the same test starts clean
        return app

    return run


def warnings(app: Any) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


def out(app: Any, name: str) -> str:
    """An output file; HTML character references are decoded (Sphinx writes '@' as '&#64;')."""
    text = Path(app.outdir, name).read_text(encoding="utf-8")
    return html_module.unescape(text) if name.endswith(".html") else text


def lock(srcdir: Path) -> dict[str, Any]:
    return json.loads((srcdir / "evidence.lock.json").read_text(encoding="utf-8"))


def all_output(app: Any) -> str:
    """Every text file the build wrote (output, doctrees excluded)."""
    texts = []
    for path in Path(app.outdir).rglob("*"):
        if path.is_file() and path.suffix in {".html", ".txt", ".tex", ".js", ".json", ".css", ".inv", ""}:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


# --------------------------------------------------------------------------- happy path


def test_html_table_and_openfda_findings(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory")
    app = build(src)
    html = out(app, "index.html")
    # One look-up per distinct name across the project (cerebrolysin is on two pages).
    assert openfda.count == 2
    assert sorted(r.param("search").split(":", 1)[1].split()[0] for r in openfda.requests) == [
        '"cerebrolysin"', '"semaglutide"']
    assert 'class="evidence-regulatory' in html
    for heading in ("Jurisdiction", "Status", "Details", "Source", "As of"):
        assert f"<p>{heading}</p>" in html or f">{heading}<" in html
    assert "United States</strong> (US)" in html
    assert "European Union</strong> (EU)" in html
    assert "World Health Organization</strong> (WHO)" in html
    assert "Russia</strong> (RU)" in html
    assert 'evidence-badge evidence-badge-status-not-approved">Not approved<' in html
    assert 'evidence-badge-status-approved">Approved<' in html
    assert 'evidence-badge-status-unknown">Unknown<' in html
    # A 404 is "not found in Drugs@FDA", never a statement about approval.
    assert "Not found in Drugs@FDA (checked 2026-11-21)" in html
    assert "No FDA application on record" not in html  # the author's own "no FDA application" is lower-case
    assert "Approved — " in html and ">NDA213051</a>" in html and ">NDA215256</a>" in html
    assert "ApplNo=215256" in html
    assert "prescription, WEGOVY, NOVO" in html
    assert 'href="https://www.ema.europa.eu/en/medicines"' in html  # author's source link
    assert "2026-11-01" in html and "2026-10-01" in html
    assert "Disagrees" not in html and "May be out of date" not in html
    assert "regulatory-" not in warnings(app), warnings(app)
    data = lock(src)["openfda"]
    assert sorted(data) == ["cerebrolysin", "semaglutide"]
    assert data["cerebrolysin"] == {"name": "cerebrolysin", "checked": "2026-11-21", "total": 0,
                                    "data_updated": "", "applications": []}
    sema = data["semaglutide"]
    assert sema["checked"] == "2026-11-21" and sema["data_updated"] == "2025-07-09"
    assert [a["application_number"] for a in sema["applications"]] == ["NDA213051", "NDA215256"]
    assert sema["applications"][1] == {"application_number": "NDA215256", "sponsor": "NOVO",
                                       "brand_names": ["WEGOVY"], "marketing_status": ["Prescription"],
                                       "approved": "2021-06-04"}
    assert "Not found in Drugs@FDA (checked 2026-11-21)" in out(app, "second.html")


def test_source_column_and_details_split(build: Build, copy_root: Any) -> None:
    app = build(copy_root("regulatory"))
    html = out(app, "index.html")
    eu_row = html[html.index("European Union"):]
    eu_row = eu_row[: eu_row.index("</tr>")]
    # Column names for phones are added to every cell; the author's own "Source:" prefix must be gone.
    eu_row = re.sub(r'<span class="evidence-cell-label no-search">[^<]*</span>', "", eu_row)
    cells = re.findall(r"<td>(.*?)</td>", eu_row, re.DOTALL)
    assert len(cells) == 4  # the jurisdiction is in the first cell, before the slice
    assert "not centrally authorised" in cells[1] and "ema.europa.eu" not in cells[1]
    assert "Source:" not in eu_row
    assert "EMA medicines search" in cells[2]


@pytest.mark.parametrize("builder,name", [("latex", "regulatory.tex"), ("text", "index.txt")])
def test_latex_and_text(build: Build, copy_root: Any, builder: str, name: str) -> None:
    app = build(copy_root("regulatory"), builder)
    text = out(app, name).replace("\\sphinxhyphen{}", "-")
    for needle in ("United States", "European Union", "Not approved", "Approved", "Not found in Drugs@FDA",
                   "checked 2026-11-21", "NDA215256", "As of", "2026-11-01"):
        assert needle in text, needle
    assert "regulatory-" not in warnings(app)
    if builder == "latex":
        assert "\\begin{longtable}" in text or "\\begin{tabulary}" in text or "\\begin{tabular" in text


def test_myst_page(build: Build, tmp_path: Path) -> None:
    src = tmp_path / "myst"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["myst_parser", "sphinxext_evidence"]\n'
                                 'myst_enable_extensions = ["fieldlist"]\n', encoding="utf-8")
    (src / "index.md").write_text(
        "# MyST\n\n```{regulatory-status} Cerebrolysin\n:as-of: 2026-11-01\n:fda: off\n\n"
        ":RU: approved — [registry](https://grls.rosminzdrav.ru/)\n:US: not-approved\n```\n", encoding="utf-8")
    app = build(src)
    html = out(app, "index.html")
    assert "Russia</strong> (RU)" in html and 'href="https://grls.rosminzdrav.ru/"' in html
    assert "regulatory-" not in warnings(app)


# --------------------------------------------------------------------------- disagreement


def test_conflicts_warn_with_file_and_line(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory-conflict")
    app = build(src)
    warned = warnings(app)
    # Cerebrolysin (line 7) is "approved" by the author and openFDA answers 404. That used to be
    # reported as a conflict; it is not one: Drugs@FDA leaves out whole classes of approved
    # products (CBER biologics and vaccines, OTC monograph products), so "not found" contradicts nothing.
    assert "index.rst:7:" not in warned, warned
    assert re.search(r"index\.rst:13: WARNING: .*Mounjaro: the US status 'not-approved' disagrees.*NDA215866"
                     r".*\[evidence\.regulatory-conflict\]", warned), warned
    assert warned.count("[evidence.regulatory-conflict]") == 1  # "unknown" never disagrees
    assert "banned" not in warned
    html = out(app, "index.html")
    assert html.count("Disagrees with the FDA record") == 1
    cerebrolysin = html[html.index("Regulatory status of Cerebrolysin"):html.index("Regulatory status of Mounjaro")]
    assert "Not found in Drugs@FDA (checked 2026-11-21)" in cerebrolysin and "Purple Book" in cerebrolysin
    assert "NDA207145" in html  # Xadago found and shown without a conflict
    assert sorted(lock(src)["openfda"]) == ["cerebrolysin", "mounjaro", "tirzepatide", "xadago"]
    assert openfda.count == 4


# --------------------------------------------------------------------------- failures keep the lockfile


def _seed_lockfile(build: Build, src: Path, monkeypatch: pytest.MonkeyPatch, checked: dt.datetime) -> bytes:
    """A first successful build on ``checked``; returns the lockfile bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(checked))
    build(src)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))
    shutil.rmtree(src / "_build")
    return (src / "evidence.lock.json").read_bytes()


def _fail(kind: str) -> list[Canned]:
    if kind == "400":
        return [Canned(400, JSON_HEADERS, fixture_bytes("drugsfda_400_bad_sort.body.json"))]
    if kind == "500":  # served for the request and its retry
        return [Canned(500, JSON_HEADERS, fixture_bytes("drugsfda_500_bad_query.body.json"))] * 2
    if kind == "timeout":
        return [Canned(200, JSON_HEADERS, b"{}", delay=3.0)] * 2
    if kind == "garbage":
        return [Canned(200, {"Content-Type": "text/html"}, b"<html><body>Service moved</body></html>")]
    if kind == "404-html":
        return [Canned(404, {"Content-Type": "text/html"}, b"<html>Not Found</html>")]
    if kind == "truncated-json":
        return [Canned(200, JSON_HEADERS, fixture_bytes("drugsfda_200_semaglutide_limit2.body.json")[:500])]
    raise AssertionError(kind)


FAILURES = ["400", "500", "timeout", "garbage", "404-html", "truncated-json"]


@pytest.mark.parametrize("kind", FAILURES)
def test_failure_keeps_lockfile_and_cached_result(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                                  monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    src = copy_root("regulatory")
    before = _seed_lockfile(build, src, monkeypatch, dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc))
    assert b'"checked": "2025-06-01"' in before
    # Both records are now older than 365 days, so the build re-checks them; every request fails.
    sent = openfda.count
    openfda.server.queue(DRUGSFDA_PATH, *(_fail(kind) * 2))
    app = build(src)
    assert openfda.count > sent
    assert (src / "evidence.lock.json").read_bytes() == before
    warned = warnings(app)
    assert "openFDA fetch failed" in warned and "[evidence.fetch]" in warned
    assert "records already in evidence.lock.json are kept" in warned
    html = out(app, "index.html")
    assert "Not found in Drugs@FDA (checked 2025-06-01)" in html  # the cached result
    assert ">NDA215256</a>" in html
    assert "May be out of date" in html and "regulatory-stale" in warned
    assert "Traceback" not in warned


@pytest.mark.parametrize("kind", ["400", "500", "garbage"])
def test_failure_without_cache_writes_nothing(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                              kind: str) -> None:
    src = copy_root("regulatory")
    openfda.server.queue(DRUGSFDA_PATH, *(_fail(kind) * 2))
    openfda.server.route(DRUGSFDA_PATH, lambda r: _fail(kind)[0])
    app = build(src)
    assert not (src / "evidence.lock.json").exists()
    warned = warnings(app)
    assert "[evidence.fetch]" in warned
    assert re.search(r"index\.rst:14: WARNING: .*no openFDA record for 'cerebrolysin'.*"
                     r"\[evidence\.regulatory-unchecked\]", warned), warned
    assert "not checked yet" in out(app, "index.html")
    assert "Not found in Drugs@FDA" not in out(app, "index.html")  # a failure is never "not found"


# --------------------------------------------------------------------------- the API key


def test_api_key_is_sent_but_never_written(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    openfda.valid_keys.add(KEY)
    src = copy_root("regulatory")
    app = build(src, evidence_openfda_api_key=KEY)
    assert openfda.count == 2 and all(r.param("api_key") == KEY for r in openfda.requests)
    assert "NDA215256" in out(app, "index.html")
    assert KEY not in (src / "evidence.lock.json").read_text(encoding="utf-8")
    assert KEY not in all_output(app)
    assert KEY not in warnings(app) and KEY not in app.status.getvalue()
    for pickle in Path(app.doctreedir).rglob("*"):
        if pickle.is_file():
            assert KEY.encode() not in pickle.read_bytes(), pickle


def test_invalid_api_key_403_from_environment(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    src = copy_root("regulatory")
    before = _seed_lockfile(build, src, monkeypatch, dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc))
    monkeypatch.setenv("OPENFDA_API_KEY", KEY)  # not one the double accepts: recorded 403 API_KEY_INVALID
    app = build(src)
    assert openfda.requests[-1].param("api_key") == KEY
    warned = warnings(app)
    assert "HTTP 403" in warned and "API_KEY_INVALID" in warned
    assert KEY not in warned and KEY not in app.status.getvalue() and KEY not in all_output(app)
    assert (src / "evidence.lock.json").read_bytes() == before


# --------------------------------------------------------------------------- offline


@pytest.mark.parametrize("how", ["config", "environment"])
def test_offline_uses_lockfile_only(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                    monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    src = copy_root("regulatory")
    before = _seed_lockfile(build, src, monkeypatch, dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc))
    sent = openfda.count
    conf = {"evidence_offline": True} if how == "config" else {}
    if how == "environment":
        monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    app = build(src, **conf)
    assert openfda.count == sent
    assert (src / "evidence.lock.json").read_bytes() == before
    assert "Not found in Drugs@FDA (checked 2026-11-20)" in out(app, "index.html")
    assert "regulatory-" not in warnings(app)


def test_offline_without_lockfile(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory")
    app = build(src, evidence_offline=True)
    assert openfda.count == 0
    assert not (src / "evidence.lock.json").exists()
    assert warnings(app).count("[evidence.regulatory-unchecked]") == 3


# --------------------------------------------------------------------------- staleness


def test_stale_as_of_and_fda_off(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory-stale")
    app = build(src)
    assert openfda.count == 1  # ":fda: off" looks nothing up
    assert openfda.requests[0].param("search").count('"cerebrolysin"') == 4
    warned = warnings(app)
    assert re.search(r"index\.rst:4: WARNING: regulatory-status: Cerebrolysin: statuses are as of 2020-01-15, "
                     r"more than 365 days ago.*\[evidence\.regulatory-stale\]", warned), warned
    html = out(app, "index.html")
    assert html.count("May be out of date") == 1
    assert "these statuses were last verified on 2020-01-15" in html
    semaglutide = html[html.index("Regulatory status of Semaglutide"):]
    assert "FDA (openFDA)" not in semaglutide and "checked by hand" in semaglutide
    assert "Kazakhstan" in html


def test_max_age_is_configurable(build: Build, copy_root: Any) -> None:
    app = build(copy_root("regulatory-stale"), evidence_regulatory_max_age_days=100_000)
    assert "regulatory-stale" not in warnings(app)
    assert "May be out of date" not in out(app, "index.html")


def test_old_record_offline_is_flagged(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    src = copy_root("regulatory")
    _seed_lockfile(build, src, monkeypatch, dt.datetime(2025, 1, 2, tzinfo=dt.timezone.utc))
    app = build(src, evidence_offline=True)
    warned = warnings(app)
    assert re.search(r"index\.rst:14: WARNING: .*openFDA check of 'cerebrolysin' dates from 2025-01-02, more than "
                     r"365 days ago.*\[evidence\.regulatory-stale\]", warned), warned
    assert "the FDA record was last checked on 2025-01-02" in out(app, "index.html")


def test_stale_record_is_rechecked_and_page_rewritten(build: Build, copy_root: Any, openfda: OpenFdaDouble,  # noqa: F811
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    src = copy_root("regulatory")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)))
    build(src)
    assert openfda.count == 2
    # Meanwhile the FDA has an application for Cerebrolysin (a test record derived from Xadago's).
    derived = openfda.result("NDA207145")
    derived["application_number"] = "NDA999001"
    derived["openfda"] = {"brand_name": ["CEREBROLYSIN"], "generic_name": ["CEREBROLYSIN"]}
    openfda.add_result(derived)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))
    app = build(src)  # same build directory: the pickled environment is reused, no page is re-read
    assert openfda.count == 4
    assert lock(src)["openfda"]["cerebrolysin"]["applications"][0]["application_number"] == "NDA999001"
    assert "NDA999001" in out(app, "index.html") and "NDA999001" in out(app, "second.html")
    warned = warnings(app)
    assert "regulatory-conflict" in warned and "second.rst:9" in warned, warned


def test_fresh_record_is_not_rechecked(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory")
    build(src)
    shutil.rmtree(src / "_build")
    build(src)
    assert openfda.count == 2


# --------------------------------------------------------------------------- bad input


def test_bad_input_warnings(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory-bad")
    app = build(src)
    warned = warnings(app)
    expected = [
        (4, "regulatory-date", r"Alpha: :as-of: '01/11/2026' is not a date; use an ISO date YYYY-MM-DD"),
        (7, "regulatory-status", r"Alpha: unknown status 'banned' for US \(allowed: approved, approved-not-marketed, "
                                 r"tentative, not-approved, withdrawn, withdrawn-safety, refused, unknown\)"),
        (8, "regulatory-jurisdiction", r"unknown jurisdiction 'XX'; use an ISO 3166-1 alpha-2 code \(such as US, GB, "
                                       r"RU, CN\), EU or WHO"),
        (9, "regulatory-jurisdiction", r"unknown jurisdiction 'UK'.*did you mean GB \(United Kingdom\)\?"),
        (10, "regulatory-status", r"unknown status 'not' for RU .*did you mean 'not-approved'\?"),
        (12, "regulatory-empty", r"Beta: the body is empty"),
        (15, "regulatory-date", r":as-of: '2026-02-30' is not a date"),
        (15, "regulatory-option", r"Gamma: :fda: 'maybe' is not allowed \(allowed: on, off\)"),
        (15, "unknown-option", r"unknown option :colour:"),
        (20, "regulatory-syntax", r"only a field list is allowed"),
        (23, "regulatory-duplicate", r"DE is given more than once"),
        (24, "regulatory-status", r"FR has no status; start the field with one of: approved"),
        (26, "regulatory-date", r"Delta: no :as-of: date"),
    ]
    for line, subtype, message in expected:
        assert re.search(rf"index\.rst:{line}: WARNING: .*{message}.*\[evidence\.{subtype}\]", warned), (
            line, subtype, warned)
    assert "1 code" not in warned and "Zimbabwe" not in warned  # never the full list of codes
    assert "Traceback" not in warned and "ERROR" not in warned
    html = out(app, "index.html")
    assert "Regulatory status of Alpha" in html and "Regulatory status of Gamma" in html
    assert "Regulatory status of Beta" not in html
    assert "banned — not a keyword" in html  # the author's text is kept when the keyword is bad
    assert "Withdrawn for safety reasons" in html and "Tentative approval" in html
    assert openfda.count == 1  # only Alpha has a US row


def test_unknown_status_row_does_not_conflict(build: Build, copy_root: Any) -> None:
    app = build(copy_root("regulatory-bad"))
    assert "regulatory-conflict" not in warnings(app)


# --------------------------------------------------------------------------- parallel and incremental builds


def test_parallel_build(make_app: Any, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory")
    overrides = {"evidence_openfda_url": openfda.base_url, **FAST}
    app = make_app("html", srcdir=src, confoverrides=overrides, parallel=2)
    app.build()
    assert openfda.count == 2
    assert "Not found in Drugs@FDA (checked 2026-11-21)" in out(app, "second.html")
    assert ">NDA215256</a>" in out(app, "index.html")


def test_edited_page_drops_its_lookup(build: Build, copy_root: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    src = copy_root("regulatory")
    build(src)
    index = src / "index.rst"
    index.write_text(index.read_text(encoding="utf-8").replace(":fda-names: semaglutide", ":fda-names: tirzepatide"),
                     encoding="utf-8")
    app = build(src)  # only index.rst is re-read; the new name is looked up, the others come from the lockfile
    assert openfda.count == 3 and openfda.requests[-1].param("search").count('"tirzepatide"') == 4
    html = out(app, "index.html")
    assert ">NDA215866</a>" in html and ">NDA215256</a>" not in html
    assert sorted(lock(src)["openfda"]) == ["cerebrolysin", "semaglutide", "tirzepatide"]


def test_text_labels_have_no_space_inside_the_bold(build: Build, copy_root: Any) -> None:
    """Text output: ``**FDA (openFDA):** Not found…``, never ``**FDA (openFDA): **Not found…``."""
    app = build(copy_root("regulatory-stale"), "text")
    text = " ".join(out(app, "index.txt").split())  # table cells wrap; compare with single spaces
    assert "**May be out of date:** these statuses were last verified on 2020-01-15." in text, text
    app = build(copy_root("regulatory"), "text")
    text = out(app, "second.txt") + out(app, "index.txt")  # table cells wrap, so look at the label's end
    assert "(openFDA):**" in text and "(openFDA): **" not in text, text
