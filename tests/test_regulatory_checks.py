"""What the FDA check says, end to end: not found, discontinued, left out, checked what and when, future dates.

Builds ``tests/roots/test-regulatory-checks`` against the loopback openFDA
double: Comirnaty gets the recorded 404 (a vaccine, licensed under a BLA, is
not in Drugs@FDA), rofecoxib the Vioxx applications built from Drugs@FDA data
files (every product discontinued), semaglutide the recorded answer whose
``meta.results.total`` (3) exceeds the results sent (2).
"""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fakes.openfda import OpenFdaDouble, openfda  # noqa: F401
from helpers import build_with, warnings

ROOTS = Path(__file__).parent / "roots"
TODAY = dt.datetime(2026, 11, 21, 12, tzinfo=dt.timezone.utc)
NOT_FOUND = "Not found in Drugs@FDA (checked 2026-11-21)"


def epoch(day: dt.datetime) -> str:
    return str(int(day.timestamp()))


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(TODAY))


@pytest.fixture
def build(make_app: Any, tmp_path: Path, openfda: OpenFdaDouble) -> Any:  # noqa: F811
    """Build a fresh copy of a root with ``builder``; semaglutide gets the recorded limit-2 answer."""
    openfda.answer_with("semaglutide", "drugsfda_200_semaglutide_limit2.body.json")
    builds = iter(range(100))

    def run(builder: str = "html", root: str = "regulatory-checks") -> Any:
        src = tmp_path / f"{root}-{next(builds)}"
        shutil.copytree(ROOTS / f"test-{root}", src)
        app = build_with(make_app, src, builder, evidence_openfda_url=openfda.base_url, evidence_http_retries=1)
        app.cleanup()
        return app

    return run


def html_of(app: Any, name: str = "index.html") -> str:
    """The page with character references decoded (Sphinx writes '@' as '&#64;')."""
    return html_module.unescape(Path(app.outdir, name).read_text(encoding="utf-8"))


def section(page: str, substance: str) -> str:
    """One table's HTML, from its title to the next table's."""
    start = page.index(f"Regulatory status of {substance}<")
    end = page.find("Regulatory status of ", start + 1)
    return page[start: end if end > 0 else len(page)]


def text_details(app: Any, substance: str) -> str:
    """The Details column of one table in the text builder's output, its wrapped lines joined."""
    text = Path(app.outdir, "index.txt").read_text(encoding="utf-8")
    block = text[text.index(f"Regulatory status of {substance}\n"):]
    block = block[: block.index("\n\n\n")] if "\n\n\n" in block else block
    cells = [line.split("|")[3].strip() for line in block.splitlines() if line.startswith("|")]
    return " ".join(c for c in cells if c)


# --------------------------------------------------------------------------- not found


def test_not_found_is_not_a_verdict_and_never_a_conflict(build: Any) -> None:
    app = build()
    page = html_of(app)
    comirnaty = section(page, "Comirnaty")
    assert 'evidence-badge-status-approved">Approved<' in comirnaty  # the author's status stands
    assert f"<strong>FDA (openFDA):</strong> {NOT_FOUND}</p>" in comirnaty
    assert "Purple Book" in comirnaty and "vaccines" in comirnaty and "OTC monograph" in comirnaty
    assert "is not evidence that a product is not approved" in comirnaty
    assert "Disagrees" not in comirnaty and "No FDA application" not in comirnaty
    warned = warnings(app)
    assert "Comirnaty" not in warned and "index.rst:7:" not in warned, warned
    details = text_details(build("text"), "Comirnaty")
    assert NOT_FOUND in details and "Purple Book" in details and "Disagrees" not in details


# --------------------------------------------------------------------------- discontinued


