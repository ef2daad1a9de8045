"""`flashdeck import`, `check`, `list`, `show`: the collection and card identity (PRODUCT.md §2)."""

from __future__ import annotations

import os
import shutil

import pytest

from support.notes import write_note

METRICS = """\
---
tags: [flashcards/ml]
aliases: [Jaccard Index, ]
summary: overlap of two sets divided by their union
---

$$J = \\frac{|A \\cap B|}{|A \\cup B|}$$

### Worked example
Prediction 40 pixels, truth 50, overlap 30: $\\frac{30}{60} = 0.5$.

IoU of disjoint boxes::0
What does IoU stand for?::Intersection over Union
"""

UNTAGGED = "# Shopping\n\nMilk::two litres\n"


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "IoU.md", METRICS)
    write_note(folder, "misc/Shopping.md", UNTAGGED)
    write_note(folder, "misc/Capitals.md", "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\n")
    return folder


@pytest.fixture
def col(tmp_path):
    return tmp_path / "collection.sqlite"


def cards(cli, col, *extra):
    return {(c["kind"], c["front"]): c for c in cli("--collection", col, "list", "--json",
                                                   *extra).json}


def test_folder_import_takes_tagged_notes(cli, vault, col):
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    report = result.json
    assert report["notes"] == {"scanned": 3, "imported": 2, "unchanged": 0, "skipped": 1, "gone": 0}
    assert report["errors"] == []
    found = cards(cli, col)
    assert ("basic", "IoU of disjoint boxes") in found
    assert ("basic", "France") in found
    assert not any(front == "Milk" for _, front in found)
    kinds = {kind for kind, _ in found}
    assert {"summary", "aliases", "formula", "basic"} <= kinds
    card = found[("basic", "France")]
    assert card["deck"] == "flashcards/geo"
    assert card["note"].endswith("vault/misc/Capitals.md")
    assert card["line"] == 3
    assert card["state"] == "new" and card["due"] is None and card["suspended"] is False
    assert set(card) == {"id", "deck", "note", "line", "kind", "front", "back", "state", "due",
                         "suspended"}
    assert found[("aliases", "What is another name for *IoU*?")]["back"] == "Jaccard Index"


def test_a_file_named_explicitly_is_imported_without_the_tag(cli, vault, col):
    result = cli("--collection", col, "import", vault / "misc" / "Shopping.md")
    assert result.code == 0, result.err
    assert ("basic", "Milk") in cards(cli, col)


def test_reimport_of_an_unchanged_vault_does_nothing(cli, vault, col):
    cli("--collection", col, "import", vault)
    before = cards(cli, col)
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["notes"]["unchanged"] == 2 and report["notes"]["imported"] == 0
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    # touched but unchanged: the content hash spares the parse
    os.utime(vault / "IoU.md", ns=(1, 1))
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["notes"]["unchanged"] == 2 and report["cards"]["added"] == 0
    assert cards(cli, col) == before


def test_ids_survive_an_edit_elsewhere_in_the_note(cli, vault, col):
    cli("--collection", col, "import", vault)
    before = cards(cli, col)
    text = (vault / "IoU.md").read_text()
    text = text.replace("### Worked example", "Some new prose at the top.\n\n### Worked example")
    text += "\nA brand new card::with its answer\n"
    (vault / "IoU.md").write_text(text)
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"]["added"] == 1 and report["cards"]["orphaned"] == 0
    after = cards(cli, col)
    for key, card in before.items():
        assert after[key]["id"] == card["id"], key
    assert after[("basic", "IoU of disjoint boxes")]["line"] == \
        before[("basic", "IoU of disjoint boxes")]["line"] + 2


def test_a_small_edit_of_the_card_keeps_its_id_and_history(cli, vault, col):
    cli("--collection", col, "import", vault)
    card_id = cards(cli, col)[("basic", "What does IoU stand for?")]["id"]
    assert cli("--collection", col, "answer", card_id, "easy").code == 0
    text = (vault / "IoU.md").read_text().replace(
        "What does IoU stand for?::Intersection over Union",
        "What does IoU stand for?::Intersection over union (Jaccard)")
    (vault / "IoU.md").write_text(text)
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"] == {"added": 0, "updated": 1, "orphaned": 0}
    card = cards(cli, col)[("basic", "What does IoU stand for?")]
    assert card["id"] == card_id
    assert card["back"] == "Intersection over union (Jaccard)"
    assert card["state"] == "review"  # the history came along


