"""What a card's front shows — its text and the context printed with it — never gives away
its own answer or the answer of another card of the note. Checked as the user sees it:
`flashdeck check --json` and `flashdeck show`."""

from __future__ import annotations

import json
import re

import pytest

from support.notes import write_note


def cards_of(cli, path) -> list[dict]:
    result = cli("check", "--json", path)
    assert result.code == 0, result
    return [c for note in json.loads(result.out)["notes"] for c in note["cards"]]


def test_a_formula_is_not_introduced_by_a_cloze_sentence(cli, tmp_path) -> None:
    note = write_note(tmp_path, "Averaging Rates.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "The ==harmonic mean== of precision and recall is:\n\n"
        "$$\\frac{2PR}{P+R}$$\n"))
    cards = cards_of(cli, note)
    assert [c["kind"] for c in cards] == ["cloze", "formula"]
    cloze, formula = cards
    assert cloze["front"] == "The [...] of precision and recall is:"
    # introduced by its sentence, it read "The harmonic mean of ... is …?": the cloze's answer
    assert "harmonic" not in formula["front"]
    assert formula["front"] == "What is the formula for *Averaging Rates*?"


def test_a_question_callouts_title_answer_is_on_the_back(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Dice Score.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "> [!faq] Is Dice differentiable? Yes, its soft version is. ^q1\n"
        "> The soft Dice uses probabilities instead of hard labels.\n\n"
        "> [!question] **Is Dice symmetric?** yes\n\n"
        "> [!question] Does $P(x?)$ stay defined when `a?b` is empty?\n"
        "> Only with a smoothing term.\n\n"
        "> [!question] Why? (smoothing)\n"
        "> It keeps 0/0 away.\n"))
    cards = [(c["front"], c["back"]) for c in cards_of(cli, vault)]
    assert cards == [
        ("Is Dice differentiable?",
         "Yes, its soft version is.\n\nThe soft Dice uses probabilities instead of hard labels."),
        ("**Is Dice symmetric?**", "yes"),
        ("Does $P(x?)$ stay defined when `a?b` is empty?", "Only with a smoothing term."),
        ("Why?", "(smoothing)\n\nIt keeps 0/0 away."),
    ]
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    front = cli("--collection", collection, "show", "1")
    assert front.code == 0
    assert "Is Dice differentiable?" in front.out and "Yes" not in front.out
    answer = cli("--collection", collection, "show", "--answer", "1").out
    assert "Yes, its soft version is." in answer and "^q1" not in answer


def shown_headers(cli, tmp_path, vault) -> dict[str, str]:
    """Each card's front (as `list --json` gives it) -> the header line `show` prints above it
    (with the answer, `show --answer` prints all of it: nothing is left to give away)."""
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    listed = cli("--collection", collection, "list", "--json")
    assert listed.code == 0
    headers = {}
    for card in json.loads(listed.out):
        front = cli("--collection", collection, "show", card["id"])
        answer = cli("--collection", collection, "show", "--answer", card["id"])
        assert front.code == 0 and answer.code == 0
        first = front.out.splitlines()[0]
        whole = answer.out.splitlines()[0]
        assert "…" not in whole
        assert re.fullmatch(re.escape(first).replace("…", ".+"), whole), (first, whole)
        headers[card["front"]] = first.split("  ", 1)[1]
    return headers


