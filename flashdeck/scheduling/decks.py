"""The deck tree and what each deck has due today, for `flashdeck due` and the home screen."""

from __future__ import annotations

from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Counts, Engine


def deck_tree(decks: list[str]) -> list[tuple[str, int]]:
    """Every deck and every parent of one, in tree order, with its depth."""
    nodes: set[str] = set()
    for deck in decks:
        parts = deck.split("/")
        for i in range(1, len(parts) + 1):
            nodes.add("/".join(parts[:i]))
    return [(node, node.count("/")) for node in sorted(nodes, key=lambda n: n.split("/"))]


def deck_counts(col, config: Config, now=None) -> tuple[list[tuple[str, int, Counts]], Counts]:
    """[(deck, depth, counts)] for the tree (a parent counts its subdecks), and the totals
    (the daily limits apply to each row and to the totals)."""
    decks = [r[0] for r in col.conn.execute(
        "SELECT DISTINCT deck FROM cards WHERE orphaned = 0 ORDER BY deck")]
    rows = [(node, depth, Engine(col, config, now=now, deck=node).counts())
            for node, depth in deck_tree(decks)]
    return rows, Engine(col, config, now=now).counts()
