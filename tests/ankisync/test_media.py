"""Images travel to Anki as media, and a changed image travels again."""

from __future__ import annotations

import os
import re
import struct
import zlib

from support.notes import write_note

NOTE = """---
tags: [flashcards/optim]
---
# Learning rate

What does a too-high learning rate do to the loss?::it diverges, like this ![[loss-curve.png]]
"""


def png(red: int, green: int, blue: int) -> bytes:
    """A 1x1 PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, red, green, blue]))) + chunk(b"IEND", b""))


def shown_image(phone) -> bytes:
    """The bytes of the image the phone's flashdeck card shows."""
    (flds,) = phone.col.db.first(
        "SELECT n.flds FROM notes n JOIN notetypes m ON m.id = n.mid"
        " WHERE m.name = 'flashdeck'")
    (name,) = re.findall(r'<img src="([^"]+)"', flds)
    with open(f"{phone.col.media.dir()}/{name}", "rb") as image:
        return image.read()


def test_an_image_edited_in_the_vault_reaches_the_phone(cli, tmp_path, server, sync_env,
                                                         phone_at):
    vault = tmp_path / "vault"
    write_note(vault, "Learning rate.md", NOTE)
    (vault / "loss-curve.png").write_bytes(png(255, 0, 0))
    a = tmp_path / "a.sqlite"
    args = ["--collection", a, "sync", "--endpoint", server.endpoint, "--user", server.user]
    assert cli("--collection", a, "import", vault).code == 0
    assert cli(*args).code == 0
    phone = phone_at()
    phone.sync()
    assert shown_image(phone) == png(255, 0, 0)

    image = vault / "loss-curve.png"
    before = image.stat().st_mtime_ns
    image.write_bytes(png(0, 0, 255))  # the plot redrawn, a minute later
    os.utime(image, ns=(before + 60 * 10**9, before + 60 * 10**9))
    assert cli("--collection", a, "import", vault).code == 0
    result = cli(*args)
    assert result.code == 0, result.err
    assert "1 updated" in result.out
    phone.sync()
    assert shown_image(phone) == png(0, 0, 255)
    # nothing changed since: nothing is sent again
    assert "0 added, 0 updated, 0 removed" in cli(*args).out


def test_exported_package_carries_the_images_of_its_cards(cli, tmp_path):
    from anki.collection import (Collection, ImportAnkiPackageOptions,
                                 ImportAnkiPackageRequest)

    vault = tmp_path / "vault"
    write_note(vault, "Learning rate.md", NOTE + "\nThe curve ![[loss-curve.png]] falls"
               " ==below zero== never.\n")
    (vault / "loss-curve.png").write_bytes(png(0, 128, 0))
    a = tmp_path / "a.sqlite"
    assert cli("--collection", a, "import", vault).code == 0
    out = tmp_path / "rate.apkg"
    result = cli("--collection", a, "export", "anki", out)
    assert result.code == 0, result.err
    assert "2 cards" in result.out
    (tmp_path / "anki").mkdir()
    anki = Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        anki.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(out), options=ImportAnkiPackageOptions(with_scheduling=True)))
        fields = [flds for (flds,) in anki.db.all("SELECT flds FROM notes")]
        names = {name for flds in fields for name in re.findall(r'<img src="([^"]+)"', flds)}
        assert len(names) == 1 and sum("<img" in flds for flds in fields) == 2
        with open(f"{anki.media.dir()}/{names.pop()}", "rb") as image:
            assert image.read() == png(0, 128, 0)
        assert any("{{c1::below zero}}" in flds for flds in fields)
    finally:
        anki.close()
