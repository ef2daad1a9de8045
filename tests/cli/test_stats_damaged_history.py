"""`flashdeck stats` on a history a daily user can end up with: a row of the review log or a
card damaged past SQLite's checks (a rating of 9, a state 'bogus', a time no calendar has),
and reviews logged after "now" (the clock set back since). Each damaged row is one line on
stderr naming it and the fix, as `undo`, `info` and `doctor` say it; the figures are still
printed, counted without it; the exit code is 1 (the rest done). Were: "internal error"
and no figures at all. And `log`'s fronts cut in terminal columns, never silently."""

from __future__ import annotations

import sqlite3

import pytest

from support.notes import write_note

NOTE = """---
tags: [flashcards/ml/metrics]
aliases: [positive predictive value]
summary: The share of predicted positives that are truly positive.
---
# Precision

$$
\\text{precision} = \\frac{TP}{TP + FP}
$$

## When does precision matter most?
When a false positive is expensive: a spam filter binning a real email.

> [!example] Worked example
> TP = 30, FP = 10 gives $30/40 = 0.75$.
"""


@pytest.fixture
def history(cli, tmp_path, monkeypatch):
    """A collection whose cards were learned on 2026-03-02 and reviewed on the days they
    fell due until 2026-04-30, Good and every fourth Again (Europe/Berlin, across the DST
    change), and a function running the CLI at a given time."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("COLUMNS", "80")
    vault = tmp_path / "vault"
    write_note(vault, "ml/Precision.md", NOTE)
    path = tmp_path / "c.sqlite"

    def at(when, *args):
        monkeypatch.setenv("FLASHDECK_NOW", when)
        return cli("--collection", path, *args)

    assert at("2026-03-02T08:00:00+01:00", "import", vault).code == 0
    ids = [str(c["id"]) for c in at("2026-03-02T08:00:00+01:00", "list", "--json").json
           if c["kind"] != "exercise"]
    for card in ids:  # learned: new -> learning -> review
        assert at("2026-03-02T08:00:00+01:00", "answer", card, "good").code == 0
        assert at("2026-03-02T08:20:00+01:00", "answer", card, "good").code == 0
    answers = 0
    for month in ("03", "04"):
        for day in range(3 if month == "03" else 1, 31):
            offset = "+01:00" if month == "03" and day < 29 else "+02:00"
            now = f"2026-{month}-{day:02d}T08:00:00{offset}"
            for card in at(now, "list", "--due", "--json").json:
                answers += 1  # every fourth one forgotten: intervals stay days long
                rating = "again" if answers % 4 == 0 else "good"
                assert at(now, "answer", str(card["id"]), rating).code == 0
    return path, at


NOW = "2026-05-01T09:00:00+02:00"


def _damage(path, sql, *params):
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA ignore_check_constraints = 1")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def _last_review_card(path):
    """The last answer to a review card (Good): its review id and card id."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, card_id FROM reviews WHERE before_state = 'review'"
                            " AND rating = 3 ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()


def test_a_rating_out_of_range_is_named_and_the_figures_are_counted_without_it(history):
    path, at = history
    sound = at(NOW, "stats", "--json").json
    review, card = _last_review_card(path)
    _damage(path, "UPDATE reviews SET rating = 9 WHERE id = ?", review)

    out = at(NOW, "stats")
    assert out.code == 1
    assert out.err.splitlines() == [
        f"flashdeck: review {review}, card {card}: its row in the review log is damaged"
        " (rating = 9); run `flashdeck doctor`"]
    assert "internal error" not in out.err
    # every figure still printed, the damaged answer not among them
    assert "forecast: " in out.out and "true retention (last 30 days): " in out.out
    stats = at(NOW, "stats", "--json")
    assert stats.code == 1
    figures = stats.json
    assert figures["damaged"] == [out.err.splitlines()[0].removeprefix("flashdeck: ")]
    month = figures["true_retention"]["month"]["all"]
    before = sound["true_retention"]["month"]["all"]
    assert month["total"] == before["total"] - 1 and month["passed"] == before["passed"] - 1
    assert figures["heatmap"]["total"] == sound["heatmap"]["total"] - 1
    assert sum(figures["buttons"]["young"].values()) + sum(
        figures["buttons"]["mature"].values()) == sum(sound["buttons"]["young"].values()) + sum(
        sound["buttons"]["mature"].values()) - 1
    plot = at(NOW, "stats", "--plot")
    assert plot.code == 1 and "Calibration" in plot.out and "damaged" in plot.err
    assert "damaged" not in plot.out  # said once, on stderr


def test_a_text_rating_is_named_too(history):
    path, at = history
    review, card = _last_review_card(path)
    _damage(path, "UPDATE reviews SET rating = 'good' WHERE id = ?", review)
    out = at(NOW, "stats")
    assert out.code == 1 and "internal error" not in out.err
    assert f"review {review}, card {card}: its row in the review log is damaged" \
           " (rating = 'good')" in out.err


def test_a_card_state_out_of_range_is_named_with_its_fix_and_the_rest_counted(history):
    path, at = history
    sound = at(NOW, "stats", "--json").json
    card = at(NOW, "list", "--json").json[0]["id"]
    _damage(path, "UPDATE cards SET state = 'bogus' WHERE id = ?", card)

    out = at(NOW, "stats")
    assert out.code == 1
    # info's words for the same card
    info = at(NOW, "info", str(card))
    assert out.err.splitlines() == info.err.splitlines() == [
        f"flashdeck: card {card}: its stored schedule is damaged (state = 'bogus');"
        " `flashdeck doctor --fix` sets it from its review log"]
    assert "left today:" in out.out and "forecast:" in out.out
    states = at(NOW, "stats", "--json").json["states"]
    assert states["review"] == sound["states"]["review"] - 1


