"""Images embedded in a card, drawn on the review screen with `textual-image`.

`textual-image` draws with the Kitty graphics protocol or Sixel where the terminal has one,
Unicode half-blocks where it has neither (tmux, most SSH sessions). To choose, it asks the
terminal when it is imported; Textual reads the terminal's answers itself once running, so
the first image of a session imports it while the app is suspended (`App.suspend`, as the
editor does): the terminal is handed back for the moment of the question. A session with
no image never imports it (nor Pillow): the first card is not slowed down.

Each image is decoded once per session and kept small (`decode`): a JPEG is decoded at a
reduced scale (Pillow's `draft`), everything is cut down to `WORK_SIZE` (`reduce` by a
whole factor, then a small resample), an image that would decode to more than `MAX_PIXELS`
is not decoded at all ("too large"), and the cache holds `CACHE_ENTRIES` images: memory
stays bounded whatever the vault holds. Decoding runs in a thread, off the event loop.

`FLASHDECK_IMAGES`: `auto` (the default: what the terminal can draw), `halfblocks` (always
half-blocks, sized for 10×20-pixel cells whatever the terminal says; the tests use it, so
snapshots are the same everywhere) or `off` (labelled placeholders only).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from math import ceil
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.widgets import Static

from flashdeck.notes.embeds import NOT_A_FILE, NOT_AN_IMAGE, Embed
from flashdeck.tui.content import plain

MAX_PIXELS = 30_000_000  # decoded at most (a JPEG counts at its reduced scale): "too large"
MAX_FILE_BYTES = 256 * 1024 * 1024
WORK_SIZE = (1280, 1280)  # the most any card panel shows (sixel/kitty at ~120 columns)
CACHE_ENTRIES = 24  # decoded images kept (each at most WORK_SIZE, ~5 MB)
MAX_HEIGHT_FRACTION = 0.5  # of the card panel: the answer below an image stays in reach
MIN_ROWS = 3
MAX_PREFETCH = 4  # images of one card decoded ahead of the reveal
DEFAULT_CELL = (10, 20)  # pixels of a terminal cell when the terminal does not say

TOO_LARGE = "too large"
_BOMB_PIXELS = re.compile(r"\((\d{1,15}) pixels\)")  # in Pillow's DecompressionBombError
UNREADABLE = "cannot be read"


@dataclass(frozen=True, slots=True)
class Decoded:
    """An image ready to draw (`image`, at most WORK_SIZE, RGB), or why not (`problem`).
    `width`/`height`: the image's own size in pixels."""

    image: object | None
    width: int = 0
    height: int = 0
    problem: str | None = None


_cache: OrderedDict[tuple, Decoded] = OrderedDict()
_cache_lock = threading.Lock()
_decode_lock = threading.Lock()  # one decode at a time: one full-size buffer at most


def decode(path: Path) -> Decoded:
    """The image at `path`, decoded once for the session and cut down to `WORK_SIZE`.
    Thread-safe: the question's prefetch and the answer's drawing share the one decode."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return Decoded(None, problem=f"{UNREADABLE} ({exc.strerror or exc})")
    if not stat.S_ISREG(st.st_mode):  # a FIFO put there since: opening it would wait forever
        return Decoded(None, problem=NOT_A_FILE)
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _decode_lock:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                return hit
        decoded = _decode(path, st.st_size)
        with _cache_lock:
            _cache[key] = decoded
            while len(_cache) > CACHE_ENTRIES:
                _cache.popitem(last=False)
    return decoded


def drawable(parts) -> list[Embed]:
    """The images among a side's parts (`content.with_images`) that have a file to draw."""
    if isinstance(parts, str) or mode() == "off":
        return []
    return [part for part in parts if isinstance(part, Embed) and part.path is not None]


def prefetch(screen, embeds: list[Embed]) -> None:
    """Get the images of the card just shown ready while its question is read: textual-
    image imported (its question to the terminal asked now, not on the reveal) and each
    image decoded in a thread. The answer's images then draw at once."""
    if not embeds:
        return
    image_widget_class(screen.app)
    paths = [embed.path for embed in embeds[:MAX_PREFETCH]]
    screen.run_worker(lambda: [decode(path) for path in paths], thread=True,
                      group="image-prefetch")


def forget_decoded() -> None:
    with _cache_lock:
        _cache.clear()


