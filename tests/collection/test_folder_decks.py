"""`decks = "folders"`, the SR plugin's "convert folders to decks": the plugin reviews every
note in a subfolder, tagged or not (none at the vault root). The plugin's parser (1.15.4,
that setting on) was run on the vault below: it gives the three explicit cards of
`ML/Activations.md` (the `::` one scheduled 2026-11-20), the `::` card of `ML/Metrics/F1.md`,
and four cards of `Journal/2026-11-30.md` (`Mood`/`good`, `Sleep`/`7h`, `Project`/
`[[flashdeck]]` and the highlight `attention`), the two cards of `ML/Optimisers.md`, the
highlight of `Reading/Attention.md`; nothing of `Backprop.md` at the root.
flashdeck read only tagged notes: the plugin's schedule in `ML/Activations.md` was lost."""

from __future__ import annotations

ACTIVATIONS = """# Activations

ReLU::max(0, x)
<!--SR:!2026-11-20,4,270-->

The sigmoid maps to ==(0, 1)==.

Why does ReLU help deep nets?
?
Its gradient does not vanish for positive inputs.

## What is a dying ReLU?
A unit stuck at zero output.
"""

F1 = """---
tags: [flashcards]
summary: The harmonic mean of precision and recall.
---
F1::harmonic mean of P and R
"""

JOURNAL = """Mood:: good
Sleep:: 7h
Project:: [[flashdeck]]

Today I read about ==attention==.
"""

OPTIMISERS = """Adam::adaptive moments

Why does SGD need a learning-rate schedule?
?
Its steps do not shrink as it nears a minimum.
"""

HIGHLIGHTS = "Attention is ==all you need==, says the paper.\n"

ROOT = "Backprop::chain rule\n<!--SR:!2026-11-20,4,270-->\n"


def _vault(tmp_path, decks="folders"):
    vault = tmp_path / "vault"
    for rel, text in {"ML/Activations.md": ACTIVATIONS, "ML/Metrics/F1.md": F1,
                      "ML/Optimisers.md": OPTIMISERS, "Reading/Attention.md": HIGHLIGHTS,
                      "Journal/2026-11-30.md": JOURNAL, "Backprop.md": ROOT}.items():
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text(text, encoding="utf-8")
    (vault / ".flashdeck.toml").write_text(f'[cards]\ndecks = "{decks}"\n', encoding="utf-8")
    return vault


def _cards(cli, col):
    result = cli("--collection", col, "list", "--json")
    assert result.code == 0
    return [(c["note"].rsplit("vault/", 1)[1], c["deck"], c["kind"], c["front"], c["state"],
             (c["due"] or "")[:10]) for c in result.json]


def test_an_untagged_note_the_plugin_reviewed_gives_its_explicit_cards(cli, tmp_path):
    vault = _vault(tmp_path)
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", "--json", vault)
    assert result.code == 0, result.err
    assert result.json["notes"]["imported"] == 3 and result.json["notes"]["skipped"] == 3
    assert result.json["warnings"] == [] and result.json["errors"] == []
    assert _cards(cli, col) == [
        # the plugin's cards, its schedule kept; no question card from `## What is…?`: an
        # untagged note's structure derives nothing
        ("ML/Activations.md", "ML", "basic", "ReLU", "review", "2026-11-20"),
        ("ML/Activations.md", "ML", "cloze", "The sigmoid maps to [...].", "new", ""),
        ("ML/Activations.md", "ML", "basic", "Why does ReLU help deep nets?", "new", ""),
        # a tagged note: derived cards too, as before
        ("ML/Metrics/F1.md", "ML/Metrics", "summary", "What is meant by *F1*?", "new", ""),
        ("ML/Metrics/F1.md", "ML/Metrics", "basic", "F1", "new", ""),
        # never reviewed, but a multi-line card (a `?` line) says it is a flashcard note
        ("ML/Optimisers.md", "ML", "basic", "Adam", "new", ""),
        ("ML/Optimisers.md", "ML", "basic", "Why does SGD need a learning-rate schedule?",
         "new", ""),
        # the journal's Dataview fields and highlight and a highlighted reading note (never
        # reviewed in the plugin, no `?` line) and the note at the root give nothing
    ]


