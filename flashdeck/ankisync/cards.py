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
import re
from collections import Counter
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
EXERCISE_DRAWS = 16  # answers a phone may have given since the other flashdeck drew a note


def adopter(col: Collection, notes, note_types: tuple[int, int], media: Media | None):
    """`assign_guids`'s `adopt` for a sync: the cards (rows, each with the GUID derived for
    it) whose derived GUID names no note of the mirror (`notes()`: `Mirror.notes()`, read
    only when a card has no GUID yet) take a note of the mirror no card claims, that
    another flashdeck on the account made of the same card, from the path and the text the
    card's note had when it first synced it (a note moved or edited since). In three
    stages, as card identity matches an imported note's cards (`collection/identity.py`):
      1. The same content: the note type the card should have, its Front and Back (Text
         for a cloze) as they are rendered now. Pairs are taken best first: the same Source
         field (path and line), then the same line, then the closer path.
      2. Edited: the same front (its answer rewritten), unique in the note and among the
         notes of its path; else a similar text (identity's similarity, at least its
         threshold, best pairs first) among the notes of the note the card's note was
         (`_Free.groups`): its own
         path (edited in place), the paths its other cards' notes were taken from in stage
         1 (moved or renamed), else the one path of its file name no note here has any
         more (moved). A card of another note is never taken, however alike.
      3. An exercise (its fields drawn from its GUID and its number of answers): a note of
         the same places whose fields it draws itself with that note's GUID.
    Each note and each card once."""

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
        waiting = []  # (row, its fields) of the cards that may take a note
        exercises = []
        for order, (row, derived) in enumerate(rows):
            if derived in have:
                continue
            if row["kind"] == "exercise":
                exercises.append(row)
                continue
            cloze = row["kind"] == "cloze"
            front, back, source = fields = _fields(col, row, "", cloze, media)
            waiting.append((row, fields))
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
        left = _Free(col, {guid: (mid, front, back, source)
                           for (mid, front, back), found in free.items()
                           for guid, source in found}, given, have)
        note_of = {row["id"]: row["note_id"] for row, _given in waiting}
        edited = [(row, fields) for row, fields in waiting if row["id"] not in taken]
        if left.at_path and edited:
            taken.update(_adopt_edited(edited, left, left.came_from(taken, note_of),
                                       note_types))
        if left.at_path and exercises:
            taken.update(_adopt_drawn(col, exercises, left, left.came_from(taken, note_of),
                                      have, note_types[0], media))
        return taken

    return adopt


def _source_path(relpath: str) -> str:
    """A note's path as the Source field of its cards' Anki notes holds it (`_rendered`)."""
    from flashdeck.ankisync.html import anki_field

    return anki_field(html.escape(PurePosixPath(relpath).as_posix()))


def _is_line(text: str) -> bool:
    """Whether a Source field's end is a line number as `_rendered` writes it."""
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()


def _plain(field: str) -> str:
    """An Anki field's text without its HTML tags, as similarity compares it (the tags of
    two short cards alone made them alike)."""
    return html.unescape(re.sub(r"<[^<>]*>", "", field))


class _Free:
    """The notes of the mirror no card claims, `free` (guid -> (note type, Front, Back,
    Source)): those stage 1 has not `given` (`left`), by the note path their Source names
    (`at_path`: a Source as flashdeck writes it; a note made on a phone has none), and the
    paths no note of this collection has (gone: moved, renamed or deleted here since the
    other flashdeck synced it), by file name."""

    def __init__(self, col: Collection, free: dict[str, tuple], given: set[str],
                 have: dict) -> None:
        self.sources = {guid: found[3] for guid, found in free.items()}
        # (path, note type, Front) of every note of the mirror (`have`: claimed ones too)
        self.fronts: Counter[tuple] = Counter()
        for _nid, mid, flds, *_rest in have.values():
            parts = flds.split(SEP)
            if len(parts) == 3:
                path, _, line = parts[2].rpartition(":")
                if path and _is_line(line):
                    self.fronts[path, mid, parts[0]] += 1
        self.left = {guid: found for guid, found in free.items() if guid not in given}
        left = self.left
        self.taken: set[str] = set()
        self.at_path: dict[str, list[str]] = {}
        for guid in sorted(left):
            path, _, line = left[guid][3].rpartition(":")
            if path and _is_line(line):
                self.at_path.setdefault(path, []).append(guid)
        live = {_source_path(relpath) for (relpath,) in col.conn.execute(
            "SELECT DISTINCT relpath FROM notes WHERE present = 1")}
        self.gone_as: dict[str, list[str]] = {}  # file name -> the paths gone of that name
        for path in self.at_path:
            if path not in live:
                self.gone_as.setdefault(path.rpartition("/")[2], []).append(path)

    def came_from(self, taken: dict[int, str], note_of: dict[int, int]) -> dict[int, set[str]]:
        """note id -> the paths in the Source of the notes its cards took (`taken`)."""
        found: dict[int, set[str]] = {}
        for card_id, guid in taken.items():
            if card_id in note_of and guid in self.sources:
                found.setdefault(note_of[card_id], set()).add(
                    self.sources[guid].rpartition(":")[0])
        return found

    def groups(self, own: str, came_from: set[str]) -> list[tuple[tuple, list[str]]]:
        """The note paths the note at `own` (a Source path) may have been, in groups that
        share no path, each with a key naming it: its own; the others its cards came from,
        else the one gone path of its file name (a note moved to another folder; with two
        of that name gone, which one it was is not told). Not any gone note of its folder:
        a vault's root holds many, and another vault synced to the account has its notes
        there too, all gone here; their cards are like this note's often enough (`Capital
        of France::Paris` and `Capital of Spain::Madrid` are 74 % alike)."""
        found = [(("path", own), [own])]
        moved_from = sorted(came_from - {own})
        if moved_from:
            found.append((("paths", *moved_from), moved_from))
        else:
            gone = self.gone_as.get(own.rpartition("/")[2], ())
            if len(gone) == 1:
                found.append((("path", gone[0]), list(gone)))
        return found


