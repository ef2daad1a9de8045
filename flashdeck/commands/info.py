"""info: one card's state, memory, recall probability now, and its review history."""

from __future__ import annotations

from flashdeck.collection.cards import parse_card_id
from flashdeck.commands import open_collection, print_json
from flashdeck.commands.scheduling import engine_for


def register(sub) -> None:
    p = sub.add_parser("info", help="one card: state, memory, recall now, its history")
    p.add_argument("card_id", metavar="CARD_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)


def cmd_info(args) -> int:
    from flashdeck.cardinfo import card_info, review_line  # deferred: brings the card renderer

    card_id = parse_card_id(args.card_id)
    with open_collection(args, readonly=True) as col:
        info = card_info(engine_for(col, args.now), card_id)
    if args.json:
        print_json(info.to_json())
        return 0
    print(info.title())
    fields = info.fields()
    width = max(len(label) for label, _ in fields)
    for label, value in fields:
        print(f"{label:>{width}}  {value}")
    print()
    if not info.history:
        print("no reviews yet")
        return 0
    count = f"{len(info.history)} review{'s' if len(info.history) != 1 else ''}"
    print(f"history ({count}): time, rating, interval given, state before → after")
    for review in info.history:
        print("  " + review_line(review))
    return 0
