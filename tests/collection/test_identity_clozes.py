"""The clozes of a paragraph whose sentence is reordered (PRODUCT.md §2: a card keeps its id
and history through a small edit of its text): each card follows the text it hides. Before,
similarity, which reads in order, gave `precision`'s history to the card now hiding
`recall` (and the other way round), or found nothing and orphaned the answered card."""

from __future__ import annotations

from support.notes import write_note

HEAD = "---\ntags: [flashcards/ml/metrics]\n---\n# Overlap scores\n\n"


def hiding(cli, col) -> dict[str, int]:
    """What each live cloze card hides (the text its front shows as `[...]`) -> its id."""
    found = {}
    for card in cli("--collection", col, "list", "--json").json:
        front, back = card["front"], card["back"]
        head = front.index("[...]")
        tail = len(front) - head - len("[...]")
        found[back[head:len(back) - tail].strip("=")] = card["id"]
    return found


def logged(cli, col) -> dict[int, int]:
    counts: dict[int, int] = {}
    for entry in cli("--collection", col, "log", "--limit", "0", "--json").json:
        counts[entry["card"]] = counts.get(entry["card"], 0) + 1
    return counts


def reimport(cli, col, vault, text: str) -> dict:
    write_note(vault, "Overlap.md", HEAD + text + "\n")
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    return result.json["cards"]


def test_a_reordered_sentence_keeps_each_cloze_with_what_it_hides(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    reimport(cli, col, vault, "Dice is ==2TP / (2TP + FP + FN)==, IoU is ==TP / (TP + FP + FN)=="
                              " and precision is ==TP / (TP + FP)==.")
    before = hiding(cli, col)
    assert len(before) == 3
    for card_id in before.values():
        assert cli("--collection", col, "answer", card_id, "good").code == 0

    assert reimport(cli, col, vault, "Precision is ==TP / (TP + FP)==, Dice is =="
                    "2TP / (2TP + FP + FN)== and IoU is ==TP / (TP + FP + FN)==.") \
        == {"added": 0, "updated": 3, "orphaned": 0}
    assert hiding(cli, col) == before
    # a cloze added to it later: a new card, the others keep theirs
    assert reimport(cli, col, vault, "Precision is ==TP / (TP + FP)==, Dice is =="
                    "2TP / (2TP + FP + FN)== and IoU is ==TP / (TP + FP + FN)==: all are"
                    " ==ratios== of counts.") == {"added": 1, "updated": 3, "orphaned": 0}
    after = hiding(cli, col)
    assert {k: after[k] for k in before} == before
    assert logged(cli, col) == {card_id: 1 for card_id in before.values()}


def test_two_clozes_swapped_in_a_short_sentence_swap_their_cards_too(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    reimport(cli, col, vault, "The F1 score weighs ==precision== and ==recall== equally.")
    before = hiding(cli, col)
    assert cli("--collection", col, "answer", before["precision"], "good").code == 0
    reimport(cli, col, vault, "The F1 score (the ==harmonic mean==) weighs ==recall== and"
                              " ==precision== equally.")
    after = hiding(cli, col)
    assert after["precision"] == before["precision"] and after["recall"] == before["recall"]
    assert logged(cli, col) == {before["precision"]: 1}


def test_the_same_text_hidden_in_an_unrelated_paragraph_is_a_new_card(cli, tmp_path):
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    reimport(cli, col, vault, "A perfect classifier has an F1 of ==1==.")
    (old,) = hiding(cli, col).values()
    assert cli("--collection", col, "answer", old, "good").code == 0
    assert reimport(cli, col, vault, "The softmax outputs over all classes always sum to ==1==,"
                    " whatever logits the network gives them.") \
        == {"added": 1, "updated": 0, "orphaned": 1}
    assert old not in hiding(cli, col).values()


def test_a_new_paragraph_hiding_the_same_short_text_elsewhere_is_a_new_card(cli, tmp_path):
    """Two English sentences of a length share most of their characters in any order: the
    deleted F1 sentence's history went to a new ReLU sentence at the end of the note hiding
    the same `0` (not asked for six weeks), and the F1 sentence, restored, came back new."""
    col, vault = tmp_path / "c.sqlite", tmp_path / "vault"
    f1 = "The F1 score is ==0== when there are no true positives."
    precision = "Precision is ==TP / (TP + FP)==."
    sigmoid = "The sigmoid maps the real line onto ==the interval (0, 1)==."
    relu = "A ReLU outputs ==0== for every negative input, so its gradient vanishes there."
    reimport(cli, col, vault, "\n\n".join((f1, precision, sigmoid)))
    old = hiding(cli, col)["0"]
    assert cli("--collection", col, "answer", old, "good").code == 0

    assert reimport(cli, col, vault, "\n\n".join((precision, sigmoid, relu))) \
        == {"added": 1, "updated": 0, "orphaned": 1}
    assert hiding(cli, col)["0"] != old
    assert reimport(cli, col, vault, "\n\n".join((f1, precision, sigmoid, relu))) \
        == {"added": 0, "updated": 1, "orphaned": 0}
    fronts = {card["id"]: card["front"]
              for card in cli("--collection", col, "list", "--json").json}
    assert fronts[old] == "The F1 score is [...] when there are no true positives."
    assert logged(cli, col) == {old: 1}
