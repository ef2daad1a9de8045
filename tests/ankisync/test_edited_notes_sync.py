"""Two machines and a phone on one Anki account, the vault copied from A to B (PRODUCT.md
§2, §5b). On B, before B's first sync, notes are moved, renamed and edited: B's cards
derive GUIDs from their new paths and texts, which name no Anki note, so B made a second
Anki note of each edited card (the phone showed the old one and the new one) and never got
the phone's answers to the old one. B's card now takes the note A made of it, found as card
identity finds an edited card: a similar text among the notes its own note was. A card of
another note is never taken, however alike. Each scenario ends with `doctor` clean on A and
B, every answer once on every side and one phone note per card."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

from support.notes import write_note
from support.syncserver import anki_guids as guids, synced


def logged(cli, path) -> list[tuple[str, str, str]]:
    """(front, rating, time) of every answer in the collection's log."""
    fronts = {c["id"]: c["front"] for c in cli("--collection", path, "list", "--json").json}
    return sorted((fronts.get(e["card"], f"orphan {e['card']}"), e["rating"], e["time"])
                  for e in cli("--collection", path, "log", "--limit", "0", "--json").json)


def imported_synced(cli, path, vault, server, phone_at):
    """`vault` imported into the collection at `path` and synced, and a phone synced after:
    the phone."""
    assert cli("--collection", path, "import", vault).code == 0
    synced(cli, path, server)
    phone = phone_at()
    phone.sync()
    return phone


def phone_notes(phone) -> list[str]:
    """The phone's notes' Front fields (Text of a cloze), sorted."""
    return sorted(flds.split("\x1f")[0] for flds in phone.col.db.list("SELECT flds FROM notes"))


