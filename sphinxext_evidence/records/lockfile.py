"""The committed metadata lockfile: load, merge and atomic save.

The file is JSON with one object per source (``pubmed``, ``crossref``,
``openfda``), each mapping an identifier to its record.  Keys are sorted and
the formatting is fixed so that diffs stay reviewable.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

try:  # POSIX only; elsewhere concurrent builds are simply not serialised.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

FORMAT_VERSION = 1
NOTE = "Metadata cached by sphinxext-evidence. Commit this file; rebuilds use it instead of the network."

Sections = dict[str, dict[str, dict[str, Any]]]


class LockfileError(Exception):
    """The lockfile exists but cannot be read as a lockfile."""


def load(path: Path) -> Sections:
    """Read the lockfile at ``path``; a missing file is an empty lockfile."""
    return read(path)[0]


def read(path: Path) -> tuple[Sections, str]:
    """Read the lockfile at ``path`` and fingerprint its bytes ('' when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        raise LockfileError(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LockfileError(f"{path} is not valid JSON ({exc}); fix or delete it") from exc
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise LockfileError(f"{path} is not a version {FORMAT_VERSION} evidence lockfile")
    return {k: v for k, v in data.items() if isinstance(v, dict)}, _fingerprint(text)


def _fingerprint(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def digest(data: Any) -> str:
    """A short fingerprint of JSON-like ``data`` (a record or all sections)."""
    return _fingerprint(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def dumps(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """Serialise ``sections`` deterministically (sorted keys, two-space indent, final newline)."""
    data: dict[str, Any] = {"note": NOTE, "version": FORMAT_VERSION}
    data.update({name: dict(records) for name, records in sections.items() if records})
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an advisory lock on the lockfile's directory so concurrent builds merge instead of racing.

    Locking the directory, not a sidecar file, leaves nothing behind in the project.
    """
    if fcntl is None:
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def save(path: Path, updates: Mapping[str, Mapping[str, dict[str, Any]]]) -> tuple[Sections, str]:
    """Merge ``updates`` into the file at ``path`` atomically; return the merged content and its fingerprint.

    The current file is re-read under a lock, so records written meanwhile by
    another build are kept; records are only ever added or replaced, never removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path):
        merged = load(path)
        for section, records in updates.items():
            merged.setdefault(section, {}).update(records)
        text = dumps(merged)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, _mode_of(path))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    return merged, _fingerprint(text)


def _mode_of(path: Path) -> int:
    """Permissions for the new file: those of the old one, else 0o644."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644
