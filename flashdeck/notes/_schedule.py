"""Read one `<!--SR:…-->` schedule comment written by the Obsidian Spaced Repetition plugin.

The comment holds one `!`-prefixed group per sibling card (the n-th group for the n-th
sibling or cloze deletion), in either of the plugin's two forms, mixed freely:

- SM-2, `!2023-09-03,4,270`: due date (YYYY-MM-DD; the first releases wrote
  `Tue May 04 2021` and `04-05-2021`, without the `!`), interval in days, ease in percent.
  `!2000-01-01,1,250` is the plugin's placeholder for a sibling not yet reviewed; the
  plugin writes it in FSRS mode too (`NoteDataStoreAlgorithmOsr.formatCardSchedule`).
- FSRS (plugin 1.14.2+, `RepItemScheduleInfoFsrs.formatScheduleAsSRHtmlComment`):
  `!fsrs,<due>,<interval>,<stability>,<difficulty>,<state>,<reps>,<lapses>,<learning
  steps>,<last review>` where due and last review are `Date.toISOString()` (UTC, `Z`) and
  last review is `-` when there is none, interval is ts-fsrs' `scheduled_days`, state is
  ts-fsrs' State (0 New, 1 Learning, 2 Review, 3 Relearning) and learning steps is the
  index of the card's current (re)learning step.

Like the plugin (`CommentParser.parseMultiScheduleComment`) the comment's text is split at
`!` and each non-empty trimmed piece is one group. Each group gives an SRSeed, or None when
the card starts new: the placeholder, an FSRS group in state New, or a group that cannot be
read or is out of range. The last case also gives a warning message. Pure: no I/O, no
clock, and nothing here raises on any text.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone

from flashdeck.notes.model import SRSeed

__all__ = ["parse_schedule_comment", "NEW_CARD_DATE"]

NEW_CARD_DATE = "2000-01-01"  # the plugin's placeholder for a sibling not yet reviewed
FSRS_PREFIX = "fsrs"

# Bounds: what the plugin can write, with room to spare; anything outside is a warning.
FIRST_YEAR, LAST_YEAR = 1970, 2200  # due and last-review dates
MAX_INTERVAL_DAYS = 36_500  # 100 years, ts-fsrs' default maximum interval
MIN_EASE, MAX_EASE = 100, 5_000  # the plugin's minimum is 130; each Easy adds 20
MIN_STABILITY, MAX_STABILITY = 0.001, 36_500.0  # ts-fsrs S_MIN, S_MAX
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0  # FSRS clamps difficulty to 1..10
MAX_COUNT = 100_000  # reps, lapses
MAX_STEP = 100  # (re)learning step index
MAX_GROUPS = 1_000  # groups read from one comment (a cloze paragraph makes at most 200 cards)
MAX_WARNINGS = 5  # warnings per comment; the rest are counted in one more

_MAX_FIELD = 40  # characters in one field (an ISO timestamp is 24)
_MAX_SHOWN = 60  # characters of a group quoted in a warning
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# The plugin's first releases wrote the due date as JavaScript's `toDateString()`
# (`Tue May 04 2021`), then for a week of May 2021 as DD-MM-YYYY; it still reads both.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OLD_DMY_RE = re.compile(r"(\d{2})-(\d{2})-(\d{4})", re.ASCII)
_OLD_TEXT_RE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (" + "|".join(_MONTHS) + r") (\d{2}) (\d{4})", re.ASCII)
_INT_RE = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL_RE = re.compile(r"[+-]?\d+(?:\.\d*)?", re.ASCII)
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_ISO_RE = re.compile(r"[0-9T:.+\-Zz ]+", re.ASCII)


class _Bad(ValueError):
    """A group out of range or unreadable; its message says why."""


def parse_schedule_comment(comment: str) -> tuple[list[SRSeed | None], list[str]]:
    """The seeds of one `<!--SR:…-->` comment (its full text, or only what is inside it),
    one per group in order, and a warning for each group that could not be used."""
    try:
        return _parse(comment)
    except Exception as exc:  # a bug here must cost the seeds, never the note
        return [], [f"schedule comment could not be read ({type(exc).__name__}); "
                    "its cards start new"]


def _parse(comment: str) -> tuple[list[SRSeed | None], list[str]]:
    inner = comment
    if inner.startswith("<!--SR:"):
        inner = inner[len("<!--SR:"):]
    if inner.endswith("-->"):
        inner = inner[:-3]
    seeds: list[SRSeed | None] = []
    warnings: list[str] = []
    bad = 0
    for group in (g.strip() for g in inner.split("!")):
        if not group:
            continue
        if len(seeds) == MAX_GROUPS:
            warnings.append(f"schedule comment has more than {MAX_GROUPS} groups; "
                            "only the first are read")
            break
        try:
            seeds.append(_group(group))
        except _Bad as exc:
            seeds.append(None)
            bad += 1
            if bad <= MAX_WARNINGS:
                warnings.append(f"plugin schedule {_shown(group)} (card {len(seeds)} of its"
                                f" comment): {exc}; this card starts new")
    if bad > MAX_WARNINGS:
        warnings.append(f"{bad - MAX_WARNINGS} more unusable groups in this schedule comment;"
                        " their cards start new")
    return seeds, warnings


def _shown(group: str) -> str:
    text = "!" + group
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return repr(text)


def _group(group: str) -> SRSeed | None:
    fields = [f.strip() for f in group.split(",")]
    if fields[0] == FSRS_PREFIX:
        return _fsrs(fields)
    return _sm2(fields)


# ------------------------------------------------------------------------------ SM-2
def _sm2(fields: list[str]) -> SRSeed | None:
    if len(fields) < 3:  # extra fields are ignored, as the plugin does
        raise _Bad("expected due date, interval and ease")
    if fields[0] == NEW_CARD_DATE:
        return None
    due = _date(fields[0], "due date")
    # The plugin rounds an SM-2 interval to a tenth of a day (`10.8`) and reads it back
    # with parseInt: whole days, the fraction dropped. Ease likewise.
    interval = _whole(fields[1], "interval", 0, MAX_INTERVAL_DAYS, " days")
    ease = _whole(fields[2], "ease", MIN_EASE, MAX_EASE)
    return SRSeed(due, interval, ease)


def _date(text: str, what: str) -> date:
    iso = old_dmy = old_text = None
    if len(text) <= _MAX_FIELD:
        iso = _DATE_RE.fullmatch(text)
        old_dmy = None if iso else _OLD_DMY_RE.fullmatch(text)
        old_text = None if iso or old_dmy else _OLD_TEXT_RE.fullmatch(text)
    if not (iso or old_dmy or old_text):
        raise _Bad(f"{what} {_quoted(text)} is not a date (YYYY-MM-DD)")
    try:
        if old_dmy:
            value = date(int(old_dmy.group(3)), int(old_dmy.group(2)), int(old_dmy.group(1)))
        elif old_text:
            value = date(int(old_text.group(3)), _MONTHS.index(old_text.group(1)) + 1,
                         int(old_text.group(2)))
        else:
            value = date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{what} {_quoted(text)} is not a date") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _Bad(f"{what} {text} is out of range ({FIRST_YEAR}..{LAST_YEAR})")
    return value


# ------------------------------------------------------------------------------ FSRS
def _fsrs(fields: list[str]) -> SRSeed | None:
    if len(fields) < 10:
        raise _Bad(f"an FSRS schedule has 9 fields after 'fsrs', this one {len(fields) - 1}")
    (_, due_text, interval_text, stability_text, difficulty_text, state_text, reps_text,
     lapses_text, step_text, last_text) = fields[:10]
    state = _int(state_text, "state", 0, 3)
    if state == 0:  # ts-fsrs' New: nothing learned yet
        return None
    due = _moment(due_text, "due")
    interval = _number(interval_text, "interval", 0, MAX_INTERVAL_DAYS, " days")
    stability = _number(stability_text, "stability", MIN_STABILITY, MAX_STABILITY)
    difficulty = _number(difficulty_text, "difficulty", MIN_DIFFICULTY, MAX_DIFFICULTY)
    reps = _int(reps_text, "reps", 0, MAX_COUNT)
    lapses = _int(lapses_text, "lapses", 0, MAX_COUNT)
    step = _int(step_text, "learning step", 0, MAX_STEP)
    last = None if last_text == "-" else _moment(last_text, "last review")
    if last is not None and _utc(last) > _utc(due):
        raise _Bad(f"last review {last_text} is after the due time {due_text}")
    return SRSeed(due, int(math.floor(interval + 0.5)), _ease(difficulty), stability,
                  difficulty, state, reps, lapses, step, last)


def _moment(text: str, what: str) -> datetime:
    """An ISO 8601 time as the plugin writes it (`2023-09-06T00:10:00.000Z`)."""
    if len(text) > _MAX_FIELD or not _ISO_RE.fullmatch(text) or not text[:4].isdigit():
        raise _Bad(f"{what} {_quoted(text)} is not an ISO 8601 time")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{what} {_quoted(text)} is not an ISO 8601 time") from None
    try:
        year = _utc(value).year
    except (OverflowError, ValueError):
        year = value.year
    if not FIRST_YEAR <= value.year <= LAST_YEAR or not FIRST_YEAR <= year <= LAST_YEAR:
        raise _Bad(f"{what} {text} is out of range ({FIRST_YEAR}..{LAST_YEAR})")
    return value


def _utc(value: datetime) -> datetime:
    """For comparisons: an aware time in UTC, a naive one read as UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _ease(difficulty: float) -> int:
    """The plugin's `difficultyToEase`: difficulty 1..10 read as an ease 370..130."""
    return int(math.floor(130 + (10 - difficulty) / 9 * 240 + 0.5))


