"""The sphinx-evidence command: fill a project's lockfile, show stored records."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from sphinx.errors import ConfigError, SphinxError

from sphinxext_evidence import __version__
from sphinxext_evidence.config import OPTIONS, problem
from sphinxext_evidence.domain import EvidenceDomain
from sphinxext_evidence.identifiers import KINDS, make_key
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.sources import REGISTRY

PROG = "sphinx-evidence"
DEFAULT_LOCKFILE = "evidence.lock.json"
OFFLINE_VARIABLE = "SPHINX_EVIDENCE_OFFLINE"
#: Exit statuses (documented in docs/reference/cli.rst).
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
#: The kind whose parser takes almost any text (a drug name), so it is tried last.
FREE_TEXT_KIND = "fda"
#: How each kind of identifier ``show`` accepts is written on the command line.
EXAMPLES = {"pmid": "a PMID (22282884 or pmid:22282884)",
            "doi": "a DOI (10.1161/STROKEAHA.111.628537, doi:… or https://doi.org/…)",
            "fda": "a drug name (semaglutide or fda:semaglutide)"}
_PREFIX_RE = re.compile(r"^([A-Za-z][A-Za-z-]*):(?!//)\s*(.*)$", re.DOTALL)


class CommandError(Exception):
    """A failure to report on one line of standard error, with the exit status to return."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _say(message: str) -> None:
    """Write one ``sphinx-evidence: …`` line to standard error."""
    sys.stderr.write(f"{PROG}: {message}\n")


def _one_line(text: str) -> str:
    """``text`` with its whitespace, newlines included, collapsed to single spaces."""
    return " ".join(str(text).split())


def _find_confdir(path: Path) -> Path | None:
    """The directory holding conf.py: ``path`` itself, or its docs/, source/ or docs/source/."""
    for candidate in (path, path / "docs", path / "source", path / "docs" / "source"):
        if (candidate / "conf.py").is_file():
            return candidate
    return None


def _require_confdir(project: str) -> Path:
    """The directory holding the project's conf.py, or a usage error naming where it was looked for."""
    confdir = _find_confdir(Path(project))
    if confdir is None:
        raise CommandError(f"no conf.py in {project} (nor in its docs/, source/ or docs/source/)", USAGE)
    return confdir


def _config_error(conf: Path, exc: SphinxError) -> CommandError:
    """A one-line usage error naming conf.py and what went wrong while reading it (no traceback)."""
    cause = exc.__cause__ if isinstance(exc, ConfigError) else None
    if isinstance(cause, SyntaxError):
        where = f", line {cause.lineno}" if cause.lineno else ""
        return CommandError(f"{conf}{where}: SyntaxError: {_one_line(cause.msg)}", USAGE)
    if isinstance(cause, SystemExit):
        return CommandError(f"{conf} called sys.exit({_one_line(repr(cause.code))})", USAGE)
    if isinstance(cause, Exception):
        conf_file = os.path.realpath(conf)
        lines = [f.lineno for f in traceback.extract_tb(cause.__traceback__)
                 if os.path.realpath(f.filename) == conf_file]
        where = f", line {lines[-1]}" if lines else ""
        return CommandError(f"{conf}{where}: {type(cause).__name__}: {_one_line(str(cause))}", USAGE)
    return CommandError(f"{conf}: {_one_line(str(exc))}", USAGE)


def _read_conf(confdir: Path) -> dict[str, Any]:
    """The names conf.py defines; a conf.py that fails is a usage error."""
    from sphinx.config import eval_config_file
    from sphinx.util.tags import Tags

    conf = confdir / "conf.py"
    try:
        # Absolute: Sphinx reads the file after changing into its directory.
        with contextlib.redirect_stdout(sys.stderr):  # what conf.py prints is not this command's output
            names = eval_config_file(Path(os.path.abspath(conf)), Tags())  # type: ignore[arg-type]  # str on Sphinx 7
    except ConfigError as exc:
        raise _config_error(conf, exc) from exc
    missing = _missing_extension(confdir, names.get("extensions"))
    if missing is not None:
        raise CommandError(f"{conf}: the extension {missing!r} in extensions cannot be imported", USAGE)
    return names


def _missing_extension(confdir: Path, extensions: Any) -> str | None:
    """The first of ``extensions`` that cannot be found, as Sphinx would look for it from ``confdir``."""
    import importlib.util

    if not isinstance(extensions, (list, tuple)):
        return None
    here = os.getcwd()
    os.chdir(confdir)  # a conf.py may add a relative folder of local extensions to sys.path
    try:
        for name in extensions:
            if not isinstance(name, str):
                continue
            try:
                found = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                found = None
            if found is None:
                return name
    finally:
        os.chdir(here)
    return None


