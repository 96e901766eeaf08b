"""The example site and the documentation build with ``-W`` from their committed lockfiles, offline.

``.ci/run`` runs only pytest, so these builds are what keeps "both build with -W
in CI" true.  The example site's lockfile is also rebuilt by the extension from
the hand-written fixtures on loopback and must equal the committed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def sphinx_build(src: Path, out: Path, builder: str = "html") -> subprocess.CompletedProcess[str]:
    """``sphinx-build -W --keep-going`` in a fresh process, offline, with the date of today."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["SPHINX_EVIDENCE_OFFLINE"] = "1"
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", builder,
                           str(src), str(out)], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("site", ["example_site", "docs"])
@pytest.mark.parametrize("builder", ["html", "text"])
def test_site_builds_without_warnings(tmp_path: Path, site: str, builder: str) -> None:
    src = tmp_path / site
    shutil.copytree(ROOT / site, src, ignore=shutil.ignore_patterns("_build"))
    before = (src / "evidence.lock.json").read_bytes()
    result = sphinx_build(src, tmp_path / "out", builder)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert (src / "evidence.lock.json").read_bytes() == before  # an offline build never rewrites it


def test_example_lockfile_is_made_by_the_extension_from_the_fixtures(tmp_path: Path) -> None:
    src = tmp_path / "site"
    shutil.copytree(ROOT / "example_site", src, ignore=shutil.ignore_patterns("_build"))
    (src / "evidence.lock.json").unlink()
    result = subprocess.run([sys.executable, str(ROOT / "example_site" / "fixtures" / "make_lockfile.py"), str(src)],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert (src / "evidence.lock.json").read_text(encoding="utf-8") == \
        (ROOT / "example_site" / "evidence.lock.json").read_text(encoding="utf-8")
