"""A collection's cards and answers as the CLI lists them, for the identity tests."""

from __future__ import annotations

from support.notes import write_note


def live(cli, col) -> dict[str, int]:
    """front -> id of every live card."""
    return {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}


def log(cli, col) -> list[tuple[int, str]]:
    """(card, rating) of every answer in the review log."""
    return sorted((e["card"], e["rating"]) for e in
                  cli("--collection", col, "log", "--limit", "0", "--json").json)


def imported(cli, col, vault) -> dict:
    """`flashdeck import VAULT`, which must succeed: its card counts."""
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    return result.json["cards"]


def geo_notes(vault, moved: bool = False) -> None:
    """Europe.md (France, Spain) and Americas.md (Peru, Chile); `moved`: France's card
    moved into the note Peru's was deleted from ("Americas" is read before "Europe")."""
    if moved:
        write_note(vault, "Europe.md", "#flashcards/geo\n\nCapital of Spain::Madrid\n")
        write_note(vault, "Americas.md", "#flashcards/geo\n\nCapital of France::Paris\n"
                                         "Capital of Chile::Santiago\n")
        return
    write_note(vault, "Europe.md", "#flashcards/geo\n\nCapital of France::Paris\n"
                                   "Capital of Spain::Madrid\n")
    write_note(vault, "Americas.md", "#flashcards/geo\n\nCapital of Peru::Lima\n"
                                     "Capital of Chile::Santiago\n")


def france_moved_where_peru_was(cli, col, vault) -> tuple[int, int, list]:
    """Two notes imported, France's and Peru's cards answered, then France's card moved
    into the note Peru's was deleted from (`geo_notes`): the ids of France's and Peru's
    cards and the review log."""
    geo_notes(vault)
    imported(cli, col, vault)
    ids = live(cli, col)
    france, peru = ids["Capital of France"], ids["Capital of Peru"]
    assert cli("--collection", col, "answer", france, "good").code == 0
    assert cli("--collection", col, "answer", peru, "again").code == 0
    history = log(cli, col)
    geo_notes(vault, moved=True)
    return france, peru, history

