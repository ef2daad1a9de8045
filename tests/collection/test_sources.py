"""Sources are identity, not paths (PRODUCT.md §2): a vault is one source whatever path names
it. A moved or renamed vault keeps every card's id and history; importing a note or a folder
inside an imported vault refreshes that part and duplicates nothing; `sources` lists them and
`forget` drops one (its cards become orphans, restored when the vault is imported again)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime

import pytest

from support.notes import write_note
from support.schema import back_to_schema_11
from flashdeck.collection import importer
from flashdeck.collection.report import ImportReport
from flashdeck.collection.sources import collect_sources
from flashdeck.collection.store import Collection


@pytest.fixture
def col(tmp_path):
    return tmp_path / "c.sqlite"


@pytest.fixture
def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "Capitals.md", "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\n")
    write_note(folder, "Rivers.md", "#flashcards/geo\n\nLongest river in France::Loire\n")
    write_note(folder, "Shopping.md", "# Shopping\n\nMilk::two litres\n")  # untagged
    write_note(folder, "maths/Primes.md", "#flashcards/maths\n\nFirst prime::2\nSecond prime::3\n")
    write_note(folder, "maths/Squares.md", "#flashcards/maths\n\n3 squared::9\n")
    write_note(folder, "maths/deep/Cubes.md", "#flashcards/maths\n\n2 cubed::8\n")
    return folder


def imported(cli, col, *paths) -> dict:
    result = cli("--collection", col, "import", *paths, "--json")
    assert result.code == 0, result.err
    return result.json


def live(cli, col) -> dict[str, int]:
    """front -> id of every live card (each front is unique in these vaults)."""
    found = cli("--collection", col, "list", "--json").json
    fronts = [c["front"] for c in found]
    assert len(fronts) == len(set(fronts)), f"duplicates: {sorted(fronts)}"
    return {c["front"]: c["id"] for c in found}


def answer_all(cli, col) -> dict[int, list[int]]:
    """Answer every live card once; card id -> its review ids."""
    for card_id in live(cli, col).values():
        assert cli("--collection", col, "answer", card_id, "good").code == 0
    return history(cli, col)


def history(cli, col) -> dict[int, list[int]]:
    log: dict[int, list[int]] = {}
    for entry in cli("--collection", col, "log", "--json").json:
        log.setdefault(entry["card"], []).append(entry["id"])
    return log


def sources(cli, col) -> list[dict]:
    result = cli("--collection", col, "sources", "--json")
    assert result.code == 0, result.err
    return result.json


def query(col, sql: str, *params):
    conn = sqlite3.connect(col)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- a moved or renamed vault -----------------------------------------------------------------



def checked_cards(cli, path) -> set[tuple[str, str]]:
    """(deck, front) of every card `flashdeck check PATH` finds (it must find no error)."""
    result = cli("check", path, "--json")
    assert result.code == 0, result.err
    return {(c["deck"], c["front"]) for note in result.json["notes"] for c in note["cards"]}


def answered_then_moved(cli, col, vault, moved) -> tuple[dict[str, int], dict[int, list[int]]]:
    """`vault` imported, every card answered, the folder moved to `moved`: (`live`,
    `history`) before the move."""
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    moved.parent.mkdir(exist_ok=True)
    shutil.move(str(vault), str(moved))
    return before, reviews


def test_a_moved_vault_keeps_every_id_and_review_and_the_old_path_is_retired(
        cli, col, vault, tmp_path):
    moved = tmp_path / "elsewhere" / "notes"
    before, reviews = answered_then_moved(cli, col, vault, moved)

    report = imported(cli, col, moved)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before
    assert history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(moved)]
    # and it is refreshed as itself from now on
    write_note(moved, "maths/Squares.md", "#flashcards/maths\n\n3 squared::9\n4 squared::16\n")
    report = imported(cli, col, moved)
    assert report["cards"] == {"added": 1, "updated": 0, "orphaned": 0}


def test_a_vault_emptied_of_its_notes_keeps_its_cards_until_they_turn_up_or_it_is_forgotten(
        cli, col, vault, tmp_path):
    """A drive not mounted on its mount point, or a sync client that has not brought the
    files down yet: the vault's folder is there, with no note in it. Its cards stay as they
    were (the review still shows them), with a warning; the notes turning up in another
    folder make that folder the vault, moved; `forget` drops them."""
    (vault / ".obsidian").mkdir()
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    away = tmp_path / "synced-later"
    away.mkdir()
    for entry in list(vault.iterdir()):
        if entry.name != ".obsidian":
            shutil.move(str(entry), str(away / entry.name))

    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    assert result.json["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert result.json["notes"]["gone"] == 0
    [warning] = result.json["warnings"]
    assert warning["path"] == str(vault)
    assert "holds no note now (it had 5)" in warning["message"]
    assert "flashdeck forget" in warning["message"]
    assert live(cli, col) == before
    said = cli("--collection", col, "import", vault)
    assert f"{vault}:0: warning: holds no note now" in said.err and "Traceback" not in said.err

    # the notes turn up in another folder: that folder is the vault, moved; nothing twice
    (away / ".obsidian").mkdir()
    report = imported(cli, col, away)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before and history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(away)]

    # emptied on purpose: `forget` hides its cards, history kept
    for entry in list(away.iterdir()):
        if entry.name != ".obsidian":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    assert imported(cli, col, away)["cards"]["orphaned"] == 0
    assert cli("--collection", col, "forget", str(away)).code == 0
    assert live(cli, col) == {} and history(cli, col) == reviews


def test_a_subfolder_emptied_of_its_notes_is_read_as_usual(cli, col, vault):
    """Only a whole vault with no note is taken for one not there yet: notes moved out of
    one of its folders are gone from it (or found where they went, importing the vault)."""
    imported(cli, col, vault)
    shutil.rmtree(vault / "maths")
    (vault / "maths").mkdir()
    report = imported(cli, col, vault / "maths")
    assert report["cards"]["orphaned"] == 4 and report["warnings"] == []


def test_notes_out_of_reach_keep_their_cards_until_they_are_back(cli, col, vault, tmp_path):
    """A note linked from elsewhere whose target is gone, and a folder linked to a drive
    not mounted: the walk cannot reach them, so their cards stay as they were (the note's
    link is an error with its path, the folder's a warning), and come back as they were."""
    elsewhere = tmp_path / "drive"
    write_note(elsewhere, "Linked.md", "#flashcards/geo\n\nCapital of Italy::Rome\n")
    write_note(elsewhere, "topics/Moons.md", "#flashcards/space\n\nMoons of Mars::two\n")
    (vault / "Linked.md").symlink_to(elsewhere / "Linked.md")
    (vault / "space").symlink_to(elsewhere / "topics")
    imported(cli, col, vault)
    before = live(cli, col)
    assert {"Capital of Italy", "Moons of Mars"} <= set(before)
    reviews = answer_all(cli, col)
    elsewhere.rename(tmp_path / "unmounted")

    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 1  # the dangling note link is an error
    assert result.json["cards"]["orphaned"] == 0 and result.json["notes"]["gone"] == 0
    assert [(e["path"], e["message"]) for e in result.json["errors"]] == [
        (str(vault / "Linked.md"), "dangling symlink")]
    [warning] = result.json["warnings"]
    assert warning["message"].startswith("2 notes cannot be reached now")
    assert live(cli, col) == before

    (tmp_path / "unmounted").rename(elsewhere)
    report = imported(cli, col, vault)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before and history(cli, col) == reviews


def test_a_note_out_of_reach_while_the_settings_changed_is_read_with_them_once_back(
        cli, col, vault, tmp_path):
    """Every note is read again under new settings (or a new flashdeck); one out of reach
    then was not, and is read once it is back, though its file did not change."""
    elsewhere = tmp_path / "drive"
    write_note(elsewhere, "Linked.md",
               "#flashcards/geo\n\nCapital of Spain::Madrid\n\nThe capital of Italy is **Rome**.\n")
    (vault / "Linked.md").symlink_to(elsewhere / "Linked.md")
    imported(cli, col, vault)
    assert not any("Italy" in front for front in live(cli, col))
    elsewhere.rename(tmp_path / "unmounted")
    (vault / ".flashdeck.toml").write_text('[cards]\ncloze = ["highlight", "bold"]\n')
    assert cli("--collection", col, "import", vault).code == 1  # the dangling link

    (tmp_path / "unmounted").rename(elsewhere)
    imported(cli, col, vault)
    assert any("Italy" in front for front in live(cli, col))


def test_a_note_deleted_beside_a_dangling_link_is_still_gone(cli, col, vault, tmp_path):
    (vault / "Broken.md").symlink_to(tmp_path / "nowhere.md")
    assert cli("--collection", col, "import", vault).code == 1  # the link: an error
    (vault / "Rivers.md").unlink()
    result = cli("--collection", col, "import", vault, "--json")
    assert result.json["cards"]["orphaned"] == 1 and result.json["warnings"] == []
    assert "Longest river in France" not in live(cli, col)


def test_a_vault_moved_with_every_note_edited_is_still_recognised(cli, col, vault, tmp_path):
    """A find-and-replace over the whole vault, then the vault renamed (or the vault moved
    while an import of it ran: the notes it had not read yet keep their old content's
    hash). No note has a content the collection knows, but every one is where the missing
    vault had a note: the same vault, not a second one with a copy of every card."""
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    for note in vault.rglob("*.md"):
        note.write_text(note.read_text() + "\nReviewed in December.\n")
    moved = tmp_path / "renamed"
    shutil.move(str(vault), str(moved))

    report = imported(cli, col, moved)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before
    assert history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(moved)]


