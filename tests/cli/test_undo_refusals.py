"""`flashdeck undo` refusing to take an answer back says why, as every refusal does: on
stdout (JSON with --json), exit 0, the log and the card left as they are."""

from __future__ import annotations

import pytest

from support.notes import write_note


@pytest.mark.parametrize("action", ["bury", "suspend"])
def test_undo_after_the_answered_card_was_buried_or_suspended_says_why(
        cli, tmp_path, monkeypatch, action) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("FLASHDECK_NOW", "2026-11-24T09:00:00+01:00")
    vault = tmp_path / "vault"
    write_note(vault, "Recall.md", "---\ntags: [flashcards]\n---\n\n"
                                   "Recall::the share of real positives found\n")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    card_id = cli("--collection", col, "list", "--json").json[0]["id"]
    assert cli("--collection", col, "answer", card_id, "good").code == 0
    assert cli("--collection", col, action, card_id).code == 0
    card = cli("--collection", col, "list", "--json").json[0]

    result = cli("--collection", col, "undo", "--json")
    assert result.code == 0, result.err
    assert result.json["undone"] is None
    assert f"card {card_id} changed since that answer" in result.json["reason"]
    assert "2026-11-24 09:00" in result.json["reason"]
    result = cli("--collection", col, "undo")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("nothing undone: ")
    assert len(cli("--collection", col, "log", "--json").json) == 1
    assert cli("--collection", col, "list", "--json").json[0] == card
