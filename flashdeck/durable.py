"""Small files rewritten whole (the user's config.toml) so that neither a power cut nor a
second flashdeck writing at the same moment can leave them half-written or lose an edit."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the unique temp name still keeps writes whole
    fcntl = None


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `folder` (flock on the directory itself: no lock
    file is left in the user's folder). Another flashdeck taking the same lock waits."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def sync_folder(folder: Path) -> None:
    """Make a rename inside `folder` survive a power cut (its directory entry on disk)."""
    if fcntl is None:
        return  # Windows cannot open a folder to fsync it; the rename is durable there
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_beside(target: Path) -> Path:
    """A temp file's name in `target`'s folder that no other writer uses (this process's
    id and a random part): `.NAME.PID-RANDOM.tmp`, renamed over `target` once whole."""
    return target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"


def stale_temps(target: Path) -> Iterator[Path]:
    """The temp files `temp_beside` named for `target` that are still there."""
    return target.parent.glob(f".{glob_escape(target.name)}.*.tmp")


def replace_durably(target: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to `target` whole or not at all: a temp file of this writer's own (a
    name no other process uses) in the same folder, flushed to disk, given `target`'s
    permissions (or `mode`, from the moment it exists: 0o600 for a secret), renamed over it,
    and the folder flushed. A crash leaves the old file or the new one, never a mix; two
    writers never share a temp file. Callers hold `folder_lock(target.parent)` around their
    read-edit-write."""
    folder = target.parent
    for stale in stale_temps(target):
        # a writer killed before its rename (callers hold `folder_lock`: no live one)
        stale.unlink(missing_ok=True)
    temp = temp_beside(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        elif target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sync_folder(folder)


@contextmanager
def claimed(path: Path) -> Iterator[None]:
    """Create `path` (it must not exist yet) and hold a lock on it while inside, so that
    `clear_abandoned` run by another process leaves it alone; the file stays afterwards."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        if fcntl is None:
            break
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        # cleared as abandoned between its creation and the lock: make it again
        os.close(fd)
    try:
        yield
    finally:
        os.close(fd)


def clear_abandoned(paths) -> None:
    """Delete the files among `paths` that no live `claimed` holds (left by a process
    killed half-way), with their SQLite `-journal`. Without advisory locks (Windows)
    nothing is deleted: a live writer's file could not be told from an abandoned one."""
    if fcntl is None:
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue  # its writer finished (renamed it) meanwhile
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being written now
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                Path(f"{path}-journal").unlink(missing_ok=True)
                Path(path).unlink(missing_ok=True)
        except FileNotFoundError:
            continue
        finally:
            os.close(fd)
