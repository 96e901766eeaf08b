"""The ``evidence_*`` configuration values, their defaults and types."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from sphinx.application import Sphinx
from sphinx.config import Config

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
OPENFDA_URL = "https://api.fda.gov/"
CROSSREF_URL = "https://api.crossref.org/"


@dataclass(frozen=True)
class Option:
    """One configuration value: name, default, rebuild scope, accepted types, help."""

    name: str
    default: Any
    rebuild: Literal["", "env", "html"]
    types: tuple[type, ...]
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("evidence_email", "", "", (str,), "Contact address sent to NCBI with every request."),
    Option("evidence_tool", "sphinxext-evidence", "", (str,), "Tool name sent to NCBI with every request."),
    Option("evidence_api_key", None, "", (str, type(None)),
           "NCBI API key; defaults to the NCBI_API_KEY environment variable. Never written out."),
    Option("evidence_eutils_url", EUTILS_URL, "", (str,), "Base URL of NCBI E-utilities."),
    Option("evidence_openfda_url", OPENFDA_URL, "", (str,), "Base URL of openFDA."),
    Option("evidence_openfda_api_key", None, "", (str, type(None)),
           "openFDA API key; defaults to the OPENFDA_API_KEY environment variable. Never written out."),
    Option("evidence_crossref_url", CROSSREF_URL, "", (str,), "Base URL of the Crossref REST API."),
    Option("evidence_lockfile", "evidence.lock.json", "", (str,),
           "Path of the metadata lockfile, relative to the configuration directory."),
    Option("evidence_offline", False, "", (bool,),
           "Never touch the network (also on when SPHINX_EVIDENCE_OFFLINE=1)."),
    Option("evidence_refresh_days", None, "", (int, str, type(None)),
           "Re-fetch records fetched this many days ago or more (0: every build; None: never)."),
    Option("evidence_http_timeout", 30.0, "", (int, float), "Seconds to wait for a service to answer."),
    Option("evidence_http_retries", 4, "", (int,), "Retries on 429, 5xx and connection errors."),
    Option("evidence_http_backoff", 1.0, "", (int, float), "Back-off factor in seconds between retries."),
    Option("evidence_max_authors", 3, "env", (int,), "Authors shown before 'et al.'."),
    Option("evidence_references_title", "References", "env", (str,),
           "Heading of a reference list appended automatically to a page."),
    # --- regulatory-status (issue 4) ---
    Option("evidence_regulatory_max_age_days", 365, "env", (int,),
           "A regulatory status whose :as-of: date or openFDA check is older than this many days is flagged "
           "as possibly out of date; online builds re-check openFDA records that old."),
    # --- article furniture (issue 5) ---
    Option("evidence_bottom_line_title", "The honest bottom line", "env", (str,),
           "Default title of the bottom-line callout (a directive's :title: overrides it)."),
    Option("evidence_scope_texts", {}, "env", (dict,),
           "Site-wide wording of evidence-scope caveats: {scope: text}, replacing the built-in defaults."),
    Option("evidence_disclaimer", "", "env", (str,),
           "Text shown at the foot of every page that uses the extension (empty: none)."),
    Option("evidence_jsonld", True, "env", (bool,),
           "Put schema.org MedicalWebPage JSON-LD in the head of HTML pages with an article-info byline."),
)


def register(app: Sphinx) -> None:
    """Add every ``evidence_*`` value to the Sphinx configuration."""
    # Service URLs are looked up at call time so tests can point them at loopback.
    urls = {"evidence_eutils_url": EUTILS_URL, "evidence_openfda_url": OPENFDA_URL,
            "evidence_crossref_url": CROSSREF_URL}
    for opt in OPTIONS:
        default = urls.get(opt.name, opt.default)
        app.add_config_value(opt.name, default, opt.rebuild, opt.types, description=opt.help)


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
