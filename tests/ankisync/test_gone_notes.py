"""A note removed on the desktop while the phone still shows its cards: the answers the
phone gives them before it syncs are not lost, and come back with the note."""

from __future__ import annotations

from support.notes import write_note

BAYES = """---
tags: [flashcards/stats/bayes]
summary: The posterior is proportional to the likelihood times the prior.
---
# Bayes' theorem

$$P(A \\mid B) = \\frac{P(B \\mid A)\\,P(A)}{P(B)}$$

Prior::what you believe about $A$ before seeing $B$

Posterior::$P(A \\mid B)$, the belief after seeing $B$
"""

KEPT = "#flashcards/stats\n\nVariance of a constant::$0$\n"


def test_answers_on_the_phone_to_a_removed_note_are_kept(cli, tmp_path, server, sync_env,
                                                         phone_at):
    vault = tmp_path / "vault"
    write_note(vault, "Bayes.md", BAYES)
    write_note(vault, "Variance.md", KEPT)
    a = tmp_path / "a.sqlite"
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    assert cli("--collection", a, "import", vault).code == 0
    assert cli(*args).code == 0
    phone = phone_at()
    phone.sync()  # the phone has the Bayes cards, and goes offline

    (vault / "Bayes.md").rename(tmp_path / "Bayes.md")  # moved out of the vault
    result = cli("--collection", a, "import", vault)
    assert "4 orphaned" in result.out
    result = cli(*args)
    assert "4 removed" in result.out

    bayes = phone.col.find_cards('"deck:flashcards::stats::bayes"')
    for cid in bayes:  # answered on the phone before it hears of the removal
        card = phone.col.get_card(cid)
        card.start_timer()
        phone.col.sched.answerCard(card, 3)
    phone.sync()
    assert phone.revlog() == 4
    assert not phone.col.find_cards('"deck:flashcards::stats::bayes"')  # gone there too

    result = cli(*args)
    assert result.code == 0, result.err
    assert "4 reviews from Anki" in result.out  # were lost: 0
    history = cli("--collection", a, "log", "--limit", "0", "--json").json
    assert len(history) == 4
    assert cli("--collection", a, "doctor").code == 0

    (tmp_path / "Bayes.md").rename(vault / "Bayes.md")  # the note is back
    assert cli("--collection", a, "import", vault).code == 0
    cards = cli("--collection", a, "list", "--json").json
    assert {c["id"] for c in cards} >= {r["card"] for r in history}
    assert {c["state"] for c in cards if c["deck"] == "flashcards/stats/bayes"} == {"learning"}
    result = cli(*args)
    assert "4 added" in result.out and "0 reviews from Anki, 0 to Anki" in result.out
    phone.sync()
    back = phone.col.find_cards('"deck:flashcards::stats::bayes"')
    assert len(back) == 4 and {phone.col.get_card(cid).type for cid in back} == {1}
    assert phone.revlog() == 4
    assert "0 reviews from Anki, 0 to Anki" in cli(*args).out


def test_two_collections_sharing_a_note_on_one_account_stop_fighting_over_it(
        cli, tmp_path, server, sync_env, phone_at):
    """The same notes in two flashdeck collections synced to one Anki account (a laptop's
    and a desktop's, or the bundled deck imported into both the demo and one's own): one
    drops a note the other keeps. Each sync removed the note from Anki and the other's
    added it again, for ever ('1 removed', '1 added' on every sync), the card vanishing
    from the phone and coming back as a new Anki card each time."""
    vault = tmp_path / "vault"
    write_note(vault, "Bayes.md", BAYES)
    write_note(vault, "Variance.md", KEPT)
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"

    def sync(path):
        result = cli("--collection", path, "sync", "--endpoint", server.endpoint, "--user",
                     server.user)
        assert result.code == 0, result.err
        return result.out

    for path in (a, b):
        assert cli("--collection", path, "import", vault).code == 0
        sync(path)
    (vault / "Bayes.md").rename(tmp_path / "Bayes.md")  # a drops it; b keeps it
    assert "4 orphaned" in cli("--collection", a, "import", vault).out
    assert "4 removed" in sync(a)
    assert "4 added" in sync(b)  # b still has the cards: their notes come back
    for _ in range(2):
        assert "cards 0 added, 0 updated, 0 removed" in sync(a)
        assert "cards 0 added, 0 updated, 0 removed" in sync(b)
    phone = phone_at()
    phone.sync()
    bayes = phone.col.find_cards('"deck:flashcards::stats::bayes"')
    assert len(bayes) == 4
    card = phone.col.get_card(bayes[0])
    card.start_timer()
    phone.col.sched.answerCard(card, 3)
    phone.sync()
    assert "1 review from Anki" in sync(b)
    assert len(cli("--collection", b, "log", "--limit", "0", "--json").json) == 1

    # a takes the note back, and drops it again later: that removal goes through
    (tmp_path / "Bayes.md").rename(vault / "Bayes.md")
    assert cli("--collection", a, "import", vault).code == 0
    assert "1 review from Anki" in sync(a)  # the phone's answer, on a's card too
    (vault / "Bayes.md").rename(tmp_path / "Bayes.md")
    assert cli("--collection", a, "import", vault).code == 0
    assert "4 removed" in sync(a)
    assert cli("--collection", a, "doctor").code == 0 and cli("--collection", b,
                                                              "doctor").code == 0