def test_a_folder_note_read_once_stays_read_when_its_schedules_are_cleaned_out(cli, tmp_path):
    """A migrated user who strips the plugin's `<!--SR:…-->` comments from the notes (as
    some vaults tell their users to) must not see the cards, answered since, hidden."""
    vault = _vault(tmp_path)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    before = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert cli("--collection", col, "answer", before["Why does ReLU help deep nets?"],
               "good").code == 0
    note = vault / "ML" / "Activations.md"
    note.write_text(ACTIVATIONS.replace("<!--SR:!2026-11-20,4,270-->\n", ""), encoding="utf-8")
    result = cli("--collection", col, "import", "--json", vault)
    assert result.code == 0 and result.json["cards"]["orphaned"] == 0
    after = {c["front"]: (c["id"], c["state"])
             for c in cli("--collection", col, "list", "--json").json}
    assert after["Why does ReLU help deep nets?"] == (before["Why does ReLU help deep nets?"],
                                                      "learning")
    assert after["ReLU"][0] == before["ReLU"]


LOSSES = """# Losses

Hinge loss::max(0, 1 - y f(x))
<!--SR:!2026-11-20,4,270-->

Cross-entropy:::-sum p log q
<!--SR:!2026-11-21,3,250!2026-11-22,3,250-->

Focal loss down-weights ==easy examples==.
"""


