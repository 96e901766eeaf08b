"""One warning vocabulary: every warning the package emits goes through log.warn with a listed subtype."""

from __future__ import annotations

import ast
from pathlib import Path

import sphinxext_evidence
from sphinxext_evidence.citations.roles import CITE_ROLES, LINK_ROLES
from sphinxext_evidence.log import SUBTYPES

PACKAGE = Path(sphinxext_evidence.__file__).parent
WARNING_CALLS = {"warn"}  # log.warn and EvidenceDirective.warn


def _calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                found.append((path, node))
    return found


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_no_direct_logger_warnings_outside_log() -> None:
    offenders = [f"{path.relative_to(PACKAGE)}:{call.lineno}" for path, call in _calls()
                 if _name(call) == "warning" and path.name != "log.py"]
    assert offenders == [], "warnings must go through sphinxext_evidence.log.warn"


def _reported(call: ast.Call) -> str | None:
    """The subtype of a ``problems.append((subtype, message))`` call (checks hand problems to a directive)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "append" and ast.unparse(func.value).endswith("problems")):
        return None
    arg = call.args[0] if call.args else None
    if isinstance(arg, ast.Tuple) and arg.elts and isinstance(arg.elts[0], ast.Constant):
        return str(arg.elts[0].value)
    return None


def _subtype_tables() -> set[str]:
    """Subtypes held in ``*_SUBTYPES`` tables (a feature picking one by level), outside log.py."""
    found: set[str] = set()
    for path in MODULES_OUTSIDE_LOG:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(
                    isinstance(t, ast.Name) and t.id.endswith("SUBTYPES") for t in node.targets):
                found |= {v.value for v in node.value.values if isinstance(v, ast.Constant)}
    return found


MODULES_OUTSIDE_LOG = [p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "log.py"]


def test_every_emitted_subtype_is_listed() -> None:
    emitted: set[str] = _subtype_tables()
    dynamic = []
    for path, call in _calls():
        reported = _reported(call)
        if reported is not None:
            emitted.add(reported)
            continue
        if _name(call) not in WARNING_CALLS or len(call.args) < 2:
            continue
        value = call.args[1]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            emitted.add(value.value)
        elif isinstance(value, ast.JoinedStr) and ast.unparse(value) == "f'invalid-{kind.name}'":
            emitted |= {f"invalid-{name}" for name in (*CITE_ROLES, *LINK_ROLES)}
        elif isinstance(value, ast.Name):
            continue  # a helper passing its own parameter on; its callers are checked
        else:
            dynamic.append(f"{path.relative_to(PACKAGE)}:{call.lineno}: {ast.unparse(value)}")
    assert dynamic == []
    assert emitted - set(SUBTYPES) == set()
    # Every listed subtype is really emitted somewhere (no dead entries).
    assert set(SUBTYPES) - emitted == set()


def test_docs_page_lists_every_subtype() -> None:
    page = (PACKAGE.parent / "docs" / "reference" / "warnings.rst").read_text(encoding="utf-8")
    documented = {line.split("::", 1)[1].strip() for line in page.splitlines()
                  if line.startswith(".. evidence-warning::")}
    assert documented == set(SUBTYPES)