SMALL_VAULTS = {
    "one note, a card added": (
        {"Capitals.md": "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\n"},
        {"Capitals.md": "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\nItaly::Rome\n"}),
    "two notes, a card added to each": (
        {"Capitals.md": "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\n",
         "Rivers.md": "#flashcards/geo\n\nLongest river in France::Loire\n"},
        {"Capitals.md": "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\nItaly::Rome\n",
         "Rivers.md": "#flashcards/geo\n\nLongest river in France::Loire\n"
                      "Longest river in Spain::Tagus\n"}),
    "two notes, an answer rewritten and a line added": (
        {"Capitals.md": "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\n",
         "maths/Primes.md": "#flashcards/maths\n\nFirst prime::2\n"},
        {"Capitals.md": "#flashcards/geo\n\nFrance::Paris (since 987)\nSpain::Madrid\n",
         "maths/Primes.md": "#flashcards/maths\n\nFirst prime::2\n\nSee also: squares.\n"}),
}


@pytest.mark.parametrize("before, after", SMALL_VAULTS.values(), ids=SMALL_VAULTS.keys())
def test_a_small_vault_moved_with_every_note_edited_keeps_every_id_and_review(
        cli, col, tmp_path, before, after):
    """Too few notes for their places alone (a sync client renaming the folder while the
    user keeps writing): each note where it was, keeping most of its cards, is the vault.
    It was taken for a new one: the old vault MISSING, every card twice, the history with
    the hidden copies."""
    vault = tmp_path / "vault"
    for name, text in before.items():
        write_note(vault, name, text)
    moved = tmp_path / "Synced" / "vault"
    ids, reviews = answered_then_moved(cli, col, vault, moved)
    for name, text in after.items():
        write_note(moved, name, text)

    report = imported(cli, col, moved)
    assert report["cards"]["orphaned"] == 0
    assert any("moved or renamed" in w["message"] for w in report["warnings"])
    now = live(cli, col)
    kept = {front: card_id for front, card_id in now.items() if card_id in ids.values()}
    assert len(kept) == len(ids)  # every card once, with its id (and its answer's text)
    assert history(cli, col) == reviews
    assert [(s["path"], s["missing"]) for s in sources(cli, col)] == [(str(moved), False)]
    assert cli("--collection", col, "doctor").code == 0