def _place(line: int, n: int) -> int:
    """A card's place for similarity's candidates (nearer places first), by its line: the
    `n`-th card of its note (`n` < MAX_NOTE_CARDS) on a line of its own, a note's line."""
    return line * 100_000 + n


def _adopt_edited(edited: list[tuple], free: _Free, came_from: dict[int, set[str]],
                  note_types: tuple[int, int]) -> dict[int, str]:
    """`adopter`'s stage 2: the cards `edited` ((row, fields) left by stage 1) matched by
    similarity to the `free` notes, note by note, among the notes each card's note was
    (`came_from`: note id -> the paths of the notes its cards took in stage 1).
    card id -> GUID."""
    from flashdeck.collection.card_rows import CardRow
    from flashdeck.collection.similar import CandidateIndex, _match_similar

    guids = sorted(free.left)
    number = {guid: n for n, guid in enumerate(guids)}  # CandidateIndex takes ids as ints
    kind_of = {note_types[0]: "basic", note_types[1]: "cloze"}
    pools: dict[tuple, CandidateIndex] = {}

    def pool(key: tuple, paths: list[str]) -> CandidateIndex:
        found = pools.get(key)
        if found is None:
            found = pools[key] = CandidateIndex()
            for path in paths:
                for guid in free.at_path.get(path, ()):
                    mid, front, back, source = free.left[guid]
                    if mid in kind_of:
                        found.add(number[guid], kind_of[mid], _plain(front), _plain(back), 0,
                                  _place(int(source.rpartition(":")[2]), 0))
        return found

    by_note: dict[int, list[tuple]] = {}
    for row, fields in edited:
        by_note.setdefault(row["note_id"], []).append((row, fields))
    used: set[int] = set()  # the notes taken
    result: dict[int, str] = {}
    for note_id, cards in by_note.items():
        own = cards[0][1][2].rpartition(":")[0]
        here = [pool(key, paths) for key, paths in free.groups(own, came_from.get(note_id,
                                                                                  set()))]
        pending = []
        for n, (row, (front, back, _source)) in enumerate(cards):
            kind = "cloze" if row["kind"] == "cloze" else "basic"
            pending.append((_place(row["line"], n), CardRow(
                kind, _plain(front), _plain(back), "", 0, "", "", 0, "", None, None)))
        matched: dict[int, int] = {}  # place -> number of the note taken
        # the question kept whole where it stands, its answer rewritten (identity's rule 3):
        # the one card of the note with that front, and the one note of its path
        asked: dict[tuple, list[str]] = {}
        for guid in free.at_path.get(own, ()):
            mid, front, _back, _source = free.left[guid]
            asked.setdefault((mid, front), []).append(guid)
        now = Counter((note_types[row["kind"] == "cloze"], front) for row, (front, *_) in cards)
        for (at, _card), (row, (front, *_)) in zip(pending, cards):
            key = (note_types[row["kind"] == "cloze"], front)
            found = asked.get(key, ())
            if now[key] == 1 and len(found) == 1 and free.fronts[(own, *key)] == 1 \
                    and number[found[0]] not in used:
                matched[at] = number[found[0]]
                used.add(number[found[0]])
        _match_similar([(at, card) for at, card in pending if at not in matched], here,
                       matched, used)
        for (at, _card), (row, _given) in zip(pending, cards):
            if at in matched:
                result[row["id"]] = guid = guids[matched[at]]
                free.taken.add(guid)
    return result


def _skeleton(front: str, back: str) -> str:
    """An exercise's fields without their numbers: what every draw of it shares."""
    return re.sub(r"[0-9]+", "", _plain(front + back))


def _adopt_drawn(col: Collection, exercises: list, free: _Free,
                 came_from: dict[int, set[str]], have: dict, basic: int,
                 media: Media | None) -> dict[int, str]:
    """`adopter`'s stage 3: each exercise card (`exercises`: rows) takes a `free` note of
    the places its note was (`_Free.groups`) whose Front and Back it draws itself from
    that note's GUID (`exercise_seed`), with the note's number of answers in Anki or one of
    the EXERCISE_DRAWS before (the answers a phone gave since the other flashdeck drew it).
    Only notes alike without their numbers (`_skeleton`) are drawn. card id -> GUID."""
    from difflib import SequenceMatcher

    from flashdeck.collection.similar import SIMILARITY_THRESHOLD

    result: dict[int, str] = {}
    for row in exercises:
        own = _source_path(row["relpath"])
        mine = _skeleton(*_fields(col, row, "", False, media)[:2])
        matcher = SequenceMatcher(None, b=mine, autojunk=False)
        for _key, paths in free.groups(own, came_from.get(row["note_id"], set())):
            found = None
            for guid in (g for path in paths for g in free.at_path.get(path, ())):
                mid, front, back, _source = free.left[guid]
                if guid in free.taken or mid != basic:
                    continue
                matcher.set_seq1(_skeleton(front, back))
                if matcher.quick_ratio() < SIMILARITY_THRESHOLD:
                    continue
                reps = max(0, int(have[guid][10] or 0))  # the Anki card's reps
                view = {**dict(row), "reps": 0}
                for drawn in range(reps, max(-1, reps - EXERCISE_DRAWS), -1):
                    view["reps"] = drawn
                    if _fields(col, view, guid, False, media)[:2] == (front, back):
                        found = guid
                        break
                if found is not None:
                    break
            if found is not None:
                result[row["id"]] = found
                free.taken.add(found)
                break
    return result