def test_a_heading_or_title_that_states_the_answer_is_not_shown(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Harmonic Mean.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "What is the idea of the harmonic mean?::the reciprocal of the mean of reciprocals\n\n"
        "Which mean averages speeds over equal distances?::the **harmonic mean**\n\n"
        "Another name for it?::the subcontrary mean, an old name for the harmonic mean\n\n"
        "## 15 mph\n"
        "Average speed of the grocery trip?::15 mph\n\n"
        "## Sensitivity\n"
        "Recall is also called ==sensitivity==.\n\n"
        "## Precision vs recall\n"
        "Precision:::Recall\n\n"
        "## Trip back\n"
        "How long does the trip back take at 10 mph?::30 minutes\n"))
    assert shown_headers(cli, tmp_path, vault) == {
        # the title is what the front asks about: it stays
        "What is the idea of the harmonic mean?": "flashcards · Harmonic Mean",
        # the title is the answer
        "Which mean averages speeds over equal distances?": "flashcards · …",
        # the answer says more than the title, and the front needs the title
        "Another name for it?": "flashcards · Harmonic Mean",
        # a heading that states the answer, of a basic card, a cloze, a reversed pair
        "Average speed of the grocery trip?": "flashcards · Harmonic Mean › …",
        "Recall is also called [...].": "flashcards · Harmonic Mean › …",
        "Precision": "flashcards · Harmonic Mean › …",
        "Recall": "flashcards · Harmonic Mean › …",
        # context that does not answer stays
        "How long does the trip back take at 10 mph?": "flashcards · Harmonic Mean › Trip back",
    }


def test_a_heading_that_states_the_answer_in_the_plural_is_not_shown(cli, tmp_path) -> None:
    """`## Priors and posteriors` over `The ==prior== is …`: the breadcrumb showed the
    cloze's answer, its plural a letter longer. A plural or singular ending is no other word."""
    vault = tmp_path / "vault"
    write_note(vault, "Bayes.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "## Priors and posteriors\n"
        "The ==prior== is the belief before the evidence.\n\n"
        "## Likelihood\n"
        "The ==likelihoods== of the data under each hypothesis weigh the priors.\n\n"
        "## Boxes\n"
        "What does a detector draw around each object?::a box\n\n"
        "## Evidence\n"
        "The ==marginal probability== of the data normalises the posterior.\n"))
    assert shown_headers(cli, tmp_path, vault) == {
        "The [...] is the belief before the evidence.": "flashcards · Bayes › …",
        "The [...] of the data under each hypothesis weigh the priors.": "flashcards · Bayes › …",
        "What does a detector draw around each object?": "flashcards · Bayes › …",
        # context that does not state the answer stays
        "The [...] of the data normalises the posterior.": "flashcards · Bayes › Evidence",
    }


def test_a_heading_that_states_a_question_callouts_answer_is_not_shown(cli, tmp_path) -> None:
    """`## RMSProp` over `> [!question] Which optimizer divides by a running RMS of the
    gradients?` answered `RMSProp`: the header showed the answer above the question (a
    question's back was taken for an explanation, never compared). A back that explains is
    never inside a heading; a one-line answer is."""
    vault = tmp_path / "vault"
    write_note(vault, "Optimisers.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "## RMSProp\n"
        "> [!question] Which optimizer divides by a running RMS of the gradients?\n"
        "> RMSProp\n\n"
        "## Adam\n"
        "### Which optimizer adds momentum to that?\n"
        "Adam\n\n"
        "## Learning rate warm-up\n"
        "### Why warm up the learning rate?\n"
        "Early Adam steps are noisy: the second-moment estimate rests on few gradients.\n"))
    assert shown_headers(cli, tmp_path, vault) == {
        "Which optimizer divides by a running RMS of the gradients?": "flashcards · Optimisers › …",
        "Which optimizer adds momentum to that?": "flashcards · Optimisers › …",
        # an explanation: no heading states it, they stay
        "Why warm up the learning rate?": "flashcards · Optimisers › Learning rate warm-up",
    }


