"""A 20-megapixel image on the review screen: time to first draw and peak memory.

    python benchmarks/image_bench.py [--runs N] [--skip-tui]

Two images of 5472×3648 pixels (a phone photo's 20 MP) are drawn with Pillow: a PNG (a
screenshot-like plot: it decodes whole) and a JPEG (decoded at a reduced scale). For each:

- decode + draw, in a fresh process: `flashdeck.tui.images.decode` (decode once, cut down
  to the working size) and textual-image's half-block renderable drawing it in 72×10
  cells, as the review panel does at 80×24 — the time from the file to the first frame's
  cells (median of --runs), and the process's peak RSS against a process that only
  imports the same libraries (the memory the image costs);
- in a real terminal (tmux, 80×24): `flashdeck review` on a card whose answer embeds the
  image; the time from Space (reveal) until the half-blocks are on the screen, the
  session's first image. While the question is read (--read seconds) the answer's images
  are decoded and textual-image asks the terminal what it can draw: the reveal only draws.

Target (PRODUCT.md §4, issue 22): under 0.3 s, memory bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tui_bench import end, forget_server, start_session, tmux  # noqa: E402  (one tmux server of ours)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SIZE = (5472, 3648)
TARGET_SECONDS = 0.3

# Run in a fresh interpreter: what one image costs, cold (its own imports done first, so the
# figure is the image's, not the libraries').
CHILD = """
import json, resource, sys, time
from io import StringIO
from pathlib import Path
from rich.console import Console
from flashdeck.tui import images
from PIL import Image
from textual_image.renderable.halfcell import Image as HalfcellImage
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[1] == "-":
    print(json.dumps({"seconds": 0.0, "peak_kib": before, "base_kib": before}))
    raise SystemExit
start = time.perf_counter()
decoded = images.decode(Path(sys.argv[1]))
assert decoded.image is not None, decoded.problem
cols, rows = images.fit_cells((decoded.width, decoded.height), (None, None), (10, 20), 72, 10)
console = Console(file=StringIO(), width=80, color_system="truecolor")
console.print(HalfcellImage(decoded.image, cols, rows))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "base_kib": before,
                  "cells": [cols, rows], "drawn": "\u2580" in console.file.getvalue()}))
