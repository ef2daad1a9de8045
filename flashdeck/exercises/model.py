"""The shapes of the exercise engine: templates, instances, grids and verdicts.

Plain frozen dataclasses so the CLI, the importer and the TUI can share them without
pulling in YAML or the evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple, Union

from flashdeck.errors import FlashdeckError

if TYPE_CHECKING:  # pragma: no cover
    from flashdeck.exercises.expr import Expr

GivenValue = Union[int, float, str]
Status = Literal["right", "unsimplified", "wrong", "unreadable"]
Suggested = Literal["again", "good"]

DEFAULT_TOLERANCE = 0.005


class ExerciseError(FlashdeckError, ValueError):
    """A template that cannot be read or instantiated. `line` points into its file (0: unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class VarSpec:
    """One named variable: drawn from a range, or chosen from a list, on every instance."""

    name: str
    low: "Expr | None" = None  # range bounds (inclusive), may refer to earlier variables
    high: "Expr | None" = None
    step: "Expr | None" = None  # spacing of the values; None: 10**-places
    places: int = 0  # decimal places when there is no step
    choices: tuple[GivenValue, ...] = ()  # a list of values instead of a range
    line: int = 0


@dataclass(frozen=True)
class ZeroDivision:
    """A template's stated convention for 0/0, e.g. Dice = 1 when there is nothing to find."""

    value: "Expr"
    convention: str


@dataclass(frozen=True)
class Trap:
    """A tempting wrong answer and what to say when the user gives it."""

    answer: "Expr"
    message: str


@dataclass(frozen=True)
class GridSpec:
    """A mask grid: how many cells are object, predicted, and both (expressions)."""

    rows: "Expr"
    cols: "Expr"
    truth: "Expr"
    predicted: "Expr"
    overlap: "Expr"
    line: int = 0


@dataclass(frozen=True)
class Variant:
    """One scenario of a template, fully resolved (a template without variants has one)."""

    name: str
    weight: float
    vars: tuple[VarSpec, ...]
    lets: tuple[tuple[str, "Expr"], ...]
    where: tuple["Expr", ...]
    prompt: str
    steps: tuple[str, ...]
    answer: "Expr"
    given: tuple[str, ...] | None = None  # names shown as given; None: every variable
    zero_division: ZeroDivision | None = None
    traps: tuple[Trap, ...] = ()
    grid: GridSpec | None = None


@dataclass(frozen=True)
class Template:
    """An exercise template, parsed from YAML (built-in or from a note's block)."""

    id: str
    title: str
    topics: tuple[str, ...]
    variants: tuple[Variant, ...]
    source: str  # the YAML it came from, so a card can carry its template
    # Everyday words (Precision, Recall) match only a title, alias or heading that is
    # just that word, so "Floating point precision" gets no precision exercise.
    exact_topics: tuple[str, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    unit: str = ""
    path: str = "<builtin>"
    line: int = 1


class Cell(NamedTuple):
    """One pixel of a mask grid: is it object in the ground truth, and in the prediction."""

    truth: bool
    prediction: bool

    @property
    def kind(self) -> str:
        if self.truth:
            return "TP" if self.prediction else "FN"
        return "FP" if self.prediction else "TN"


GRID_LEGEND: tuple[tuple[str, str, str], ...] = (
    ("TP", "■", "object, predicted as object"),
    ("FP", "▲", "background, predicted as object"),
    ("FN", "○", "object, predicted as background"),
    ("TN", "·", "background, predicted as background"),
)


@dataclass(frozen=True)
class Grid:
    """A small segmentation mask to count: rows of cells plus the legend to draw them with."""

    cells: tuple[tuple[Cell, ...], ...]
    legend: tuple[tuple[str, str, str], ...] = GRID_LEGEND  # (kind, symbol, meaning)

    @property
    def rows(self) -> int:
        return len(self.cells)

    @property
    def cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def counts(self) -> dict[str, int]:
        """How many cells of each kind: {"TP": .., "FP": .., "FN": .., "TN": ..}."""
        result = {"TP": 0, "FP": 0, "FN": 0, "TN": 0}
        for row in self.cells:
            for cell in row:
                result[cell.kind] += 1
        return result

    def symbol(self, kind: str) -> str:
        for k, symbol, _meaning in self.legend:
            if k == kind:
                return symbol
        raise KeyError(kind)


@dataclass(frozen=True)
class Instance:
    """One concrete exercise: the numbers drawn for a seed, the answer and the working."""

    template_id: str
    seed: int
    prompt: str
    given: dict[str, GivenValue]
    answer: str  # exact: a reduced fraction or an integer, e.g. "3/4"
    value: float  # 0.75
    steps: list[str]  # the working, one line each
    grid: Grid | None
    tolerance: float
    title: str = ""
    variant: str = ""  # the scenario drawn, for templates with variants
    unit: str = ""  # e.g. "mph": accepted after the number when grading
    traps: tuple[tuple[str, str], ...] = ()  # (exact wrong answer, what to tell the user)
    convention: str = ""  # the 0/0 convention, when this instance needed it


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str
    suggested: Suggested

    @property
    def correct(self) -> bool:
        return self.status in ("right", "unsimplified")
