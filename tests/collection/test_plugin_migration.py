"""Migrating from the Obsidian Spaced Repetition plugin through the CLI: the schedules it
left in a vault seed the cards on the first import, and never again once the card has a
history in flashdeck (the user keeps reviewing in both for a while; the plugin rewrites
its comments, flashdeck keeps its own answers)."""

from __future__ import annotations

import os

from support.notes import write_note

NOW = "2026-12-01T09:00:00+01:00"

# the plugin 1.15+ with "use callouts for scheduling comments" on
CALLOUT_NOTE = """\
---
tags: [flashcards/ml]
---
# Classifier metrics

Recall is::the share of actual positives that are found
> [!sr|card-metadata] \n\
> <!--SR:!2026-11-20,4,270-->

Precision
?
the share of positive predictions
that are right
> [!sr|card-metadata] \n\
> <!--SR:!2026-11-28,9,250-->

The F1 score is the ==harmonic== mean of ==precision and recall==
> [!sr|card-metadata] \n\
> <!--SR:!2026-11-23,3,230!2026-12-04,12,290-->
"""


def _by_front(cli, col) -> dict[str, dict]:
    result = cli("--collection", col, "list", "--json")
    assert result.code == 0, result.err
    return {c["front"]: c for c in result.json}



def imported_cleanly(cli, col, vault):
    """`flashdeck import VAULT --json` into `col`, which must report no error: its result."""
    imported = cli("--collection", col, "import", vault, "--json")
    assert imported.code == 0 and imported.json["errors"] == [], imported.err
    return imported

