"""Card text that looks like Anki's own cloze syntax stays text in Anki: one flashdeck card
is one Anki card, and only answers on that card join its log."""

from __future__ import annotations

from support.notes import write_note

NOTE = """---
tags: [flashcards/anki]
---
# Cloze syntax

Anki writes a deletion as `{{c2::answer}}` and a hint as ==`{{c1::answer::hint}}`==.

In C++ the scope operator in ==`std::vector`== is written twice.

The fraction ==$\\frac{1}{x^{2}}$== closes two braces at once.
"""


def sync(cli, path, server):
    return cli("--collection", path, "sync", "--endpoint", server.endpoint, "--user",
               server.user)


def anki_cards(phone) -> dict[str, list[int]]:
    """Source field -> the ordinals of the Anki cards of that flashdeck note."""
    cards: dict[str, list[int]] = {}
    for flds, ord_ in phone.col.db.all(
            "SELECT n.flds, c.ord FROM cards c JOIN notes n ON n.id = c.nid"
            " JOIN notetypes m ON m.id = n.mid WHERE m.name = 'flashdeck cloze'"
            " ORDER BY c.ord"):
        cards.setdefault(flds.split("\x1f")[2], []).append(ord_)
    return cards


def test_cloze_syntax_in_a_card_is_one_anki_card_asking_the_right_thing(
        cli, tmp_path, server, sync_env, phone_at):
    write_note(tmp_path / "vault", "Cloze syntax.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    clozes = [c for c in cli("--collection", a, "list", "--json").json
              if c["kind"] == "cloze"]
    assert len(clozes) == 3
    result = sync(cli, a, server)
    assert result.code == 0, result.err
    phone = phone_at()
    phone.sync()
    cards = anki_cards(phone)
    assert sorted(cards) == sorted(f"Cloze syntax.md:{c['line']}" for c in clozes)
    assert all(ords == [0] for ords in cards.values()), cards
    # each card asks exactly the flashdeck deletion, and shows it whole on the answer
    answers = {}
    for (cid,) in phone.col.db.all(
            "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid JOIN notetypes m"
            " ON m.id = n.mid WHERE m.name = 'flashdeck cloze'"):
        card = phone.col.get_card(cid)
        question, answer = card.question(), card.answer()
        assert question.count('class="cloze"') == 1, question
        source = card.note().fields[2]
        answers[source] = answer
    assert len(answers) == 3, answers
    code, scope, fraction = (answers[f"Cloze syntax.md:{c['line']}"] for c in
                             sorted(clozes, key=lambda c: c["line"]))
    assert "&#123;&#123;c2&#58;&#58;answer&#125;&#125;" in code  # shown as written
    assert "std&#58;&#58;vector" in scope and "[...]" not in scope  # no hint taken
    assert "\\frac&#123;1&#125;&#123;x^&#123;2&#125;&#125;" in fraction  # the whole fraction


def test_an_extra_anki_card_made_on_the_phone_is_no_flashdeck_answer(
        cli, tmp_path, server, sync_env, phone_at):
    """The phone adds `{{c2::…}}` to a flashdeck cloze note: Anki makes a second card. The
    text goes back to the note's, the extra card goes, and an answer given on it before
    that is not counted as an answer of the flashdeck card."""
    write_note(tmp_path / "vault", "Cloze syntax.md", NOTE)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    assert sync(cli, a, server).code == 0
    phone = phone_at()
    phone.sync()
    nid = phone.col.db.scalar("SELECT n.id FROM notes n JOIN notetypes m ON m.id = n.mid"
                              " WHERE m.name = 'flashdeck cloze' ORDER BY n.id LIMIT 1")
    note = phone.col.get_note(nid)
    original = list(note.fields)
    note.fields[0] += " And {{c2::an extra}} deletion."
    phone.col.update_note(note)
    extra = next(c for c in note.cards() if c.ord == 1)
    extra.start_timer()
    phone.col.sched.answerCard(extra, 1)  # again, on the extra card only
    phone.sync()
    assert phone.revlog() == 1

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert cli("--collection", a, "log", "--limit", "0", "--json").json == []
    assert cli("--collection", a, "doctor").code == 0
    phone.sync()
    note = phone.col.get_note(nid)
    assert note.fields == original
    assert [c.ord for c in note.cards()] == [0]
    assert "0 reviews from Anki, 0 to Anki" in sync(cli, a, server).out


def test_exported_package_has_one_anki_card_per_flashdeck_card(cli, tmp_path):
    from anki.collection import (Collection, ImportAnkiPackageOptions,
                                 ImportAnkiPackageRequest)

    write_note(tmp_path / "vault", "Cloze syntax.md", NOTE + """
<script>alert(1)</script> in a front::a <b>bold</b> back with {{Front}} in it
""")
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    cards = cli("--collection", a, "list", "--json").json
    out = tmp_path / "syntax.apkg"
    result = cli("--collection", a, "export", "anki", out)
    assert result.code == 0, result.err
    (tmp_path / "anki").mkdir()
    anki = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        anki.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(out), options=ImportAnkiPackageOptions(with_scheduling=True)))
        assert anki.card_count() == len(cards) == 4
        shown = "\n".join(anki.get_card(cid).question() + anki.get_card(cid).answer()
                          for cid in anki.find_cards(""))
        assert "<script>" not in shown and "<b>" not in shown
        assert "&lt;script&gt;" in shown and "{{Front}} in it" in shown
    finally:
        anki.close()


CONTROLS = """---
tags: [flashcards/shell]
---
# Terminal colours

Escape that starts a colour in a terminal::ESC then `[31m`: \x1b[31m red\x1b[0m

What a bell character does::it rings\x07 the terminal's bell

Pasted from a PDF::a unit\x1fseparator and a form\x0cfeed
"""


def test_control_characters_reach_the_phone_as_the_screen_shows_them_and_stay_put(
        cli, tmp_path, server, sync_env, phone_at):
    """Anki drops the ASCII controls (but tab and newline) from every field it saves: a
    card holding one was a note whose fields never matched what flashdeck renders, so
    every sync rewrote it and sent it to the server and every phone again ('1 updated'
    each time), and the phone showed the text with the characters gone where the review
    screen shows their control pictures (␛, ␇)."""
    write_note(tmp_path / "vault", "Terminal colours.md", CONTROLS)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", tmp_path / "vault").code == 0
    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "cards 3 added" in result.out
    for _ in range(2):
        result = sync(cli, a, server)
        assert result.code == 0, result.err
        assert "cards 0 added, 0 updated, 0 removed" in result.out
    phone = phone_at()
    phone.sync()
    text = "\n".join(phone.col.db.list("SELECT flds FROM notes"))
    assert "\u241b[31m red\u241b[0m" in text and "rings\u2407 the" in text
    assert "unit\u241fseparator" in text and "form\u240cfeed" in text
    assert all(len(flds.split("\x1f")) == 3 for flds in phone.col.db.list(
        "SELECT flds FROM notes"))
