"""``sphinx-evidence check`` and substitutions: what one cites counts where it is used, as in a build.

reStructuredText substitutions (in a page, an included file or rst_prolog)
and MyST's (``myst_substitutions`` and a page's front matter) are read at the
line a build warns at; one never used is no finding, though the build still
notes (and keeps the record of) what it cites.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import build_with, warnings
from test_check import REPO, check, findings

CLEAN = REPO / "tests" / "roots" / "test-check-clean"


def missing(rows: list[dict]) -> set[tuple[str, int, str]]:
    return {(r["file"], r["line"], r["key"]) for r in rows if r["kind"] == "missing"}


def test_the_check_finds_what_a_build_warns_about_at_the_same_lines(project, make_app, capsys):
    src = project("check-subst")
    app = build_with(make_app, src, "dummy")
    built = {(Path(m.group(1)).relative_to(src).as_posix(), int(m.group(2)), f"pmid:{m.group(3)}")
             for m in re.finditer(r"^(\S+?):(\d+): WARNING: PMID (\d+) has no record.*\[evidence\.missing\]$",
                                  warnings(app), re.MULTILINE)}
    capsys.readouterr()
    assert missing(findings(capsys, src)) == built
    assert ("index.rst", 30, "pmid:32000003") in built  # used twice, warned at its definition
    assert not {key for _, _, key in built} & {"pmid:32000006", "pmid:32000007", "pmid:32000010",
                                               "pmid:31000002", "pmid:31000006", "pmid:33000002"}


def _site(tmp_path: Path, conf: str, pages: dict[str, str]) -> Path:
    src = tmp_path / "site"
    src.mkdir()
    (src / "conf.py").write_text(f"extensions = ['myst_parser', 'sphinxext_evidence']\n{conf}", encoding="utf-8")
    for name, text in pages.items():
        (src / name).write_text(text, encoding="utf-8")
    return src


UNUSED = "T\n=\n\nText.\n\n.. |later| replace:: :pmid:`22282884`\n"


@pytest.mark.parametrize(("conf", "page"), [
    ("", UNUSED),
    ("rst_prolog = '''\n.. |later| replace:: :pmid:`22282884`\n'''\n", "T\n=\n\nText.\n"),
])
def test_a_substitution_never_used_is_no_finding(tmp_path, capsys, conf, page):
    src = _site(tmp_path, conf, {"index.rst": page})
    status, out, _ = check(capsys, str(src))
    assert status == 0, out


def test_what_an_unused_substitution_cites_is_still_not_uncited(tmp_path, capsys):
    src = tmp_path / "clean"
    shutil.copytree(CLEAN, src)
    (src / "index.rst").write_text(UNUSED, encoding="utf-8")  # the build still notes and keeps 22282884
    status, out, _ = check(capsys, str(src), "--format", "json")
    assert (status, json.loads(out)) == (0, [])


def test_prolog_substitutions_count_once_at_conf_py_where_a_page_uses_them(tmp_path, capsys):
    conf = "rst_prolog = '''\n.. |a| replace:: :pmid:`1`\n.. |b| replace:: :pmid:`2`\n.. |c| replace:: |a|\n'''\n"
    src = _site(tmp_path, conf, {"index.rst": "T\n=\n\nUses |c|.\n\n.. toctree::\n\n   other\n",
                                 "other.rst": "O\n=\n\nUses |c| too, and |B|.\n"})
    assert missing(findings(capsys, src)) == {("conf.py", 3, "pmid:1"), ("conf.py", 4, "pmid:2")}


@pytest.mark.parametrize(("conf", "page", "line"), [
    ("myst_enable_extensions = ['substitution']\nmyst_substitutions = {'trial': '{pmid}`22282884`'}\n",
     "# T\n\nThe trial {{ trial }}.\n", 4),
    ("myst_enable_extensions = ['substitution']\n",
     "---\nmyst:\n  substitutions:\n    trial: \"{pmid}`22282884`\"\n---\n# T\n\nThe trial {{ trial }}.\n", 9),
    ("", "---\nmyst:\n  enable_extensions: [substitution]\n  substitutions:\n    trial: \"{pmid}`22282884`\"\n"
         "---\n# T\n\n{{ trial }}\n", 10),
])
def test_myst_substitutions_are_read_where_they_are_used(tmp_path, capsys, conf, page, line):
    src = _site(tmp_path, conf, {"index.md": page})
    assert missing(findings(capsys, src)) == {("index.md", line, "pmid:22282884")}


def test_myst_substitutions_need_the_extension(tmp_path, capsys):
    src = _site(tmp_path, "myst_substitutions = {'trial': '{pmid}`22282884`'}\n", {"index.md": "# T\n\n{{ trial }}\n"})
    assert findings(capsys, src) == []
