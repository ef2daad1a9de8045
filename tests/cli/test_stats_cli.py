"""`flashdeck stats [--deck D] [--json] [--plot]` (issue 20) on a collection a scripted
learner built over five months (tests/support/learner.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from support.stats_learner import EASY, END, HARD, build_in_utc

NOW_ISO = END.isoformat()


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    """The collection after the script, and the script's log."""
    return build_in_utc(tmp_path_factory.mktemp("learner"))


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("COLUMNS", "80")


def test_json_has_the_figures_and_keeps_the_old_keys(cli, learned):
    path, log = learned
    stats = cli("--collection", path, "stats", "--json").json
    for key in ("forecast", "heatmap", "true_retention", "calibration", "states", "buttons",
                "intervals", "parameters",
                # what `stats --json` had before
                "cards", "waiting_copies", "suspended", "leeches", "orphaned", "notes",
                "reviews", "retention_30d", "due_today"):
        assert key in stats, key
    assert stats["cards"] == 24 and stats["reviews"]["total"] == len(log)
    s = stats["states"]
    assert s["new"] + s["learning"] + s["review"] + s["relearning"] == 24
    assert s["young"] + s["mature"] == s["review"]
    assert stats["parameters"]["source"] == "default"
    assert len(stats["parameters"]["parameters"]) == 21


def test_the_forecast_sums_to_the_cards_due_in_30_days(cli, learned):
    path, _ = learned
    stats = cli("--collection", path, "stats", "--json").json
    days = stats["forecast"]["days"]
    assert len(days) == 30 and days[0]["date"] == "2026-10-29"
    horizon = END.replace(hour=4) + timedelta(days=30)
    cards = cli("--collection", path, "list", "--json").json
    due = [c for c in cards if c["state"] != "new" and not c["suspended"]
           and c["due"] is not None and _when(c["due"]) < horizon]
    assert sum(d["due"] for d in days) == stats["forecast"]["total"] == len(due) > 0
    # what `due` counts for today is the forecast's first day
    today = cli("--collection", path, "due", "--json").json["total"]
    assert days[0]["due"] == today["learning"] + today["review"]


def _when(text):
    from datetime import datetime

    return datetime.fromisoformat(text).astimezone(timezone.utc)


def test_true_retention_and_calibration_follow_the_script(cli, learned):
    path, log = learned
    easy = cli("--collection", path, "stats", "--deck", EASY, "--json").json
    hard = cli("--collection", path, "stats", "--deck", HARD, "--json").json
    assert easy["deck"] == EASY
    assert easy["true_retention"]["year"]["all"]["failed"] == 0
    assert all(b["actual"] == 1.0 for b in easy["calibration"]["bins"])
    hard_reviews = [e for e in log if e["deck"] == HARD and e["state"] == "review"]
    year = hard["true_retention"]["year"]["all"]
    assert year["total"] == len(hard_reviews)
    assert year["failed"] == sum(1 for e in hard_reviews if e["rating"] == 1)
    bins = hard["calibration"]["bins"]
    assert bins and all(set(b) >= {"count", "predicted", "actual"} for b in bins)
    remembered = sum(b["actual"] * b["count"] for b in bins) / sum(b["count"] for b in bins)
    answers = [e for e in log if e["deck"] == HARD and e["state"] in ("review", "relearning")]
    assert remembered == pytest.approx(
        sum(1 for e in answers if e["rating"] > 1) / len(answers), abs=1e-3)


def _unwrapped(out: str) -> str:
    """The summary with its wrapped lines joined again (a line goes on indented by two)."""
    return out.replace("\n  ", " ")


def test_text_output_is_a_readable_summary(cli, learned):
    path, log = learned
    out = _unwrapped(cli("--collection", path, "stats").out)
    assert "24 cards in 2 notes" in out
    assert "forecast:" in out and "true retention (last 30 days):" in out
    # the calibration counts answers to relearning cards too, and says so (it said
    # "reviews of review cards")
    predicted = [e for e in log if e["state"] in ("review", "relearning")]
    assert any(e["state"] == "relearning" for e in predicted)
    assert (f"calibration (last year, {len(predicted)} answers to cards in review or"
            " relearning): when flashdeck said") in out
    assert "FSRS parameters: default" in out