def test_a_formula_under_a_question_heading_is_in_that_questions_answer(cli, tmp_path) -> None:
    note = write_note(tmp_path, "Dice Coefficient.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "### How is the Dice coefficient computed?\n"
        "It is computed as:\n\n"
        "$$D = \\frac{2|A \\cap B|}{|A| + |B|}$$\n\n"
        "### How do we turn Dice into a loss?\n"
        "We subtract it from one:\n"
        "$$1 - D$$\n"
        "so a perfect overlap gives zero loss.\n\n"
        "## Jaccard\n"
        "$$J = \\frac{D}{2 - D}$$\n"))
    cards = [(c["kind"], c["front"], c["back"]) for c in cards_of(cli, note)]
    # the answers were "It is computed as:" alone, and a formula card asked
    # "We subtract it from one …?": the other card's answer on its front. A formula its
    # left-hand side names is still a card of its own, asked by that name
    assert cards == [
        ("question", "How is the Dice coefficient computed?",
         "It is computed as:\n\n$$D = \\frac{2|A \\cap B|}{|A| + |B|}$$"),
        ("formula", "*Dice Coefficient*: $D$ = ?", "$$D = \\frac{2|A \\cap B|}{|A| + |B|}$$"),
        ("question", "How do we turn Dice into a loss?",
         "We subtract it from one:\n$$1 - D$$\nso a perfect overlap gives zero loss."),
        ("formula", "*Dice Coefficient*: $J$ = ?", "$$J = \\frac{D}{2 - D}$$"),
    ]


def test_cloze_syntax_in_a_question_heading_or_title_reads_as_text(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Overlap.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "## Why does ==Dice== beat `a==b` cross entropy?\n"
        "Because overlap is relative.\n\n"
        "## The ==Jaccard== index\n\n"
        "$$\\frac{|A \\cap B|}{|A \\cup B|}$$\n\n"
        "> [!question] Is ==Dice== symmetric? ==Yes==\n\n"
        "> [!question] What does Dice ignore?\n"
        "> It ignores ==true negatives== entirely.\n"))
    result = cli("check", "--json", vault)
    assert result.code == 0
    report = json.loads(result.out)
    cards = [(c["kind"], c["front"], c["back"]) for c in report["notes"][0]["cards"]]
    assert cards == [
        ("question", "Why does Dice beat `a==b` cross entropy?", "Because overlap is relative."),
        ("formula", "What is the formula for *Overlap › The Jaccard index*?",
         "$$\\frac{|A \\cap B|}{|A \\cup B|}$$"),
        ("question", "Is Dice symmetric?", "Yes"),
        ("cloze", "It ignores [...] entirely.", "It ignores ==true negatives== entirely."),
    ]
    # the callout whose answer is a cloze says so, instead of "has no body"
    assert [(w["line"], w["message"]) for w in report["warnings"]] == [
        (15, "question callout's body holds only other cards, comments or queries; no card")]


def test_the_title_is_not_one_of_its_own_other_names(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "F1 Score.md", (
        "---\ntags: [flashcards]\nexercises: []\n"
        "aliases: [F1 Score, f1  score, F1 Measure, Dice Loss, f1 measure, ]\n---\n\nText.\n"))
    write_note(vault, "Dice.md", "---\ntags: [flashcards]\nexercises: []\naliases: dice\n---\n")
    cards = [(c["front"], c["back"]) for c in cards_of(cli, vault)]
    # was "What are other names for *F1 Score*?" answered "F1 Score, f1  score, F1 Measure,
    # Dice Loss, f1 measure", and "What is another name for *Dice*?" answered "dice"
    assert cards == [("What are other names for *F1 Score*?", "F1 Measure, Dice Loss")]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_review_screen_hides_a_heading_that_states_the_answer_until_it_is_shown(
        cli, tmp_path, monkeypatch) -> None:
    from support.tui import NOW_ISO, app_for, card, make_collection, run_async, screen_text

    monkeypatch.setenv("FLASHDECK_NOW", NOW_ISO)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    cards = [card("basic", "Another name for recall?", "sensitivity", 7,
                  breadcrumb=("Metrics", "Sensitivity"))]
    path = make_collection(tmp_path / "c.sqlite", cards)

    @run_async
    async def run():
        app = app_for(path)
        async with app.run_test(size=(100, 24), notifications=True) as pilot:
            await pilot.pause()
            assert type(app.screen).__name__ == "ReviewScreen"
            shown = screen_text(app)
            assert "Another name for recall?" in shown
            assert "· F1 Score › Metrics › …" in shown and "Sensitivity" not in shown
            await pilot.press("space")  # with the answer on screen: nothing left to hide
            await pilot.pause()
            assert "· F1 Score › Metrics › Sensitivity" in screen_text(app)

    run()
    # `show` masks it on the question alone, not with the answer
    front = cli("--collection", path, "show", "1").out
    assert "Metrics › …" in front and "Sensitivity" not in front
    assert "Metrics › Sensitivity" in cli("--collection", path, "show", "1", "--answer").out


