"""Reading note files from disk, and walking a vault for them.

Every failure is a Problem for that one file (or folder): a vault with one broken file
still imports everything else.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from flashdeck.notes.model import Problem

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

MAX_NOTE_BYTES = 16 * 2**20  # a note bigger than this is refused, not read
PATH_TOO_LONG = "path too long for this system (ENAMETOOLONG); not imported"
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO opened without it waits for a writer


class NotReadable(Exception):
    """A path that is not read: not a regular file (a FIFO, a device, a socket, a folder),
    or bigger than the bound. `str()` says why, in words for the user."""


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def content_digest(data: bytes) -> str:
    """A note file's content hash, as the collection records it (to skip unchanged notes
    and to recognise a moved vault by its notes)."""
    from hashlib import blake2b  # here: an unchanged vault's re-import never hashes

    return blake2b(data, digest_size=16).hexdigest()


def read_regular_file(path: str | os.PathLike, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most `limit` bytes, and its stat before the read.

    Anything else is refused at once with NotReadable: a FIFO (which would wait for a
    writer forever), a device (`/dev/zero` reads without end), a socket, a folder, or a
    file over `limit` (read no further than that). Other failures raise OSError.
    """
    st = os.stat(path)  # follows symlinks: what would be read
    _refuse_unless_regular(path, st, limit)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)  # what was opened (it may have been swapped since the stat)
        _refuse_unless_regular(path, st, limit)
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, max(st.st_size - total, 0) + 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise NotReadable(_too_big(limit))
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _refuse_unless_regular(path, st: os.stat_result, limit: int) -> None:
    kind = file_kind(st.st_mode)
    if kind is not None:
        via = ""
        try:
            if os.path.islink(path):
                via = f" (a symlink to {os.readlink(path)!r})"
        except OSError:
            pass
        raise NotReadable(f"is {kind}{via}, not a regular file")
    if st.st_size > limit:
        raise NotReadable(_too_big(limit, st.st_size))


def _too_big(limit: int, size: int | None = None) -> str:
    def mib(n: int) -> str:
        return f"{n / 2**20:.1f} MiB" if n % 2**20 else f"{n // 2**20} MiB"

    what = f"is {mib(size)}" if size is not None else "grew while being read"
    return f"{what}, over the {mib(limit)} a file may have"


