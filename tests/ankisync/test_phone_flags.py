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


def test_a_suspend_on_the_phone_sticks_and_so_does_its_unsuspend(cli, tmp_path, server,
                                                                sync_env, phone_at):
    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    rate = cards["SGD.md:9"]
    phone.col.sched.suspend_cards([phone_card(phone, "SGD.md:9")])
    phone.sync()

    result = cli(*args)
    assert result.code == 0, result.err
    assert "changed in Anki: 1 suspended" in result.out
    assert suspended(cli, a) == {rate["id"]}
    phone.sync()
    assert phone_queue(phone, "SGD.md:9") == -1  # was put back to 0 by this sync
    result = cli(*args)  # and nothing moves on the next one
    assert "0 updated" in result.out and "changed in Anki" not in result.out
    assert suspended(cli, a) == {rate["id"]}

    phone.col.sched.unsuspend_cards([phone_card(phone, "SGD.md:9")])
    phone.sync()
    result = cli(*args)
    assert "changed in Anki: 1 unsuspended" in result.out
    assert suspended(cli, a) == set()
    assert cli("--collection", a, "doctor").code == 0


def test_each_side_keeps_its_own_changes_made_between_two_syncs(cli, tmp_path, server,
                                                                sync_env, phone_at):
    """The phone suspends one card, the desktop another and answers the first: both
    suspensions hold on both sides, and the answer counts on both."""
    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    there, here = cards["SGD.md:9"], cards["SGD.md:11"]
    phone.col.sched.suspend_cards([phone_card(phone, "SGD.md:9")])
    phone.sync()
    assert cli("--collection", a, "answer", there["id"], "good").code == 0
    assert cli("--collection", a, "suspend", here["id"]).code == 0

    result = cli(*args)
    assert result.code == 0, result.err
    assert "1 to Anki" in result.out and "changed in Anki: 1 suspended" in result.out
    assert suspended(cli, a) == {there["id"], here["id"]}
    phone.sync()
    assert phone_queue(phone, "SGD.md:9") == -1 and phone_queue(phone, "SGD.md:11") == -1
    assert phone.revlog() == 1
    history = cli("--collection", a, "log", "--limit", "0", "--json").json
    assert [(r["card"], r["rating"]) for r in history] == [(there["id"], "good")]

    # the desktop unsuspends the phone's card, the phone unsuspends the desktop's
    assert cli("--collection", a, "unsuspend", there["id"]).code == 0
    phone.col.sched.unsuspend_cards([phone_card(phone, "SGD.md:11")])
    phone.sync()
    result = cli(*args)
    assert "changed in Anki: 1 unsuspended" in result.out
    assert suspended(cli, a) == set()
    phone.sync()
    assert phone_queue(phone, "SGD.md:9") >= 0 and phone_queue(phone, "SGD.md:11") >= 0
    assert cli("--collection", a, "doctor").code == 0


def test_a_desktop_suspend_survives_a_mirror_made_again_from_the_server(
        cli, tmp_path, server, sync_env, phone_at):
    """The server never got the desktop's suspend (the mirror was lost before it was sent):
    the new mirror, downloaded from the server, says not suspended, and flashdeck's own
    suspend still wins, as it is the side that changed."""
    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    card = cards["SGD.md:13"]
    assert cli("--collection", a, "suspend", card["id"]).code == 0
    (mirror,) = (sync_env / "flashdeck" / "anki").glob("*/collection.anki2")
    for path in mirror.parent.glob("collection.anki2*"):
        path.unlink()

    result = cli(*args)
    assert result.code == 0, result.err
    assert "full download" in result.out and "changed in Anki" not in result.out
    assert suspended(cli, a) == {card["id"]}
    phone.sync()
    assert phone_queue(phone, "SGD.md:13") == -1


