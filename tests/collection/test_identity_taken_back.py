"""A card moved into a note that lost a similar card at the same time (PRODUCT.md §2: a
card keeps its id and history when its note is edited, moved or renamed). The note it went
to is read first, while the note it left still has it, so similarity gave it the id of the
card deleted there. Before, `Capital of Peru`'s history became `Capital of France`'s and
France's own card was orphaned; two notes whose similar cards were swapped swapped their
histories. Now each history stays with its question, and the deleted card is the orphan."""

from __future__ import annotations

from support.identity import france_moved_where_peru_was, imported, live, log
from support.notes import write_note


def test_a_card_moved_where_a_similar_one_was_deleted_keeps_its_own_history(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    france, peru, history = france_moved_where_peru_was(cli, col, vault)
    assert imported(cli, col, vault) == {"added": 0, "updated": 1, "orphaned": 1}
    ids = live(cli, col)
    assert ids["Capital of France"] == france and peru not in ids.values()
    assert log(cli, col) == history
    info = cli("--collection", col, "info", france, "--json").json
    assert info["note"].endswith("Americas.md")

    # Peru written again: its card comes back with its own history
    write_note(vault, "Americas.md", "#flashcards/geo\n\nCapital of France::Paris\n"
                                     "Capital of Peru::Lima\nCapital of Chile::Santiago\n")
    assert imported(cli, col, vault) == {"added": 0, "updated": 1, "orphaned": 0}
    assert live(cli, col)["Capital of Peru"] == peru
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and "no problems found" in doctor.out


def test_similar_cards_swapped_between_two_notes_keep_their_histories(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    write_note(vault, "Precision.md", "#flashcards/ml\n\nPrecision formula::TP / (TP + FP)\n"
                                      "Precision ignores::false negatives\n")
    write_note(vault, "Recall.md", "#flashcards/ml\n\nRecall formula::TP / (TP + FN)\n"
                                   "Recall ignores::false positives\n")
    imported(cli, col, vault)
    before = live(cli, col)
    assert cli("--collection", col, "answer", before["Precision formula"], "easy").code == 0
    assert cli("--collection", col, "answer", before["Recall formula"], "again").code == 0
    history = log(cli, col)

    # each formula card was in the wrong note: swapped
    write_note(vault, "Precision.md", "#flashcards/ml\n\nRecall formula::TP / (TP + FN)\n"
                                      "Precision ignores::false negatives\n")
    write_note(vault, "Recall.md", "#flashcards/ml\n\nPrecision formula::TP / (TP + FP)\n"
                                   "Recall ignores::false positives\n")
    assert imported(cli, col, vault) == {"added": 0, "updated": 2, "orphaned": 0}
    assert live(cli, col) == before
    assert log(cli, col) == history
    notes = {c["front"]: c["note"] for c in cli("--collection", col, "list", "--json").json}
    assert notes["Precision formula"].endswith("Recall.md")
    assert notes["Recall formula"].endswith("Precision.md")