def test_a_vanished_vault_and_a_new_one_with_notes_of_the_same_names_stay_apart(
        cli, col, tmp_path):
    """Same file names, the same title-worded cards (`What is *Capitals*?`), a card or two
    in common: another vault, not the vanished one edited."""
    vault = tmp_path / "vault"
    write_note(vault, "Capitals.md", "---\nsummary: the capital cities of Europe\n---\n"
                                     "#flashcards/geo\n\nFrance::Paris\nSpain::Madrid\n"
                                     "Italy::Rome\n")
    write_note(vault, "Rivers.md", "#flashcards/geo\n\nLongest river in France::Loire\n")
    imported(cli, col, vault)
    reviews = answer_all(cli, col)
    shutil.rmtree(vault)
    other = tmp_path / "other"
    write_note(other, "Capitals.md", "---\nsummary: capitals of South America\n---\n"
                                     "#flashcards/geo\n\nPeru::Lima\nChile::Santiago\n"
                                     "Bolivia::Sucre\nFrance::Paris\n")
    write_note(other, "Rivers.md", "#flashcards/geo\n\nLongest river in Peru::Ucayali\n")
    report = imported(cli, col, other)
    assert report["cards"]["added"] == 6
    assert {s["path"]: s["missing"] for s in sources(cli, col)} == \
        {str(vault): True, str(other): False}
    assert history(cli, col) == reviews
    added = [c for c in cli("--collection", col, "list", "--json").json
             if c["id"] not in reviews]
    assert len(added) == 6 and all(c["state"] == "new" for c in added)  # no history taken


def test_a_few_notes_named_like_a_vanished_vaults_are_not_that_vault(cli, col, vault,
                                                                     tmp_path):
    """Places alone are not enough with too few notes, nor with too many elsewhere."""
    imported(cli, col, vault)
    shutil.rmtree(vault)
    two = tmp_path / "two"
    write_note(two, "Capitals.md", "#flashcards/geo\n\nItaly::Rome\n")
    write_note(two, "Rivers.md", "#flashcards/geo\n\nLongest river in Italy::Po\n")
    imported(cli, col, two)
    mixed = tmp_path / "mixed"
    write_note(mixed, "Capitals.md", "#flashcards/geo\n\nPortugal::Lisbon\n")
    write_note(mixed, "Rivers.md", "#flashcards/geo\n\nLongest river in Spain::Tagus\n")
    write_note(mixed, "maths/Primes.md", "#flashcards/maths\n\nThird prime::5\n")
    write_note(mixed, "Lakes.md", "#flashcards/geo\n\nLargest lake in Italy::Garda\n")
    imported(cli, col, mixed)
    assert {s["path"]: s["missing"] for s in sources(cli, col)} == \
        {str(vault): True, str(two): False, str(mixed): False}


def test_a_vault_copied_without_its_times_and_edited_is_still_recognised(
        cli, col, vault, tmp_path):
    """Not `mv`: a copy that does not keep mtimes (the content hash tells), one note edited,
    one new note."""
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    renamed = tmp_path / "Vault 2026"
    shutil.copytree(vault, renamed, copy_function=shutil.copyfile)
    shutil.rmtree(vault)
    write_note(renamed, "Rivers.md", "#flashcards/geo\n\nLongest river in France::Loire\n"
                                     "Longest river in Spain::Tagus\n")
    write_note(renamed, "New.md", "#flashcards\n\nNew question::new answer\n")

    imported(cli, col, renamed)
    after = live(cli, col)
    assert {front: after[front] for front in before} == before
    assert set(after) - set(before) == {"Longest river in Spain", "New question"}
    assert history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(renamed)]


