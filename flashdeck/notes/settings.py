"""A vault's parser settings: `<vault>/.flashdeck.toml`, section `[cards]`.

A bad value costs only that key (it keeps its default) and says where it is, so a typo
in one setting never stops a vault's first import; once the vault's notes are in the
collection, the import leaves them as they are until the file is fixed (importer.import_paths):
a default would make other cards of them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from flashdeck.notes.model import ParserSettings, Problem

SETTINGS_FILE = ".flashdeck.toml"
MAX_SETTINGS_BYTES = 2**20  # a settings file bigger than this is refused, not read
_CLOZE_KINDS = ("highlight", "bold", "curly")
_DECK_MODES = ("tags", "folders")
_SEPARATORS = ("?", "??")  # a multi-line card's front/back separators
_TOML_LINE_RE = re.compile(r"at line (\d+)")
_SECTION_RE = re.compile(r"\s*\[\s*([^\]]+?)\s*\]")


PREAMBLE_FILE = "preamble.sty"  # the Extended MathJax plugin's macros, at the vault's root
MAX_PREAMBLE_BYTES = 2**18


def load_vault_settings(root: Path) -> tuple[ParserSettings, list[Problem]]:
    """`<root>/.flashdeck.toml` (`_load_cards`), and the LaTeX macros of `<root>/preamble.sty`
    when there is one (a file the Extended MathJax plugin reads for every note's math): its
    definitions apply to every note's formulas, and one not read is a warning."""
    settings, problems = _load_cards(root)
    preamble, preamble_problems = _load_preamble(Path(root))
    if preamble:
        settings = dataclasses.replace(settings, preamble=preamble)
    return settings, problems + preamble_problems


def _load_preamble(root: Path) -> tuple[str, list[Problem]]:
    from flashdeck.notes.files import NotReadable, read_regular_file
    from flashdeck.notes._macros import drop_comments
    from flashdeck.texmacros import read_definitions

    path = root / PREAMBLE_FILE
    shown = str(path)
    try:
        raw, _ = read_regular_file(path, MAX_PREAMBLE_BYTES)
    except FileNotFoundError:
        return "", []
    except (NotReadable, OSError) as e:
        if path.is_dir():
            return "", []  # a folder of that name is no preamble
        reason = getattr(e, "strerror", None) or e
        return "", [Problem(shown, 1, f"cannot read the LaTeX preamble: {reason}; its macros "
                                      "are not used", "warning")]
    source = raw.decode("utf-8-sig", errors="replace")
    problems: list[Problem] = []
    code = drop_comments(source)
    _macros, rest, unread = read_definitions(code)
    if unread or rest.strip():
        # where each unread definition is: the first line naming its command
        for message in unread[:20]:
            command = message.split(" ", 1)[0]
            line = next((k for k, text in enumerate(code.split("\n"), 1) if command in text), 1)
            problems.append(Problem(shown, line, f"{message}: not used", "warning"))
    return source, problems


def _load_cards(root: Path) -> tuple[ParserSettings, list[Problem]]:
    """Read `<root>/.flashdeck.toml` section [cards].

    Keys: tags (list of str, default ["flashcards"]), cloze (subset of "highlight",
    "bold", "curly"; default ["highlight"]), multiline_end_marker (str, default ""),
    decks ("tags" | "folders"). Missing file -> defaults, no problem. Bad TOML or a bad
    value -> defaults for that key plus a Problem naming the file, line (1 when unknown)
    and key. Unknown keys give a warning (a typo would otherwise be silently ignored).
    """
    from flashdeck.notes.files import NotReadable, read_regular_file

    path = Path(root) / SETTINGS_FILE
    shown = str(path)
    defaults = ParserSettings()
    try:
        # a regular file only, and a small one: a FIFO would block the import forever and a
        # symlink to /dev/zero read until memory runs out (a cloned vault can carry either)
        raw, _ = read_regular_file(path, MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        return defaults, []
    except IsADirectoryError:
        return defaults, [Problem(shown, 1, "is a folder, not a settings file; defaults used")]
    except NotReadable as e:
        if path.is_dir():
            return defaults, [Problem(shown, 1, "is a folder, not a settings file; defaults used")]
        return defaults, [Problem(shown, 1, f"{e}; defaults used")]
    except OSError as e:
        message = f"cannot read settings: {e.strerror or e}; defaults used"
        return defaults, [Problem(shown, 1, message)]
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        return defaults, [Problem(shown, line, "settings file is not valid UTF-8; defaults used")]
    import tomllib  # only when a vault has settings: most don't

    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as e:
        m = _TOML_LINE_RE.search(str(e))
        # "at end of document" (a bracket or string never closed): the last line written
        line = int(m.group(1)) if m else len(source.rstrip().split("\n"))
        return defaults, [Problem(shown, line, f"invalid TOML: {e}; defaults used")]

    # a section or key other than [cards] is a warning: `[card]` for `[cards]` would
    # otherwise leave every setting under it unused without a word
    problems: list[Problem] = [
        Problem(shown, _top_level_line(source, key),
                f"unknown section or key {key!r}; ignored (settings go in [cards])", "warning")
        for key in data if key != "cards"]
    cards = data.get("cards")
    if cards is None:
        return defaults, problems
    lines = _key_lines(source)
    if not isinstance(cards, dict):
        message = "'cards' must be a [cards] section; defaults used"
        return defaults, [*problems, Problem(shown, lines.get("cards", 1), message)]

    values: dict[str, Any] = {}

    def bad(key: str, message: str) -> None:
        line = lines.get(key, lines.get("cards", 1))
        problems.append(Problem(shown, line, f"[cards] {key}: {message}; default used"))

    for key, value in cards.items():
        if key == "tags":
            tags = _tag_list(value)
            if tags is None:
                bad(key, "must be a non-empty list of tag names, e.g. [\"flashcards\"]")
            else:
                values["tags"] = tags
        elif key == "cloze":
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip().lower() in _CLOZE_KINDS for v in value
            ):
                bad(key, f"must be a list of {', '.join(map(repr, _CLOZE_KINDS))}")
            else:
                values["cloze"] = tuple(dict.fromkeys(v.strip().lower() for v in value))
        elif key == "multiline_end_marker":
            if not isinstance(value, str) or "\n" in value:
                bad(key, "must be a one-line string")
            elif value.strip() in _SEPARATORS or "::" in value:
                # "?" would end every multi-line card at its own separator: they vanished
                bad(key, "must not be a card separator (?, ??, ::)")
            else:
                values["multiline_end_marker"] = value.strip()
        elif key == "decks":
            if not isinstance(value, str) or value.strip().lower() not in _DECK_MODES:
                bad(key, "must be \"tags\" or \"folders\"")
            else:
                values["decks"] = value.strip().lower()
        else:
            problems.append(
                Problem(shown, lines.get(key, 1), f"[cards] unknown setting {key!r}; ignored",
                        "warning")
            )
    return dataclasses.replace(defaults, **values), problems


def _tag_list(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    tags: list[str] = []
    for item in value:
        if not isinstance(item, str):
            return None
        tag = item.strip().lstrip("#").strip("/")
        if not tag or any(c.isspace() for c in tag):
            return None
        tags.append(tag)
    return tuple(tags)


def _key_lines(source: str) -> dict[str, int]:
    """1-based line of each key in the [cards] section (and of the section itself)."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(source.split("\n"), start=1):
        m = _SECTION_RE.match(line)
        if m:
            section = m.group(1).strip().strip("\"'")
            if section == "cards":
                lines.setdefault("cards", number)
            elif section.startswith("cards."):  # [cards.x]: the unknown setting `x`
                lines.setdefault(section[len("cards."):].split(".", 1)[0].strip().strip("\"'"),
                                 number)
            continue
        if section != "cards":
            if line.split("=", 1)[0].strip() == "cards":
                lines.setdefault("cards", number)
            continue
        key = line.split("=", 1)[0].strip().strip("\"'")
        if "=" in line and key:
            lines.setdefault(key, number)
    return lines


def _top_level_line(source: str, key: str) -> int:
    """1-based line where the top-level `key` is first named: a `[key]`/`[key.x]` header,
    or `key = ...` (or `key.x = ...`) before any header; 1 when not found."""
    in_section = False
    for number, line in enumerate(source.split("\n"), start=1):
        m = _SECTION_RE.match(line)
        if m:
            in_section = True
            if m.group(1).lstrip("[").split(".", 1)[0].strip().strip("\"'") == key:
                return number
        elif not in_section and "=" in line:
            if line.split("=", 1)[0].split(".", 1)[0].strip().strip("\"'") == key:
                return number
    return 1
