"""The lockfile as a build last found it sound, kept compact in the doctree directory.

Parsing a large lockfile, checking every record and holding each as compact
text costs a build a few tenths of a second, which a one-page rebuild would
otherwise pay every time.  The copy is stored under the lockfile's token (its
bytes and the checks that judged them, see :func:`.lockfile.token_of`): a
change to either makes the next build read the lockfile afresh.  The doctree
directory is the build's own, as trusted as the environment Sphinx pickles
there.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)


def load(path: Path, token: str) -> dict[str, Any] | None:
    """The sections kept at ``path`` for the lockfile ``token`` names, or None when none are kept for it."""
    if not token:
        return None
    try:
        with path.open("rb") as file:
            if pickle.load(file) != token:
                return None
            sections = pickle.load(file)
    # A missing, damaged or outdated copy costs only reading the lockfile itself.
    except Exception:  # noqa: BLE001
        return None
    return sections if isinstance(sections, dict) else None


def keep(path: Path, token: str, sections: Mapping[str, Any]) -> None:
    """Keep ``sections`` at ``path`` under ``token``; with no token (a lockfile with faults), keep nothing."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        if not token:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file:
            pickle.dump(token, file, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(dict(sections), file, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
    except (OSError, pickle.PicklingError) as exc:  # costs only reading the lockfile again next time
        logger.info("evidence: cannot keep %s: %s", path, exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
