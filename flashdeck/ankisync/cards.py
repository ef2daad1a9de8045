"""flashdeck's live cards as the notes and card states of the Anki mirror (`MirrorCard`).

Fields: Front and Back as HTML (`html.to_html`: math as MathJax), a cloze's text with its
asked deletion as `{{c1::…}}`, an exercise as one drawn instance (prompt; answer and the
working) whose numbers are drawn from the card's GUID and its number of reviews, so every
flashdeck over the same notes draws the same ones, and they change after each review.
Source: the note's path inside its vault and the card's line. Images embedded in a card are
found in its vault as the review screen finds them and added to the collection's media.
"""

from __future__ import annotations

import hashlib
import html
import os
from datetime import datetime
from pathlib import Path, PurePosixPath

from flashdeck.ankisync.html import cloze_html, to_html
from flashdeck.ankisync.mirror import SEP, MirrorCard, anki_deck, anki_schedule
from flashdeck.ankisync.merge import LIVE_CARDS
from flashdeck.collection.cards import CardView, deck_clause
from flashdeck.collection.store import Collection


def exercise_seed(guid: str, reps: int) -> int:
    return int.from_bytes(hashlib.sha256(guid.encode()).digest()[:4], "big") + (reps or 0)


class Media:
    """Images of one collection's cards, resolved in their vaults and added to the Anki
    collection's media folder once each (`add`: a file path -> the media name)."""

    def __init__(self, add) -> None:
        self.add = add
        self.names: dict[Path, str | None] = {}

    def resolver(self, col: Collection, view: CardView):
        """images() for `html.to_html`: the card's embeds found in its vault, as the review
        screen finds them (`render.note_resolver`), each added to the media once."""
        from flashdeck.render import note_resolver

        resolver = note_resolver(col, view)
        if resolver is None:
            return None

        def images(kind: str, first: str, second: str) -> str | None:
            embed = resolver.wiki(first) if kind == "wiki" else resolver.markdown(first, second)
            if embed.path is None or not embed.is_image:
                return None
            if embed.path not in self.names:
                try:
                    self.names[embed.path] = self.add(embed.path)
                except OSError:  # unreadable now: the card shows the placeholder
                    self.names[embed.path] = None
            return self.names[embed.path]
        return images


RENDERING = "2"  # bump when the fields are rendered differently: every note is redone


def _inputs(col: Collection, row) -> str:
    """What a card's fields are made from (a changed input: the fields are rendered again),
    the image files it shows included."""
    parts = (RENDERING, row["kind"], row["front"], row["back"], row["relpath"],
             str(row["line"]), str(row["reps"]) if row["kind"] == "exercise" else "",
             *_image_files(col, row))
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()


