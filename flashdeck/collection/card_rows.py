"""A parsed card as the collection's writer takes it (a `CardRow`), made in the parse
workers, and the cards-table columns it fills: the one place these columns are named."""

from __future__ import annotations

from operator import attrgetter
from typing import NamedTuple

from flashdeck.notes.model import ParsedCard, SRSeed


class CardRow(NamedTuple):
    """A parsed card as the writer needs it: the insert's values (see _UPDATE_COLUMNS),
    content hash included. The one place these columns are named. Made in the worker, so
    the hashing is done on all cores rather than by the one writer; it crosses the process
    boundary as a plain tuple (`card_row`: a NamedTuple or dataclass costs ~4x more to
    unpickle), and the writer reads it as a CardRow (`CardRow._make`), by name."""

    kind: str
    front: str
    back: str
    ckey: str  # content_hash
    line: int
    deck: str
    block: str
    ordinal: int
    breadcrumb: str  # the headings above the card, joined by ' › '
    exercise: str | None
    sr: SRSeed | None


def card_row(card: ParsedCard) -> tuple:
    """`card` as a plain tuple in CardRow's order (what workers send)."""
    return (card.kind, card.front, card.back, content_hash(card), card.line, card.deck,
            card.block, card.ordinal, " › ".join(card.breadcrumb), card.exercise, card.sr)


def content_hash(card: ParsedCard) -> str:
    global _blake2b
    if _blake2b is None:
        from hashlib import blake2b  # deferred: an unchanged vault's re-import never hashes

        _blake2b = blake2b
    return _blake2b(card.content_key.encode("utf-8", "surrogatepass"),
                    digest_size=12).hexdigest()


_blake2b = None  # hashlib's, once a card is hashed


# the columns of CardRow the cards table holds (the schedule seed is written apart)
_WRITTEN = tuple(name for name in CardRow._fields if name != "sr")
_written = attrgetter(*_WRITTEN)  # a CardRow's values for those columns, by name
# ...which are its first fields, the seed its last: a plain tuple's values are a slice
# (`_SR` and `_N_WRITTEN`, for a note's new cards written without making CardRows)
_N_WRITTEN = len(_WRITTEN)
_SR = CardRow._fields.index("sr")
assert CardRow._fields[:_N_WRITTEN] == _WRITTEN and _SR == _N_WRITTEN
# the columns an import writes: the note, the place in it, then CardRow's
_UPDATE_COLUMNS = ("note_id", "position", *_WRITTEN)


def _as_row(card: ParsedCard | tuple) -> CardRow:
    return CardRow._make(card if isinstance(card, tuple) else card_row(card))