def test_an_introducing_sentence_that_states_the_formula_asks_without_it(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Classifier Metrics.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "Specificity is TN / (TN + FP), the share of negatives found:\n\n"
        "$$\\frac{TN}{TN+FP}$$\n\n"
        "Recall is $\\frac{TP}{TP+FN}$:\n\n"
        "$$\\frac{TP}{TP + FN}$$\n\n"
        "The F1 score is the harmonic mean of precision and recall:\n\n"
        "$$F_1 = \\frac{2PR}{P+R}$$\n\n"
        "From counts, the F1 score is 2TP / (2TP + FP + FN):\n\n"
        "$$F_1 = \\frac{2TP}{2TP + FP + FN}$$\n\n"
        "L2 adds the squared norm of the weights, λ‖w‖², to the loss:\n\n"
        "$$L' = L + \\lambda \\|w\\|_2^2$$\n\n"
        "The sigmoid's derivative is σ(x)(1 − σ(x)):\n\n"
        "$$\\sigma'(x) = \\sigma(x)(1 - \\sigma(x))$$\n\n"
        "Again L2, written $L' = L + \\lambda \\|w\\|^2$:\n\n"
        "$$L' = L + \\lambda \\|w\\|_2^2$$\n\n"
        # a sentence that only names what the formula is about stays as written
        "The density of $\\mathcal{N}(\\mu, \\sigma^2)$:\n\n"
        "$$\\frac{1}{\\sigma\\sqrt{2\\pi}} e^{-\\frac{(x-\\mu)^2}{2\\sigma^2}}$$\n"))
    fronts = [c["front"] for c in cards_of(cli, vault) if c["kind"] == "formula"]
    # each front stated its own answer: "Specificity is TN / (TN + FP), the share of
    # negatives found …?", "From counts, the F1 score is 2TP / (2TP + FP + FN): F₁ = ?"
    assert fronts == [
        "*Classifier Metrics*: Specificity is …, the share of negatives found …?",
        "*Classifier Metrics*: Recall is …?",
        "*Classifier Metrics*: The F1 score is the harmonic mean of precision and recall:"
        " $F_1$ = ?",
        "*Classifier Metrics*: From counts, the F1 score is …: $F_1$ = ?",
        "*Classifier Metrics*: L2 adds the squared norm of the weights, …, to the loss: $L'$ = ?",
        "*Classifier Metrics*: $\\sigma'(x)$ = ?",
        "*Classifier Metrics*: Again L2, written $L' = \\dots$: $L'$ = ?",
        "*Classifier Metrics*: The density of $\\mathcal{N}(\\mu, \\sigma^2)$ …?",
    ]
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    shown = cli("--collection", collection, "show", "1")
    assert shown.code == 0
    assert "Specificity is …, the share of negatives found …?" in shown.out
    assert "TN" not in shown.out


