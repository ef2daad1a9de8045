"""Suspend, unsuspend and bury on the phone stick: the next `flashdeck sync` takes them
into flashdeck instead of putting the card back, and no answer or desktop-side action is
lost on the way (a three-way merge of the flag against what the server last got)."""

from __future__ import annotations

from support.notes import write_note

NOTE = """---
tags: [flashcards/ml/optim]
aliases: [SGD]
---
# Stochastic gradient descent

$$\\theta_{t+1} = \\theta_t - \\eta \\nabla_\\theta L(\\theta_t)$$

Learning rate::the step size $\\eta$ of each update

Mini-batch::a random subset of the training set used for one gradient estimate

Momentum::a running average of past gradients, $v_t = \\beta v_{t-1} + \\nabla L$

Plain SGD on a convex loss with a decaying $\\eta$ converges to the ==global minimum==.
"""


def setup(cli, tmp_path, server, phone_at):
    """A vault imported and synced to the phone: (collection, sync args, phone, cards by
    their Source field `note:line`)."""
    write_note(tmp_path / "vault", "SGD.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    result = cli(*args)
    assert result.code == 0, result.err
    phone = phone_at()
    phone.sync()
    cards = {f"SGD.md:{c['line']}": c for c in cli("--collection", a, "list", "--json").json}
    return a, args, phone, cards


def phone_card(phone, source: str) -> int:
    return phone.col.db.scalar(
        "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.flds LIKE ?",
        f"%\x1f{source}")


def phone_queue(phone, source: str) -> int:
    return phone.col.get_card(phone_card(phone, source)).queue


def suspended(cli, a) -> set[int]:
    return {c["id"] for c in cli("--collection", a, "list", "--json").json if c["suspended"]}


def test_a_quiet_sync_rewrites_no_card(cli, tmp_path, server, sync_env, phone_at):
    """Anki keeps stability to 4 decimals and difficulty to 3: a card whose memory state
    differs from flashdeck's only by that rounding is the same card (it was rewritten, and
    sent to the server and every phone, on every sync)."""
    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    for card in cards.values():  # each answered a few times today: memory of any decimals
        for rating in ("again", "hard", "good", "again", "easy"):
            assert cli("--collection", a, "answer", card["id"], rating).code == 0
    phone.col.decks.select(phone.col.decks.id("flashcards::ml::optim"))
    phone.answer(1, ease=4)
    phone.sync()
    assert cli(*args).code == 0
    phone.sync()
    result = cli(*args)
    assert result.code == 0, result.err
    assert "cards 0 added, 0 updated, 0 removed" in result.out
