"""Shapes met in public Obsidian vaults nobody here wrote (a maths course vault, a research
vault, a Russian programming vault, a Spaced Repetition plugin user's deck). The notes below
are our own, written in those shapes; each test asserts what `flashdeck check` prints."""

from __future__ import annotations

from support.notes import write_note


def checked_cards(cli, tmp_path, name: str, text: str) -> list[dict]:
    path = write_note(tmp_path / "vault", name, text)
    result = cli("check", path, "--json")
    assert result.code == 0, result.err
    [note] = result.json["notes"]
    return note["cards"]


def formula_fronts(cards: list[dict]) -> list[str]:
    return [c["front"] for c in cards if c["kind"] == "formula"]


def test_a_formula_is_not_cut_inside_its_brackets(cli, tmp_path) -> None:
    """A comma or a relation inside `\\left< … \\right>`, `\\{ … \\}` or `\\langle … \\rangle`
    does not split the formula: the front asked for `g \\right>_V = ?` (half an inner
    product) and for `M = ? and |z| ≤ ?` (the inside of a set)."""
    cards = checked_cards(cli, tmp_path, "Graph calculus.md", (
        "# Graph calculus\n\n"
        "The inner product of two vertex functions:\n\n"
        "$$\n\\left< f, g \\right>_{V} = \\sum_{x \\in V} f(x) g(x)\n$$\n\n"
        "A cylinder of radius $r$:\n\n"
        "$$\nC = \\{ (x, y, z) \\in \\mathbb{R}^3 : x^2 + y^2 = r^2, \\lvert z \\rvert \\le h \\}\n$$\n\n"
        "Orthogonal vectors:\n\n"
        "$$\n\\langle u, v \\rangle = 0, \\quad \\lVert u + v \\rVert^2 = \\lVert u \\rVert^2 + 1\n$$\n"))
    assert formula_fronts(cards) == [
        "*Graph calculus*: $\\left< f, g \\right>_{V}$ = ?",
        "*Graph calculus*: $C$ = ?",
        "*Graph calculus*: $\\langle u, v \\rangle$ = ? and $\\lVert u + v \\rVert^2$ = ?",
    ]


def test_an_unclosed_bracket_still_names_its_formulas(cli, tmp_path) -> None:
    """A bra (`\\langle a|`, closed by no `\\rangle`) and a half-open interval `[0, 1)` are
    brackets that never match one of their own kind: the names around them stay asked."""
    cards = checked_cards(cli, tmp_path, "Spin states.md", (
        "# Spin states\n\n"
        "The two bras:\n\n"
        "$$\n\\langle \\uparrow | = (1, 0), \\quad \\langle \\downarrow | = (0, 1)\n$$\n\n"
        "The step on the unit interval:\n\n"
        "$$\nu(t) = 1, \\quad t \\in [0, 1), \\qquad w = 2\n$$\n"))
    assert formula_fronts(cards) == [
        "*Spin states*: $\\langle \\uparrow |$ = ? and $\\langle \\downarrow |$ = ?",
        "*Spin states*: $u(t)$ = ? and $w$ = ?",
    ]
