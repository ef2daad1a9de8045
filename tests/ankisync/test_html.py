"""Card text as Anki field HTML: math as MathJax, markdown as HTML, card text never HTML."""

from __future__ import annotations

from flashdeck.ankisync.html import cloze_html, to_html


def test_math_becomes_mathjax_and_markdown_html():
    html = to_html("The *log loss* of $p$ is\n\n$$L = -\\log p$$")
    assert "<em>log loss</em>" in html
    assert "\\(p\\)" in html
    assert "\\[L = -\\log p\\]" in html


def test_math_keeps_its_latex_but_escapes_html_characters():
    assert "\\(a &lt; b\\)" in to_html("$a < b$")


def test_raw_html_in_a_note_is_text_not_markup():
    html = to_html("Hi <script>alert(1)</script> <b>bold</b>")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_obsidian_links_and_callouts_read_as_text():
    html = to_html("> [!tip] Remember\n> See [[Bayes rule|Bayes]] and ![[chart.png]]")
    assert "Tip: Remember" in html
    assert "Bayes" in html and "[[" not in html
    assert "[image: chart.png]" in html  # no file to show: the placeholder


def test_images_become_media_when_resolved():
    seen = []

    def images(kind, first, second):
        seen.append((kind, first, second))
        return "chart.png"

    html = to_html("![[chart.png]] and ![a plot](plots/chart.png)", images)
    assert html.count('<img src="chart.png">') == 2
    assert seen == [("wiki", "chart.png", ""), ("markdown", "a plot", "plots/chart.png")]


def test_a_cloze_asks_its_own_deletion():
    text = cloze_html("The ==mode== of $x$ is its most frequent value.")
    assert "{{c1::mode}}" in text and "\\(x\\)" in text
    assert "==" not in text


def test_a_cloze_asks_its_deletion_not_a_urls_padding():
    url = "https://example.org/view?id=YWJj==&amp;sig=ZGVm=="
    text = cloze_html("See <https://example.org/view?id=YWJj==&sig=ZGVm==> for ==Adam==.")
    assert text.count("{{c1::") == 1 and "{{c1::Adam}}" in text
    assert url in text
