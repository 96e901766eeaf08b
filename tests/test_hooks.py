"""The files other tools run: the pre-commit hook and the GitHub Actions workflows in docs/ci/.

The hook is run by pre-commit itself (``pre-commit try-repo``) against a site
in a temporary git repository.  pre-commit installs the extension into an
environment of its own from a git copy of this checkout, as it would from the
published repository.  To keep the test off the network, pip may not use an
index there: the hook's environment gets the extension from the copy and its
dependencies (Sphinx and the rest) from this environment, through PYTHONPATH.

The workflow files are read as YAML and checked step by step; the shell script
of the refresh step is run as GitHub would run it, against loopback doubles.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fakes import EFETCH_PATH, Canned
from test_refresh import PMID, Services, backdate, make_site

from sphinxext_evidence.cli import main

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"
REFRESH_WORKFLOW = ROOT / "docs" / "ci" / "github-actions-refresh.yml"
DOCS_WORKFLOW = ROOT / "docs" / "ci" / "github-actions-docs.yml"
PAGE = f"Genetics\n========\n\nAn older study of HLA genes :pmid:`{PMID}`.\n"
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit") or (str(BIN / "pre-commit") if (BIN / "pre-commit").exists() else None)
# Packages the hook's own environment must take from its own seed, not from this environment.
OWN = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth", "pip", "__editable__",
       "sphinxext_evidence", "__pycache__")


def git(cwd: Path, *args: str) -> None:
    """Run git in ``cwd`` as a throwaway identity."""
    subprocess.run(["git", "-c", "user.name=tests", "-c", "user.email=tests@example.org", *args], cwd=cwd,
                   check=True, capture_output=True)


def services_in_conf(src: Path, services: Services) -> None:
    """Point every service of ``src``'s conf.py at the doubles, for commands run in a child process."""
    url = services.server.url
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f"evidence_eutils_url = {services.eutils.base_url!r}\nevidence_crossref_url = {url!r}\n"
                   f"evidence_openfda_url = {url!r}\nevidence_http_backoff = 0.01\nevidence_http_retries = 1\n")


# -- the pre-commit hook -----------------------------------------------------------------------------------


def test_the_hook_manifest_runs_the_check_command_once_per_commit():
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["sphinx-evidence-check"]
    hook = hooks[0]
    assert hook["entry"] == "sphinx-evidence check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["args"] == ["."]
    assert {"rst", "markdown", "python", "json"} <= set(hook["types_or"])


def _hook_copy(tmp_path: Path) -> Path:
    """A git repository holding this checkout's package, as pre-commit would clone it."""
    repo = tmp_path / "sphinxext-evidence"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    shutil.copytree(ROOT / "sphinxext_evidence", repo / "sphinxext_evidence",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "snapshot")
    return repo


def _dependencies(tmp_path: Path) -> Path:
    """A folder of links to this environment's packages, leaving out what the hook's environment has itself."""
    folder = tmp_path / "dependencies"
    folder.mkdir()
    for packages in site.getsitepackages():
        for entry in Path(packages).iterdir():
            if not entry.name.startswith(OWN) and not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry)
    return folder


def _try_repo(site_repo: Path, hook_repo: Path, tmp_path: Path, dependencies: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH holds no copy of the extension, so the hook can only run the one pre-commit installed.
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PIP_NO_INDEX": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
           "PYTHONPATH": str(dependencies)}
    return subprocess.run([PRE_COMMIT, "try-repo", str(hook_repo), "sphinx-evidence-check", "--all-files"],
                          cwd=site_repo, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is installed with the test extra")
def test_pre_commit_runs_the_hook_and_stops_on_a_retraction(tmp_path, eutils, fake_server):
    services = Services(eutils, fake_server)
    services.before()
    site_repo = tmp_path / "site"
    src = make_site(site_repo / "docs", PAGE)
    assert main(["fetch", str(src), *services.options()]) == 0
    git(site_repo, "init", "-q")
    git(site_repo, "add", "-A")
    git(site_repo, "commit", "-qm", "a site")
    hook_repo, dependencies = _hook_copy(tmp_path), _dependencies(tmp_path)

    clean = _try_repo(site_repo, hook_repo, tmp_path, dependencies)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"sphinx-evidence check\.+Passed", clean.stdout), clean.stdout

    backdate(src / "evidence.lock.json", 40)
    services.after()
    assert main(["refresh", str(src), *services.options()]) == 0
    git(site_repo, "commit", "-qam", "refreshed: the study is retracted")
    flagged = _try_repo(site_repo, hook_repo, tmp_path, dependencies)
    assert flagged.returncode == 1, flagged.stdout + flagged.stderr
    assert re.search(r"sphinx-evidence check\.+Failed", flagged.stdout)
    assert "- exit code: 1" in flagged.stdout
    assert "docs/index.rst:4" in flagged.stdout and f"PMID {PMID} is retracted" in flagged.stdout