def test_a_rewritten_card_is_a_new_card(cli, vault, col):
    cli("--collection", col, "import", vault)
    text = (vault / "IoU.md").read_text().replace(
        "IoU of disjoint boxes::0", "Who proposed the Jaccard index?::Paul Jaccard, 1901")
    (vault / "IoU.md").write_text(text)
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"] == {"added": 1, "updated": 0, "orphaned": 1}


def test_ids_survive_a_move_and_a_rename(cli, vault, col):
    cli("--collection", col, "import", vault)
    before = cards(cli, col)
    (vault / "archive").mkdir()
    shutil.move(vault / "misc" / "Capitals.md", vault / "archive" / "European capitals.md")
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"]["added"] == 0
    after = cards(cli, col)
    assert after[("basic", "France")]["id"] == before[("basic", "France")]["id"]
    assert after[("basic", "France")]["note"].endswith("archive/European capitals.md")


def test_delete_then_restore_brings_the_same_cards_back(cli, vault, col):
    cli("--collection", col, "import", vault)
    before = cards(cli, col)
    saved = (vault / "IoU.md").read_text()
    (vault / "IoU.md").unlink()
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["notes"]["gone"] == 1
    assert report["cards"]["orphaned"] == sum(1 for c in before.values()
                                              if c["note"].endswith("IoU.md"))
    assert not any(c["note"].endswith("IoU.md") for c in cards(cli, col).values())
    (vault / "IoU.md").write_text(saved)
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"]["added"] == 0
    assert cards(cli, col) == before


def test_a_note_that_loses_its_tag_hides_its_cards(cli, vault, col):
    cli("--collection", col, "import", vault)
    path = vault / "misc" / "Capitals.md"
    path.write_text(path.read_text().replace("#flashcards/geo", "#geo"))
    report = cli("--collection", col, "import", vault, "--json").json
    assert report["cards"]["orphaned"] == 2
    assert ("basic", "France") not in cards(cli, col)


def test_check_reports_and_writes_nothing(cli, vault, col):
    result = cli("--collection", col, "check", vault, "--json")
    assert result.code == 0
    notes = {n["title"]: n for n in result.json["notes"]}
    assert set(notes) == {"IoU", "Capitals"}
    assert {c["front"] for c in notes["Capitals"]["cards"]} == {"France", "Spain"}
    assert not col.exists()


def test_list_filters_by_deck(cli, vault, col):
    cli("--collection", col, "import", vault)
    assert {c["front"] for c in cli("--collection", col, "list", "--deck", "flashcards/geo",
                                    "--json").json} == {"France", "Spain"}
    assert {c["deck"] for c in cli("--collection", col, "list", "--deck", "flashcards",
                                   "--json").json} == {"flashcards/geo", "flashcards/ml"}
    # the new cards the day's limit lets in are due (as `due` counts them)
    due = cli("--collection", col, "list", "--due", "--json").json
    assert len(due) == cli("--collection", col, "due", "--json").json["total"]["new"] > 0
    assert {c["state"] for c in due} == {"new"}


def test_show_prints_the_card(cli, vault, col):
    cli("--collection", col, "import", vault)
    card = cards(cli, col)[("basic", "France")]
    shown = cli("--collection", col, "show", card["id"])
    assert shown.code == 0
    assert "France" in shown.out and "Paris" not in shown.out
    assert "flashcards/geo" in shown.out and "Capitals" in shown.out
    answer = cli("--collection", col, "show", card["id"], "--answer").out
    assert "France" in answer and "Paris" in answer


def test_a_missing_path_is_an_error_and_the_rest_goes_on(cli, vault, col, tmp_path):
    result = cli("--collection", col, "import", tmp_path / "nowhere", vault)
    assert result.code == 1
    assert "nowhere" in result.err and "no such file or folder" in result.err
    assert ("basic", "France") in cards(cli, col)


def test_the_collection_path_comes_from_the_environment(cli, vault, tmp_path, monkeypatch):
    target = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("FLASHDECK_COLLECTION", str(target))
    assert cli("import", vault).code == 0
    assert target.exists()