def _overrides(defines: Sequence[str]) -> dict[str, Any]:
    """``-D name=value`` items as configuration overrides; ``evidence_*`` values are checked and typed."""
    options = {opt.name: opt for opt in OPTIONS}
    overrides: dict[str, Any] = {}
    for item in defines:
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CommandError(f"-D {item}: expected name=value", USAGE)
        opt = options.get(name)
        if opt is None and name.startswith("evidence_"):
            close = difflib.get_close_matches(name, options, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise CommandError(f"-D {name}: unknown configuration value{hint}", USAGE)
        if opt is not None:
            typed, wrong = problem(opt, value)
            if wrong is not None:
                shown = "(hidden)" if "api_key" in name else repr(value)
                raise CommandError(f"-D {name}={shown}: {name} {wrong}", USAGE)
            value = typed
        overrides[name] = value
    return overrides


def _offline_reason(overrides: dict[str, Any]) -> str | None:
    """Why this run must not touch the network (the variable, or ``-D evidence_offline``), or None."""
    if os.environ.get(OFFLINE_VARIABLE, "") not in ("", "0"):
        return f"{OFFLINE_VARIABLE} is set"
    if overrides.get("evidence_offline") is True:
        return "-D evidence_offline is on"
    return None


@contextlib.contextmanager
def _plain_stderr() -> Iterator[None]:
    """While a project is read: its printing goes to standard error, which has no colour codes unless a terminal.

    Standard output is the command's own (JSON, BibTeX …), so what conf.py or an
    extension prints must not land there; ``FORCE_COLOR`` and ``NO_COLOR`` are honoured.
    """
    from sphinx.util.console import coloron, nocolor

    colour = "NO_COLOR" not in os.environ and ("FORCE_COLOR" in os.environ or sys.stderr.isatty())
    with contextlib.redirect_stdout(sys.stderr):
        if colour:
            yield
            return
        nocolor()
        try:
            yield
        finally:
            coloron()


def _count(path: Path) -> int | None:
    """How many records the lockfile at ``path`` holds (None when there is no readable file)."""
    try:
        return sum(len(records) for records in lockfile.load(path).values()) if path.is_file() else None
    except lockfile.LockfileError:
        return None


def cmd_fetch(args: argparse.Namespace) -> int:
    """Read a project (without writing output) so the fetch stage fills its lockfile."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils
    from sphinx.util.logging import suppress_logging

    from sphinxext_evidence.fetch import lockfile_path

    confdir = _require_confdir(args.project)
    overrides = _overrides(args.define)
    offline = _offline_reason(overrides)
    if offline is not None:
        _read_conf(confdir)  # a broken conf.py is reported first, as when online
        raise CommandError(f"{offline}, so nothing was fetched and the lockfile is unchanged; "
                           f"unset it to fetch", FAILED)
    # A conf.py's evidence_offline = True is for its builds; asking this command is asking for a fetch.
    overrides.setdefault("evidence_offline", False)
    if args.refresh:
        overrides["evidence_refresh_days"] = 0
    with (_plain_stderr(), tempfile.TemporaryDirectory() as tmp, patch_docutils(confdir),
          docutils_namespace()):
        try:
            app = Sphinx(str(confdir), str(confdir), str(Path(tmp, "out")), str(Path(tmp, "doctrees")), "dummy",
                         confoverrides=overrides, status=sys.stderr if args.verbose else None,
                         warning=sys.stderr, freshenv=True)
        except SphinxError as exc:
            raise _config_error(confdir / "conf.py", exc) from exc
        path, shown = lockfile_path(app), confdir / app.config.evidence_lockfile
        try:
            with suppress_logging():  # the fetch stage reads it again and warns about what it finds
                lockfile.read(path)
        except lockfile.LockfileError as exc:
            raise CommandError(f"{exc}; nothing was fetched, as the lockfile could not be updated", FAILED) from exc
        try:
            app.build(force_all=True)
        except SphinxError as exc:
            if args.verbose:
                traceback.print_exc()
            raise CommandError(f"reading {confdir} failed: {_one_line(str(exc))}", FAILED) from exc
        failures = list(getattr(cast(EvidenceDomain, app.env.get_domain("evidence")), "failures", []))
        with suppress_logging():  # what is wrong with the file was said during the build
            count = _count(path)
    if count is not None:
        sys.stdout.write(f"{count} record(s) in {shown}\n")
    elif not failures:
        sys.stdout.write(f"0 record(s): nothing to fetch, so no lockfile was written at {shown}\n")
    for failure in failures:
        _say(failure)
    return FAILED if failures else OK


def _configured_lockfile(confdir: Path) -> str:
    """``evidence_lockfile`` as conf.py sets it, else the default (as the extension treats a wrong value)."""
    value = _read_conf(confdir).get("evidence_lockfile")
    return value if isinstance(value, str) and value.strip() else DEFAULT_LOCKFILE


def _stored_kinds() -> list[str]:
    """The kinds of identifier the lockfile keeps records of, in the order identifiers.KINDS lists them."""
    return [k for k in KINDS if any(k in source.kinds for source in REGISTRY)]


def _accepted() -> str:
    """What ``show`` accepts, for messages."""
    kinds = [EXAMPLES.get(k, KINDS[k].label) for k in _stored_kinds()]
    return ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else "".join(kinds)


def _label(kind: str, ident: str) -> str:
    """``PMID 123``, ``DOI 10.1/x``, ``drug name 'metformin'``: an identifier named in a message."""
    return f"{KINDS[kind].label} {ident!r}" if kind == FREE_TEXT_KIND else f"{KINDS[kind].label} {ident}"


def _show_key(ident: str) -> tuple[str, str]:
    """The key to look up for ``ident`` and how to name it, or a usage error saying what is accepted."""
    stored = _stored_kinds()
    prefix = _PREFIX_RE.match(ident)
    if prefix and prefix.group(1).lower() in stored:
        kind, text = prefix.group(1).lower(), prefix.group(2)
        parsed = KINDS[kind].parse(text if kind == FREE_TEXT_KIND else ident)
        if parsed is None:
            raise CommandError(f"{ident!r} is not a valid {KINDS[kind].label}; give {EXAMPLES.get(kind, kind)}", USAGE)
        return make_key(kind, parsed), _label(kind, parsed)
    if ident.isdigit() and KINDS["pmid"].parse(ident) is None:
        raise CommandError(f"{ident!r} is not a valid {KINDS['pmid'].label}: 1 to 9 digits, not 0", USAGE)
    for kind in [k for k in KINDS if k != FREE_TEXT_KIND]:
        parsed = KINDS[kind].parse(ident)
        if parsed is None:
            continue
        if kind not in stored:
            raise CommandError(f"{ident} is a {KINDS[kind].label}, and the lockfile keeps no records of those; "
                               f"give {_accepted()}", USAGE)
        return make_key(kind, parsed), _label(kind, parsed)
    parsed = KINDS[FREE_TEXT_KIND].parse(ident)
    if prefix or ident.lower().startswith(("http://", "https://")) or parsed is None:
        raise CommandError(f"{ident!r} is not an identifier {PROG} show accepts; give {_accepted()}", USAGE)
    return make_key(FREE_TEXT_KIND, parsed), _label(FREE_TEXT_KIND, parsed)


def cmd_show(args: argparse.Namespace) -> int:
    """Print the stored record of one identifier (PMID, DOI, drug name) as JSON."""
    ident = args.id.strip()
    if not ident:
        raise CommandError(f"the identifier is empty; give {_accepted()}", USAGE)
    key, label = _show_key(ident)
    if args.lockfile:
        path = (_find_confdir(Path(args.project)) or Path(args.project)) / args.lockfile
    else:
        confdir = _require_confdir(args.project)
        path = confdir / _configured_lockfile(confdir)
    if not path.exists():
        raise CommandError(f"no lockfile at {path}", FAILED)
    try:
        sections = lockfile.load(path)
    except lockfile.LockfileError as exc:
        raise CommandError(str(exc), FAILED) from exc
    store = Store(sections, {})
    record = store.raw(key) or store.raw(store.canonical(key))
    if record is None:
        raise CommandError(f"{label} is not in {path}", FAILED)
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return OK


def _parser() -> argparse.ArgumentParser:
    """The command line: ``fetch`` and ``show``, ``--version``."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fill a project's lockfile without building it")
    fetch.add_argument("project", help="directory holding conf.py (or docs/conf.py)")
    fetch.add_argument("--refresh", action="store_true", help="fetch every cited record again")
    fetch.add_argument("-D", dest="define", action="append", default=[], metavar="name=value",
                       help="override a configuration value, as with sphinx-build -D")
    fetch.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    fetch.set_defaults(func=cmd_fetch)
    show = sub.add_parser("show", help="print the stored record of a PMID, DOI or drug name")
    show.add_argument("id", help="a PMID such as 37818733, a DOI, or a drug name")
    show.add_argument("--project", default=".", help="directory holding conf.py (default: .)")
    show.add_argument("--lockfile", default=None,
                      help="lockfile path relative to conf.py (default: evidence_lockfile from conf.py)")
    show.set_defaults(func=cmd_show)
    from sphinxext_evidence.refresh import add_parser as add_refresh  # refresh.py imports this module

    add_refresh(sub)
    from sphinxext_evidence.export import add_parser as add_export  # export.py imports this module

    add_export(sub)
    from sphinxext_evidence.check import add_parser as add_check  # check.py imports this module

    add_check(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sphinx-evidence``: run one command and return its exit status."""
    try:
        args = _parser().parse_args(argv)
        return int(args.func(args))
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else USAGE
    except CommandError as exc:
        _say(str(exc))
        return exc.status
    except KeyboardInterrupt:
        _say("interrupted")
        return INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    # Under ``python -m``, so that modules importing this one share its CommandError.
    sys.modules.setdefault("sphinxext_evidence.cli", sys.modules[__name__])
    sys.exit(main())
