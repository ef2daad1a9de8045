"""Subcommands, one module per area; each defines register(subparsers).

Keep top-level imports here light: heavy modules are imported inside the handlers.
"""

from __future__ import annotations

import sys


def open_collection(args, *, readonly: bool = False, create: bool = False):
    """The collection named by `--collection`, `FLASHDECK_COLLECTION` or the default path.

    Only `create=True` (import) makes a new one; for every other command a missing file is a
    usage error naming the path (exit 2), so a typo is never read as an empty collection and
    nothing is created."""
    from flashdeck.collection.store import Collection

    path = require_collection(args) if not create else _path(args)
    col = Collection.open_readonly(path) if readonly else Collection.open(path, create=create)
    say_notices(col)
    return col


def say_notices(col) -> None:
    """What opening the collection did that the user must know of (a write-ahead log of
    another copy set aside), one warning line each on stderr."""
    if col.notices:
        from flashdeck.textsafe import sanitize

        for notice in col.notices:
            print(f"flashdeck: warning: {sanitize(notice)}", file=sys.stderr)


def deck_name(value: str) -> str:
    """`--deck D`: a deck's name. An empty one (`--deck "$DECK"` with DECK unset) is a usage
    error, never every deck instead (a review, stats or export of the whole collection)."""
    import argparse

    if not value.strip().strip("/").strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not a deck name"
                                         " (`flashdeck due` lists the decks)")
    import unicodedata

    return unicodedata.normalize("NFC", value)  # as decks are: pasted from macOS, it is NFD


def _path(args):
    from flashdeck.paths import collection_path

    return collection_path(getattr(args, "collection", None))


def require_collection(args):
    """The collection's path; a CollectionError (exit 2) when no collection is there."""
    from flashdeck.errors import CollectionError

    path = _path(args)
    if not path.exists():
        from flashdeck.textsafe import sanitize

        raise CollectionError(f"no collection at {sanitize(str(path))}; "
                              "`flashdeck import NOTES` creates one")
    return path


def stdout_takes_unicode() -> bool:
    """Whether stdout's encoding carries every character (UTF-8, as almost everywhere); not
    so under PYTHONIOENCODING=ascii or a latin-1 locale with Python's UTF-8 mode off."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def print_json(data) -> None:
    """JSON to stdout: readable Unicode, but bidi and C1 controls escaped (textsafe.json_dumps);
    all of it `\\u` escapes when stdout's encoding cannot carry Unicode (the JSON stays
    valid: the encoder's fallback, `\\xfc`, is no JSON escape)."""
    from flashdeck.textsafe import json_dumps

    sys.stdout.write(json_dumps(data, ascii_only=not stdout_takes_unicode(), indent=2))
    sys.stdout.write("\n")


def print_json_stream(items) -> None:
    """A JSON array written item by item, one line each, so `| head` gets its first lines
    at once (and a million log entries are written by the C encoder: indented JSON goes
    through Python's, 8x slower)."""
    from flashdeck.textsafe import json_dumps

    write = sys.stdout.write
    ascii_only = not stdout_takes_unicode()
    first = True
    write("[")
    for item in items:
        write("\n  " if first else ",\n  ")
        write(json_dumps(item, ascii_only=ascii_only))
        first = False
    write("\n]\n" if not first else "]\n")


def reader_gone(code: int) -> int:
    """stdout's reader went away (`| head`): stdout to devnull (nothing more to say there, and
    the interpreter's last flush must not fail; Python docs, SIGPIPE), and the command's own
    exit code, not the
    CLI's 0 for a closed pipe, where that code carries a verdict (`check`, `import`: notes
    failed; `exercise --check`: the answer was wrong): a script's `set -o pipefail` still
    sees it."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return code
