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


CYLINDER = (
    "# Cylinder\n\n"
    "## Prism\n\n"
    "The height of a prism:\n"
    "$$h=\\frac{V}{S}$$\n\n"
    "#### Height of the cylinder\n"
    "The volume of the box:\n"
    "$$V=Sh=a^2h$$\n"
    "Put the side in the volume:\n"
    "$$ V=a^2h=(2r)^2h$$, so we find h:\n"
    "$$h=\\frac{V}{4r^2}=\\frac{36}{4\\cdot 3^2}=1$$\n")


def test_display_math_inside_an_introducing_sentence_stays_math(cli, tmp_path) -> None:
    """A sentence holding `$$…$$` (`$$ V=a^2h=(2r)^2h$$, so we find h:`) introduces the
    next formula: the part stating it is shown as `…` inside its `$$`. Before, only the
    right side was cut, leaving `$$ V= …` open: `show` read the rest of the card (the rule
    and the answer) as one formula."""
    cards = checked_cards(cli, tmp_path, "Cylinder.md", CYLINDER)
    [last] = [c for c in cards if c["line"] == 13]
    assert last["front"] == ("*Cylinder › Prism › Height of the cylinder*: "
                             "$$V= \\dots$$, so we find h: $h$ = ?")
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault" / "Cylinder.md").code == 0
    [card] = [c for c in cli("--collection", col, "list", "--json").json if c["line"] == 13]
    shown = cli("--collection", col, "show", card["id"], "--answer").out.splitlines()
    assert shown[2] == "Cylinder › Prism › Height of the cylinder: V = …, so we find h: h = ?"
    assert shown[4] == "-" * 80
    assert "$$" not in "\n".join(shown) and "\\frac" not in "\n".join(shown)
    assert [line.strip() for line in shown[6:9]] == ["V      36", "h = ─── = ────── = 1",
                                                     "4r²   4 · 3²"]


def test_a_question_left_with_an_open_dollar_pair_keeps_its_answer(cli, tmp_path) -> None:
    """`show --answer` draws the question and the answer each on its own: the `$$` of a
    question heading (bash's PID variable) paired with the answer's display math, and the
    question, the rule and the answer were printed as one garbled formula."""
    write_note(tmp_path / "vault", "Bash.md", (
        "# Bash\n\n## What does $$ hold in bash?\n\nThe PID of the shell:\n\n$$p = 42$$\n"))
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault" / "Bash.md").code == 0
    [card] = [c for c in cli("--collection", col, "list", "--json").json
              if c["kind"] == "question"]
    shown = cli("--collection", col, "show", card["id"], "--answer").out.splitlines()
    assert shown[2:8] == ["What does $$ hold in bash?", "", "-" * 80, "",
                          "The PID of the shell:", "  p = 42"]


DRAWING = (
    "---\n\nexcalidraw-plugin: parsed\ntags: [excalidraw, flashcards]\n\n---\n"
    "==⚠  Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu of this document. ⚠==\n\n\n"
    "{notes}"
    "%%\n# Excalidraw Data\n## Text Elements\n"
    "mitochondrion ^Xk3dP2aQ\n\n"
    "ribosome::protein factory ^bq81LmZ0\n\n"
    "## Drawing\n```json\n{{\"type\": \"excalidraw\", \"elements\": []}}\n```\n%%\n")

NOTES_ON_A_DRAWING = (
    "# Notes\n\n"
    "## What does the cell membrane do?\n\n"
    "It lets some molecules in and keeps others out.\n\n"
    "The ==nucleus== holds the DNA.\n\n")


def test_an_excalidraw_drawing_gives_cards_only_from_its_notes(cli, tmp_path) -> None:
    """An Excalidraw drawing is kept as a markdown file: its banner was a cloze asking
    `[...]` for "Switch to EXCALIDRAW VIEW…", its shape labels (`# Text Elements`) `::`
    cards of fragments. Named or in a folder, only the notes written above its data give
    cards, at their own lines."""
    vault = tmp_path / "vault"
    write_note(vault, "Cell.excalidraw.md", DRAWING.format(notes=NOTES_ON_A_DRAWING))
    write_note(vault, "Organelles.md",
               DRAWING.format(notes="").replace("tags: [excalidraw, flashcards]\n", ""))
    result = cli("check", vault / "Cell.excalidraw.md", vault / "Organelles.md", "--json")
    assert result.code == 0 and result.json["warnings"] == []
    drawn, bare = result.json["notes"]
    assert [(c["line"], c["kind"], c["front"]) for c in drawn["cards"]] == [
        (12, "question", "What does the cell membrane do?"),
        (16, "cloze", "The [...] holds the DNA."),
    ]
    assert drawn["cards"][0]["back"] == "It lets some molecules in and keeps others out."
    assert bare["cards"] == []
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", vault).code == 0
    assert [(c["note"].rsplit("/", 1)[-1], c["kind"])
            for c in cli("--collection", col, "list", "--json").json] == [
        ("Cell.excalidraw.md", "question"), ("Cell.excalidraw.md", "cloze")]


