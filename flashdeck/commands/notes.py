"""import, check, list, show."""

from __future__ import annotations

import sys
import time

from flashdeck.commands import (
    deck_name,
    open_collection,
    print_json,
    print_json_stream,
    reader_gone,
)
from flashdeck.words import count


def register(sub) -> None:
    p = sub.add_parser("import", help="add or refresh notes (folders: notes tagged #flashcards)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="note files or vault folders")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("check", help="parse notes and report their cards and problems; writes nothing")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("list", help="list cards")
    p.add_argument("--deck", metavar="D", type=deck_name, help="only this deck and its subdecks")
    p.add_argument("--due", action="store_true", help="only cards due today")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="print a card as the review screen shows it")
    p.add_argument("card_id", metavar="CARD_ID")
    p.add_argument("--answer", action="store_true", help="show the answer side too")
    p.add_argument("--seed", type=int, help="exercise cards: the instance to show")
    p.add_argument("--width", type=_show_width, metavar="N",
                   help="columns to lay the card out in (default: the terminal's, else 80)")
    p.set_defaults(func=cmd_show)


def _print_problems(report) -> None:
    """Each problem as `path:line: message` on one line of stderr; a path or message from
    the user's files cannot drive the terminal, nor break the line (a file name may hold a
    newline)."""
    from flashdeck.textsafe import sanitize_line

    for problem in report.errors:
        print(sanitize_line(str(problem)), file=sys.stderr)
    for problem in report.warnings:
        print(sanitize_line(f"{problem.path}:{problem.line}: warning: {problem.message}"),
              file=sys.stderr)