def test_schedules_in_the_plugins_metadata_callouts_seed_once(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    note = write_note(vault, "Classifier metrics.md", CALLOUT_NOTE)
    col = tmp_path / "c.sqlite"
    imported_cleanly(cli, col, vault)

    cards = _by_front(cli, col)
    recall = cards["Recall is"]
    assert (recall["state"], recall["due"]) == ("review", "2026-11-20T04:00:00+01:00")
    assert recall["back"] == "the share of actual positives that are found"
    precision = cards["Precision"]
    assert (precision["state"], precision["due"]) == ("review", "2026-11-28T04:00:00+01:00")
    assert precision["back"] == "the share of positive predictions\nthat are right"
    first = cards["The F1 score is the [...] mean of precision and recall"]
    second = cards["The F1 score is the harmonic mean of [...]"]
    assert (first["due"], second["due"]) == (
        "2026-11-23T04:00:00+01:00", "2026-12-04T04:00:00+01:00")
    assert not any("card-metadata" in c["front"] + c["back"] for c in cards.values())

    info = cli("--collection", col, "info", recall["id"], "--json")
    assert info.code == 0 and info.json["state"] == "review" and info.json["history"] == []
    assert info.json["stability"] == 4.0  # the plugin's 4-day interval

    # answered here, then the plugin (still in use) rewrites its callout for a review of
    # its own: the next import keeps flashdeck's answer and its history
    assert cli("--collection", col, "answer", recall["id"], "again").code == 0
    after_answer = cli("--collection", col, "info", recall["id"], "--json").json
    assert len(after_answer["history"]) == 1
    text = note.read_text(encoding="utf-8").replace(
        "<!--SR:!2026-11-20,4,270-->", "<!--SR:!2027-03-01,90,290-->")
    note.write_text(text, encoding="utf-8")
    stat = note.stat()
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    again = cli("--collection", col, "import", vault, "--json")
    assert again.code == 0 and again.json["errors"] == []
    kept = cli("--collection", col, "info", recall["id"], "--json").json
    assert (kept["state"], kept["due"], kept["history"]) == (
        after_answer["state"], after_answer["due"], after_answer["history"])
    assert kept["state"] == "relearning"
    assert cli("--collection", col, "doctor").code == 0


def test_a_cloze_over_blank_lines_to_the_end_marker_keeps_each_deletions_schedule(
        cli, tmp_path, monkeypatch):
    """The plugin's "blank lines in a cloze" (end marker set): one block of siblings and
    one comment, its n-th group for the n-th deletion."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    write_note(vault, ".flashdeck.toml", '[cards]\nmultiline_end_marker = "+++"\n')
    write_note(vault, "Heart.md", (
        "#flashcards/bio\n\n"
        "The heart has ==four== chambers.\n\n"
        "Blood leaves it through the ==aorta==.\n"
        "<!--SR:!2026-11-20,4,270!2026-11-26,9,250-->\n"
        "+++\n"))
    col = tmp_path / "c.sqlite"
    imported_cleanly(cli, col, vault)
    cards = cli("--collection", col, "list", "--json").json
    assert [(c["front"], c["due"]) for c in cards] == [
        ("The heart has [...] chambers.\n\nBlood leaves it through the aorta.",
         "2026-11-20T04:00:00+01:00"),
        ("The heart has four chambers.\n\nBlood leaves it through the [...].",
         "2026-11-26T04:00:00+01:00"),
    ]


def test_a_card_not_yet_answered_here_follows_the_plugins_rewritten_schedule(
        cli, tmp_path, monkeypatch):
    """During the move the user still reviews in Obsidian: until a card has an answer in
    flashdeck, the plugin's latest comment is its schedule; after that, flashdeck's own."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    note = write_note(vault, "Recall.md",
                      "#flashcards/ml\n\nRecall::$\\frac{TP}{TP+FN}$ <!--SR:!2026-11-20,4,270-->\n")
    col = tmp_path / "c.sqlite"

    def rewrite(old: str, new: str) -> None:  # as the plugin does after a review there
        note.write_text(note.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        stat = note.stat()
        os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert cli("--collection", col, "import", vault).code == 0

    assert cli("--collection", col, "import", vault).code == 0
    card = next(c for c in cli("--collection", col, "list", "--json").json
                if c["kind"] == "basic")
    assert card["due"] == "2026-11-20T04:00:00+01:00"
    rewrite("!2026-11-20,4,270", "!2026-12-15,20,290")
    info = cli("--collection", col, "info", card["id"], "--json").json
    assert (info["state"], info["due"], info["history"]) == (
        "review", "2026-12-15T04:00:00+01:00", [])
    assert info["stability"] == 20.0

    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-15T09:00:00+01:00")
    assert cli("--collection", col, "answer", card["id"], "good").code == 0
    answered = cli("--collection", col, "info", card["id"], "--json").json
    rewrite("!2026-12-15,20,290", "!2027-02-15,50,310")
    kept = cli("--collection", col, "info", card["id"], "--json").json
    assert (kept["due"], kept["stability"], kept["history"]) == (
        answered["due"], answered["stability"], answered["history"])
    assert len(kept["history"]) == 1
    assert cli("--collection", col, "doctor").code == 0


def test_a_paragraph_mixing_cloze_kinds_gives_each_deletion_its_own_schedule(
        cli, tmp_path, monkeypatch):
    """With bold clozes on, the plugin (clozecraft) writes a paragraph's groups pattern by
    pattern, in the order of its cloze patterns setting, each in text order (plugin
    tests/unit/parser.test.ts "combo" case; clozecraft ClozeNoteSimple). `cloze` lists the
    kinds in that order. Before, the groups went to the deletions in text order: the bold
    `softmax`, reviewed 40 days ago, came due with the highlighted `logits`' 12-day
    schedule and the other way round."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    write_note(vault, ".flashdeck.toml", '[cards]\ncloze = ["highlight", "bold"]\n')
    write_note(vault, "Softmax.md", (
        "---\ntags: [flashcards/ml]\n---\n"
        "The **softmax** turns ==logits== into probabilities\n"
        "<!--SR:!2026-11-20,12,270!2027-01-10,40,290-->\n"))
    col = tmp_path / "c.sqlite"
    imported_cleanly(cli, col, vault)
    cards = [c for c in cli("--collection", col, "list", "--json").json if c["kind"] == "cloze"]
    assert [(c["front"], c["due"]) for c in cards] == [
        ("The [...] turns logits into probabilities", "2027-01-10T04:00:00+01:00"),
        ("The softmax turns [...] into probabilities", "2026-11-20T04:00:00+01:00"),
    ]


def test_a_schedule_under_a_colon_line_in_a_multiline_back_seeds_no_card(cli, tmp_path,
                                                                          monkeypatch):
    """The plugin reads `Variance::…` in the back of the `Bias` card as a card of its own
    and drops `Bias` (src/parser.ts), so the schedule under that line was Variance's.
    flashdeck keeps the line in Bias's back; before, Bias took Variance's schedule and came
    due as a review card the user had never seen. Now Bias starts new and the import says
    whose schedule it was."""
    monkeypatch.setenv("FLASHDECK_NOW", NOW)
    vault = tmp_path / "vault"
    write_note(vault, "Bias and variance.md", (
        "#flashcards/ml\n\n"
        "Bias\n?\nerror from wrong assumptions\n"
        "Variance::error from sensitivity to noise\n"
        "<!--SR:!2026-11-20,4,270-->\n"))
    col = tmp_path / "c.sqlite"
    imported = imported_cleanly(cli, col, vault)
    assert [(w["line"], w["message"].split(";")[0]) for w in imported.json["warnings"]] == [
        (7, "this plugin schedule is that of the '::' card on line 6, which is part of the"
            " back of the card on line 3 here (a blank line before line 6 makes it a card of"
            " its own)")]
    [card] = [c for c in cli("--collection", col, "list", "--json").json if c["kind"] == "basic"]
    assert (card["front"], card["state"], card["due"]) == ("Bias", "new", None)