def test_a_subfolder_of_a_moved_vault_imported_first_finds_the_vault(cli, col, vault, tmp_path):
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    moved = tmp_path / "notes"
    shutil.move(str(vault), str(moved))
    result = cli("--collection", col, "import", moved / "maths", "--json")
    assert result.code == 0, result.err
    assert result.json["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert str(vault) in result.json["warnings"][0]["message"]  # says what it recognised
    assert [s["path"] for s in sources(cli, col)] == [str(moved)]
    assert imported(cli, col, moved)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before
    assert history(cli, col) == reviews


def test_a_vault_moved_with_a_glob_that_left_its_settings_behind_is_recognised(
        cli, col, vault, tmp_path):
    """`mv vault/* notes/` moves every note but leaves `.obsidian` (the old folder stays)."""
    (vault / ".obsidian").mkdir()
    imported(cli, col, vault)
    before = live(cli, col)
    moved = tmp_path / "notes"
    moved.mkdir()
    for entry in vault.iterdir():
        if not entry.name.startswith("."):
            shutil.move(str(entry), str(moved / entry.name))
    assert imported(cli, col, moved)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before
    assert [s["path"] for s in sources(cli, col)] == [str(moved)]


def test_a_copied_vault_whose_original_is_still_there_is_a_second_source(
        cli, col, vault, tmp_path):
    imported(cli, col, vault)
    copy = tmp_path / "copy"
    shutil.copytree(vault, copy)
    report = imported(cli, col, copy)
    assert report["cards"]["added"] == 7
    listed = sources(cli, col)
    assert sorted(s["path"] for s in listed) == [str(copy), str(vault)]
    assert {s["cards"] for s in listed} == {7}


def test_an_unrelated_new_folder_is_not_taken_for_a_vanished_vault(cli, col, vault, tmp_path):
    imported(cli, col, vault)
    shutil.rmtree(vault)
    other = tmp_path / "other"
    write_note(other, "Capitals.md", "#flashcards/geo\n\nItaly::Rome\n")  # same name only
    imported(cli, col, other)
    listed = {s["path"]: s for s in sources(cli, col)}
    assert set(listed) == {str(vault), str(other)}
    assert listed[str(vault)]["missing"] is True and listed[str(other)]["missing"] is False


# -- a note or folder inside a known source ---------------------------------------------------


def test_importing_a_subfolder_of_an_imported_vault_adds_nothing_and_orphans_nothing(
        cli, col, vault):
    imported(cli, col, vault)
    before = live(cli, col)
    report = imported(cli, col, vault / "maths")
    assert report["notes"]["scanned"] == 3
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert report["notes"]["gone"] == 0
    assert live(cli, col) == before
    assert len(sources(cli, col)) == 1
    # a change inside the subfolder is refreshed, the rest is left alone
    write_note(vault, "maths/Squares.md", "#flashcards/maths\n\n3 squared::9\n5 squared::25\n")
    (vault / "maths" / "deep" / "Cubes.md").unlink()
    report = imported(cli, col, vault / "maths")
    assert report["cards"] == {"added": 1, "updated": 0, "orphaned": 1}
    assert report["notes"]["gone"] == 1
    after = live(cli, col)
    assert set(after) == set(before) - {"2 cubed"} | {"5 squared"}


def test_importing_a_note_of_an_imported_vault_refreshes_that_note(cli, col, vault):
    imported(cli, col, vault)
    before = live(cli, col)
    note = vault / "maths" / "Primes.md"
    report = imported(cli, col, note)
    assert report["notes"]["scanned"] == 1
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    note.write_text("#flashcards/maths\n\nFirst prime::2\nSecond prime::3\nThird prime::5\n")
    report = imported(cli, col, note)
    assert report["cards"] == {"added": 1, "updated": 0, "orphaned": 0}
    assert report["notes"]["gone"] == 0
    after = live(cli, col)
    assert {front: after[front] for front in before} == before
    assert "Third prime" in after
    assert len(sources(cli, col)) == 1
    # the vault sees the same note: nothing to do
    assert imported(cli, col, vault)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}


def test_importing_the_parent_after_a_subfolder_merges_it(cli, col, vault):
    imported(cli, col, vault / "maths")
    sub = live(cli, col)
    reviews = answer_all(cli, col)
    imported(cli, col, vault / "Rivers.md")  # a file source, inside the parent too
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 2  # Capitals; the merged sources' cards are kept
    after = live(cli, col)
    assert {front: after[front] for front in sub} == sub
    assert len(after) == 7
    assert history(cli, col) == reviews
    listed = sources(cli, col)
    assert [(s["path"], s["notes"], s["cards"]) for s in listed] == [(str(vault), 5, 7)]
    assert imported(cli, col, vault)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert query(col, "SELECT count(*) FROM cards")[0][0] == 7


def test_a_vault_imported_twice_by_an_older_version_is_merged_without_duplicates(
        cli, col, vault):
    """Before sources were one per vault, `import vault` then `import vault/maths` made two
    sources, each with its own copy of the maths cards: merging keeps one of each, the
    answered copy."""
    imported(cli, col, vault)
    with Collection.open(col) as collection:  # the old behaviour: a source of its own
        report = ImportReport()
        for source in collect_sources([str(vault / "maths")], report):
            importer._import_source(collection, source, report, 0, None)
    assert query(col, "SELECT count(*) FROM sources")[0][0] == 2
    copies = [c for c in cli("--collection", col, "list", "--json").json
              if c["front"] == "First prime"]
    assert len(copies) == 2
    answered = max(c["id"] for c in copies)  # the inner source's copy
    assert cli("--collection", col, "answer", answered, "good").code == 0

    imported(cli, col, vault)
    after = live(cli, col)  # asserts no duplicates
    assert len(after) == 7 and after["First prime"] == answered
    assert [s["path"] for s in sources(cli, col)] == [str(vault)]
    assert query(col, "SELECT count(*) FROM notes")[0][0] == 6


# -- sources and forget --------------------------------------------------------------------------


