"""Rule 3 of card identity (`collection/identity.py`) with an answer that tells nothing of its
question: a card whose back alone is kept (its question reworded) keeps its history where it
stood, but a new question written elsewhere in the note with the same short answer (`Yes`) is
a new card. Before, the new `Does softmax sum to one…?::Yes` at the end of the note took the
six weeks' interval of the deleted `Is the mean squared error convex…?::Yes` (never asked
for six weeks), and the deleted card, restored, came back new: its history was lost."""

from __future__ import annotations

from support.notes import write_note

MSE = "Is the mean squared error convex in the weights of a linear model?::Yes"
ACCURACY = "Is accuracy differentiable in the model's weights?::No"
LOGISTIC = ("Which loss does logistic regression minimise?::The binary cross-entropy"
            " $-y \\log p - (1 - y) \\log(1 - p)$")
SOFTMAX = "Does softmax sum to one over the classes?::Yes"


def write(vault, *cards: str) -> None:
    body = "\n".join(cards)
    write_note(vault, "Loss functions.md", f"""\
---
tags: [flashcards/ml]
aliases: [Cost functions]
---
# Loss functions

> [!NOTE]
> A loss is minimised by gradient descent, so it should be differentiable.

{body}
""")


def live(cli, col) -> dict[str, int]:
    """front -> id of every live card."""
    return {c["front"]: c["id"] for c in cli("--collection", col, "list", "--json").json}


def reviews(cli, col, card_id: int) -> int:
    return sum(entry["card"] == card_id
               for entry in cli("--collection", col, "log", "--limit", "0", "--json").json)


def imported(cli, col, vault) -> dict:
    result = cli("--collection", col, "import", vault, "--json")
    assert result.code == 0, result.err
    return result.json["cards"]


def answer_on_days(cli, col, card_id: int, monkeypatch) -> None:
    for day in ("01", "02", "05", "12"):
        monkeypatch.setenv("FLASHDECK_NOW", f"2026-12-{day}T09:00:00+01:00")
        result = cli("--collection", col, "answer", card_id, "good")
        assert result.code == 0, result.err
    monkeypatch.setenv("FLASHDECK_NOW", "2026-12-13T09:00:00+01:00")



def _mse_answered(cli, tmp_path, monkeypatch, *notes: str):
    """A vault of `notes` imported, the MSE card answered on four days: the vault, the
    collection and the MSE card's id."""
    vault, col = tmp_path / "vault", tmp_path / "c.sqlite"
    write(vault, *notes)
    imported(cli, col, vault)
    mse = live(cli, col)[MSE.split("::")[0]]
    answer_on_days(cli, col, mse, monkeypatch)
    return vault, col, mse


def test_a_new_question_with_the_same_short_answer_elsewhere_is_a_new_card(cli, tmp_path, monkeypatch):
    vault, col, mse = _mse_answered(cli, tmp_path, monkeypatch, MSE, ACCURACY, LOGISTIC)

    write(vault, ACCURACY, LOGISTIC, SOFTMAX)  # the first card deleted, one added at the end
    assert imported(cli, col, vault) == {"added": 1, "updated": 0, "orphaned": 1}
    cards = live(cli, col)
    softmax = cards[SOFTMAX.split("::")[0]]
    assert softmax != mse
    assert reviews(cli, col, softmax) == 0
    shown = cli("--collection", col, "list", "--json").json
    assert next(c for c in shown if c["id"] == softmax)["state"] == "new"

    write(vault, MSE, ACCURACY, LOGISTIC, SOFTMAX)  # the deleted card restored
    assert imported(cli, col, vault) == {"added": 0, "updated": 1, "orphaned": 0}
    cards = live(cli, col)
    assert cards[MSE.split("::")[0]] == mse
    assert reviews(cli, col, mse) == 4


def test_a_question_reworded_in_its_place_keeps_its_history(cli, tmp_path, monkeypatch):
    vault, col, mse = _mse_answered(cli, tmp_path, monkeypatch, ACCURACY, MSE, LOGISTIC)

    # reworded where it stands, a card added above it and the one below it rewritten
    reworded = "Is MSE a convex function of a linear model's weights?::Yes"
    write(vault, SOFTMAX.replace("::Yes", "::No, it sums to one only after the exponentials"),
          ACCURACY, reworded, LOGISTIC.replace("minimise", "minimize"))
    imported(cli, col, vault)
    cards = live(cli, col)
    assert cards[reworded.split("::")[0]] == mse
    assert reviews(cli, col, mse) == 4


def test_a_question_reworded_and_moved_to_the_end_is_a_new_card(cli, tmp_path, monkeypatch):
    """Where the question moved as well as changed, nothing but `Yes` links the two: the
    old card waits as an orphan (restorable), the moved one starts new."""
    vault, col, mse = _mse_answered(cli, tmp_path, monkeypatch, MSE, ACCURACY, LOGISTIC)

    reworded = "Does squared loss make a bowl for linear models?::Yes"
    write(vault, ACCURACY, LOGISTIC, reworded)
    assert imported(cli, col, vault) == {"added": 1, "updated": 0, "orphaned": 1}
    assert live(cli, col)[reworded.split("::")[0]] != mse
    assert reviews(cli, col, mse) == 4
    assert mse not in live(cli, col).values()
