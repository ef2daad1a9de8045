"""Personal FSRS parameters (`flashdeck optimize`) and the retention trade-off
(`flashdeck retention`), with fsrs-rs-python (imported only here, only in these commands).

The review log becomes FSRS items: for each review of a card after its first, the card's
history up to it, each review's delta_t in whole scheduling days since the one before
(same-day reviews 0). Cram answers live in their own log and are never in it. Items are
ordered by the time of their last review; the older 75 % fit the parameters, and both the
current and the new parameters are evaluated on the most recent 25 %. The new ones replace
the current ones only if they predict those held-out reviews better (lower log loss).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flashdeck.errors import UsageError
from flashdeck.scheduling import step
from flashdeck.scheduling.config import Config
from flashdeck.scheduling.parameters import (DEFAULT_PARAMETERS, current_parameters,
                                             record_parameters)

MIN_REVIEWS = 400  # fewer long-term reviews than this: keep the current parameters
HELD_OUT = 0.25


@dataclass(frozen=True, slots=True)
class Evaluation:
    log_loss: float
    rmse_bins: float

    def to_json(self) -> dict:
        return {"log_loss": round(self.log_loss, 6), "rmse_bins": round(self.rmse_bins, 6)}


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    reviews: int  # reviews in the log
    items: int  # FSRS items (reviews after a card's first, on a later day)
    train: int
    test: int
    current: Evaluation | None
    new: Evaluation | None
    current_parameters: tuple[float, ...]
    new_parameters: tuple[float, ...] | None
    switched: bool
    message: str
    written: bool = False  # saved (not a dry run)
    gain: float | None = None  # mean held-out log-loss drop per review, current -> new
    standard_error: float | None = None
    damaged: tuple[str, ...] = ()  # the damaged reviews (their cards left out), a line each

    def to_json(self) -> dict:
        return {
            "reviews": self.reviews, "items": self.items, "train": self.train,
            "test": self.test,
            "current": {**(self.current.to_json() if self.current else {}),
                        "parameters": list(self.current_parameters)},
            "new": None if self.new_parameters is None else {
                **(self.new.to_json() if self.new else {}),
                "parameters": [round(x, 4) for x in self.new_parameters]},
            "log_loss_gain": None if self.gain is None else round(self.gain, 6),
            "standard_error": None if self.standard_error is None
            or math.isinf(self.standard_error) else round(self.standard_error, 6),
            "switched": self.switched, "written": self.written, "message": self.message,
            "damaged": list(self.damaged),
        }


def _fsrs_rs():
    try:
        import fsrs_rs_python
    except ImportError:
        raise UsageError("fsrs-rs-python is not installed: `pip install fsrs-rs-python`") \
            from None
    return fsrs_rs_python


def review_histories(conn, config: Config, damaged: list[str] | None = None):
    """(card_id, [(reviewed_at, scheduling day ordinal, rating, zone, day-start hour)...]) per
    card, in time order.
    A card with a damaged review (a rating or time no flashdeck writes) is left out whole
    (its days between reviews are unknown), the review named in `damaged`."""
    from flashdeck.clock import local_tz
    from flashdeck.scheduling.state import review_damage

    here = local_tz()
    zones: dict[str | None, object] = {}
    rows = conn.execute("SELECT id, card_id, reviewed_at, rating, state_after FROM reviews"
                        " ORDER BY card_id, reviewed_at, id")
    card = None
    history: list | None = []
    for review_id, card_id, reviewed_at, rating, state_after in rows:
        if card_id != card:
            if history:
                yield card, history
            card, history = card_id, []
        if history is None:
            continue  # the rest of a card left out
        problem = review_damage(review_id, card_id, rating, reviewed_at,
                                "the card is left out of the fit")
        if problem is not None:
            if damaged is not None:
                damaged.append(problem)
            history = None
            continue
        try:
            logged = json.loads(state_after)
        except ValueError:
            logged = None
        if not isinstance(logged, dict):
            logged = {}
        zone = logged.get("zone")
        tz = zones.get(zone)
        if tz is None:
            tz = zones[zone] = step.zone_from_key(zone, here)
        moment = datetime.fromtimestamp(reviewed_at, timezone.utc)
        hour = step.logged_day_start(logged, config).day_start_hour  # the answer's days
        day = step.scheduling_date(moment, hour, tz).toordinal()
        history.append((reviewed_at, day, rating, tz, hour))
    if history:
        yield card, history


def _days_since(previous: tuple, day: int, tz, hour: int) -> int:
    """The scheduling days from the `previous` review (reviewed_at, day, zone, hour) to one
    on `day` (an ordinal) answered in `tz` with `hour`, as the scheduler counted them: both
    in that answer's zone, never fewer than 0. A flight west (Tokyo's 05:00, then Los
    Angeles' 13:00 the day before) or a day start moved later gave -1, and the fit stopped
    with 'internal error: OverflowError'."""
    reviewed_at, previous_day, previous_tz, previous_hour = previous
    if previous_tz is not tz or previous_hour != hour:
        moment = datetime.fromtimestamp(reviewed_at, timezone.utc)
        previous_day = step.scheduling_date(moment, hour, tz).toordinal()
    return max(0, day - previous_day)


def build_items(conn, config: Config, damaged: list[str] | None = None):
    """[(time of the last review, card_id, [(rating, delta_t)...])...] in time order, and
    the number of reviews read (`damaged`: review_histories')."""
    items = []
    reviews = 0
    for card_id, history in review_histories(conn, config, damaged):
        reviews += len(history)
        pairs = []
        previous = None
        for reviewed_at, day, rating, tz, hour in history:
            pairs.append((rating, 0 if previous is None else _days_since(previous, day, tz, hour)))
            previous = (reviewed_at, day, tz, hour)
            if len(pairs) >= 2 and pairs[-1][1] > 0:  # a long-term review to predict
                items.append((reviewed_at, card_id, list(pairs)))
    items.sort(key=lambda item: (item[0], item[1]))
    return items, reviews


def _to_fsrs_items(fr, items):
    return [fr.FSRSItem([fr.FSRSReview(rating, delta) for rating, delta in pairs])
            for _, _, pairs in items]


def _clamp(params) -> tuple[float, ...]:
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(round(min(max(float(x), low), high), 4) for x, low, high in
                 zip(params, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))


def _evaluate(fr, params, items) -> Evaluation:
    result = fr.FSRS(list(params)).evaluate(items)
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


SIGNIFICANCE = 2.0  # standard errors


def _losses(fr, params, items) -> list[float]:
    """Each held-out review's log loss: its predicted recall from the card's history before
    it (FSRS-6's forgetting curve), against whether it was recalled (rating > 1)."""
    model = fr.FSRS(list(params))
    states = model.memory_state_batch(
        [fr.FSRSItem([fr.FSRSReview(r, d) for r, d in pairs[:-1]]) for _, _, pairs in items])
    decay = -params[20]
    factor = 0.9 ** (1 / decay) - 1
    losses = []
    for (_, _, pairs), state in zip(items, states):
        rating, elapsed = pairs[-1]
        recall = (1 + factor * elapsed / max(state.stability, 1e-6)) ** decay
        recall = min(max(recall, 1e-6), 1 - 1e-6)
        losses.append(-math.log(recall if rating > 1 else 1 - recall))
    return losses


def paired_gain(fr, current, new, items) -> tuple[float, float]:
    """(mean log-loss drop per held-out review from `current` to `new`, its standard error)."""
    drops = [a - b for a, b in zip(_losses(fr, current, items), _losses(fr, new, items))]
    n = len(drops)
    mean = sum(drops) / n
    if n < 2:
        return mean, math.inf
    variance = sum((d - mean) ** 2 for d in drops) / (n - 1)
    return mean, math.sqrt(variance / n)


NAMED = 10  # damaged reviews named at most; `doctor` lists them all


def named_lines(damaged: list[str]) -> tuple[str, ...]:
    """The first NAMED lines, and one counting the rest."""
    if len(damaged) <= NAMED:
        return tuple(damaged)
    return (*damaged[:NAMED], f"... and {len(damaged) - NAMED} more damaged reviews"
                              " (`flashdeck doctor` lists them all)")


def optimize(conn, config: Config) -> OptimizeResult:
    """Fit on the older reviews, evaluate both on the recent quarter; decide (writes nothing)."""
    fr = _fsrs_rs()
    current = current_parameters(config).parameters
    damaged: list[str] = []
    items, reviews = build_items(conn, config, damaged)
    n = len(items)
    if n < MIN_REVIEWS:
        return OptimizeResult(reviews, n, 0, 0, None, None, current, None, False,
                              f"too few reviews to fit personal parameters: {n} reviews on a"
                              f" later day than the card's previous one (at least"
                              f" {MIN_REVIEWS} needed); keeping the "
                              f"{current_parameters(config).source} parameters",
                              damaged=named_lines(damaged))
    split = n - max(1, int(n * HELD_OUT))
    train, test = _to_fsrs_items(fr, items[:split]), _to_fsrs_items(fr, items[split:])
    try:
        fitted = fr.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(train)
    except (ValueError, RuntimeError) as exc:  # fsrs-rs refuses (e.g. not enough data)
        return OptimizeResult(reviews, n, split, n - split, None, None, current, None, False,
                              f"fsrs-rs could not fit parameters ({exc}); keeping the "
                              f"{current_parameters(config).source} parameters",
                              damaged=named_lines(damaged))
    new = _clamp(fitted)
    old_eval = _evaluate(fr, current, test)
    new_eval = _evaluate(fr, new, test)
    # better, not better by chance: the held-out reviews' log loss, review by review, must
    # drop by more than twice its standard error (on a few hundred reviews the fit of a
    # learner close to the defaults "wins" half the time by a hair)
    gain, error = paired_gain(fr, current, new, items[split:])
    switched = gain > SIGNIFICANCE * error and not all(
        math.isclose(a, b, abs_tol=1e-4) for a, b in zip(new, current))
    if switched:
        message = (f"the new parameters predict your {n - split} most recent reviews better"
                   f" (log loss {new_eval.log_loss:.4f} < {old_eval.log_loss:.4f}, RMSE(bins)"
                   f" {new_eval.rmse_bins:.4f} vs {old_eval.rmse_bins:.4f})")
    else:
        message = (f"keeping the {current_parameters(config).source} parameters: the new"
                   f" ones do not predict your {n - split} most recent reviews clearly better"
                   f" (log loss {new_eval.log_loss:.4f} vs {old_eval.log_loss:.4f}, a"
                   f" difference within chance)")
    return OptimizeResult(reviews, n, split, n - split, old_eval, new_eval, current, new,
                          switched, message, gain=gain, standard_error=error,
                          damaged=named_lines(damaged))


def save(col, config_file: Path, result: OptimizeResult, now: datetime) -> None:
    """Record the switch in the collection (in force from the next second: every logged
    review so far was scheduled with the old ones), then write the settings."""
    assert result.switched and result.new_parameters is not None
    since = now.astimezone(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
    with col.transaction() as conn:
        record_parameters(conn, since, result.new_parameters, result.reviews)
    try:
        write_parameters(config_file, result.new_parameters, since, result.reviews)
    except BaseException:
        with col.transaction() as conn:
            conn.execute("DELETE FROM meta WHERE key = ?",
                         (f"fsrs_parameters:{int(since.timestamp())}",))
        raise


def write_parameters(path: Path, params, fitted_at: datetime, reviews: int) -> None:
    """Set `parameters`, `parameters_fitted_at` and `parameters_reviews` in config.toml,
    keeping the rest of the file and its comments."""
    import tomlkit

    from flashdeck.scheduling.config import update_config

    def edit(doc) -> None:
        array = tomlkit.array()
        array.extend(round(float(x), 4) for x in params)
        doc["parameters"] = array
        # on the key's line: a comment of its own would land at the end of the file, in
        # whatever table is last ([sync]), far from the key it explains
        doc["parameters"].comment("personal FSRS parameters, written by `flashdeck optimize`")
        doc["parameters_fitted_at"] = fitted_at.astimezone(timezone.utc).replace(microsecond=0)
        doc["parameters_reviews"] = reviews

    update_config(path, edit)


# -- the retention trade-off ---------------------------------------------------------------
TABLE_RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
SEARCH_RETENTIONS = tuple(round(0.70 + i / 100, 2) for i in range(28))  # 0.70 .. 0.97
LEARN_SPAN = 365  # days simulated
MAX_DECK = 3000  # simulated cards at most: a few seconds at most for the whole search
MIN_DECK = 1000  # at least: fewer make a noisy table


@dataclass(frozen=True, slots=True)
class RetentionRow:
    retention: float
    reviews_per_day: float  # average reviews a day over the simulated year
    minutes_per_day: float  # average study time a day
    memorized: float  # cards you know at the end (sum of their recall probabilities)

    @property
    def cost_per_card(self) -> float:
        return self.minutes_per_day * LEARN_SPAN / max(self.memorized, 1e-9)

    def to_json(self) -> dict:
        return {"retention": self.retention,
                "reviews_per_day": round(self.reviews_per_day, 1),
                "minutes_per_day": round(self.minutes_per_day, 1),
                "memorized": round(self.memorized, 1),
                "minutes_per_memorized_card": round(self.cost_per_card, 3)}


@dataclass(frozen=True, slots=True)
class RetentionResult:
    rows: list[RetentionRow]
    best: RetentionRow  # least study time per card remembered
    current: float  # the desired retention in the settings
    deck_size: int  # the cards simulated
    source: str  # the parameters: "default" | "optimized"
    your_cards: int = 0  # the collection's live cards (deck_size is kept within MIN..MAX_DECK)

    def to_json(self) -> dict:
        return {"rows": [r.to_json() for r in self.rows],
                "recommended": self.best.retention, "current": self.current,
                "deck_size": self.deck_size, "your_cards": self.your_cards,
                "learn_span_days": LEARN_SPAN,
                "parameters": self.source}


def simulate_retention(conn, config: Config) -> RetentionResult:
    """Simulate a year with the user's parameters, limits and card count at each desired
    retention from 0.70 to 0.97."""
    fr = _fsrs_rs()
    params = current_parameters(config)
    cards = conn.execute("SELECT count(*) FROM cards WHERE orphaned = 0").fetchone()[0]
    sim = fr.default_simulator_config()
    sim.deck_size = max(MIN_DECK, min(cards, MAX_DECK))
    sim.learn_span = LEARN_SPAN
    sim.max_cost_perday = 1e9  # limits are the review and new-card limits, as in the queue
    sim.max_ivl = float(config.maximum_interval)
    sim.learn_limit = max(1, config.new_per_day)
    sim.review_limit = max(1, config.reviews_per_day)
    sim.learning_step_count = len(config.learning_steps)
    sim.relearning_step_count = len(config.relearning_steps)
    sim.suspend_after_lapses = config.leech_lapses
    results: dict[float, RetentionRow] = {}
    # the user's own desired retention has its row in the table (0.93, 0.925...)
    current = round(config.desired_retention, 4)
    table = sorted(set(TABLE_RETENTIONS) | {current})
    for retention in sorted(set(SEARCH_RETENTIONS) | set(table)):
        run = fr.simulate(list(params.parameters), retention, sim, 42)
        results[retention] = RetentionRow(
            retention, sum(run.review_cnt_per_day) / LEARN_SPAN,
            sum(run.cost_per_day) / LEARN_SPAN / 60, float(run.memorized_cnt_per_day[-1]))
    best = min((results[r] for r in SEARCH_RETENTIONS), key=lambda row: row.cost_per_card)
    return RetentionResult([results[r] for r in table], best,
                           config.desired_retention, sim.deck_size, params.source, cards)


# -- recomputing memory states -------------------------------------------------------------
BATCH = 500  # cards per write transaction: never holding the write lock for long


def reschedule(col, config: Config, now: datetime, due: bool = True,
               damaged: list[str] | None = None) -> int:
    """Recompute every reviewed card's memory state under the parameters now in force (and
    its due date, with `due`), written in batches; recorded in the collection so `doctor`
    replays the same. Returns the number of cards changed. A card whose log holds a damaged
    review keeps its schedule, the review named in `damaged` (`doctor` reports it too)."""
    from flashdeck.clock import local_tz
    from flashdeck.scheduling.parameters import Recompute, record_recompute, recomputed
    from flashdeck.scheduling.state import SCHEDULING_COLUMNS, review_damage

    here = local_tz()
    params = current_parameters(config).parameters
    at = int(now.astimezone(timezone.utc).timestamp()) + 1
    entry = Recompute(at, params, due)
    with col.transaction() as conn:
        record_recompute(conn, entry)
    changed = 0
    last_id = 0
    while True:
        ids = [r[0] for r in col.conn.execute(
            "SELECT DISTINCT card_id FROM reviews WHERE card_id > ? ORDER BY card_id LIMIT ?",
            (last_id, BATCH))]
        if not ids:
            break
        last_id = ids[-1]
        updates = []
        for card_id in ids:
            row = col.conn.execute(
                f"SELECT {', '.join(SCHEDULING_COLUMNS)} FROM cards WHERE id = ?",
                (card_id,)).fetchone()
            if row is None:
                continue
            state = {c: row[c] for c in SCHEDULING_COLUMNS}
            reviews = col.conn.execute(
                "SELECT id, reviewed_at, rating, state_before, state_after FROM reviews"
                " WHERE card_id = ? AND reviewed_at < ? ORDER BY id", (card_id, at)).fetchall()
            problem = next(filter(None, (
                review_damage(r[0], card_id, r[2], r[1], "the card keeps its schedule")
                for r in reviews)), None)
            if problem is None:
                try:
                    new = recomputed(card_id, state, [tuple(r)[1:] for r in reviews], entry,
                                     config, here)
                except (ValueError, TypeError, KeyError) as exc:  # a state no JSON object
                    problem = (f"card {card_id}: its review log cannot be replayed ({exc});"
                               " the card keeps its schedule; run `flashdeck doctor`")
            if problem is not None:
                if damaged is not None:
                    damaged.append(problem)
                continue
            if new != state:
                updates.append((new["stability"], new["difficulty"], new["due"], card_id,
                                state["version"]))
        with col.transaction() as conn:  # a card answered meanwhile keeps its answer
            for values in updates:
                changed += conn.execute("UPDATE cards SET stability = ?, difficulty = ?,"
                                        " due = ? WHERE id = ? AND version = ?",
                                        values).rowcount
    return changed
