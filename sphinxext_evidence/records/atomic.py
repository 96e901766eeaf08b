"""Writing the lockfile safely: a directory lock between concurrent builds, and one-step replacement.

A writer holds an advisory lock on the lockfile's directory, writes a
temporary file beside the lockfile, flushes it to disk and renames it over the
lockfile, so a killed build leaves either the old file or the new one, never
half of one.  What a killed writer leaves behind is a temporary file, which the
next build deletes.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:  # POSIX only; elsewhere concurrent builds are simply not serialised.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

#: Seconds after which a temporary file is taken to be a killed writer's where the directory cannot be locked.
LEFTOVER_AGE = 600.0


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[int | None]:
    """Hold an advisory lock on the lockfile's directory so concurrent builds merge instead of racing.

    Locking the directory, not a sidecar file, leaves nothing behind in the
    project.  Yields the directory's descriptor (None where nothing is locked).
    """
    if fcntl is None:
        yield None
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def remove_leftovers(path: Path, locked: bool) -> None:
    """Delete the temporary files of writers killed before they could rename them over the lockfile.

    Writers make them only while holding the directory lock, so while this
    process holds it every one there is a leftover; without a lock only those
    untouched for :data:`LEFTOVER_AGE` seconds are taken to be.
    """
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if locked or time.time() - tmp.stat().st_mtime > LEFTOVER_AGE:
                tmp.unlink()


def write(path: Path, content: bytes, directory: int | None) -> None:
    """Replace ``path`` by ``content`` in one step: a temporary file, flushed to disk, renamed over it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, _mode_of(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if directory is not None:
        with contextlib.suppress(OSError):
            os.fsync(directory)  # so that the rename itself survives a power cut


def _mode_of(path: Path) -> int:
    """Permissions for the new file: those of the old one, else 0o644."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def tidy(path: Path) -> None:
    """Delete what killed writers left beside ``path`` now, unless another build is writing (a later build will)."""
    if fcntl is None or not path.parent.is_dir():
        remove_leftovers(path, locked=False)
        return
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return  # a folder it cannot open is one it could not write to either
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        remove_leftovers(path, locked=True)
    except OSError:
        pass  # locked by a build that is writing: its temporary file is not a leftover
    finally:
        os.close(fd)
