"""The sphinx-evidence command: fill a project's lockfile, show stored records."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from sphinxext_evidence.domain import EvidenceDomain
from sphinxext_evidence.identifiers import KINDS, make_key
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.sources import REGISTRY


def _find_confdir(path: Path) -> Path | None:
    for candidate in (path, path / "docs", path / "source", path / "docs" / "source"):
        if (candidate / "conf.py").is_file():
            return candidate
    return None


def cmd_fetch(args: argparse.Namespace) -> int:
    """Read a project (without writing output) so the fetch stage fills its lockfile."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    confdir = _find_confdir(Path(args.project))
    if confdir is None:
        sys.stderr.write(f"sphinx-evidence: no conf.py in {args.project}\n")
        return 2
    # Asking for a fetch is asking for the network, whatever the environment says.
    os.environ.pop("SPHINX_EVIDENCE_OFFLINE", None)
    overrides: dict[str, object] = {"evidence_offline": False}
    for item in args.define:
        name, _, value = item.partition("=")
        overrides[name.strip()] = value
    if args.refresh:
        overrides["evidence_refresh_days"] = 0
    with tempfile.TemporaryDirectory() as tmp, patch_docutils(confdir), docutils_namespace():
        app = Sphinx(str(confdir), str(confdir), str(Path(tmp, "out")), str(Path(tmp, "doctrees")), "dummy",
                     confoverrides=overrides, status=sys.stderr if args.verbose else None,
                     warning=sys.stderr, freshenv=True)
        app.build(force_all=True)
        domain = cast(EvidenceDomain, app.env.get_domain("evidence"))
        failures, sections = domain.failures, domain.store.sections
    count = sum(len(records) for records in sections.values())
    sys.stdout.write(f"{count} record(s) in {Path(confdir, app.config.evidence_lockfile)}\n")
    for failure in failures:
        sys.stderr.write(f"sphinx-evidence: {failure}\n")
    return 1 if failures else 0


def _configured_lockfile(confdir: Path) -> str:
    """``evidence_lockfile`` as conf.py sets it, else the default."""
    from sphinx.config import eval_config_file
    from sphinx.util.tags import Tags

    try:
        namespace = eval_config_file(confdir / "conf.py", Tags())
    except Exception:  # a broken conf.py should not stop 'show' from reading the default file
        namespace = {}
    return str(namespace.get("evidence_lockfile") or "evidence.lock.json")


def cmd_show(args: argparse.Namespace) -> int:
    """Print the stored record of one identifier (PMID, DOI, drug name) as JSON."""
    confdir = _find_confdir(Path(args.project)) or Path(args.project)
    path = confdir / (args.lockfile or _configured_lockfile(confdir))
    try:
        sections = lockfile.load(path)
    except lockfile.LockfileError as exc:
        sys.stderr.write(f"sphinx-evidence: {exc}\n")
        return 2
    ident = args.id.strip()
    store = Store(sections, {})
    record = None
    for kind in (k for source in REGISTRY for k in source.kinds if k in KINDS):
        parsed = KINDS[kind].parse(ident)
        if parsed is not None:
            key = make_key(kind, parsed)
            record = store.raw(key) or store.raw(store.canonical(key))
        if record is not None:
            break
    if record is None:
        sys.stderr.write(f"sphinx-evidence: {ident} is not in {path}\n")
        return 1
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sphinx-evidence``."""
    parser = argparse.ArgumentParser(prog="sphinx-evidence", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fill a project's lockfile without building it")
    fetch.add_argument("project", help="directory holding conf.py (or docs/conf.py)")
    fetch.add_argument("--refresh", action="store_true", help="fetch every cited record again")
    fetch.add_argument("-D", dest="define", action="append", default=[], metavar="name=value",
                       help="override a configuration value, as with sphinx-build -D")
    fetch.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    fetch.set_defaults(func=cmd_fetch)
    show = sub.add_parser("show", help="print the stored record of a PMID or DOI")
    show.add_argument("id", help="a PMID such as 37818733, or a DOI")
    show.add_argument("--project", default=".", help="directory holding conf.py (default: .)")
    show.add_argument("--lockfile", default=None,
                      help="lockfile path relative to conf.py (default: evidence_lockfile from conf.py)")
    show.set_defaults(func=cmd_show)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