def test_a_bury_on_the_phone_hides_the_card_here_for_the_day(cli, tmp_path, server,
                                                            sync_env, phone_at):
    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    phone.col.decks.select(phone.col.decks.id("flashcards::ml::optim"))
    shown = phone.col.sched.getCard()  # the card the phone shows first: buried there
    source = shown.note().fields[2]
    phone.col.sched.bury_cards([shown.id])
    phone.sync()

    result = cli(*args)
    assert result.code == 0, result.err
    assert "changed in Anki: 1 buried" in result.out
    served = set()
    for _ in range(len(cards)):
        card = cli("--collection", a, "next", "--json").json["card"]
        if card is None:
            break
        served.add(f"SGD.md:{card['line']}")
        assert cli("--collection", a, "bury", card["id"]).code == 0
    assert source not in served and len(served) == len(cards) - 1
    phone.sync()
    assert phone_queue(phone, source) == -3  # still buried on the phone
    assert "changed in Anki" not in cli(*args).out  # taken once
    assert cli("--collection", a, "doctor").code == 0


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


def test_a_phone_suspend_sticks_on_the_first_sync_after_an_upgrade(cli, tmp_path, server,
                                                                   sync_env, phone_at):
    """Synced before flashdeck kept what the server last got (`anki_cards.hidden` empty):
    the mirror as the last sync left it is the base, so the phone's suspend holds."""
    import sqlite3

    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    with sqlite3.connect(a) as conn:
        conn.execute("UPDATE anki_cards SET hidden = NULL")
    conn.close()
    phone.col.sched.suspend_cards([phone_card(phone, "SGD.md:11")])
    phone.sync()
    result = cli(*args)
    assert "changed in Anki: 1 suspended" in result.out
    assert suspended(cli, a) == {cards["SGD.md:11"]["id"]}


def test_a_suspend_made_here_while_the_sync_sends_is_not_lost(cli, tmp_path, server,
                                                              sync_env, phone_at,
                                                              monkeypatch):
    """The review screen suspends a card while a sync (a timer's) is talking to the server:
    that suspend was not sent, so the next sync must send it, not read the server's
    'not suspended' as a change made on the phone."""
    from flashdeck.ankisync import sync as sync_module
    from flashdeck.collection.store import Collection
    from flashdeck.scheduling.engine import Engine

    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    card = cards["SGD.md:13"]
    original = sync_module._sync_once

    def sending(mirror, auth, login, report, *, prefer_upload):
        if prefer_upload:  # the second exchange: meanwhile, `s` in the review screen
            with Collection.open(a) as other:
                Engine(other).suspend(card["id"])
        return original(mirror, auth, login, report, prefer_upload=prefer_upload)

    monkeypatch.setattr(sync_module, "_sync_once", sending)
    assert cli(*args).code == 0
    monkeypatch.setattr(sync_module, "_sync_once", original)
    assert suspended(cli, a) == {card["id"]}

    result = cli(*args)
    assert result.code == 0, result.err
    assert "changed in Anki" not in result.out
    assert suspended(cli, a) == {card["id"]}
    phone.sync()
    assert phone_queue(phone, "SGD.md:13") == -1


def test_a_suspend_the_server_never_got_is_sent_next_time(cli, tmp_path, server, sync_env,
                                                          phone_at, monkeypatch):
    """The server made the sending exchange a full download (another device reset it
    meanwhile): the mirror now holds the server's copy, without the desktop's suspend.
    It is not taken as sent: the next sync sends it, rather than reading the server's
    'not suspended' as a change made in Anki."""
    from flashdeck.ankisync import sync as sync_module

    a, args, phone, cards = setup(cli, tmp_path, server, phone_at)
    card = cards["SGD.md:9"]
    assert cli("--collection", a, "suspend", card["id"]).code == 0
    original = sync_module._sync_once

    def downloaded(mirror, auth, login, report, *, prefer_upload):
        if not prefer_upload:
            return original(mirror, auth, login, report, prefer_upload=prefer_upload)
        # as Anki does when the server asks for a full download: the server's copy
        mirror.col.close_for_full_sync()
        mirror.col.full_upload_or_download(auth=auth, server_usn=None, upload=False)
        mirror.col.reopen(after_full_sync=True)
        report.full.append("download")

    monkeypatch.setattr(sync_module, "_sync_once", downloaded)
    assert cli(*args).code == 0
    monkeypatch.setattr(sync_module, "_sync_once", original)

    result = cli(*args)
    assert result.code == 0, result.err
    assert "changed in Anki" not in result.out
    assert suspended(cli, a) == {card["id"]}
    phone.sync()
    assert phone_queue(phone, "SGD.md:9") == -1
