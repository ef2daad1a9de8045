"""The deck tree and what each deck has due today, for `flashdeck due` and the home screen."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from flashdeck.collection.decknames import fold_deck
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Counts, Engine


def deck_tree(decks: list[str]) -> list[tuple[str, int]]:
    """Every deck and every parent of one, in tree order, with its depth. Names that differ
    only in letter case are one deck (`fold_deck`: tags are case-insensitive, and `--deck`
    matches so), shown as most of its decks spell it (then with fewest capitals)."""
    return [(name, name.count("/")) for name in _spellings(decks).values()]


def _spellings(decks: list[str]) -> dict[str, str]:
    """{folded node: the name it is shown by}, every node of `decks`, in tree order."""
    seen: dict[str, dict[str, int]] = {}
    for deck in decks:
        parts = deck.split("/")
        for i in range(1, len(parts) + 1):
            node = "/".join(parts[:i])
            spellings = seen.setdefault(fold_deck(node), {})
            spellings[node] = spellings.get(node, 0) + 1
    return {key: min(spellings, key=lambda name: (-spellings[name],
                                                 sum(c.isupper() for c in name), name))
            for key, spellings in sorted(seen.items(), key=lambda item: item[0].split("/"))}


def deck_counts(col, config: Config, now: Callable[[], datetime] | None = None,
                engine: Engine | None = None) -> tuple[list[tuple[str, int, Counts]], Counts]:
    """[(deck, depth, counts)] for the tree (a parent counts its subdecks), and the totals
    (the daily limits apply to each row and to the totals). `now`: the clock (default
    `clock.now`). `engine`: the caller's own, when it asks more of the same day (what is
    held back, what is later): its day's reads are made once.

    One grouped query counts each deck's own cards (Queue.deck_counts); a node adds up its
    own deck's and its subdecks'; the rest of each daily limit caps every row and the total,
    as the queue of that deck alone would count (`flashdeck due --deck` = the row)."""
    queue = (engine if engine is not None else Engine(col, config, now=now)).queue()
    own = queue.deck_counts()
    new_done, reviews_done = queue.done_today()
    new_left = max(config.new_per_day - new_done, 0)
    reviews_left = max(config.reviews_per_day - reviews_done, 0)

    def capped(new: int, learning: int, review: int) -> Counts:
        return Counts(min(new, new_left), learning, min(review, reviews_left))

    sums: dict[str, list[int]] = {}
    for deck, counts in own.items():
        # the deck and its parents: "a/b/c" counts in "a/b/c", "a/b" and "a" (letter case
        # aside: fold_deck)
        parts = fold_deck(deck).split("/")
        for i in range(1, len(parts) + 1):
            node = sums.setdefault("/".join(parts[:i]), [0, 0, 0])
            node[0] += counts.new
            node[1] += counts.learning
            node[2] += counts.review
    rows = [(name, name.count("/"), capped(*sums[key]))
            for key, name in _spellings(list(own)).items()]
    total = capped(*(sum(c.new for c in own.values()), sum(c.learning for c in own.values()),
                     sum(c.review for c in own.values())))
    return rows, total