def test_a_damaged_time_is_named_and_not_counted_as_today(history):
    path, at = history
    review, card = _last_review_card(path)
    # past what a calendar holds, text, and the year 1 (a calendar's, not a clock's: the
    # zone's offsets back to it ended in "internal error: year 0 is out of range")
    for value in (99999999999999, "yesterday", -62135596000):
        _damage(path, "UPDATE reviews SET reviewed_at = ? WHERE id = ?", value, review)
        out = at(NOW, "stats")
        assert out.code == 1
        assert out.err.splitlines() == [
            f"flashdeck: review {review}, card {card}: its row in the review log is damaged"
            f" (time = {value!r}); run `flashdeck doctor`"]
        assert "reviews: 0 today" in out.out


def test_reviews_logged_after_now_are_not_counted_and_said_so(history):
    """The clock set back after a session: those answers are in no day of the figures
    (they were counted in today's answer buttons, calibration and "reviews today")."""
    path, at = history
    now = "2026-04-20T12:00:00+02:00"  # ten days of the history are still to come
    conn = sqlite3.connect(path)
    later = conn.execute("SELECT count(*) FROM reviews WHERE reviewed_at >= CAST("
                         "strftime('%s', '2026-04-21T02:00:00') AS INTEGER)").fetchone()[0]
    # today's, from the rollover (04:00 Berlin) to now: none of the later ones
    today = conn.execute("SELECT count(*) FROM reviews WHERE reviewed_at >= CAST(strftime("
                         "'%s', '2026-04-20T02:00:00') AS INTEGER) AND reviewed_at <= CAST("
                         "strftime('%s', '2026-04-20T10:00:00') AS INTEGER)").fetchone()[0]
    conn.close()
    assert later > 0
    out = at(now, "stats")
    assert out.code == 0, out.err
    assert f"{later} reviews logged after today (the clock was set back since) are not" \
           " counted" in out.out
    assert f"reviews: {today} today" in out.out
    stats = at(now, "stats", "--json").json
    assert stats["reviews_after_today"] == later
    answered = sum(sum(row.values()) for row in stats["buttons"].values())
    assert answered == sum(stats["heatmap"]["counts"][-30:])
    conn = sqlite3.connect(path)
    later_predicted = conn.execute(
        "SELECT count(*) FROM reviews WHERE before_state IN ('review', 'relearning') AND"
        " reviewed_at >= CAST(strftime('%s', '2026-04-21T02:00:00') AS INTEGER)").fetchone()[0]
    conn.close()
    everything = at(NOW, "stats", "--json").json
    assert stats["calibration"]["count"] == everything["calibration"]["count"] - later_predicted
    assert stats["damaged"] == []


def test_log_cuts_a_long_front_with_an_ellipsis_in_terminal_columns(cli, tmp_path,
                                                                    monkeypatch):
    """`log` showed a front's first 40 characters, cut silently (no mark), and 40 wide
    characters took 80 columns. Now it takes 40 columns at most, ending in … when cut."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-03-02T08:00:00+01:00")
    vault = tmp_path / "vault"
    write_note(vault, "Attention.md", "---\ntags: [flashcards/ml/transformers]\n---\n"
               "# Attention\n\n"
               "Why is dot-product attention scaled by the square root of the key size?::"
               "so the softmax does not saturate\n\n"
               "注意機構のスケーリング係数が鍵の次元の平方根である理由は何ですか"
               "::飽和を防ぐため\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    for card in cli("--collection", path, "list", "--json").json:
        assert cli("--collection", path, "answer", str(card["id"]), "good").code == 0
    lines = cli("--collection", path, "log").out.splitlines()
    fronts = [line[75:] for line in lines]
    assert fronts[0] == "Why is dot-product attention scaled by…"
    assert fronts[1].endswith("…") and fronts[1].startswith("注意機構の")
    assert len(fronts[1]) * 2 - 1 <= 40  # wide characters, and the one-column …


def test_one_card_one_review_one_leech_read_in_the_singular(cli, tmp_path, monkeypatch):
    """A collection with one card, answered once: `stats` said "1 cards in 1 notes" and
    "1 reviews on 1 days" (and "1 leeches")."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-03-02T08:00:00+01:00")
    vault = tmp_path / "vault"
    write_note(vault, "Logits.md", "---\ntags: [flashcards/ml]\nexercises: []\n---\n"
               "# Logits\n\nSoftmax of equal logits::the uniform distribution\n")
    path = tmp_path / "c.sqlite"
    assert cli("--collection", path, "import", vault).code == 0
    assert cli("--collection", path, "answer", "1", "good").code == 0
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cards SET leech = 1 WHERE id = 1")  # as 8 lapses leave it
    conn.commit()
    conn.close()
    out = cli("--collection", path, "stats").out
    assert out.startswith("1 card in 1 note: 0 new, 1 learning, 0 review; 0 suspended,"
                          " 1 leech, 0 orphaned\n")
    assert "last 365 days: 1 review on 1 day\n" in out
