"""next, answer, undo, due, log, stats, suspend, unsuspend, bury: the headless review."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from flashdeck.clock import local_tz
from flashdeck.collection.cards import ascii_int, parse_card_id
from flashdeck.collection.queries import collection_counts
from flashdeck.commands import deck_name, open_collection, print_json, print_json_stream
from flashdeck.commands.review import ahead_days
from flashdeck.errors import UsageError
from flashdeck.scheduling.config import load_config
from flashdeck.scheduling.decks import deck_counts
from flashdeck.scheduling.engine import RATING_NAMES, Engine, format_interval
from flashdeck.scheduling.rating import parse_rating
from flashdeck.textsafe import sanitize
from flashdeck.words import held_back


def register(sub) -> None:
    p = sub.add_parser("next", help="the card the scheduler would show now, with previews")
    p.add_argument("--deck", metavar="D", type=deck_name)
    p.add_argument("--ahead", metavar="DAYS", type=ahead_days, default=0,
                   help="once nothing is due, the card due soonest within DAYS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_next)

    p = sub.add_parser("answer", help="answer a card: again, hard, good or easy")
    p.add_argument("card_id", metavar="CARD_ID")
    p.add_argument("rating", metavar="again|hard|good|easy")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_answer)

    p = sub.add_parser("undo", help="undo the last answer")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("due", help="new / learning / review counts per deck, today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("log", help="the review history")
    p.add_argument("--limit", type=log_limit, default=50, metavar="N", help="the last N reviews (default 50; 0 all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("stats", help="collection statistics: forecast, reviews, retention,"
                       " calibration")
    p.add_argument("--deck", metavar="D", type=deck_name, help="one deck and its subdecks")
    p.add_argument("--json", action="store_true")
    p.add_argument("--plot", action="store_true", help="draw the charts as text")
    p.set_defaults(func=cmd_stats)

    for name, helptext in (("suspend", "hide a card until unsuspended"),
                           ("unsuspend", "bring a suspended card back"),
                           ("bury", "hide a card until tomorrow")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("card_id", metavar="CARD_ID")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_card_action, action=name)


def engine_for(col, now: datetime, deck: str | None = None, ahead: int = 0) -> Engine:
    """The engine over `col` with the user's settings, its clock stopped at `now` (the
    moment `cli.main` read once for the whole command)."""
    return Engine(col, load_config(), now=lambda: now, deck=deck, ahead=ahead)


def require_deck(col, deck: str) -> None:
    """A UsageError (exit 2) when `deck` holds no card, as `review --deck` says: a deck
    name mistyped in a script must not read as "nothing due" or as an empty deck's stats."""
    from flashdeck.collection.lookups import has_live_cards

    if not has_live_cards(col, deck):
        raise UsageError(f"no deck named {deck!r} (`flashdeck due` lists the decks)")


def cmd_next(args) -> int:
    with open_collection(args, readonly=True) as col:
        engine = engine_for(col, args.now, args.deck, args.ahead)
        card = engine.next_card()
        if card is None and args.deck:
            require_deck(col, args.deck)  # a typo is not "nothing due"
        counts = engine.counts()
        previews = engine.previews(card.id) if card else {}
    if args.json:
        print_json({
            "card": card.to_json() if card else None,
            "counts": counts.to_json(),
            "previews": {name: p.to_json() for name, p in previews.items()},
        })
        return 0
    print(f"new {counts.new} · learning {counts.learning} · review {counts.review}")
    if card is None:
        print("Nothing due now. Come back later, or `flashdeck import` new notes.")
        return 0
    from flashdeck.render import print_card  # deferred: only the text output needs it

    print_card(card)
    print("  ".join(f"{n.capitalize()} {p.label}" for n, p in previews.items()))
    return 0


def cmd_answer(args) -> int:
    card_id = parse_card_id(args.card_id)
    rating = parse_rating(args.rating)
    with open_collection(args) as col:
        engine = engine_for(col, args.now)
        done = engine.answer(card_id, rating)
    if args.json:
        print_json({"card": card_id, "rating": RATING_NAMES[rating], "state": done.state,
                    "due": done.due.astimezone(local_tz()).isoformat(), "interval": format_interval(done.interval),
                    "leech": done.leech})
    else:
        print(f"card {card_id}: {RATING_NAMES[rating]} -> {done.state}, due in "
              f"{format_interval(done.interval)}")
        if done.leech:
            print(f"card {card_id} is a leech (lapsed {engine.config.leech_lapses} times): "
                  "suspended; rewrite it, then `flashdeck unsuspend`")
    return 0


def cmd_undo(args) -> int:
    with open_collection(args) as col:
        engine = engine_for(col, args.now)
        undone = engine.undo(day=engine.day())  # today's answers only: history stays
    if args.json:
        print_json({"undone": {"card": undone.card_id, "rating": RATING_NAMES[undone.rating]}
                    if undone.done else None, "reason": undone.reason or None})
    elif not undone.done:
        print(sanitize(undone.reason))
    else:
        print(f"undid {RATING_NAMES[undone.rating]} on card {undone.card_id}")
    return 0


def cmd_card_action(args) -> int:
    card_id = parse_card_id(args.card_id)
    with open_collection(args) as col:
        engine = engine_for(col, args.now)
        if args.action == "bury":
            engine.bury(card_id)
        else:
            engine.suspend(card_id, args.action == "suspend")
    if args.json:
        print_json({"card": card_id, "action": args.action})
    else:
        done = {"suspend": "suspended", "unsuspend": "unsuspended", "bury": "buried until tomorrow"}
        print(f"card {card_id}: {done[args.action]}")
    return 0