def _decode(path: Path, size: int) -> Decoded:
    from PIL import Image, UnidentifiedImageError  # Pillow: only once a card has an image

    if size > MAX_FILE_BYTES:
        return Decoded(None, problem=f"{TOO_LARGE} ({size // (1024 * 1024)} MB)")
    if path.suffix.lower() == ".svg":
        return Decoded(None, problem="SVG is not drawn in the terminal")
    try:
        # opened without waiting (a FIFO swapped in since the check opens at once, and is
        # refused), and checked again once open: nothing here can block the decoding thread
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return Decoded(None, problem=NOT_A_FILE)
            with Image.open(file) as im:  # reads the header only
                width, height = im.size
                if width <= 0 or height <= 0:
                    return Decoded(None, problem=NOT_AN_IMAGE)
                turn = _ORIENTATIONS.get(_orientation(im))
                target = _fit((width, height), WORK_SIZE)
                # a JPEG decodes at 1/2, 1/4 or 1/8 scale (never below `target`): a 20 MP
                # photo costs a 1.4 MP buffer; other formats decode whole, so they are limited
                im.draft("RGB", target)
                if im.width * im.height > MAX_PIXELS:
                    return Decoded(None, width, height, f"{TOO_LARGE} ({width}×{height} pixels)")
                im.load()
                im = _flatten(im)
                factor = min(im.width // target[0], im.height // target[1])
                if factor >= 2:
                    im = im.reduce(factor)  # whole-pixel averaging: fast, and the big buffer goes
                if im.size != target:
                    im = im.resize(target, Image.Resampling.BILINEAR)
                if turn is not None:  # a phone's photo, upright as its viewer shows it
                    im = im.transpose(turn)
                    if turn in _QUARTER_TURNS:
                        width, height = height, width
                return Decoded(im, width, height)
    except Image.DecompressionBombError as exc:
        # Pillow refuses, from the header alone, an image of more than twice its own limit
        # (a 20000×20000 PNG of a few kB): as large as it is, not "not an image"
        pixels = _BOMB_PIXELS.search(str(exc))
        return Decoded(None, problem=f"{TOO_LARGE} ({int(pixels.group(1)):,} pixels)"
                       if pixels else TOO_LARGE)
    except UnidentifiedImageError:
        return Decoded(None, problem=NOT_AN_IMAGE)
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt file
        return Decoded(None, problem=f"{UNREADABLE} ({exc})")
    except Exception as exc:  # noqa: BLE001 - a decoder's own bug: said on the placeholder,
        # never a crash of the review (the rest of the card is still shown)
        return Decoded(None, problem=f"{UNREADABLE} ({type(exc).__name__}: {exc})")


# EXIF orientation -> the transpose that shows the image upright (Pillow's exif_transpose)
_ORIENTATIONS = {2: 0, 3: 3, 4: 1, 5: 5, 6: 4, 7: 6, 8: 2}  # Image.Transpose values
_QUARTER_TURNS = frozenset({2, 4, 5, 6})  # ROTATE_90, ROTATE_270, TRANSPOSE, TRANSVERSE


def _orientation(im) -> int:
    """The EXIF orientation tag (1: as stored); a damaged EXIF block reads as 1."""
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - the picture is still there to draw, unturned
        return 1


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down (never up) to fit in `box`, aspect kept."""
    width, height = size
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _flatten(im):
    """RGB; a transparent image over white (as an image viewer shows it)."""
    from PIL import Image

    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        back = Image.new("RGB", rgba.size, (255, 255, 255))
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return im if im.mode == "RGB" else im.convert("RGB")


def fit_cells(image_size: tuple[int, int], wanted: tuple[int | None, int | None],
              cell: tuple[int, int], max_cols: int, max_rows: int) -> tuple[int, int]:
    """The (columns, rows) an image takes: its own size (or the size the note asks for,
    `|300` or `|300x200` pixels) in cells, kept inside `max_cols` × `max_rows`, aspect
    ratio kept."""
    width, height = image_size
    want_w, want_h = wanted
    if want_w and want_h:
        px_w, px_h = want_w, want_h
    elif want_w:
        px_w, px_h = want_w, want_w * height / width
    elif want_h:
        px_w, px_h = want_h * width / height, want_h
    else:
        px_w, px_h = width, height
    cell_w, cell_h = cell
    cols, rows = px_w / cell_w, px_h / cell_h
    scale = min(1.0, max_cols / cols if cols else 1.0, max_rows / rows if rows else 1.0)
    return max(1, round(cols * scale)), max(1, ceil(rows * scale - 0.01))


# -- textual-image, imported when the first image is drawn ------------------------------------

_widget_class: type | None = None
_cell_size: tuple[int, int] = DEFAULT_CELL


def mode() -> str:
    value = os.environ.get("FLASHDECK_IMAGES", "auto").strip().lower()
    return value if value in ("auto", "halfblocks", "off") else "auto"


def image_widget_class(app) -> type:
    """textual-image's widget for this terminal, imported on first use (see the module
    doc: on a real terminal, while the app is suspended, so its question is answered)."""
    global _widget_class, _cell_size
    if _widget_class is not None:
        return _widget_class
    if not app.is_headless and sys.__stdout__ is not None and sys.__stdout__.isatty():
        from textual.app import SuspendNotSupported

        try:
            with app.suspend():
                import textual_image.widget  # noqa: F401 - asks the terminal, once
        except SuspendNotSupported:
            import textual_image.widget  # noqa: F401
    from textual_image._terminal import get_cell_size
    from textual_image.widget import HalfcellImage, Image

    if mode() == "halfblocks":  # the same size on every terminal (the tests' snapshots)
        _widget_class, _cell_size = HalfcellImage, DEFAULT_CELL
        return _widget_class
    _widget_class = Image
    cell = get_cell_size()
    _cell_size = (cell.width, cell.height) if cell.width and cell.height else DEFAULT_CELL
    return _widget_class


class CardImage(Vertical):
    """One embedded image: drawn below a one-line caption naming it, or, when it cannot be
    shown, a labelled placeholder that names it and says why."""

    DEFAULT_CSS = """
    CardImage {
        height: auto;
        margin: 0 0 1 0;
        & > .image-caption {
            color: $text-muted;
            text-style: italic;
            width: 1fr;
        }
        & > .image-missing {
            color: $warning;
            width: 1fr;
        }
    }
    """

    def __init__(self, embed: Embed, **kwargs) -> None:
        super().__init__(**kwargs)
        self.embed = embed
        self.decoded: Decoded | None = None

    def compose(self) -> ComposeResult:
        embed = self.embed
        if embed.path is None or mode() == "off":
            yield Static(Content(plain(embed.label())), classes="image-missing")
            return
        yield Static(Content(plain(embed.name)), classes="image-caption")

    def on_mount(self) -> None:
        if self.embed.path is not None and mode() != "off":
            self.run_worker(self._decode, thread=True, exclusive=True, group="decode")

    def _decode(self) -> None:
        decoded = decode(self.embed.path)
        self.app.call_from_thread(self._show, decoded)

    async def _show(self, decoded: Decoded) -> None:
        if not self.is_attached:
            return
        self.decoded = decoded
        if decoded.image is None:
            caption = self.query_one(".image-caption", Static)
            caption.update(Content(plain(Embed(self.embed.name, self.embed.target,
                                               problem=decoded.problem).label())))
            caption.set_classes("image-missing")
            return
        cols, rows = self._cells(decoded)
        widget = image_widget_class(self.app)(_for_cells(decoded.image, cols, rows),
                                              classes="image")
        widget.styles.width = cols
        widget.styles.height = rows
        await self.mount(widget, before=0)

    def _cells(self, decoded: Decoded) -> tuple[int, int]:
        columns, panel_rows = self._room()
        max_rows = max(MIN_ROWS, int(panel_rows * MAX_HEIGHT_FRACTION))
        return fit_cells((decoded.width, decoded.height), (self.embed.width, self.embed.height),
                         _cell_size, columns, max_rows)

    def _room(self) -> tuple[int, int]:
        """The columns of this side of the card and the rows of the card panel showing it."""
        columns = self.content_region.width or self.parent.content_region.width or \
            self.app.size.width
        rows = self.app.size.height
        node = self.parent
        while node is not None and node is not self.screen:
            if isinstance(node, ScrollableContainer) and node.content_region.height:
                rows = node.content_region.height
                break
            node = node.parent
        return max(columns, 1), max(rows, 1)

    def on_resize(self) -> None:
        """A new width: the image refitted."""
        decoded = self.decoded
        if decoded is None or decoded.image is None:
            return
        for widget in self.query(".image"):
            cols, rows = self._cells(decoded)
            if (widget.styles.width.value, widget.styles.height.value) != (cols, rows):
                widget.image = _for_cells(decoded.image, cols, rows)
                widget.styles.width = cols
                widget.styles.height = rows


def _for_cells(image, cols: int, rows: int):
    """`image` at the pixel size it is drawn in `cols` × `rows` cells: textual-image
    re-samples its image on every frame, so it is given no more pixels than it draws
    (half-blocks: two a cell; Kitty or Sixel: the cell's pixels)."""
    from PIL import Image

    renderer = getattr(_widget_class, "_Renderable", None)
    coarse = renderer is None or renderer.__module__.rsplit(".", 1)[-1] in ("halfcell",
                                                                            "unicode")
    size = (cols, rows * 2) if coarse else (cols * _cell_size[0], rows * _cell_size[1])
    size = (max(1, min(size[0], image.width)), max(1, min(size[1], image.height))) \
        if not coarse else size
    return image if image.size == size else image.resize(size, Image.Resampling.BILINEAR)
