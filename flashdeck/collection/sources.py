"""Where notes come from: a source is a vault folder (or one file named on the command line),
with its settings (`.flashdeck.toml`) and its note files.

A vault is one source whatever path names it (PRODUCT.md §2): `place_source` finds the
collection's source for what an import names — the known folder holding it (a subfolder or a
note refreshes that part of it), the path itself, or a known folder that vanished and whose
notes the new folder holds (a moved or renamed vault) — and merges known sources lying inside
it into it. `list_sources` and `forget_source` serve `flashdeck sources` / `forget`."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from flashdeck.collection.cards import ascii_int
from flashdeck.paths import CWD_GONE, cwd_gone

# `flashdeck sources` and `forget` need nothing of the notes package (~20 ms to load): the
# functions that read notes import it themselves.
if TYPE_CHECKING:
    from flashdeck.collection.report import ImportReport
    from flashdeck.notes.model import ParserSettings, Problem


@dataclass
class NoteFile:
    path: str  # absolute
    relpath: str  # '/'-separated, relative to the source
    display: str  # how messages name it
    stat: os.stat_result | None = None  # from the walk, so it is not stat'ed twice


@dataclass
class Source:
    path: Path  # absolute: the folder, or the file
    kind: str  # 'folder' | 'file'
    root: Path  # the vault root (settings and deck folders are relative to it)
    settings: ParserSettings
    files: list[NoteFile]
    id: int | None = None  # the collection's source, once placed (see place_source)
    # the part an import refreshes: None all of it, 'sub/' a folder, 'sub/note.md' one note
    scope: str | None = None
    # a folder inside the vault with a `.flashdeck.toml` of its own (a vault nested in this
    # one): its relpath -> its settings, for the notes under it (see nest_settings)
    nested: dict[str, ParserSettings] = field(default_factory=dict)
    # the errors in its settings files (the vault's and nested ones): a value that kept its
    # default may make other cards of the notes than the collection has (see import_paths)
    settings_errors: list[Problem] = field(default_factory=list)
    # the relpaths the walk found but could not read (a dangling symlink, a folder it may
    # not list, a file it cannot stat): their notes are out of reach, not gone
    unreadable: set[str] = field(default_factory=set)

    def covers(self, relpath: str) -> bool:
        scope = self.scope
        return scope is None or relpath == scope or (scope.endswith("/")
                                                     and relpath.startswith(scope))


def find_vault_root(start: Path) -> Path:
    """The nearest folder above `start` holding `.flashdeck.toml`; without one, the nearest
    holding `.obsidian`; else its folder.

    A folder inside a vault that holds only `.obsidian` (a vault kept inside another, with
    no `.flashdeck.toml` of its own) is no vault of its own here: opened in Obsidian, the
    outer vault takes it as one of its folders (the inner `.obsidian` is a hidden folder it
    ignores, and the Spaced Repetition plugin reads the outer vault's settings), and its
    notes are read so when the outer vault is imported (`nest_settings` only looks for
    `.flashdeck.toml`). Named on its own, a note or folder of it is read with the same
    settings — it had the defaults (`check vault/inner` found none of a vault tagged
    #karten, and a note of it went to deck flashcards)."""
    folder = start if start.is_dir() else start.parent
    chain = (folder, *folder.parents)
    for candidate in chain:
        if (candidate / ".flashdeck.toml").is_file():
            return candidate
    for candidate in chain:
        if (candidate / ".obsidian").is_dir():
            return candidate
    return folder


def collect_sources(paths: Iterable[str], report: ImportReport) -> list[Source]:
    # deferred (here and below): see TYPE_CHECKING above
    from flashdeck.notes.files import walk_note_files
    from flashdeck.notes.model import Problem
    from flashdeck.notes.settings import load_vault_settings

    sources: list[Source] = []
    named: set[Path] = set()  # the note files named so far
    for given in paths:
        path = Path(given).expanduser()
        if not path.is_absolute() and cwd_gone():
            report.errors.append(Problem(given, 0, CWD_GONE))
            continue
        if not os.path.lexists(path):
            report.errors.append(Problem(given, 0, "no such file or folder"))
            continue
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            report.errors.append(Problem(given, 0, f"cannot follow this path: {exc}"))
            continue
        if not _utf8(str(resolved)):  # the collection, UTF-8 text, cannot hold its name
            report.errors.append(Problem(given, 0, "path is not valid UTF-8 (an older system's"
                                                   " encoding); rename it to import it"))
            continue
        if resolved.is_dir():
            # a folder of a vault is read with the vault's settings, as a note of it is:
            # `check vault/sub` read it with the defaults, `check vault/sub/x.md` and
            # `check vault` with the vault's (other tags, decks by folder from its root)
            root = find_vault_root(resolved)
            settings, problems = load_vault_settings(root)
            _report(problems, report)
            files = []
            unreadable: set[str] = set()
            prefix = str(resolved).rstrip(os.sep) + os.sep
            shown = "" if str(path) == "." else str(path).rstrip(os.sep) + os.sep
            for file_path, problem, stat in walk_note_files(resolved):
                # under `resolved`: the walk joins entry names to it
                rel = file_path[len(prefix):] if file_path.startswith(prefix) \
                    else os.path.basename(file_path)
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
                if problem is not None:
                    report.errors.append(problem)
                    unreadable.add(rel)
                    continue
                files.append(NoteFile(file_path, rel, shown + rel, stat))
            sources.append(nest_settings(Source(resolved, "folder", root, settings, files,
                                                settings_errors=_errors(problems),
                                                unreadable=unreadable), report))
        else:
            if resolved in named:
                continue  # named twice: one note
            named.add(resolved)
            root = find_vault_root(resolved)
            settings, problems = load_vault_settings(root)
            _report(problems, report)
            sources.append(
                Source(resolved, "file", root, settings,
                       [NoteFile(str(resolved), resolved.name, str(given))],
                       settings_errors=_errors(problems))
            )
    return sources


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity != "warning"]


def _report(problems: list[Problem], report: ImportReport) -> None:
    for problem in problems:
        found = report.warnings if problem.severity == "warning" else report.errors
        if problem not in found:  # a settings file read again for a vault around it
            found.append(problem)


def nest_settings(source: Source, report: ImportReport) -> Source:
    """`source` with `nested` set: the settings of each folder inside it (below the folder
    given), above one of its notes, that holds a `.flashdeck.toml` of its own (a vault kept
    inside another). The notes under such a folder are read with its settings, as when it
    is imported on its own: importing the outer vault orphaned the inner vault's cards (its
    own tags were not the outer's), and `check` gave one note other cards by the path it
    was named by. One look per folder of the vault's notes."""
    from flashdeck.notes.settings import SETTINGS_FILE, load_vault_settings

    if source.kind != "folder":
        return source
    looked: set[str] = set()
    nested: dict[str, ParserSettings] = {}
    for file in source.files:
        folder = file.relpath.rpartition("/")[0]
        while folder and folder not in looked:  # every folder above it, once
            looked.add(folder)
            if os.path.lexists(os.path.join(source.path, folder, SETTINGS_FILE)):
                settings, problems = load_vault_settings(source.path / folder)
                _report(problems, report)
                source.settings_errors += [p for p in _errors(problems)
                                           if p not in source.settings_errors]
                nested[folder] = settings
            folder = folder.rpartition("/")[0]
    source.nested = nested
    return source


def settings_for(source: Source, file: NoteFile) -> ParserSettings:
    """The settings `file` is read with: those of the nearest folder above it with a
    `.flashdeck.toml` of its own inside the vault (`nested`), else the vault's."""
    settings, root = source.settings, source.root
    folder = file.relpath.rpartition("/")[0] if source.nested else ""
    while folder:
        if folder in source.nested:
            settings, root = source.nested[folder], source.path / folder
            break
        folder = folder.rpartition("/")[0]
    if settings.decks != "folders":
        return settings
    try:
        folder = Path(file.path).parent.relative_to(root).as_posix()
    except ValueError:
        folder = ""
    return replace(settings, folder="" if folder == "." else folder)


def settings_stamp(source: Source) -> str:
    """The settings a source's notes were read with, as the collection records them (a
    change reads them all again): a vault with no nested settings keeps its old stamp."""
    stamp = repr(source.settings) + _preamble_stamp(source.settings)
    if not source.nested:
        return stamp
    nested = sorted((folder, repr(s) + _preamble_stamp(s)) for folder, s in source.nested.items())
    return f"{stamp}:{nested!r}"


def _preamble_stamp(settings) -> str:
    """A vault's `preamble.sty` in the stamp, by its digest (its text can be long)."""
    if not settings.preamble:
        return ""
    import hashlib

    return ":preamble=" + hashlib.blake2b(settings.preamble.encode("utf-8", "surrogatepass"),
                                          digest_size=8).hexdigest()


# -- which source a path names ----------------------------------------------------------------

MOVE_SAMPLE = 64  # note files of a new folder compared with a vanished source's notes
MOVE_MAX_BYTES = 4 << 20  # a bigger note is not read to recognise a move
# ...or, when most of the notes changed too, at least this many sampled note files, nearly
# all (MOVE_NAMED_SHARE) at the places the vanished source had notes
MOVE_MIN_NAMED = 3
MOVE_NAMED_SHARE = 0.9
MOVE_PARSE_SECONDS = 2.0  # a changed note parsed to compare its cards with the vanished one's

# per-source facts kept in the meta table (the sources table has no column for them)
IMPORTED_KEY = "source_imported:{}"  # the last import's time, Unix seconds
FORGOTTEN_PREFIX = "source_forgotten:"  # `forget` time: hidden until imported again; the
FORGOTTEN_KEY = FORGOTTEN_PREFIX + "{}"  # orphans wait for it (identity.py, rule 2)
# the highest card id when the last import ran to its end having read every note: the cards
# above it were added by imports since, killed ones among them, or ones that could not read
# the note a card left (see identity.reclaim_moved_cards)
CARDS_SEEN_KEY = "source_cards_seen:{}"
_SOURCE_KEYS = (IMPORTED_KEY, FORGOTTEN_KEY, "parse_stamp:{}", CARDS_SEEN_KEY)


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def _relative(path: str, folder: str) -> str:
    rel = path[len(folder.rstrip(os.sep)) + 1:]
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


class MissingFiles:
    """The note-file sources (a note imported by its own path) missing on disk, read from the
    collection and the disk once per import and only checked again after: an import of N
    notes named one by one (`find … | xargs flashdeck import` in a folder with no
    `.obsidian`: each note its own source) read every known source and checked every file
    source on disk for each note, N² (30 s for 1,700 notes). A source added by the import
    is on disk; one found missing is looked up again each time (it may be moved back)."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._rows: list | None = None

    def rows(self) -> list:
        """The file sources missing now: rows (id, path, kind), as the collection has them
        now (one moved by this import is at its new path, on disk)."""
        if self._rows is None:
            self._rows = [r for r in self._conn.execute(
                "SELECT id, path, kind FROM sources WHERE kind = 'file'").fetchall()
                if not os.path.lexists(r["path"])]
        if not self._rows:
            return []
        now = self._conn.execute(
            "SELECT id, path, kind FROM sources WHERE kind = 'file' AND id IN"
            " (SELECT value FROM json_each(?))", (_json_ids(r["id"] for r in self._rows),))
        self._rows = [r for r in now.fetchall() if not os.path.lexists(r["path"])]
        return self._rows


def place_source(col, source: Source, now: int, report: ImportReport,
                 missing: MissingFiles | None = None) -> Source:
    """The source as the collection knows it, `id` set: a path inside a known folder source
    is that source (`scope` the part named, relpaths rebased to its folder); a folder that is
    no known source, while a known source's folder is missing and the new one holds its notes
    (same relpath with the same size and mtime, or content the missing source knows, for most
    of a sample), is that source moved: its path is updated; else the path is a source of its
    own, added if new. Known sources inside the result are merged into it. A forgotten source
    that is imported again is listed again."""
    conn = col.conn
    given = str(source.path)
    # the folder sources (a few vaults), not every note named on its own
    rows = conn.execute("SELECT id, path, kind FROM sources WHERE kind = 'folder'").fetchall()
    known = conn.execute("SELECT 1 FROM sources WHERE path = ?", (given,)).fetchone() is not None
    holders = [r for r in rows if r["path"] == given or _inside(given, r["path"])]
    moved = None
    if holders:  # the outermost: sources nested by older versions are merged into it below
        placed = _rebase(source, min(holders, key=lambda r: len(r["path"])), report)
    else:
        placed = source
        if source.kind == "folder" and not known:
            found = _moved_source(conn, source, rows)
            if found is not None:
                moved, folder = found
                if folder != given:  # a subfolder of the moved vault
                    placed = _rebase(source, {"path": folder}, report)
        elif source.kind == "file" and not known:
            moved = _moved_file(conn, source, (missing or MissingFiles(conn)).rows())
    path = str(placed.path)
    notices = []
    with col.transaction():
        row = conn.execute("SELECT id, kind FROM sources WHERE path = ?", (path,)).fetchone()
        if row is None and moved is not None and conn.execute(
                "SELECT 1 FROM sources WHERE id = ? AND path = ?",
                (moved["id"], moved["path"])).fetchone():
            _move(conn, moved, path)
            if moved["kind"] == "file":  # its one note is named as the file is now
                conn.execute("UPDATE notes SET relpath = ? WHERE source_id = ?",
                             (placed.files[0].relpath, moved["id"]))
            what = "the note" if moved["kind"] == "file" else "the vault"
            notices.append(f"{what} imported from {moved['path']}, moved or renamed: its"
                           " cards keep their ids and history")
            row = conn.execute("SELECT id, kind FROM sources WHERE id = ?",
                               (moved["id"],)).fetchone()
        if row is None:
            conn.execute("INSERT INTO sources (path, kind, added) VALUES (?, ?, ?)",
                         (path, placed.kind, now))
            row = conn.execute("SELECT id, kind FROM sources WHERE path = ?", (path,)).fetchone()
        elif row["kind"] != placed.kind:  # a file where a folder was, or the other way round
            conn.execute("UPDATE sources SET kind = ? WHERE id = ?", (placed.kind, row["id"]))
        conn.execute("DELETE FROM meta WHERE key = ?", (FORGOTTEN_KEY.format(row["id"]),))
        if placed.kind == "folder":
            for inner in conn.execute("SELECT id, path, kind FROM sources WHERE id != ?",
                                      (row["id"],)).fetchall():
                if _inside(inner["path"], path):
                    _merge(conn, inner, row["id"], path)
                    notices.append(f"{inner['path']} is part of this vault: its notes and"
                                   " cards are this source's now")
    from flashdeck.notes.model import Problem  # deferred: see TYPE_CHECKING above

    report.warnings.extend(Problem(path, 0, notice, "warning") for notice in notices)
    placed.id = row["id"]
    return placed


def mark_imported(col, source: Source, now: int, every_note_read: bool = True) -> None:
    with col.transaction():
        col.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (IMPORTED_KEY.format(source.id), str(now)))
        if every_note_read:
            col.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) SELECT ?, coalesce(max(id), 0)"
                " FROM cards", (CARDS_SEEN_KEY.format(source.id),))


def _rebase(source: Source, holder, report: ImportReport) -> Source:
    """`source` (a folder or file inside the known folder source `holder`, or that folder)
    as the part of `holder` it is."""
    from flashdeck.notes.settings import load_vault_settings  # deferred: see TYPE_CHECKING

    folder = holder["path"]
    given = str(source.path)
    root = Path(folder)
    settings, errors = source.settings, source.settings_errors
    if root != source.root:
        settings, problems = load_vault_settings(root)
        _report(problems, report)
        errors = _errors(problems)
    if given == folder:
        return nest_settings(Source(root, "folder", root, settings, source.files, scope=None,
                                    settings_errors=list(errors),
                                    unreadable=source.unreadable), report)
    rel = _relative(given, folder)
    if source.kind == "folder":
        files = [NoteFile(f.path, f"{rel}/{f.relpath}", f.display, f.stat) for f in source.files]
        return nest_settings(Source(root, "folder", root, settings, files, scope=rel + "/",
                                    settings_errors=list(errors),
                                    unreadable={f"{rel}/{u}" for u in source.unreadable}),
                             report)
    files = [NoteFile(f.path, rel, f.display, f.stat) for f in source.files]
    return nest_settings(Source(root, "folder", root, settings, files, scope=rel,
                                settings_errors=list(errors)), report)


def _moved_source(conn, source: Source, rows):
    """(the known folder source, missing on disk, that `source` (a new folder) is part or all
    of, moved or renamed; that vault's folder now), or None. At least half of a sample of
    the folder's note files must be notes that source had: at the same relpath, or at the
    same relpath under one subfolder (the new folder is that subfolder of the moved vault),
    with the same size and mtime (as `mv`, and copies that keep times, leave them), else the
    same content hash (read only for files of a size that source had; a note that moved
    inside the vault counts too). When most notes changed as well (edited everywhere, or
    a vault moved while an import of it ran: the notes not read yet keep their old
    content's hash), nearly all of a sample of at least MOVE_MIN_NAMED files at the places
    that source had notes will do. None, with nothing read, when no known folder is missing
    or emptied of its notes."""
    if not source.files:
        return None
    candidates = [r for r in rows if r["kind"] == "folder" and _vanished(r)]
    if not candidates:
        return None
    step = max(1, len(source.files) // MOVE_SAMPLE)
    sample = source.files[::step][:MOVE_SAMPLE]
    stats: dict[str, os.stat_result | None] = {}
    digests: dict[str, str | None] = {}
    best, best_votes, best_score = None, [], (False, 0, 0)
    for candidate in candidates:
        notes = conn.execute("SELECT relpath, size, mtime_ns, hash FROM notes"
                             " WHERE source_id = ? AND hash != ''", (candidate["id"],)).fetchall()
        if not notes:
            continue
        by_name: dict[str, list] = {}
        for note in notes:
            by_name.setdefault(note["relpath"].rsplit("/", 1)[-1], []).append(note)
        hashes = {n["hash"] for n in notes}
        sizes = {n["size"] for n in notes}
        votes: list[str | None] = []  # per matching file: the subfolder it is in, if known
        named: list[str] = []  # per file at a place the source had a note: that subfolder
        unmatched: list[tuple[NoteFile, str]] = []  # files at its places, content changed
        for file in sample:
            if file.path not in stats:
                stats[file.path] = file.stat or _stat(file.path)
            stat = stats[file.path]
            if stat is None:
                continue
            rel = file.relpath
            same_place = [n for n in by_name.get(rel.rsplit("/", 1)[-1], ())
                          if n["relpath"] == rel or n["relpath"].endswith("/" + rel)]
            if same_place:
                named.append(same_place[0]["relpath"][:-len(rel)])
            found = next((n for n in same_place if (n["size"], n["mtime_ns"])
                          == (stat.st_size, stat.st_mtime_ns)), None)
            if found is None and stat.st_size in sizes:
                if file.path not in digests:
                    digests[file.path] = _digest(file.path)
                digest = digests[file.path]
                if digest in hashes:
                    found = next((n for n in same_place if n["hash"] == digest), False)
            if found is not None:
                votes.append(found["relpath"][:-len(rel)] if found else None)
            elif same_place:
                unmatched.append((file, next((n for n in same_place if n["relpath"] == rel),
                                             same_place[0])["relpath"]))
        by_content = len(votes) * 2 >= len(sample)
        by_place = len(sample) >= MOVE_MIN_NAMED and \
            len(named) >= MOVE_NAMED_SHARE * len(sample)
        if not by_content and not by_place and (len(votes) + len(unmatched)) * 2 >= len(sample):
            # edited everywhere, too few notes for their places alone: the notes at the
            # places it had notes that kept most of their cards count as its notes
            votes += _kept_cards(conn, source, candidate["id"], unmatched,
                                 (len(sample) + 1) // 2 - len(votes))
            by_content = len(votes) * 2 >= len(sample)
        score = (by_content, len(votes), len(named))
        if (by_content or by_place) and score > best_score:
            best, best_votes, best_score = candidate, votes if by_content else named, score
    if best is None:
        return None
    # the new folder is the moved vault's subfolder when most matches say so
    prefix, count = Counter(v for v in best_votes if v is not None).most_common(1)[0] \
        if any(v is not None for v in best_votes) else ("", 0)
    folder = source.path
    if prefix and count * 2 > len(best_votes):
        parts = prefix.rstrip("/").split("/")
        if list(folder.parts[-len(parts):]) == parts and len(folder.parts) > len(parts):
            folder = Path(*folder.parts[:-len(parts)])
    return best, str(folder)


def _kept_cards(conn, source: Source, source_id: int, files: list[tuple[NoteFile, str]],
                needed: int) -> list[str]:
    """Of `files` (note files of the new folder `source`, each at the place — its relpath
    in the vanished source `source_id` — where that source had a note of other content),
    those that kept most of that note's cards, up to `needed` of them: each one's subfolder
    (see `_moved_source`'s votes). A note keeps its cards when at least half of the cards
    it has now and of the live cards the note had then are the same: the same content
    (kind, front and back) or, for a card of the author's wording, the same kind and front
    (its answer rewritten). A derived card's front is flashdeck's wording from the title
    (`What is *Capitals*?`), which a note of the same name in another vault shares, so
    only its whole content counts. Each file is parsed with a small budget
    (MOVE_PARSE_SECONDS), one at most MOVE_MAX_BYTES; one that cannot be read or parsed
    does not count."""
    from flashdeck.collection import parsing  # deferred: see TYPE_CHECKING above

    kept: list[str] = []
    for file, relpath in files:
        if len(kept) >= needed:
            break
        if file.stat is not None and file.stat.st_size > MOVE_MAX_BYTES:
            continue
        old = conn.execute(
            "SELECT c.ckey, c.kind, c.front FROM cards c JOIN notes n ON n.id = c.note_id"
            " WHERE n.source_id = ? AND n.relpath = ? AND c.orphaned = 0",
            (source_id, relpath)).fetchall()
        if not old:
            continue
        parsed = parsing.parse_one((file, settings_for(source, file), True, None, True),
                                   MOVE_PARSE_SECONDS)
        if not parsed.rows:
            continue
        keys = {row["ckey"] for row in old}
        fronts = {(row["kind"], row["front"]) for row in old if row["kind"] not in DERIVED}
        same = sum(1 for row in parsed.rows if row[3] in keys
                   or (row[0] not in DERIVED and (row[0], row[1]) in fronts))
        if same * 2 >= max(len(parsed.rows), len(old)):
            kept.append(relpath[:-len(file.relpath)])
    return kept


# the kinds whose front flashdeck words from the note's title or structure
DERIVED = frozenset({"summary", "aliases", "formula", "exercise"})


def _moved_file(conn, source: Source, missing: list):
    """The known file source, missing on disk (`missing`), that the note file `source` (a
    path no source has) is, moved or renamed: the one whose note had this content, else the
    only one whose note had this file name (edited as well as moved). None, with nothing
    read, when no file source is missing."""
    if not missing or not source.files:
        return None
    notes = {row["source_id"]: row for row in conn.execute(
        "SELECT source_id, relpath, hash FROM notes WHERE source_id IN"
        " (SELECT value FROM json_each(?))", (_json_ids(r["id"] for r in missing),))}
    digest = _digest(source.files[0].path)
    same = [r for r in missing if r["id"] in notes and notes[r["id"]]["hash"]
            and notes[r["id"]]["hash"] == digest]
    if not same:
        name = source.files[0].relpath
        same = [r for r in missing if r["id"] in notes and notes[r["id"]]["relpath"] == name]
        if len(same) != 1:
            return None
    return min(same, key=lambda r: r["id"])


def out_of_reach(source: Source, relpath: str) -> bool:
    """The note at `relpath`, not found by the walk, is there but cannot be read now: the
    walk could not read it or a folder above it, or a folder above it is a symlink to
    nothing (a drive not mounted). Its cards are left as they are, not orphaned."""
    if relpath in source.unreadable:
        return True
    folder = relpath.rpartition("/")[0]
    for _ in range(relpath.count("/")):  # every folder above it, up to the source's
        if folder in source.unreadable:
            return True
        place = os.path.join(source.path, folder)
        if os.path.islink(place) and not os.path.exists(place):
            return True
        folder = folder.rpartition("/")[0]
    return False


def _json_ids(ids) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def _vanished(source) -> bool:
    """The folder source is gone: its folder is missing, or holds no note any more (`mv
    vault/* notes/` leaves `.obsidian` behind). A folder with notes in it is not gone,
    whatever else holds copies of them."""
    from flashdeck.notes.files import walk_note_files  # deferred: see TYPE_CHECKING above

    folder = source["path"]
    if not os.path.isdir(folder):
        return not os.path.lexists(folder)
    return not any(problem is None for _path, problem, _stat in walk_note_files(folder))


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _digest(path: str) -> str | None:
    """The note's content hash as the importer records it; None for anything but a regular
    file of at most MOVE_MAX_BYTES (never blocks on a FIFO)."""
    from flashdeck.notes import files  # deferred: see TYPE_CHECKING above

    try:
        data, _stat = files.read_regular_file(path, MOVE_MAX_BYTES)
    except (OSError, files.NotReadable):
        return None
    return files.content_digest(data)


def _move(conn, moved, path: str) -> None:
    """Retire the moved source's old path; sources nested in its old folder move with it."""
    old = moved["path"]
    conn.execute("UPDATE sources SET path = ? WHERE id = ?", (path, moved["id"]))
    for inner in conn.execute("SELECT id, path FROM sources WHERE id != ?",
                              (moved["id"],)).fetchall():
        if _inside(inner["path"], old):
            new = path.rstrip(os.sep) + os.sep + inner["path"][len(old.rstrip(os.sep)) + 1:]
            if not conn.execute("SELECT 1 FROM sources WHERE path = ?", (new,)).fetchone():
                conn.execute("UPDATE sources SET path = ? WHERE id = ?", (new, inner["id"]))


def _merge(conn, inner, outer_id: int, outer_path: str) -> None:
    """A known source inside the folder source `outer` becomes part of it: its notes, cards
    and history move over with relpaths rebased, read again on the next import of them (deck
    folders and settings are the outer vault's now). A note both had (imported twice by older
    versions) keeps one live card per card, the copy with the most reviews."""
    rel = _relative(inner["path"], outer_path)
    for note in conn.execute("SELECT id, relpath FROM notes WHERE source_id = ?",
                             (inner["id"],)).fetchall():
        relpath = rel if inner["kind"] == "file" else f"{rel}/{note['relpath']}"
        twin = conn.execute("SELECT id FROM notes WHERE source_id = ? AND relpath = ?",
                            (outer_id, relpath)).fetchone()
        if twin is None:
            conn.execute("UPDATE notes SET source_id = ?, relpath = ?, size = -1, mtime_ns = -1,"
                         " hash = '' WHERE id = ?", (outer_id, relpath, note["id"]))
        else:
            _fold_note(conn, note["id"], twin["id"])
    for key in _SOURCE_KEYS:
        conn.execute("DELETE FROM meta WHERE key = ?", (key.format(inner["id"]),))
    conn.execute("DELETE FROM sources WHERE id = ?", (inner["id"],))


def _fold_note(conn, loser: int, winner: int) -> None:
    copies: dict[str, list] = {}
    counts: dict[tuple[str, int], int] = {}
    for card in conn.execute("SELECT id, note_id, ckey, reps FROM cards"
                             " WHERE note_id IN (?, ?) AND orphaned = 0", (loser, winner)):
        copies.setdefault(card["ckey"], []).append(card)
        key = (card["ckey"], card["note_id"])
        counts[key] = counts.get(key, 0) + 1
    hide = []
    for key, cards in copies.items():
        keep = max(counts.get((key, loser), 0), counts.get((key, winner), 0))
        cards.sort(key=lambda c: (-c["reps"], c["id"]))
        hide += [c["id"] for c in cards[keep:]]
    for card_id in hide:
        conn.execute("UPDATE cards SET orphaned = 1 WHERE id = ?", (card_id,))
    conn.execute("UPDATE cards SET note_id = ? WHERE note_id = ?", (winner, loser))
    conn.execute("UPDATE notes SET size = -1, mtime_ns = -1, hash = '', present = max(present,"
                 " (SELECT present FROM notes WHERE id = ?)), named = max(named,"
                 " (SELECT named FROM notes WHERE id = ?)) WHERE id = ?", (loser, loser, winner))
    # rows of other tables that name the folded note (its problems, ...) go with it
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name NOT IN ('cards', 'notes')").fetchall():
        for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
            if fk["table"] == "notes":
                conn.execute(f'DELETE FROM "{table}" WHERE "{fk["from"]}" = ?', (loser,))
    conn.execute("DELETE FROM notes WHERE id = ?", (loser,))


# -- `flashdeck sources` and `forget` -------------------------------------------------------


@dataclass
class SourceInfo:
    id: int
    path: str
    kind: str
    notes: int  # notes with cards, present on disk at the last import
    cards: int  # live cards
    added: int
    last_import: int | None  # Unix seconds; None: not recorded (imported by an older version)
    missing: bool  # its folder or file is not on disk now


def list_sources(col) -> list[SourceInfo]:
    """The sources an import refreshes (forgotten ones aside), by path."""
    conn = col.conn
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'source\\_%' ESCAPE '\\'"))
    result = []
    for row in conn.execute(
            "SELECT s.id, s.path, s.kind, s.added,"
            " (SELECT count(*) FROM notes n WHERE n.source_id = s.id AND n.present = 1),"
            " (SELECT count(*) FROM notes n JOIN cards c ON c.note_id = n.id"
            "  WHERE n.source_id = s.id AND c.orphaned = 0)"
            " FROM sources s ORDER BY s.path").fetchall():
        if FORGOTTEN_KEY.format(row[0]) in meta:
            continue
        imported = meta.get(IMPORTED_KEY.format(row[0]))
        result.append(SourceInfo(row[0], row[1], row[2], row[4], row[5], row[3],
                                 int(imported) if imported and imported.isdigit() else None,
                                 not os.path.lexists(row[1])))
    return result


def find_source(col, given: str) -> SourceInfo | None:
    """The listed source `given` names: its path as `sources` shows it (or any path that
    resolves to it), else its id."""
    sources = list_sources(col)
    path = Path(given).expanduser()
    names = {given, os.path.abspath(path)}
    try:
        names.add(str(path.resolve()))
    except (OSError, RuntimeError):
        pass
    for source in sources:
        if source.path in names:
            return source
    number = ascii_int(given[1:] if given.startswith("#") else given)
    if number is not None:
        for source in sources:
            if source.id == number:
                return source
    return None


def forget_source(col, source: SourceInfo, now: int) -> tuple[int, int, int]:
    """Drop a source from what imports refresh: its cards become orphans (hidden, history
    kept) and its notes gone, so importing the vault again brings them back with their ids.
    A source missing on disk (moved, and taken for a new vault by an older flashdeck, or
    copied elsewhere, imported there, and deleted): each of its answered cards takes the
    place of an untouched copy another source added of it later, as an import squares up a
    note copied and its original deleted (`identity.reclaim_moved_cards`), so its history
    goes on where its note is now. Returns (notes, cards) dropped, and how many of those
    took a copy's place."""
    conn = col.conn
    with col.transaction():
        left = [card_id for (card_id,) in conn.execute(
            "UPDATE cards SET orphaned = 1 WHERE orphaned = 0 AND note_id IN"
            " (SELECT id FROM notes WHERE source_id = ?) RETURNING id", (source.id,))]
        cards = len(left)
        moved = 0
        if source.missing and left:
            from flashdeck.collection.identity import reclaim_moved_cards  # deferred: see top

            newest = conn.execute("SELECT coalesce(max(id), 0) FROM cards").fetchone()[0]
            moved = reclaim_moved_cards(conn, left, newest, newest)[0]
        notes = conn.execute("SELECT count(*) FROM notes WHERE source_id = ? AND present = 1",
                             (source.id,)).fetchone()[0]
        conn.execute("UPDATE notes SET present = 0, size = -1, mtime_ns = -1, hash = ''"
                     " WHERE source_id = ?", (source.id,))
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                     (FORGOTTEN_KEY.format(source.id), str(now)))
    return notes, cards, moved