def test_plot_draws_the_charts_as_text_within_the_width(cli, learned, monkeypatch):
    path, _ = learned
    for columns in (80, 60):
        monkeypatch.setenv("COLUMNS", str(columns))
        out = cli("--collection", path, "stats", "--plot").out
        lines = out.splitlines()
        assert "Forecast:" in out and "█" in out
        assert any(line.startswith("Mo  ") for line in lines)  # the heatmap's rows
        assert any(ch in out for ch in "░▒▓")
        assert "Calibration" in out and "True retention" in out
        assert max(len(line) for line in lines) <= columns


def test_a_deck_name_never_drives_the_terminal(cli, tmp_path):
    from support.notes import write_note

    vault = tmp_path / "v"
    write_note(vault, "x.md", "#flashcards/ev\u202eil\n\nq::a\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    deck = cli("--collection", col, "list", "--json").json[0]["deck"]
    out = cli("--collection", col, "stats", "--deck", deck, "--plot").out
    assert "\u202e" not in out


def test_the_parameters_in_use_are_shown_with_when_they_were_fitted(cli, learned, tmp_path,
                                                                    monkeypatch):
    path, log = learned
    weights = [0.3, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666,
               0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658,
               0.2]
    config = tmp_path / "config.toml"
    config.write_text(f"parameters = {weights}\nparameters_fitted_at = 2026-09-01T12:00:00Z\n"
                      "parameters_reviews = 200\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    stats = cli("--collection", path, "stats", "--json").json
    params = stats["parameters"]
    assert params["source"] == "optimized" and params["parameters"][20] == 0.2
    assert params["reviews_at_fit"] == 200
    from datetime import datetime

    fitted = datetime(2026, 9, 1, 12, tzinfo=timezone.utc)
    assert params["reviews_since"] == sum(1 for e in log if e["at"] >= fitted) > 0
    out = cli("--collection", path, "stats").out
    assert (f"FSRS parameters: optimized 2026-09-01 from 200 reviews, "
            f"{params['reviews_since']} reviews since") in out


def test_a_collection_with_no_reviews_has_empty_figures(cli, tmp_path):
    from support.notes import write_note

    vault = tmp_path / "v"
    write_note(vault, "x.md", "#flashcards\n\nq1::a1\n\nq2::a2\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    stats = cli("--collection", col, "stats", "--json").json
    assert stats["forecast"]["total"] == 0 and stats["heatmap"]["total"] == 0
    assert stats["calibration"]["bins"] == [] and stats["states"]["new"] == 2
    assert stats["true_retention"]["month"]["all"]["rate"] is None
    plot = cli("--collection", col, "stats", "--plot")
    assert plot.code == 0 and "nothing due" in plot.out and "no review cards yet" in plot.out


def _one_recall_card(cli, tmp_path, monkeypatch, tag):
    """A vault of one Recall card tagged `tag`, and `at(when, *args)`: the CLI on its
    collection with the clock at `when`."""
    from support.notes import write_note

    vault = tmp_path / "v"
    write_note(vault, "Recall.md", f"---\ntags: [{tag}]\n---\n### Recall\n"
                                   "Recall of a classifier::$\\frac{tp}{tp+fn}$\n")
    col = tmp_path / "c.sqlite"

    def at(when, *args):
        monkeypatch.setenv("FLASHDECK_NOW", when)
        return cli("--collection", col, *args)

    return at, vault


def test_a_21_day_interval_given_in_the_evening_is_mature(cli, tmp_path, monkeypatch):
    """Anki's mature: an interval of 21 days or more, in scheduling days. A card answered at
    20:00 and due 21 scheduling days later at 04:00 waited 20 days and 8 hours: it is
    mature all the same, in the card states, the interval histogram and true retention;
    its interval is 21 days, not 20, as is an 8-day interval's 8 (the 1-2w bin, not the
    4-7d its 7 days and 8 hours would give). Fuzz off: the 8 days are FSRS's own."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    config = tmp_path / "config.toml"
    config.write_text("maximum_interval = 21\nfuzz = false\n")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    at, vault = _one_recall_card(cli, tmp_path, monkeypatch, "flashcards")

    assert at("2026-10-01T20:00:00+02:00", "import", vault).code == 0
    card = str(at("2026-10-01T20:00:00+02:00", "list", "--json").json[0]["id"])
    first = at("2026-10-01T20:00:00+02:00", "answer", card, "easy", "--json").json
    assert first["due"] == "2026-10-09T04:00:00+02:00"  # 8 scheduling days
    stats = at("2026-10-02T10:00:00+02:00", "stats", "--json").json
    assert {i["label"]: i["count"] for i in stats["intervals"]}["1-2w"] == 1
    second = at("2026-10-10T20:00:00+02:00", "answer", card, "easy", "--json").json
    # 21 scheduling days (and a DST end); Easy kept a second above Good at the cap
    assert second["due"].startswith("2026-10-31T04:00:0")
    stats = at("2026-10-11T10:00:00+02:00", "stats", "--json").json
    assert stats["states"]["mature"] == 1 and stats["states"]["young"] == 0
    assert at("2026-10-31T20:00:00+01:00", "answer", card, "good").code == 0
    stats = at("2026-11-01T10:00:00+01:00", "stats", "--json").json
    month = stats["true_retention"]["month"]
    assert month["young"]["total"] == 1 and month["mature"]["total"] == 1
    out = at("2026-11-01T10:00:00+01:00", "stats").out
    assert "young 100.0% of 1, mature 100.0% of 1" in out


def test_stats_of_a_deck_count_that_deck_and_agree_with_themselves(cli, tmp_path,
                                                                   monkeypatch):
    """`stats --deck D`: the first lines count D's cards, notes and reviews (they said the
    whole collection's next to D's states: "4 cards: 1 new, 1 review"), and `retention_30d`
    is the figures' true retention of the last 30 days (it counted 31 days of its own)."""
    from support.notes import write_note

    monkeypatch.setenv("TZ", "Europe/Paris")
    vault = tmp_path / "v"
    write_note(vault, "Bayes.md", "---\ntags: [flashcards/prob]\n---\n### Bayes\n"
                                  "Bayes' rule::$P(A|B)=\\frac{P(B|A)P(A)}{P(B)}$\n"
                                  "Prior::what you believe before the evidence\n")
    write_note(vault, "Recall.md", "---\ntags: [flashcards/ml]\n---\n### Recall\n"
                                   "Recall of a classifier::$\\frac{tp}{tp+fn}$\n")
    col = tmp_path / "c.sqlite"

    def at(when, *args):
        monkeypatch.setenv("FLASHDECK_NOW", when)
        return cli("--collection", col, *args)

    assert at("2026-10-01T09:00:00+02:00", "import", vault).code == 0
    cards = at("2026-10-01T09:00:00+02:00", "list", "--json").json
    prob = [str(c["id"]) for c in cards if c["deck"] == "flashcards/prob"]
    assert len(prob) == 2 and len(cards) > 2
    first = at("2026-10-01T09:00:00+02:00", "answer", prob[0], "easy", "--json").json
    assert first["state"] == "review"
    due = first["due"][:10]
    assert at(f"{due}T09:00:00+02:00", "answer", prob[0], "again").code == 0  # a lapse
    # 30 days after the lapse: out of the last 30 days (today and the 29 before it)
    later = (datetime.fromisoformat(due) + timedelta(days=30)).date().isoformat()
    out = at(f"{later}T09:00:00+01:00", "stats", "--deck", "flashcards/prob").out
    assert out.splitlines()[0].startswith("2 cards in 1 note: 1 new, ")
    assert "reviews: 0 today (0.0 min), 2 in all" in out
    assert "true retention (last 30 days): no review cards answered" in out
    stats = at(f"{later}T09:00:00+01:00", "stats", "--deck", "flashcards/prob", "--json").json
    s = stats["states"]
    assert stats["cards"] == s["new"] + s["learning"] + s["review"] + s["relearning"] == 2
    assert stats["notes"] == 1 and stats["reviews"]["total"] == 2
    assert stats["retention_30d"] is None
    assert stats["true_retention"]["month"]["all"]["rate"] is None
    everything = at(f"{later}T09:00:00+01:00", "stats", "--json").json
    assert everything["cards"] == len(cards) and everything["retention_30d"] is None
    # the day before, the lapse is in the last 30 days: 0 % in both
    before = at(f"{later}T03:00:00+01:00", "stats", "--json").json
    assert before["retention_30d"] == before["true_retention"]["month"]["all"]["rate"] == 0.0


def test_a_buried_card_is_forecast_for_when_it_comes_back(cli, tmp_path, monkeypatch):
    """A review card due today, buried: `stats` said "1 due today" under "left today: 0
    review"; it is forecast for tomorrow, when the queue shows it, in every deck view."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    at, vault = _one_recall_card(cli, tmp_path, monkeypatch, "flashcards/ml")

    assert at("2026-10-01T09:00:00+02:00", "import", vault).code == 0
    card = str(at("2026-10-01T09:00:00+02:00", "list", "--json").json[0]["id"])
    due = at("2026-10-01T09:00:00+02:00", "answer", card, "easy", "--json").json["due"][:10]
    now = f"{due}T09:00:00+02:00"
    before = at(now, "stats", "--json").json
    assert before["forecast"]["days"][0]["due"] == before["due_today"]["review"] == 1
    assert at(now, "bury", card).code == 0
    for deck in ((), ("--deck", "flashcards/ml")):
        stats = at(now, "stats", *deck, "--json").json
        assert stats["due_today"]["review"] == 0
        assert [d["due"] for d in stats["forecast"]["days"][:2]] == [0, 1]
        assert stats["forecast"]["total"] == 1
    assert "forecast: 0 due today (0 overdue), 1 in the next 7 days" in at(now, "stats").out
    # two days later, not answered: overdue again, today's
    two_days_on = (datetime.fromisoformat(due) + timedelta(days=2)).date().isoformat()
    late = at(f"{two_days_on}T09:00:00+02:00", "stats", "--json").json
    assert late["forecast"]["days"][0]["due"] == late["forecast"]["overdue"] == 1


def test_the_heatmap_names_its_months_under_their_weeks(cli, learned):
    """The year's heatmap had no dates at all: a column was a week of some month. Each
    month's name now stands under the week holding its 1st: the script's first day
    (Monday 2026-06-01) is the first shaded cell of the Mo row, under `Jun`."""
    from datetime import date

    path, _ = learned
    lines = cli("--collection", path, "stats", "--plot").out.splitlines()
    mo = next(i for i, line in enumerate(lines) if line.startswith("Mo  "))
    rows, months = lines[mo:mo + 7], lines[mo + 7]
    assert [r[:2] for r in rows] == ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    start = date(2025, 10, 30)  # the heatmap's first day: END's day, 364 days before
    monday = start - timedelta(days=start.weekday())
    named = 0
    for month in range(11, 23):
        first = date(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        column = 4 + (first - monday).days // 7
        if months[column:column + 3] == f"{first:%b}":
            named += 1
    assert named >= 9, months
    june = 4 + (date(2026, 6, 1) - monday).days // 7
    assert months[june:june + 3] == "Jun"
    assert rows[0][june] not in " ·" and set(rows[0][4:june]) <= {" ", "·"}


def test_every_line_of_the_summary_fits_the_terminal(cli, learned, monkeypatch, tmp_path):
    """The summary's lines (the card counts, calibration...) wrap at a word within 80 and
    60 columns, as `list` and `check` keep theirs (the first line ran to 83 columns)."""
    import shutil
    import sqlite3

    path, _ = learned
    big = tmp_path / "big.sqlite"
    shutil.copyfile(path, big)
    conn = sqlite3.connect(big)  # counts of many digits make the longest lines
    conn.execute("UPDATE cards SET suspended = 1 WHERE id % 3 = 0")
    conn.commit()
    conn.close()
    for collection in (path, big):
        monkeypatch.setenv("COLUMNS", "200")
        wide = cli("--collection", collection, "stats").out
        assert max(len(line) for line in wide.splitlines()) > 80  # there is a line to wrap
        first = wide.splitlines()[0]
        assert first.startswith("24 cards in 2 notes:") and first.endswith("orphaned")
        for columns in (80, 60):
            monkeypatch.setenv("COLUMNS", str(columns))
            out = cli("--collection", collection, "stats").out
            assert max(len(line) for line in out.splitlines()) <= columns, out
            assert _unwrapped(out) == wide  # nothing lost, only wrapped


def test_the_first_weeks_month_gives_way_to_the_next_1st():
    """The first column is named after its month even without a 1st in it. When the next
    column holds a 1st, the two names touched and the real one was dropped: "Dec  Feb",
    January unnamed. The courtesy name now gives way."""
    from datetime import date

    from flashdeck.scheduling.stats_charts import _month_marks

    start = date(2025, 12, 24)  # a Wednesday: the first week (from Monday the 22nd) has no 1st
    end = date(2026, 3, 20)
    lead = start.weekday()
    weeks = (lead + (end - start).days + 1 + 6) // 7
    marks = _month_marks(start, end, lead, 0, weeks)
    assert marks.split() == ["Jan", "Feb", "Mar"], marks
    assert marks.index("Jan") == 1  # under the week of Monday 29 December, holding the 1st
    # a first week long before the next 1st keeps its name
    start, end = date(2026, 3, 2), date(2026, 5, 20)  # April's 1st is four weeks on
    lead = start.weekday()
    weeks = (lead + (end - start).days + 1 + 6) // 7
    assert _month_marks(start, end, lead, 0, weeks).split() == ["Mar", "Apr", "May"]
