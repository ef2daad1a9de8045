"""Subcommands, one module per area; each defines register(subparsers).

Keep top-level imports here light: heavy modules are imported inside the handlers.
"""

from __future__ import annotations

import json
import sys


def open_collection(args, *, readonly: bool = False):
    from flashdeck.collection.store import Collection
    from flashdeck.paths import collection_path

    path = collection_path(getattr(args, "collection", None))
    return Collection.open_readonly(path) if readonly else Collection.open(path)


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_json_stream(items) -> None:
    """A JSON array written item by item, so `| head` gets its first lines at once."""
    write = sys.stdout.write
    first = True
    write("[")
    for item in items:
        write("\n  " if first else ",\n  ")
        write(json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        first = False
    write("\n]\n" if not first else "]\n")