# -- the workflows -----------------------------------------------------------------------------------------


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare ``on`` as true
    return data


def _step(steps: list[dict], uses: str = "", name: str = "") -> dict:
    return next(s for s in steps if (uses and s.get("uses", "").startswith(uses)) or (name and s.get("name") == name))


def test_the_refresh_workflow_runs_nightly_and_opens_a_pull_request():
    flow = _workflow(REFRESH_WORKFLOW)
    assert [t["cron"] for t in flow["on"]["schedule"]] == ["41 3 * * *"] and "workflow_dispatch" in flow["on"]
    assert flow["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = flow["jobs"]["refresh"]["steps"]
    assert [s.get("uses", s.get("name")).split("@")[0] for s in steps] == [
        "actions/checkout", "actions/setup-python", "Install", "Fetch again the records fetched 30 days ago or more",
        "peter-evans/create-pull-request", "Fail when a record could not be refreshed"]
    refresh = steps[3]
    assert "sphinx-evidence refresh docs --older-than 30d" in refresh["run"]
    assert refresh["env"] == {"NCBI_API_KEY": "${{ secrets.NCBI_API_KEY }}"}
    pull = _step(steps, uses="peter-evans/create-pull-request")
    assert pull["uses"] == "peter-evans/create-pull-request@v7"
    assert pull["with"]["add-paths"] == "docs/evidence.lock.json"
    assert pull["with"]["body-path"] == "${{ runner.temp }}/body.md"
    assert steps[-1]["if"] == "steps.refresh.outputs.status != '0'"
    # The only secret is the optional NCBI key.
    assert set(re.findall(r"secrets\.(\w+)", REFRESH_WORKFLOW.read_text())) == {"NCBI_API_KEY"}


def test_the_offline_build_needs_no_secret():
    flow = _workflow(DOCS_WORKFLOW)
    build = flow["jobs"]["build"]
    assert "secrets." not in yaml.safe_dump(build)
    step = next(s for s in build["steps"] if "sphinx-build" in s.get("run", ""))
    assert step["env"]["SPHINX_EVIDENCE_OFFLINE"] == "1"


def _run_refresh_step(repo: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    """The refresh step's script, run by bash as GitHub runs it; returns the process and its outputs file."""
    step = _step(_workflow(REFRESH_WORKFLOW)["jobs"]["refresh"]["steps"], name=(
        "Fetch again the records fetched 30 days ago or more"))
    script, outputs = tmp_path / "step.sh", tmp_path / "github-output"
    script.write_text(step["run"], encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(outputs), "NCBI_API_KEY": "",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("SPHINX_EVIDENCE_OFFLINE", None)
    process = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    return process, outputs.read_text(encoding="utf-8")


@pytest.mark.parametrize("fails", [False, True])
def test_the_refresh_step_writes_the_pull_request_body(tmp_path, eutils, fake_server, fails):
    services = Services(eutils, fake_server)
    services.before()
    repo = tmp_path / "repo"
    src = make_site(repo / "docs", PAGE)
    services_in_conf(src, services)
    assert main(["fetch", str(src)]) == 0
    backdate(src / "evidence.lock.json", 40)
    services.after()
    if fails:
        services.server.queue(EFETCH_PATH, *[Canned(500, {}, b"down")] * 2)
    process, outputs = _run_refresh_step(repo, tmp_path)
    assert process.returncode == 0, process.stderr  # the step goes on to the pull request either way
    body = (tmp_path / "body.md").read_text(encoding="utf-8")
    assert body.startswith("Records fetched again by `sphinx-evidence refresh docs --older-than 30d`.")
    assert "\n```text\nAsked again for 1 record fetched 30 days ago or more (PubMed 1)" in body
    assert body.endswith("```\n")
    if fails:
        assert outputs == "status=1\n"
        assert "sphinx-evidence: PubMed: " in process.stderr and "  - new retraction" not in body
        assert body.endswith("docs/evidence.lock.json is unchanged.\n```\n")
    else:
        assert outputs == "status=0\n"
        assert "  - new retraction: Retracted (notice PMID 11600210, reported by PubMed)\n" in body
        assert "Retracted Publication" in (src / "evidence.lock.json").read_text(encoding="utf-8")
