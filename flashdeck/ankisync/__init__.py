"""Sync with Anki (`flashdeck sync`) and export to Anki (`flashdeck export anki`).

The only flashdeck code that imports the `anki` package (the optional `flashdeck[anki]`
extra); only the `sync` and `export` commands import this package.

- `html`: a card's markdown as the HTML an Anki note field holds (math as MathJax).
- `mirror`: the local Anki collection mirroring flashdeck's live cards: note types, decks,
  the FSRS preset, notes, card states and the review log pushed into it.
- `cards`: flashdeck's live cards as the mirror's notes and card states.
- `merge`: the bookkeeping tables in the flashdeck collection, and Anki's revlog merged into
  flashdeck's review log (each card's state the FSRS replay of its merged log).
- `sync`: login, the sync itself (Anki's own protocol), the failures in one line.
- `export`: an `.apkg` made by Anki's own exporter.
"""


def require_anki() -> None:
    """A UsageError (exit 2) naming the extra when the `anki` package is not installed."""
    from flashdeck.errors import UsageError

    try:
        import anki  # noqa: F401  (only whether it is there)
    except ImportError:
        raise UsageError("this needs the anki extra: pip install 'flashdeck[anki]'") from None