def test_discontinued_is_named_and_only_approved_disagrees(build: Any) -> None:
    app = build()
    page = html_of(app)
    for substance in ("Vioxx", "Rofecoxib", "Rofecoxib tablets"):
        part = section(page, substance)
        # (Where the author wrote no details, the phone-layout column label opens the paragraph.)
        assert re.search(r'<p class="evidence-fda evidence-fda-discontinued">(<span class="evidence-cell-label no-search">'
                         r"Details: </span>)?<strong>FDA \(openFDA\):</strong> Discontinued — ", part), substance
        assert ">NDA021042</a>, discontinued, VIOXX, MERCK" in part and ">NDA021647</a>" in part
        assert "Approved, not marketed —" not in part
    assert "Disagrees" not in section(page, "Vioxx")  # withdrawn-safety agrees
    assert "Disagrees" not in section(page, "Rofecoxib tablets")  # approved-not-marketed agrees
    assert "Disagrees with the FDA record" in section(page, "Rofecoxib")  # approved: nothing is marketed
    warned = warnings(app)
    assert re.search(r"index\.rst:18: WARNING: regulatory-status: Rofecoxib: the US status 'approved' disagrees "
                     r"with openFDA for 'rofecoxib': Discontinued — NDA021042, discontinued, VIOXX, MERCK; .*"
                     r"\[evidence\.regulatory-conflict\]", warned), warned
    assert warned.count("[evidence.regulatory-conflict]") == 1, warned
    assert "Discontinued — NDA021042" in text_details(build("text"), "Vioxx")


# --------------------------------------------------------------------------- applications left out


def test_applications_left_out_are_counted(build: Any, openfda: OpenFdaDouble) -> None:  # noqa: F811
    app = build()
    wegovy = section(html_of(app), "Wegovy")
    assert ">NDA213051</a>" in wegovy and ">NDA215256</a>" in wegovy
    assert re.search(r"<p class=\"evidence-fda-truncated\">Showing 2 of 3 applications found for 'semaglutide'; "
                     r"1 not shown — see <a [^>]*href=\"https://www.accessdata.fda.gov/scripts/cder/daf/\"[^>]*>"
                     r"Drugs@FDA</a>\.</p>", wegovy), wegovy
    assert "not shown" not in section(html_of(app), "Vioxx")  # everything openFDA counted was sent
    assert "Showing 2 of 3 applications found for 'semaglutide'; 1 not shown — see Drugs@FDA." \
        in text_details(build("text"), "Wegovy")
    assert any('"semaglutide"' in (r.param("search") or "") for r in openfda.requests)


# --------------------------------------------------------------------------- what was checked, and when


def test_each_statement_says_what_was_checked_and_when(build: Any) -> None:
    app = build()
    page = html_of(app)
    assert ('<p class="evidence-fda-checked">Checked in Drugs@FDA via openFDA on 2026-11-21: \'semaglutide\' '
            "(3 applications); openFDA data last updated 2025-07-09.</p>") in section(page, "Wegovy")
    # openFDA's 404 carries no data date, so none is claimed; "not found" is said once, in the finding above.
    assert ('<p class="evidence-fda-checked">Checked in Drugs@FDA via openFDA on 2026-11-21: \'comirnaty\'.</p>'
            in section(page, "Comirnaty"))
    assert section(page, "Comirnaty").count("ot found") == 1
    assert "Checked in Drugs@FDA via openFDA on 2026-11-21: 'rofecoxib' (3 applications)" in section(page, "Vioxx")
    assert "Checked in Drugs@FDA" not in section(page, "Tirzepatide")  # ":fda: off" checks nothing
    text = text_details(build("text"), "Wegovy")
    assert ("Checked in Drugs@FDA via openFDA on 2026-11-21: 'semaglutide' (3 applications); "
            "openFDA data last updated 2025-07-09.") in text


def test_several_names_are_each_named(build: Any) -> None:
    app = build(root="regulatory-conflict")
    mounjaro = section(html_of(app), "Mounjaro")
    assert ("Checked in Drugs@FDA via openFDA on 2026-11-21: 'tirzepatide' (1 application), "
            "'mounjaro' (1 application); openFDA data last updated 2025-07-09.") in mounjaro


# --------------------------------------------------------------------------- :as-of: in the future


def test_future_as_of_warns_with_file_and_line(build: Any) -> None:
    app = build()
    warned = warnings(app)
    assert re.search(r"index\.rst:32: WARNING: regulatory-status: Tirzepatide: :as-of: 2027-03-01 is in the future "
                     r"\(today is 2026-11-21\).*\[evidence\.regulatory-date\]", warned), warned
    assert warned.count("[evidence.regulatory-date]") == 1, warned
    tirzepatide = section(html_of(app), "Tirzepatide")
    assert "2027-03-01" not in tirzepatide and "As of: </span>—</p>" in tirzepatide


def test_today_comes_from_source_date_epoch(build: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc)))
    app = build()
    assert "in the future" not in warnings(app)  # on that day 2027-03-01 is today, not the future
    assert "As of: </span>2027-03-01</p>" in section(html_of(app), "Tirzepatide")