"""


def make_images(folder: Path) -> dict[str, Path]:
    """The two images, drawn in a process of their own: this one stays small, so the
    measuring processes it starts inherit no peak RSS from it (fork copies the parent)."""
    paths = {"PNG": folder / "plot-20mp.png", "JPEG": folder / "photo-20mp.jpg"}
    done = subprocess.run([sys.executable, __file__, "--draw", str(folder)])
    if done.returncode:
        raise RuntimeError("could not draw the images")
    return paths


def draw_images(folder: Path) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    width, height = SIZE
    im = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    draw = ImageDraw.Draw(im)
    for i in range(0, width, 48):  # a plot's worth of lines and marks
        draw.line([(i, 0), (width - i, height)], fill=(i % 255, (i * 3) % 255, 200), width=7)
        draw.ellipse([i, (i * 7) % height, i + 40, (i * 7) % height + 40], fill=(200, 40, 40))
    im.save(folder / "plot-20mp.png")
    im.save(folder / "photo-20mp.jpg", quality=88)


def in_process(path: Path | str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                          text=True, cwd=HERE.parent, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout)


# -- in tmux: reveal -> half-blocks on screen -----------------------------------------------
def vault_collection(work: Path, image: Path | None) -> Path:
    """A vault whose one note's answer embeds `image` (in its attachments folder; None: no
    image, the baseline), imported by the CLI into a collection of its own."""
    name = image.suffix[1:] if image is not None else "none"
    vault = work / f"vault-{name}"
    (vault / ".obsidian").mkdir(parents=True, exist_ok=True)
    (vault / "attachments").mkdir(exist_ok=True)
    embed = "- the curve\n- the range"
    if image is not None:
        target = vault / "attachments" / image.name
        if not target.exists():
            os.link(image, target)
        embed = f"![[{image.name}]]"
    (vault / "Plots.md").write_text(
        "---\ntags: [flashcards]\n---\n### What does the big plot show?\n"
        f"The curve over the whole range.\n\n{embed}\n", encoding="utf-8")
    collection = work / f"c-{name}.sqlite"
    done = subprocess.run([sys.executable, "-m", "flashdeck", "--collection", str(collection),
                           "import", str(vault)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return collection


def reveal_to_image(collection: Path, read_seconds: float, marker: str = "▀",
                    timeout: float = 30.0) -> float:
    session = f"img{os.getpid()}{time.monotonic_ns() % 100000}"
    command = (f"env FLASHDECK_NOW=2026-11-24T09:00:00+00:00 TERM=xterm-256color "
               f"{shlex.quote(sys.executable)} -m flashdeck --collection "
               f"{shlex.quote(str(collection))} review")
    start_session(session, command, (80, 24))
    try:
        deadline = time.perf_counter() + timeout
        while "What does the big plot show?" not in tmux("capture-pane", "-p", "-t", session):
            if time.perf_counter() > deadline:
                raise RuntimeError("the card never appeared")
            time.sleep(0.02)
        time.sleep(read_seconds)  # reading the question (the answer's images prefetched)
        start = time.perf_counter()
        tmux("send-keys", "-t", session, "Space")
        while marker not in tmux("capture-pane", "-p", "-t", session):
            if time.perf_counter() - start > timeout:
                raise RuntimeError("the image never appeared")
            time.sleep(0.005)
        return time.perf_counter() - start
    finally:
        end(session)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-tui", action="store_true")
    parser.add_argument("--read", type=float, default=2.0,
                        help="seconds the question is on screen before Space (default 2)")
    parser.add_argument("--draw", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.draw:
        draw_images(Path(args.draw))
        return 0
    with tempfile.TemporaryDirectory(prefix="flashdeck-image-bench-") as tmp:
        work = Path(tmp)
        paths = make_images(work / "images")
        base = in_process("-")
        rows = []
        plain_reveal = None
        if not args.skip_tui:  # the baseline: the same card with a list where the image is
            try:
                plain_reveal = statistics.median(
                    reveal_to_image(vault_collection(work, None), args.read, "• the range")
                    for _ in range(max(1, args.runs // 2)))
            finally:
                forget_server()
        for kind, path in paths.items():
            runs = [in_process(path) for _ in range(max(1, args.runs))]
            seconds = statistics.median(r["seconds"] for r in runs)
            peak_mib = max(r["peak_kib"] for r in runs) / 1024
            cost_mib = peak_mib - base["peak_kib"] / 1024
            row = {"image": f"{kind} {SIZE[0]}×{SIZE[1]} ({path.stat().st_size / 1e6:.1f} MB)",
                   "decode_and_draw_s": seconds, "peak_rss_mib": peak_mib,
                   "image_cost_mib": cost_mib, "cells": runs[0]["cells"],
                   "drawn": all(r["drawn"] for r in runs)}
            if not args.skip_tui:
                collection = vault_collection(work, path)
                try:
                    reveal = [reveal_to_image(collection, args.read)
                              for _ in range(max(1, args.runs // 2))]
                finally:
                    forget_server()
                row["reveal_to_image_tmux_s"] = statistics.median(reveal)
            rows.append(row)
    print(f"baseline process (Python, Pillow, Rich, textual-image imported): "
          f"{base['peak_kib'] / 1024:.0f} MiB peak RSS")
    if plain_reveal is not None:
        print(f"baseline reveal (tmux, the same card without an image): Space → answer on "
              f"screen {plain_reveal:.3f} s")
    for row in rows:
        verdict = "pass" if row["decode_and_draw_s"] < TARGET_SECONDS else "FAIL"
        line = (f"{row['image']}: decode + draw {row['decode_and_draw_s']:.3f} s "
                f"({verdict}, target < {TARGET_SECONDS} s), peak RSS {row['peak_rss_mib']:.0f} MiB "
                f"(+{row['image_cost_mib']:.0f} MiB for the image), drawn in "
                f"{row['cells'][0]}×{row['cells'][1]} cells")
        if "reveal_to_image_tmux_s" in row:
            line += f"; tmux, Space → image on screen {row['reveal_to_image_tmux_s']:.3f} s"
        print(line)
    out = HERE / "results" / "image_bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if all(r["decode_and_draw_s"] < TARGET_SECONDS for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
