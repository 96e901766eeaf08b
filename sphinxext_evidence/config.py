"""The ``evidence_*`` configuration values, their defaults and types."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxext_evidence import log

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
OPENFDA_URL = "https://api.fda.gov/"
CROSSREF_URL = "https://api.crossref.org/"
MAX_DAYS = 700_000  # about 1,900 years: "never", while date arithmetic from today still reaches year 1


#: Checks a value already of an accepted type; returns what is wrong with it, or None.
Check = Callable[[Any], "str | None"]


def at_least(minimum: float, strictly: bool = False, most: float | None = None) -> Check:
    """A check that a number is ``>= minimum`` (``> minimum`` when ``strictly``), and at most ``most`` when given.

    The upper bound keeps a value such as ``10**400`` from reaching time arithmetic, where it cannot be used.
    """
    def check(value: Any) -> str | None:
        if value is None:
            return None
        ok = value > minimum if strictly else value >= minimum
        if ok and (most is None or value <= most):
            return None
        return f"must be {check.accepts}"  # type: ignore[attr-defined]
    low = f"{'greater than' if strictly else 'at least'} {minimum:g}"
    check.accepts = f"{low} and at most {most:,.0f}" if most is not None else low  # type: ignore[attr-defined]
    return check


def http_url(value: Any) -> str | None:
    """A check that a value is an http(s) URL."""
    return None if str(value).lower().startswith(("http://", "https://")) else "must be an http:// or https:// URL"


def not_blank(value: Any) -> str | None:
    """A check that a string is not empty."""
    return None if str(value).strip() else "must not be empty"


@dataclass(frozen=True)
class Option:
    """One configuration value: name, default, rebuild scope, accepted types, help, and a range check."""

    name: str
    default: Any
    rebuild: Literal["", "env", "html"]
    types: tuple[type, ...]
    help: str
    check: Check | None = None


OPTIONS: tuple[Option, ...] = (
    Option("evidence_email", "", "", (str,), "Contact address sent to NCBI with every request."),
    Option("evidence_tool", "sphinxext-evidence", "", (str,), "Tool name sent to NCBI with every request."),
    Option("evidence_api_key", None, "", (str, type(None)),
           "NCBI API key; defaults to the NCBI_API_KEY environment variable. Never written out."),
    Option("evidence_eutils_url", EUTILS_URL, "", (str,), "Base URL of NCBI E-utilities.", http_url),
    Option("evidence_openfda_url", OPENFDA_URL, "", (str,), "Base URL of openFDA.", http_url),
    Option("evidence_openfda_api_key", None, "", (str, type(None)),
           "openFDA API key; defaults to the OPENFDA_API_KEY environment variable. Never written out."),
    Option("evidence_crossref_url", CROSSREF_URL, "", (str,), "Base URL of the Crossref REST API.", http_url),
    Option("evidence_lockfile", "evidence.lock.json", "", (str,),
           "Path of the metadata lockfile, relative to the configuration directory.", not_blank),
    Option("evidence_manual_records", "", "", (str,),
           "YAML file of works with no PMID or DOI, cited with :work: (relative to the configuration directory; "
           "empty: none)."),
    Option("evidence_offline", False, "", (bool,),
           "Never touch the network (also on when SPHINX_EVIDENCE_OFFLINE=1)."),
    Option("evidence_refresh_days", None, "", (int, type(None)),
           "Re-fetch records fetched this many days ago or more (0: every build; None: never).",
           at_least(0, most=MAX_DAYS)),
    Option("evidence_max_age_days", None, "", (int, type(None)),
           "Another name for evidence_refresh_days; when both are set, the smaller wins.", at_least(0, most=MAX_DAYS)),
    Option("evidence_correction_checks", True, "", (bool,),
           "Ask Crossref for the correction links (retractions, expressions of concern, corrections, newer "
           "versions; Retraction Watch included) of every cited DOI, PubMed's too."),
    Option("evidence_status_max_age_days", 30, "", (int, type(None)),
           "Re-check a cited work's retraction and correction status once this many days old (online), and "
           "warn about older checks (offline); None: never.", at_least(1, most=MAX_DAYS)),
    Option("evidence_http_timeout", 30.0, "", (int, float), "Seconds to wait for a service to answer.",
           at_least(0, strictly=True, most=3_600)),
    Option("evidence_http_retries", 4, "", (int,), "Retries on 429, 5xx answers and timeouts (a refused connection gets one quick retry).",
           at_least(0, most=20)),
    Option("evidence_http_backoff", 1.0, "", (int, float), "Back-off factor in seconds between retries.",
           at_least(0, most=600)),
    Option("evidence_network_deadline", 60.0, "", (int, float, type(None)),
           "Seconds a build may spend on the network in all; what is left then is skipped (None: no limit).",
           at_least(0, strictly=True, most=86_400)),
    Option("evidence_retry_failed_after", 600.0, "", (int, float),
           "Seconds before identifiers whose fetch failed are asked for again (0: at every build).",
           at_least(0, most=MAX_DAYS * 86_400)),
    Option("evidence_reference_style", "vancouver", "env", (str,),
           "How references and citations are written: vancouver, ama, apa, or a CSL style (a .csl file or a "
           "style name) drawn by citeproc-py.", not_blank),
    Option("evidence_max_authors", None, "env", (int, type(None)),
           "Authors an entry names before 'et al.' (None: as the reference style says; 0: all).", at_least(0)),
    Option("evidence_references_title", "References", "env", (str,),
           "Heading of a reference list appended automatically to a page."),
    Option("evidence_regulatory_max_age_days", 365, "env", (int,),
           "A regulatory status whose :as-of: date or openFDA check is older than this many days is flagged "
           "as possibly out of date; online builds re-check openFDA records that old.", at_least(0, most=MAX_DAYS)),
    Option("evidence_bottom_line_title", "The honest bottom line", "env", (str,),
           "Default title of the bottom-line callout (a directive's :title: overrides it)."),
    Option("evidence_scope_texts", {}, "env", (dict,),
           "Site-wide wording of evidence-scope caveats: {scope: text}, replacing the built-in defaults."),
    Option("evidence_disclaimer", "", "env", (str,),
           "Text shown at the foot of every page that uses the extension (empty: none)."),
    Option("evidence_jsonld", True, "env", (bool,),
           "Put schema.org MedicalWebPage JSON-LD in the head of HTML pages with an article-info byline."),
    Option("evidence_cite_this_page", True, "html", (bool,),
           "Show a 'Cite this page' block (authors, title, site, date, address) in the article-info byline."),
    Option("evidence_citation_meta", True, "html", (bool,),
           "Put Highwire Press citation_* meta tags (read by Google Scholar and Zotero) in the head of HTML pages "
           "with an article-info byline."),
)


def default(opt: Option) -> Any:
    """The default of ``opt``; service URLs are read at call time, so a test can point them at loopback."""
    urls = {"evidence_eutils_url": EUTILS_URL, "evidence_openfda_url": OPENFDA_URL,
            "evidence_crossref_url": CROSSREF_URL}
    return urls.get(opt.name, opt.default)


def register(app: Sphinx) -> None:
    """Add every ``evidence_*`` value to the Sphinx configuration."""
    for opt in OPTIONS:
        app.add_config_value(opt.name, default(opt), opt.rebuild, opt.types, description=opt.help)


def _coerce(opt: Option, value: Any) -> Any:
    """A value given as text (``-D name=value``) in the option's type, when it reads as one."""
    if not isinstance(value, str) or str in opt.types:
        return value
    text = value.strip()
    if bool in opt.types and text.lower() in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        return text.lower() in ("1", "true", "yes", "on")
    if type(None) in opt.types and text.lower() in ("", "none", "off"):
        return None
    for kind in (int, float):
        if kind in opt.types:
            try:
                return kind(text)
            except ValueError:
                pass
    return value


