"""Records on the start paths are written out (flashdeck/records.py) instead of made by
@dataclass, which compiles six methods a class when the module is imported. They keep
what the dataclass gave: fields in order or by name with their defaults, repr, == and
hash field by field, frozen, slots, match args, copy and pickle."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from support.imports import dataclasses_made

from flashdeck.collection.queries import ReviewRow
from flashdeck.collection.stats_queries import DayRow
from flashdeck.scheduling.stats import Forecast, Pass, Stats



def test_a_record_behaves_as_its_frozen_dataclass_did():
    week = Pass(9, 12)
    assert week == Pass(passed=9, total=12) and week != Pass(9, 13) and week.rate == 0.75
    assert hash(week) == hash(Pass(9, 12)) and len({week, Pass(9, 12)}) == 1
    assert repr(week) == "Pass(passed=9, total=12)"
    assert week != (9, 12)  # not a tuple
    with pytest.raises(FrozenInstanceError):
        week.passed = 10
    with pytest.raises(FrozenInstanceError):
        del week.total
    with pytest.raises(TypeError):
        Pass(9)
    assert not hasattr(week, "__dict__")
    ahead = Forecast(date(2026, 12, 1), (4, 0, 7), 2)
    assert copy.deepcopy(ahead) == ahead == pickle.loads(pickle.dumps(ahead))
    match ahead:
        case Forecast(start, days, overdue):
            assert (start.day, days[-1], overdue) == (1, 7, 2)
        case _:
            pytest.fail("positional match on a record")
    row = ReviewRow(7, 3, 1_790_000_000, 3, None, "{}", "{}", "geo", "Nile?")
    assert row == ReviewRow(*row._values()) and row.front == "Nile?" and hash(row)
    assert repr(DayRow(20_000, None, "young", 3, 9, 4, 3.5)) == (
        "DayRow(day=20000, deck=None, kind='young', rating=3, bin=9, count=4, p_sum=3.5)")
    with pytest.raises(FrozenInstanceError):
        row.rating = 4
    with pytest.raises(TypeError):  # a dict field: unhashable, as with the dataclass
        hash(Stats(None, date(2026, 12, 1), ahead, None, {}, {}, (), {}, None, None))
    assert Stats(None, date(2026, 12, 1), ahead, None, {}, {}, (), {}, None, None).later == 0


def test_stats_makes_no_dataclass_before_it_counts():
    assert dataclasses_made("flashdeck.commands.stats", (
        "flashdeck.scheduling.stats", "flashdeck.scheduling.parameters",
        "flashdeck.collection.queries", "flashdeck.collection.stats_queries")) == []
