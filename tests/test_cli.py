"""Issue 2, point 10: the sphinx-evidence command."""

from __future__ import annotations

import json
import subprocess
import sys

from fakes import EFETCH_PATH, Canned

from sphinxext_evidence.cli import main


def test_fetch_fills_the_lockfile_without_building(project, eutils, capsys):
    src = project("citations")
    status = main(["fetch", str(src), "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}"])
    assert status == 0
    data = json.loads((src / "evidence.lock.json").read_text())
    assert {"21860499", "993", "26468569"} <= set(data["pubmed"])
    assert not (src / "_build").exists()
    assert "record(s) in" in capsys.readouterr().out
    # Nothing missing: no request the second time; --refresh asks again.
    assert main(["fetch", str(src), "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}"]) == 0
    assert eutils.count == 1
    assert main(["fetch", str(src), "--refresh", "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}"]) == 0
    assert eutils.count == 2


def test_fetch_failure_exits_non_zero_and_keeps_the_lockfile(project, eutils):
    src = project("citations")
    eutils.server.queue(EFETCH_PATH, *[Canned(500, {}, b"down")] * 10)
    status = main(["fetch", str(src), "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}",
                   "-D", "evidence_http_retries=1", "-D", "evidence_http_backoff=0.01"])
    assert status == 1
    assert not (src / "evidence.lock.json").exists()


def test_show_prints_a_record(project, capsys):
    src = project("myst")
    assert main(["show", "21860499", "--project", str(src)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["author"] == [{"literal": "National Toxicology Program"}]
    assert main(["show", "12345", "--project", str(src)]) == 1
    assert "not in" in capsys.readouterr().err


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "sphinxext_evidence.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "fetch" in out.stdout and "show" in out.stdout


def test_show_uses_the_configured_lockfile(project, capsys):
    src = project("myst")
    (src / "evidence.lock.json").rename(src / "refs.lock.json")
    (src / "conf.py").write_text((src / "conf.py").read_text() + "evidence_lockfile = 'refs.lock.json'\n")
    assert main(["show", "993", "--project", str(src)]) == 0
    assert '"Retracted Publication"' in capsys.readouterr().out


def test_fetch_ignores_the_offline_environment_variable(project, eutils, monkeypatch):
    monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    src = project("citations")
    assert main(["fetch", str(src), "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}"]) == 0
    assert eutils.count == 1


def test_refresh_days_from_the_command_line(project, eutils):
    src = project("citations")
    assert main(["fetch", str(src), "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}"]) == 0
    # -D gives a string; 0 days means everything is due again.
    assert main(["fetch", str(src), "-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}",
                 "-D", "evidence_refresh_days=0"]) == 0
    assert eutils.count == 2