def _image_files(col: Collection, row) -> list[str]:
    """The image files a card embeds as they are now (path, size, modification time): an
    image edited in the vault makes the card's fields again, and so reaches Anki (under
    a new media name: Anki never replaces a media file of the same name)."""
    from flashdeck.ankisync.html import embeds
    from flashdeck.render import note_resolver

    resolver = note_resolver(col, CardView.from_row(row))
    if resolver is None:
        return []
    files = []
    for kind, first, second in embeds(row["front"]) + embeds(row["back"]):
        embed = resolver.wiki(first) if kind == "wiki" else resolver.markdown(first, second)
        if embed.path is None or not embed.is_image:
            continue
        try:
            info = os.stat(embed.path)
            files.append(f"{embed.path}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:  # gone or unreadable now: rendered as the placeholder
            files.append(f"{embed.path}:none")
    return files


def fields_hash(flds: str) -> str:
    return hashlib.sha1(flds.encode()).hexdigest()


def mirror_cards(col: Collection, guids: dict[int, str], config, now: datetime, tz,
                 anki_today: int, media: Media | None = None, deck: str | None = None,
                 have: dict | None = None, stamps: dict | None = None,
                 note_types: tuple[int, int] = (0, 0), damaged: dict[int, str] | None = None
                 ) -> tuple[list[MirrorCard], dict[int, str]]:
    """The MirrorCard of every live card that has a GUID (of `deck` and its subdecks), and
    the cards' new stamps. A card whose stamp (`stamps[card id]`: its inputs and its fields'
    hash) says the mirror's note (`have`: `Mirror.notes()`, of the note type it should have:
    `note_types`, basic and cloze) holds its fields as they would be rendered now is not
    rendered again (fields None: left as they are). With `damaged` (a dict), a card whose
    stored schedule is damaged (`state.stored_problem`) is left out and its one-line
    problem kept there by card id."""
    from flashdeck.scheduling.state import stored_problem
    from flashdeck.scheduling.step import scheduling_date

    today = scheduling_date(now, config.day_start_hour, tz)
    clause, params = deck_clause(deck)
    have, stamps = have or {}, stamps or {}
    result, new_stamps = [], {}
    for row in col.conn.execute(LIVE_CARDS + clause + " ORDER BY c.id", params):
        guid = guids.get(row["id"])
        if guid is None:
            continue
        if damaged is not None:
            problem = stored_problem(row)
            if problem is not None:
                damaged[row["id"]] = problem
                continue
        inputs = _inputs(col, row)
        current = have.get(guid)
        stamp = stamps.get(row["id"])
        cloze = row["kind"] == "cloze"
        fields = None
        if current is None or current[1] != note_types[cloze] or stamp is None \
                or stamp != f"{inputs}:{fields_hash(current[2])}":
            fields = _fields(col, row, guid, cloze, media)
            new_stamps[row["id"]] = f"{inputs}:{fields_hash(chr(0x1f).join(fields))}"
        schedule = anki_schedule(row, today, anki_today, config, tz, now)
        result.append(MirrorCard(guid=guid, cloze=cloze, fields=fields,
                                 deck=anki_deck(row["deck"]), **schedule))
    return result, new_stamps


def _fields(col: Collection, row, guid: str, cloze: bool,
            media: Media | None) -> tuple[str, str, str]:
    from flashdeck.ankisync.html import anki_field

    front, back, source = _rendered(col, row, guid, cloze, media)
    return anki_field(front), anki_field(back), anki_field(source)


def _rendered(col: Collection, row, guid: str, cloze: bool,
              media: Media | None) -> tuple[str, str, str]:
    view = CardView.from_row(row)
    images = media.resolver(col, view) if media is not None else None
    source = html.escape(f"{PurePosixPath(row['relpath']).as_posix()}:{row['line']}")
    if cloze:
        return cloze_html(row["back"], images), "", source
    front, back = _sides(view, guid, images)
    return front, back, source


def _sides(view: CardView, guid: str, images) -> tuple[str, str]:
    from flashdeck.render import back_markdown, front_markdown

    seed = exercise_seed(guid, view.reps) if view.kind == "exercise" else None
    try:
        front, back = front_markdown(view, seed), back_markdown(view, seed)
    except (ValueError, ArithmeticError, KeyError) as exc:
        # an exercise template that cannot be drawn: the card says so (flashdeck shows
        # the same problem on `show`); its schedule still syncs
        front = view.front
        back = f"(this exercise cannot be drawn: {exc})"
    return to_html(front, images), to_html(back, images)


ADOPT_CHOICES = 20  # notes of one content weighed for one card (the rest are not looked at)
_GUID_LENGTH = len("fd") + 16  # merge.derived_guid's: "fd" and 12 bytes in base64


def adopter(col: Collection, notes, note_types: tuple[int, int], media: Media | None):
    """`assign_guids`'s `adopt` for a sync: the cards (rows, each with the GUID derived for
    it) whose derived GUID names no note of the mirror (`notes()`: `Mirror.notes()`, read
    only when a card has no GUID yet) take a note of the mirror no card claims that holds
    their content — the note type the card should have, its Front and Back (Text for a
    cloze) as they are rendered now. Another flashdeck on the account made that note
    from the path the card's note had then (a note moved since). Pairs are taken best
    first: the same Source field (path and line), then the same line, then the closer path;
    each note and each card once. An exercise card is never taken this way (its fields are
    drawn from its GUID)."""

    def adopt(rows: list[tuple], claimed: set[str]) -> dict[int, str]:
        have = notes()
        free: dict[tuple, list[tuple[str, str]]] = {}
        for guid, (_nid, mid, flds, *_rest) in have.items():
            if guid in claimed or (len(guid) > _GUID_LENGTH and guid[:_GUID_LENGTH] in claimed):
                continue  # a card's own, or the suffixed GUID of a copy of one
            parts = flds.split(SEP)
            if len(parts) == 3:
                free.setdefault((mid, parts[0], parts[1]), []).append((guid, parts[2]))
        if not free:
            return {}
        from difflib import SequenceMatcher  # deferred: only when a card may take a note

        pairs = []
        for order, (row, derived) in enumerate(rows):
            if row["kind"] == "exercise" or derived in have:
                continue
            cloze = row["kind"] == "cloze"
            front, back, source = _fields(col, row, "", cloze, media)
            found = free.get((note_types[cloze], front, back), ())[:ADOPT_CHOICES]
            for guid, theirs in found:
                same_line = theirs.rpartition(":")[2] == source.rpartition(":")[2]
                closeness = SequenceMatcher(None, theirs, source, autojunk=False).ratio()
                pairs.append(((theirs != source, not same_line, -closeness, order, guid),
                              row["id"], guid))
        taken: dict[int, str] = {}
        given: set[str] = set()
        for _score, card_id, guid in sorted(pairs):
            if card_id not in taken and guid not in given:
                taken[card_id] = guid
                given.add(guid)
        return taken

    return adopt