def test_a_double_colon_inside_a_link_is_no_separator(cli, tmp_path) -> None:
    """Rust paths in link texts (`[futures::sync::mpsc](…)`) and a wiki link's alias
    (`[[Containers|std::vector]]`) were cut into cards whose front ended inside the link
    (`The queue is a [futures` / `sync::mpsc](…) stream.`). A `::` outside the links of
    a line, before or after one, still makes its card."""
    cards = checked_cards(cli, tmp_path, "Tokio.md", (
        "#flashcards\n\n"
        "The queue is a [futures::sync::mpsc](https://docs.rs/futures) stream.\n\n"
        "See [[Containers|std::vector]] for details.\n\n"
        "## [tokio::sync](https://docs.rs/tokio)\n\n"
        "Read the [MySQL Manual :: Buffer Pool](https://dev.mysql.com/doc) page.\n\n"
        "What wraps [std::mem](https://doc.rust-lang.org/std/mem)?::[MaybeUninit](https://x.org)\n\n"
        "[Rust](https://rust-lang.org):::a language\n\n"
        "https://example.org::Example site\n"))
    assert [(c["kind"], c["front"], c["back"]) for c in cards] == [
        ("basic", "What wraps [std::mem](https://doc.rust-lang.org/std/mem)?",
         "[MaybeUninit](https://x.org)"),
        ("reversed", "[Rust](https://rust-lang.org)", "a language"),
        ("reversed", "a language", "[Rust](https://rust-lang.org)"),
        ("basic", "https://example.org", "Example site"),
    ]


def test_a_heading_ending_in_a_colon_gives_a_front_with_one(cli, tmp_path) -> None:
    """A maths vault's `#### _proof:_` headings: a formula asked by its place read
    "… › proof:: S = ?" and "What is the formula for … › proof:?"."""
    cards = checked_cards(cli, tmp_path, "Sums.md", (
        "# Sums\n\n## Gauss\n\n$$S = 1 + 2 + \\dots + n$$\n\n"
        "#### _proof:_\n\n$$S = \\frac{n(n+1)}{2}$$\n\n"
        "#### Area:\n\n$$\\int_0^1 x\\,dx$$\n"))
    assert formula_fronts(cards) == [
        "*Sums › Gauss*: $S$ = ?",
        "Sums › Gauss › _proof_: $S$ = ?",
        "What is the formula for *Sums › Gauss › Area*?",
    ]


def test_a_live_query_is_no_answer(cli, tmp_path) -> None:
    """A vault's statistics page: Obsidian shows a ```dataviewjs block as the numbers it
    computes; the card showed its JavaScript as the answer. Query blocks (Dataview, Tasks,
    Obsidian's search and bases) are left out of derived answers, as comments are; a
    question whose answer is only a query gives no card, with a warning for a callout."""
    cards = checked_cards(cli, tmp_path, "Vault stats.md", (
        "# Vault stats\n\n"
        "> [!question] How long have I kept this vault?\n"
        "> ```dataviewjs\n> const first = dv.pages().sort(p => p.file.ctime)[0];\n"
        "> dv.paragraph(first.file.ctime);\n> ```\n\n"
        "## Which notes are still drafts?\n\n"
        "Those tagged `#draft`:\n\n"
        "```dataview\nLIST FROM #draft\n```\n\n"
        "## What is left to do?\n\n"
        "```tasks\nnot done\n```\n\n"
        "## How is a query written?\n\n"
        "As a fenced block:\n\n"
        "```js\ndv.pages('#draft')\n```\n"))
    assert [(c["kind"], c["front"], c["back"]) for c in cards] == [
        ("question", "Which notes are still drafts?", "Those tagged `#draft`:"),
        ("question", "How is a query written?", "As a fenced block:\n\n```js\ndv.pages('#draft')\n```"),
    ]
    result = cli("check", tmp_path / "vault" / "Vault stats.md")
    assert ("Vault stats.md:3: warning: question callout's body holds only other cards, "
            "comments or queries; no card") in result.err


