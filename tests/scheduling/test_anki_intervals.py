"""The days on the answer buttons are the days Anki's own scheduler (FSRS on) would give:
drawn within Anki's fuzz range for the FSRS interval, never fuzzed below the interval the
card had, and Easy on a (re)learning card at least a day after Good's graduation.

Checked against the `anki` package's scheduler by a differential run (thousands of answers
over simulated months, Berlin and New York, DST nights, answers around 04:00); these tests
pin what a user sees on real collections in tmp. At desired retention 0.9 FSRS's interval in
days is the card's stability after the answer, so the range is known from the preview."""

from __future__ import annotations

import json
import math
from datetime import timedelta

from support.clock import T0, Clock
from support.notes import write_note
from flashdeck.collection.store import Collection
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.engine import Engine


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))


def anki_range(interval: float, minimum: int, maximum: int = 36500) -> tuple[int, int]:
    """Anki's constrained_fuzz_bounds (rslib/src/scheduler/states/fuzz.rs): 1 day, plus 15 %
    of the days from 2.5 to 7, 10 % of those from 7 to 20 and 5 % of those past 20, either
    side; nothing under 2.5 days; within [minimum, maximum]; a range of one day above 2
    widened by a day."""
    minimum = min(minimum, maximum)
    interval = min(max(interval, minimum), maximum)
    delta = 0.0
    if interval >= 2.5:
        delta = (1 + 0.15 * (min(interval, 7) - 2.5) + 0.1 * max(min(interval, 20) - 7, 0)
                 + 0.05 * max(interval - 20, 0))
    low = min(max(_round(interval - delta), minimum), maximum)
    high = min(max(_round(interval + delta), minimum), maximum)
    if low == high and 2 < high < maximum:
        high = low + 1
    return low, high


def previous_floor(interval: float, previous: int) -> int:
    """Anki's minimum_review_fuzz_interval: a grown interval is not fuzzed to the one the
    card had or below; one that did not grow much, not below it."""
    if _round(interval) > previous:
        return previous + 1
    if previous <= anki_range(interval, 1)[1]:
        return previous
    return 0


def _vault(tmp_path, cards: int):
    vault = tmp_path / "vault"
    write_note(vault, "words.md", "#flashcards\n\n" + "".join(
        f"Word {i}::Meaning {i}\n\n" for i in range(cards)))
    return vault


def test_review_buttons_stay_within_ankis_fuzz_range(tmp_path, cli, monkeypatch):
    """Forty cards learnt on one morning and reviewed as they fall due, two rounds: every
    Hard, Good and Easy button shows a number of days Anki could show for that card. fsrs's
    own fuzz drew from a range rounded first and a day past its top (11 days on Hard for an
    FSRS interval of 7.5, where Anki keeps to 6-9), and could give a grown interval back
    shorter than the card had."""
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())
    col_path = tmp_path / "c.sqlite"
    assert cli("--collection", col_path, "import", _vault(tmp_path, 40)).code == 0
    clock = Clock(T0)
    col = Collection.open(col_path)
    engine = Engine(col, Config(new_per_day=100), now=clock)
    ids = [row["id"] for row in col.conn.execute("SELECT id FROM cards ORDER BY id")]
    for card_id in ids:  # Good, Good 10 minutes later: review cards
        engine.answer(card_id, 3)
    clock.advance(minutes=11)
    for card_id in ids:
        engine.answer(card_id, 3)
    checked = 0
    for _ in range(2):
        for card_id in ids:
            row = col.conn.execute("SELECT due, last_review FROM cards WHERE id = ?",
                                   (card_id,)).fetchone()
            clock.moment = max(clock.moment, T0.fromtimestamp(row["due"], T0.tzinfo)
                               + timedelta(hours=5))
            previous = engine.interval("review", T0.fromtimestamp(row["due"], T0.tzinfo),
                                       T0.fromtimestamp(row["last_review"], T0.tzinfo)).days
            previews = engine.previews(card_id)
            lower = 0
            for word in ("hard", "good", "easy"):
                preview = previews[word]
                days = preview.interval.days
                interval = preview.columns["stability"]  # FSRS's days at retention 0.9
                low, high = anki_range(interval, max(previous_floor(interval, previous),
                                                     lower + 1))
                assert low <= days <= high, (card_id, word, interval, previous, days)
                assert preview.label == f"{days}d" or days >= 30
                lower = days
                checked += 1
            engine.answer(card_id, 3)
            assert col.conn.execute("SELECT due FROM cards WHERE id = ?", (card_id,)
                                    ).fetchone()["due"] == int(previews["good"].due.timestamp())
    assert checked == 240
    col.close()


