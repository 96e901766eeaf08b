"""The sphinx-evidence command: exit statuses, one-line messages, and what it reads and writes.

Exit statuses: 0 success, 1 a fetch failed or the lockfile could not be read,
written or found, 2 usage or configuration errors, 130 interrupted.  Every
service is a loopback double; commands run in a child process (Ctrl-C, a
read-only directory) are pointed at them with ``-D`` for every service URL.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import EFETCH_PATH, Canned, EUtilsDouble

import sphinxext_evidence
from sphinxext_evidence.cli import main

NO_RETRIES = ["-D", "evidence_http_retries=0"]


def services(eutils: EUtilsDouble) -> list[str]:
    """``-D`` options pointing every service at the loopback doubles (never at the internet)."""
    return ["-D", f"evidence_eutils_url={eutils.base_url}", "-D", f"evidence_crossref_url={eutils.server.url}",
            "-D", f"evidence_openfda_url={eutils.server.url}"]


def cli(*args: str, first: str = "") -> list[str]:
    """The command line that runs ``sphinx-evidence`` in a child process, after the Python code ``first``."""
    # ``first`` runs in a process of its own, which then replaces itself with the command: no
    # ``preexec_fn``, which is unsafe while the loopback servers' threads run.
    if not first:
        return [sys.executable, "-m", "sphinxext_evidence.cli", *args]
    run = "os.execv(sys.executable, [sys.executable, '-m', 'sphinxext_evidence.cli', *sys.argv[1:]])"
    code = f"import os, sys\n{first}\n{run}"
    return [sys.executable, "-c", code, *args]


def one_line(err: str) -> str:
    """The only line of ``err``, failing when there are more (or a traceback)."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- fetch --------------------------------------------------------------------------------------------------


def test_fetch_fills_the_lockfile_without_building(project, eutils, capsys):
    src = project("citations")
    assert main(["fetch", str(src), *services(eutils)]) == 0
    data = json.loads((src / "evidence.lock.json").read_text())
    assert {"21860499", "993", "26468569"} <= set(data["pubmed"])
    assert not (src / "_build").exists()
    out, err = capsys.readouterr()
    count = sum(len(v) for v in data.values() if isinstance(v, dict))
    assert out == f"{count} record(s) in {src / 'evidence.lock.json'}\n"
    assert "\x1b[" not in err  # Sphinx's warnings, without colour codes when standard error is not a terminal
    # Nothing missing: no request the second time; --refresh asks again.
    assert main(["fetch", str(src), *services(eutils)]) == 0
    assert eutils.count == 1
    assert main(["fetch", str(src), "--refresh", *services(eutils)]) == 0
    assert eutils.count == 2


def test_fetch_failure_exits_1_and_keeps_the_lockfile(project, eutils, capsys):
    src = project("citations")
    eutils.server.queue(EFETCH_PATH, *[Canned(500, {}, b"down")] * 10)
    status = main(["fetch", str(src), *services(eutils), "-D", "evidence_http_retries=1",
                   "-D", "evidence_http_backoff=0.01"])
    assert status == 1
    assert not (src / "evidence.lock.json").exists()
    out, err = capsys.readouterr()
    assert out == ""  # no count of records that are not in any file
    assert "sphinx-evidence: PubMed:" in err and "HTTP 500" in err
    assert "cannot override" not in err  # -D evidence_http_backoff=0.01 is a number, not ignored text


def test_a_correction_links_failure_also_exits_1(project, eutils, capsys):
    src = project("citations")
    eutils.server.queue("/works", *[Canned(500, {}, b"down")] * 10)
    assert main(["fetch", str(src), *services(eutils), *NO_RETRIES]) == 1
    out, err = capsys.readouterr()
    assert "record(s) in" in out  # what PubMed answered was written
    assert "sphinx-evidence: Crossref correction links:" in err


@pytest.mark.parametrize("damage", ["not json", "a directory"])
def test_fetch_exits_1_without_fetching_when_the_lockfile_cannot_be_read(project, eutils, capsys, damage):
    src = project("citations")
    lock = src / "evidence.lock.json"
    if damage == "a directory":
        lock.mkdir()
    else:
        lock.write_text("{broken", encoding="utf-8")
    # Before, the records were fetched, could not be written, and the command still exited 0.
    assert main(["fetch", str(src), *services(eutils)]) == 1
    assert eutils.requests == []
    assert lock.is_dir() if damage == "a directory" else lock.read_text(encoding="utf-8") == "{broken"
    message = one_line(capsys.readouterr().err)
    assert str(lock) in message and "nothing was fetched" in message