class _Progress:
    """A progress bar on stderr, shown only when the import runs longer than a moment."""

    DELAY = 0.5

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar = None
        self.task = None
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress("Importing", BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=Console(stderr=True),
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task("import", total=total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        self.enabled = False  # once closed, never drawn again
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def cmd_import(args) -> int:
    from flashdeck.clock import now
    from flashdeck.collection.importer import ImportInterrupted, import_paths

    moment = int(now().timestamp())
    progress = _Progress() if not args.json else None
    with open_collection(args, create=True) as col:
        try:
            report = import_paths(col, args.paths, now=moment, progress=progress)
        except ImportInterrupted as stop:
            if progress:
                progress.close()
            return _interrupted(stop.report, args.paths)
        finally:
            if progress:
                progress.close()
    code = 1 if report.errors else 0
    try:
        if args.json:
            print_json(report.to_json())
        else:
            _print_problems(report)
            print(report.summary())
            _say_unread(report) or _say_untagged(report)
            sys.stdout.flush()
    except BrokenPipeError:  # `flashdeck import V | head -0`: the import is done all the same
        return reader_gone(code)
    return code


def _say_untagged(report) -> None:
    """A vault kept without the plugin's tag (`import` or `check` of it): "0 imported" and
    nothing to say why or what to do."""
    skipped = report.notes_skipped
    if not skipped or report.notes_imported or report.notes_unchanged:
        return
    print(("The note scanned has no" if skipped == 1 else
           f"None of the {skipped:,} notes scanned has a") +
          " flashcard tag (`#flashcards`, or the `tags` of the vault's .flashdeck.toml): a"
          " folder import reads tagged notes only. Tag the notes to learn from (`tags:"
          " [flashcards]` in their frontmatter), or name a note file to import it untagged.")


def _say_unread(report) -> bool:
    """`decks = "folders"`: the plugin reviews every note of a subfolder; flashdeck reads an
    untagged one only when it is plainly a flashcard note (README, Settings). Those left
    unread that hold cards in the plugin's syntax are named, not dropped in silence (and
    then `_say_untagged`'s line, which says less, is not said)."""
    if not report.unread_notes:
        return False
    from flashdeck.textsafe import sanitize_line

    names = ", ".join(report.unread_names)
    more = report.unread_notes - len(report.unread_names)
    if more:
        names += f" and {count(more, 'other')}"
    notes = ("An untagged note in a subfolder holds" if report.unread_notes == 1 else
             f"{report.unread_notes:,} untagged notes in subfolders hold")
    cards = report.unread_cards
    print(sanitize_line(
        f"{notes} {cards:,} card{'s' if cards != 1 else ''} in the plugin's syntax (`::`"
        f" lines, clozes), not read: {names}. Folder decks read an untagged note only when it holds"
        " the plugin's schedules (`<!--SR:`) or a `?` line, since Dataview's `key:: value`"
        " fields look like cards: tag the notes to learn from."))
    return True


def _interrupted(report, paths: list[str]) -> int:
    """Ctrl-C: what was found so far, and what was kept (each batch of notes is committed
    as it is written: the notes imported so far stay, and the next import reads the rest)."""
    import shlex

    from flashdeck.textsafe import sanitize

    _print_problems(report)
    notes = report.notes_imported
    print(sanitize(
        f"flashdeck: import interrupted; the {notes:,} note{'s' if notes != 1 else ''} imported"
        f" so far ({report.cards_added:,} cards added, {report.cards_updated:,} updated) are"
        f" kept: `flashdeck import {' '.join(shlex.quote(p) for p in paths)}` again imports"
        " the rest"), file=sys.stderr)
    return 130


def cmd_check(args) -> int:
    from flashdeck.collection.importer import check_paths

    notes, report = check_paths(args.paths)
    if args.json:
        print_json({
            "notes": [
                {
                    "path": note.path,
                    "title": note.title,
                    "cards": [
                        {"kind": c.kind, "deck": c.deck, "line": c.line, "front": c.front,
                         "back": c.back}
                        for c in note.cards
                    ],
                }
                for note in notes
            ],
            "errors": report.to_json()["errors"],
            "warnings": report.to_json()["warnings"],
        })
    else:
        from flashdeck.textsafe import sanitize, sanitize_line

        import shutil

        # in the terminal's columns, as `list`: a long deck name cut with … (it ran into the
        # front), the front cut at the line's end with … in columns a terminal counts (it was
        # cut at 70 characters, silently, and 70 wide ones took 140 columns)
        width = max(shutil.get_terminal_size().columns, 40)
        deck_width = max(8, min(24, (width - 19) // 3))
        try:
            for note in notes:
                print(sanitize_line(f"{note.path}: {count(len(note.cards), 'card')}"))
                for card in note.cards:
                    first = card.front.strip().splitlines()[0] if card.front.strip() else ""
                    head = (f"  {card.line:>5}  {card.kind:<9}"
                            f" {_fit(sanitize(card.deck), deck_width)}")
                    print((head + " " + _cut(sanitize(first), width - _cells(head) - 1))
                          .rstrip())
            sys.stdout.flush()
        except BrokenPipeError:
            # `flashdeck check V | head`: the problems (on stderr) were never said, and the
            # exit code was 0 however many notes failed
            code = reader_gone(1 if report.errors else 0)
            _print_problems(report)
            return code
        _print_problems(report)
        # the notes read, and how many of them gave a card: "2 notes with cards, 0 cards"
        # said of two tagged notes that gave none
        with_cards = sum(1 for note in notes if note.cards)
        print(f"{count(report.notes_imported, 'note')} read ({with_cards} with cards),"
              f" {count(report.cards_added, 'card')},"
              f" {count(report.notes_skipped, 'untagged note')} skipped,"
              f" {count(len(report.errors), 'error')}, {count(len(report.warnings), 'warning')}")
        _say_unread(report) or _say_untagged(report)
    return 1 if report.errors else 0


def cmd_list(args) -> int:
    from flashdeck.collection.cards import list_cards

    with open_collection(args, readonly=True) as col:
        ids = None
        if args.due:  # what `flashdeck due` counts, in the order the review gives them
            from flashdeck.scheduling.config import load_config
            from flashdeck.scheduling.engine import Engine

            ids = Engine(col, load_config(), now=lambda: args.now, deck=args.deck
                         ).queue().today()
        if args.json:
            print_json_stream(card.to_json() for card in list_cards(
                col, deck=args.deck, ids=ids))
            return 0
        import shutil
        from itertools import islice

        columns = _ListColumns(shutil.get_terminal_size().columns)
        cards = list_cards(col, deck=args.deck, ids=ids, lines=True)
        listed = 0
        if sys.stdout.isatty():  # a line at a time: the first ones show at once
            batches = iter(lambda: list(islice(cards, 1)), [])
        else:  # written in batches (a pipe or a file): one write per 256 cards
            batches = iter(lambda: list(islice(cards, 256)), [])
        for batch in batches:
            if not listed and sys.stdout.isatty():
                print(columns.header())
            listed += len(batch)
            print("\n".join(map(columns.row, batch)))
        if listed == 0:
            from flashdeck.textsafe import sanitize

            print("no cards" + (f" in deck {sanitize(args.deck)}" if args.deck else ""),
                  file=sys.stderr)
    return 0


class _ListColumns:
    """`flashdeck list`'s lines: id, when due, deck, and the front as it reads (one
    line: math as Unicode, markdown marks dropped, wiki links as their text), sized to the
    terminal's `width`: a long deck name is cut with `…` so it never runs into the front, and
    the front is cut at the line's end. Plain text, control characters shown (`sanitize`).
    Due is `new`, `now` (due already), a local date, or `suspended`."""

    ID, DUE = 6, 10
    GAP = "  "

    def __init__(self, width: int) -> None:
        from flashdeck.clock import local_tz, now

        self.width = max(width, 40)
        self.now = int(now().timestamp())
        self.tz = local_tz()
        fixed = self.ID + self.DUE + 3 * len(self.GAP)
        room = self.width - fixed  # for the deck and the front
        self.deck = max(8, min(24, room // 3))

    def header(self) -> str:
        return self._line("id".rjust(self.ID), "due", "deck", "front")

    def row(self, card) -> str:
        from flashdeck.render import inline_text

        # as it reads (a question card's front is its heading), like the breadcrumbs of
        # `show` and the review screen
        source = card.front.strip()
        front = inline_text(source.splitlines()[0]) if source else ""
        if card.source_missing:  # `due` counts it; `doctor` names the missing row
            front = f"(source missing) {front}"
        return self._line(f"{card.id:>{self.ID}}", self._due(card), card.deck, front)

    def _due(self, card) -> str:
        if card.suspended:
            return "suspended"
        if card.state == "new":
            return "new"
        if card.due is None or card.due <= self.now:
            return "now"
        from datetime import datetime, timezone

        try:
            moment = datetime.fromtimestamp(card.due, timezone.utc).astimezone(self.tz)
        except (OverflowError, OSError, ValueError):
            return "?"
        return moment.strftime("%Y-%m-%d")

    def _line(self, ident: str, due: str, deck: str, front: str) -> str:
        from flashdeck.textsafe import sanitize

        head = self.GAP.join((ident, _fit(due, self.DUE), _fit(sanitize(deck), self.deck)))
        line = head + self.GAP + _cut(sanitize(front), self.width - _cells(head) - len(self.GAP))
        return line.rstrip()


def _cells(text: str) -> int:
    """Terminal columns of `text`, counted so that a line measured here never runs wider on
    a terminal: wide East Asian characters and emoji take two; combining marks, joiners and
    other invisible format characters none; a text-style symbol made emoji by U+FE0F (❤️)
    two. An emoji sequence a terminal may draw joined (👨‍👩‍👧, 👍🏽, 🇩🇪) counts as its parts
    drawn apart, as a terminal that cannot join them draws it."""
    if text.isascii():
        return len(text)
    return sum(map(_char_cells, text))


def _char_cells(ch: str) -> int:
    import unicodedata

    if ch.isascii():
        return 1
    if ch == "\ufe0f":  # emoji presentation: its (narrow) symbol is drawn two wide
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf") \
            or "\ufe00" <= ch <= "\ufe0e" or "\U000e0100" <= ch <= "\U000e01ef":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _graphemes(text: str) -> list[str]:
    """`text` as the characters a reader sees (close to Unicode's extended grapheme
    clusters): a letter with its combining marks, an emoji with its skin tone, variation
    selector and zero-width-joined parts, a flag's two regional indicators, an Indic
    consonant joined by a virama to the next. A cut between two of them never leaves half a
    character (a family emoji cut to a man, a flag to a letter in a box)."""
    import unicodedata

    out: list[str] = []
    joining = False  # the last character joins the next one to it (ZWJ, virama)
    flag_open = False  # the last cluster is one regional indicator, waiting for its pair
    for ch in text:  # bounded: one pass
        code = ord(ch)
        regional = 0x1F1E6 <= code <= 0x1F1FF
        extends = out and (
            (joining and not ch.isspace())
            or (regional and flag_open)
            or unicodedata.combining(ch)
            or unicodedata.category(ch) in ("Mn", "Me", "Mc")
            or ch == "\u200d"
            or 0xFE00 <= code <= 0xFE0F or 0xE0020 <= code <= 0xE007F
            or 0xE0100 <= code <= 0xE01EF or 0x1F3FB <= code <= 0x1F3FF)
        if extends:
            out[-1] += ch
            flag_open = False
        else:
            out.append(ch)
            flag_open = regional
        joining = ch == "\u200d" or unicodedata.combining(ch) == 9  # 9: a virama
    return out


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` columns, ending in `…` when it was cut, never inside a
    character as a reader sees it (`_graphemes`)."""
    if _cells(text) <= width:
        return text
    if text.isascii():
        return text[:max(width - 1, 0)].rstrip() + "…"
    out, used = [], 0
    for cluster in _graphemes(text):
        used += _cells(cluster)
        if used > width - 1:
            break
        out.append(cluster)
    return "".join(out).rstrip() + "…"


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` columns, then padded to them."""
    text = _cut(text, width)
    return text + " " * (width - _cells(text))


MIN_SHOW_WIDTH, MAX_SHOW_WIDTH = 20, 1000


def _show_width(text: str) -> int:
    """`show --width N`: a whole number of columns, within reason."""
    import argparse

    value = text.strip()
    if not (value.isascii() and value.isdigit()) or \
            not MIN_SHOW_WIDTH <= int(value) <= MAX_SHOW_WIDTH:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of columns from {MIN_SHOW_WIDTH} to {MAX_SHOW_WIDTH}")
    return int(value)


def _terminal_columns() -> int | None:
    """stdout's terminal width ($COLUMNS first, as shutil has it), or None when stdout is no
    terminal."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def cmd_show(args) -> int:
    from flashdeck.collection.cards import get_card, parse_card_id
    from flashdeck.render import note_resolver, print_card

    card_id = parse_card_id(args.card_id)
    with open_collection(args, readonly=True) as col:
        card = get_card(col, card_id)
        resolver = note_resolver(col, card)  # images named with their path in the vault
    width = getattr(args, "width", None) or _terminal_columns() or 80
    print_card(card, answer=args.answer, seed=args.seed,
               width=max(MIN_SHOW_WIDTH, min(width, MAX_SHOW_WIDTH)), resolver=resolver)
    return 0