def test_easy_on_a_learning_card_is_a_day_after_goods_graduation(tmp_path, cli, monkeypatch):
    """A new card answered Again, then Easy two minutes later: Anki gives Easy at least a
    day more than Good would have graduated to (1 day here), so 2 days; the button said 1d
    and the card came back tomorrow."""
    monkeypatch.setenv("FLASHDECK_NOW", T0.isoformat())
    col = tmp_path / "c.sqlite"
    write_note(tmp_path / "vault", "one.md", "#flashcards\n\nOsmosis::water through a membrane\n")
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    card = cli("--collection", col, "next", "--json").json["card"]["id"]
    assert cli("--collection", col, "answer", card, "again").code == 0
    monkeypatch.setenv("FLASHDECK_NOW", (T0 + timedelta(minutes=2)).isoformat())
    shown = cli("--collection", col, "next", "--json").json
    assert shown["card"]["id"] == card
    assert shown["previews"]["good"]["interval"] == "10m"
    assert shown["previews"]["easy"]["interval"] == "2d"
    out = cli("--collection", col, "answer", card, "easy", "--json")
    assert out.code == 0
    info = json.loads(cli("--collection", col, "info", card, "--json").out)
    assert info["due"].startswith((T0 + timedelta(days=2)).strftime("%Y-%m-%d"))


def test_no_learning_ahead_into_tomorrows_scheduling_day(tmp_path, cli, monkeypatch):
    """A 10-minute step given at 03:52 ends at 04:02, in the next scheduling day (Anki makes
    it a day-learn card, shown after the rollover). At 03:53 `next` showed it anyway
    (learn ahead, 20 minutes) while its own counts, `due` and `list --due` said nothing was
    left; answered then, it graduated from yesterday. Now it waits for the day it ends in,
    and 20 minutes ahead within the day still works."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(tmp_path / "none.toml"))
    col = tmp_path / "c.sqlite"
    write_note(tmp_path / "vault", "one.md", "#flashcards\n\nMitosis::one cell into two\n\n"
                                             "Meiosis::four cells, half the chromosomes\n")
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0

    def at(when, *args):
        monkeypatch.setenv("FLASHDECK_NOW", when)
        return cli("--collection", col, *args)

    first, second = (card["id"] for card in at("2026-12-01T03:50:00+01:00", "list",
                                                 "--json").json)
    assert at("2026-12-01T03:52:00+01:00", "answer", first, "good").code == 0  # due 04:02
    shown = at("2026-12-01T03:53:00+01:00", "next", "--json").json
    assert shown["card"]["id"] == second  # the other new card first
    assert at("2026-12-01T03:53:00+01:00", "answer", second, "good").code == 0  # due 04:03
    shown = at("2026-12-01T03:54:00+01:00", "next", "--json").json
    assert shown["card"] is None
    assert shown["counts"] == {"new": 0, "learning": 0, "review": 0}
    assert at("2026-12-01T03:54:00+01:00", "list", "--due").err == "no cards\n"
    shown = at("2026-12-01T04:00:00+01:00", "next", "--json").json
    assert shown["card"]["id"] == first and shown["counts"]["learning"] == 2
    assert at("2026-12-01T04:00:00+01:00", "answer", first, "good").code == 0
    # within the day, a step due in 3 minutes is still shown when nothing else is left
    shown = at("2026-12-01T04:00:00+01:00", "next", "--json").json
    assert shown["card"]["id"] == second


def test_intervals_are_named_in_ankis_units(tmp_path, cli, monkeypatch):
    """Anki's month is a twelfth of 365 days (rslib scheduler/timespan.rs): a card due in 30
    days is 30d, not 1mo, and one due in 161 days 5.3mo, not 5.4mo (`info`, in scheduling
    days, as the buttons count a review card's interval); hours are
    to a tenth (1.5h), as on Anki's buttons. Schedules seeded by the SR plugin's comments."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-02T09:00:00+00:00")
    write_note(tmp_path / "vault", "seeded.md",
               "#flashcards\n\nAnnual rainfall of Lima::about 16 mm\n"
               "<!--SR:!2027-01-01,30,250-->\n\n"
               "Driest desert::the Atacama\n<!--SR:!2027-05-12,161,250-->\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    first, second = (card["id"] for card in cli("--collection", col, "list", "--json").json)
    assert "(in 30d)" in cli("--collection", col, "info", first).out
    assert "(in 5.3mo)" in cli("--collection", col, "info", second).out
    from flashdeck.scheduling.engine import format_interval

    assert format_interval(timedelta(minutes=90)) == "1.5h"
    assert format_interval(timedelta(days=548)) == "1.5y"
