"""Names macOS writes decomposed (NFD: `Käse.md`, a folder `Übungen`): the title a file's
name gives and a folder's deck are composed (NFC), as the same words typed in a note or on
the command line are. Before, `list --deck Übungen` found nothing in the deck `due` listed
as `Übungen`, and a note `# Käse` in `Käse.md` showed its cards under `Käse › Käse`."""

from __future__ import annotations

import unicodedata

from support.notes import write_note


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_a_decomposed_file_and_folder_name_read_as_typed(cli, tmp_path):
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write_note(vault, ".flashdeck.toml", '[cards]\ndecks = "folders"\n')
    write_note(vault, f"{nfd('Übungen')}/{nfd('Käse')}.md",
                      "---\ntags: [flashcards]\nsummary: Milk, pressed and aged.\n---\n"
                      "# Käse\n\nGouda comes from::the Netherlands\n")
    assert cli("--collection", col, "import", vault).code == 0

    listed = cli("--collection", col, "list", "--deck", "Übungen")
    assert listed.code == 0 and "Gouda comes from" in listed.out
    assert "Gouda comes from" in cli("--collection", col, "list", "--deck", nfd("Übungen")).out
    assert cli("--collection", col, "due").out.count("Übungen") == 1

    cards = {c["kind"]: c for c in cli("--collection", col, "list", "--json").json}
    assert cards["summary"]["front"] == "What is meant by *Käse*?"
    assert all(c["deck"] == "Übungen" for c in cards.values())
    shown = cli("--collection", col, "show", cards["basic"]["id"]).out
    assert shown.splitlines()[0] == f"#{cards['basic']['id']}  Übungen · Käse"
