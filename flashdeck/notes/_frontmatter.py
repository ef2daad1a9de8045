"""YAML frontmatter: split it off the note, load it, and read the keys flashdeck uses.

A broken frontmatter never costs the user their cards: it gives one Problem with its
line and the body is parsed as usual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flashdeck.notes.model import Problem

_KEY_RE = re.compile(r"([^\s#:'\"\[\]{},][^:]*?)\s*:(?:\s|$)")
_TAG_SPLIT_RE = re.compile(r"[,\s]+")


@dataclass(slots=True)
class Frontmatter:
    data: dict[str, Any]
    body_lines: list[str]
    offset: int  # file lines before the body (the frontmatter and its fences)
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based file line
    problems: list[Problem] = field(default_factory=list)
    # top-level key -> its value as the author wrote it: a scalar's source text, or a list
    # of them for a list of scalars (`.nan` stays ".nan", `!!binary aGk=` stays "aGk=")
    written: dict[str, Any] = field(default_factory=dict)


def obsidian_key(data: dict[Any, Any], *names: str) -> str | None:
    """The key of one of Obsidian's own properties (`tags`/`tag`, `aliases`/`alias`): as
    `names` spell it, else in any case (`Tags:`, `ALIASES:`), as Obsidian reads them; the
    first of `names` found wins. None: the note has none."""
    for name in names:
        if name in data:
            return name
    for name in names:
        for key in data:
            if isinstance(key, str) and key.casefold() == name:
                return key
    return None


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_frontmatter(lines: list[str], path: str) -> Frontmatter:
    if not lines or lines[0].rstrip() != "---":
        return Frontmatter({}, lines, 0)
    close = -1
    for j in range(1, len(lines)):
        if lines[j].rstrip() in ("---", "..."):
            close = j
            break
    if close < 0:
        problem = Problem(
            path, 1, "frontmatter is not closed (no line '---' after it); read as note text",
            "warning",
        )
        return Frontmatter({}, lines, 0, problems=[problem])

    fm_lines = lines[1:close]
    result = Frontmatter({}, lines[close + 1 :], close + 1)
    for k, line in enumerate(fm_lines):
        m = _KEY_RE.match(line)
        if m:
            result.key_lines.setdefault(m.group(1), k + 2)
    source = "\n".join(fm_lines)
    if not source.strip():
        return result

    simple = _simple_load(fm_lines)
    if simple is not None:  # the shapes a note's frontmatter mostly has: no YAML parser
        result.data, result.written, repeated = simple
        _repeated_problems(result, repeated, path)
        return result

    import yaml

    try:
        data, result.written, repeated = _load(source)
    except yaml.MarkedYAMLError as e:
        line, what = _error_place(e, source, len(fm_lines))
        result.problems.append(Problem(path, line, f"frontmatter is not valid YAML: {what}"))
        return result
    except Exception as e:  # YAMLError without a mark, RecursionError on deep nesting
        result.problems.append(
            Problem(path, 2, f"frontmatter is not valid YAML: {type(e).__name__}")
        )
        return result
    if data is None:
        return result
    if not isinstance(data, dict):
        result.problems.append(
            Problem(
                path, 2,
                f"frontmatter is a {type(data).__name__}, not a mapping of keys; ignored",
            )
        )
        return result
    result.data = data
    _repeated_problems(result, repeated, path)
    return result


def _repeated_problems(result: Frontmatter, repeated: list[tuple[str, int, int]],
                       path: str) -> None:
    for key, first, again in repeated:
        result.problems.append(Problem(
            path, again + 2, f"frontmatter key {key!r} is given again (first on line"
                             f" {first + 2}); the last one is used", "warning"))


# The frontmatter most notes have, read without PyYAML (a third of the time): each line a
# top-level `key: value`, `key: [a, b, ]`, `key:` alone, or a `- item` under a `key:`. Each
# key, value and item is a plain scalar of a cautious shape: no YAML indicator first, no
# `#`, no `: `, no `:` last, no tab, control character or YAML line break (a list's item no
# `,[]{}:?` either), and PyYAML's own resolver reads it as a string (`yes`, `12`,
# `2024-01-01`, `null` are not: PyYAML reads those notes). Anything else: None, and PyYAML
# reads it. tests/notes/test_import_speed.py compares the two on generated frontmatter.
_SIMPLE_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?")
_SIMPLE_ITEM_RE = re.compile(r"( *)- (.*)")
# a plain scalar's text in the shape read here: printable, no tab, no YAML line break
# (U+2028, U+2029), no byte order mark, no `#`
_SIMPLE_TEXT_RE = re.compile(
    "[\x20-\x22\x24-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]*")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARACTERS = frozenset(",[]{}:?")
_STR_TAG = "tag:yaml.org,2002:str"
_resolvers: dict[Any, list[tuple[str, Any]]] | None = None


def _plain_string(text: str) -> bool:
    """Whether `text` (stripped of spaces) is a plain scalar of the shape read here that
    PyYAML reads as a string."""
    if not text or text[0] in _INDICATORS or text[-1] == ":" or ": " in text:
        return False
    if _SIMPLE_TEXT_RE.fullmatch(text) is None:
        return False
    global _resolvers
    if _resolvers is None:
        loader = _loader()
        if loader.yaml_path_resolvers:  # someone taught PyYAML paths: PyYAML reads all
            return False
        _resolvers = loader.yaml_implicit_resolvers
    # PyYAML's Resolver.resolve: the first resolver of the text's first character, then
    # of any character (None), that matches gives the tag; none, a string
    for tag, regexp in _resolvers.get(text[0], []) + _resolvers.get(None, []):
        if regexp.match(text):
            return tag == _STR_TAG
    return True


def _simple_load(lines: list[str]) -> tuple[dict[str, Any], dict[str, Any],
                                            list[tuple[str, int, int]]] | None:
    """`_load` of these lines, when they are all of the shapes above; else None."""
    data: dict[str, Any] = {}
    written: dict[str, Any] = {}
    seen: dict[str, int] = {}
    repeated: list[tuple[str, int, int]] = []
    key: str | None = None  # a `key:` alone, whose `- item`s may follow
    indent = -1  # its items' indent, once the first is read
    items: list[str] = []
    for k, line in enumerate(lines):
        if not line.strip(" "):
            continue
        item = _SIMPLE_ITEM_RE.fullmatch(line)
        if item is not None:
            text = item.group(2).strip(" ")
            if key is None or not _plain_string(text) or (
                    indent >= 0 and len(item.group(1)) != indent):
                return None
            indent = len(item.group(1))
            items.append(text)
            continue
        if key is not None and indent >= 0:  # the items of a `key:` end
            data[key], written[key] = items, list(items)
        key, indent, items = None, -1, []
        m = _SIMPLE_KEY_RE.fullmatch(line)
        if m is None or not _plain_string(m.group(1)):
            return None
        name = m.group(1)
        if name in seen:
            repeated.append((name, seen[name], k))
        else:
            seen[name] = k
        text = (m.group(2) or "").strip(" ")
        if not text:
            key = name
            data[name], written[name] = None, ""
        elif text[0] == "[":
            if text[-1] != "]":
                return None
            inner = text[1:-1]
            parts = [part.strip(" ") for part in inner.split(",")] if inner.strip(" ") else []
            if parts and not parts[-1]:  # `[a, b, ]`: a trailing comma
                parts.pop()
            if any(not _plain_string(part) or not _FLOW_CHARACTERS.isdisjoint(part)
                   for part in parts):
                return None
            data[name] = parts
            written[name] = list(parts)
        elif _plain_string(text):
            data[name] = written[name] = text
        else:
            return None
    if key is not None and indent >= 0:
        data[key], written[key] = items, list(items)
    if not data:
        return None
    return data, written, repeated


_UNCLOSED = {  # what PyYAML was reading when the frontmatter ended, as the author wrote it
    "quoted scalar": "a quoted value",
    "flow sequence": "a '[' list",
    "flow mapping": "a '{' mapping",
}


def _error_place(e: Any, source: str, n_lines: int) -> tuple[int, str]:
    """The file line of a YAML error in the frontmatter, and what to say of it. PyYAML's
    problem mark, offset by the opening `---`; when the problem is that the frontmatter
    ended (a quote, `[` or `{` never closed), the mark is the end of the text, so the line
    named is where the unclosed thing began (its context mark). Never the closing `---`."""
    problem, context = e.problem_mark, e.context_mark
    what = e.problem or e.context or "invalid YAML"
    mark = problem or context
    kind = (e.context or "").removeprefix("while scanning ").removeprefix("while parsing ")
    kind = kind.removeprefix("a ")
    at_end = problem is not None and problem.index >= len(source.rstrip())
    if at_end and context is not None and kind in _UNCLOSED:
        mark = context
        what = f"{_UNCLOSED[kind]} begun on this line is never closed"
    elif problem is not None and context is not None and kind in _UNCLOSED \
            and context.line != problem.line:
        what = f"{what} (in {_UNCLOSED[kind]} begun on line {context.line + 2})"
    line = mark.line + 2 if mark is not None else 2
    return min(max(line, 2), n_lines + 1), what


def _load(source: str) -> tuple[Any, dict[str, Any], list[tuple[str, int, int]]]:
    """The document, its top-level values as written (read off the composed nodes, so
    nothing is parsed twice), and the top-level keys given more than once (key, first
    line, line again; 0-based in `source`). Of a repeated key the last value is the one,
    as in the document PyYAML makes."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    loader = _loader()(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    written: dict[str, Any] = {}
    repeated: list[tuple[str, int, int]] = []
    if isinstance(node, MappingNode) and isinstance(data, dict):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line
            if key == "<<":  # a merge key (`<<: *defaults`): not a value of its own
                continue
            if key in seen:
                repeated.append((key, seen[key], line))
            else:
                seen[key] = line
            if isinstance(value_node, ScalarNode):
                written[key] = value_node.value
            elif isinstance(value_node, SequenceNode):
                written[key] = [
                    item.value if isinstance(item, ScalarNode) else None
                    for item in value_node.value[:10_000]
                ]
            else:  # the last value is not one to show as written: what came before is not it
                written.pop(key, None)
    return data, written, repeated


