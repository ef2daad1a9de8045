"""The stats figures as text: bar charts drawn with █ and eighth blocks, a calendar heatmap
in shades, and tables — lines of plain text at a given width. `flashdeck stats` prints them
(through the sanitizer), the stats view shows them as plain Content (never markup)."""

from __future__ import annotations

from datetime import timedelta

from flashdeck.scheduling.stats import PERIODS, RATING_KEYS, Stats, count

_EIGHTHS = " ▁▂▃▄▅▆▇█"
_SHADES = " ░▒▓█"
_PERIOD_NAMES = {"today": "Today", "yesterday": "Yesterday", "week": "Last 7 days",
                 "month": "Last 30 days", "year": "Last 365 days"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def forecast_chart(stats: Stats, width: int = 80, height: int = 8) -> list[str]:
    """Cards due each of the next 30 days as vertical bars, today (with its backlog) first."""
    days = list(stats.forecast.days)
    top = max(days) if days else 0
    label = len(str(top))
    room = max(width - label - 2, len(days))
    col = 2 if room >= 2 * len(days) else 1
    lines = [f"Forecast: {sum(days)} due in the next {len(days)} days"
             + (f" ({stats.forecast.overdue} overdue today)" if stats.forecast.overdue else "")]
    if not top:
        return lines + ["  nothing due"]
    for row in range(height, 0, -1):
        cells = []
        for n in days:
            eighths = round(n / top * height * 8)
            fill = max(0, min(8, eighths - (row - 1) * 8))
            cells.append((_EIGHTHS[fill] * col) if col == 1 else _EIGHTHS[fill] + " ")
        axis = str(top) if row == height else ("0" if row == 1 else "")
        lines.append(f"{axis:>{label}} ▕" + "".join(cells).rstrip())
    start = stats.forecast.start
    ticks = [" "] * (len(days) * col)
    for i in range(0, len(days), 7):
        mark = (start + timedelta(days=i)).strftime("%m-%d")
        if i * col + len(mark) <= len(ticks) + col:  # a date only where it fits whole
            for j, ch in enumerate(mark):
                if i * col + j >= len(ticks):
                    ticks.append(" ")
                ticks[i * col + j] = ch
    lines.append(" " * (label + 2) + "".join(ticks).rstrip())
    return lines


def heatmap_chart(stats: Stats, width: int = 80) -> list[str]:
    """A year of reviews by day: a row per weekday, a column per week, shaded by count."""
    hm = stats.heatmap
    counts = list(hm.counts)
    # pad so the first column starts on a Monday
    lead = hm.start.weekday()
    cells = [None] * lead + counts
    weeks = (len(cells) + 6) // 7
    fit = max(1, width - 4)
    first_week = max(0, weeks - fit)
    top = max(counts) if counts else 0
    lines = [f"Reviews, last {len(counts)} days: {sum(counts)} "
             f"on {count(sum(1 for n in counts if n), 'day')}"
             + ("" if first_week == 0 else f" (the last {weeks - first_week} weeks shown)")]
    names = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
    for day in range(7):
        row = []
        for week in range(first_week, weeks):
            i = week * 7 + day
            n = cells[i] if i < len(cells) else None
            if n is None:
                row.append(" ")
            elif n == 0 or not top:
                row.append("·")
            else:
                row.append(_SHADES[1 + min(3, (n * 4 - 1) // top)])
        lines.append(f"{names[day]}  " + "".join(row).rstrip())
    end = hm.start + timedelta(days=len(counts) - 1)  # today
    lines.append("    " + _month_marks(hm.start, end, lead, first_week, weeks))
    lines.append(f"    less {_SHADES[1:]} more · busiest day {top}")
    return lines


def _month_marks(start, end, lead: int, first_week: int, weeks: int) -> str:
    """The months under the heatmap's weeks: each month's name (`Mar`) under the week
    holding its 1st (the first column's month under it too), where it fits whole before
    the next name (Anki's heatmap labels its months too)."""
    marks = [" "] * (weeks - first_week)
    names: list[tuple[int, str]] = []
    for week in range(first_week, weeks):
        days = [start + timedelta(days=week * 7 - lead + i) for i in range(7)]
        firsts = [d for d in days if d.day == 1 and start <= d <= end]
        if firsts:
            names.append((week - first_week, f"{firsts[0]:%b}"))
        elif week == first_week:
            names.append((0, f"{max(days[0], start):%b}"))
    if len(names) > 1 and names[0][1] != names[1][1] and names[1][0] < len(names[0][1]) + 1:
        # the first column's month is a courtesy: it gives way to the 1st of the next month
        # rather than hide it ("Dec    Feb" with January's 1st unnamed)
        names.pop(0)
    free = 0  # the first column not taken by a name
    for column, name in names:
        if column >= free and column + len(name) <= len(marks) + 2:
            marks[column:column + len(name)] = name
            free = column + len(name) + 1
    return "".join(marks).rstrip()


def retention_table(stats: Stats, width: int = 80) -> list[str]:
    cell = 16 if width >= 64 else 12
    lines = ["True retention (review cards answered other than Again)",
             f"  {'':<14}{'young':>{cell}}{'mature':>{cell}}{'all':>{cell}}"]
    for period in PERIODS:
        row = stats.true_retention[period]
        cells = []
        for kind in ("young", "mature", "all"):
            p = row[kind]
            cells.append(f"{_pct(p.rate)} ({p.total})" if p.total else "—")
        lines.append(f"  {_PERIOD_NAMES[period]:<14}" + "".join(f"{c:>{cell}}" for c in cells))
    return lines


def buttons_table(stats: Stats) -> list[str]:
    lines = ["Answer buttons, last 30 days",
             f"  {'':<10}" + "".join(f"{k.capitalize():>9}" for k in RATING_KEYS)]
    for kind, counts in stats.buttons.items():
        lines.append(f"  {kind.capitalize():<10}"
                     + "".join(f"{counts[k]:>9}" for k in RATING_KEYS))
    return lines


def calibration_table(stats: Stats, width: int = 80) -> list[str]:
    cal = stats.calibration
    total = sum(b.count for b in cal)
    lines = ["Calibration: the recall FSRS predicted at each review against what you"
             f" recalled (the last year's {total} answers to cards in review or relearning)"]
    if not cal:
        return lines + ["  no answers to cards in review yet"]
    best = max(cal, key=lambda b: b.count)
    lines.append(f"  when flashdeck said {best.predicted:.0%}, you remembered {best.actual:.0%}")
    bar = max(0, min(30, width - 52))
    # narrower columns below 39 (a 40-column stats view): 36 wide, a row never wrapped
    w1, w2, w3, w4 = (11, 8, 8, 10) if width >= 39 else (10, 8, 7, 9)
    lines.append(f"  {'predicted':<{w1}}{'reviews':>{w2}}{'said':>{w3}}{'recalled':>{w4}}")
    for b in cal:
        line = (f"  {f'{b.low:.0%}-{b.high:.0%}':<{w1}}{b.count:>{w2}}{b.predicted:>{w3}.1%}"
                f"{b.actual:>{w4}.1%}")
        if bar:
            line += "  " + "█" * round(b.actual * bar)
        lines.append(line)
    return lines


def states_lines(stats: Stats, width: int = 80) -> list[str]:
    s = stats.states
    lines = [f"Cards: {s['new']} new · {s['learning'] + s['relearning']} learning · "
             f"{s['young']} young · {s['mature']} mature · {s['suspended']} suspended · "
             f"{s['leech']} leech"]
    hist = stats.intervals
    top = max((n for _, n in hist), default=0)
    lines.append("Intervals of review cards")
    if not top:
        return lines + ["  no review cards yet"]
    label = max(len(name) for name, _ in hist)
    num = len(str(top))
    room = max(1, width - label - num - 6)
    for name, n in hist:
        lines.append((f"  {name:>{label}} {n:>{num}} " + "█" * round(n / top * room)).rstrip())
    return lines


def parameters_lines(stats: Stats, width: int = 80) -> list[str]:
    p = stats.parameters
    if p.source == "default" or p.fitted_at is None:
        head = "FSRS parameters: default (FSRS-6's)"
    else:
        head = (f"FSRS parameters: optimized {p.fitted_at:%Y-%m-%d}"
                + (f" from {p.reviews_at_fit} reviews" if p.reviews_at_fit is not None else "")
                + (f", {p.reviews_since} reviews since" if p.reviews_since is not None else ""))
    lines = [head]
    line = " "
    for w in p.parameters:
        item = f" {w:.4f}"
        if len(line) + len(item) > width:
            lines.append(line)
            line = " "
        line += item
    lines.append(line)
    return lines


def all_lines(stats: Stats, width: int = 80, *, title: bool = True,
              damage: bool = True) -> list[str]:
    """Every chart and table, separated by blank lines: first the title (unless `title` is
    False: the stats view has its own), then what the figures leave out (the damaged rows
    too, unless `damage` is False: `flashdeck stats` names those on stderr)."""
    name = f"Stats for {stats.deck}" if stats.deck else "Stats for all decks"
    notices = stats.notices() if damage else stats.notices()[len(stats.damage_lines()):]
    parts = [[f"{name} · {stats.today:%A %Y-%m-%d}"]] if title else []
    if notices:
        parts.append(notices)
    parts += [forecast_chart(stats, width), heatmap_chart(stats, width),
              retention_table(stats, width), buttons_table(stats),
              calibration_table(stats, width), states_lines(stats, width),
              parameters_lines(stats, width)]
    lines: list[str] = []
    for part in parts:
        if lines:
            lines.append("")
        lines.extend(part)
    return [piece for line in lines for piece in wrap_line(line, width)]


def wrap_line(line: str, width: int) -> list[str]:
    """A line too long for the width, wrapped at its spaces (a chart row never is), in the
    columns a terminal gives it (a wide character takes two), the rest indented two past
    its own indent; a word longer than a line (a deck name) is broken where the line ends.
    (`stats`'s summary lines too: commands/stats.py.)"""
    if line.isascii() and line.isprintable():
        # a column a character, as Rich counts them (its cell tables cost `stats` ~8 ms to
        # import, for a line of figures in words)
        cell_len = len
    else:
        from rich.cells import cell_len

    if cell_len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    lines: list[str] = []
    current = line[:len(line) - len(line.lstrip(" "))]
    for word in line.lstrip(" ").split(" "):
        gap = " " if current.strip() else ""
        if cell_len(current + gap + word) <= width:
            current += gap + word
            continue
        if current.strip():
            lines.append(current)
            current = indent
        for ch in word:  # what is left of a word too long for a line of its own
            if cell_len(current + ch) > width and current.strip():
                lines.append(current)
                current = indent
            current += ch
    if current.strip():
        lines.append(current)
    return lines
