"""`flashdeck stats` at a hundred thousand cards (issue 23): each pass over the cards is
tens of milliseconds there, so the summary reads the cards by state once (its counts and
the figures' states from the same rows) and leaves out the review cards' intervals, which
it does not show (`--json` and `--plot` still count them). The counts stay what they were,
a damaged flag included."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from flashdeck.collection.store import Collection
from support.stats_learner import END, build_in_utc


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    return build_in_utc(tmp_path_factory.mktemp("learner"))


@pytest.fixture
def collection(learned, tmp_path, monkeypatch):
    """A copy of the learner's collection with a suspended card, a leech and a card whose
    suspended flag is 2 (damaged past the checks: neither suspended nor not)."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("FLASHDECK_NOW", END.isoformat())
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "c.sqlite"
    shutil.copyfile(learned[0], path)
    conn = sqlite3.connect(path)
    with conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM cards ORDER BY id")]
        conn.execute("UPDATE cards SET suspended = 1 WHERE id = ?", (ids[0],))
        conn.execute("UPDATE cards SET leech = 1, suspended = 1 WHERE id = ?", (ids[1],))
        conn.execute("UPDATE cards SET suspended = 2 WHERE id = ?", (ids[2],))
    conn.close()
    return path


@pytest.fixture
def statements(monkeypatch):
    """The SQL every read-only collection runs, as it runs it."""
    seen: list[str] = []
    opened = Collection.open_readonly.__func__

    def traced(cls, path):
        col = opened(cls, path)
        col.conn.set_trace_callback(seen.append)
        return col

    monkeypatch.setattr(Collection, "open_readonly", classmethod(traced))
    return seen


def _expected(path) -> dict:
    conn = sqlite3.connect(path)
    try:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"suspended": one("SELECT count(*) FROM cards WHERE orphaned = 0"
                                 " AND suspended = 1"),
                "leeches": one("SELECT count(*) FROM cards WHERE orphaned = 0 AND leech = 1"),
                "flagged": one("SELECT count(*) FROM cards WHERE orphaned = 0"
                               " AND suspended != 0"),
                "cards": one("SELECT count(*) FROM cards WHERE orphaned = 0")}
    finally:
        conn.close()


def _passes(statements: list[str]) -> tuple[int, int]:
    """(reads of the cards grouped by state, interval counts) among `statements`."""
    grouped = sum(1 for s in statements if "FROM cards c" in s and "GROUP BY c.state" in s)
    intervals = sum(1 for s in statements if "c.last_review" in s and "GROUP BY 1" in s
                    and "FROM cards c" in s)
    return grouped, intervals


def test_the_summary_reads_the_cards_by_state_once_and_counts_no_intervals(
        cli, collection, statements):
    result = cli("--collection", collection, "stats")
    assert result.code == 0, result.err
    assert _passes(statements) == (1, 0)
    want = _expected(collection)
    assert f"{want['cards']} cards in" in result.out
    # the flag 2 is no suspension: counted as before, by `suspended = 1`
    assert want["suspended"] == want["flagged"] - 1
    leeches = f"{want['leeches']} leech{'' if want['leeches'] == 1 else 'es'}"
    assert f"{want['suspended']} suspended, {leeches}," in result.out


def test_json_still_has_the_intervals_and_the_same_counts(cli, collection, statements):
    result = cli("--collection", collection, "stats", "--json")
    assert result.code == 0, result.err
    assert _passes(statements) == (1, 1)
    stats = result.json
    want = _expected(collection)
    assert {k: stats[k] for k in ("suspended", "leeches", "cards")} == {
        k: want[k] for k in ("suspended", "leeches", "cards")}
    s = stats["states"]
    assert s["young"] + s["mature"] == s["review"] > 0
    assert sum(n["count"] for n in stats["intervals"]) == s["review"]
    # the figures' own flags count any set flag (the 2 too), as they did
    assert s["suspended"] == want["flagged"] and s["leech"] == want["leeches"]


def test_a_deck_reads_its_own_cards_the_same_way(cli, collection, statements):
    decks = {c["deck"] for c in cli("--collection", collection, "list", "--json").json}
    for deck in sorted(decks):
        statements.clear()
        text = cli("--collection", collection, "stats", "--deck", deck)
        js = cli("--collection", collection, "stats", "--deck", deck, "--json").json
        assert text.code == 0, text.err
        assert (f"{js['cards']} cards in" in text.out or f"{js['cards']} card in" in text.out)
        assert f"{js['suspended']} suspended" in text.out
        assert _passes(statements) == (2, 1)


@pytest.mark.parametrize("line", [
    "calibration (last year, 843 answers to cards in review or relearning): when flashdeck"
    " said 98%, you remembered 89%",
    "deck 数学の練習問題 has 12 cards due in the next 7 days; Übung für Gleichungen",
    "a tab\tand an escape \x1b[31m in a name read at zero columns",
    "  indented line of plain words that goes on well past the width given to it",
])
def test_lines_wrap_at_the_columns_a_terminal_gives_them(line):
    """Printable ASCII is measured a column a character without Rich's tables; any other
    line with them: the same breaks either way."""
    from rich.cells import cell_len

    from flashdeck.scheduling.stats_charts import wrap_line

    for width in (20, 33, 40):
        pieces = wrap_line(line, width)
        assert all(cell_len(piece) <= width for piece in pieces), (width, pieces)
        assert "".join(piece.replace(" ", "") for piece in pieces) == line.replace(" ", "")
        if line.isascii() and line.isprintable():
            assert all(len(piece) <= width for piece in pieces)
