"""Images embedded in notes, drawn on the review screen (half-blocks in the tests), and the
placeholders that say why one cannot be shown."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flashdeck.notes.embeds import VaultIndex
from flashdeck.tui import images
from support.images import draw_plot, vault_with
from support.tui import NOW_ISO, app_for, card, make_collection, run_async, screen_text

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _half_blocks(monkeypatch):
    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("FLASHDECK_IMAGES", "halfblocks")
    VaultIndex.forget()
    images.forget_decoded()
    yield
    VaultIndex.forget()
    images.forget_decoded()


async def revealed(pilot):
    await pilot.press("space")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@run_async
async def test_an_image_in_the_attachments_folder_is_drawn_in_half_blocks(tmp_path):
    _vault, path = vault_with(tmp_path, "It hugs the top right corner.\n\n![[pr-curve.png]]\n\n"
                                        "Precision stays high as recall grows.")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await revealed(pilot)
        from textual_image.widget import HalfcellImage

        [image] = app.screen.query(HalfcellImage)
        panel = app.screen.query_one("#card")
        # scaled to fit: at most half the card panel high, never wider than the panel
        assert 0 < image.size.height <= panel.content_region.height // 2
        assert image.size.width <= panel.content_region.width
        # 320×200 pixels in 10×20-pixel cells: 32 columns, 10 rows, cut to the height cap
        assert image.size.width / image.size.height == pytest.approx(32 / 10, rel=0.25)
        text = screen_text(app)
        assert "▀" in text
        assert "pr-curve.png" in text  # its caption
        assert "It hugs the top right corner." in text
        # the answer below it is in reach: PageDown brings it into view
        await pilot.press("end")
        await pilot.pause()
        assert "Precision stays high as recall grows." in screen_text(app)


@run_async
async def test_a_missing_image_is_named_and_says_why(tmp_path):
    _vault, path = vault_with(tmp_path, "The figure from the lecture:\n\n"
                                        "![[confusion-matrix.png]]\n\nTP, FP, FN, TN.")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await revealed(pilot)
        text = screen_text(app)
        assert "[image: confusion-matrix.png — not found]" in text
        assert "TP, FP, FN, TN." in text
        assert "textual_image" not in sys.modules or not app.screen.query("HalfcellImage")


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width`×`height` pixels in a few bytes (a decompression bomb:
    its header alone is read before anything is decoded)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data,why", [
    (b"this is not a png at all", "not an image"),
    ("truncated", "cannot be read"),  # half a PNG: an interrupted sync
    (None, "too large"),
    # 20000×20000 declared in a few bytes: Pillow's own bomb check refuses it at the header
    # (it said "not an image")
    (png_header(20_000, 20_000), "too large (400,000,000 pixels)]"),
], ids=["text", "truncated", "over-our-limit", "bomb"])
def test_an_unreadable_or_huge_image_says_why(tmp_path, monkeypatch, data, why):
    @run_async
    async def run():
        vault, path = vault_with(tmp_path, "![[plot.png]]")
        target = vault / "attachments" / "plot.png"
        if data == "truncated":
            whole = draw_plot(target).read_bytes()
            target.write_bytes(whole[: len(whole) // 2])
        elif data is not None:
            target.write_bytes(data)
        else:
            draw_plot(target, (400, 300))
            monkeypatch.setattr(images, "MAX_PIXELS", 100_000)
        app = app_for(path)
        async with app.run_test(size=SIZE) as pilot:
            await revealed(pilot)
            text = screen_text(app)
            assert f"[image: plot.png — {why}" in text

    run()


@run_async
async def test_an_image_outside_the_vault_is_not_read(tmp_path):
    draw_plot(tmp_path / "secret.png")
    _vault, path = vault_with(tmp_path, "![a secret](../../../secret.png)")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await revealed(pilot)
        assert "[image: a secret (secret.png) — outside the vault]" in screen_text(app)


@run_async
async def test_a_remote_image_stays_a_labelled_link(tmp_path):
    _vault, path = vault_with(tmp_path, "![Arithmetic mean](https://i.example.com/mean.jpg)")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await revealed(pilot)
        assert "[image: Arithmetic mean (mean.jpg) — a link (not downloaded)]" in \
            screen_text(app)


def test_a_huge_jpeg_is_decoded_small(tmp_path):
    """A 20-megapixel photo is decoded at a reduced scale and cut down to the working size:
    what is kept for the session is small, and a second showing decodes nothing."""
    from PIL import Image

    big = tmp_path / "photo.jpg"
    Image.new("RGB", (5472, 3648), (120, 160, 200)).save(big, quality=80)
    decoded = images.decode(big)
    assert (decoded.width, decoded.height) == (5472, 3648)
    assert max(decoded.image.size) <= max(images.WORK_SIZE)
    assert images.decode(big) is decoded  # cached


def test_fit_cells_keeps_the_aspect_and_the_caps():
    assert images.fit_cells((320, 200), (None, None), (10, 20), 72, 100) == (32, 10)
    assert images.fit_cells((320, 200), (160, None), (10, 20), 72, 100) == (16, 5)
    assert images.fit_cells((320, 200), (300, 200), (10, 20), 72, 100) == (30, 10)
    assert images.fit_cells((4000, 4000), (None, None), (10, 20), 72, 8) == (16, 8)
    assert images.fit_cells((8000, 100), (None, None), (10, 20), 72, 8) == (72, 1)


def test_a_card_without_images_never_imports_textual_image_or_pillow(tmp_path):
    """The first card of a session without images costs nothing more than before."""
    path = make_collection(tmp_path / "c.sqlite",
                           [card("basic", "Is Dice the same as F1?", "Yes, on binary masks.", 1)])
    script = textwrap.dedent(f"""
        import asyncio, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from support.tui import app_for
        from pathlib import Path

        async def main():
            app = app_for(Path({str(path)!r}))
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.press("space")
                await pilot.pause()
        asyncio.run(main())
        loaded = [m for m in ("textual_image", "PIL", "flashdeck.tui.images",
                              "flashdeck.notes.embeds") if m in sys.modules]
        print(loaded)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, env={"FLASHDECK_NOW": NOW_ISO, "PATH": "/usr/bin:/bin",
                                           "TEXTUAL_ANIMATIONS": "none"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


@run_async
async def test_images_past_the_cap_are_named_and_the_screen_says_why(tmp_path):
    """Thirty slides embedded in one answer: the first 20 are drawn, the other ten read as
    `[image: …]` labels, which said nothing of why they were not drawn like the ones above.
    Now a line says so where they start."""
    from flashdeck.cardtext import MAX_IMAGES

    # the cap falls inside a line of three: its last two were neither drawn nor named
    slides = ["![[pr-curve.png]]"] * (MAX_IMAGES - 1) + ["![[pr-curve.png]] " * 3] + \
        ["![[pr-curve.png]]"] * 8
    _vault, path = vault_with(tmp_path, "\n".join(slides) + "\n\nThe last slide sums it up.")
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await revealed(pilot)
        from textual_image.widget import HalfcellImage

        assert len(app.screen.query(HalfcellImage)) == MAX_IMAGES
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert f"More images than the {MAX_IMAGES} drawn on a card: the rest are named, not" \
            in text
        assert text.count("[image: pr-curve.png]") == 10
        assert "The last slide sums it up." in text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_swapped_in_for_an_image_never_blocks_the_decoding(tmp_path):
    """An embed resolved to a file that is replaced by a FIFO before it is drawn (a sync
    tool's temporary, a hostile vault): opening it waited for a writer for ever, holding the
    one decoding lock, and every image of the session after it stayed blank. Now it is
    refused at once: "not a file"."""
    import threading

    fifo = tmp_path / "plot.png"
    os.mkfifo(fifo)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(images.decode(fifo)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # release it: a writer lets its open return
        with open(fifo, "wb"):
            pass
    assert not worker.is_alive()
    assert result[0].image is None and result[0].problem == "not a file"


def test_a_phone_photo_is_drawn_upright(tmp_path):
    """A phone stores a portrait photo as a landscape JPEG with an EXIF orientation tag;
    Obsidian and every viewer turn it upright, the review screen drew it on its side (the
    whiteboard photo of a lecture, unreadable). Now it is turned as the tag says."""
    from PIL import Image

    photo = tmp_path / "whiteboard.jpg"
    im = Image.new("RGB", (400, 200), (220, 30, 30))
    im.paste((30, 30, 220), (200, 0, 400, 200))  # left half red, right half blue as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    im.save(photo, exif=exif, quality=95)
    decoded = images.decode(photo)
    assert (decoded.width, decoded.height) == (200, 400)  # portrait, as it is seen
    assert decoded.image.height > decoded.image.width
    top = decoded.image.getpixel((decoded.image.width // 2, 5))
    bottom = decoded.image.getpixel((decoded.image.width // 2, decoded.image.height - 5))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # red above blue