# prctl(PR_CAPBSET_DROP) of CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER: root's licence to ignore
# file permissions.  The process stays root, so it can still run a Python installed in root's home.
GIVE_UP_ROOT_OVERRIDES = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
for capability in (1, 2, 3):
    if libc.prctl(24, capability, 0, 0, 0) != 0:
        sys.exit(f"prctl failed: errno {ctypes.get_errno()}")
"""


def as_ordinary_user() -> str:
    """Code for ``cli(first=…)`` under which file permissions hold (for root: without its overrides)."""
    if os.geteuid() != 0:
        return ""
    probe = subprocess.run(cli("--version", first=GIVE_UP_ROOT_OVERRIDES), capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("running as root, and root's permission overrides cannot be dropped here")
    return GIVE_UP_ROOT_OVERRIDES


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX permissions; prctl(2) when root")
def test_fetch_exits_1_when_the_lockfile_directory_is_read_only(project, eutils):
    src = project("citations")
    src.chmod(0o555)
    try:
        result = subprocess.run(cli("fetch", str(src), *services(eutils), first=as_ordinary_user()),
                                capture_output=True, text=True, timeout=300, check=False)
    finally:
        src.chmod(0o755)
    assert result.returncode == 1, result.stderr
    lock = src / "evidence.lock.json"
    assert not lock.exists()
    assert eutils.count == 1  # fetched, then could not be written
    assert f"sphinx-evidence: cannot write {lock}" in result.stderr
    assert "Traceback" not in result.stderr
    assert "record(s) in" not in result.stdout  # the records are in no file


def test_ctrl_c_exits_130_without_a_traceback(project, eutils):
    src = project("citations")
    eutils.server.queue(EFETCH_PATH, Canned(200, {}, b"", delay=120))  # PubMed hangs
    # A process started from a background job may inherit SIGINT ignored; the command gets it back.
    default_sigint = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_DFL)"
    process = subprocess.Popen(cli("fetch", str(src), *services(eutils), first=default_sigint),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not eutils.server.requests_to(EFETCH_PATH):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the command never asked PubMed"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1] == "sphinx-evidence: interrupted"
    assert not (src / "evidence.lock.json").exists()


@pytest.mark.parametrize("how", ["environment", "-D"])
def test_fetch_honours_offline_mode(project, eutils, monkeypatch, capsys, how):
    """With SPHINX_EVIDENCE_OFFLINE set (or -D evidence_offline=1), fetch touches no network, says so, and exits 1."""
    # The command used to drop the variable for its own run ("asking for a fetch is asking for
    # the network"), and this test checked that it did.  But the variable is how a CI job or a
    # sandbox promises that nothing it runs reaches the network, and a command that overrode it
    # broke that promise.  Nothing is fetched, so the lockfile is not brought up to date:
    # status 1, as for a failed fetch.
    src = project("citations")
    extra = ["-D", "evidence_offline=1"] if how == "-D" else []
    if how == "environment":
        monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    assert main(["fetch", str(src), *services(eutils), *extra]) == 1
    assert eutils.requests == []
    assert not (src / "evidence.lock.json").exists()
    out, err = capsys.readouterr()
    message = one_line(err)
    assert out == ""
    assert "nothing was fetched" in message
    assert ("SPHINX_EVIDENCE_OFFLINE is set" if how == "environment" else "evidence_offline") in message


def test_fetch_overrides_evidence_offline_in_conf_py(project, eutils):
    src = project("citations")
    (src / "conf.py").write_text((src / "conf.py").read_text() + "evidence_offline = True\n")
    assert main(["fetch", str(src), *services(eutils)]) == 0
    assert eutils.count == 1


def test_zero_in_the_environment_is_not_offline(project, eutils, monkeypatch):
    monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "0")
    src = project("citations")
    assert main(["fetch", str(src), *services(eutils)]) == 0
    assert eutils.count == 1


def test_refresh_days_from_the_command_line(project, eutils):
    src = project("citations")
    assert main(["fetch", str(src), *services(eutils)]) == 0
    # -D gives a string; 0 days means everything is due again.
    assert main(["fetch", str(src), *services(eutils), "-D", "evidence_refresh_days=0"]) == 0
    assert eutils.count == 2


def test_fetch_finds_conf_py_in_docs(project, eutils, tmp_path, monkeypatch, capsys):
    shutil.move(project("citations"), tmp_path / "site" / "docs")
    monkeypatch.chdir(tmp_path)
    assert main(["fetch", "site", *services(eutils)]) == 0
    assert capsys.readouterr().out.endswith(f"record(s) in {Path('site', 'docs', 'evidence.lock.json')}\n")


# -- usage and configuration errors: status 2 ---------------------------------------------------------------

BROKEN_CONF = {
    "syntax error": ("project = (\n", ["line 1", "SyntaxError", "never closed"]),
    "exception": ("project = 'x'\nraise RuntimeError('no such theme here')\n",
                  ["line 2", "RuntimeError: no such theme here"]),
    "sys.exit": ("import sys\nsys.exit(3)\n", ["sys.exit(3)"]),
}


@pytest.mark.parametrize("command", ["fetch", "show", "offline fetch"])
@pytest.mark.parametrize("case", sorted(BROKEN_CONF))
def test_a_conf_py_that_fails_is_one_line_and_status_2(project, eutils, capsys, monkeypatch, command, case):
    src = project("myst")
    body, expected = BROKEN_CONF[case]
    (src / "conf.py").write_text(body, encoding="utf-8")
    if command == "offline fetch":
        monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    args = ["show", "21860499", "--project", str(src)] if command == "show" else ["fetch", str(src), *services(eutils)]
    assert main(args) == 2
    message = one_line(capsys.readouterr().err)
    assert message.startswith(f"sphinx-evidence: {src / 'conf.py'}")
    for text in expected:
        assert text in message
    assert eutils.requests == []


@pytest.mark.parametrize("command", ["fetch", "offline fetch", "show", "check", "refresh", "export"])
def test_an_extension_that_cannot_be_loaded_is_status_2(project, eutils, capsys, monkeypatch, command):
    src = project("citations")
    (src / "conf.py").write_text((src / "conf.py").read_text() + "extensions.append('no_such_extension')\n")
    if command == "offline fetch":
        monkeypatch.setenv("SPHINX_EVIDENCE_OFFLINE", "1")
    args = {"show": ["show", "21860499", "--project", str(src)], "check": ["check", str(src)],
            "refresh": ["refresh", str(src), *services(eutils)], "export": ["export", str(src), "--format", "ris"]}
    assert main(args.get(command, ["fetch", str(src), *services(eutils)])) == 2
    message = one_line(capsys.readouterr().err)
    assert "conf.py" in message and "no_such_extension" in message
    assert eutils.requests == []


def test_a_local_extension_beside_conf_py_is_found(project, capsys):
    src = project("citations")
    (src / "_ext").mkdir()
    (src / "_ext" / "local_thing.py").write_text("def setup(app):\n    return {}\n", encoding="utf-8")
    (src / "conf.py").write_text((src / "conf.py").read_text()
                                 + "import sys\nsys.path.insert(0, '_ext')\nextensions.append('local_thing')\n")
    assert main(["check", str(src)]) in (0, 1)
    assert "cannot be imported" not in capsys.readouterr().err


@pytest.mark.parametrize("command", [["check", "{src}", "--format", "json"], ["export", "{src}", "--format", "csl-json"],
                                     ["show", "21860499", "--project", "{src}"]])
def test_what_conf_py_prints_stays_off_standard_output(project, capsys, command):
    src = project("myst")
    (src / "conf.py").write_text("print('loading conf')\n" + (src / "conf.py").read_text())
    main([part.format(src=src) for part in command])
    out, err = capsys.readouterr()
    json.loads(out)
    assert "loading conf" in err


def test_fetch_output_has_no_colour_codes_and_no_repeated_warning(project, eutils, capsys, monkeypatch):
    src = project("citations")
    lock = src / "evidence.lock.json"
    lock.write_text('{"version": 2, "pubmed": {}}', encoding="utf-8")
    monkeypatch.setenv("NO_COLOR", "1")
    main(["fetch", str(src), *services(eutils)])
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert err.count("the lockfile is version 2") == 1


def test_no_conf_py_is_status_2(tmp_path, capsys):
    assert main(["fetch", str(tmp_path)]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"sphinx-evidence: no conf.py in {tmp_path} (nor in its docs/, source/ or docs/source/)")
    assert main(["show", "993", "--project", str(tmp_path)]) == 2
    assert "no conf.py" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "expected"), [
    ([], "required: command"),
    (["fetch"], "required: project"),
    (["frobnicate"], "invalid choice"),
    (["fetch", ".", "-D", "evidence_http_retries"], "expected name=value"),
    (["fetch", ".", "-D", "evidence_http_retries=lots"], "evidence_http_retries must be an integer"),
    (["fetch", ".", "-D", "evidence_http_retires=1"], "did you mean evidence_http_retries?"),
    (["fetch", ".", "-D", "evidence_lockfile= "], "evidence_lockfile must not be empty"),
])
def test_usage_errors_are_status_2(project, monkeypatch, capsys, args, expected):
    monkeypatch.chdir(project("citations"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"sphinx-evidence {sphinxext_evidence.__version__}\n"
    assert sphinxext_evidence.__version__ == importlib.metadata.version("sphinxext-evidence")


def test_console_script_runs():
    out = subprocess.run(cli("--help"), capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "fetch" in out.stdout and "show" in out.stdout and "--version" in out.stdout


# -- show ---------------------------------------------------------------------------------------------------


def test_show_prints_a_record(project, capsys):
    src = project("myst")
    assert main(["show", "21860499", "--project", str(src)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["author"] == [{"literal": "National Toxicology Program"}]
    # A DOI is found in the record that carries it.
    assert main(["show", "https://doi.org/10.1136/GUTJNL-2016-312510", "--project", str(src)]) == 0
    assert json.loads(capsys.readouterr().out)["PMID"] == "27797938"
    assert main(["show", "12345", "--project", str(src)]) == 1
    assert one_line(capsys.readouterr().err) == f"sphinx-evidence: PMID 12345 is not in {src / 'evidence.lock.json'}"


@pytest.mark.parametrize("sub", ["", "docs", "source", "docs/source"])
def test_show_reads_the_lockfile_conf_py_names(project, tmp_path, monkeypatch, capsys, sub):
    confdir = tmp_path / "site" / sub
    confdir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(project("myst"), confdir)
    (confdir / "records").mkdir()
    (confdir / "evidence.lock.json").rename(confdir / "records" / "refs.lock.json")
    (confdir / "conf.py").write_text((confdir / "conf.py").read_text() + "evidence_lockfile = 'records/refs.lock.json'\n")
    monkeypatch.chdir(tmp_path)  # a relative --project, as typed in a shell
    assert main(["show", "993", "--project", "site"]) == 0
    assert '"Retracted Publication"' in capsys.readouterr().out


def test_show_says_when_there_is_no_lockfile(project, capsys):
    src = project("myst")
    (src / "conf.py").write_text((src / "conf.py").read_text() + "evidence_lockfile = 'elsewhere.lock.json'\n")
    assert main(["show", "993", "--project", str(src)]) == 1
    assert one_line(capsys.readouterr().err) == f"sphinx-evidence: no lockfile at {src / 'elsewhere.lock.json'}"
    assert main(["show", "993", "--project", str(src), "--lockfile", "evidence.lock.json"]) == 0


def test_show_with_an_unreadable_lockfile_is_status_1(project, capsys):
    src = project("myst")
    (src / "evidence.lock.json").write_text("[]", encoding="utf-8")
    assert main(["show", "993", "--project", str(src)]) == 1
    assert "is not a version 1 evidence lockfile" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("ident", ["", "   ", "\t\n"])
def test_show_an_empty_identifier_is_status_2(project, capsys, ident):
    assert main(["show", ident, "--project", str(project("myst"))]) == 2
    message = one_line(capsys.readouterr().err)
    assert message.startswith("sphinx-evidence: the identifier is empty; give a PMID")


@pytest.mark.parametrize(("ident", "expected"), [
    ("NCT00868283", "NCT00868283 is a ClinicalTrials.gov identifier, and the lockfile keeps no records of those"),
    ("rs429358", "rs429358 is a dbSNP rsID"),
    ("PMC3531190", "PMC3531190 is a PMCID"),
    ("isbn:9780199", "'isbn:9780199' is not an identifier sphinx-evidence show accepts"),
    ("https://pubmed.example.org/993", "is not an identifier sphinx-evidence show accepts"),
    ("???", "is not an identifier sphinx-evidence show accepts"),
])
def test_show_an_identifier_of_another_kind_says_what_is_accepted(project, capsys, ident, expected):
    assert main(["show", ident, "--project", str(project("myst"))]) == 2
    message = one_line(capsys.readouterr().err)
    assert expected in message
    assert message.endswith("give a PMID (22282884 or pmid:22282884), a DOI (10.1161/STROKEAHA.111.628537, "
                             "doi:… or https://doi.org/…) or a drug name (semaglutide or fda:semaglutide)")


@pytest.mark.parametrize(("ident", "expected"), [
    ("pmid:abc", "'pmid:abc' is not a valid PMID"),
    ("0", "'0' is not a valid PMID"),
    ("1234567890", "'1234567890' is not a valid PMID"),
    ("doi:10.1/x", "'doi:10.1/x' is not a valid DOI"),
])
def test_show_a_malformed_identifier_is_status_2(project, capsys, ident, expected):
    assert main(["show", ident, "--project", str(project("myst"))]) == 2
    assert expected in one_line(capsys.readouterr().err)


def test_show_a_drug_name(project, capsys):
    src = project("myst")
    assert main(["show", "Metformin", "--project", str(src)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"sphinx-evidence: drug name 'metformin' is not in {src / 'evidence.lock.json'}")
