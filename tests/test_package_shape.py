"""The package's shape: feature folders, small modules, no repeated blocks, no dead code."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import sphinxext_evidence

PACKAGE = Path(sphinxext_evidence.__file__).parent
ROOT = PACKAGE.parent
MODULES = sorted(PACKAGE.rglob("*.py"))
FEATURES = ("citations", "grade", "regulatory", "article")
SHARED = ("records", "sources", "identifiers.py", "log.py", "config.py", "domain.py", "fetch.py", "resolve.py",
          "dates.py", "text.py", "render_utils.py", "directive.py", "latex.py")


def test_no_module_over_400_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in MODULES if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def _significant_lines(path: Path) -> list[tuple[int, str]]:
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = " ".join(raw.split())
        if not text or text.startswith(("#", "import ", "from ")) or len(text) <= 3:
            continue
        lines.append((number, text))
    return lines


def test_no_block_of_six_lines_twice() -> None:
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in MODULES:
        lines = _significant_lines(path)
        for i in range(len(lines) - 5):
            window = tuple(text for _, text in lines[i:i + 6])
            seen[window].append(f"{path.relative_to(PACKAGE)}:{lines[i][0]}")
    repeated = [places for places in seen.values() if len(places) > 1]
    assert repeated == []


def test_comments_never_name_issues() -> None:
    found = [f"{p.relative_to(PACKAGE)}:{n}" for p in MODULES
             for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"\bissue\s*#?\d", line, re.I)]
    assert found == []


def test_shared_ground_names_no_feature() -> None:
    offenders = []
    for path in MODULES:
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] not in SHARED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if any(name.startswith(f"sphinxext_evidence.{f}") for f in FEATURES):
                    offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_top_level_setup_only_calls_setups() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    setup = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "setup")
    calls = [ast.unparse(n.func) for n in ast.walk(setup) if isinstance(n, ast.Call)]
    assert calls == ["part.setup"]
    for feature in FEATURES:
        assert (PACKAGE / feature / "__init__.py").read_text().count("def setup(app: Sphinx)") == 1


def test_fetch_resolve_and_cli_name_no_source() -> None:
    for name in ("fetch.py", "resolve.py", "cli.py", "records/store.py"):
        text = (PACKAGE / name).read_text(encoding="utf-8")
        assert not re.search(r"\b(pubmed|crossref|openfda)\b", text, re.I), name


@pytest.mark.skipif(shutil.which("vulture") is None and not (Path(sys.executable).parent / "vulture").exists(),
                    reason="vulture is installed with the test extra")
def test_no_dead_code() -> None:
    vulture = shutil.which("vulture") or str(Path(sys.executable).parent / "vulture")
    result = subprocess.run([vulture, "sphinxext_evidence", "vulture_whitelist.py", "--min-confidence", "60"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
