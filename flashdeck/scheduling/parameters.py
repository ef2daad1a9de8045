"""The FSRS parameters in use: FSRS-6's defaults, or the personal ones `flashdeck optimize`
fitted and wrote to `config.toml` (`parameters`, `parameters_fitted_at`,
`parameters_reviews`).

The collection keeps which parameters were in force from when (meta keys
`fsrs_parameters:<unix seconds>`), so `doctor` replays each review with the parameters it
was scheduled with (see `parameters_history` / `in_force`).
"""

from __future__ import annotations

import bisect
import json
from datetime import datetime, timezone

from flashdeck.records import Frozen
from flashdeck.scheduling.config import Config

# FSRS-6's default weights (the `fsrs` package's and fsrs-rs's)
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)
HISTORY_PREFIX = "fsrs_parameters:"


class ParametersInUse(Frozen):
    # fitted_at: when `optimize` fitted them (None: the defaults); reviews_at_fit: how many
    # reviews the fit used; source: "default" | "optimized"
    __slots__ = __match_args__ = ("parameters", "fitted_at", "reviews_at_fit", "source")

    def __init__(self, parameters: tuple[float, ...], fitted_at: datetime | None,
                 reviews_at_fit: int | None, source: str) -> None:
        self._set(parameters, fitted_at, reviews_at_fit, source)

    def to_json(self) -> dict:
        return {
            "parameters": list(self.parameters),
            "fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
            "reviews_at_fit": self.reviews_at_fit,
            "source": self.source,
        }


def current_parameters(config: Config) -> ParametersInUse:
    """The parameters new answers are scheduled with."""
    if config.parameters is None:
        return ParametersInUse(DEFAULT_PARAMETERS, None, None, "default")
    return ParametersInUse(tuple(config.parameters), config.parameters_fitted_at,
                           config.parameters_reviews, "optimized")


# -- history in the collection ---------------------------------------------------------------
class HistoryEntry(Frozen):
    # since: unix seconds, in force for reviews at or after this; parameters: None, the
    # defaults
    __slots__ = __match_args__ = ("since", "parameters")

    def __init__(self, since: int, parameters: tuple[float, ...] | None) -> None:
        self._set(since, parameters)


def parameters_history(conn) -> list[HistoryEntry]:
    """Which parameters were in force from when, oldest first (empty: always the defaults)."""
    entries = []
    for key, value in conn.execute("SELECT key, value FROM meta WHERE key LIKE ?",
                                   (HISTORY_PREFIX + "%",)):
        try:
            since = int(key[len(HISTORY_PREFIX):])
            data = json.loads(value)
            params = data.get("parameters")
            params = None if params is None else tuple(float(x) for x in params)
        except (ValueError, TypeError, AttributeError):
            continue  # a damaged entry: `doctor` replays with what is around it
        entries.append(HistoryEntry(since, params))
    entries.sort(key=lambda e: e.since)
    return entries


def record_parameters(conn, since: datetime, parameters: tuple[float, ...] | None,
                      reviews: int | None = None) -> None:
    """Note in the collection that `parameters` are in force from `since` (inside the
    caller's transaction)."""
    stamp = int(since.timestamp())
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                 (f"{HISTORY_PREFIX}{stamp}", json.dumps({
                     "parameters": None if parameters is None else list(parameters),
                     "reviews": reviews,
                     "recorded": datetime.now(timezone.utc).isoformat()})))


class InForce:
    """The parameters in force at a time, from the history (defaults before the first)."""

    def __init__(self, history: list[HistoryEntry]):
        self._since = [e.since for e in history]
        self._params = [e.parameters for e in history]

    def at(self, timestamp: int) -> tuple[float, ...] | None:
        index = bisect.bisect_right(self._since, timestamp) - 1
        return None if index < 0 else self._params[index]


def with_parameters(config: Config, parameters: tuple[float, ...] | None) -> Config:
    """`config` scheduling with `parameters` (None: the defaults)."""
    from dataclasses import replace

    if parameters is not None and tuple(parameters) == DEFAULT_PARAMETERS:
        parameters = None
    if parameters == config.parameters:
        return config
    return replace(config, parameters=None if parameters is None else tuple(parameters))


# -- recomputed memory states (`optimize` switching parameters) -------------------------------
RESCHEDULE_PREFIX = "fsrs_reschedule:"


class Recompute(Frozen):
    # at: unix seconds, cards were recomputed then (after every review logged before);
    # due: due dates too (`--reschedule`), not only stability and difficulty
    __slots__ = __match_args__ = ("at", "parameters", "due")

    def __init__(self, at: int, parameters: tuple[float, ...], due: bool) -> None:
        self._set(at, parameters, due)


def recompute_history(conn) -> list[Recompute]:
    entries = []
    for key, value in conn.execute("SELECT key, value FROM meta WHERE key LIKE ?",
                                   (RESCHEDULE_PREFIX + "%",)):
        try:
            data = json.loads(value)
            entries.append(Recompute(int(key[len(RESCHEDULE_PREFIX):]),
                                     tuple(float(x) for x in data["parameters"]),
                                     bool(data.get("due"))))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
    entries.sort(key=lambda e: e.at)
    return entries


def record_recompute(conn, entry: Recompute) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                 (f"{RESCHEDULE_PREFIX}{entry.at}",
                  json.dumps({"parameters": list(entry.parameters), "due": entry.due})))


def recomputed(card_id: int, state: dict, reviews, entry: Recompute, config: Config,
               here) -> dict:
    """`state` (the card's current columns) with the memory state (and with `entry.due`
    the due date) its whole log gives under `entry.parameters`: every review replayed
    from the first one's state_before, by the rules and in the zone it was answered by.
    `reviews`: (reviewed_at, rating, state_before JSON, state_after JSON), in order.
    `optimize` writes it and `doctor` replays it, the same function both times."""
    from datetime import datetime, timezone

    from flashdeck.scheduling import step
    from flashdeck.scheduling.state import CardState

    used = with_parameters(config, entry.parameters)
    current = None
    for reviewed_at, rating, before_json, after_json in reviews:
        before = json.loads(before_json)
        after = json.loads(after_json)
        if current is None:
            current = dict(before)
        row = {**current, "version": before.get("version", 0),
               "suspended": before.get("suspended", 0),
               "buried_until": before.get("buried_until")}
        tz = step.zone_from_key(after.get("zone"), here)
        moment = datetime.fromtimestamp(reviewed_at, timezone.utc)
        current = step.review(card_id, CardState.from_dict(row), rating, moment,
                              step.logged_config(after, used), tz,
                              after.get("rules", 1)).to_dict()
    if current is None:
        return dict(state)
    result = {**state, "stability": current["stability"],
              "difficulty": current["difficulty"]}
    if entry.due and state.get("state") == current["state"]:
        result["due"] = current["due"]
    return result
