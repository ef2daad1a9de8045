"""A note makes at most 20,000 cards: one huge generated note (a 16 MiB dump of `q::a`
lines made 900,000 cards, and a gigabyte of memory while parsed) keeps its first 20,000, and
the user is told at the first line past them that the rest of the note makes none."""

from __future__ import annotations

from flashdeck.notes._cards import MAX_NOTE_CARDS
from flashdeck.notes.parser import parse_note
from support.notes import write_note

CAP_WARNING = (f"this note makes more than {MAX_NOTE_CARDS:,} cards; the rest of the note,"
               " from this line on, makes none (split it into smaller notes)")


def _word_list(count: int, first: int = 0) -> str:
    return "".join(f"word {i}::meaning {i}\n" for i in range(first, first + count))


def test_a_note_past_the_cap_keeps_its_first_cards_and_warns_at_the_first_line_past() -> None:
    text = "---\ntags: [flashcards]\n---\n" + _word_list(MAX_NOTE_CARDS + 5_000)
    note = parse_note(text, "vault/words.md")
    assert len(note.cards) == MAX_NOTE_CARDS
    assert note.cards[-1].front == f"word {MAX_NOTE_CARDS - 1}"
    first_dropped = 4 + MAX_NOTE_CARDS  # three frontmatter lines, then one card a line
    assert [str(p) for p in note.problems] == [f"vault/words.md:{first_dropped}: {CAP_WARNING}"]
    assert [p.severity for p in note.problems] == ["warning"]


def test_a_note_of_exactly_the_cap_makes_every_card_without_a_warning() -> None:
    note = parse_note("#flashcards\n" + _word_list(MAX_NOTE_CARDS), "words.md")
    assert len(note.cards) == MAX_NOTE_CARDS
    assert note.problems == []


def test_siblings_across_the_cap_go_together_and_no_card_is_looked_for_past_it() -> None:
    # one card short of the cap, then a reversed pair (two cards of one line): the pair would
    # pass the cap, so neither is made; a plugin schedule and a question heading further on
    # are in the part that makes nothing, and no other warning is said of them
    text = ("#flashcards\n" + _word_list(MAX_NOTE_CARDS - 1) + "front:::back\n\n"
            "## Why is the sky blue?\nRayleigh scattering.\n\n"
            "late::card\n<!--SR:!2024-01-01,3,250-->\n")
    note = parse_note(text, "pair.md")
    assert len(note.cards) == MAX_NOTE_CARDS - 1
    assert all(c.kind == "basic" for c in note.cards)
    assert note.cards[-1].front == f"word {MAX_NOTE_CARDS - 2}"
    assert [str(p) for p in note.problems] == [f"pair.md:{MAX_NOTE_CARDS + 1}: {CAP_WARNING}"]


def test_derived_cards_count_toward_the_cap_in_line_order() -> None:
    # question headings (derived cards) before and after a long word list: those before it
    # are kept, the cut falls inside the list, and none after it is made
    head = "#flashcards\n\n## What comes first?\nThe heading.\n\n## Word list\n"
    text = head + _word_list(MAX_NOTE_CARDS + 10) + "\n## What comes last?\nNothing.\n"
    note = parse_note(text, "mixed.md")
    assert len(note.cards) == MAX_NOTE_CARDS
    assert note.cards[0].front == "What comes first?"
    assert [c.front for c in note.cards if c.kind != "basic"] == ["What comes first?"]
    cut = head.count("\n") + MAX_NOTE_CARDS  # the first heading's card is one of the cap
    assert [str(p) for p in note.problems] == [f"mixed.md:{cut}: {CAP_WARNING}"]


def test_import_and_list_show_the_capped_cards_and_the_warning(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "dump.md", "#flashcards\n" + _word_list(MAX_NOTE_CARDS + 100))
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert "Traceback" not in result.out + result.err
    assert f"dump.md:{MAX_NOTE_CARDS + 2}: warning: {CAP_WARNING}" in result.err
    listed = cli("--collection", col, "list", "--json").json
    assert len(listed) == MAX_NOTE_CARDS
    assert {c["front"] for c in listed} == {f"word {i}" for i in range(MAX_NOTE_CARDS)}


def test_a_note_too_big_for_memory_keeps_its_cards_and_says_so_plainly(cli, tmp_path,
                                                                       monkeypatch) -> None:
    """A note that runs the parse out of memory (a 16 MiB table took 2 GB) was reported as
    "internal error while parsing this note: MemoryError: ". It is the note's size, not a
    bug: the user reads what to do, and the cards it had keep their history."""
    import flashdeck.notes.parser as parser

    vault = tmp_path / "vault"
    write_note(vault, "dump.md", "#flashcards\n" + _word_list(3))
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert cli("--collection", col, "answer", "1", "good").code == 0

    real = parser._parse

    def out_of_memory(text, *args, **kwargs):
        if "| huge |" in text:
            raise MemoryError()
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parser, "_parse", out_of_memory)
    write_note(vault, "dump.md", "#flashcards\n" + _word_list(3) + "| huge |\n|---|\n")
    result = cli("--collection", col, "import", vault)
    assert result.code == 1
    assert ("dump.md:1: cannot be parsed: it needs more memory than a note may have; split it"
            " into smaller notes (MemoryError)") in result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    listed = cli("--collection", col, "list", "--json").json
    assert {c["front"] for c in listed} == {"word 0", "word 1", "word 2"}
    assert sum(1 for c in listed if c["state"] != "new") == 1