def _type_names(opt: Option) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "True or False", dict: "a dict",
             type(None): "None"}
    return " or ".join(names.get(t, t.__name__) for t in opt.types)


def problem(opt: Option, value: Any) -> tuple[Any, str | None]:
    """``value`` in the option's type, and what is wrong with it (None when it is fine)."""
    value = _coerce(opt, value)
    # bool is an int in Python, but True is no number of days.
    if not isinstance(value, opt.types) or (isinstance(value, bool) and bool not in opt.types):
        return value, f"must be {_type_names(opt)}"
    return value, opt.check(value) if opt.check is not None else None


def _where(app: Sphinx, name: str) -> str | None:
    """``conf.py:<line>`` where ``name`` is assigned, for the warning's location (None when not found)."""
    path = os.path.join(app.confdir, "conf.py") if app.confdir else ""
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if re.match(rf"\s*{re.escape(name)}\s*[:=]", line):
                    return f"{path}:{number}"
    except OSError:
        pass
    return None


def validate(app: Sphinx, config: Config) -> None:
    """``config-inited``: warn about wrong or unknown ``evidence_*`` values; wrong ones fall back to the default."""
    for opt in OPTIONS:
        value, wrong = problem(opt, getattr(config, opt.name))
        if wrong is None:
            setattr(config, opt.name, value)
            continue
        shown = "(hidden)" if "api_key" in opt.name else repr(value)
        log.warn(f"{opt.name} = {shown} {wrong}; using the default {default(opt)!r}", "config",
                 _where(app, opt.name))
        setattr(config, opt.name, default(opt))
    known = [opt.name for opt in OPTIONS]
    for name in sorted(getattr(config, "_raw_config", {})):
        if name.startswith("evidence_") and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else " (see the list of evidence_* values in the docs)"
            log.warn(f"unknown configuration value {name} in conf.py{hint}", "config", _where(app, name))