def test_a_collection_that_is_not_sqlite_is_refused(cli, vault, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello, this is not a database at all\n")
    result = cli("--collection", bogus, "import", vault)
    assert result.code == 2 and "not a flashdeck collection" in result.err
    assert bogus.read_text() == "hello, this is not a database at all\n"


def test_notes_are_never_written(cli, vault, col):
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.rglob("*") if p.is_file()}
    cli("--collection", col, "import", vault)
    cli("--collection", col, "answer", "1", "good")
    cli("--collection", col, "import", vault)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.rglob("*")
            if p.is_file()} == snapshot


def test_a_card_crosses_to_the_writer_as_a_row_in_its_columns_order():
    """Workers hand cards over as plain tuples (CardRow's fields, in the order the writer
    inserts them)."""
    from flashdeck.collection.card_rows import _UPDATE_COLUMNS, CardRow, card_row, content_hash
    from flashdeck.notes.parser import parse_note

    note = parse_note("#flashcards/ml\n\n# Scores\n## Recall\nWhat is recall?::tp/(tp+fn)\n",
                      "Metrics.md")
    (card,) = [c for c in note.cards if c.kind == "basic"]
    row = card_row(card)
    assert type(row) is tuple
    assert dict(zip(CardRow._fields, row)) == {
        "kind": "basic", "front": "What is recall?", "back": "tp/(tp+fn)",
        "ckey": content_hash(card), "line": 5, "deck": "flashcards/ml", "block": "L5",
        "ordinal": 0, "breadcrumb": "Scores › Recall", "exercise": None, "sr": None}
    assert _UPDATE_COLUMNS[2:] == CardRow._fields[:-1]


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs symlinks")
def test_a_note_linked_into_another_folder_of_the_vault_is_one_note(cli, vault, col):
    """A note symlinked into a second folder of the vault (or hard-linked) used to be
    imported once per name: every card came twice into the review, each with its own
    history. It is one note now: a symlink gives way to the note's own name."""
    (vault / "misc" / "Jaccard.md").symlink_to(vault / "IoU.md")
    os.link(vault / "misc" / "Capitals.md", vault / "Capitals again.md")
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    listed = cli("--collection", col, "list", "--json").json
    fronts = [(c["kind"], c["front"]) for c in listed]
    assert len(fronts) == len(set(fronts)) and ("basic", "France") in fronts
    # the symlink gives way to the note's own name; of two real names, the first walked
    assert {c["note"].rsplit("/", 1)[-1] for c in listed} == {"IoU.md", "Capitals again.md"}
    assert cli("--collection", col, "check", vault).out.count("France") == 1


def test_ctrl_c_during_an_import_says_what_was_kept_and_the_rerun_finishes(
        cli, tmp_path, monkeypatch):
    """Ctrl-C in a long import printed only "flashdeck: interrupted": the user could not
    tell that the notes written so far were kept (and `sources` showed a vault of 190 notes
    out of 3,000 as if complete). It says how many notes were kept and how to go on; the
    same import again adds the rest, and the kept cards keep their ids."""
    from flashdeck.commands import notes

    vault = tmp_path / "vault"
    for n in range(300):
        write_note(vault, f"topic {n:03}.md",
                   f"#flashcards\n\nTerm {n}::Meaning {n}\n\nWhy {n}?::Because {n}\n")
    col = tmp_path / "c.sqlite"

    def stop_at_250(self, done, total):
        if done == 250:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(notes._Progress, "__call__", stop_at_250)
        result = cli("--collection", col, "import", vault)
    assert result.code == 130
    kept = cli("--collection", col, "list", "--json").json
    assert 0 < len(kept) < 600 and len(kept) % 2 == 0
    assert (f"flashdeck: import interrupted; the {len(kept) // 2} notes imported so far"
            f" ({len(kept)} cards added, 0 updated) are kept: `flashdeck import {vault}` again"
            " imports the rest") in result.err
    again = cli("--collection", col, "import", vault)
    assert again.code == 0
    assert f"cards: {600 - len(kept)} added, 0 updated, 0 orphaned" in again.out
    after = {c["id"]: c["front"] for c in cli("--collection", col, "list", "--json").json}
    assert len(after) == 600 and all(after[c["id"]] == c["front"] for c in kept)
