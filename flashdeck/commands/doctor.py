"""doctor: check the collection (and with --fix, repair what is safely repairable)."""

from __future__ import annotations

from flashdeck.collection.store import Collection
from flashdeck.commands import print_json, require_collection, say_notices
from flashdeck.errors import CollectionError, DamagedCollectionError
from flashdeck.scheduling.config import load_config
from flashdeck.scheduling.doctor import RESTORE, diagnose, repair
from flashdeck.textsafe import sanitize


def register(sub) -> None:
    p = sub.add_parser(
        "doctor",
        help="check the collection: integrity, schema, and the review log replayed through FSRS",
        description="Check the collection file and replay its review log through FSRS. "
                    "Exit 0: no problems; 1: problems found; 2: the collection cannot be used.",
    )
    p.add_argument("--fix", action="store_true",
                   help="repair what is safely repairable (after a backup copy)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args) -> int:
    config = load_config()
    path = require_collection(args)
    try:
        col = Collection.open(path, create=False)
    except DamagedCollectionError:
        # the damage is where SQLite reads the file's schema: no check can run, and the
        # usual advice ("run `flashdeck doctor`") would send the user back here
        raise DamagedCollectionError(
            f"{sanitize(str(path))}: the collection file is damaged where even its list of "
            f"tables cannot be read: {RESTORE}") from None
    say_notices(col)
    if col.read_only:
        # its checks are kept in the collection (what it replayed, for the next run), and
        # SQLite cannot check a file it may not lock: it read as "DAMAGED: restore a backup"
        col.close()
        raise CollectionError(
            f"{sanitize(str(path))}: cannot write the collection: the file or its folder is"
            " read-only, and doctor needs to (list, due, show, stats and the other commands"
            " that only read still work)")
    with col:
        result = repair(col, config) if args.fix else \
            diagnose(col, config, save_checkpoints=True)
    if args.json:
        print_json(result.to_json())
    else:
        for line in result.lines():
            print(sanitize(line))
    return 0 if result.ok else 1
