"""Ways of studying on the phone that are not answers of the schedule: a filtered deck
with rescheduling off (Anki's "preview") logs answers Anki itself leaves out of the
card's schedule and of FSRS; flashdeck leaves them out too."""

from __future__ import annotations

from support.notes import write_note

NOTE = """---
tags: [flashcards/chem]
---
# Moles

Avogadro's number::$6.022 \\times 10^{23}$ per mole

Molar mass of water::about $18$ g/mol

A mole of gas at STP fills about ==22.4 litres==.
"""


def sync(cli, path, server):
    return cli("--collection", path, "sync", "--endpoint", server.endpoint, "--user",
               server.user)


def preview_deck(phone, resched: bool) -> int:
    """A filtered deck of every flashdeck card (Anki's custom study), selected."""
    col = phone.col
    did = col.decks.new_filtered("Preview")
    deck = col.decks.get(did)
    deck["resched"] = resched
    deck["terms"] = [["deck:flashcards*", 100, 0]]
    col.decks.save(deck)
    col.sched.rebuild_filtered_deck(did)
    col.decks.select(did)
    return did


def _first_card_in_a_filtered_deck(cli, tmp_path, server, phone_at, resched: bool):
    """A vault imported and synced to the phone, where Anki's custom study (resched or
    only previewing) serves its first card: (collection, phone, deck id, the card, timed)."""
    write_note(tmp_path / "vault", "Moles.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    assert sync(cli, a, server).code == 0
    phone = phone_at()
    phone.sync()
    did = preview_deck(phone, resched=resched)
    card = phone.col.sched.getCard()
    card.start_timer()
    return a, phone, did, card


def test_previewed_on_the_phone_is_not_a_review(cli, tmp_path, server, sync_env, phone_at):
    a, phone, did, card = _first_card_in_a_filtered_deck(cli, tmp_path, server, phone_at,
                                                         resched=False)
    phone.col.sched.answerCard(card, 4)  # easy, while only previewing
    assert phone.col.get_card(card.id).type == 0  # Anki: still a new card
    phone.col.sched.empty_filtered_deck(did)
    phone.sync()
    assert phone.revlog() == 1

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "0 reviews from Anki" in result.out
    assert cli("--collection", a, "log", "--limit", "0", "--json").json == []
    assert {c["state"] for c in cli("--collection", a, "list", "--json").json} == {"new"}
    assert cli("--collection", a, "doctor").code == 0
    phone.sync()
    assert phone.col.get_card(card.id).type == 0  # and the phone's card stays new


def test_a_rescheduling_filtered_deck_answer_is_a_review(cli, tmp_path, server, sync_env,
                                                         phone_at):
    a, phone, did, card = _first_card_in_a_filtered_deck(cli, tmp_path, server, phone_at,
                                                         resched=True)
    phone.col.sched.answerCard(card, 4)
    phone.col.sched.empty_filtered_deck(did)
    phone.sync()
    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "1 review from Anki" in result.out
    history = cli("--collection", a, "log", "--limit", "0", "--json").json
    assert [r["rating"] for r in history] == ["easy"]
    assert cli("--collection", a, "doctor").code == 0


def anki_problems(phone) -> str:
    """What Anki's Check Database fixes (nothing, for a sound collection)."""
    text, _ = phone.col.fix_integrity()
    return text.replace("\u2068", "").replace("\u2069", "")


def test_synced_mid_custom_study_the_phone_stays_sound(cli, tmp_path, server, sync_env,
                                                      phone_at):
    """The phone syncs with cards in a filtered deck: the cards flashdeck leaves as they
    are stay in it; a card whose state flashdeck changes goes home whole, as Anki empties
    a filtered deck, never half in one deck and half in another."""
    a, phone, did, card = _first_card_in_a_filtered_deck(cli, tmp_path, server, phone_at,
                                                         resched=True)
    phone.col.sched.answerCard(card, 3)
    phone.sync()
    # and flashdeck answers another card meanwhile
    other = next(c for c in cli("--collection", a, "list", "--json").json
                 if f"Moles.md:{c['line']}" != card.note().fields[2])
    assert cli("--collection", a, "answer", other["id"], "good").code == 0

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "1 review from Anki, 1 to Anki" in result.out
    phone.sync()
    assert "invalid" not in anki_problems(phone)
    rows = phone.col.db.all("SELECT did, odid FROM cards")
    assert all((odid == 0) == (did_ != did) for did_, odid in rows), rows
    assert cli("--collection", a, "doctor").code == 0
    assert "0 reviews from Anki, 0 to Anki" in sync(cli, a, server).out


def phone_queue(phone, source: str) -> int:
    return phone.col.db.scalar(
        "SELECT c.queue FROM cards c JOIN notes n ON n.id = c.nid WHERE n.flds LIKE ?",
        f"%\x1f{source}")


def test_a_bury_on_either_side_holds_on_the_other(cli, tmp_path, server, sync_env, phone_at):
    write_note(tmp_path / "vault", "Moles.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    cards = sorted(cli("--collection", a, "list", "--json").json, key=lambda c: c["line"])
    here, there = (f"Moles.md:{c['line']}" for c in cards[:2])
    assert cli("--collection", a, "bury", cards[0]["id"]).code == 0  # hidden until tomorrow
    assert sync(cli, a, server).code == 0
    phone = phone_at()
    phone.sync()
    assert phone_queue(phone, here) == -3  # buried on the phone too
    phone.col.decks.select(phone.col.decks.id("flashcards::chem"))
    served = set()
    while (card := phone.col.sched.getCard()) is not None and card.id not in served:
        served.add(card.id)
        phone.col.sched.buryCards([card.id])  # the phone buries what it is shown
    assert here not in {phone.col.get_card(cid).note().fields[2] for cid in served}
    assert there in {phone.col.get_card(cid).note().fields[2] for cid in served}
    phone.sync()

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    phone.sync()
    assert phone_queue(phone, there) == -3  # the phone's bury was not undone
    assert phone.col.sched.getCard() is None
    assert cli("--collection", a, "doctor").code == 0


def test_a_reset_or_a_due_date_set_on_the_phone_is_not_put_back_in_silence(cli, tmp_path,
                                                                         server, sync_env,
                                                                         phone_at):
    """Anki's "Forget" and "Set due date" log no answer: flashdeck, which schedules a card
    from its answers, gave the cards their schedules back at the next sync and said nothing
    (the phone's reset was undone in silence). The sync now says which cards and why, once;
    the review log and every schedule stay flashdeck's."""
    write_note(tmp_path / "vault", "Moles.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    cards = cli("--collection", a, "list", "--json").json
    for card in cards:
        assert cli("--collection", a, "answer", card["id"], "easy").code == 0
    before = cli("--collection", a, "list", "--json").json
    assert sync(cli, a, server).code == 0
    phone = phone_at()
    phone.sync()
    by_front = {phone.col.get_card(cid).note().fields[0]: cid
                for cid in phone.col.db.list("SELECT id FROM cards")}
    avogadro = next(cid for front, cid in by_front.items() if "Avogadro" in front)
    water = next(cid for front, cid in by_front.items() if "Molar mass" in front)
    phone.col.sched.schedule_cards_as_new([avogadro], restore_position=True, reset_counts=True)
    phone.col.sched.set_due_date([water], "30")
    phone.sync()

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    ids = {c["front"]: c["id"] for c in cards}
    said = " ".join(result.err.split())
    assert "2 cards were reset (Forget) or given a due date in Anki" in said
    for front in ("Avogadro's number", "Molar mass of water"):
        assert f"card {ids[front]} ({front})" in said
    assert "keep flashdeck's schedule" in said
    assert cli("--collection", a, "list", "--json").json == before
    assert len(cli("--collection", a, "log", "--limit", "0", "--json").json) == 3
    assert cli("--collection", a, "doctor").code == 0

    again = sync(cli, a, server)  # told once
    assert again.code == 0 and "warning" not in again.err
    phone.sync()
    assert phone.col.get_card(avogadro).type == 2  # flashdeck's schedule, back on the phone
    assert phone.col.get_card(water).due != phone.col.sched.today + 30