def copied_over(source, target) -> None:
    """`target` made a copy of `source`, as a file sync (Syncthing, a copy) leaves it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)


def everyone_synced(cli, phone, server, *paths) -> None:
    for path in (*paths, *paths):
        synced(cli, path, server)
        phone.sync()


def doctor_clean(cli, *paths) -> None:
    for path in paths:
        result = cli("--collection", path, "doctor")
        assert result.code == 0 and "no problems found" in result.out, result.out


GEO = "#flashcards/geo\n\nCapital of France::Paris\n\nCapital of Peru::Lima\n"
RIVERS = "#flashcards/geo\n\nLongest river in France::Loire\n"
DESERTS = "#flashcards/geo\n\nLargest hot desert::Sahara\n"


def test_notes_moved_and_edited_on_b_before_its_first_sync_keep_the_phones_notes(
        cli, tmp_path, server, sync_env, phone_at, monkeypatch):
    vault, a, b = tmp_path / "vault", tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_note(vault, "europe/Capitals.md", GEO)
    write_note(vault, "Rivers.md", RIVERS)
    write_note(vault, "africa/Deserts.md", DESERTS)
    phone = imported_synced(cli, a, vault, server, phone_at)
    assert len(phone.answer(4, ease=3)) == 4
    phone.sync()
    synced(cli, a, server)
    assert len(logged(cli, a)) == 4

    # B: the vault copied, then on B (before B's first sync)
    vault_b = tmp_path / "vault-b"
    copied_over(vault, vault_b)
    (vault_b / "europe/Capitals.md").unlink()  # moved and renamed, one card edited
    write_note(vault_b, "World capitals.md", "#flashcards/geo\n\nCapital of France::Paris,"
                                             " on the Seine\n\nCapital of Peru::Lima\n")
    write_note(vault_b, "Rivers.md", "#flashcards/geo\n\nLongest river of France::the Loire\n")
    (vault_b / "africa/Deserts.md").unlink()  # moved, its only card edited
    write_note(vault_b, "Deserts.md", "#flashcards/geo\n\nLargest hot desert::the Sahara\n")
    assert cli("--collection", b, "import", vault_b).code == 0
    synced(cli, b, server)
    phone.sync()
    assert phone_notes(phone) == ["<p>Capital of France</p>", "<p>Capital of Peru</p>",
                                  "<p>Largest hot desert</p>", "<p>Longest river of France</p>"]
    # the phone's answers to A's notes are B's cards' answers
    assert [front for front, _rating, _time in logged(cli, b)] == [
        "Capital of France", "Capital of Peru", "Largest hot desert", "Longest river of France"]
    assert set(guids(b).values()) == set(guids(a).values())

    # life goes on: B answers two days on (its clock), the phone answers (today's), the
    # vault reaches A (a file sync)
    cards_b = {c["front"]: c["id"] for c in cli("--collection", b, "list", "--json").json}
    later = datetime.now(timezone.utc) + timedelta(days=2)
    monkeypatch.setenv("FLASHDECK_NOW", later.isoformat(timespec="seconds"))
    assert cli("--collection", b, "answer", cards_b["Largest hot desert"], "hard").code == 0
    synced(cli, b, server)
    monkeypatch.delenv("FLASHDECK_NOW")
    phone.sync()
    assert len(phone.answer(2, ease=3)) == 2
    phone.sync()
    copied_over(vault_b, vault)
    assert cli("--collection", a, "import", vault).code == 0
    everyone_synced(cli, phone, server, a, b)

    assert len(phone_notes(phone)) == 4
    assert phone.revlog() == 7
    history = logged(cli, a)
    assert len(history) == 7 and logged(cli, b) == history
    assert guids(a) and set(guids(b).values()) == set(guids(a).values())
    doctor_clean(cli, a, b)


def test_two_notes_whose_cards_differ_only_slightly_stay_apart(
        cli, tmp_path, server, sync_env, phone_at):
    """Each card takes the note of its own note, never the other's, though the other's is
    the more alike; a new note's card, close to a deleted note's, takes none, in another
    folder or in the same one (the vault's root)."""
    vault, a, b = tmp_path / "vault", tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_note(vault, "europe/Capitals.md", "#flashcards/geo\n\nCapital of France::Paris\n")
    write_note(vault, "quiz/Capitals quiz.md",
               "#flashcards/geo\n\nCapital of France::Paris, France\n")
    write_note(vault, "c/Rivers.md", "#flashcards/geo\n\nLongest river in France::Loire\n")
    write_note(vault, "Deserts.md", DESERTS)
    assert cli("--collection", a, "import", vault).code == 0
    synced(cli, a, server)
    of_a = {(c["note"].rsplit("/", 1)[-1], c["back"]): guids(a)[c["id"]]
            for c in cli("--collection", a, "list", "--json").json}

    vault_b = tmp_path / "vault-b"
    copied_over(vault, vault_b)
    # one moved, one edited in place: each now reads more like the other's old card
    (vault_b / "europe/Capitals.md").unlink()
    write_note(vault_b, "geo/Capitals.md",
               "#flashcards/geo\n\nCapital of France::Paris, France!\n")
    write_note(vault_b, "quiz/Capitals quiz.md", "#flashcards/geo\n\nCapital of France::Paris."
                                                  "\n\nCapital of Spain::Madrid\n")
    # notes deleted, and new ones elsewhere and beside them with a card close to theirs
    (vault_b / "c/Rivers.md").unlink()
    write_note(vault_b, "d/Quiz.md", "#flashcards/geo\n\nLongest river in France::Loire!\n")
    (vault_b / "Deserts.md").unlink()
    write_note(vault_b, "Sahara.md", "#flashcards/geo\n\nLargest hot desert::Sahara!\n")
    assert cli("--collection", b, "import", vault_b).code == 0
    synced(cli, b, server)
    of_b = {(c["note"].rsplit("/", 1)[-1], c["back"]): guids(b)[c["id"]]
            for c in cli("--collection", b, "list", "--json").json}
    assert of_b["Capitals.md", "Paris, France!"] == of_a["Capitals.md", "Paris"]
    assert of_b["Capitals quiz.md", "Paris."] == of_a["Capitals quiz.md", "Paris, France"]
    for new in (("Capitals quiz.md", "Madrid"), ("Quiz.md", "Loire!"), ("Sahara.md", "Sahara!")):
        assert of_b[new] not in of_a.values()
    phone = phone_at()
    phone.sync()
    # B's five cards, and A's river and desert cards (A's: their notes are in A's vault)
    assert len(phone_notes(phone)) == 7
    assert len(phone.answer(7, ease=3)) == 7
    phone.sync()
    everyone_synced(cli, phone, server, b, a)
    assert len(logged(cli, b)) == 5 and len(logged(cli, a)) == 4
    doctor_clean(cli, a, b)


def test_cards_edited_on_a_after_the_phone_answered_them_still_get_its_answers(
        cli, tmp_path, server, sync_env, phone_at):
    vault, a = tmp_path / "vault", tmp_path / "a.sqlite"
    write_note(vault, "Capitals.md", GEO)
    phone = imported_synced(cli, a, vault, server, phone_at)
    answered = phone.answer(1, ease=3)
    phone.sync()
    synced(cli, a, server)
    before = guids(a)

    write_note(vault, "Capitals.md", "#flashcards/geo\n\nCapital of France::Paris (since 508)"
                                     "\n\nCapital of Peru::Lima (since 1535)\n")
    assert cli("--collection", a, "import", vault).code == 0
    assert guids(a) == before
    # the phone answers before it learns of the edit, then after
    answered += phone.answer(1, ease=3)
    synced(cli, a, server)
    phone.sync()
    assert phone_notes(phone) == ["<p>Capital of France</p>", "<p>Capital of Peru</p>"]
    backs = sorted(flds.split("\x1f")[1] for flds in phone.col.db.list("SELECT flds FROM notes"))
    assert backs == ["<p>Lima (since 1535)</p>", "<p>Paris (since 508)</p>"]
    answered += phone.answer(2, ease=3)
    phone.sync()
    synced(cli, a, server)
    assert [(front, rating) for front, rating, _ in logged(cli, a)] == \
        sorted((front[3:-4], "good") for front in answered)
    assert phone.revlog() == 4
    doctor_clean(cli, a)


def test_a_card_deleted_on_a_while_the_phone_answers_it_keeps_the_answer(
        cli, tmp_path, server, sync_env, phone_at):
    vault, a = tmp_path / "vault", tmp_path / "a.sqlite"
    write_note(vault, "Capitals.md", GEO)
    phone = imported_synced(cli, a, vault, server, phone_at)

    write_note(vault, "Capitals.md", "#flashcards/geo\n\nCapital of Peru::Lima\n")
    assert cli("--collection", a, "import", vault).code == 0
    synced(cli, a, server)  # France's Anki note removed on the server
    assert phone.answer(1, ease=3) == ["<p>Capital of France</p>"]  # not synced yet
    phone.sync()
    result = synced(cli, a, server)
    assert "1 review from Anki" in result.out
    phone.sync()
    assert phone_notes(phone) == ["<p>Capital of Peru</p>"]
    entries = cli("--collection", a, "log", "--limit", "0", "--json").json
    assert [e["rating"] for e in entries] == ["good"]
    # kept with France's card, hidden with its history; back when the card is
    write_note(vault, "Capitals.md", GEO)
    assert cli("--collection", a, "import", vault).code == 0
    assert logged(cli, a)[0][:2] == ("Capital of France", "good")
    synced(cli, a, server)
    phone.sync()
    assert phone_notes(phone) == ["<p>Capital of France</p>", "<p>Capital of Peru</p>"]
    assert phone.revlog() == 1
    doctor_clean(cli, a)


F1 = ("---\ntags: [flashcards/ml]\n---\n\n"
      "Which mean does F1 take?::The harmonic mean of precision and recall\n")


def test_a_moved_notes_exercises_keep_their_phone_notes(
        cli, tmp_path, server, sync_env, phone_at):
    """An exercise's fields are drawn from its GUID and its number of answers: B draws them
    with each candidate note's GUID, and the phone's answers given since A drew them."""
    vault, a, b = tmp_path / "vault", tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_note(vault, "ml/F1 Score.md", F1)
    assert cli("--collection", a, "import", vault).code == 0
    kinds = sorted(c["kind"] for c in cli("--collection", a, "list", "--json").json)
    assert kinds == ["basic", "exercise", "exercise"]
    synced(cli, a, server)
    phone = phone_at()
    phone.sync()
    assert len(phone.answer(3, ease=3)) == 3
    phone.sync()  # A has not seen these answers: its notes were drawn before them

    vault_b = tmp_path / "vault-b"
    copied_over(vault, vault_b)
    (vault_b / "ml/F1 Score.md").unlink()
    write_note(vault_b, "metrics/F1 Score.md", F1.replace("precision and recall", "P and R"))
    assert cli("--collection", b, "import", vault_b).code == 0
    synced(cli, b, server)
    phone.sync()
    assert len(phone_notes(phone)) == 3
    assert set(guids(b).values()) == set(guids(a).values())
    assert len(logged(cli, b)) == 3

    copied_over(vault_b, vault)
    assert cli("--collection", a, "import", vault).code == 0
    everyone_synced(cli, phone, server, a, b)
    assert len(phone_notes(phone)) == 3 and phone.revlog() == 3
    assert logged(cli, a) == logged(cli, b) and len(logged(cli, a)) == 3
    doctor_clean(cli, a, b)


def test_a_question_whose_answer_b_rewrote_keeps_its_phone_note(
        cli, tmp_path, server, sync_env, phone_at):
    """The answer rewritten where the question stands, so unlike the old one that
    similarity alone would not take it: the same front, one of its note's path."""
    vault, a, b = tmp_path / "vault", tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    sky = "#flashcards/physics\n\nWhy is the sky blue?::{}\n\nWhy is the sea salty?::Rivers\n"
    write_note(vault, "Sky.md", sky.format("Rayleigh scattering of sunlight by air molecules"))
    phone = imported_synced(cli, a, vault, server, phone_at)
    assert phone.answer(1, ease=3) == ["<p>Why is the sky blue?</p>"]
    phone.sync()

    vault_b = tmp_path / "vault-b"
    copied_over(vault, vault_b)
    write_note(vault_b, "Sky.md", sky.format(
        "Shorter wavelengths bounce off the gas of the atmosphere far more"))
    assert cli("--collection", b, "import", vault_b).code == 0
    synced(cli, b, server)
    phone.sync()
    assert phone_notes(phone) == ["<p>Why is the sea salty?</p>", "<p>Why is the sky blue?</p>"]
    assert [front for front, _rating, _time in logged(cli, b)] == ["Why is the sky blue?"]
    copied_over(vault_b, vault)
    assert cli("--collection", a, "import", vault).code == 0
    everyone_synced(cli, phone, server, a, b)
    assert len(phone_notes(phone)) == 2
    assert logged(cli, a) == logged(cli, b) and len(logged(cli, a)) == 1
    doctor_clean(cli, a, b)
