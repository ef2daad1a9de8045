"""`flashdeck export anki FILE.apkg`: the live cards with their schedules and history as an
Anki package, written by Anki's own exporter.

The package is made from a throwaway Anki collection built as the sync builds its mirror
(same note types, GUIDs, fields, decks and card states; every review in the revlog), so a
deck exported and later synced is the same deck. The decks carry their own preset
("flashdeck") with flashdeck's FSRS parameters: Anki keeps imported FSRS parameters only
from a preset of the package's own. Nothing is written to the flashdeck collection.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ExportReport:
    notes: int
    reviews: int
    damaged: list[str] = field(default_factory=list)  # the cards left out, one line each


def export_apkg(col, out: Path, config, now, tz, deck: str | None = None) -> ExportReport:
    from anki.collection import ExportAnkiPackageOptions
    from anki.errors import AnkiException

    from flashdeck.ankisync import merge
    from flashdeck.ankisync.cards import Media, mirror_cards
    from flashdeck.ankisync.mirror import Mirror
    from flashdeck.ankisync.sync import revlog_row
    from flashdeck.durable import temp_beside
    from flashdeck.errors import FlashdeckError
    from flashdeck.scheduling.parameters import current_parameters

    parameters = current_parameters(config).parameters
    guids = merge.assign_guids(col, deck, write=False)
    if not guids:
        from flashdeck.errors import UsageError
        from flashdeck.textsafe import sanitize

        raise UsageError("no cards to export" + (sanitize(f" in deck {deck!r}") if deck else ""))
    with tempfile.TemporaryDirectory(prefix="flashdeck-export-") as tmp:
        with Mirror(Path(tmp) / "collection.anki2") as mirror:
            mirror.models()
            media = Media(lambda path: mirror.col.media.add_file(str(path)))
            # a card whose stored schedule is damaged is left out (its reviews too), named
            damaged: dict[int, str] = {}
            cards, _ = mirror_cards(col, guids, config, now, tz, mirror.today(), media, deck,
                                    damaged=damaged)
            for card in cards:
                mirror.deck_id(card.deck)
            mirror.use_preset(config, parameters)
            mirror.push(cards, set(), parameters)
            rows, ids = [], [card_id for card_id in guids if card_id not in damaged]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                rows += col.conn.execute(
                    "SELECT id, card_id, reviewed_at, rating, duration_ms, state_before,"
                    f" state_after FROM reviews WHERE card_id IN ({','.join('?' * len(chunk))})"
                    " ORDER BY id", chunk).fetchall()
            planned = mirror.plan_revlog([revlog_row(row, guids[row["card_id"]], config, tz)
                                          for row in rows])
            mirror.write_revlog([plan for plan in planned if plan is not None])
            options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True,
                                               with_media=True, legacy=False)
            # a temp file of this export's own: two exports to one name at once shared
            # `NAME.apkg.tmp`, and a failed or interrupted one left it beside the package
            _clear_stale_temps(out)
            temp = temp_beside(out)
            try:
                mirror.col.export_anki_package(out_path=str(temp), options=options,
                                               limit=None)
                temp.replace(out)
            except (AnkiException, OSError) as exc:
                raise FlashdeckError(f"{out}: cannot write the package: {exc}") from None
            finally:
                temp.unlink(missing_ok=True)
    return ExportReport(len(cards), len(rows), list(damaged.values()))


STALE_EXPORT_SECONDS = 86400  # an export's temp file this old was left by a killed export


def _clear_stale_temps(out: Path) -> None:
    """Delete the temp files a killed export left beside `out` (a day old by the file
    system's clock: a live export of another flashdeck takes minutes at most)."""
    import time

    from flashdeck.durable import stale_temps

    for stale in stale_temps(out):
        try:
            if time.time() - stale.stat().st_mtime > STALE_EXPORT_SECONDS:
                stale.unlink()
        except FileNotFoundError:
            continue  # its export finished meanwhile