def test_sources_json_shape(cli, col, vault, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+01:00")
    imported(cli, col, vault)
    single = write_note(tmp_path / "loose", "One.md", "One::1\n")
    imported(cli, col, single)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-25T10:30:00+01:00")
    imported(cli, col, vault)
    listed = sources(cli, col)
    assert [set(s) for s in listed] == [{"id", "path", "kind", "notes", "cards", "added",
                                         "last_import", "missing"}] * 2
    by_path = {s["path"]: s for s in listed}
    assert by_path[str(vault)] | {"id": 0} == {
        "id": 0, "path": str(vault), "kind": "folder", "notes": 5, "cards": 7,
        "added": "2026-11-24T09:00:00+01:00", "last_import": "2026-11-25T10:30:00+01:00",
        "missing": False}
    assert by_path[str(single)]["kind"] == "file" and by_path[str(single)]["cards"] == 1
    assert datetime.fromisoformat(by_path[str(single)]["last_import"]).utcoffset() is not None
    text = cli("--collection", col, "sources")
    assert text.code == 0
    assert str(vault) in text.out and "2026-11-25 10:30 +01:00" in text.out
    shutil.rmtree(vault)
    assert {s["path"]: s["missing"] for s in sources(cli, col)}[str(vault)] is True
    assert "MISSING" in cli("--collection", col, "sources").out


def test_sources_never_creates_a_collection(cli, tmp_path):
    missing = tmp_path / "none.sqlite"
    result = cli("--collection", missing, "sources", "--json")
    assert (result.code, result.out) == (2, "") and f"no collection at {missing}" in result.err
    result = cli("--collection", missing, "forget", "/anything")
    assert result.code == 2 and result.err.count("\n") == 1
    assert not missing.exists()


def test_forget_hides_the_cards_and_a_reimport_restores_ids_and_history(cli, col, vault):
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    source_id = sources(cli, col)[0]["id"]

    result = cli("--collection", col, "forget", str(source_id))
    assert result.code == 0, result.err
    assert result.out.count("\n") == 1
    assert str(vault) in result.out and "5 notes" in result.out and "7 cards" in result.out
    assert sources(cli, col) == []
    assert cli("--collection", col, "list", "--json").json == []
    assert query(col, "SELECT count(*) FROM cards WHERE orphaned = 1")[0][0] == 7

    again = cli("--collection", col, "forget", str(vault))
    assert again.code == 2 and again.out == "" and again.err.count("\n") == 1

    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0
    assert live(cli, col) == before
    assert history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(vault)]


def test_another_vault_never_takes_the_history_of_a_forgotten_vault_s_card(cli, col, vault,
                                                                           tmp_path):
    """`forget` keeps a vault's cards for its return. A card of another vault with the same
    text took the forgotten card (its id and history) at that vault's first import, and the
    forgotten vault imported again got a new card. Each vault keeps its own card now."""
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    assert cli("--collection", col, "forget", str(vault)).code == 0
    other = tmp_path / "other"
    write_note(other, "Europe.md", "#flashcards/geo\n\nFrance::Paris\nItaly::Rome\n")

    assert imported(cli, col, other)["cards"] == {"added": 2, "updated": 0, "orphaned": 0}
    theirs = live(cli, col)
    assert set(theirs) == {"France", "Italy"} and before["France"] != theirs["France"]
    assert not set(theirs.values()) & set(history(cli, col))  # neither has a review

    assert imported(cli, col, vault)["cards"]["added"] == 0
    assert {front: card_id for front, card_id in cli_cards(cli, col) if card_id in
            before.values()} == before
    assert history(cli, col) == reviews


def test_a_forgotten_vault_moved_away_gives_its_cards_to_the_vault_where_they_are_now(
        cli, col, vault, tmp_path):
    """Forgotten, then moved (its folder no longer where it was): imported from its new
    place, each card is the orphan it was, with its history, as before."""
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    assert cli("--collection", col, "forget", str(vault)).code == 0
    vault.rename(tmp_path / "moved")
    assert imported(cli, col, tmp_path / "moved")["cards"]["added"] == 0
    assert live(cli, col) == before
    assert history(cli, col) == reviews


def cli_cards(cli, col) -> list[tuple[str, int]]:
    return [(c["front"], c["id"]) for c in cli("--collection", col, "list", "--json").json]


def test_forgetting_a_vanished_vault_gives_its_history_to_the_copies_taken_for_another(
        cli, col, vault, tmp_path, monkeypatch):
    """The vault copied elsewhere and imported there (a second source while the original
    was still there), then the original deleted, or moved and taken for a new vault by an
    older flashdeck: every card twice (the old ones, with the history, on a MISSING
    source). Forgetting the missing vault hid the history for good. Its answered cards now
    take the places of the untouched copies; one answered meanwhile keeps its own."""
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-20T09:00:00+01:00")
    imported(cli, col, vault)
    before = live(cli, col)
    reviews = answer_all(cli, col)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-22T09:00:00+01:00")
    copy = tmp_path / "Notes"
    shutil.copytree(vault, copy)
    assert imported(cli, col, copy)["cards"]["added"] == 7
    shutil.rmtree(vault)
    copies = {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json
              if c["id"] not in before.values()}
    assert cli("--collection", col, "answer", copies["2 cubed"], "again").code == 0
    reviews = history(cli, col)

    result = cli("--collection", col, "forget", vault)
    assert result.code == 0, result.err
    assert "6 answered cards of it found where its note is now" in result.out
    now = live(cli, col)  # every card once
    assert now == {front: (copies if front == "2 cubed" else before)[front] for front in now}
    assert len(now) == 7
    assert history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(copy)]
    assert imported(cli, col, copy)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == now
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and "no problems found" in doctor.out, doctor.out


def test_forget_by_path(cli, col, vault, tmp_path, monkeypatch):
    imported(cli, col, vault)
    monkeypatch.chdir(tmp_path)
    result = cli("--collection", col, "forget", "vault")
    assert result.code == 0, result.err
    assert sources(cli, col) == []


def test_an_unknown_source_is_one_line_and_exit_2(cli, col, vault):
    imported(cli, col, vault)
    for name in ("/no/such/vault", "999", "\x1b]0;pwned\x07"):
        result = cli("--collection", col, "forget", name)
        assert result.code == 2
        assert result.err.count("\n") == 1 and "\x1b" not in result.err
    assert len(sources(cli, col)) == 1


