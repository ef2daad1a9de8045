"""A vault with an attachments folder and Pillow-drawn images, and a collection whose one
card embeds them (the review screen's image tests and snapshots)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from support.tui import card, make_collection


def draw_plot(path: Path, size=(320, 200)) -> Path:
    """A small precision-recall plot: axes, a red curve, a blue dot."""
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", size, (245, 245, 240))
    d = ImageDraw.Draw(im)
    w, h = size
    d.line([(10, h - 10), (w - 10, h - 10)], fill=(0, 0, 0), width=2)
    d.line([(10, h - 10), (10, 10)], fill=(0, 0, 0), width=2)
    d.line([(10 + x * (w - 20) / 50, 10 + (h - 20) * (x / 50) ** 2) for x in range(51)],
           fill=(200, 30, 30), width=4)
    d.ellipse([w // 2 - 20, h // 2 - 20, w // 2 + 20, h // 2 + 20], fill=(30, 80, 200))
    im.save(path)
    return path


def vault_with(tmp_path: Path, back: str, front: str = "What does a good PR curve look like?"):
    """(vault, collection path): a vault with `.obsidian/` and `attachments/pr-curve.png`,
    and a collection holding one question card of the note `ML/Metrics/Precision
    Recall.md`, imported from the whole vault."""
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    draw_plot(vault / "attachments" / "pr-curve.png")
    note = vault / "ML" / "Metrics" / "Precision Recall.md"
    note.parent.mkdir(parents=True)
    note.write_text(f"### {front}\n{back}\n", encoding="utf-8")
    path = make_collection(tmp_path / "c.sqlite",
                           [card("question", front, back, 1, breadcrumb=("Precision Recall",))],
                           note_path=note)
    conn = sqlite3.connect(path)
    try:  # the source is the vault (a folder import), the note in a subfolder of it
        conn.execute("UPDATE sources SET path = ?", (str(vault),))
        conn.execute("UPDATE notes SET relpath = ?", ("ML/Metrics/Precision Recall.md",))
        conn.commit()
    finally:
        conn.close()
    return vault, path
