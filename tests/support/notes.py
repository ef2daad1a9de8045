"""Notes in temp folders, and a small collection imported by the CLI."""

from __future__ import annotations

from pathlib import Path


def write_note(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def geo_collection(cli, tmp_path: Path) -> Path:
    """A collection holding two basic cards (Capital of France / Peru), imported by the CLI."""
    vault = tmp_path / "vault"
    write_note(vault, "geo.md", "#flashcards\n\nCapital of France::Paris\n\n"
                                "Capital of Peru::Lima\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    return path


def shown_answer(cli, tmp_path: Path, name: str, text: str, front: str | None = None,
                 *args: str):
    """`flashdeck show ID --answer [ARGS]` (the CLI's result) of the one card of a note
    `name` holding `text` (or of its card whose front starts with `front`), imported by the
    CLI into a new collection."""
    vault = tmp_path / "vault"
    write_note(vault, name, text)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    cards = cli("--collection", col, "list", "--json").json
    if front is None:
        [card] = cards
    else:
        card = next(c for c in cards if c["front"].startswith(front))
    return cli("--collection", col, "show", card["id"], "--answer", *args)


def answer_the_day(cli, col) -> list[int]:
    """Every card `flashdeck next` gives today, answered Good in turn: their ids, in order
    (`cli`: the tests' command-line fixture)."""
    seen = []
    while (nxt := cli("--collection", col, "next", "--json").json) and nxt.get("card"):
        seen.append(nxt["card"]["id"])
        assert cli("--collection", col, "answer", seen[-1], "good").code == 0
    return seen


def two_days(cli, tmp_path: Path, monkeypatch, name: str, text: str):
    """A note `name` holding `text` imported into a new collection on 2026-12-01, every card
    `next` gives answered Good that day and the next (`answer_the_day`): the cards by front
    (`list --json`), the ids seen on the first day, then on the second, and the collection."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, name, text)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-01T09:00:00+01:00")
    assert cli("--collection", col, "import", vault).code == 0
    cards = {c["front"]: c for c in cli("--collection", col, "list", "--json").json}
    seen = answer_the_day(cli, col)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-02T09:00:00+01:00")
    return cards, seen, answer_the_day(cli, col), col


def add_notes(conn, notes: int, cards_of, title: str = "Note {n}") -> None:
    """`notes` notes `n0.md`, `n1.md`... of a folder source `/vault`, note n holding the
    cards `cards_of(n)` (ParsedCards), written as an import writes them (no parse: quick).
    Inside the caller's transaction."""
    from flashdeck.collection.identity import sync_note_cards

    source = conn.execute(
        "INSERT INTO sources (path, kind, added) VALUES ('/vault', 'folder', 0)").lastrowid
    for n in range(notes):  # bounded by the caller's count
        note = conn.execute("INSERT INTO notes (source_id, relpath, title) VALUES (?, ?, ?)",
                            (source, f"n{n}.md", title.format(n=n))).lastrowid
        sync_note_cards(conn, note, cards_of(n), set(), 0)
