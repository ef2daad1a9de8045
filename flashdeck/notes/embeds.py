"""Where a note's embedded images are, by Obsidian's rules.

A card's text keeps its note's embeds as written: `![[name.png]]`, `![[folder/name.png|300]]`,
`![alt](relative/path.png)`, `![alt](https://…)`. This module finds the file each one names,
inside the vault the note belongs to, the way Obsidian does:

- `![[name.png]]` by file name anywhere in the vault (attachments folders included); when
  several files share the name, the one in the note's own folder, else the shortest path
  (Obsidian's "shortest path when possible");
- `![[folder/name.png]]` from the note's folder, else from the vault root, else any file
  whose path ends with it (`../` only from the note's folder);
- `![[name.png|300]]` is 300 pixels wide, `|300x200` 300 by 200 (any other text after `|`
  is the image's alt text);
- `![alt](path.png)` from the note's folder (URL-decoded: `my%20plot.png`), else as a wiki
  target; a URL (`https:`, `data:`, …) is never fetched: it stays a labelled link.

Nothing here reads an image: only names and the file system's metadata. The vault walk is
bounded (`MAX_WALK_ENTRIES`, `MAX_WALK_DEPTH`), skips hidden folders (`.obsidian`, `.git`,
`.trash`) and never follows a symlinked folder; the index is built once per vault and kept
for the session (`VaultIndex.of`). A path never leaves the vault: `../../etc/passwd.png`, an
absolute path or a symlink pointing outside is refused ("outside the vault").
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from flashdeck.notes.links import note_embed_name, unescape_pipe

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff",
                            ".avif", ".svg"})
MAX_WALK_ENTRIES = 200_000  # directory entries looked at when indexing one vault
MAX_WALK_DEPTH = 40  # folders deep
MAX_TARGET = 1_000  # characters of an embed's target read

_SIZE = re.compile(r"^\s*(\d{1,5})(?:\s*x\s*(\d{1,5}))?\s*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]{1,31}:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

# why an embed has no picture to show (said on the placeholder)
NOT_FOUND = "not found"
OUTSIDE = "outside the vault"
NOT_A_FILE = "not a file"
NOT_AN_IMAGE = "not an image"
REMOTE = "a link (not downloaded)"


@dataclass(frozen=True, slots=True)
class Embed:
    """One embed of a card, resolved: `path` is the file to show, or None with `problem`
    saying why not. `width`/`height`: the size the note asks for, in pixels."""

    name: str  # as the note names it (the target, or the alt text and file name)
    target: str  # the link target as written (URL-decoded for markdown images)
    path: Path | None = None
    problem: str | None = None
    width: int | None = None
    height: int | None = None
    alt: str = ""

    @property
    def is_image(self) -> bool:
        return PurePosixPath(self.target).suffix.lower() in IMAGE_SUFFIXES

    def label(self, with_path: bool = False) -> str:
        """`[image: name.png]`, with why it cannot be shown (`— not found`) or, when
        `with_path`, where it is (`→ /vault/attachments/name.png`)."""
        kind = "image" if self.is_image or self.problem == REMOTE else "embed"
        text = f"[{kind}: {self.name}"
        if self.problem:
            text += f" — {self.problem}"
        elif with_path and self.path is not None:
            text += f" → {self.path}"
        return text + "]"


def parse_wiki_target(target: str) -> tuple[str, str, int | None, int | None]:
    """`folder/name.png#x|300x200` -> (`folder/name.png`, alt text, width, height)."""
    target = unescape_pipe(target[:MAX_TARGET])
    link, _, extra = target.partition("|")
    link = link.split("#", 1)[0].strip()
    width = height = None
    alt = ""
    if extra:
        size = _SIZE.match(extra)
        if size:
            width = int(size.group(1))
            height = int(size.group(2)) if size.group(2) else None
        else:
            alt = extra.strip()
    return link, alt, width, height


class VaultIndex:
    """Every file of one vault by lower-cased name (bounded walk), for `![[name.png]]`."""

    _cache: dict[str, VaultIndex] = {}

    def __init__(self, root: Path) -> None:
        self.root = root
        self.by_name: dict[str, list[str]] = {}  # lower-cased file name -> relative paths
        self.truncated = False
        self._walk()

    @classmethod
    def of(cls, root: Path) -> VaultIndex:
        """The index of the vault at `root`, built on first use and kept for the session."""
        key = str(root)
        index = cls._cache.get(key)
        if index is None:
            index = cls._cache[key] = cls(root)
        return index

    @classmethod
    def forget(cls) -> None:
        """Drop every index (a new session, or a test that changes a vault)."""
        cls._cache.clear()

    def _walk(self) -> None:
        seen = 0
        stack: list[tuple[str, str, int]] = [(str(self.root), "", 0)]
        while stack:
            folder, rel, depth = stack.pop()
            try:
                with os.scandir(folder) as entries:
                    listing = list(entries)
            except OSError:
                continue  # an unreadable folder holds nothing we can show
            for entry in listing:
                seen += 1
                if seen > MAX_WALK_ENTRIES:
                    self.truncated = True
                    return
                if entry.name.startswith("."):
                    continue
                relpath = f"{rel}{entry.name}"
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if depth < MAX_WALK_DEPTH:
                            stack.append((entry.path, relpath + "/", depth + 1))
                        continue
                except OSError:
                    continue
                self.by_name.setdefault(entry.name.lower(), []).append(relpath)

    def find(self, link: str, note_folder: str) -> str | None:
        """The vault-relative path `link` names (a file name, or a path's tail), Obsidian's
        choice among several: the note's own folder first, then the shortest path."""
        name = PurePosixPath(link).name.lower()
        tail = "/" + link.lower().lstrip("/")
        candidates = [p for p in self.by_name.get(name, ())
                      if "/" not in link or ("/" + p.lower()).endswith(tail)]
        if not candidates:
            return None
        here = [p for p in candidates if str(PurePosixPath(p).parent) == (note_folder or ".")]
        return min(here or candidates, key=lambda p: (p.count("/"), len(p), p))


class Resolver:
    """Resolves the embeds of one note (`note`, a path inside the vault at `root`)."""

    def __init__(self, root: Path | str, note: Path | str) -> None:
        self.root = Path(os.path.realpath(root))
        note_path = Path(os.path.realpath(note))
        try:
            self.note_folder = note_path.parent.relative_to(self.root).as_posix()
        except ValueError:  # a note outside its vault (not expected): embeds by name only
            self.note_folder = ""
        if self.note_folder == ".":
            self.note_folder = ""

    def wiki(self, target: str) -> Embed:
        """`![[target]]`."""
        link, alt, width, height = parse_wiki_target(target)
        name = link or target.strip()
        if link and PurePosixPath(link).suffix.lower() not in IMAGE_SUFFIXES:
            name = note_embed_name(target[:MAX_TARGET])  # `Other › Heading`: what it embeds
        if not link:
            return Embed(name, link, problem=NOT_FOUND, alt=alt)
        return self._resolve(name, link, width, height, alt)

    def markdown(self, alt: str, src: str) -> Embed:
        """`![alt](src)`; Obsidian's `![alt|300](src)` sizes it."""
        src = src.strip()[:MAX_TARGET]
        if src.startswith("<") and src.endswith(">"):
            src = src[1:-1]
        alt, _, extra = alt.partition("|")
        width = height = None
        size = _SIZE.match(extra) if extra else None
        if size:
            width = int(size.group(1))
            height = int(size.group(2)) if size.group(2) else None
        link = unquote(src)
        file_name = PurePosixPath(link).name if link else ""
        alt = alt.strip()
        name = f"{alt} ({file_name})" if alt and file_name and alt != file_name else \
            (alt or file_name or "image")
        if _SCHEME.match(src) and not _WINDOWS_DRIVE.match(src):
            return Embed(name, src, problem=REMOTE, alt=alt)
        if not link:
            return Embed(name, link, problem=NOT_FOUND, alt=alt)
        return self._resolve(name, link, width, height, alt)

    def _resolve(self, name: str, link: str, width: int | None, height: int | None,
                 alt: str) -> Embed:
        def found(path: Path | None = None, problem: str | None = None) -> Embed:
            return Embed(name, link, path, problem, width, height, alt)

        if "\x00" in link:
            return found(problem=NOT_FOUND)
        pure = PurePosixPath(link.replace("\\", "/"))
        if pure.suffix.lower() not in IMAGE_SUFFIXES:
            return found()  # a note or another file: named, not shown (`[embed: Note]`)
        if pure.is_absolute() or _WINDOWS_DRIVE.match(link):
            return found(problem=OUTSIDE)
        # the note's folder first (a `../` path only from there), then the vault root
        folders = [self.note_folder] if ".." in pure.parts else [self.note_folder, ""]
        inside = 0
        for folder in dict.fromkeys(folders):
            joined = os.path.normpath(os.path.join(folder, str(pure)))
            if joined == ".." or joined.startswith("../"):
                continue  # `../../etc/passwd.png`: never followed out of the vault
            inside += 1
            checked = self._inside(self.root / joined)
            if checked is not None:
                return found(*checked)
        if not inside:
            return found(problem=OUTSIDE)
        if ".." not in pure.parts:
            # by name (or a path's tail) anywhere in the vault, as Obsidian finds it
            relpath = VaultIndex.of(self.root).find(pure.as_posix(), self.note_folder)
            if relpath is not None:
                checked = self._inside(self.root / relpath)
                if checked is not None:
                    return found(*checked)
        return found(problem=NOT_FOUND)

    def _inside(self, candidate: Path) -> tuple[Path | None, str | None] | None:
        """(path, None) for a file inside the vault, (None, problem) for one that exists
        but cannot be shown, None when there is nothing there."""
        try:
            st = os.lstat(candidate)
        except (OSError, ValueError):
            return None
        real = Path(os.path.realpath(candidate))
        try:
            real.relative_to(self.root)
        except ValueError:
            return None, OUTSIDE  # a symlink out of the vault is not followed
        try:
            st = os.stat(real)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None, NOT_A_FILE
        if real.suffix.lower() not in IMAGE_SUFFIXES:
            return None, NOT_AN_IMAGE
        return real, None
