"""`flashdeck sync` against a real Anki sync server on 127.0.0.1, with a plain Anki
collection as the phone (issue 21's "Done when")."""

from __future__ import annotations

import stat

from support.notes import write_note

SOFTMAX = """---
tags: [flashcards/ml]
summary: Turns a vector of scores into probabilities that add up to one.
---
# Softmax

$$\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_{j} e^{z_j}}$$

Its outputs always add up to ==one==.

Temperature::a divisor $T$ of the logits, before the exponentials

### Why subtract the largest logit first?
So that $e^{z}$ cannot overflow; the probabilities stay the same.

![[softmax-plot.png]]
"""

COSINE = """#flashcards/ml

# Cosine similarity

Cosine similarity of $a$ and $b$::$\\frac{a \\cdot b}{\\lVert a \\rVert \\lVert b \\rVert}$

Range of cosine similarity::from $-1$ to $1$

What does a cosine of 0 mean?::the vectors are orthogonal
"""

# a 1x1 PNG
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def vault(tmp_path):
    folder = tmp_path / "vault"
    write_note(folder, "Softmax.md", SOFTMAX)
    write_note(folder, "Cosine similarity.md", COSINE)
    (folder / "softmax-plot.png").write_bytes(PNG)
    return folder


def answer_next(cli, path, count: int) -> None:
    for _ in range(count):
        card = cli("--collection", path, "next", "--json").json["card"]
        assert cli("--collection", path, "answer", card["id"], "good").code == 0


def sync(cli, path, server, *extra):
    return cli("--collection", path, "sync", "--endpoint", server.endpoint, "--user",
               server.user, *extra)


def log(cli, path) -> list[dict]:
    return cli("--collection", path, "log", "--limit", "0", "--json").json


def doctor_ok(cli, path) -> bool:
    result = cli("--collection", path, "doctor", "--json")
    return result.code == 0 and result.json["ok"]


def flashdeck_notes(phone) -> dict[str, list[str]]:
    rows = phone.col.db.all(
        "SELECT n.flds FROM notes n JOIN notetypes m ON m.id = n.mid"
        " WHERE m.name IN ('flashdeck', 'flashdeck cloze')")
    return {row[0].split("\x1f")[0]: row[0].split("\x1f") for row in rows}


def test_reviews_flow_both_ways_and_to_a_second_flashdeck(cli, tmp_path, server, sync_env,
                                                          phone_at):
    notes = vault(tmp_path)
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", notes).code == 0
    cards = cli("--collection", a, "list", "--json").json
    answer_next(cli, a, 5)

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "5 to Anki" in result.out

    phone = phone_at()
    phone.sync()
    fields = flashdeck_notes(phone)
    assert len(fields) == len(cards)  # every card
    text = "\n".join("\x1f".join(f) for f in fields.values())
    assert "\\[\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_{j} e^{z_j}}\\]" in text  # display math
    assert "\\(T\\)" in text  # inline math
    assert "{{c1::one}}" in text  # the cloze
    assert '<img src="softmax-plot.png">' in text  # the image, as media
    assert phone.revlog() == 5
    assert phone.col.media.have("softmax-plot.png")

    phone.answer(3)
    phone.sync()
    assert phone.revlog() == 8

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "3 reviews from Anki" in result.out
    history = log(cli, a)
    assert len(history) == 8
    assert doctor_ok(cli, a)  # every card's state is the replay of its merged log

    # a second flashdeck over the same notes, whose card ids differ
    b = tmp_path / "b.sqlite"
    write_note(tmp_path / "other", "Extra.md", "#flashcards\n\nFirst::one\n\nSecond::two\n")
    assert cli("--collection", b, "import", tmp_path / "other").code == 0
    assert cli("--collection", b, "import", notes).code == 0
    result = sync(cli, b, server)
    assert result.code == 0, result.err
    b_history = log(cli, b)
    assert len(b_history) == 8
    assert doctor_ok(cli, b)
    b_cards = {c["id"]: c["front"] for c in cli("--collection", b, "list", "--json").json}
    a_cards = {c["id"]: c["front"] for c in cards}
    assert {r["card"] for r in history} != {r["card"] for r in b_history}  # other ids
    assert sorted((a_cards[r["card"]], r["time"], r["rating"]) for r in history) == \
        sorted((b_cards[r["card"]], r["time"], r["rating"]) for r in b_history)

    # nothing is counted twice by syncing again, anywhere
    assert sync(cli, a, server).code == 0
    assert sync(cli, b, server).code == 0
    phone.sync()
    assert phone.revlog() == 8
    assert len(log(cli, a)) == 8 and len(log(cli, b)) == 8


