"""flashdeck: flashcards from Obsidian-style markdown notes, FSRS scheduling, a terminal review."""

__version__ = "0.1.0"