def test_hostile_source_paths_are_printed_sanitized(cli, col, tmp_path):
    hostile = tmp_path / "vault\x1b[2J\x1b]0;owned\x07\u009b\nfake line"
    write_note(hostile, "n.md", "#flashcards\n\nQ::A\n")
    imported(cli, col, hostile)
    text = cli("--collection", col, "sources")
    assert text.code == 0
    assert "\x1b" not in text.out and "\x07" not in text.out and "\u009b" not in text.out
    assert "␛[2J" in text.out and text.out.count("\n") == 1  # one source, one line
    result = cli("--collection", col, "forget", str(hostile))
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\x07" not in result.out and "␛" in result.out
    assert result.out.count("\n") == 1
    # JSON carries the path as it is (escaped by JSON)
    imported(cli, col, hostile)
    assert sources(cli, col)[0]["path"] == str(hostile)


def test_a_note_file_imported_alone_then_moved_keeps_its_cards(cli, col, tmp_path):
    """A note imported by its own path (not in a vault folder), then moved and renamed: the
    same note, not a second one with a copy of every card. Edited as well, it is still
    found by its file name when only one missing note had it."""
    first = tmp_path / "inbox" / "peru.md"
    write_note(first.parent, first.name, "#flashcards/geo\n\nCapital of Peru::Lima\n")
    imported(cli, col, first)
    before = live(cli, col)
    reviews = answer_all(cli, col)

    second = tmp_path / "geo" / "Peru.md"
    second.parent.mkdir()
    shutil.move(str(first), str(second))
    report = imported(cli, col, second)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == before and history(cli, col) == reviews
    assert [s["path"] for s in sources(cli, col)] == [str(second)]

    third = tmp_path / "Peru.md"
    third.write_text(second.read_text() + "Currency of Peru::sol\n")
    second.unlink()
    report = imported(cli, col, third)
    assert report["cards"] == {"added": 1, "updated": 0, "orphaned": 0}
    assert live(cli, col)["Capital of Peru"] == before["Capital of Peru"]
    assert [s["path"] for s in sources(cli, col)] == [str(third)]

    # a file of another name and content is a note of its own
    other = tmp_path / "chile.md"
    other.write_text("#flashcards/geo\n\nCapital of Chile::Santiago\n")
    third.unlink()
    imported(cli, col, other)
    assert {s["path"]: s["missing"] for s in sources(cli, col)} == \
        {str(third): True, str(other): False}


def test_a_note_file_imported_alone_then_moved_into_a_vault_keeps_its_cards(cli, col, vault,
                                                                            tmp_path):
    """Imported by its own path, then moved into an imported vault: its cards are the
    vault's now, with their ids and history, not a second copy beside the old ones. One on
    a drive that is not mounted now (no card of it found elsewhere) is left as it is."""
    inbox = tmp_path / "inbox"
    write_note(inbox, "Peru.md", "#flashcards/geo\n\nCapital of Peru::Lima\n"
                                 "Capital of Bolivia::Sucre\n")
    write_note(inbox, "Away.md", "#flashcards/geo\n\nCapital of Fiji::Suva\n")
    imported(cli, col, vault, inbox / "Peru.md", inbox / "Away.md")
    before = live(cli, col)
    reviews = answer_all(cli, col)

    shutil.move(str(inbox / "Peru.md"), str(vault / "Peru.md"))
    (inbox / "Away.md").unlink()  # "unmounted"
    report = imported(cli, col, vault)
    assert report["cards"]["added"] == 0 and report["cards"]["orphaned"] == 0
    assert live(cli, col) == before and history(cli, col) == reviews
    notes = {c["front"]: c["note"] for c in cli("--collection", col, "list", "--json").json}
    assert notes["Capital of Peru"] == str(vault / "Peru.md")
    assert notes["Capital of Fiji"] == str(inbox / "Away.md")
    assert imported(cli, col, vault)["cards"] == {"added": 0, "updated": 0, "orphaned": 0}