def merge_aliases(app: Sphinx, config: Config) -> None:
    """``config-inited``: ``evidence_max_age_days`` is ``evidence_refresh_days`` under another name."""
    given = [d for d in (config.evidence_refresh_days, config.evidence_max_age_days) if d is not None]
    config.evidence_refresh_days = config.evidence_max_age_days = min(given) if given else None


def is_offline(config: Config) -> bool:
    """True when the build must not touch the network."""
    return bool(config.evidence_offline) or os.environ.get("SPHINX_EVIDENCE_OFFLINE", "") not in ("", "0")


@dataclass(frozen=True)
class Secrets:
    """API keys, kept off the config object so they never reach the pickled environment."""

    ncbi: str | None = None
    openfda: str | None = None


_SECRET_ATTR = "_evidence_secrets"


def stash_secrets(app: Sphinx, config: Config) -> None:
    """Move API keys out of ``config`` (which Sphinx pickles) onto the application object."""
    secrets = Secrets(
        ncbi=config.evidence_api_key or os.environ.get("NCBI_API_KEY") or None,
        openfda=config.evidence_openfda_api_key or os.environ.get("OPENFDA_API_KEY") or None,
    )
    setattr(app, _SECRET_ATTR, secrets)
    config.evidence_api_key = None
    config.evidence_openfda_api_key = None


def secrets(app: Sphinx) -> Secrets:
    """The API keys stashed by :func:`stash_secrets` (none if it has not run)."""
    return getattr(app, _SECRET_ATTR, Secrets())


def setup(app: Sphinx) -> None:
    """Register the values; validate them and move API keys aside once conf.py is read."""
    register(app)
    app.connect("config-inited", validate, priority=400)
    app.connect("config-inited", merge_aliases, priority=410)
    app.connect("config-inited", stash_secrets, priority=450)