def test_login_key_kept_owner_only_never_the_password(cli, tmp_path, server, sync_env,
                                                       monkeypatch):
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    assert sync(cli, a, server).code == 0
    login = sync_env / "flashdeck" / "anki" / "login.json"
    assert stat.S_IMODE(login.stat().st_mode) == 0o600
    assert server.password not in login.read_text()
    # the next sync needs no password: the key and the account are remembered
    monkeypatch.delenv("FLASHDECK_SYNC_PASSWORD")
    result = cli("--collection", a, "sync")
    assert result.code == 0, result.err
    assert server.endpoint in result.out
    # a key the server no longer takes: logged in again with the password
    login.write_text(login.read_text().replace('"hkey": "', '"hkey": "0'))
    monkeypatch.setenv("FLASHDECK_SYNC_PASSWORD", server.password)
    result = cli("--collection", a, "sync")
    assert result.code == 0, result.err
    assert '"hkey": "0' not in login.read_text()


def test_wrong_password_one_line_exit_2_nothing_changed(cli, tmp_path, server, sync_env,
                                                        monkeypatch):
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    answer_next(cli, a, 2)
    monkeypatch.setenv("FLASHDECK_SYNC_PASSWORD", "wrong")
    result = sync(cli, a, server)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "refused the login" in result.err
    assert not (sync_env / "flashdeck" / "anki" / "login.json").exists()
    assert len(log(cli, a)) == 2 and doctor_ok(cli, a)


def test_server_down_one_line_exit_2_and_the_next_sync_finishes(cli, tmp_path, server,
                                                                 sync_env, phone_at):
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    assert sync(cli, a, server).code == 0
    answer_next(cli, a, 2)
    server.stop()
    result = sync(cli, a, server)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "cannot reach the sync server" in result.err
    assert len(log(cli, a)) == 2 and doctor_ok(cli, a)


def test_no_account_given_is_a_usage_error(cli, tmp_path, sync_env):
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    result = cli("--collection", a, "sync")
    assert result.code == 2
    assert "--user" in result.err


def test_notes_stay_the_source_of_truth(cli, tmp_path, server, sync_env, phone_at):
    """A card's text edited in Anki is put back, a card deleted there comes back."""
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    assert sync(cli, a, server).code == 0
    phone = phone_at()
    phone.sync()
    before = flashdeck_notes(phone)
    notes = phone.col.find_notes("")
    edited = phone.col.get_note(notes[0])
    original = list(edited.fields)
    edited.fields[1] = "changed on the phone"
    phone.col.update_note(edited)
    phone.col.remove_notes([notes[1]])
    phone.sync()
    assert len(flashdeck_notes(phone)) == len(before) - 1

    result = sync(cli, a, server)
    assert result.code == 0, result.err
    assert "1 added" in result.out
    phone.sync()
    assert flashdeck_notes(phone) == before
    assert phone.col.get_note(notes[0]).fields == original


def test_settings_file_keeps_working_after_a_sync(cli, tmp_path, server, sync_env,
                                                  monkeypatch):
    """config.toml keeps its settings and comments and gets `[sync]` endpoint and user;
    every command still reads it."""
    import tomllib

    from flashdeck.scheduling.config import load_config

    config = tmp_path / "config.toml"
    config.write_text("# mine\nnew_per_day = 10\n", encoding="utf-8")
    monkeypatch.setenv("FLASHDECK_CONFIG", str(config))
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    assert sync(cli, a, server).code == 0
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# mine\nnew_per_day = 10\n")
    assert load_config(config).new_per_day == 10
    assert tomllib.loads(text)["sync"] == {"endpoint": server.endpoint, "user": server.user}
    assert cli("--collection", a, "due").code == 0


def test_without_the_extra_sync_names_it(cli, tmp_path, monkeypatch):
    import sys

    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault(tmp_path)).code == 0
    monkeypatch.setitem(sys.modules, "anki", None)  # as if not installed
    for args in (["sync", "--user", "me"], ["export", "anki", tmp_path / "x.apkg"]):
        result = cli("--collection", a, *args)
        assert result.code == 2
        assert "pip install 'flashdeck[anki]'" in result.err


def test_the_login_key_is_written_whole_by_two_syncs_at_once(sync_env):
    """Two syncs saving their login at once shared one fixed `login.json.tmp`: one of them
    failed (FileExistsError) or renamed the other's half-written file. Each now writes a temp
    file of its own under the folder's lock, fsynced: the file is always one whole login,
    owner-only, and no temp file is left."""
    import json
    import threading

    from flashdeck.ankisync.sync import Login, login_path, save_login

    errors = []

    def save(n: int) -> None:
        try:
            for i in range(25):
                save_login(Login(f"http://127.0.0.1:{n}/", f"user{n}", f"key{n}-{i}" * 50))
        except Exception as exc:  # the test's report: which writer failed, and how
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    saved = json.loads(login_path().read_text())
    n = int(saved["user"][4:])
    assert saved["endpoint"] == f"http://127.0.0.1:{n}/" and saved["hkey"].startswith(f"key{n}-")
    assert stat.S_IMODE(login_path().stat().st_mode) == 0o600
    assert sorted(p.name for p in login_path().parent.iterdir()) == ["login.json"]
