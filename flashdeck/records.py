"""Frozen records written out: what `@dataclass(frozen=True, slots=True)` gives a class
(`__slots__`, an `__init__` of its fields in order, a repr naming them, == and hash field by
field between records of one class, FrozenInstanceError on assignment, match args, copy
and pickle), for the classes on a start path. A dataclass compiles six methods when its
module is imported, ~0.5 ms a class: `stats` made six of them before it could count.

A record declares its fields once, as `__match_args__` (and `__slots__`, the same names),
and writes its `__init__` with `_set` (the fields' values in order).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError


class Record:
    """Fields declared once, as `__match_args__`: `==` field by field (between records of
    one class) and a repr naming every field, as a dataclass's. Unhashable, unless a
    subclass says how (`Frozen`); the math tree's nodes are records that change."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{self.__class__.__qualname__}({fields})"


class Frozen(Record):
    """A `Record` that cannot change: hashable, pickled and copied by its fields."""

    __slots__ = ()

    def _set(self, *values) -> None:
        for name, value in zip(self.__match_args__, values, strict=True):
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self):
        return self.__class__, self._values()