def string_list(value: Any, split_words: bool = False) -> list[str]:
    """A frontmatter list of strings: `[a, b, ]`, a single string, or numbers.

    Empty and null entries are dropped (`aliases: [F1 Measure, Dice Loss, ]`). With
    `split_words`, a string holds several entries separated by commas or spaces, as
    Obsidian reads `tags: a, b`.
    """
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[str] = []
    for item in items:
        if item is None or isinstance(item, (dict, list, tuple)):
            continue
        text = str(item).strip()
        if not text:
            continue
        if split_words:
            out.extend(part for part in _TAG_SPLIT_RE.split(text) if part)
        elif isinstance(value, str):
            out.extend(part.strip() for part in text.split(",") if part.strip())
        else:
            out.append(text)
    return out


def scalar_text(value: Any, written: Any = None) -> str:
    """A frontmatter value shown as card text (`summary:`), or "" when not a scalar (or a
    bool or null). `written` is the value as the author wrote it, shown when given: a
    number, date or binary value is shown as typed, never as a Python repr."""
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return ""
    if isinstance(value, bool):
        return ""
    if isinstance(written, str):
        return written.strip()
    return str(value).strip()


def written_list(value: Any, written: Any, split_words: bool = False) -> list[str]:
    """`string_list` of a value, each scalar shown as the author wrote it."""
    if isinstance(written, str) and not isinstance(value, (dict, list, tuple)):
        return string_list(written if value is not None else None, split_words)
    if isinstance(written, list) and isinstance(value, list) and len(written) == len(value):
        items = [w if isinstance(w, str) and v is not None and not isinstance(v, (dict, list, bool))
                 else v for v, w in zip(value, written)]
        return string_list(items, split_words)
    return string_list(value, split_words)