def test_a_question_mark_as_a_list_item_says_why_it_makes_no_card(cli, tmp_path) -> None:
    """An SR plugin user's `- ?` under a question: the `?` opens a list item, so the
    question above is not its front (the plugin makes no card either). The warning said
    there was nothing above the `?` line, with the question right there."""
    write_note(tmp_path / "vault", "Parity.md", (
        "#flashcards\n\n"
        "What does an even parity bit make even?\n"
        "- ?\n"
        "The count of 1 bits in the message.\n\n"
        "What is the parity bit of 1011 (even parity)?\n"
        "?\n"
        "1\n"))
    result = cli("check", tmp_path / "vault" / "Parity.md", "--json")
    assert result.code == 0
    assert [(c["front"], c["back"]) for c in result.json["notes"][0]["cards"]] == [
        ("What is the parity bit of 1011 (even parity)?", "1")]
    assert [(w["line"], w["message"]) for w in result.json["warnings"]] == [
        (4, "card has an empty front: this '?' is a list item ('- ?'), and the line above is"
            " not in it; write the '?' on a line of its own; skipped")]


def test_a_question_callout_without_a_title_asks_its_first_line(cli, tmp_path) -> None:
    """`> [!question]` with no title (Obsidian shows "Question") over a body whose first
    line is the question: that line is the front and the rest of the body the answer. It
    was a warning, "question callout has no title", and no card. A body that only asks
    says so; one that asks nothing is still "no title"."""
    cards = checked_cards(cli, tmp_path, "Borrowing.md", (
        "# Borrowing\n\n"
        ">[!question]\n"
        "Why can a `&mut T` not be copied?\n"
        ">  - Two of them could change one value at once.\n"
        ">  - The borrow checker forbids it.\n\n"
        "> [!QUESTION]\n"
        "> How **long** does a borrow last?\n\n"
        "Until its last use (non-lexical lifetimes).\n\n"
        "> [!faq]\n"
        "> Lifetimes are checked at compile time.\n"))
    assert [(c["line"], c["front"], c["back"].strip()) for c in cards
            if c["kind"] == "question"] == [
        (3, "Why can a `&mut T` not be copied?",
         "- Two of them could change one value at once.\n - The borrow checker forbids it."),
    ]
    result = cli("check", tmp_path / "vault" / "Borrowing.md", "--json")
    assert [(w["line"], w["message"]) for w in result.json["warnings"]] == [
        (8, "question callout asks its question in its body and holds no answer under it;"
            " no card"),
        (13, "question callout has no title; no card"),
    ]


def test_a_schedule_under_a_rule_or_a_tip_below_the_back_seeds_its_card(cli, tmp_path):
    """An SR plugin user's deck: the plugin reads a back up to a blank line, so a schedule
    written under a `___` rule or a `> [!tip]` that follow the back is that card's. The
    back ends at the rule or the quote here, and the schedule was dropped without a word:
    the card came in new, its review history lost. A card syntax between keeps it apart."""
    write_note(tmp_path / "vault", "Scala.md", (
        "#flashcards\n\n"
        "What does `sealed` do?\n"
        "?\n"
        "It keeps subclasses in the same file.\n"
        "```scala\nsealed trait Expr\n\ncase class Num(n: Int) extends Expr\n```\n"
        "> [!tip]\n"
        "> The compiler then checks matches for exhaustiveness.\n"
        "<!--SR:!2025-06-10,7,269-->\n\n"
        "- **How are fluid images made?**\n"
        "?\n"
        "With `max-width: 100%`.\n"
        "___\n"
        "<!--SR:!2025-06-06,87,243-->\n\n"
        "What is a case class?\n"
        "?\n"
        "A class with equality and pattern matching built in.\n"
        "___\n"
        "Val::an immutable binding\n"
        "<!--SR:!2025-06-07,3,250-->\n"))
    col = tmp_path / "c.sqlite"
    assert cli("--collection", col, "import", tmp_path / "vault").code == 0
    cards = {c["front"]: c for c in cli("--collection", col, "list", "--json").json}
    assert cards["What does `sealed` do?"]["state"] == "review"
    assert cards["What does `sealed` do?"]["due"].startswith("2025-06-10")
    assert cards["**How are fluid images made?**"]["state"] == "review"
    assert cards["**How are fluid images made?**"]["due"].startswith("2025-06-06")
    # the schedule under `Val::…` is that card's, not the case class card's
    assert cards["What is a case class?"]["state"] == "new"
    assert cards["Val"]["due"].startswith("2025-06-07")