def read_note_file(
    path: Path, display: str | None = None, *, data: bytes | None = None
) -> tuple[str | None, list[Problem]]:
    """Read and decode one note. Strips a UTF-8 BOM, turns CRLF/CR into LF.

    Returns (None, [problem]) for: a binary file / NUL bytes, non-UTF-8 bytes (with the
    line), a directory, an unreadable file, a dangling symlink, anything but a regular
    file (a FIFO, a device, a socket: never opened in a way that could block), a file over
    MAX_NOTE_BYTES, a path too long for the system. `display` is the path
    string used in messages (default str(path)). `data`: the file's bytes when the caller
    already read them (to hash them), so the file is not read twice.
    """
    shown = display if display is not None else str(path)

    def fail(message: str, line: int = 1) -> tuple[str | None, list[Problem]]:
        return None, [Problem(shown, line, message)]

    if data is None:
        try:
            data, _ = read_regular_file(path, MAX_NOTE_BYTES)
        except NotReadable as e:
            if os.path.isdir(path):
                return fail("is a folder, not a note file")
            return fail(f"{e}; not read")
        except IsADirectoryError:
            return fail("is a folder, not a note file")
        except FileNotFoundError:
            if os.path.islink(path):
                return fail(f"dangling symlink (points to missing {os.readlink(path)!r})")
            return fail("file not found")
        except PermissionError:
            return fail("cannot read file: permission denied")
        except OSError as e:
            if e.errno == errno.ELOOP:
                return fail("symlink loop")
            if e.errno == errno.ENAMETOOLONG:
                return fail(PATH_TOO_LONG)
            return fail(f"cannot read file: {e.strerror or e}")

    if data.startswith(_UTF16_BOMS):
        return fail("file is UTF-16 encoded; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return fail("binary file (NUL byte), not a markdown note", line)
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # as Obsidian shows it: each bad byte sequence is U+FFFD, and the rest of the note
        # is read; a warning names where (the note is never rewritten)
        text = data.decode("utf-8", "replace")
        problems = _bad_bytes(data, shown)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


MAX_BAD_BYTE_WARNINGS = 5  # lines named, at most, for one note's bytes that are not UTF-8


def _bad_bytes(data: bytes, shown: str) -> list[Problem]:
    """A warning for each line (the first MAX_BAD_BYTE_WARNINGS) with a byte that is not
    UTF-8: its line (CRLF, CR and LF each end one, as the note is read) and byte column."""
    problems: list[Problem] = []
    start = 0
    while start < len(data):  # each round goes on past a line break, at most 1 + the bound
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as e:
            at = start + e.start
        if len(problems) == MAX_BAD_BYTE_WARNINGS:
            last = problems[-1]
            problems[-1] = replace(last, message=f"{last.message} (and on later lines)")
            break
        before = data[:at]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        column = at - max(before.rfind(b"\n"), before.rfind(b"\r"))
        problems.append(Problem(
            shown, line, f"not valid UTF-8 (byte 0x{data[at]:02x} at column {column}):"
            " read as \ufffd; save the note as UTF-8 to keep the character", "warning"))
        # the next line: a line break is one ASCII byte, where decoding can start again
        ends = [end for end in (data.find(b"\n", at), data.find(b"\r", at)) if end >= 0]
        start = min(ends) + 1 if ends else len(data)
    return problems


def iter_note_files(root: Path) -> Iterator[tuple[Path, Problem | None]]:
    """Walk a vault folder for notes: (path, None) for each note, (path, Problem) for what
    cannot be read. See `walk_note_files`."""
    for path, problem, _stat in walk_note_files(root):
        yield Path(path), problem


def walk_note_files(
    root: Path | str,
) -> Iterator[tuple[str, Problem | None, os.stat_result | None]]:
    """Walk a vault folder for `*.md` files (case-insensitive suffix), sorted, deterministic.
    Paths are given as strings: a Path per file cost an unchanged vault's re-import ~10 %.

    Skips hidden dirs (.obsidian, .git, .trash). Follows symlinks safely: a symlink loop
    or a dangling `.md` symlink yields (path, Problem) once and the walk goes on. A
    directory named `x.md` is not a note: it is walked as the folder it is.

    A note file is read once, whatever names it: a symlink to a note the walk reaches by
    its own name is skipped (the note keeps its own name, and so its title), and of two
    names of one file otherwise (hard links, two links to a note outside) the first is
    taken. Imported twice, its cards came twice into every review.

    Order is by path, a folder's content where its name sorts. Hidden entries (a leading
    dot) are skipped, files too, as Obsidian does not show them.
    """
    root = str(root)
    try:
        root_stat = os.stat(root)
    except OSError as e:
        yield root, Problem(root, 1, f"cannot read folder: {e.strerror or e}"), None
        return
    if not stat.S_ISDIR(root_stat.st_mode):
        yield root, Problem(root, 1, "not a folder"), None
        return
    root_id = (root_stat.st_dev, root_stat.st_ino)
    visited: set[tuple[int, int]] = {root_id}
    seen_files: set[tuple[int, int]] = set()  # the note files taken, by device and inode
    real_root: str | None = None  # the root's real path, once a symlinked note needs it
    # Depth-first with an explicit stack (no recursion limit on deep vaults). Each level
    # knows the folders above it, so a symlink back up the tree is a loop, while a second
    # link to a folder walked elsewhere is skipped (its notes would be imported twice).
    stack: list[tuple[Iterator[os.DirEntry[str]], frozenset[tuple[int, int]]]] = []
    listing = _listing(root)
    if isinstance(listing, Problem):
        yield root, listing, None
        return
    stack.append((iter(listing), frozenset({root_id})))
    while stack:
        entries, ancestors = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = entry.path
        is_note = entry.name.lower().endswith(".md")
        try:
            st = os.stat(entry.path)  # follows symlinks
        except OSError as e:
            if e.errno == errno.ELOOP:
                yield path, Problem(path, 1, "symlink loop"), None
            elif e.errno == errno.ENAMETOOLONG:
                # a note, or a folder whose notes would be lost without a word
                if is_note or _is_dir_entry(entry):
                    message = PATH_TOO_LONG if is_note else \
                        "path too long for this system (ENAMETOOLONG); its notes are not imported"
                    yield path, Problem(path, 1, message), None
            elif entry.is_symlink():
                if is_note:
                    yield path, Problem(path, 1, "dangling symlink"), None
            elif is_note:
                yield path, Problem(path, 1, f"cannot read file: {e.strerror or e}"), None
            continue
        if stat.S_ISDIR(st.st_mode):
            ident = (st.st_dev, st.st_ino)
            if ident in ancestors:
                yield path, Problem(path, 1, "symlink loop (links to a folder above it)"), None
                continue
            if ident in visited:
                continue
            visited.add(ident)
            listing = _listing(path)
            if isinstance(listing, Problem):
                yield path, listing, None
                continue
            stack.append((iter(listing), ancestors | {ident}))
        elif is_note and stat.S_ISREG(st.st_mode):
            if entry.is_symlink():
                if real_root is None:
                    real_root = os.path.realpath(root)
                if _walked_by_own_name(os.path.realpath(path), real_root):
                    continue
            if not path.isascii() and not _utf8_name(path):
                yield path, Problem(path, 1, "file name is not valid UTF-8 (an older system's"
                                             " encoding); rename the file to import it"), None
                continue
            ident = (st.st_dev, st.st_ino)
            if st.st_ino:  # 0: a file system without inode numbers
                if ident in seen_files:
                    continue
                seen_files.add(ident)
            yield path, None, st
        elif is_note:  # a FIFO, a device, a socket named like a note: never opened
            via = f" (a symlink to {_link(path)!r})" if entry.is_symlink() else ""
            yield path, Problem(path, 1, f"is {file_kind(st.st_mode)}{via}, not a regular file;"
                                         " not read"), None


def _utf8_name(path: str) -> bool:
    """Whether a path from the file system is valid UTF-8 (a name in another encoding
    comes as lone surrogates, which the collection, UTF-8 text, cannot hold)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walked_by_own_name(target: str, real_root: str) -> bool:
    """Whether the walk of `real_root` reaches the note file `target` (a real path) by its
    own name: inside the root, in no hidden folder, named like a note."""
    try:
        rel = os.path.relpath(target, real_root)
    except ValueError:  # another drive
        return False
    parts = rel.split(os.sep)
    return (rel != "." and parts[0] != os.pardir and not os.path.isabs(rel)
            and not any(part.startswith(".") for part in parts)
            and parts[-1].lower().endswith(".md"))


def _link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _is_dir_entry(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)  # from the listing: no stat of the path
    except OSError:
        return False


def _listing(folder: str) -> list[os.DirEntry[str]] | Problem:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as e:
        return Problem(folder, 1, f"cannot read folder: {e.strerror or e}")
