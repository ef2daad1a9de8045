"""`export anki` into a plain Anki collection; and two devices answering the same card:
both answers count, in time order, and the card's state is the replay of both."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from support.notes import write_note

NOTE = """---
tags: [flashcards/geometry]
summary: The ratio of a circle's circumference to its diameter.
---
# Pi

$$C = \\pi d$$

Pi to two decimals::$3.14$

Area of a circle of radius $r$::$\\pi r^2$
"""


def answer(cli, path, rating="good", count=1) -> list[int]:
    ids = []
    for _ in range(count):
        card = cli("--collection", path, "next", "--json").json["card"]
        assert cli("--collection", path, "answer", card["id"], rating).code == 0
        ids.append(card["id"])
    return ids


@contextmanager
def anki_with(tmp_path, package, deck_configs: bool = False):
    """A fresh Anki collection with `package` imported, schedules included (and the deck
    presets, `deck_configs`), as a user moving to Anki imports it; closed after."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    (tmp_path / "anki").mkdir()
    anki = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        anki.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=deck_configs)))
        yield anki
    finally:
        anki.close()


def test_export_imports_into_anki_with_schedules_and_history(cli, tmp_path):
    write_note(tmp_path / "vault", "Pi.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    reviewed = answer(cli, path, "easy", 2)  # review cards, due in days
    cards = cli("--collection", path, "list", "--json").json
    out = tmp_path / "pi.apkg"
    result = cli("--collection", path, "export", "anki", out)
    assert result.code == 0, result.err
    assert f"{len(cards)} cards, 2 reviews" in result.out

    with anki_with(tmp_path, out, deck_configs=True) as anki:
        assert anki.card_count() == len(cards)
        assert anki.db.scalar("SELECT count() FROM revlog WHERE ease = 4") == 2
        review = anki.db.all("SELECT type, queue, ivl, data FROM cards WHERE type = 2")
        assert len(review) == len(reviewed)
        for ctype, queue, ivl, data in review:
            assert queue == 2 and ivl >= 1 and "s" in json.loads(data)  # FSRS memory state
        assert anki.decks.by_name("flashcards::geometry") is not None
        preset = next(c for c in anki.decks.all_config() if c["name"] == "flashdeck")
        assert len(preset["fsrsParams6"]) == 21
        fields = "\n".join(row[0] for row in anki.db.all("SELECT flds FROM notes"))
        assert "\\[C = \\pi d\\]" in fields and "\\(\\pi r^2\\)" in fields


def test_an_export_writes_through_a_temp_file_of_its_own_and_leaves_none(cli, tmp_path):
    """Every export wrote through `NAME.apkg.tmp`: two at once shared it, and one killed
    half way left it beside the package for good. Now each has its own, and the next
    export clears one a killed export left (a day old); another export's, fresh, stays."""
    import os
    import time

    write_note(tmp_path / "vault", "Pi.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    out = tmp_path / "out" / "pi.apkg"
    out.parent.mkdir()
    killed = out.parent / ".pi.apkg.4242-deadbeef.tmp"
    running = out.parent / ".pi.apkg.4343-cafef00d.tmp"
    for temp in (killed, running):
        temp.write_bytes(b"PK half a package")
    old = time.time() - 2 * 86400
    os.utime(killed, (old, old))
    result = cli("--collection", path, "export", "anki", out)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.parent.iterdir()) == [".pi.apkg.4343-cafef00d.tmp",
                                                            "pi.apkg"]
    with anki_with(tmp_path, out) as anki:
        assert anki.card_count() > 0


def test_export_names_a_bad_file(cli, tmp_path):
    write_note(tmp_path / "vault", "Pi.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    result = cli("--collection", path, "export", "anki", tmp_path / "pi.txt")
    assert result.code == 2 and ".apkg" in result.err
    result = cli("--collection", path, "export", "anki", tmp_path / "no" / "pi.apkg")
    assert result.code == 2 and "no folder" in result.err


def _damage(path, sql: str, params=()) -> None:
    """A card row damaged past SQLite's checks (a bad page, a hand edit)."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = 1")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_export_leaves_out_a_damaged_card_names_it_and_exports_the_rest(cli, tmp_path):
    """A card row damaged past SQLite's checks made `export anki` print "internal error:
    TypeError: must be real number, not str" and write nothing. Now each damaged card is
    one line naming it, the value and what fixes it (the wording of `answer` and `info`),
    the rest is exported, and the exit code says some input failed (1)."""
    write_note(tmp_path / "vault", "Pi.md", NOTE)
    write_note(tmp_path / "vault", "Tau.md", NOTE.replace("Pi", "Tau").replace(
        "its diameter", "its radius").replace("\\pi d", "\\tau r"))
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    reviewed = answer(cli, path, "easy", 2)
    learning = answer(cli, path, "good")[0]  # on a learning step
    cards = cli("--collection", path, "list", "--json").json
    fresh = next(c["id"] for c in cards if c["id"] not in (*reviewed, learning))
    _damage(path, "UPDATE cards SET stability = 'NaN' WHERE id = ?", (reviewed[0],))
    _damage(path, "UPDATE cards SET due = NULL WHERE id = ?", (learning,))
    _damage(path, "UPDATE cards SET due = 'soon' WHERE id = ?", (fresh,))
    out = tmp_path / "pi.apkg"
    result = cli("--collection", path, "export", "anki", out)
    assert result.code == 1, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    fix = "`flashdeck doctor --fix` sets it from its review log (left out of the package)"
    assert result.err.splitlines() == [
        f"card {reviewed[0]}: its stored schedule is damaged (stability = 'NaN'); {fix}",
        f"card {learning}: its stored schedule is damaged (due = None for a learning card);"
        f" {fix}",
        f"card {fresh}: its stored schedule is damaged (due = 'soon'); {fix}",
    ]
    assert f"{len(cards) - 3} cards, 1 review (3 damaged cards left out)." in result.out
    with anki_with(tmp_path, out, deck_configs=True) as anki:
        assert anki.card_count() == len(cards) - 3
        assert anki.db.scalar("SELECT count() FROM revlog") == 1
    # what the lines say fixes it does: then every card goes
    fixed = cli("--collection", path, "doctor", "--fix")
    assert fixed.code == 0, fixed.out + fixed.err
    assert all(f"fixed: card {c}:" in fixed.out for c in (reviewed[0], learning, fresh))
    again = cli("--collection", path, "export", "anki", out)
    assert again.code == 0 and again.err == ""
    assert f"{len(cards)} cards, 3 reviews." in again.out


def test_export_names_a_card_whose_state_is_past_the_schema_s_check(cli, tmp_path):
    write_note(tmp_path / "vault", "Pi.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    card = answer(cli, path, "easy")[0]
    _damage(path, "UPDATE cards SET state = 'bogus' WHERE id = ?", (card,))
    result = cli("--collection", path, "export", "anki", tmp_path / "pi.apkg")
    assert result.code == 1
    assert result.err == (f"card {card}: its stored schedule is damaged (state = 'bogus');"
                          " `flashdeck doctor --fix` sets it from its review log (left out of"
                          " the package)\n")
    # and `doctor --fix` does
    assert cli("--collection", path, "doctor", "--fix").code == 0
    assert cli("--collection", path, "export", "anki", tmp_path / "pi.apkg").code == 0


def test_two_devices_answer_one_card_both_count_in_time_order(cli, tmp_path, server,
                                                              sync_env, phone_at,
                                                              monkeypatch):
    write_note(tmp_path / "vault", "Pi.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    assert cli(*args).code == 0
    phone = phone_at()
    phone.sync()
    # the phone answers a card (offline) now; flashdeck answers the same card an hour
    # later and syncs before the phone does
    phone.col.decks.select(phone.col.decks.id("flashcards::geometry"))
    card = phone.col.sched.getCard()
    phone.col.sched.answerCard(card, 1)
    source = card.note().fields[2]  # the note and line: "Pi.md:12"
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
    monkeypatch.setenv("FLASHDECK_NOW", later.isoformat())
    a_cards = cli("--collection", a, "list", "--json").json
    same = next(c["id"] for c in a_cards if c["note"].endswith("/Pi.md")
                and f"Pi.md:{c['line']}" == source)
    assert cli("--collection", a, "answer", same, "good").code == 0
    assert cli(*args).code == 0
    phone.sync()
    result = cli(*args)
    assert result.code == 0, result.err
    assert "1 review from Anki" in result.out
    history = [r for r in cli("--collection", a, "log", "--limit", "0", "--json").json
               if r["card"] == same]
    assert [r["rating"] for r in sorted(history, key=lambda r: r["time"])] == ["again", "good"]
    assert [r["rating"] for r in sorted(history, key=lambda r: r["id"])] == ["again", "good"]
    assert cli("--collection", a, "doctor").code == 0
    phone.sync()
    assert phone.revlog() == 2
    assert "0 reviews from Anki, 0 to Anki" in cli(*args).out


def test_an_evening_answers_interval_in_anki_history_counts_scheduling_days(
        cli, tmp_path, monkeypatch):
    """The revlog interval Anki's stats read (young/mature at 21 days): answered at 20:00, a
    card due 21 scheduling days later at 04:00 waited 20 days and 8 hours; Anki counts 21,
    as the card's own interval says (it was logged as 20, and 8 days as 7). Fuzz off: the
    first interval is FSRS's own 8 days, not one draw of the fuzz."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    config = tmp_path / "config.toml"
    config.write_text("maximum_interval = 21\nfuzz = false\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    write_note(tmp_path / "vault", "Pi.md", "#flashcards\n\nPi to two decimals::3.14\n")
    path = tmp_path / "c.sqlite"

    def at(when, *args):
        monkeypatch.setenv("FLASHDECK_NOW", when)
        return cli("--collection", path, *args)

    assert at("2026-10-01T20:00:00+02:00", "import", tmp_path / "vault").code == 0
    card = str(at("2026-10-01T20:00:00+02:00", "list", "--json").json[0]["id"])
    first = at("2026-10-01T20:00:00+02:00", "answer", card, "easy", "--json").json
    assert first["due"] == "2026-10-09T04:00:00+02:00"
    second = at("2026-10-10T20:00:00+02:00", "answer", card, "easy", "--json").json
    assert second["due"][:10] == "2026-10-31"  # the maximum interval, 21 days
    out = tmp_path / "pi.apkg"
    assert at("2026-10-10T20:00:00+02:00", "export", "anki", out).code == 0

    with anki_with(tmp_path, out) as anki:
        assert anki.db.list("SELECT ivl FROM revlog ORDER BY id") == [8, 21]
        assert anki.db.list("SELECT lastIvl FROM revlog ORDER BY id")[1] == 8
        assert anki.db.list("SELECT ivl FROM cards") == [21]


def test_exported_reviews_keep_growing_in_an_anki_without_fsrs(cli, tmp_path):
    """Anki's own scheduler (FSRS off: Anki's default) reads a review card's ease: the
    package gave 0, so every answer grew the interval by one day (9 days -> good 11)."""
    write_note(tmp_path / "vault", "Pi.md", NOTE)
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", tmp_path / "vault").code == 0
    answer(cli, path, "easy", 2)
    out = tmp_path / "pi.apkg"
    result = cli("--collection", path, "export", "anki", out)
    assert result.code == 0
    assert "turn FSRS on" in result.out  # the package cannot turn it on in the user's Anki

    with anki_with(tmp_path, out) as anki:
        assert not anki.get_config("fsrs", False)
        reviews = anki.db.list("SELECT id FROM cards WHERE type = 2")
        assert len(reviews) == 2
        for cid in reviews:
            card = anki.get_card(cid)
            assert card.factor == 2500
            good = anki._backend.get_scheduling_states(cid).good.normal.review
            assert good.scheduled_days >= 2 * card.ivl and good.ease_factor == 2.5
