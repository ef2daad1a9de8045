"""doctor: check the collection (and with --fix, repair what is safely repairable)."""

from __future__ import annotations

from flashdeck.collection.store import Collection
from flashdeck.commands import print_json, require_collection
from flashdeck.scheduling.config import load_config
from flashdeck.scheduling.doctor import diagnose, repair
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
    with Collection.open(path, create=False) as col:
        result = repair(col, config) if args.fix else \
            diagnose(col, config, save_checkpoints=True)
    if args.json:
        print_json(result.to_json())
    else:
        for line in result.lines():
            print(sanitize(line))
    return 0 if result.ok else 1
