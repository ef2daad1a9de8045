"""The formula tree's nodes are plain classes written out (a dataclass compiles its methods
when its module is imported, ~4 ms of a review's start whose first card has math), with
what @dataclass gave them: keyword or positional fields with their defaults, a repr naming
them, == field by field, unhashable, a new list for each empty Row."""

from __future__ import annotations

import dataclasses

import pytest

from support.imports import dataclasses_made

from flashdeck.mathtext import tree as T



def test_nodes_compare_and_show_as_dataclasses_did():
    x = T.Atom("x")
    assert x == T.Atom("x", T.S.ORD, False) and x != T.Atom("y") and x != T.Atom("x", number=True)
    assert T.Frac(T.Row([x]), T.Row()) == T.Frac(num=T.Row([T.Atom("x")]), den=T.Row([]))
    assert T.Frac(T.Row(), T.Row()) != T.Binom(T.Row(), T.Row())  # another class
    assert repr(T.Scripted(x, sup=T.Row([T.Atom("2")]))) == (
        f"Scripted(base=Atom(text='x', kind={T.S.ORD!r}, number=False), sub=None,"
        f" sup=Row(items=[Atom(text='2', kind={T.S.ORD!r}, number=False)]))")
    empty, other = T.Row(), T.Row()
    empty.items.append(x)
    assert other.items == [] and T.Row(None).items is None
    with pytest.raises(TypeError):
        hash(x)
    with pytest.raises(TypeError):
        T.Frac(T.Row())  # a field without a default is required
    assert T.Grid([[T.Row()]]).env == "" and T.Brace(T.Row(), T.Row()).under is True
    match T.Sqrt(T.Row([x])):
        case T.Sqrt(body, None):
            assert body.items == [x]
        case _:
            pytest.fail("positional match on a node")


def test_importing_the_formula_tree_makes_no_dataclass():
    assert dataclasses_made("flashdeck.mathtext.tree", ("flashdeck.mathtext.tree",)) == []
    assert not dataclasses.is_dataclass(T.Atom)