def test_a_note_named_in_an_imported_vault_is_imported_without_the_tag_and_kept(cli, col,
                                                                               vault):
    """`flashdeck import vault/note.md` imports that note even without the flashcards tag
    (PRODUCT.md §1), also when its vault was imported before and saw it untagged; and the
    next import of the vault keeps its cards and their history (naming it once is what
    says it holds cards)."""
    first = imported(cli, col, vault)
    assert first["notes"]["skipped"] == 1 and "Milk" not in live(cli, col)
    report = imported(cli, col, vault / "Shopping.md")
    assert report["notes"] == {**report["notes"], "scanned": 1, "imported": 1, "skipped": 0}
    assert report["cards"]["added"] == 1
    before = live(cli, col)
    reviews = answer_all(cli, col)
    again = imported(cli, col, vault)
    assert again["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert again["notes"]["skipped"] == 0
    assert live(cli, col) == before and history(cli, col) == reviews
    # an edit is read as that note's: still without the tag
    (vault / "Shopping.md").write_text("# Shopping\n\nMilk::two litres\nEggs::six\n")
    assert imported(cli, col, vault)["cards"] == {"added": 1, "updated": 0, "orphaned": 0}
    assert live(cli, col)["Milk"] == before["Milk"]


def test_a_note_named_beside_its_folder_is_read_once_and_imported_as_named(cli, col, vault):
    """Overlapping paths (`import vault vault/maths vault/Shopping.md vault`): every note is
    read and counted once, the named one as named (imported without its tag)."""
    report = imported(cli, col, vault, vault / "maths", vault / "Shopping.md", vault,
                      vault / "Shopping.md")
    assert report["notes"]["scanned"] == 6
    assert report["notes"]["imported"] == 6 and report["notes"]["skipped"] == 0
    assert report["cards"]["added"] == 8
    assert len(live(cli, col)) == 8
    checked = cli("check", vault, vault / "maths", vault / "Shopping.md", "--json").json
    assert sorted(note["title"] for note in checked["notes"]) == [
        "Capitals", "Cubes", "Primes", "Rivers", "Shopping", "Squares"]
    assert sum(len(note["cards"]) for note in checked["notes"]) == 8


def test_a_note_imported_alone_before_the_upgrade_stays_when_its_vault_is_imported(
        cli, col, vault):
    """A note imported by its own path by a flashdeck before notes were marked as named
    (schema 11): the upgrade marks it, so importing its vault later keeps its cards."""
    imported(cli, col, vault / "Shopping.md")
    card = live(cli, col)["Milk"]
    conn = sqlite3.connect(col)
    back_to_schema_11(conn)
    conn.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    report = imported(cli, col, vault)
    assert report["cards"]["orphaned"] == 0
    assert live(cli, col)["Milk"] == card
    assert col.with_name(col.name + ".v11.bak").exists()


# -- a vault kept inside another, with settings of its own --------------------------------------


@pytest.fixture
def nested(tmp_path):
    """A notes folder whose `work/` subfolder is a vault of its own: its `.flashdeck.toml`
    takes `#quiz` notes, bold clozes, and decks by folder."""
    outer = tmp_path / "notes"
    write_note(outer, "Capitals.md", "#flashcards/geo\n\nFrance::Paris\n")
    write_note(outer, "work/.flashdeck.toml",
               '[cards]\ntags = ["quiz"]\ncloze = ["bold"]\ndecks = "folders"\n')
    write_note(outer, "work/Ports.md", "#quiz\n\nHTTPS listens on port **443** by default.\n")
    write_note(outer, "work/net/Dns.md", "---\ntags: [quiz]\n---\nDNS port::53\n")
    return outer


def cards_of(cli, col) -> set[tuple[str, str]]:
    return {(c["deck"], c["front"]) for c in cli("--collection", col, "list", "--json").json}


# decks by folder: the inner vault's own folders (a note at its root: its first tag's deck)
INNER = {("quiz", "HTTPS listens on port [...] by default."), ("net", "DNS port")}


def test_a_vault_inside_a_vault_keeps_its_settings_when_the_outer_is_imported(cli, col,
                                                                             nested):
    """Imported on its own first, then as part of the folder around it: the inner vault's
    notes are read with its own settings both times, so its cards keep their ids, decks
    and history. Before, the outer import read them with the outer settings: `#quiz` was
    no flashcard tag there, and every inner card was orphaned (gone from review)."""
    imported(cli, col, nested / "work")
    assert cards_of(cli, col) == INNER
    inner = live(cli, col)
    reviews = answer_all(cli, col)
    report = imported(cli, col, nested)
    assert report["cards"] == {"added": 1, "updated": 0, "orphaned": 0}
    assert cards_of(cli, col) == INNER | {("flashcards/geo", "France")}
    after = live(cli, col)
    assert {front: after[front] for front in inner} == inner
    assert history(cli, col) == reviews
    # named by any path, a note is read with the same settings
    for path in (nested / "work", nested / "work" / "net", nested / "work/net/Dns.md"):
        again = imported(cli, col, path)
        assert again["cards"] == {"added": 0, "updated": 0, "orphaned": 0}, path
    assert imported(cli, col, nested)["notes"]["unchanged"] == 3


def test_check_gives_a_note_the_same_cards_whatever_path_names_it(cli, nested):
    def checked(path) -> dict[str, set]:
        result = cli("check", path, "--json")
        assert result.code == 0, result.err
        return {note["path"].rsplit("/", 1)[-1]: {(c["deck"], c["front"]) for c in note["cards"]}
                for note in result.json["notes"]}

    whole = checked(nested)
    assert whole["Ports.md"] == {("quiz", "HTTPS listens on port [...] by default.")}
    assert whole["Dns.md"] == {("net", "DNS port")}
    inner = checked(nested / "work")
    assert inner == {name: whole[name] for name in ("Ports.md", "Dns.md")}


def test_a_changed_inner_settings_file_reads_its_notes_again(cli, col, nested):
    """The import notices the inner vault's settings changed, though no note did."""
    imported(cli, col, nested)
    (nested / "work/.flashdeck.toml").write_text(
        '[cards]\ntags = ["quiz"]\ncloze = ["bold", "highlight"]\ndecks = "tags"\n',
        encoding="utf-8")
    report = imported(cli, col, nested)
    assert report["cards"]["orphaned"] == 0
    assert cards_of(cli, col) == {("flashcards/geo", "France"), ("quiz", "DNS port"),
                                  ("quiz", "HTTPS listens on port [...] by default.")}


def test_a_bad_inner_settings_file_is_named_once_and_the_defaults_used(cli, col, nested):
    (nested / "work/.flashdeck.toml").write_text('[cards]\ntags = "quiz"\n', encoding="utf-8")
    for path in (nested, nested / "work" / "net"):
        result = cli("--collection", col, "import", path, "--json")
        assert result.code == 1
        [error] = result.json["errors"]
        assert error["path"].endswith("work/.flashdeck.toml") and error["line"] == 2
    # the defaults: the #quiz notes are no flashcard notes there
    assert cards_of(cli, col) == {("flashcards/geo", "France")}


def test_a_subfolder_of_a_vault_with_settings_is_read_with_them(cli, col, tmp_path):
    """`check vault/sub` read the folder with the defaults, while `check vault` and `check
    vault/sub/note.md` used the vault's settings; imported first, such a subfolder's cards
    were then orphaned when the vault itself was imported. Now a folder of a vault, like a
    note of it, is read with the vault's settings."""
    vault = tmp_path / "Karten"
    write_note(vault, ".flashdeck.toml", '[cards]\ntags = ["karten"]\ndecks = "folders"\n')
    write_note(vault, "Mathe/Primzahlen.md", "#karten\n\nErste Primzahl::2\n")
    write_note(vault, "Mathe/Alt.md", "#flashcards\n\nNot a card here::no\n")

    def checked(path) -> set:  # (deck names ignore letter case)
        return {(deck.lower(), front) for deck, front in checked_cards(cli, path)}

    expected = {("mathe", "Erste Primzahl")}
    assert checked(vault) == expected
    assert checked(vault / "Mathe") == expected
    assert checked(vault / "Mathe" / "Primzahlen.md") == expected
    imported(cli, col, vault / "Mathe")
    ids = live(cli, col)
    assert {(deck.lower(), front) for deck, front in cards_of(cli, col)} == expected
    report = imported(cli, col, vault)
    assert report["cards"] == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col) == ids