def test_a_cleaned_folder_note_moved_or_its_folder_renamed_keeps_its_cards(cli, tmp_path):
    """Its `<!--SR:` comments gone, an untagged note of `::` cards is read for the cards the
    collection has; moved to another folder (its deck changes) or its folder renamed, it was
    not read at its new path: '4 orphaned', the answered cards hidden with their history."""
    vault = _vault(tmp_path)
    note = vault / "ML" / "Losses.md"
    note.write_text(LOSSES, encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    mine = ["Hinge loss", "Cross-entropy", "-sum p log q", "Focal loss down-weights [...]."]
    before = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert cli("--collection", col, "answer", before["Focal loss down-weights [...]."],
               "good").code == 0
    note.write_text("\n".join(line for line in LOSSES.splitlines() if "SR:" not in line),
                    encoding="utf-8")
    result = cli("--collection", col, "import", "--json", vault)
    assert result.json["cards"]["orphaned"] == 0

    def moved(to: str) -> None:
        result = cli("--collection", col, "import", "--json", vault)
        assert result.code == 0 and result.json["cards"]["orphaned"] == 0, result.out
        assert result.json["cards"]["added"] == 0
        after = {c["front"]: (c["id"], c["deck"], c["state"])
                 for c in cli("--collection", col, "list", "--json").json}
        assert [after.get(front, (None,))[:2] for front in mine] == [
            (before[front], to) for front in mine]
        assert [after[front][2] for front in mine] == ["review"] * 3 + ["learning"]

    (vault / "Deep").mkdir()
    note.rename(vault / "Deep" / "Losses.md")  # moved: same name, same text
    moved("Deep")
    (vault / "Deep").rename(vault / "Neural nets")  # its folder renamed
    moved("Neural nets")
    # renamed in a folder of its own, not edited: the same text
    (vault / "Neural nets" / "Losses.md").rename(vault / "ML" / "Loss functions.md")
    moved("ML")
    assert len(cli("--collection", col, "log", "--json").json) == 1


def test_a_new_untagged_note_named_like_none_that_vanished_still_needs_the_tag(cli, tmp_path):
    """The move above is recognised by a vanished note's name or text, nothing wider: an
    untagged note of Dataview fields added while another note vanishes gives no cards."""
    vault = _vault(tmp_path)
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    (vault / "ML" / "Optimisers.md").unlink()
    (vault / "Journal" / "2026-12-01.md").write_text(JOURNAL, encoding="utf-8")
    result = cli("--collection", col, "import", "--json", vault)
    assert result.code == 0 and result.json["cards"]["added"] == 0
    assert result.json["cards"]["orphaned"] == 2


def test_switching_a_tagged_vault_to_folder_decks_keeps_every_id(cli, tmp_path):
    vault = _vault(tmp_path, decks="tags")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    before = {c["front"]: (c["id"], c["deck"])
              for c in cli("--collection", col, "list", "--json").json}
    assert before == {"What is meant by *F1*?": (1, "flashcards"), "F1": (2, "flashcards")}
    (vault / ".flashdeck.toml").write_text('[cards]\ndecks = "folders"\n', encoding="utf-8")
    assert cli("--collection", col, "import", vault).code == 0
    after = {c["front"]: (c["id"], c["deck"])
             for c in cli("--collection", col, "list", "--json").json}
    assert after["What is meant by *F1*?"] == (1, "ML/Metrics")
    assert after["F1"] == (2, "ML/Metrics")
    assert len(after) == 7


def test_check_reads_a_folder_vault_as_import_does(cli, tmp_path):
    result = cli("check", "--json", _vault(tmp_path))
    assert result.code == 0
    read = {n["path"].rsplit("vault/", 1)[1]: len(n["cards"]) for n in result.json["notes"]}
    assert read == {"ML/Activations.md": 3, "ML/Metrics/F1.md": 2, "ML/Optimisers.md": 2}


def test_the_untagged_folder_notes_left_unread_are_named(cli, tmp_path):
    """The plugin would review `Journal/…` (four cards) and `Reading/Attention.md` (one);
    flashdeck leaves them (Dataview fields, highlighted prose) and says so, by name, on the
    import that first reads them and on every `check`; the root note is no folder note."""
    vault = _vault(tmp_path)
    col = tmp_path / "c.sqlite"
    first = cli("--collection", col, "import", vault)
    assert first.code == 0, first.err
    said = " ".join(first.out.split())
    assert ("2 untagged notes in subfolders hold 5 cards in the plugin's syntax (`::` lines,"
            " clozes), not read:") in said
    assert "vault/Journal/2026-11-30.md" in said and "vault/Reading/Attention.md" in said
    assert "Backprop.md" not in said and "tag the notes to learn from" in said
    # unchanged: not said again on every import
    again = cli("--collection", col, "import", vault)
    assert again.code == 0 and "not read" not in again.out
    # edited: said again, for that note
    (vault / "Reading/Attention.md").write_text(HIGHLIGHTS + "And ==transformers==.\n",
                                                encoding="utf-8")
    edited = " ".join(cli("--collection", col, "import", vault).out.split())
    assert ("An untagged note in a subfolder holds 2 cards in the plugin's syntax (`::` lines,"
            " clozes), not read: ") in edited and "Journal" not in edited
    checked = " ".join(cli("check", vault).out.split())
    assert "2 untagged notes in subfolders hold 6 cards" in checked


def test_only_a_few_unread_notes_are_named(cli, tmp_path):
    vault = _vault(tmp_path)
    for n in range(7):
        (vault / "Glossary" / f"Term {n}.md").parent.mkdir(exist_ok=True)
        (vault / "Glossary" / f"Term {n}.md").write_text(f"Term {n}::meaning {n}\n",
                                                         encoding="utf-8")
    said = cli("check", vault).out
    said = " ".join(said[said.index("untagged notes in subfolders") - 2:].split())
    assert said.startswith("9 untagged notes in subfolders hold 12 cards")
    assert said.count("vault/") == 3 and " and 6 others. " in said


def test_tag_mode_names_no_untagged_note(cli, tmp_path):
    result = cli("check", _vault(tmp_path, decks="tags"))
    assert result.code == 0 and "not read" not in result.out


def test_a_huge_unread_note_is_not_parsed_to_be_counted(cli, tmp_path):
    """Counting is bounded: an untagged folder note larger than the bound is skipped as it
    always was (no parse, no problem said); the one-line hint replaces the untagged one."""
    vault = tmp_path / "vault"
    (vault / "Journal").mkdir(parents=True)
    (vault / ".flashdeck.toml").write_text('[cards]\ndecks = "folders"\n', encoding="utf-8")
    (vault / "Journal" / "Log.md").write_text("Mood:: good\n" + "a ==b== c\n" * 30_000,
                                              encoding="utf-8")
    (vault / "Journal" / "Day.md").write_text(JOURNAL, encoding="utf-8")
    result = cli("--collection", tmp_path / "c.sqlite", "import", vault)
    assert result.code == 0 and result.err == ""
    said = " ".join(result.out.split())
    assert "An untagged note in a subfolder holds 4 cards" in said
    assert "Log.md" not in said and "None of the" not in said


def test_a_vault_switched_to_tags_and_back_hides_then_restores_its_untagged_notes(cli,
                                                                                   tmp_path):
    """Switched to `decks = "tags"`, an untagged folder note is no flashcard note: its cards
    stayed live with their folder decks ('1 unchanged'), where a fresh import of the vault
    gives none. They are hidden now, and switched back to folders they come back with their
    ids and history, the note's `<!--SR:` comments cleaned out or not."""
    vault = _vault(tmp_path)
    note = vault / "ML" / "Losses.md"
    note.write_text(LOSSES, encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    before = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}
    assert cli("--collection", col, "answer", before["Hinge loss"], "again").code == 0
    note.write_text("\n".join(line for line in LOSSES.splitlines() if "SR:" not in line),
                    encoding="utf-8")
    assert cli("--collection", col, "import", vault).code == 0
    (vault / ".flashdeck.toml").write_text('[cards]\ndecks = "tags"\n', encoding="utf-8")
    result = cli("--collection", col, "import", "--json", vault)
    assert result.code == 0 and result.json["cards"]["orphaned"] == len(before) - 2
    fresh = tmp_path / "fresh.sqlite"
    assert cli("--collection", fresh, "import", vault).code == 0
    shown = lambda c: sorted((x["front"], x["deck"])  # noqa: E731
                             for x in cli("--collection", c, "list", "--json").json)
    assert shown(col) == shown(fresh) == [("F1", "flashcards"),
                                          ("What is meant by *F1*?", "flashcards")]
    (vault / ".flashdeck.toml").write_text('[cards]\ndecks = "folders"\n', encoding="utf-8")
    result = cli("--collection", col, "import", "--json", vault)
    assert result.code == 0 and result.json["cards"]["added"] == 0
    after = {c["front"]: (c["id"], c["state"])
             for c in cli("--collection", col, "list", "--json").json}
    assert {front: card_id for front, (card_id, _) in after.items()} == before
    assert after["Hinge loss"][1] == "relearning"
    assert len(cli("--collection", col, "log", "--json").json) == 1


def test_a_narrowed_tags_setting_hides_the_notes_it_no_longer_takes(cli, tmp_path):
    """`tags = ["anki"]` written in the vault's settings: a note tagged only #flashcards
    kept its cards in the review ('1 unchanged'); now they are hidden, and back with their
    history once the setting is taken back."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Kinematics.md").write_text(
        "---\ntags: [flashcards]\n---\nUnit of force::newton\n", encoding="utf-8")
    (vault / "Optics.md").write_text(
        "---\ntags: [anki]\n---\nUnit of optical power::dioptre\n", encoding="utf-8")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    [card] = cli("--collection", col, "list", "--json").json
    assert cli("--collection", col, "answer", card["id"], "good").code == 0
    (vault / ".flashdeck.toml").write_text('[cards]\ntags = ["anki"]\n', encoding="utf-8")
    result = cli("--collection", col, "import", "--json", vault)
    assert result.json["cards"] == {"added": 1, "updated": 0, "orphaned": 1}
    assert [c["front"] for c in cli("--collection", col, "list", "--json").json] == [
        "Unit of optical power"]
    (vault / ".flashdeck.toml").unlink()
    assert cli("--collection", col, "import", vault).code == 0
    [back] = cli("--collection", col, "list", "--json").json
    assert (back["id"], back["front"], back["state"]) == (card["id"], "Unit of force",
                                                          "learning")
