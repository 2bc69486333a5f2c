"""One writer at a time per output folder: an exclusive `flock` on a lock file inside it.

Two runs that merged into one folder at once would each read the folder, merge their own pages
and write: the second rename wins and the first run's sessions are gone. The lock covers the
whole read-merge-write. `flock` is released by the kernel when its holder dies (`kill -9`
included), so a killed run never leaves the folder locked. The holder removes the lock file
before releasing it, so a finished run leaves nothing behind; a waiter that then gets a lock on
the removed file sees that the path no longer names it and locks the new one instead.

Readers (`load()`, `check`) take the same lock shared: they wait for a run's commit to end, so
they never read one table from before it and another from after, and runs wait for them. A
reader leaves the lock file (a writer removes it); a folder it may not write in (or on a
read-only file system) is read without the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from schedscrape.progress import report

LOCK_NAME = ".schedscrape.lock"


@contextlib.contextmanager
def folder_lock(directory: Path, shared: bool = False) -> Iterator[None]:
    """Hold the folder's writer lock (or, `shared`, a reader's) for the block, saying so on
    stderr if another run has it."""
    path = directory / LOCK_NAME
    said = False
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        except OSError:
            if not shared:
                raise
            yield  # a folder this user may only read (or a read-only mount): read unlocked
            return
        try:
            said = _lock(handle, directory, said, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        if _names(path, handle):
            break
        os.close(handle)  # its holder removed it while this run waited: lock the current one
    try:
        yield
    finally:
        if not shared:
            path.unlink(missing_ok=True)  # while still held, so no third run can lock this one
        os.close(handle)


def _lock(handle: int, directory: Path, said: bool, kind: int) -> bool:
    """Lock `handle`, waiting if need be; returns whether the wait has been announced."""
    try:
        fcntl.flock(handle, kind | fcntl.LOCK_NB)
        return said
    except BlockingIOError:
        if not said:
            report(f"schedscrape: waiting for another schedscrape run writing to {directory}")
        fcntl.flock(handle, kind)
        return True


def _names(path: Path, handle: int) -> bool:
    """Whether `path` is still the file open as `handle`."""
    try:
        on_disk = path.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)
