"""Where notes come from: a source is a vault folder (or one file named on the command line),
with its settings (`.flashdeck.toml`) and its note files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

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


def find_vault_root(start: Path) -> Path:
    """The nearest folder above `start` holding `.flashdeck.toml` or `.obsidian`, else its folder."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".flashdeck.toml").is_file() or (candidate / ".obsidian").is_dir():
            return candidate
    return folder


def collect_sources(paths: Iterable[str], report: ImportReport) -> list[Source]:
    from flashdeck.notes.files import walk_note_files
    from flashdeck.notes.settings import load_vault_settings

    sources: list[Source] = []
    for given in paths:
        path = Path(given).expanduser()
        if not os.path.lexists(path):
            report.errors.append(Problem(given, 0, "no such file or folder"))
            continue
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            report.errors.append(Problem(given, 0, f"cannot follow this path: {exc}"))
            continue
        if resolved.is_dir():
            settings, problems = load_vault_settings(resolved)
            report.errors.extend(problems)
            files = []
            prefix = str(resolved).rstrip(os.sep) + os.sep
            shown = "" if str(path) == "." else str(path).rstrip(os.sep) + os.sep
            for file_path, problem, stat in walk_note_files(resolved):
                if problem is not None:
                    report.errors.append(problem)
                    continue
                # under `resolved`: the walk joins entry names to it
                rel = file_path[len(prefix):] if file_path.startswith(prefix) \
                    else os.path.basename(file_path)
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
                files.append(NoteFile(file_path, rel, shown + rel, stat))
            sources.append(Source(resolved, "folder", resolved, settings, files))
        else:
            root = find_vault_root(resolved)
            settings, problems = load_vault_settings(root)
            report.errors.extend(problems)
            sources.append(
                Source(resolved, "file", root, settings,
                       [NoteFile(str(resolved), resolved.name, str(given))])
            )
    return sources


def settings_for(source: Source, file: NoteFile) -> ParserSettings:
    if source.settings.decks != "folders":
        return source.settings
    from dataclasses import replace

    try:
        folder = Path(file.path).parent.relative_to(source.root).as_posix()
    except ValueError:
        folder = ""
    return replace(source.settings, folder="" if folder == "." else folder)
