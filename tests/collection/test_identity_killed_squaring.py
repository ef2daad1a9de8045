"""An import killed after it orphaned a note's cards and before it squared the moves up
(PRODUCT.md §2: a card keeps its history when it moves to another note; a crash loses
nothing). The moves are squared up at the end of an import (`reclaim_moved_cards`,
`return_taken_cards`); a kill just before left the answered card hidden with the orphans and
its copy new for good, with `doctor` finding nothing wrong: the re-run found every note
unchanged, orphaned nothing, and so had nothing to square up. Now the cards orphaned are
written down as they are, and the next import takes them up."""

from __future__ import annotations

import shutil

import pytest

from support.identity import france_moved_where_peru_was, imported, live, log
from support.notes import write_note
from flashdeck.collection import importer


class Crash(BaseException):
    """Stands in for a kill at that point: nothing after it runs, its transaction is rolled
    back (committed work stays)."""


def killed_at(cli, col, vault, monkeypatch, name: str) -> None:
    """An import of `vault` killed as it calls importer.`name` (the first time)."""
    def dies(*args, **kwargs):
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(importer, name, dies)
        with pytest.raises(Crash):
            cli("--collection", col, "import", vault)


def doctor_clean(cli, col) -> None:
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0 and "no problems found" in doctor.out, doctor.out
    assert "stopped before its end" not in doctor.out
    assert cli("--collection", col, "doctor", "--json").json["import_unfinished"] == 0


def _france_moved_to_a_note_read_first(cli, col, vault) -> int:
    """France's card answered, then moved from "Europe" to "Americas", which is read first:
    the card it gets is added there, then Europe orphans its own. France's card's id."""
    write_note(vault, "Europe.md", "#flashcards/geo\n\nCapital of France::Paris\n"
                                   "Capital of Spain::Madrid\n")
    write_note(vault, "Americas.md", "#flashcards/geo\n\nCapital of Chile::Santiago\n")
    imported(cli, col, vault)
    france = live(cli, col)["Capital of France"]
    assert cli("--collection", col, "answer", france, "good").code == 0
    write_note(vault, "Europe.md", "#flashcards/geo\n\nCapital of Spain::Madrid\n")
    write_note(vault, "Americas.md", "#flashcards/geo\n\nCapital of Chile::Santiago\n"
                                     "Capital of France::Paris\n")
    return france


def test_a_card_moved_to_a_note_read_first_keeps_its_history_after_a_kill(
        cli, tmp_path, monkeypatch):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    france = _france_moved_to_a_note_read_first(cli, col, vault)
    history = log(cli, col)
    killed_at(cli, col, vault, monkeypatch, "reclaim_moved_cards")
    # doctor says what is left to do, and who does it
    doctor = cli("--collection", col, "doctor")
    assert doctor.code == 0
    assert "import:       stopped before its end: 1 card it moved or hid wait for the next" \
        " `flashdeck import`" in doctor.out
    assert imported(cli, col, vault) == {"added": 0, "updated": 1, "orphaned": 0}
    assert live(cli, col)["Capital of France"] == france
    assert log(cli, col) == history
    info = cli("--collection", col, "info", france, "--json").json
    assert info["note"].endswith("Americas.md") and info["state"] == "learning"
    doctor_clean(cli, col)
    # squared up once: the next import has nothing left to do
    assert imported(cli, col, vault) == {"added": 0, "updated": 0, "orphaned": 0}