def test_a_heading_that_states_a_formula_is_shown_without_it(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Segmentation.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "## Recall = TP / (TP + FN)\n\n"
        "$$R = \\frac{TP}{TP+FN}$$\n\n"
        "### Why can recall be gamed?\n"
        "Predict positive everywhere.\n\n"
        "## $J = \\frac{TP}{TP+FP+FN}$\n\n"
        "$$J = \\frac{TP}{TP+FP+FN}$$\n\n"
        "## Standardisation: z = (x − μ) / σ\n\n"
        "$$z = \\frac{x - \\mu}{\\sigma}$$\n\n"
        "## IoU is |A ∩ B| / |A ∪ B|\n\n"
        "$$\\frac{|A \\cap B|}{|A \\cup B|}$$\n\n"
        # headings that name what a formula is about, or state something else, stay
        "## Derivative of $x^n$\n\n"
        "$$\\frac{d}{dx} x^n = n x^{n-1}$$\n\n"
        "## Posterior ∝ likelihood × prior\n\n"
        "$$P(A \\mid B) \\propto P(B \\mid A) P(A)$$\n"))
    formula_fronts = [c["front"] for c in cards_of(cli, vault) if c["kind"] == "formula"]
    assert formula_fronts[3] == "What is the formula for *Segmentation › IoU is …*?"
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    headers = {}
    for card in cli("--collection", collection, "list", "--json").json:
        for answer in ((), ("--answer",)):  # the heading is the answer's context too
            shown = cli("--collection", collection, "show", card["id"], *answer)
            assert shown.code == 0
            headers.setdefault(card["front"], set()).add(
                shown.out.splitlines()[0].split("  ", 1)[1])
    assert {front: shown.pop() for front, shown in headers.items() if len(shown) == 1} == {
        # each showed its formula above the card that asks it
        "*Segmentation*: $R$ = ?": "flashcards · Segmentation › Recall = …",
        # and above every other card under it (the formula card's answer)
        "Why can recall be gamed?": "flashcards · Segmentation › Recall = …",
        "*Segmentation*: $J$ = ?": "flashcards · Segmentation › J = …",
        "*Segmentation*: $z$ = ?": "flashcards · Segmentation › Standardisation: z = …",
        "What is the formula for *Segmentation › IoU is …*?":
            "flashcards · Segmentation › IoU is …",
        "*Segmentation*: $\\frac{d}{dx} x^n$ = ?": "flashcards · Segmentation › Derivative of xⁿ",
        "*Segmentation*: $P(A \\mid B)$ ∝ ?":
            "flashcards · Segmentation › Posterior ∝ likelihood × prior",
    }


def test_a_formulas_sentence_that_states_another_cards_answer_is_not_asked(
        cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "F1 Score.md", (
        "---\ntags: [flashcards]\nexercises: []\n"
        "summary: Harmonic mean of precision and recall.\n---\n\n"
        "The F1 score is the harmonic mean of precision and recall:\n\n"
        "$$F_1 = \\frac{2PR}{P+R}$$\n\n"
        "From counts, with ==true positives== counted twice:\n\n"
        "$$F_1 = \\frac{2TP}{2TP + FP + FN}$$\n\n"
        "In words, for a single threshold:\n\n"
        "$$\\frac{2}{1/P + 1/R}$$\n"))
    cards = [(c["kind"], c["front"]) for c in cards_of(cli, vault)]
    # the two F₁ formulas were told apart by their sentences: "The F1 score is the harmonic
    # mean of precision and recall: F₁ = ?" (the summary card's answer) and "From counts,
    # with true positives counted twice: F₁ = ?" (the cloze's answer)
    assert cards == [
        ("summary", "What is meant by *F1 Score*?"),
        ("formula", "*F1 Score*: $F_1$ = ?"),
        ("cloze", "From counts, with [...] counted twice:"),
        ("formula", "*F1 Score*: $F_1$ = ? (2)"),
        ("formula", "*F1 Score*: In words, for a single threshold …?"),
    ]