# --------------------------------------------------------------------------- numbers
def _int(text: str, what: str, low: int, high: int, unit: str = "") -> int:
    if len(text) > _MAX_FIELD or not _INT_RE.fullmatch(text):
        raise _Bad(f"{what} {_quoted(text)} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise _Bad(f"{what} {value}{unit} is out of range ({low}..{high})")
    return value


def _whole(text: str, what: str, low: int, high: int, unit: str = "") -> int:
    """A number read as the plugin's parseInt reads it: the fraction is dropped."""
    if len(text) > _MAX_FIELD or not _DECIMAL_RE.fullmatch(text):
        raise _Bad(f"{what} {_quoted(text)} is not a number")
    return _int(text.split(".")[0] or "0", what, low, high, unit)


def _number(text: str, what: str, low: float, high: float, unit: str = "") -> float:
    if len(text) > _MAX_FIELD or not _NUMBER_RE.fullmatch(text):
        raise _Bad(f"{what} {_quoted(text)} is not a number")
    value = float(text)
    if not math.isfinite(value) or not low <= value <= high:
        raise _Bad(f"{what} {text}{unit} is out of range ({low:g}..{high:g})")
    return value


def _quoted(text: str) -> str:
    if len(text) > _MAX_FIELD:
        text = text[:_MAX_FIELD - 1] + "…"
    return repr(text)