def test_a_note_copied_then_its_original_deleted_keeps_its_history_after_a_kill(
        cli, tmp_path, monkeypatch):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    text = "#flashcards/geo\n\nCapital of France::Paris\nCapital of Spain::Madrid\n"
    write_note(vault, "geo/Europe.md", text)
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-20T09:00:00+01:00")
    imported(cli, col, vault)
    france = live(cli, col)["Capital of France"]
    assert cli("--collection", col, "answer", france, "good").code == 0
    history = log(cli, col)

    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-22T09:00:00+01:00")
    write_note(vault, "Europe copy.md", text)
    assert imported(cli, col, vault)["added"] == 2
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+01:00")
    shutil.rmtree(vault / "geo")
    killed_at(cli, col, vault, monkeypatch, "reclaim_moved_cards")
    assert imported(cli, col, vault) == {"added": 0, "updated": 1, "orphaned": 0}
    ids = live(cli, col)
    assert ids["Capital of France"] == france and len(ids) == 2
    assert log(cli, col) == history
    doctor_clean(cli, col)


def test_a_card_moved_where_a_similar_one_was_deleted_keeps_its_history_after_a_kill(
        cli, tmp_path, monkeypatch):
    """The note it went to gave it the deleted card's id by similarity; killed before that
    card was given back, the re-run still gives it back."""
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    france, peru, history = france_moved_where_peru_was(cli, col, vault)
    killed_at(cli, col, vault, monkeypatch, "return_taken_cards")
    # Peru's card is orphaned now, France's (orphaned by the killed import) back in its place
    assert imported(cli, col, vault) == {"added": 0, "updated": 0, "orphaned": 1}
    ids = live(cli, col)
    assert ids["Capital of France"] == france and peru not in ids.values()
    assert log(cli, col) == history
    doctor_clean(cli, col)
    # Peru written again: its own card, with its own history
    write_note(vault, "Americas.md", "#flashcards/geo\n\nCapital of France::Paris\n"
                                     "Capital of Peru::Lima\nCapital of Chile::Santiago\n")
    assert imported(cli, col, vault) == {"added": 0, "updated": 1, "orphaned": 0}
    assert live(cli, col)["Capital of Peru"] == peru


def test_a_card_answered_between_the_kill_and_the_rerun_is_not_taken(
        cli, tmp_path, monkeypatch):
    """The copy the killed import added was answered before the re-run: it has a history of
    its own now, and keeps it (as when no import was killed)."""
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    france = _france_moved_to_a_note_read_first(cli, col, vault)
    killed_at(cli, col, vault, monkeypatch, "reclaim_moved_cards")
    copy = live(cli, col)["Capital of France"]
    assert copy != france
    assert cli("--collection", col, "answer", copy, "easy").code == 0
    history = log(cli, col)
    assert imported(cli, col, vault) == {"added": 0, "updated": 0, "orphaned": 0}
    assert live(cli, col)["Capital of France"] == copy
    assert log(cli, col) == history
    doctor_clean(cli, col)


def test_a_kill_before_the_note_a_card_left_is_read_gives_no_card_another_s_history(
        cli, tmp_path, monkeypatch):
    """Killed after the note the card went to was written (there it took, by similarity, the
    id of the card deleted beside it) and before the note it left was read: the re-run reads
    that note and orphans the card that left. Before, what the killed import rewrote was
    forgotten: Peru's card showed France with Peru's history, France's own history hidden."""
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    france, peru, history = france_moved_where_peru_was(cli, col, vault)
    real = importer.parse_many

    def dies_after_one(jobs, on_done=None):  # Americas is read first
        for n, parsed in enumerate(real(jobs, on_done)):
            if n == 1:
                raise Crash()
            yield parsed

    with monkeypatch.context() as patch:
        patch.setattr(importer, "parse_many", dies_after_one)
        with pytest.raises(Crash):
            cli("--collection", col, "import", vault)
    # for now Peru's card shows France (taken by similarity), and France's is still live
    fronts = {c["id"]: c["front"] for c in cli("--collection", col, "list", "--json").json}
    assert fronts[peru] == fronts[france] == "Capital of France"
    imported(cli, col, vault)
    ids = live(cli, col)
    assert ids["Capital of France"] == france and peru not in ids.values()
    assert log(cli, col) == history
    doctor_clean(cli, col)