def test_a_heading_that_repeats_the_title_or_an_alias_is_no_breadcrumb(cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "IoU.md", (
        "---\ntags: [flashcards]\nexercises: []\n"
        "aliases: [Jaccard index, Intersection over Union]\n---\n\n"
        "# Intersection over Union\n\n"
        "## Relation to Dice\n\n"
        "$$J = \\frac{D}{2 - D}$$\n"))
    write_note(vault, "Bayes Theorem.md", (
        "---\ntags: [flashcards]\n---\n\n"
        "# Bayes' Theorem\n\n"
        "$$P(A \\mid B) = \\frac{P(B \\mid A) P(A)}{P(B)}$$\n"))
    headers = shown_headers(cli, tmp_path, vault)
    # "IoU › Intersection over Union › Relation to Dice" above the formula showed the
    # aliases card's answer; "Bayes Theorem › Bayes' Theorem" said the title twice
    assert headers == {
        "What are other names for *IoU*?": "flashcards · IoU",
        "*IoU*: $J$ = ?": "flashcards · IoU › Relation to Dice",
        "*Bayes Theorem*: $P(A \\mid B)$ = ?": "flashcards · Bayes Theorem",
    }


def test_a_callout_title_that_states_its_formula_asks_without_it(cli, tmp_path) -> None:
    note = write_note(tmp_path, "Metrics.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "> [!tip] Recall is TP / (TP + FN)\n"
        "> $$\\frac{TP}{TP+FN}$$\n\n"
        "> [!example] Precision, i.e. TP/(TP+FP)\n"
        "> $$P = \\frac{TP}{TP+FP}$$\n\n"
        "> [!example] Precision again\n"
        "> $$P = \\frac{TP}{TP+FP}$$\n"))
    # were "What is the formula for *Metrics › Recall is TP / (TP + FN)*?" and
    # "*Metrics › Precision, i.e. TP/(TP+FP)*: $P$ = ?"
    assert [c["front"] for c in cards_of(cli, note)] == [
        "What is the formula for *Metrics › Recall is …*?",
        "*Metrics › Precision, i.e. …*: $P$ = ?",
        "*Metrics › Precision again*: $P$ = ?",
    ]


def test_an_exercise_under_a_heading_that_repeats_the_title_says_the_title_once(
        cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Precision.md", (
        "---\ntags: [flashcards]\naliases: [PPV]\n---\n\n"
        "# Precision\n\nOf everything flagged, the share that was right.\n\n"
        "## PPV\n\nThe same number, as epidemiologists call it.\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    [exercise] = [c for c in cli("--collection", collection, "list", "--json").json
                  if c["kind"] == "exercise"]
    shown = cli("--collection", collection, "show", exercise["id"])
    assert shown.code == 0
    # was "flashcards · Precision › Precision", as no other card's breadcrumb reads
    assert shown.out.splitlines()[0].split("  ", 1)[1] == "flashcards · Precision"


def test_a_heading_that_states_a_worked_examples_result_is_shown_without_it(
        cli, tmp_path) -> None:
    vault = tmp_path / "vault"
    write_note(vault, "Entropy.md", (
        "---\ntags: [flashcards]\nexercises: []\n---\n\n"
        "## A fair coin = 1 bit\n\n"
        "$$H = -2 \\cdot \\tfrac12 \\log_2 \\tfrac12 = 1$$\n\n"
        "## Example: $F_1 = 0{,}75$\n\n"
        "$$F_1 = \\frac{2 \\cdot 300}{2 \\cdot 300 + 200 + 0} = \\frac{600}{800} = 0{,}75$$\n\n"
        # another number than the result stays
        "## Ten throws, n = 10\n\n"
        "$$\\bar x = \\frac{1}{n} \\sum_i x_i = 4.2$$\n"))
    collection = tmp_path / "c.sqlite"
    assert cli("--collection", collection, "import", vault).code == 0
    headers = []
    for card in cli("--collection", collection, "list", "--json").json:
        shown = cli("--collection", collection, "show", card["id"])
        assert shown.code == 0
        headers.append(shown.out.splitlines()[0].split("  ", 1)[1])
    # were "Entropy › A fair coin = 1 bit" above "H = ?", "Example: F₁ = 0,75" above "F₁ = ?"
    assert headers == ["flashcards · Entropy › A fair coin = … bit",
                       "flashcards · Entropy › Example: F₁ = …",
                       "flashcards · Entropy › Ten throws, n = 10"]