def cmd_due(args) -> int:
    with open_collection(args, readonly=True) as col:
        config = load_config()
        engine = Engine(col, config, now=lambda: args.now)
        rows, total = deck_counts(col, config, engine=engine)
        held = engine.queue().held_back()
    if args.json:
        print_json({"decks": [{"deck": d, **c.to_json()} for d, _, c in rows],
                    "total": total.to_json(),
                    "held": {"new": held.new, "review": held.review}})
        return 0
    from flashdeck.commands.notes import _cells, _fit, _terminal_columns

    # each row shows its deck's last part, indented: the column is as wide as those (the
    # whole paths made it as wide as the longest path), in columns a terminal counts, and
    # on a terminal no wider than leaves room for the counts (a long name is cut with …)
    labels = [sanitize("  " * depth + deck.rsplit("/", 1)[-1]) for deck, depth, _ in rows]
    width = max([_cells(label) for label in labels] + [5])
    columns = _terminal_columns()
    if columns is not None:
        width = min(width, max(10, columns - 19))
    print(f"{'deck':<{width}}  {'new':>5} {'learn':>5} {'due':>5}")
    for label, (_, _, c) in zip(labels, rows):
        print(f"{_fit(label, width)}  {c.new:>5} {c.learning:>5} {c.review:>5}")
    print(f"{'total':<{width}}  {total.new:>5} {total.learning:>5} {total.review:>5}")
    if held.new or held.review:
        # siblings wait: 7 new cards in three paragraphs read 3 new today, and say why
        print(f"{held_back(held.new, held.review)} held back for another day: siblings of "
              "today's cards")
    return 0


def log_limit(value: str) -> int:
    """`log --limit N`: a whole number of reviews, 0 for all."""
    number = ascii_int(value)
    if number is None or number > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of reviews (0 for all)")
    return number


_LOG_LINE = 73  # the columns of a review line (`cardinfo.review_line`) in the log


def cmd_log(args) -> int:
    # deferred: cardinfo and render bring the card-text renderer, which only `log` needs here
    from flashdeck.cardinfo import iter_review_log, review_line
    from flashdeck.commands.notes import _cut, _terminal_columns
    from flashdeck.render import inline_text

    with open_collection(args, readonly=True) as col:
        entries = iter_review_log(col, args.limit,
                                  day_start_hour=load_config().day_start_hour)
        if args.json:
            print_json_stream(e.to_json() for e in entries)
            return 0
        count = 0
        # on a terminal too narrow for the review and 20 columns of front beside it (80
        # columns: the front had 5, and every line wrapped), the front goes on a line of
        # its own under its review, indented
        columns = _terminal_columns()
        below = columns is not None and columns < _LOG_LINE + 2 + 20
        for e in entries:
            count += 1
            first = inline_text((e.front.strip().splitlines() or [""])[0])
            # the front's first line in 40 columns (a wide character takes two), a cut one
            # ending in … (it was cut at 40 characters, silently)
            if below:
                print(review_line(e, with_card=True))
                print(f"    {_cut(first, max(min(40, columns - 5), 10))}")
            else:
                print(f"{review_line(e, with_card=True):<{_LOG_LINE}}  {_cut(first, 40)}")
        if not count:
            print("no reviews yet")
    return 0


def cmd_stats(args) -> int:
    with open_collection(args, readonly=True) as col:
        if args.deck:
            require_deck(col, args.deck)
        engine = engine_for(col, args.now)
        day_start, day_end = engine.day()
        due = engine_for(col, args.now, args.deck).counts()
        from flashdeck.scheduling.stats import compute_stats  # deferred: `stats` only

        # the summary shows no interval: that pass over the review cards is left out
        figures = compute_stats(col, engine.config, args.now, deck=args.deck,
                                intervals=args.json or args.plot)
        # the counts of the deck the figures are of (or of all), the last 30 days' true
        # retention the figures' own, the cards by state from the same pass as the figures'
        counts = collection_counts(col, int(day_start.timestamp()), args.deck,
                                   figures.true_retention["month"]["all"].rate,
                                   int(day_end.timestamp()), list(figures.state_groups))
    # the counts as before, the figures (issue 20); their `states` adds young, mature,
    # suspended and leech to the counts'
    stats = {**counts.to_json(), "due_today": due.to_json()}
    if args.json:
        stats.update(figures.to_json())
        stats["states"] = {**figures.states, **counts.to_json()["states"]}
    # a damaged row is named on stderr, a line each (the figures leave it out): exit 1
    failed = 1 if figures.damaged else 0
    for line in figures.damage_lines():
        print(f"flashdeck: {sanitize(line)}", file=sys.stderr)
    if args.json:
        print_json(stats)
        return failed
    from flashdeck.commands.stats import print_figures
    from flashdeck.scheduling.stats import count

    if args.plot:  # the charts alone (they hold the card states too)
        print_figures(figures, plot=True)
        return failed
    from flashdeck.commands.stats import say  # each line fitted to the terminal

    s = stats["states"]
    waiting = stats["waiting_copies"]
    copies = (f" (+{waiting} waiting {'copy' if waiting == 1 else 'copies'} of shared "
              "exercises)") if waiting else ""
    say(f"{count(stats['cards'], 'card')} in {count(stats['notes'], 'note')}:"
        f" {s['new']} new{copies}, "
        f"{s['learning'] + s['relearning']} learning, {s['review']} review; "
        f"{stats['suspended']} suspended, {stats['leeches']} leech"
        f"{'' if stats['leeches'] == 1 else 'es'}, "
        f"{stats['orphaned']} orphaned")
    r = stats["reviews"]
    say(f"reviews: {r['today']} today ({r['today_minutes']} min), {r['total']} in all")
    d = stats["due_today"]
    say(f"left today: {d['new']} new, {d['learning']} learning, {d['review']} review")
    print_figures(figures, plot=False)
    return failed