@pytest.mark.parametrize("typo", [
    'tags = ["karten"',                       # a list never closed: not TOML at all
    'tags = ["karten"]\ncloze = ["highlight", "bld"]',   # one value that is no cloze kind
])
def test_a_typo_in_the_vault_settings_leaves_its_cards_as_they_were(cli, tmp_path, typo,
                                                                    monkeypatch):
    """A vault tagged `#karten` (tags = ["karten"] in .flashdeck.toml): a typo in the file
    made the import read the notes with the defaults, and every card of the vault was
    orphaned (gone from review) until the file was fixed. The vault's notes are now left
    as the collection has them, and the import says so; fixed, nothing has changed."""
    # a fixed clock: the card answered is learning today (at 03:50-04:00 on the real clock
    # its 10-minute step ended after the rollover, on the next day: "0 learning" today)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+00:00")
    vault = tmp_path / "vault"
    settings = vault / ".flashdeck.toml"
    write_note(vault, "Wortschatz.md", "#karten\n\nder Hund::the dog\n\n"
                                       "Die **Katze** schläft.\n")
    settings.write_text('[cards]\ntags = ["karten"]\ncloze = ["highlight", "bold"]\n')
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    before = {c["id"]: c["front"] for c in cli("--collection", col, "list", "--json").json}
    assert len(before) == 2
    first = min(before)
    assert cli("--collection", col, "answer", first, "good").code == 0

    settings.write_text(f"[cards]\n{typo}\n")
    result = cli("--collection", col, "import", vault)
    assert result.code == 1
    assert f"{settings}:" in result.err
    assert (f"{vault}:0: not imported: its settings file has an error (said above), and this"
            " vault's notes are left as the collection has them") in result.err
    assert {c["id"]: c["front"] for c in cli("--collection", col, "list", "--json").json} \
        == before
    assert cli("--collection", col, "due", "--json").json["total"]["learning"] == 1

    settings.write_text('[cards]\ntags = ["karten"]\ncloze = ["highlight", "bold"]\n')
    fixed = cli("--collection", col, "import", vault)
    assert fixed.code == 0, fixed.err
    assert "cards: 0 added, 0 updated, 0 orphaned" in fixed.out
    assert len(cli("--collection", col, "log", "--json").json) == 1


def test_a_typo_in_the_settings_of_a_new_vault_still_imports_it_with_the_defaults(cli,
                                                                                  tmp_path):
    # nothing of it in the collection yet: nothing to hide; the error says which default
    vault = tmp_path / "vault"
    write_note(vault, "geo.md", "#flashcards\n\nCapital of Peru::Lima\n")
    (vault / ".flashdeck.toml").write_text('[cards]\ndecks = "folder"\n')
    col = tmp_path / "c.sqlite"
    result = cli("--collection", col, "import", vault)
    assert result.code == 1 and "default used" in result.err
    assert "cards: 1 added" in result.out


# -- a vault kept inside another, with only `.obsidian` (no settings of its own) ----------------


def test_a_folder_holding_only_obsidian_is_read_with_the_outer_vaults_settings(cli, col,
                                                                             tmp_path):
    """Obsidian opens the outer vault with the inner folder as one of its folders (its
    `.obsidian` a hidden folder, the plugin reading the outer vault's settings), and the
    outer import reads it so: named on its own (the folder, a note of it), it is read with
    the same settings. Before, its `.obsidian` stopped the search for them: `check` of the
    folder found no card of a vault tagged #karten, a note of it went to deck
    `flashcards`, and importing it with `decks = "folders"` moved its cards."""
    outer = tmp_path / "Notizen"
    (outer / ".obsidian").mkdir(parents=True)
    (outer / "Reisen" / ".obsidian").mkdir(parents=True)
    write_note(outer, ".flashdeck.toml", '[cards]\ntags = ["karten"]\ndecks = "folders"\n')
    write_note(outer, "Chile.md", "#karten\n\nHauptstadt von Chile::Santiago\n")
    write_note(outer, "Reisen/Peru.md", "#karten\n\nHauptstadt von Peru::Lima\n")
    write_note(outer, "Reisen/Anden/Bolivien.md", "#karten\n\nHauptstadt von Bolivien::Sucre\n")

    def checked(path) -> set:
        return checked_cards(cli, path)

    whole = checked(outer)
    assert whole == {("karten", "Hauptstadt von Chile"), ("Reisen", "Hauptstadt von Peru"),
                     ("Reisen/Anden", "Hauptstadt von Bolivien")}
    inner = whole - {("karten", "Hauptstadt von Chile")}
    assert checked(outer / "Reisen") == inner
    assert checked(outer / "Reisen/Anden/Bolivien.md") == {
        ("Reisen/Anden", "Hauptstadt von Bolivien")}

    imported(cli, col, outer)
    before = live(cli, col)
    for path in (outer / "Reisen", outer / "Reisen/Peru.md", outer):
        again = imported(cli, col, path)
        assert again["cards"] == {"added": 0, "updated": 0, "orphaned": 0}, path
    assert live(cli, col) == before
    assert cards_of(cli, col) == whole
